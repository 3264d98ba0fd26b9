//! Recording mode: a local server that forwards every request to a real GitHub, records the
//! exchange, scrubs secrets and writes the cassette.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use crate::cassette::{
    BASE_PLACEHOLDER, Cassette, CassetteRequest, CassetteResponse, Headers, Interaction, REDACTED,
    cassette_dir, check_scenario_name, write_file,
};
use crate::error::ReplayError;
use crate::matching::{Incoming, is_secret_header};
use crate::report::{Outcome, ReceivedRequest};
use crate::scrub::{
    MIN_SECRET_LEN, find_token_like, map_strings, scrub_bytes, scrub_text, scrub_value,
};
use crate::server::{
    ServerHandle, bind, lock, read_incoming, render, spawn, upstream_failure_response,
};

/// `OCTODEPLOY_RECORD`: `1` (or `true`/`yes`) switches [`crate::ReplayServer::start`] and
/// [`crate::ReplayServer::for_scenario`] to recording mode.
pub const ENV_RECORD: &str = "OCTODEPLOY_RECORD";
/// `OCTODEPLOY_RECORD_UPSTREAM`: the real API base URL to forward to, e.g.
/// `https://ghe.example.com/api/v3` or `https://api.github.com`. Required when recording.
pub const ENV_UPSTREAM: &str = "OCTODEPLOY_RECORD_UPSTREAM";
/// `OCTODEPLOY_RECORD_TOKEN`: the token handed to the client by
/// [`crate::ReplayServer::token`] while recording; scrubbed from the cassette.
pub const ENV_TOKEN: &str = "OCTODEPLOY_RECORD_TOKEN";
/// `OCTODEPLOY_RECORD_DIR`: where recorded cassettes are written (default `tests/cassettes`).
pub const ENV_DIR: &str = "OCTODEPLOY_RECORD_DIR";

/// Description written into a new recording; replace it by hand.
pub const PLACEHOLDER_DESCRIPTION: &str = "TODO: describe what this recording shows and which server (github.com / GHES version) it came from.";

/// Request headers kept in recorded cassettes (besides the secret ones, which are kept as
/// `"<redacted>"`). Everything else (user-agent, accept-encoding, host…) is not matched.
pub const RECORDED_REQUEST_HEADERS: &[&str] = &[
    "accept",
    "content-type",
    "x-github-api-version",
    "if-none-match",
    "if-modified-since",
];

/// Response headers kept in recorded cassettes, plus every `x-ratelimit-*`. Dropped:
/// `date` (the replay server sends its own), `set-cookie`, framing and hop-by-hop headers,
/// browser-only security/CORS headers, `x-github-sso` and anything else unlisted.
pub const RECORDED_RESPONSE_HEADERS: &[&str] = &[
    "content-type",
    "cache-control",
    "vary",
    "etag",
    "last-modified",
    "link",
    "location",
    "retry-after",
    "server",
    "deprecation",
    "sunset",
    "github-authentication-token-expiration",
    "x-github-media-type",
    "x-github-api-version-selected",
    "x-github-request-id",
    "x-github-enterprise-version",
    "x-oauth-scopes",
    "x-accepted-oauth-scopes",
    "x-accepted-github-permissions",
    "x-poll-interval",
];

/// Request headers not forwarded upstream (hop-by-hop, or set by the forwarding client).
const NOT_FORWARDED: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "accept-encoding",
];

/// How to record: upstream, output file, and secrets to scrub.
#[derive(Clone)]
pub struct RecordConfig {
    upstream_origin: String,
    base_path: String,
    output: PathBuf,
    scenario: String,
    description: String,
    client_token: Option<String>,
    secrets: Vec<String>,
}

impl std::fmt::Debug for RecordConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordConfig")
            .field("upstream_origin", &self.upstream_origin)
            .field("base_path", &self.base_path)
            .field("output", &self.output)
            .field("scenario", &self.scenario)
            .field(
                "client_token",
                &self.client_token.as_ref().map(|_| REDACTED),
            )
            .field("secrets", &self.secrets.len())
            .finish_non_exhaustive()
    }
}

impl RecordConfig {
    /// Records to `output` by forwarding to `upstream`, an http(s) API base URL such as
    /// `https://ghe.example.com/api/v3` (its path becomes the cassette's `base_path`). The
    /// scenario name is `output`'s file stem and must be kebab-case.
    pub fn new(upstream: &str, output: impl Into<PathBuf>) -> Result<Self, ReplayError> {
        let (upstream_origin, base_path) = parse_upstream(upstream)?;
        let output = output.into();
        let scenario = output
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        check_scenario_name(&scenario)?;
        Ok(Self {
            upstream_origin,
            base_path,
            output,
            scenario,
            description: PLACEHOLDER_DESCRIPTION.to_owned(),
            client_token: None,
            secrets: Vec::new(),
        })
    }

    /// Recording configuration from the process environment (see [`Self::from_vars`]).
    pub fn from_env(scenario: &str) -> Result<Option<Self>, ReplayError> {
        Self::from_vars(scenario, |name| std::env::var(name).ok())
    }

    /// Recording configuration for `scenario` from variables looked up by `var`: `None`
    /// unless [`ENV_RECORD`] is `1`/`true`/`yes`; then [`ENV_UPSTREAM`] is required,
    /// [`ENV_TOKEN`] and [`ENV_DIR`] are optional.
    pub fn from_vars(
        scenario: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ReplayError> {
        let enabled = var(ENV_RECORD).unwrap_or_default();
        match enabled.trim().to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "no" => return Ok(None),
            "1" | "true" | "yes" => {}
            other => {
                return Err(ReplayError::RecordConfig {
                    variable: ENV_RECORD,
                    reason: format!("must be 1, true or yes (or 0/false/no/unset), not {other:?}"),
                });
            }
        }
        check_scenario_name(scenario)?;
        let upstream = var(ENV_UPSTREAM)
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| ReplayError::RecordConfig {
                variable: ENV_UPSTREAM,
                reason: "must be set to the API base URL to record from, e.g. https://ghe.example.com/api/v3".into(),
            })?;
        let dir = var(ENV_DIR)
            .filter(|d| !d.trim().is_empty())
            .map_or_else(cassette_dir, PathBuf::from);
        let mut config = Self::new(upstream.trim(), dir.join(format!("{scenario}.json")))?;
        if let Some(token) = var(ENV_TOKEN).filter(|t| !t.trim().is_empty()) {
            config = config.client_token(token.trim());
        }
        Ok(Some(config))
    }

    /// The description written into the cassette.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The token the client is to use (handed out by [`crate::ReplayServer::token`]);
    /// it is scrubbed like any other secret.
    pub fn client_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.secrets.push(token.clone());
        self.client_token = Some(token);
        self
    }

    /// One more literal secret to scrub from the cassette.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Where the cassette will be written.
    pub fn output(&self) -> &Path {
        &self.output
    }

    /// The upstream origin, e.g. `https://ghe.example.com`.
    pub fn upstream_origin(&self) -> &str {
        &self.upstream_origin
    }

    /// The upstream API path prefix, e.g. `/api/v3` (empty for github.com).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// The scenario name (the output file stem).
    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    /// The token the client is to use, if one was configured.
    pub fn token(&self) -> Option<&str> {
        self.client_token.as_deref()
    }
}

fn parse_upstream(upstream: &str) -> Result<(String, String), ReplayError> {
    let invalid = |reason: &str| ReplayError::InvalidUpstream {
        url: upstream.to_owned(),
        reason: reason.to_owned(),
    };
    let url = url::Url::parse(upstream).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none() {
        return Err(invalid("a host is required"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "credentials in the URL would end up in logs; use OCTODEPLOY_RECORD_TOKEN",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a query or fragment is not allowed"));
    }
    let origin = url.origin().ascii_serialization();
    let base_path = url.path().trim_end_matches('/').to_owned();
    Ok((origin, base_path))
}

#[derive(Debug)]
struct UpstreamFailure {
    method: String,
    path: String,
    error: Option<reqwest::Error>,
}

#[derive(Default)]
struct RecordState {
    /// One slot per request, in arrival order; `None` while in flight or after a failure.
    slots: Vec<Option<Interaction>>,
    received: Vec<ReceivedRequest>,
    failures: Vec<UpstreamFailure>,
    /// Credentials seen in requests.
    learned: Vec<String>,
}

impl std::fmt::Debug for RecordState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordState")
            .field("slots", &self.slots.len())
            .field("received", &self.received.len())
            .field("failures", &self.failures)
            .field("learned", &self.learned.len())
            .finish()
    }
}

#[derive(Debug)]
struct RecordShared {
    config: RecordConfig,
    origin: String,
    client: reqwest::Client,
    state: Mutex<RecordState>,
}

impl RecordShared {
    fn secrets(&self) -> Vec<String> {
        secrets_of(&self.config, &lock(&self.state).learned)
    }
}

/// Configured and learned secrets worth scrubbing, longest first.
fn secrets_of(config: &RecordConfig, learned: &[String]) -> Vec<String> {
    let mut secrets: Vec<String> = config
        .secrets
        .iter()
        .chain(learned)
        .filter(|s| s.len() >= MIN_SECRET_LEN)
        .cloned()
        .collect();
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    secrets.dedup();
    secrets
}

/// A local server that forwards to an upstream GitHub and records each exchange; writes
/// the scrubbed cassette on [`finish`](Self::finish) (or on drop, unless panicking).
#[derive(Debug)]
pub struct Recorder {
    shared: Arc<RecordShared>,
    _server: ServerHandle,
    finished: bool,
}

impl Recorder {
    /// Starts recording to `output`, forwarding to `upstream` (see [`RecordConfig::new`]).
    pub async fn start(upstream: &str, output: impl Into<PathBuf>) -> Result<Self, ReplayError> {
        Self::start_with(RecordConfig::new(upstream, output)?).await
    }

    /// Starts recording with a full configuration.
    pub async fn start_with(config: RecordConfig) -> Result<Self, ReplayError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|source| ReplayError::HttpClient { source })?;
        let (listener, origin) = bind().await?;
        let shared = Arc::new(RecordShared {
            config,
            origin,
            client,
            state: Mutex::new(RecordState::default()),
        });
        let router = Router::new()
            .fallback(record_handler)
            .with_state(Arc::clone(&shared));
        let server = spawn(listener, router);
        Ok(Self {
            shared,
            _server: server,
            finished: false,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> &str {
        &self.shared.origin
    }

    /// The origin plus the upstream's base path: the API base URL for the client.
    pub fn base_url(&self) -> String {
        format!("{}{}", self.shared.origin, self.shared.config.base_path)
    }

    /// `{origin}/api/v3`.
    pub fn ghes_base_url(&self) -> String {
        format!("{}/api/v3", self.shared.origin)
    }

    /// The requests received so far.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        lock(&self.shared.state).received.clone()
    }

    /// The cassette recorded so far, scrubbed, without writing it.
    pub fn cassette(&self) -> Result<Cassette, ReplayError> {
        let secrets = self.shared.secrets();
        let interactions = lock(&self.shared.state)
            .slots
            .iter()
            .flatten()
            .cloned()
            .collect();
        let config = &self.shared.config;
        let cassette = Cassette {
            scenario: config.scenario.clone(),
            description: config.description.clone(),
            base_path: config.base_path.clone(),
            interactions,
        };
        let mut value =
            serde_json::to_value(&cassette).map_err(|source| ReplayError::Serialize {
                scenario: config.scenario.clone(),
                source,
            })?;
        scrub_value(&mut value, &secrets);
        serde_json::from_value(value).map_err(|source| ReplayError::Serialize {
            scenario: config.scenario.clone(),
            source,
        })
    }

    /// Writes the scrubbed cassette and returns it. Fails (writing nothing) if a request
    /// could not be forwarded, the result is not a valid cassette, or a secret survived
    /// scrubbing.
    pub fn finish(mut self) -> Result<Cassette, ReplayError> {
        self.write()
    }

    pub(crate) fn write(&mut self) -> Result<Cassette, ReplayError> {
        self.finished = true;
        let failure = lock(&self.shared.state)
            .failures
            .first_mut()
            .map(|f| (f.method.clone(), f.path.clone(), f.error.take()));
        if let Some((method, path, error)) = failure {
            return Err(match error {
                Some(source) => ReplayError::Upstream {
                    method,
                    path,
                    source,
                },
                None => ReplayError::InvalidCassette {
                    scenario: self.shared.config.scenario.clone(),
                    reason: format!("forwarding {method} {path} upstream failed"),
                },
            });
        }
        let cassette = self.cassette()?;
        cassette.validate()?;
        let text = cassette.to_json_pretty()?;
        let output = self.shared.config.output.clone();
        let secrets = self.shared.secrets();
        if secrets.iter().any(|s| text.contains(s.as_str())) {
            return Err(ReplayError::SecretLeak {
                path: output,
                what: "a credential used while recording".into(),
            });
        }
        if let Some(prefix) = find_token_like(&text) {
            return Err(ReplayError::SecretLeak {
                path: output,
                what: format!("a string shaped like a GitHub token ({prefix}…)"),
            });
        }
        write_file(&output, &text)?;
        tracing::info!(path = %output.display(), "wrote cassette");
        Ok(cassette)
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if self.finished || std::thread::panicking() {
            return;
        }
        if let Err(err) = self.write() {
            panic!(
                "Recorder dropped without finish() and writing the cassette failed: {}",
                crate::server::error_chain(&err)
            );
        }
    }
}

async fn record_handler(State(shared): State<Arc<RecordShared>>, request: Request) -> Response {
    let incoming = read_incoming(request).await;
    let index = {
        let mut state = lock(&shared.state);
        learn_credentials(&mut state.learned, &incoming.headers);
        state.slots.push(None);
        state.slots.len() - 1
    };
    let path_and_query = match &incoming.raw_query {
        Some(q) => format!("{}?{}", incoming.path, q),
        None => incoming.path.clone(),
    };
    let url = format!("{}{}", shared.config.upstream_origin, path_and_query);
    let result = forward(&shared.client, &url, &incoming).await;
    let mut state = lock(&shared.state);
    // The request log is printable (reports, Debug): scrubbed like the
    // cassette, secret headers shown as their scheme only.
    let secrets = secrets_of(&shared.config, &state.learned);
    let query = incoming
        .raw_query
        .as_deref()
        .map(|q| scrub_text(q, &secrets));
    let logged_body = scrub_bytes(&incoming.body, &secrets);
    let request_line = match &query {
        Some(q) => format!("{} {}?{q}", incoming.method, incoming.path),
        None => format!("{} {}", incoming.method, incoming.path),
    };
    let received = |outcome| ReceivedRequest {
        method: incoming.method.clone(),
        path: incoming.path.clone(),
        query: query.clone(),
        headers: incoming.display_headers(),
        body: logged_body.clone(),
        outcome,
    };
    match result {
        Ok((status, headers, body)) => {
            let mut response =
                recorded_response(status, &headers, &body, &shared.config.upstream_origin);
            // The client gets the answer as upstream gave it (a token it
            // asked for, e.g. an App's installation token, is one it needs);
            // the cassette gets it scrubbed.
            let rendered = render(&response, &shared.origin);
            scrub_response(&mut response, &secrets);
            let interaction = Interaction {
                note: None,
                request: recorded_request(&incoming),
                response,
            };
            if let Some(slot) = state.slots.get_mut(index) {
                *slot = Some(interaction);
            }
            let recorded_index = state.slots.iter().take(index).flatten().count();
            state.received.push(received(Outcome::Recorded {
                interaction: recorded_index,
            }));
            rendered
        }
        Err(error) => {
            // Its URL may carry a secret in the query; the request line
            // (scrubbed) says where it went.
            let error = error.without_url();
            let text = format!(
                "octodeploy recorder: forwarding {request_line} to {} failed: {}\n",
                shared.config.upstream_origin,
                scrub_text(&error.to_string(), &secrets)
            );
            tracing::warn!("{text}");
            state.received.push(received(Outcome::UpstreamFailed {
                error: scrub_text(&error.to_string(), &secrets),
            }));
            state.failures.push(UpstreamFailure {
                method: incoming.method.clone(),
                path: incoming.path.clone(),
                error: Some(error),
            });
            upstream_failure_response(text)
        }
    }
}

async fn forward(
    client: &reqwest::Client,
    url: &str,
    incoming: &Incoming,
) -> Result<(u16, HeaderMap, Vec<u8>), reqwest::Error> {
    let method =
        reqwest::Method::from_bytes(incoming.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut builder = client.request(method, url);
    for (name, value) in &incoming.headers {
        if !NOT_FORWARDED.contains(&name.as_str()) {
            builder = builder.header(name.clone(), value.clone());
        }
    }
    if !incoming.body.is_empty() {
        builder = builder.body(incoming.body.clone());
    }
    let response = builder.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await?.to_vec();
    Ok((status, headers, body))
}

fn learn_credentials(learned: &mut Vec<String>, headers: &HeaderMap) {
    for (name, value) in headers {
        if !is_secret_header(name.as_str()) {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let credential = match value.split_once(' ') {
            Some((_, rest)) if name == "authorization" || name == "proxy-authorization" => {
                rest.trim().to_owned()
            }
            _ => value.trim().to_owned(),
        };
        if credential.len() >= MIN_SECRET_LEN && !learned.contains(&credential) {
            learned.push(credential);
        }
    }
}

fn recorded_request(incoming: &Incoming) -> CassetteRequest {
    let mut headers = Vec::<(String, String)>::new();
    for (name, _) in &incoming.headers {
        let name = name.as_str();
        if headers.iter().any(|(n, _)| n == name) {
            continue;
        }
        if is_secret_header(name) {
            headers.push((name.to_owned(), REDACTED.to_owned()));
        } else if RECORDED_REQUEST_HEADERS.contains(&name)
            && let Some(value) = incoming.header(name)
        {
            headers.push((name.to_owned(), value));
        }
    }
    let (body, body_text) = split_body(&incoming.body);
    CassetteRequest {
        method: incoming.method.clone(),
        path: incoming.path.clone(),
        query: incoming.query(),
        headers: Headers(headers),
        body,
        body_text,
    }
}

fn recorded_response(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    upstream_origin: &str,
) -> CassetteResponse {
    let kept = headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            RECORDED_RESPONSE_HEADERS.contains(&name) || name.starts_with("x-ratelimit-")
        })
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes());
            (
                name.as_str().to_owned(),
                value.replace(upstream_origin, BASE_PLACEHOLDER),
            )
        })
        .collect();
    let (mut json, mut text) = split_body(body);
    if matches!(status, 204 | 304) {
        json = None;
        text = None;
    }
    if let Some(json) = &mut json {
        map_strings(json, false, &mut |s| {
            s.replace(upstream_origin, BASE_PLACEHOLDER)
        });
    }
    CassetteResponse {
        status,
        headers: kept,
        body: json,
        body_text: text.map(|t| t.replace(upstream_origin, BASE_PLACEHOLDER)),
    }
}

/// Empty → neither; JSON → `body`; anything else → `body_text` (lossy UTF-8).
fn split_body(body: &[u8]) -> (Option<Value>, Option<String>) {
    if body.is_empty() {
        return (None, None);
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Null) | Err(_) => (None, Some(String::from_utf8_lossy(body).into_owned())),
        Ok(json) => (Some(json), None),
    }
}

fn scrub_response(response: &mut CassetteResponse, secrets: &[String]) {
    for (_, value) in &mut response.headers {
        *value = scrub_text(value, secrets);
    }
    if let Some(json) = &mut response.body {
        map_strings(json, true, &mut |s| scrub_text(s, secrets));
    }
    if let Some(text) = &mut response.body_text {
        *text = scrub_text(text, secrets);
    }
}
