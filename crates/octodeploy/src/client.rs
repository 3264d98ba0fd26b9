//! The client and its builder: where to connect, how to authenticate, and
//! the policies every call shares. Everything is built once here; calls
//! reuse it.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use url::Url;

use crate::auth::{CredentialProvider, StaticToken};
use crate::base_url;
use crate::env;
use crate::error::{ConfigError, Error, TransportError};
use crate::exchange::DEFAULT_MAX_RESPONSE_BYTES;
use crate::repo::RepoHandle;
use crate::retry::{Clock, RetryEvent, RetryHook, RetryPolicy, SystemClock};
use crate::secret::Token;
use crate::transport::{ACCEPT_STATUSES, GitHubHooks, Inner};

/// The `X-GitHub-Api-Version` sent unless configured otherwise.
pub const DEFAULT_API_VERSION: &str = "2022-11-28";

/// The default user agent: this crate and its version.
pub const DEFAULT_USER_AGENT: &str = concat!("octodeploy/", env!("CARGO_PKG_VERSION"));

/// A GitHub client for deployment statuses and repository dispatch.
///
/// Cheap to clone (one `Arc`); build one and share it.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl Client {
    /// Starts configuring a client (github.com, no token, defaults).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A github.com client with `token`.
    pub fn new(token: impl Into<Token>) -> Result<Self, Error> {
        Self::builder().token(token).build()
    }

    /// A client configured from the environment as GitHub Actions and the gh
    /// CLI do: `GITHUB_API_URL`, else `GH_HOST`, else github.com; token from
    /// `GH_TOKEN`/`GITHUB_TOKEN`, or `GH_ENTERPRISE_TOKEN`/`GITHUB_ENTERPRISE_TOKEN`
    /// for a GHES `GH_HOST` ([`env::from_vars`] has the exact rules).
    ///
    /// It logs (`tracing`, level info, target `octodeploy::env`) which
    /// variables it used and what it fell back to: github.com when no URL is
    /// set, no token when none applies. Ask [`Client::is_authenticated`]
    /// before relying on a token, rather than discovering its absence from a
    /// later 401 or 404. A `GH_HOST` that is not a host name is
    /// [`ConfigError::Environment`].
    ///
    /// A GitHub App (`GITHUB_APP_ID` with `GITHUB_APP_PRIVATE_KEY` or
    /// `GITHUB_APP_PRIVATE_KEY_PATH`, and `GITHUB_APP_INSTALLATION_ID` or
    /// `GITHUB_REPOSITORY`) wins over every token; see
    /// [`env::github_app`].
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env().build()
    }

    /// The normalised API base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// Whether requests carry credentials: a non-empty token, or a
    /// [`CredentialProvider`] (assumed to provide one) was configured.
    /// `false` means every request is anonymous, which GitHub answers with
    /// 401 or 404 for anything but public reads.
    pub fn is_authenticated(&self) -> bool {
        self.inner.authenticated
    }

    /// The generated client underneath, for operations this crate does not
    /// wrap. It sends this client's headers and credentials (to this origin
    /// only), but a call through it skips validation, retries and error
    /// decoding. **It follows `octodeploy-api`'s version, not this crate's**:
    /// a regeneration or a generator upgrade may change it in any release.
    pub fn api(&self) -> &octodeploy_api::Client {
        &self.inner.api
    }

    /// Operations on one repository.
    pub fn repo(&self, owner: impl Into<String>, repo: impl Into<String>) -> RepoHandle {
        RepoHandle::new(self.clone(), owner.into(), repo.into())
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }
}

/// Configures a [`Client`].
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    /// What [`ClientBuilder::from_env`] found wrong, reported by `build`
    /// unless a base URL is set explicitly.
    env_error: Option<env::EnvError>,
    token: Option<Token>,
    credentials: Option<Arc<dyn CredentialProvider>>,
    /// The environment's GitHub App settings were unusable: [`Self::build`]
    /// says so (unless credentials were set since).
    app_env_error: Option<crate::auth_app::EnvAppError>,
    user_agent: String,
    api_version: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    http: Option<reqwest::Client>,
    allow_http: bool,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    on_retry: Option<RetryHook>,
    max_response_bytes: u64,
    max_pages: u32,
}

/// The default cap on pages one listing follows: 10,000 pages of 100 is a
/// million statuses.
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("env_error", &self.env_error)
            .field("token", &self.token)
            .field("credentials", &self.credentials)
            .field("user_agent", &self.user_agent)
            .field("api_version", &self.api_version)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("on_retry", &self.on_retry.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: base_url::GITHUB_COM_API.to_owned(),
            env_error: None,
            token: None,
            credentials: None,
            app_env_error: None,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            api_version: Some(DEFAULT_API_VERSION.to_owned()),
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: Duration::from_secs(10),
            http: None,
            allow_http: false,
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
            on_retry: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}

impl ClientBuilder {
    /// A builder pre-filled from the environment (see [`Client::from_env`]).
    /// A `GH_HOST` that is not a host name fails [`Self::build`] unless
    /// [`Self::base_url`] replaces it.
    pub fn from_env() -> Self {
        Self::from_config(env::from_vars(|k| std::env::var(k).ok()))
    }

    /// The builder for what the environment said, logging what it used.
    fn from_config(cfg: Result<env::EnvConfig, env::EnvError>) -> Self {
        let cfg = match cfg {
            Ok(cfg) => cfg,
            Err(e) => {
                tracing::info!(target: "octodeploy::env", error = %e, "configuration from the environment is unusable");
                return ClientBuilder {
                    env_error: Some(e),
                    ..ClientBuilder::default()
                };
            }
        };
        let api_url_from = cfg
            .api_url_from
            .unwrap_or("neither GITHUB_API_URL nor GH_HOST is set: github.com");
        let token_from = cfg.token_from.unwrap_or(match cfg.api_url_from {
            Some("GH_HOST") if cfg.api_url.ends_with("/api/v3") => {
                "none: neither GH_ENTERPRISE_TOKEN nor GITHUB_ENTERPRISE_TOKEN is set \
                 (a GHES host named by GH_HOST gets no other); requests are anonymous"
            }
            _ => "none: no token variable applies; requests are anonymous",
        });
        tracing::info!(
            target: "octodeploy::env",
            api_url = %cfg.api_url,
            api_url_from,
            token_from,
            "configuration from the environment"
        );
        let mut b = ClientBuilder::default().base_url(cfg.api_url);
        match crate::auth_app::from_vars(|k| std::env::var(k).ok(), |p| std::fs::read_to_string(p))
        {
            Ok(Some(app)) => {
                tracing::info!(target: "octodeploy::env", "GitHub App from GITHUB_APP_ID (tokens not used)");
                b = b.github_app(app);
            }
            Ok(None) => b.token = cfg.token,
            Err(e) => b.app_env_error = Some(e),
        }
        b
    }

    /// The API to talk to: a GHES host (`https://ghe.example.com`, which
    /// becomes `https://ghe.example.com/api/v3`), a full API URL, or
    /// `https://api.github.com` (the default). `https://github.com` becomes
    /// `https://api.github.com` and a GHE.com tenant `https://api.TENANT.ghe.com`;
    /// a loopback URL is taken as the full API URL. Checked by [`Self::build`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self.env_error = None;
        self
    }

    /// The token sent as `Authorization: Bearer …`, only to the base URL's
    /// origin. Replaces [`Self::credentials`] and [`Self::github_app`].
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(token.into());
        self.credentials = None;
        self.app_env_error = None;
        self
    }

    /// Authenticates as an installation of a GitHub App: installation tokens
    /// fetched with the App's JWT and refreshed before they expire (see
    /// [`crate::GitHubApp`]). Replaces [`Self::token`] and [`Self::credentials`].
    pub fn github_app(self, app: crate::auth_app::GitHubApp) -> Self {
        self.credentials(app)
    }

    /// Asks `provider` for the token before every request (a token from a
    /// vault, one that rotates). Replaces [`Self::token`] and
    /// [`Self::github_app`]. See [`CredentialProvider`].
    pub fn credentials(mut self, provider: impl CredentialProvider) -> Self {
        self.credentials = Some(Arc::new(provider));
        self.token = None;
        self.app_env_error = None;
        self
    }

    /// The `User-Agent` (GitHub requires one; the default names this crate).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// The `X-GitHub-Api-Version` to send (default `2022-11-28`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// Sends no `X-GitHub-Api-Version` (for GHES releases older than 3.9,
    /// which predate API versioning).
    pub fn without_api_version(mut self) -> Self {
        self.api_version = None;
        self
    }

    /// The whole-request timeout (default 30 s; `None` for none). Ignored
    /// with [`Self::http_client`]: configure that client instead.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connection timeout (default 10 s). Ignored with [`Self::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// A `reqwest::Client` of your own (proxies, custom roots, pools).
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`: this
    /// crate follows redirects itself, only within the base URL's origin and
    /// only where they keep the method (see [`crate::Error::Redirect`]). A
    /// client that follows redirects on its own has already made the hop when
    /// the answer comes; such an answer is accepted only for a GET that
    /// stayed within the origin, and refused otherwise.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Allows a plain `http://` base URL to a non-loopback host. Loopback
    /// (a test server) is always allowed.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// The retry policy (on by default; [`RetryPolicy::none`] disables it).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The clock retries wait on (tests inject one that does not sleep).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Calls `hook` before each retry with the failed attempt, the error and
    /// the wait, so a tool can say "rate limited, retrying in 42 s" instead
    /// of going quiet.
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(hook));
        self
    }

    /// The most bytes one response body may have (default 32 MiB, far above
    /// any real page); a larger one fails with
    /// [`crate::Error::ResponseTooLarge`]. Error bodies count alike.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The most pages one listing ([`crate::ListStatuses::stream`]) follows
    /// (default [`DEFAULT_MAX_PAGES`]); one more fails with
    /// [`crate::Error::Pagination`] naming the cap.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages;
        self
    }

    /// Builds the client: normalises the base URL and builds the HTTP client
    /// and the header values every request reuses.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(e) = self.env_error {
            return Err(e.into());
        }
        if let Some(e) = self.app_env_error {
            return Err(e.into());
        }
        let base = base_url::normalize(&self.base_url, self.allow_http)?;
        let header = |what: &'static str, value: &str| {
            HeaderValue::from_str(value).map_err(|_| ConfigError::Header { what })
        };
        let authorization = match &self.token {
            Some(t) if !t.is_empty() => {
                let mut v = header("token", &format!("Bearer {}", t.expose()))?;
                v.set_sensitive(true);
                Some(v)
            }
            _ => None,
        };
        let authenticated = match (&self.token, &self.credentials) {
            (Some(token), _) => !token.is_empty(),
            (None, provider) => provider.is_some(),
        };
        let credentials = match (&self.token, self.credentials) {
            (Some(token), _) => Some(Arc::new(StaticToken::new(token.clone())) as Arc<_>),
            (None, provider) => provider,
        };
        let hooks = GitHubHooks {
            origin: base.origin(),
            authorization,
            api_version: self
                .api_version
                .as_deref()
                .map(|v| header("API version", v))
                .transpose()?,
            user_agent: header("user agent", &self.user_agent)?,
            accept_statuses: HeaderValue::from_static(ACCEPT_STATUSES),
            max_body: self.max_response_bytes,
        };
        let http = match self.http {
            Some(c) => c,
            None => {
                crate::tls::prepare();
                // Redirects are followed by the exchange hook, within the
                // origin only: never by reqwest.
                let mut b = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .redirect(reqwest::redirect::Policy::none());
                if let Some(t) = self.timeout {
                    b = b.timeout(t);
                }
                // A client for an `http://` base (the fake, a loopback test
                // server) never speaks TLS: every request goes to that origin
                // (redirects are followed within it only). Without roots to
                // load, it skips reading the system's certificate store, most
                // of a one-request CLI call; were it ever to meet `https`,
                // nothing would verify and it would fail closed.
                #[cfg(any(
                    feature = "rustls-ring",
                    feature = "rustls-aws-lc-rs",
                    feature = "native-tls"
                ))]
                if base.scheme() == "http" {
                    b = b.tls_certs_only(Vec::<reqwest::Certificate>::new());
                }
                b.build()
                    .map_err(|e| ConfigError::Http(TransportError::new(e)))?
            }
        };
        let api = octodeploy_api::Client::new_with_client(
            &base_url::as_base(&base),
            http,
            octodeploy_api::hooks::Hooks::new(Arc::new(hooks)),
        );
        Ok(Client {
            inner: Arc::new(Inner {
                api,
                base,
                retry: self.retry,
                clock: self.clock,
                on_retry: self.on_retry,
                credentials,
                authenticated,
                max_pages: self.max_pages,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

    use std::sync::Mutex;

    use super::*;
    use crate::env::{EnvError, from_vars};

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    /// What `f` logs, as the fmt subscriber writes it.
    fn logs(f: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let writer = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        String::from_utf8(buf.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn from_env_says_it_fell_back_to_github_com_without_a_token() {
        let mut client = None;
        let text = logs(|| {
            client = Some(
                ClientBuilder::from_config(from_vars(vars(&[])))
                    .build()
                    .unwrap(),
            );
        });
        let client = client.unwrap();
        assert!(!client.is_authenticated());
        assert_eq!(client.base_url().as_str(), "https://api.github.com/");
        assert!(text.contains(" INFO "), "{text}");
        assert!(
            text.contains("neither GITHUB_API_URL nor GH_HOST is set: github.com"),
            "{text}"
        );
        assert!(text.contains("requests are anonymous"), "{text}");
    }

    #[test]
    fn from_env_names_the_variables_it_used_and_never_the_token() {
        let text = logs(|| {
            let b = ClientBuilder::from_config(from_vars(vars(&[
                ("GH_HOST", "ghe.corp"),
                ("GH_TOKEN", "ghp_general_not_for_ghes"),
            ])));
            assert!(!b.build().unwrap().is_authenticated());
        });
        assert!(text.contains("api_url_from=\"GH_HOST\""), "{text}");
        assert!(text.contains("GH_ENTERPRISE_TOKEN"), "{text}");
        let text = logs(|| {
            let b = ClientBuilder::from_config(from_vars(vars(&[
                ("GITHUB_API_URL", "https://ghe.corp/api/v3"),
                ("GITHUB_TOKEN", "ghs_secret_value_123"),
            ])));
            assert!(b.build().unwrap().is_authenticated());
        });
        assert!(text.contains("token_from=\"GITHUB_TOKEN\""), "{text}");
        assert!(!text.contains("ghs_secret_value_123"), "{text}");
    }

    #[test]
    fn a_gh_host_that_is_not_a_host_fails_build_unless_a_base_url_replaces_it() {
        let bad = || ClientBuilder::from_config(from_vars(vars(&[("GH_HOST", "ghe.corp/api/v3")])));
        match bad().build() {
            Err(Error::Config(ConfigError::Environment(EnvError::GhHostNotAHost { value }))) => {
                assert_eq!(value.as_deref(), Some("ghe.corp/api/v3"));
            }
            other => panic!("expected the GH_HOST error, got {other:?}"),
        }
        let client = bad().base_url("https://ghe.corp").build().unwrap();
        assert_eq!(client.base_url().as_str(), "https://ghe.corp/api/v3");
    }

    #[test]
    fn is_authenticated_follows_the_credentials() {
        assert!(!Client::builder().build().unwrap().is_authenticated());
        assert!(
            !Client::builder()
                .token("")
                .build()
                .unwrap()
                .is_authenticated()
        );
        assert!(
            Client::builder()
                .token("t")
                .build()
                .unwrap()
                .is_authenticated()
        );
        let provider = StaticToken::new("t");
        assert!(
            Client::builder()
                .credentials(provider)
                .build()
                .unwrap()
                .is_authenticated()
        );
    }
}
