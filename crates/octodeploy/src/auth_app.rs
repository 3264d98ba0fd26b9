//! Authenticating as a GitHub App installation: [`GitHubApp`], a
//! [`CredentialProvider`] that signs the App's JWT, finds the installation
//! (given, or from a repository, then cached), and keeps an installation
//! token: cached, refreshed ahead of its expiry once for all concurrent
//! requests, and dropped when GitHub answers 401 to it.
//!
//! Timing follows GitHub's documentation: the JWT's `iat` is 60 s in the
//! past (GitHub's clock may be behind ours) and its `exp` 9 minutes ahead
//! (GitHub's limit is 10; the minute left over absorbs a clock that is a
//! little ahead). An installation token lives an hour; it is replaced once
//! less than 5 minutes remain — or less than a quarter of its lifetime, for
//! the short-lived tokens of test servers. Time comes from the client's
//! [`crate::Clock`].
//!
//! Clock skew: when GitHub refuses a JWT for its `iat`/`exp` and its answer
//! carries a `Date`, the difference between that and this machine's clock
//! is learned (up to [`MAX_SKEW`]) and the JWT is signed again, once, in
//! GitHub's time; the learned skew then serves every later JWT and the
//! token-expiry arithmetic. A refused JWT created nothing, so signing again
//! repeats no outcome. Without a `Date`, or refused again, the error is
//! [`AuthError::ClockSkew`].

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use octodeploy_api::{ResponseValue, types};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{PrivatePkcs1KeyDer, PrivatePkcs8KeyDer};

use crate::auth::{AuthContext, AuthError, CredentialFuture, CredentialProvider, bearer};
use crate::error::Error;
use crate::response::Meta;
use crate::secret::Token;
use crate::transport::Inner;
use crate::transport::{Credential, Op, execute_as};
use crate::validate;

/// How far in the past the JWT's `iat` is set (GitHub's advice).
const IAT_BACKDATE: u64 = 60;
/// The largest difference from GitHub's clock that is corrected; a `Date`
/// further off is not believed (the refusal is reported instead).
const MAX_SKEW: Duration = Duration::from_secs(24 * 3600);
/// How far ahead the JWT's `exp` is set (GitHub's limit is 600 s).
const JWT_LIFETIME: u64 = 540;
/// The longest a token is kept once it is near its expiry.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// An App's private key, parsed. Never printed.
#[derive(Clone)]
struct AppKey(Arc<RsaKeyPair>);

impl fmt::Debug for AppKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppKey(<redacted>)")
    }
}

impl AppKey {
    /// Parses a PEM private key: PKCS#1 (`BEGIN RSA PRIVATE KEY`, what GitHub
    /// hands out) or PKCS#8 (`BEGIN PRIVATE KEY`). A PEM whose line breaks
    /// were written as `\n` (an environment variable) is accepted too.
    fn from_pem(pem: &str) -> Result<AppKey, AuthError> {
        let fixed;
        let mut pem = pem.trim();
        if !pem.contains('\n') && pem.contains("\\n") {
            fixed = pem.replace("\\n", "\n");
            pem = fixed.trim();
        }
        let reason = |r: &str| AuthError::Key {
            reason: r.to_owned(),
        };
        let pkcs1 = "a PKCS#1 RSA key whose content is malformed (or shorter than 2048 bits)";
        let pkcs8 = "a PKCS#8 key that is malformed or not an RSA key (GitHub App keys are RSA)";
        let key = if pem.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
            let der =
                PrivatePkcs1KeyDer::from_pem_slice(pem.as_bytes()).map_err(|_| reason(pkcs1))?;
            RsaKeyPair::from_der(der.secret_pkcs1_der()).map_err(|_| reason(pkcs1))?
        } else if pem.starts_with("-----BEGIN PRIVATE KEY-----") {
            let der =
                PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).map_err(|_| reason(pkcs8))?;
            RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).map_err(|_| reason(pkcs8))?
        } else if pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(reason(
                "the key is encrypted; GitHub App keys are used unencrypted (decrypt it first)",
            ));
        } else if pem.starts_with("-----BEGIN") {
            return Err(reason(
                "not an RSA private key (expected `-----BEGIN RSA PRIVATE KEY-----` as GitHub \
                 hands it out, or `-----BEGIN PRIVATE KEY-----`)",
            ));
        } else {
            return Err(reason(
                "not PEM: expected the contents of the .pem file GitHub generated, starting with \
                 `-----BEGIN RSA PRIVATE KEY-----` (a path goes in GITHUB_APP_PRIVATE_KEY_PATH)",
            ));
        };
        Ok(AppKey(Arc::new(key)))
    }

    /// `BASE64URL(header).BASE64URL(claims).BASE64URL(RS256 signature)`.
    fn sign_jwt(&self, claims: &serde_json::Value) -> Result<Token, AuthError> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signed = format!("{header}.{claims}");
        let mut signature = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signed.as_bytes(),
                &mut signature,
            )
            .map_err(|_| AuthError::Crypto {
                reason: "RSA signing failed".to_owned(),
            })?;
        Ok(Token::new(format!(
            "{signed}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        )))
    }
}

/// Which installation to get tokens for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// Not said: the first request fails saying so.
    Unknown,
    /// This installation id.
    Id(i64),
    /// The installation on this repository (looked up once).
    Repository { owner: String, repo: String },
}

/// A cached installation token.
#[derive(Debug, Clone)]
struct Cached {
    token: Token,
    expires_at: SystemTime,
    /// Replace it once `now + margin` passes `expires_at`.
    margin: Duration,
}

/// What the clones of one [`GitHubApp`] share: the found installation and
/// the token.
#[derive(Debug, Default)]
struct Shared {
    installation: Mutex<Option<i64>>,
    cached: Mutex<Option<Cached>>,
    /// Held while a token is being fetched: one request fetches, the others
    /// wait for it and use its token.
    refresh: tokio::sync::Mutex<()>,
    /// GitHub's clock minus ours, in seconds, once a refused JWT showed it.
    skew: Mutex<Option<i64>>,
}

/// Authenticates as an installation of a GitHub App (see
/// [`crate::ClientBuilder::github_app`]).
///
/// ```no_run
/// # async fn run() -> Result<(), octodeploy::Error> {
/// let pem = std::fs::read_to_string("my-app.private-key.pem").unwrap_or_default();
/// let app = octodeploy::GitHubApp::new("123456", &pem)?   // App id (or client id) and key
///     .repository("octo-org", "deploy-demo");             // or .installation_id(…)
/// let client = octodeploy::Client::builder().github_app(app).build()?;
/// client.repo("octo-org", "deploy-demo").dispatch("deployed").await?;
/// # Ok(()) }
/// ```
///
/// Every request then carries an installation token, fetched with the App's
/// JWT (`POST /app/installations/{id}/access_tokens`) when there is none or
/// the one held is about to expire, and fetched again if GitHub answers 401
/// to it (the request is then repeated once: a 401 means GitHub did not
/// process it). When the installation is found from a repository
/// (`GET /repos/{owner}/{repo}/installation`), the answer is kept for the
/// client's lifetime. Clones share the token and installation.
///
/// The key, the JWT and the tokens never appear in `Debug`, errors or logs,
/// and only go to the client's API origin.
///
/// Signing uses `ring` (RS256: PKCS#1 v1.5 with SHA-256), the crypto the
/// default TLS backend is built on, so App authentication adds no crypto
/// library to the default build. Keys shorter than 2048 bits are refused
/// (GitHub generates 2048-bit keys).
#[derive(Clone)]
pub struct GitHubApp {
    issuer: String,
    key: AppKey,
    target: Target,
    repositories: Vec<String>,
    repository_ids: Vec<i64>,
    permissions: BTreeMap<String, String>,
    shared: Arc<Shared>,
}

impl fmt::Debug for GitHubApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHubApp")
            .field("app", &self.issuer)
            .field("key", &self.key)
            .field("target", &self.target)
            .field("repositories", &self.repositories)
            .field("repository_ids", &self.repository_ids)
            .field("permissions", &self.permissions)
            .finish_non_exhaustive()
    }
}

impl GitHubApp {
    /// The App `app_id` (its numeric App id, or its client id `Iv1.…`), with
    /// its private key in PEM (PKCS#1 `BEGIN RSA PRIVATE KEY` as GitHub hands
    /// it out, or PKCS#8 `BEGIN PRIVATE KEY`).
    ///
    /// # Errors
    /// [`AuthError::Key`] (as [`Error::Auth`]) when the key does not parse,
    /// saying why without repeating it; [`Error::Invalid`] for an empty App id.
    pub fn new(app_id: impl Into<String>, private_key_pem: &str) -> Result<GitHubApp, Error> {
        let issuer = app_id.into().trim().to_owned();
        if issuer.is_empty() || issuer.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::Invalid(crate::error::ValidationError::new(
                "app_id",
                "must be the App's id or client id, without spaces",
            )));
        }
        Ok(GitHubApp {
            issuer,
            key: AppKey::from_pem(private_key_pem)?,
            target: Target::Unknown,
            repositories: Vec::new(),
            repository_ids: Vec::new(),
            permissions: BTreeMap::new(),
            shared: Arc::default(),
        })
    }

    /// Gets tokens for installation `id` (from the App's settings, or the
    /// `installation` of a webhook event).
    pub fn installation_id(mut self, id: i64) -> Self {
        self.target = Target::Id(id);
        self
    }

    /// Gets tokens for the installation on `owner/repo`, found with
    /// `GET /repos/{owner}/{repo}/installation` on the first request.
    pub fn repository(mut self, owner: impl Into<String>, repo: impl Into<String>) -> Self {
        self.target = Target::Repository {
            owner: owner.into(),
            repo: repo.into(),
        };
        self
    }

    /// Narrows tokens to these repositories (names, within the
    /// installation's account).
    pub fn repositories<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.repositories = names.into_iter().map(Into::into).collect();
        self
    }

    /// Narrows tokens to these repository ids.
    pub fn repository_ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.repository_ids = ids.into_iter().collect();
        self
    }

    /// Narrows tokens to `permission` at `level` (`"deployments"`,
    /// `"write"`); repeat for several. Checked on the first request against
    /// the permissions GitHub documents.
    pub fn permission(mut self, permission: impl Into<String>, level: impl Into<String>) -> Self {
        self.permissions.insert(permission.into(), level.into());
        self
    }

    /// This machine's time `local` as GitHub's clock reads it (the learned
    /// skew applied; `local` until one is learned).
    fn github_now(&self, local: SystemTime) -> SystemTime {
        let skew = self.shared.skew.lock().ok().and_then(|s| *s).unwrap_or(0);
        let by = Duration::from_secs(skew.unsigned_abs());
        if skew >= 0 {
            local.checked_add(by).unwrap_or(local)
        } else {
            local.checked_sub(by).unwrap_or(local)
        }
    }

    /// Learns the skew from `error` when it is GitHub refusing a JWT signed
    /// at `local` for its times and the answer says GitHub's time; true when
    /// that changed what the next JWT says (so signing again can help).
    fn learn_skew(&self, error: &Error, local: SystemTime) -> bool {
        let Error::Api(api) = error else {
            return false;
        };
        let (true, Some(date)) = (api.status == 401 && refuses_times(&api.message), api.date)
        else {
            return false;
        };
        let offset = match date.duration_since(local) {
            Ok(ahead) => ahead,
            Err(behind) => behind.duration(),
        };
        if offset > MAX_SKEW {
            return false;
        }
        let secs = offset.as_secs() as i64; // at most MAX_SKEW: fits
        let secs = if date >= local { secs } else { -secs };
        let Ok(mut slot) = self.shared.skew.lock() else {
            return false;
        };
        if *slot == Some(secs) {
            return false;
        }
        tracing::warn!(
            skew_s = secs,
            "GitHub refused the App's JWT for its times: this machine's clock differs from \
             GitHub's; signing again in GitHub's time"
        );
        *slot = Some(secs);
        true
    }

    /// A request authenticated with the App's JWT, signed again once in
    /// GitHub's time when GitHub refuses it for its times (see the module
    /// doc).
    async fn with_jwt<R, F, Fut>(
        &self,
        inner: &Inner,
        op: Op,
        mut call: F,
    ) -> Result<(ResponseValue<R>, Meta), Error>
    where
        R: serde::de::DeserializeOwned,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<ResponseValue<R>, octodeploy_api::Error<()>>>,
    {
        let mut signed_again = false;
        loop {
            let local = inner.clock.now();
            let jwt = self.jwt(local)?;
            let credential = Credential::Fixed(Some(bearer(&jwt)?));
            let result = execute_as(inner, op, None, credential, &mut call).await;
            match result {
                Err(e) if !signed_again && self.learn_skew(&e, local) => signed_again = true,
                result => return result,
            }
        }
    }

    /// The App's JWT for this machine's time `local`, in GitHub's time.
    fn jwt(&self, local: SystemTime) -> Result<Token, AuthError> {
        let now = self
            .github_now(local)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let issuer = match self.issuer.parse::<u64>() {
            Ok(id) => serde_json::Value::from(id),
            Err(_) => serde_json::Value::from(self.issuer.clone()),
        };
        self.key.sign_jwt(&serde_json::json!({
            "iat": now.saturating_sub(IAT_BACKDATE),
            "exp": now + JWT_LIFETIME,
            "iss": issuer,
        }))
    }

    /// The cached token, if it is not yet due for replacement.
    fn fresh(&self, local: SystemTime) -> Option<Token> {
        let now = self.github_now(local);
        let cached = self.shared.cached.lock().ok()?;
        let cached = cached.as_ref()?;
        (now + cached.margin < cached.expires_at).then(|| cached.token.clone())
    }

    /// The token to send: the cached one, or a new one (one fetch at a time).
    async fn token(&self, inner: &Inner) -> Result<Token, Error> {
        if let Some(token) = self.fresh(inner.clock.now()) {
            return Ok(token);
        }
        let _single_flight = self.shared.refresh.lock().await;
        // Whoever held the lock before may have fetched one.
        if let Some(token) = self.fresh(inner.clock.now()) {
            return Ok(token);
        }
        let installation = self.installation(inner).await?;
        let body = self.token_request()?;
        let result = self
            .with_jwt(inner, Op::CreateInstallationToken, || {
                inner
                    .api
                    .apps_create_installation_access_token(installation, &body)
            })
            .await;
        let (response, _) = result.map_err(|e| jwt_refused(e, AuthError::InstallationToken))?;
        let answer = response.into_inner();
        let token = Token::new(answer.token);
        if token.is_empty() {
            return Err(AuthError::BadTokenResponse {
                reason: "`token` is empty".to_owned(),
            }
            .into());
        }
        let expires_at: SystemTime = chrono::DateTime::parse_from_rfc3339(&answer.expires_at)
            .map_err(|_| AuthError::BadTokenResponse {
                reason: format!("`expires_at` is not a date: {:?}", answer.expires_at),
            })?
            .with_timezone(&chrono::Utc)
            .into();
        let now = self.github_now(inner.clock.now());
        let lifetime = expires_at.duration_since(now).unwrap_or_default();
        let cached = Cached {
            token: token.clone(),
            expires_at,
            margin: REFRESH_MARGIN.min(lifetime / 4),
        };
        if let Ok(mut slot) = self.shared.cached.lock() {
            *slot = Some(cached);
        }
        tracing::debug!(
            installation,
            expires_in_s = lifetime.as_secs(),
            "new GitHub App installation token"
        );
        Ok(token)
    }

    /// The installation id: given, or found once from the repository.
    async fn installation(&self, inner: &Inner) -> Result<i64, Error> {
        let (owner, repo) = match &self.target {
            Target::Id(id) => return Ok(*id),
            Target::Unknown => {
                return Err(Error::Invalid(crate::error::ValidationError::new(
                    "installation_id",
                    "the GitHub App needs an installation id, or a repository to find it from",
                )));
            }
            Target::Repository { owner, repo } => (owner, repo),
        };
        if let Some(id) = self.shared.installation.lock().ok().and_then(|i| *i) {
            return Ok(id);
        }
        validate::path_segment("owner", owner)?;
        validate::path_segment("repo", repo)?;
        let result = self
            .with_jwt(inner, Op::GetRepoInstallation, || {
                inner.api.apps_get_repo_installation(owner, repo)
            })
            .await;
        let (response, _) = result.map_err(|e| {
            if e.status() == Some(404) {
                return AuthError::NotInstalled {
                    owner: owner.clone(),
                    repo: repo.clone(),
                }
                .into();
            }
            jwt_refused(e, |source| AuthError::Installation {
                owner: owner.clone(),
                repo: repo.clone(),
                source,
            })
        })?;
        let id = response.into_inner().id;
        if let Ok(mut slot) = self.shared.installation.lock() {
            *slot = Some(id);
        }
        Ok(id)
    }

    /// The body narrowing the token, checked before sending.
    fn token_request(&self) -> Result<types::AppsCreateInstallationAccessTokenBody, Error> {
        let permissions = if self.permissions.is_empty() {
            None
        } else {
            for (name, level) in &self.permissions {
                if !matches!(level.as_str(), "read" | "write" | "admin") {
                    return Err(Error::Invalid(crate::error::ValidationError::new(
                        "permissions",
                        format!("`{name}`: level must be read, write or admin, not {level:?}"),
                    )));
                }
            }
            let map: serde_json::Map<String, serde_json::Value> = self
                .permissions
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::from(v.clone())))
                .collect();
            let known: types::AppPermissions =
                serde_json::from_value(serde_json::Value::Object(map.clone())).map_err(|_| {
                    Error::Invalid(crate::error::ValidationError::new(
                        "permissions",
                        "a permission GitHub does not document",
                    ))
                })?;
            // serde ignores unknown names: refuse them rather than drop them.
            let echoed = serde_json::to_value(&known).unwrap_or_default();
            if let Some(unknown) = map.keys().find(|k| echoed.get(k.as_str()).is_none()) {
                return Err(Error::Invalid(crate::error::ValidationError::new(
                    "permissions",
                    format!("`{unknown}` is not a permission GitHub documents"),
                )));
            }
            Some(known)
        };
        Ok(types::AppsCreateInstallationAccessTokenBody {
            permissions,
            repositories: self.repositories.clone(),
            repository_ids: self.repository_ids.clone(),
        })
    }
}

/// Whether GitHub's message refuses a JWT for its `iat` or `exp`.
fn refuses_times(message: &str) -> bool {
    message.contains("('iat')") || message.contains("('exp')")
}

/// An error of a JWT-authenticated request: GitHub's refusal of the JWT
/// said plainly (clock skew when it names `iat`/`exp`), anything else
/// wrapped by `wrap`. A body that does not decode is reported without
/// serde's text, which could quote the response.
fn jwt_refused(error: Error, wrap: impl FnOnce(Box<Error>) -> AuthError) -> Error {
    if let Error::Api(api) = &error
        && api.status == 401
    {
        let message = api.message.clone();
        return if refuses_times(&message) {
            AuthError::ClockSkew { message }.into()
        } else {
            AuthError::AppRejected { message }.into()
        };
    }
    if let Error::Decode { path, .. } = &error {
        return AuthError::BadTokenResponse {
            reason: format!("the answer does not decode at `{path}`"),
        }
        .into();
    }
    wrap(Box::new(error)).into()
}

impl CredentialProvider for GitHubApp {
    fn credential<'a>(&'a self, context: &'a AuthContext<'a>) -> CredentialFuture<'a> {
        Box::pin(async move { self.token(context.inner).await.map(Some) })
    }

    /// Drops `token` if it is the cached one, so the next request fetches a
    /// new one (an installation token GitHub no longer accepts: expired
    /// early, revoked, or the clocks disagree).
    fn rejected(&self, token: &Token) -> bool {
        if let Ok(mut slot) = self.shared.cached.lock()
            && slot.as_ref().is_some_and(|c| c.token == *token)
        {
            *slot = None;
        }
        true
    }
}

/// Why the environment's App settings are unusable (kept as plain data so
/// a builder holding it stays `Clone`; becomes an [`Error`] when building).
#[derive(Debug, Clone)]
pub(crate) enum EnvAppError {
    Key(String),
    Invalid(crate::error::ValidationError),
}

impl From<EnvAppError> for Error {
    fn from(e: EnvAppError) -> Error {
        match e {
            EnvAppError::Key(reason) => AuthError::Key { reason }.into(),
            EnvAppError::Invalid(v) => Error::Invalid(v),
        }
    }
}

/// The App settings of the environment (see [`crate::env::github_app`]).
pub(crate) fn from_vars(
    var: impl Fn(&str) -> Option<String>,
    read: impl Fn(&std::path::Path) -> std::io::Result<String>,
) -> Result<Option<GitHubApp>, EnvAppError> {
    let get = |name: &str| {
        var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let invalid = |field: &'static str, problem: &str| {
        EnvAppError::Invalid(crate::error::ValidationError::new(field, problem))
    };
    let contents = get("GITHUB_APP_PRIVATE_KEY");
    let path = get("GITHUB_APP_PRIVATE_KEY_PATH");
    let Some(app_id) = get("GITHUB_APP_ID") else {
        if contents.is_some() || path.is_some() {
            return Err(invalid(
                "GITHUB_APP_ID",
                "a GitHub App private key is set (GITHUB_APP_PRIVATE_KEY or \
                 GITHUB_APP_PRIVATE_KEY_PATH) but not the App's id",
            ));
        }
        return Ok(None);
    };
    let pem = match (contents, path) {
        (Some(pem), _) => pem,
        (None, Some(path)) => read(std::path::Path::new(&path)).map_err(|e| {
            EnvAppError::Key(format!(
                "cannot read GITHUB_APP_PRIVATE_KEY_PATH {path}: {e}"
            ))
        })?,
        (None, None) => {
            return Err(invalid(
                "GITHUB_APP_PRIVATE_KEY",
                "GITHUB_APP_ID is set: give the App's private key in GITHUB_APP_PRIVATE_KEY \
                 (its contents) or GITHUB_APP_PRIVATE_KEY_PATH (its file)",
            ));
        }
    };
    let app = match GitHubApp::new(app_id, &pem) {
        Ok(app) => app,
        Err(Error::Auth(AuthError::Key { reason })) => return Err(EnvAppError::Key(reason)),
        Err(Error::Invalid(v)) => return Err(EnvAppError::Invalid(v)),
        Err(other) => return Err(EnvAppError::Key(other.to_string())),
    };
    if let Some(id) = get("GITHUB_APP_INSTALLATION_ID") {
        return match id.parse::<i64>() {
            Ok(id) if id > 0 => Ok(Some(app.installation_id(id))),
            _ => Err(invalid(
                "GITHUB_APP_INSTALLATION_ID",
                "must be the installation's number (from the App's installation settings URL)",
            )),
        };
    }
    if let Some((owner, repo)) = get("GITHUB_REPOSITORY")
        .as_deref()
        .and_then(|r| r.split_once('/'))
    {
        return Ok(Some(app.repository(owner, repo)));
    }
    Ok(Some(app))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a panic is how a test fails
mod tests {
    use super::*;

    #[test]
    fn keys_that_do_not_parse_say_why_without_repeating_them() {
        for (pem, says) in [
            ("/etc/app.pem", "not PEM"),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0\n-----END RSA PRIVATE KEY-----\n",
                "PKCS#1",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n",
                "PKCS#8",
            ),
            (
                "-----BEGIN EC PRIVATE KEY-----\nc2VjcmV0\n-----END EC PRIVATE KEY-----\n",
                "not an RSA",
            ),
            (
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nc2VjcmV0\n-----END ENCRYPTED PRIVATE KEY-----",
                "encrypted",
            ),
        ] {
            let err = GitHubApp::new("1", pem).unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, Error::Auth(AuthError::Key { .. })), "{err:?}");
            assert!(
                text.starts_with("the GitHub App private key does not parse"),
                "{text}"
            );
            assert!(text.contains(says), "{text}");
            assert!(!text.contains("c2VjcmV0") && !format!("{err:?}").contains("c2VjcmV0"));
        }
        // A PEM squeezed into one line with `\n` escapes (an environment variable).
        let key = octodeploy_fake::TestAppKey::generate();
        assert!(GitHubApp::new("1", &key.pkcs1_pem.replace('\n', "\\n")).is_ok());
        assert!(matches!(
            GitHubApp::new(" ", "x"),
            Err(Error::Invalid(v)) if v.field == "app_id"
        ));
    }

    #[test]
    fn the_jwt_has_githubs_claims_and_an_rs256_signature() {
        use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
        let key = octodeploy_fake::TestAppKey::generate();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for (issuer, iss) in [
            ("42", serde_json::json!(42)),
            ("Iv1.abc", serde_json::json!("Iv1.abc")),
        ] {
            let app = GitHubApp::new(issuer, &key.pkcs8_pem).unwrap();
            let jwt = app.jwt(now).unwrap();
            let parts: Vec<&str> = jwt.expose().split('.').collect();
            assert_eq!(parts.len(), 3);
            let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).unwrap();
            let header: serde_json::Value = serde_json::from_slice(&decode(parts[0])).unwrap();
            let claims: serde_json::Value = serde_json::from_slice(&decode(parts[1])).unwrap();
            assert_eq!(header, serde_json::json!({"alg": "RS256", "typ": "JWT"}));
            assert_eq!(
                claims,
                serde_json::json!({"iat": 1_800_000_000 - 60, "exp": 1_800_000_000 + 540, "iss": iss})
            );
            let signed = format!("{}.{}", parts[0], parts[1]);
            // The public half of the key GitHub would hold, as ring reads it.
            let pair = RsaKeyPair::from_pkcs8(
                PrivatePkcs8KeyDer::from_pem_slice(key.pkcs8_pem.as_bytes())
                    .unwrap()
                    .secret_pkcs8_der(),
            )
            .unwrap();
            UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public().as_ref())
                .verify(signed.as_bytes(), &decode(parts[2]))
                .unwrap();
            // (The fake, built on another RSA implementation, checks the same
            // signatures in the integration tests.)
            assert_eq!(format!("{jwt:?} {jwt}"), "Token(<redacted>) <redacted>");
        }
    }
}
