//! The fake's GitHub App: App JWTs checked as GitHub checks them, installation
//! tokens with an expiry the test controls, and the two App endpoints
//! (`POST /app/installations/{installation_id}/access_tokens`,
//! `GET /repos/{owner}/{repo}/installation`). [`TestAppKey`] makes a key pair
//! for tests.
//!
//! # GitHub's rules, and decisions where its documentation is silent
//! - **JWT** (`Authorization: Bearer <jwt>`, only on the App endpoints): an
//!   RS256 JWS signed with the App's key; anything that does not decode, has
//!   another `alg`, a bad signature or an `iss` that is neither the App id
//!   (number or string) nor its client id: 401 `A JSON web token could not
//!   be decoded`. `exp` missing, not a number or not in the future: 401
//!   `'Expiration time' claim ('exp') must be a numeric value representing
//!   the future time at which the assertion expires`; more than 10 minutes
//!   ahead: 401 `'Expiration time' claim ('exp') is too far in the future`;
//!   `iat` missing, not an integer or in the future: 401 `'Issued at' claim
//!   ('iat') must be an Integer representing the time that the assertion
//!   was issued`. These are GitHub's messages.
//! - **Installation tokens** (`ghs_…`) are accepted on every other endpoint
//!   until they expire (default lifetime one hour, as on GitHub; tests
//!   shorten it), then 401 `Bad credentials`, as on GitHub. A token narrowed
//!   with `repositories` gets 404 on other repositories. `repository_ids`
//!   are accepted and not checked (the fake's repositories have no ids).
//!   The response has `token`, `expires_at`, `permissions` and
//!   `repository_selection`; `repositories` is omitted.
//! - With an App configured, every request must authenticate: an App JWT on
//!   the App endpoints; an installation token (or the fake's fixed token,
//!   if one is configured) everywhere else. A JWT on other endpoints is 401
//!   `Bad credentials`.
//! - The App is installed, with one installation, on every repository the
//!   fake has; `GET /repos/{owner}/{repo}/installation` for any other is
//!   404.
//! - Time is the wall clock when the fake started plus tokio's elapsed time,
//!   so tests under paused time move the fake's clock too, shifted by
//!   [`FakeApp::clock_ahead`]/[`FakeApp::clock_behind`] to play a GitHub
//!   whose clock differs from the client's. With an App configured every
//!   answer's `Date` header is that clock, as GitHub's is its own.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::sha2::{Digest, Sha256};
use rsa::{Pkcs1v15Sign, PrivateKey, PublicKey};
use serde_json::{Value, json};

use crate::render::{self, Urls, docs};
use crate::respond::{json_response, not_found};
use crate::routes::{Ctx, GHES_PREFIX, Shared, lock};

/// Documentation links of the App operations.
const CREATE_TOKEN_DOCS: &str =
    "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app";
const GET_INSTALLATION_DOCS: &str = "https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app";

/// GitHub's longest JWT lifetime.
const MAX_JWT_AHEAD: u64 = 600;

/// A GitHub App the fake knows: its id, public key, installation and how
/// long its installation tokens live. From [`FakeApp::new`], given to
/// [`crate::FakeGitHubBuilder::github_app`].
#[derive(Clone)]
pub struct FakeApp {
    app_id: u64,
    client_id: Option<String>,
    key: PublicKey,
    installation_id: u64,
    token_lifetime: Duration,
    /// The fake's clock minus the wall clock, in seconds.
    clock_offset: i64,
}

impl std::fmt::Debug for FakeApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeApp")
            .field("app_id", &self.app_id)
            .field("client_id", &self.client_id)
            .field("installation_id", &self.installation_id)
            .field("token_lifetime", &self.token_lifetime)
            .field("clock_offset", &self.clock_offset)
            .finish_non_exhaustive()
    }
}

/// A public key that does not parse.
#[derive(Debug, thiserror::Error)]
#[error(
    "the GitHub App public key is not an RSA public key in PEM (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`)"
)]
#[non_exhaustive]
pub struct AppKeyError;

impl FakeApp {
    /// App `app_id` whose JWTs verify with `public_key_pem` (SPKI `BEGIN
    /// PUBLIC KEY` or PKCS#1 `BEGIN RSA PUBLIC KEY`). Installation id 1,
    /// tokens living one hour.
    ///
    /// # Errors
    /// [`AppKeyError`] when the key does not parse.
    pub fn new(app_id: u64, public_key_pem: &str) -> Result<FakeApp, AppKeyError> {
        let pem = public_key_pem.trim();
        let key = PublicKey::from_public_key_pem(pem)
            .or_else(|_| PublicKey::from_pkcs1_pem(pem))
            .map_err(|_| AppKeyError)?;
        Ok(FakeApp {
            app_id,
            client_id: None,
            key,
            installation_id: 1,
            token_lifetime: Duration::from_secs(3600),
            clock_offset: 0,
        })
    }

    /// The fake's clock runs `by` ahead of this machine's (whole seconds):
    /// JWTs are checked, tokens expire and `Date` is sent in that time.
    pub fn clock_ahead(mut self, by: Duration) -> Self {
        self.clock_offset = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self
    }

    /// The fake's clock runs `by` behind this machine's (whole seconds).
    pub fn clock_behind(mut self, by: Duration) -> Self {
        self.clock_offset = -i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self
    }

    /// Also accepts JWTs whose `iss` is this client id (`Iv1.…`).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// The installation's id (default 1).
    pub fn installation_id(mut self, id: u64) -> Self {
        self.installation_id = id;
        self
    }

    /// How long installation tokens live (default one hour, as on GitHub).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }
}

/// A freshly generated 2048-bit RSA key pair in the forms GitHub and the
/// fake use, for tests. Never reuse it for anything real.
#[derive(Clone)]
pub struct TestAppKey {
    /// The private key as GitHub hands it out (PKCS#1, `BEGIN RSA PRIVATE KEY`).
    pub pkcs1_pem: String,
    /// The same key as PKCS#8 (`BEGIN PRIVATE KEY`).
    pub pkcs8_pem: String,
    /// The public key (SPKI, `BEGIN PUBLIC KEY`), for [`FakeApp::new`].
    pub public_pem: String,
}

impl std::fmt::Debug for TestAppKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestAppKey(<redacted>)")
    }
}

impl TestAppKey {
    /// Generates a key pair (from the operating system's randomness).
    ///
    /// # Panics
    /// When the operating system has no randomness to give, or encoding
    /// fails — test-only code.
    #[allow(clippy::expect_used)] // test-only helper: a panic is the failure
    pub fn generate() -> TestAppKey {
        let key = PrivateKey::new(&mut getrandom::SysRng, 2048).expect("RSA key generation");
        let public = key.to_public_key();
        TestAppKey {
            pkcs1_pem: key
                .to_pkcs1_pem(LineEnding::LF)
                .expect("PKCS#1 encoding")
                .to_string(),
            pkcs8_pem: key
                .to_pkcs8_pem(LineEnding::LF)
                .expect("PKCS#8 encoding")
                .to_string(),
            public_pem: public
                .to_public_key_pem(LineEnding::LF)
                .expect("SPKI encoding"),
        }
    }
}

/// One issued installation token.
#[derive(Debug, Clone)]
struct Issued {
    expires: tokio::time::Instant,
    /// Repository names (lowercase) it is limited to.
    repositories: Option<Vec<String>>,
}

/// The App's runtime state: the configuration, the fake's clock and the
/// tokens issued.
#[derive(Debug)]
pub struct AppState {
    config: FakeApp,
    started_wall: SystemTime,
    started: tokio::time::Instant,
    tokens: Mutex<HashMap<String, Issued>>,
    issued: AtomicU64,
    lifetime: Mutex<Duration>,
}

impl AppState {
    pub(crate) fn new(config: FakeApp) -> AppState {
        let lifetime = config.token_lifetime;
        AppState {
            config,
            started_wall: SystemTime::now(),
            started: tokio::time::Instant::now(),
            tokens: Mutex::default(),
            issued: AtomicU64::new(0),
            lifetime: Mutex::new(lifetime),
        }
    }

    /// How many installation tokens were issued so far.
    pub fn tokens_issued(&self) -> u64 {
        self.issued.load(Ordering::SeqCst)
    }

    /// Makes every token issued so far expire now (the next request with
    /// one gets 401 `Bad credentials`).
    pub fn expire_tokens(&self) {
        let now = tokio::time::Instant::now();
        for issued in lock(&self.tokens).values_mut() {
            issued.expires = now;
        }
    }

    /// Changes the lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        *lock(&self.lifetime) = lifetime;
    }

    /// The fake's clock (what it checks JWTs against and sends as `Date`).
    pub(crate) fn now(&self) -> SystemTime {
        let wall = self.started_wall + self.started.elapsed();
        let by = Duration::from_secs(self.config.clock_offset.unsigned_abs());
        if self.config.clock_offset >= 0 {
            wall.checked_add(by).unwrap_or(wall)
        } else {
            wall.checked_sub(by).unwrap_or(wall)
        }
    }

    fn unix_now(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    /// Checks the request's credentials: `Some` is the refusal to answer.
    /// `fixed` is the fake's fixed token, if configured.
    pub(crate) fn authenticate(
        &self,
        path: &str,
        headers: &HeaderMap,
        fixed: Option<&str>,
    ) -> Option<Response> {
        let credential = bearer(headers);
        let path = path.strip_prefix(GHES_PREFIX).unwrap_or(path);
        if is_app_endpoint(path) {
            return self.verify_jwt(credential.unwrap_or_default());
        }
        let Some(credential) = credential else {
            return Some(unauthorized("Requires authentication"));
        };
        if fixed == Some(credential) {
            return None;
        }
        let tokens = lock(&self.tokens);
        let Some(issued) = tokens.get(credential) else {
            return Some(unauthorized("Bad credentials"));
        };
        if tokio::time::Instant::now() >= issued.expires {
            return Some(unauthorized("Bad credentials"));
        }
        if let (Some(allowed), Some(repo)) = (&issued.repositories, repo_of(path))
            && !allowed.contains(&repo.to_ascii_lowercase())
        {
            return Some(not_found(docs::REST));
        }
        None
    }

    /// Verifies an App JWT as GitHub does.
    fn verify_jwt(&self, jwt: &str) -> Option<Response> {
        let undecodable = || unauthorized("A JSON web token could not be decoded");
        let mut parts = jwt.split('.');
        let (Some(header), Some(claims), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Some(undecodable());
        };
        let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).ok();
        let json = |bytes: Vec<u8>| serde_json::from_slice::<Value>(&bytes).ok();
        let (Some(header), Some(claims), Some(signature)) = (
            decode(header).and_then(json),
            decode(claims).and_then(json),
            decode(signature),
        ) else {
            return Some(undecodable());
        };
        if header.get("alg").and_then(Value::as_str) != Some("RS256") {
            return Some(undecodable());
        }
        let signed = &jwt[..jwt.rfind('.').unwrap_or(0)];
        let digest = Sha256::digest(signed.as_bytes());
        if self
            .config
            .key
            .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &signature)
            .is_err()
        {
            return Some(undecodable());
        }
        let issuer_ok = match claims.get("iss") {
            Some(Value::Number(n)) => n.as_u64() == Some(self.config.app_id),
            Some(Value::String(s)) => {
                s.parse::<u64>().ok() == Some(self.config.app_id)
                    || self.config.client_id.as_deref() == Some(s.as_str())
            }
            _ => false,
        };
        if !issuer_ok {
            return Some(undecodable());
        }
        let now = self.unix_now();
        match claims.get("exp").and_then(Value::as_f64) {
            Some(exp) if exp > now as f64 + MAX_JWT_AHEAD as f64 => {
                return Some(unauthorized(
                    "'Expiration time' claim ('exp') is too far in the future",
                ));
            }
            Some(exp) if exp > now as f64 => {}
            _ => {
                return Some(unauthorized(
                    "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
                ));
            }
        }
        match claims.get("iat").and_then(Value::as_u64) {
            Some(iat) if iat <= now => None,
            _ => Some(unauthorized(
                "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
            )),
        }
    }

    /// Issues a token, remembering it.
    fn issue(&self, repositories: Option<Vec<String>>) -> (String, SystemTime) {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let seed = format!(
            "{n}/{:?}/{}",
            self.started_wall,
            self.started.elapsed().as_nanos()
        );
        let digest = Sha256::digest(seed.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let token = format!("ghs_{}", &hex[..36]);
        let lifetime = *lock(&self.lifetime);
        lock(&self.tokens).insert(
            token.clone(),
            Issued {
                expires: tokio::time::Instant::now() + lifetime,
                repositories,
            },
        );
        (token, self.now() + lifetime)
    }
}

fn unauthorized(message: &str) -> Response {
    json_response(
        StatusCode::UNAUTHORIZED,
        &render::basic_error(message, docs::REST, 401),
    )
}

/// The credential of `Authorization: Bearer <c>` (or `token <c>`).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credential) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        .then(|| credential.trim())
}

/// Whether `path` (without the GHES prefix) is an App endpoint.
fn is_app_endpoint(path: &str) -> bool {
    if path.starts_with("/app/") || path == "/app" {
        return true;
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    matches!(segments.as_slice(), ["repos", _, _, "installation"])
}

/// The repository name of a `/repos/{owner}/{repo}/…` path.
fn repo_of(path: &str) -> Option<&str> {
    let mut segments = path.trim_matches('/').split('/');
    (segments.next() == Some("repos")).then_some(())?;
    segments.next()?;
    segments.next()
}

/// The App endpoints.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/app/installations/{installation_id}/access_tokens",
            post(create_token),
        )
        .route("/repos/{owner}/{repo}/installation", get(get_installation))
}

fn permission_levels_ok(permissions: &serde_json::Map<String, Value>) -> bool {
    permissions
        .values()
        .all(|v| matches!(v.as_str(), Some("read" | "write" | "admin")))
}

async fn create_token(
    State(app): State<Shared>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let doc = CREATE_TOKEN_DOCS;
    let Some(gh) = &app.github_app else {
        return not_found(doc);
    };
    let Ok(Path(id)) = path else {
        return not_found(doc);
    };
    if id.parse::<u64>().ok() != Some(gh.config.installation_id) {
        return not_found(doc);
    }
    let body: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &render::basic_error("Problems parsing JSON", doc, 400),
                );
            }
        }
    };
    let invalid = |message: &str| {
        json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &render::basic_error(message, doc, 422),
        )
    };
    let repositories = match body.get("repositories") {
        None | Some(Value::Null) => None,
        Some(Value::Array(names)) => {
            let mut wanted = Vec::new();
            for name in names {
                let Some(name) = name.as_str() else {
                    return invalid("Invalid request.\n\nFor 'items', is not a string.");
                };
                wanted.push(name.to_ascii_lowercase());
            }
            let state = lock(&app.state);
            let all_exist = wanted.iter().all(|name| {
                state
                    .repo_names()
                    .any(|(_, repo)| repo.eq_ignore_ascii_case(name))
            });
            if !all_exist {
                return invalid(
                    "There is at least one repository that does not exist or is not accessible to the parent installation.",
                );
            }
            Some(wanted)
        }
        Some(_) => {
            return invalid("Invalid request.\n\nFor 'properties/repositories', is not an array.");
        }
    };
    let permissions = match body.get("permissions") {
        None | Some(Value::Null) => {
            json!({"deployments": "write", "contents": "read", "metadata": "read"})
        }
        Some(Value::Object(p)) if permission_levels_ok(p) => Value::Object(p.clone()),
        Some(_) => {
            return invalid("The permissions requested are not granted to this installation.");
        }
    };
    let selection =
        if repositories.is_some() || body.get("repository_ids").is_some_and(|v| !v.is_null()) {
            "selected"
        } else {
            "all"
        };
    let (token, expires_at) = gh.issue(repositories);
    let expires_at: chrono::DateTime<chrono::Utc> = expires_at.into();
    json_response(
        StatusCode::CREATED,
        &json!({
            "token": token,
            "expires_at": expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "permissions": permissions,
            "repository_selection": selection,
        }),
    )
}

async fn get_installation(
    State(app): State<Shared>,
    Extension(ctx): Extension<Ctx>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let doc = GET_INSTALLATION_DOCS;
    let (Some(gh), Ok(Path((owner, repo)))) = (&app.github_app, path) else {
        return not_found(doc);
    };
    let Ok((owner, _)) = lock(&app.state).dispatch_target(&owner, &repo) else {
        return not_found(doc);
    };
    json_response(StatusCode::OK, &installation_json(gh, &owner, &ctx.urls))
}

fn installation_json(gh: &AppState, owner: &str, urls: &Urls) -> Value {
    let id = gh.config.installation_id;
    let created: chrono::DateTime<chrono::Utc> = gh.started_wall.into();
    let created = created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    json!({
        "id": id,
        "account": {
            "login": owner,
            "id": 1,
            "node_id": render::node_id("Organization", 1),
            "avatar_url": format!("{}/avatars/{owner}", urls.web),
            "gravatar_id": "",
            "url": format!("{}/users/{owner}", urls.api),
            "html_url": format!("{}/{owner}", urls.web),
            "type": "Organization",
            "site_admin": false,
        },
        "repository_selection": "all",
        "access_tokens_url": format!("{}/app/installations/{id}/access_tokens", urls.api),
        "repositories_url": format!("{}/installation/repositories", urls.api),
        "html_url": format!("{}/organizations/{owner}/settings/installations/{id}", urls.web),
        "app_id": gh.config.app_id,
        "app_slug": "octodeploy-fake",
        "target_id": 1,
        "target_type": "Organization",
        "permissions": {"deployments": "write", "contents": "read", "metadata": "read"},
        "events": [],
        "created_at": created,
        "updated_at": created,
        "single_file_name": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_endpoints() {
        assert!(is_app_endpoint("/app/installations/1/access_tokens"));
        assert!(is_app_endpoint("/repos/o/r/installation"));
        assert!(!is_app_endpoint("/repos/o/r/dispatches"));
        assert!(!is_app_endpoint("/repos/o/installation"));
        assert_eq!(repo_of("/repos/o/r/deployments/1"), Some("r"));
        assert_eq!(repo_of("/app/x"), None);
    }
}
