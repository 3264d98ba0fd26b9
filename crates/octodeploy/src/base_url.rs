//! Turning what people write as "the GitHub URL" into the REST API's base.

use url::Url;

use crate::error::ConfigError;

/// github.com's API.
pub const GITHUB_COM_API: &str = "https://api.github.com";

/// Normalises a base URL:
/// - `https://ghe.example.com` (a GHES host) becomes `https://ghe.example.com/api/v3`;
/// - `https://api.github.com`, `https://api.SUBDOMAIN.ghe.com` and any URL
///   with a path (`https://ghe.example.com/api/v3`, a proxy prefix) are kept;
/// - trailing slashes are removed and a doubled `/api/v3/api/v3` collapses;
/// - `http://` is refused unless the host is loopback or `allow_http` is set;
/// - query strings, fragments and credentials in the URL are refused.
pub fn normalize(input: &str, allow_http: bool) -> Result<Url, ConfigError> {
    let shown = redact_credentials(input);
    let invalid = |reason: &str| ConfigError::BaseUrl {
        url: shown.clone(),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(input.trim()).map_err(|e| invalid(&e.to_string()))?;
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
    let host = url.host_str().unwrap_or_default();
    let api_host =
        host == "api.github.com" || (host.starts_with("api.") && host.ends_with(".ghe.com"));
    if path.is_empty() && !api_host && !is_loopback(&url) {
        path = "/api/v3".to_owned();
    }
    url.set_path(&path);
    Ok(url)
}

/// `input` with any `user:password@` replaced, for error messages.
fn redact_credentials(input: &str) -> String {
    match (input.find("://"), input.rfind('@')) {
        (Some(scheme_end), Some(at))
            if at > scheme_end && !input[scheme_end + 3..at].contains('/') =>
        {
            format!(
                "{}<redacted>@{}",
                &input[..scheme_end + 3],
                &input[at + 1..]
            )
        }
        _ => input.to_owned(),
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
