//! Turning what people write as "the GitHub URL" into the REST API's base.

use url::{Position, Url};

use crate::error::ConfigError;

/// github.com's API.
pub const GITHUB_COM_API: &str = "https://api.github.com";

/// Normalises a base URL:
/// - `https://ghe.example.com` (a GHES host) becomes `https://ghe.example.com/api/v3`;
/// - `https://github.com` and `https://www.github.com` (what Actions puts in
///   `GITHUB_SERVER_URL`), like any other host under github.com given
///   without a path, become `https://api.github.com`; such a URL with a path
///   (a repository page, say) is refused, as github.com serves no API there;
/// - `https://SUBDOMAIN.ghe.com` (a GHE.com data-residency tenant), or a
///   name under it, without a path becomes `https://api.SUBDOMAIN.ghe.com`;
/// - `https://api.github.com`, `https://api.SUBDOMAIN.ghe.com` and any other
///   URL with a path (`https://ghe.example.com/api/v3`, a proxy prefix) are
///   kept;
/// - a loopback host (`localhost`, `127.0.0.1`, `[::1]`) is taken as the full
///   API URL: nothing is appended, so a test server works as given, but a
///   tunnel to GHES (`https://localhost:8443`) needs its `/api/v3` written
///   out (`https://localhost:8443/api/v3`);
/// - host names are compared ignoring case (they come out lowercased);
/// - surrounding whitespace and trailing slashes are removed and a doubled
///   `/api/v3/api/v3` collapses;
/// - `http://` is refused unless the host is loopback or `allow_http` is set;
/// - query strings, fragments and credentials in the URL are refused, and
///   the error never repeats the credentials;
/// - what URL parsing would silently rewrite is refused, with the reason:
///   dot segments (`/api/v3/../../x`), backslashes (`https:\\evil.com`),
///   control characters and whitespace inside the URL, port 0.
pub fn normalize(input: &str, allow_http: bool) -> Result<Url, ConfigError> {
    let input = input.trim();
    let shown = redact_credentials(input);
    let invalid = |reason: &str| ConfigError::BaseUrl {
        url: shown.clone(),
        reason: reason.to_owned(),
    };
    if let Some(reason) = rewritten_by_parsing(input) {
        return Err(invalid(reason));
    }
    let mut url = Url::parse(input).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => {
            invalid("not an absolute URL (expected the form `https://ghe.example.com`)")
        }
        e => invalid(&e.to_string()),
    })?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http || is_loopback(&url) => {}
        "http" => {
            return Err(invalid(
                "plain http is only allowed to loopback; use https, or allow it explicitly with `allow_insecure_http`",
            ));
        }
        other => return Err(invalid(&format!("scheme `{other}` is not http(s)"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    if url.port() == Some(0) {
        return Err(invalid("port 0 is not a port"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a base URL has no query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials belong in the token, not the URL"));
    }

    let mut path = url.path().trim_end_matches('/').to_owned();
    while path.ends_with("/api/v3/api/v3") {
        path.truncate(path.len() - "/api/v3".len());
    }
    // The url crate lowercases the host of http(s) URLs; lowercase anyway so
    // the comparisons below can never depend on how the input was written.
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match cloud_api_host(&host) {
        Some(api_host) if path.is_empty() && api_host != host => {
            url.set_host(Some(&api_host))
                .map_err(|e| invalid(&e.to_string()))?;
        }
        Some(api_host)
            if !path.is_empty() && api_host == GITHUB_COM_API_HOST && host != api_host =>
        {
            return Err(invalid(&format!(
                "github.com serves no API under a path; its API is {GITHUB_COM_API}"
            )));
        }
        Some(_) => {}
        None if path.is_empty() && !is_loopback(&url) => path = "/api/v3".to_owned(),
        None => {}
    }
    url.set_path(&path);
    Ok(url)
}

/// Why URL parsing would not keep `input` as written, if it would not:
/// the parsed URL would then point somewhere else than what was configured.
fn rewritten_by_parsing(input: &str) -> Option<&'static str> {
    if input.contains('\\') {
        return Some("contains `\\`, which URL parsing reads as `/`");
    }
    if input.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Some("contains whitespace or control characters, which URL parsing drops");
    }
    let after_scheme = input.split_once("://").map_or(input, |(_, rest)| rest);
    let path = after_scheme.split(['?', '#']).next().unwrap_or_default();
    let dot = |segment: &str| {
        let s = segment.to_ascii_lowercase().replace("%2e", ".");
        s == "." || s == ".."
    };
    if path.split('/').skip(1).any(dot) {
        return Some("contains a `.` or `..` segment, which URL parsing resolves away");
    }
    None
}

/// The host of [`GITHUB_COM_API`].
const GITHUB_COM_API_HOST: &str = "api.github.com";

/// The API host of a GitHub-hosted (not GHES) host name, as gh reckons it:
/// `github.com` and any name under it → `api.github.com`; a GHE.com tenant
/// `SUBDOMAIN.ghe.com`, or any name under it (`api.SUBDOMAIN.ghe.com`) →
/// `api.SUBDOMAIN.ghe.com`. `None` for anything else (GHES, loopback…).
/// `host` must be lowercase and without a port.
pub(crate) fn cloud_api_host(host: &str) -> Option<String> {
    if host == "github.com" || host.ends_with(".github.com") {
        return Some(GITHUB_COM_API_HOST.to_owned());
    }
    let before = host.strip_suffix(".ghe.com")?;
    let tenant = before.rsplit('.').next().filter(|t| !t.is_empty())?;
    Some(format!("api.{tenant}.ghe.com"))
}

/// `input` with any `user:password@` replaced, for error messages. Only the
/// authority is looked at, so an `@` in the path or query is left alone.
fn redact_credentials(input: &str) -> String {
    if let Ok(url) = Url::parse(input)
        && !url.cannot_be_a_base()
    {
        if url.username().is_empty() && url.password().is_none() {
            return input.to_owned();
        }
        return format!(
            "{}<redacted>@{}",
            &url[..Position::BeforeUsername],
            &url[Position::BeforeHost..]
        );
    }
    // Not a URL the parser understands: find the authority by hand (after
    // `://`, or from the start when there is no scheme) up to the first
    // character that ends it, and redact up to its last `@`, which is where
    // the parser would split the credentials off.
    let start = input.find("://").map_or(0, |i| i + "://".len());
    let rest = &input[start..];
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{}<redacted>{}", &input[..start], &rest[at..]),
        None => input.to_owned(),
    }
}

/// The base URL as the generated client wants it: no trailing slash.
pub fn as_base(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_owned()
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        as_base(&normalize(s, false).unwrap())
    }

    #[test]
    fn ghes_host_gets_api_v3() {
        assert_eq!(
            n("https://ghe.example.com"),
            "https://ghe.example.com/api/v3"
        );
        assert_eq!(
            n("https://ghe.example.com/"),
            "https://ghe.example.com/api/v3"
        );
    }

    #[test]
    fn full_api_urls_are_kept() {
        assert_eq!(
            n("https://ghe.example.com/api/v3/"),
            "https://ghe.example.com/api/v3"
        );
        assert_eq!(
            n("https://ghe.example.com/api/v3//"),
            "https://ghe.example.com/api/v3"
        );
        assert_eq!(
            n("https://ghe.example.com/api/v3/api/v3"),
            "https://ghe.example.com/api/v3"
        );
        assert_eq!(n("https://api.github.com/"), "https://api.github.com");
        assert_eq!(
            n("https://api.octocorp.ghe.com"),
            "https://api.octocorp.ghe.com"
        );
        assert_eq!(
            n("https://proxy.example.com/github"),
            "https://proxy.example.com/github"
        );
    }

    #[test]
    fn http_only_to_loopback_unless_allowed() {
        assert_eq!(n("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(
            n("http://localhost:8080/api/v3/"),
            "http://localhost:8080/api/v3"
        );
        assert_eq!(n("http://[::1]:9/"), "http://[::1]:9");
        let err = normalize("http://ghe.example.com", false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("allow_insecure_http"), "{err}");
        assert!(normalize("http://ghe.example.com", true).is_ok());
    }

    #[test]
    fn credentials_in_a_refused_url_are_not_repeated() {
        let err = normalize("https://me:ghp_secret@ghe.example.com", false)
            .unwrap_err()
            .to_string();
        assert!(
            !err.contains("ghp_secret") && err.contains("<redacted>@ghe.example.com"),
            "{err}"
        );
    }

    #[test]
    fn github_com_web_urls_become_the_api() {
        // What Actions' GITHUB_SERVER_URL holds, and what people paste.
        assert_eq!(n("https://github.com"), "https://api.github.com");
        assert_eq!(n("https://github.com/"), "https://api.github.com");
        assert_eq!(n("https://www.github.com"), "https://api.github.com");
        assert_eq!(n(" https://GitHub.com/ "), "https://api.github.com");
        let err = normalize("https://github.com/octo-org/deploy-demo", false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("https://api.github.com"), "{err}");
    }

    #[test]
    fn ghe_com_tenant_becomes_its_api_host() {
        assert_eq!(
            n("https://octocorp.ghe.com"),
            "https://api.octocorp.ghe.com"
        );
        assert_eq!(
            n("https://octocorp.ghe.com/"),
            "https://api.octocorp.ghe.com"
        );
        assert_eq!(
            n("https://OctoCorp.GHE.com"),
            "https://api.octocorp.ghe.com"
        );
        assert_eq!(
            n("https://api.octocorp.ghe.com/"),
            "https://api.octocorp.ghe.com"
        );
        // `ghe.com` itself is no tenant.
        assert_eq!(n("https://ghe.com"), "https://ghe.com/api/v3");
    }

    #[test]
    fn hosts_compare_ignoring_case() {
        assert_eq!(n("https://API.GitHub.com"), "https://api.github.com");
        assert_eq!(n("HTTPS://API.GITHUB.COM/"), "https://api.github.com");
        assert_eq!(
            n("https://API.OctoCorp.GHE.com"),
            "https://api.octocorp.ghe.com"
        );
        assert_eq!(
            n("https://GHE.Example.com"),
            "https://ghe.example.com/api/v3"
        );
    }

    #[test]
    fn loopback_is_taken_as_the_full_api_url() {
        assert_eq!(n("https://localhost:8443"), "https://localhost:8443");
        assert_eq!(
            n("https://localhost:8443/api/v3"),
            "https://localhost:8443/api/v3"
        );
        assert_eq!(n("https://127.0.0.1"), "https://127.0.0.1");
    }

    #[test]
    fn credentials_are_redacted_despite_an_at_sign_after_the_host() {
        for input in [
            "https://me:ghp_secret@ghe.example.com/?x=a@b",
            "https://me:ghp_secret@ghe.example.com/api@v3",
            "https://me:ghp_secret@ghe.example.com#a@b",
        ] {
            let err = normalize(input, false).unwrap_err().to_string();
            assert!(
                !err.contains("ghp_secret") && err.contains("<redacted>@ghe.example.com"),
                "{input}: {err}"
            );
        }
        assert_eq!(
            redact_credentials("https://me:ghp_secret@ghe.example.com/api@v3"),
            "https://<redacted>@ghe.example.com/api@v3"
        );
    }

    #[test]
    fn credentials_are_redacted_when_the_url_does_not_parse() {
        // The authority is found by hand, up to its last `@`.
        assert_eq!(
            redact_credentials("https://me:ghp_secret@/x@y"),
            "https://<redacted>@/x@y"
        );
        assert_eq!(
            redact_credentials("https://me:p@ss@ghe example.com/a@b"),
            "https://<redacted>@ghe example.com/a@b"
        );
        assert_eq!(
            redact_credentials("me:ghp_secret@ghe.example.com/a@b"),
            "<redacted>@ghe.example.com/a@b"
        );
        assert_eq!(
            redact_credentials("https://ghe example.com/a@b?c@d"),
            "https://ghe example.com/a@b?c@d"
        );
        for input in [
            "https://me:ghp_secret@/x@y",
            "https://me:ghp_secret@ghe example.com",
            "me:ghp_secret@ghe.example.com",
            "https:me:ghp_secret@ghe.example.com",
        ] {
            let err = normalize(input, false).unwrap_err().to_string();
            assert!(!err.contains("ghp_secret"), "{input}: {err}");
        }
    }

    #[test]
    fn a_bare_host_is_refused_with_a_hint() {
        let err = normalize("ghe.example.com", false).unwrap_err().to_string();
        assert!(err.contains("https://ghe.example.com"), "{err}");
    }

    #[test]
    fn what_parsing_would_rewrite_is_refused_with_the_reason() {
        for (input, reason) in [
            ("https://ghe.example.com/api/v3/../../x", "`..` segment"),
            ("https://ghe.example.com/api/%2E%2e/x", "`..` segment"),
            ("https://ghe.example.com/./api/v3", "`.` or"),
            ("https:\\\\evil.com", "`\\`"),
            ("https://ghe.example.com\\@evil.com/api/v3", "`\\`"),
            ("https://ghe.example.com:0/api/v3", "port 0"),
            ("https://ghe.exa\tmple.com/api/v3", "control"),
            ("https://ghe.example.com/api /v3", "whitespace"),
        ] {
            let err = normalize(input, false).unwrap_err().to_string();
            assert!(err.contains(reason), "{input}: {err}");
        }
        // Dots inside a segment are names, not dot segments.
        assert_eq!(
            n("https://ghe.example.com/.well/api..v3"),
            "https://ghe.example.com/.well/api..v3"
        );
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            "ghe.example.com",
            "ftp://x",
            "https://x/?a=1",
            "https://u:p@x",
            "",
        ] {
            assert!(normalize(bad, false).is_err(), "{bad}");
        }
    }
}
