//! Configuration from the environment, following GitHub's conventions:
//! Actions (`GITHUB_API_URL`, `GITHUB_TOKEN`) and the gh CLI (`GH_TOKEN`,
//! `GH_HOST`, `GH_ENTERPRISE_TOKEN`).

use crate::base_url::GITHUB_COM_API;
use crate::secret::Token;

/// What the environment says about where and how to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvConfig {
    /// The API base URL (not yet normalised).
    pub api_url: String,
    /// The token, if one is set.
    pub token: Option<Token>,
}

/// Reads the configuration through `var` (the process environment in
/// [`crate::Client::from_env`]; a map in tests).
///
/// The API URL is `GITHUB_API_URL` (set by Actions on github.com and GHES
/// runners), else `https://GH_HOST/api/v3` when `GH_HOST` names a host other
/// than github.com, else `https://api.github.com`.
///
/// The token: for a GHES host chosen through `GH_HOST`, `GH_ENTERPRISE_TOKEN`
/// then `GITHUB_ENTERPRISE_TOKEN` (as gh does), falling back to the general
/// ones; otherwise `GH_TOKEN` then `GITHUB_TOKEN` (gh's precedence). Empty
/// values count as unset.
pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> EnvConfig {
    let get = |name: &str| {
        var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let general = || get("GH_TOKEN").or_else(|| get("GITHUB_TOKEN"));
    let enterprise = || get("GH_ENTERPRISE_TOKEN").or_else(|| get("GITHUB_ENTERPRISE_TOKEN"));

    let gh_host = get("GH_HOST").filter(|h| {
        let h = h.trim_start_matches("https://").trim_end_matches('/');
        h != "github.com" && h != "api.github.com"
    });
    let (api_url, token) = match (get("GITHUB_API_URL"), gh_host) {
        (Some(url), _) => {
            let is_dotcom = url.trim_end_matches('/') == GITHUB_COM_API;
            let token = if is_dotcom {
                general()
            } else {
                general().or_else(enterprise)
            };
            (url, token)
        }
        (None, Some(host)) => {
            let host = host.trim_start_matches("https://").trim_end_matches('/');
            (
                format!("https://{host}/api/v3"),
                enterprise().or_else(general),
            )
        }
        (None, None) => (GITHUB_COM_API.to_owned(), general()),
    };
    EnvConfig {
        api_url,
        token: token.map(Token::new),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> EnvConfig {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        from_vars(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_to_github_com() {
        let c = cfg(&[("GITHUB_TOKEN", "a")]);
        assert_eq!(c.api_url, "https://api.github.com");
        assert_eq!(c.token.unwrap().expose(), "a");
    }

    #[test]
    fn gh_token_wins_over_github_token() {
        let c = cfg(&[("GITHUB_TOKEN", "a"), ("GH_TOKEN", "b")]);
        assert_eq!(c.token.unwrap().expose(), "b");
    }

    #[test]
    fn actions_api_url() {
        let c = cfg(&[
            ("GITHUB_API_URL", "https://ghe.corp/api/v3"),
            ("GITHUB_TOKEN", "a"),
        ]);
        assert_eq!(c.api_url, "https://ghe.corp/api/v3");
        assert_eq!(c.token.unwrap().expose(), "a");
    }

    #[test]
    fn gh_host_with_enterprise_token() {
        let c = cfg(&[
            ("GH_HOST", "ghe.corp"),
            ("GH_ENTERPRISE_TOKEN", "e"),
            ("GH_TOKEN", "g"),
        ]);
        assert_eq!(c.api_url, "https://ghe.corp/api/v3");
        assert_eq!(c.token.unwrap().expose(), "e");
        let c = cfg(&[("GH_HOST", "github.com"), ("GH_ENTERPRISE_TOKEN", "e")]);
        assert_eq!(c.api_url, "https://api.github.com");
        assert!(
            c.token.is_none(),
            "an enterprise token is not sent to github.com"
        );
    }

    #[test]
    fn empty_values_are_unset() {
        let c = cfg(&[("GITHUB_TOKEN", ""), ("GITHUB_API_URL", " ")]);
        assert_eq!(c.api_url, "https://api.github.com");
        assert!(c.token.is_none());
    }
}
