//! Configuration from the environment, following GitHub's conventions:
//! Actions (`GITHUB_API_URL`, `GITHUB_TOKEN`) and the gh CLI (`GH_HOST`,
//! `GH_TOKEN`, `GITHUB_TOKEN`, `GH_ENTERPRISE_TOKEN`,
//! `GITHUB_ENTERPRISE_TOKEN`). In short: `GITHUB_API_URL` wins, then
//! `GH_HOST`, then github.com; a GHES host named by `GH_HOST` only ever gets
//! an enterprise token. [`from_vars`] gives the exact precedence. A GitHub
//! App (`GITHUB_APP_ID` and its key) wins over every token: see
//! [`github_app`].

use url::Url;

use crate::base_url::{GITHUB_COM_API, cloud_api_host};
use crate::secret::Token;

/// What the environment says about where and how to connect, and which
/// variables said it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvConfig {
    /// The API base URL (not yet normalised).
    pub api_url: String,
    /// The variable `api_url` came from (`GITHUB_API_URL` or `GH_HOST`);
    /// `None` when neither is set and github.com is the fallback.
    pub api_url_from: Option<&'static str>,
    /// The token, if one is set.
    pub token: Option<Token>,
    /// The variable the token came from; `None` when there is no token.
    pub token_from: Option<&'static str>,
}

/// The environment names a place to connect to that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// `GH_HOST` is set but is not a host name (a path, query, fragment,
    /// credentials, whitespace, another scheme).
    #[error(
        "GH_HOST {} is not a host name like ghe.example.com \
         (no path, credentials, spaces or scheme other than http(s))",
        shown(.value)
    )]
    GhHostNotAHost {
        /// The value as set (trimmed); `None` when it contains `@` and so
        /// may hold a password.
        value: Option<String>,
    },
}

/// A value for a message: quoted, or a note that it is withheld.
fn shown(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("{v:?}"),
        None => "(value not shown: it may hold credentials)".to_owned(),
    }
}

impl From<EnvError> for crate::Error {
    fn from(e: EnvError) -> Self {
        crate::Error::Config(crate::ConfigError::Environment(e))
    }
}

/// Reads the configuration through `var` (the process environment in
/// [`crate::Client::from_env`]; a map in tests). Values are trimmed, and
/// empty values count as unset. The first of these that applies decides:
///
/// 1. **`GITHUB_API_URL`** (set by Actions runners, on github.com and GHES)
///    is the API URL, as given. The token:
///    - for github.com or a GHE.com tenant (the URL's host is `github.com`,
///      under `.github.com`, or under `.ghe.com`): `GH_TOKEN`, then
///      `GITHUB_TOKEN`; an enterprise token is never sent there;
///    - for any other URL (GHES): `GH_TOKEN`, then `GITHUB_TOKEN`, then
///      `GH_ENTERPRISE_TOKEN`, then `GITHUB_ENTERPRISE_TOKEN`. The general
///      tokens come first because that is how Actions on GHES works: the
///      runner sets `GITHUB_API_URL` and `GITHUB_TOKEN` together, for the same
///      instance. This differs from `GH_HOST` below on purpose: whoever sets
///      `GITHUB_API_URL` has paired it with the general token, while a
///      developer's `GH_TOKEN` usually belongs to github.com.
/// 2. **`GH_HOST`**, a host name as gh takes it: an `http://` or `https://`
///    prefix and trailing slashes are dropped, case is ignored, a `:port` is
///    kept, and the API is always reached over https.
///    - github.com or a name under it (`api.github.com`):
///      `https://api.github.com`, with `GH_TOKEN`, then `GITHUB_TOKEN`;
///    - a GHE.com tenant, `SUBDOMAIN.ghe.com` or a name under it:
///      `https://api.SUBDOMAIN.ghe.com`, with `GH_TOKEN`, then `GITHUB_TOKEN`
///      (gh treats these "tenancy" hosts like github.com, not as GHES);
///    - any other host (GHES): `https://HOST/api/v3`, with
///      `GH_ENTERPRISE_TOKEN`, then `GITHUB_ENTERPRISE_TOKEN`, and no token
///      if neither is set: as in gh, `GH_TOKEN` and `GITHUB_TOKEN` (usually
///      github.com tokens) are never sent to a GHES host named this way;
///    - anything that is not a host name (a path, query, fragment,
///      credentials, whitespace, another scheme): [`EnvError::GhHostNotAHost`],
///      rather than connecting somewhere unintended. The value is not
///      repeated if it contains `@`, as it may hold a password.
/// 3. Otherwise **`https://api.github.com`**, with `GH_TOKEN`, then
///    `GITHUB_TOKEN`.
pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<EnvConfig, EnvError> {
    let get = |name: &str| {
        var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let first = |names: &[&'static str]| {
        names
            .iter()
            .find_map(|&name| get(name).map(|value| (value, name)))
    };
    let general = || first(&["GH_TOKEN", "GITHUB_TOKEN"]);
    let enterprise = || first(&["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"]);

    let (api_url, api_url_from, token) = match (get("GITHUB_API_URL"), get("GH_HOST")) {
        (Some(url), _) => {
            let cloud = Url::parse(&url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .and_then(|host| cloud_api_host(&host))
                .is_some();
            let token = if cloud {
                general()
            } else {
                general().or_else(enterprise)
            };
            (url, Some("GITHUB_API_URL"), token)
        }
        (None, Some(raw)) => {
            let host = parse_gh_host(&raw)?;
            match cloud_api_host(without_port(&host)) {
                Some(api_host) => (format!("https://{api_host}"), Some("GH_HOST"), general()),
                None => (
                    format!("https://{host}/api/v3"),
                    Some("GH_HOST"),
                    enterprise(),
                ),
            }
        }
        (None, None) => (GITHUB_COM_API.to_owned(), None, general()),
    };
    let (token, token_from) =
        token.map_or((None, None), |(t, from)| (Some(Token::new(t)), Some(from)));
    Ok(EnvConfig {
        api_url,
        api_url_from,
        token,
        token_from,
    })
}

/// `GH_HOST` as a lowercase `host[:port]`, or why it is not one.
fn parse_gh_host(raw: &str) -> Result<String, EnvError> {
    let lower = raw.trim().to_ascii_lowercase();
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower)
        .trim_end_matches('/');
    let not_a_host = host.is_empty()
        || host.contains(['/', '\\', '?', '#', '@'])
        || host.chars().any(|c| c.is_whitespace() || c.is_control());
    if not_a_host {
        let value = (!raw.contains('@')).then(|| raw.trim().to_owned());
        return Err(EnvError::GhHostNotAHost { value });
    }
    Ok(host.to_owned())
}

/// The GitHub App the environment configures, if any, reading a key file
/// through `read` ([`crate::Client::from_env`] uses the process environment
/// and the file system).
///
/// - **`GITHUB_APP_ID`** (the App id, or its client id) turns App
///   authentication on, and then the token variables of [`from_vars`]
///   (`GH_TOKEN`, `GITHUB_TOKEN`, …) are not used: an App configured
///   explicitly wins over a token that happens to be around.
/// - The key: **`GITHUB_APP_PRIVATE_KEY`** (the PEM itself; `\n` escapes
///   are accepted for one-line secrets), else the file named by
///   **`GITHUB_APP_PRIVATE_KEY_PATH`**. Neither, or a key without
///   `GITHUB_APP_ID`, is an error.
/// - The installation: **`GITHUB_APP_INSTALLATION_ID`**, else the one on
///   the repository in **`GITHUB_REPOSITORY`** (`owner/repo`, set by
///   Actions), found on the first request; else the first request fails
///   saying so.
///
/// # Errors
/// [`crate::Error::Auth`] for a key that cannot be read or parsed,
/// [`crate::Error::Invalid`] naming the variable otherwise.
pub fn github_app(
    var: impl Fn(&str) -> Option<String>,
    read: impl Fn(&std::path::Path) -> std::io::Result<String>,
) -> Result<Option<crate::GitHubApp>, crate::Error> {
    crate::auth_app::from_vars(var, read).map_err(Into::into)
}

/// `host[:port]` without the port (an IPv6 literal keeps its brackets).
fn without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base_url::{as_base, normalize};
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> EnvConfig {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        from_vars(|k| map.get(k).cloned()).unwrap()
    }

    fn token(c: &EnvConfig) -> Option<&str> {
        c.token.as_ref().map(Token::expose)
    }

    /// The URL a client built from `c` would use.
    fn normalized(c: &EnvConfig) -> String {
        as_base(&normalize(&c.api_url, false).unwrap())
    }

    #[test]
    fn defaults_to_github_com() {
        let c = cfg(&[("GITHUB_TOKEN", "a")]);
        assert_eq!(c.api_url, "https://api.github.com");
        assert_eq!(token(&c), Some("a"));
        let c = cfg(&[("GITHUB_TOKEN", "a"), ("GH_ENTERPRISE_TOKEN", "e")]);
        assert_eq!(token(&c), Some("a"));
        let c = cfg(&[("GH_ENTERPRISE_TOKEN", "e")]);
        assert_eq!(token(&c), None, "no enterprise token for github.com");
    }

    #[test]
    fn gh_token_wins_over_github_token() {
        let c = cfg(&[("GITHUB_TOKEN", "a"), ("GH_TOKEN", "b")]);
        assert_eq!(token(&c), Some("b"));
    }

    #[test]
    fn actions_api_url() {
        let c = cfg(&[
            ("GITHUB_API_URL", "https://ghe.corp/api/v3"),
            ("GITHUB_TOKEN", "a"),
        ]);
        assert_eq!(c.api_url, "https://ghe.corp/api/v3");
        assert_eq!(token(&c), Some("a"));
    }

    #[test]
    fn actions_api_url_on_ghes_prefers_general_then_enterprise_tokens() {
        let url = ("GITHUB_API_URL", "https://ghe.corp/api/v3");
        let c = cfg(&[url, ("GITHUB_TOKEN", "a"), ("GH_ENTERPRISE_TOKEN", "e")]);
        assert_eq!(token(&c), Some("a"));
        let c = cfg(&[url, ("GH_TOKEN", "g"), ("GITHUB_TOKEN", "a")]);
        assert_eq!(token(&c), Some("g"));
        let c = cfg(&[
            url,
            ("GH_ENTERPRISE_TOKEN", "e"),
            ("GITHUB_ENTERPRISE_TOKEN", "f"),
        ]);
        assert_eq!(token(&c), Some("e"));
        let c = cfg(&[url, ("GITHUB_ENTERPRISE_TOKEN", "f")]);
        assert_eq!(token(&c), Some("f"));
    }

    #[test]
    fn actions_api_url_for_github_com_or_a_tenant_gets_no_enterprise_token() {
        for url in [
            "https://api.github.com",
            "https://api.github.com/",
            "https://API.GitHub.com",
            "https://github.com",
            "https://api.octocorp.ghe.com",
            "https://OctoCorp.ghe.com/",
        ] {
            let c = cfg(&[("GITHUB_API_URL", url), ("GH_ENTERPRISE_TOKEN", "e")]);
            assert_eq!(c.api_url, url);
            assert_eq!(token(&c), None, "{url}");
            let c = cfg(&[
                ("GITHUB_API_URL", url),
                ("GH_ENTERPRISE_TOKEN", "e"),
                ("GITHUB_TOKEN", "a"),
            ]);
            assert_eq!(token(&c), Some("a"), "{url}");
        }
    }

    #[test]
    fn actions_api_url_wins_over_gh_host() {
        let c = cfg(&[
            ("GITHUB_API_URL", "https://ghe.corp/api/v3"),
            ("GH_HOST", "other.corp"),
            ("GITHUB_TOKEN", "a"),
        ]);
        assert_eq!(c.api_url, "https://ghe.corp/api/v3");
        assert_eq!(token(&c), Some("a"));
    }

    #[test]
    fn gh_host_with_enterprise_token() {
        let c = cfg(&[
            ("GH_HOST", "ghe.corp"),
            ("GH_ENTERPRISE_TOKEN", "e"),
            ("GITHUB_ENTERPRISE_TOKEN", "f"),
            ("GH_TOKEN", "g"),
        ]);
        assert_eq!(c.api_url, "https://ghe.corp/api/v3");
        assert_eq!(token(&c), Some("e"));
        let c = cfg(&[
            ("GH_HOST", "ghe.corp"),
            ("GITHUB_ENTERPRISE_TOKEN", "f"),
            ("GH_TOKEN", "g"),
        ]);
        assert_eq!(token(&c), Some("f"));
        let c = cfg(&[("GH_HOST", "github.com"), ("GH_ENTERPRISE_TOKEN", "e")]);
        assert_eq!(c.api_url, "https://api.github.com");
        assert!(
            c.token.is_none(),
            "an enterprise token is not sent to github.com"
        );
    }

    #[test]
    fn gh_host_ghes_never_gets_a_general_token() {
        let c = cfg(&[
            ("GH_HOST", "ghe.corp"),
            ("GH_TOKEN", "g"),
            ("GITHUB_TOKEN", "a"),
        ]);
        assert_eq!(c.api_url, "https://ghe.corp/api/v3");
        assert_eq!(token(&c), None, "a github.com token is not sent to GHES");
    }

    #[test]
    fn gh_host_scheme_slashes_and_case_are_dropped() {
        for host in [
            "ghe.corp",
            "http://ghe.corp",
            "https://ghe.corp",
            "HTTPS://GHE.Corp/",
            "ghe.corp//",
            " ghe.corp ",
        ] {
            let c = cfg(&[("GH_HOST", host), ("GH_ENTERPRISE_TOKEN", "e")]);
            assert_eq!(c.api_url, "https://ghe.corp/api/v3", "{host}");
            assert_eq!(token(&c), Some("e"), "{host}");
        }
        let c = cfg(&[("GH_HOST", "http://ghe.corp:8443/")]);
        assert_eq!(c.api_url, "https://ghe.corp:8443/api/v3");
        assert_eq!(normalized(&c), "https://ghe.corp:8443/api/v3");
    }

    #[test]
    fn gh_host_github_com_ignores_case_and_scheme() {
        for host in [
            "github.com",
            "GitHub.com",
            "https://GITHUB.COM/",
            "http://github.com",
            "api.github.com",
            "www.github.com",
            "github.com:443",
        ] {
            let c = cfg(&[
                ("GH_HOST", host),
                ("GH_ENTERPRISE_TOKEN", "e"),
                ("GITHUB_TOKEN", "a"),
            ]);
            assert_eq!(c.api_url, "https://api.github.com", "{host}");
            assert_eq!(token(&c), Some("a"), "{host}");
        }
    }

    #[test]
    fn gh_host_ghe_com_tenant_uses_its_api_host_and_general_tokens() {
        for host in [
            "octocorp.ghe.com",
            "OctoCorp.GHE.com",
            "https://octocorp.ghe.com/",
            "api.octocorp.ghe.com",
        ] {
            let c = cfg(&[
                ("GH_HOST", host),
                ("GH_ENTERPRISE_TOKEN", "e"),
                ("GITHUB_TOKEN", "a"),
                ("GH_TOKEN", "g"),
            ]);
            assert_eq!(c.api_url, "https://api.octocorp.ghe.com", "{host}");
            assert_eq!(token(&c), Some("g"), "{host}");
            assert_eq!(normalized(&c), "https://api.octocorp.ghe.com");
        }
        let c = cfg(&[("GH_HOST", "octocorp.ghe.com"), ("GITHUB_TOKEN", "a")]);
        assert_eq!(token(&c), Some("a"));
        let c = cfg(&[
            ("GH_HOST", "octocorp.ghe.com"),
            ("GH_ENTERPRISE_TOKEN", "e"),
        ]);
        assert_eq!(token(&c), None, "enterprise tokens are for GHES only");
    }

    #[test]
    fn gh_host_that_is_not_a_host_fails_the_build_clearly() {
        for host in [
            "ghe.corp/api/v3",
            "https://ghe.corp/api/v3",
            "ghe.corp?x=1",
            "ghe.corp#x",
            "ghe corp",
            "ftp://ghe.corp",
            "ghe.corp\\x",
            "https://",
            "me:pw_secret@ghe.corp",
            "https://me:pw_secret@ghe.corp",
        ] {
            let vars = [
                ("GH_HOST", host),
                ("GH_ENTERPRISE_TOKEN", "e"),
                ("GH_TOKEN", "g"),
            ];
            let err = from_vars(|k| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            })
            .unwrap_err();
            let EnvError::GhHostNotAHost { value } = &err;
            assert_eq!(value.is_none(), host.contains('@'), "{host}");
            let text = err.to_string();
            assert!(
                text.contains("GH_HOST") && text.contains("not a host name"),
                "{host}: {text}"
            );
            assert!(!text.contains("pw_secret"), "{host}: {text}");
        }
        let err =
            from_vars(|k| (k == "GH_HOST").then(|| "ghe.corp/api/v3".to_owned())).unwrap_err();
        assert_eq!(
            err,
            EnvError::GhHostNotAHost {
                value: Some("ghe.corp/api/v3".to_owned())
            }
        );
        assert!(err.to_string().contains("\"ghe.corp/api/v3\""), "{err}");
    }

    #[test]
    fn says_which_variables_it_used() {
        let c = cfg(&[]);
        assert_eq!((c.api_url_from, c.token_from), (None, None));
        let c = cfg(&[
            ("GITHUB_TOKEN", "a"),
            ("GITHUB_API_URL", "https://ghe.corp/api/v3"),
        ]);
        assert_eq!(
            (c.api_url_from, c.token_from),
            (Some("GITHUB_API_URL"), Some("GITHUB_TOKEN"))
        );
        let c = cfg(&[
            ("GH_HOST", "ghe.corp"),
            ("GITHUB_ENTERPRISE_TOKEN", "f"),
            ("GH_TOKEN", "g"),
        ]);
        assert_eq!(
            (c.api_url_from, c.token_from),
            (Some("GH_HOST"), Some("GITHUB_ENTERPRISE_TOKEN"))
        );
        let c = cfg(&[("GH_TOKEN", "g"), ("GITHUB_TOKEN", "a")]);
        assert_eq!((c.api_url_from, c.token_from), (None, Some("GH_TOKEN")));
    }

    #[test]
    fn empty_values_are_unset() {
        let c = cfg(&[("GITHUB_TOKEN", ""), ("GITHUB_API_URL", " ")]);
        assert_eq!(c.api_url, "https://api.github.com");
        assert!(c.token.is_none());
        let c = cfg(&[("GH_HOST", "  "), ("GITHUB_TOKEN", "a")]);
        assert_eq!(c.api_url, "https://api.github.com");
        assert_eq!(token(&c), Some("a"));
    }
}
