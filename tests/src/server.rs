//! [`ReplayServer`]: the local HTTP server tests point their client at, replaying a cassette
//! (or, in recording mode, forwarding to a real GitHub and recording).

use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::cassette::{BASE_PLACEHOLDER, Cassette, CassetteResponse, substitute_base};
use crate::error::ReplayError;
use crate::matching::{Incoming, differences, expected_line};
use crate::record::{RecordConfig, Recorder};
use crate::report::{
    Outcome, ReceivedRequest, UnexpectedRequest, UnusedInteraction, VerificationReport,
};

/// Status of the answer to a request that matches no interaction: 418 is neither retried
/// by clients nor used by GitHub for these operations.
pub const MISMATCH_STATUS: u16 = 418;

/// Response header set on mismatch answers (`x-octodeploy-replay: mismatch`).
pub const MISMATCH_HEADER: &str = "x-octodeploy-replay";

/// The token [`ReplayServer::token`] hands out when replaying: any `Bearer`/`token`
/// credential matches `"<redacted>"`, so this is not a secret.
pub const REPLAY_TOKEN: &str = "octodeploy-replay-token";

/// Largest request body the servers read.
const MAX_BODY: usize = 16 * 1024 * 1024;

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running local server; shuts down when dropped.
#[derive(Debug)]
pub(crate) struct ServerHandle {
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            // The server task may already be gone with its runtime; nothing to do then.
            let _ = tx.send(());
        }
    }
}

/// Binds 127.0.0.1 on an ephemeral port; returns the listener and its origin.
pub(crate) async fn bind() -> Result<(TcpListener, String), ReplayError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|source| ReplayError::Bind { source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ReplayError::Bind { source })?;
    Ok((listener, format!("http://{addr}")))
}

/// Serves `router` on `listener` in a background task.
pub(crate) fn spawn(listener: TcpListener, router: Router) -> ServerHandle {
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(err) = served {
            tracing::warn!(%err, "replay server stopped with an error");
        }
    });
    ServerHandle { shutdown: Some(tx) }
}

/// Reads a whole request.
pub(crate) async fn read_incoming(request: Request) -> Incoming {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes.to_vec(),
        Err(err) => {
            tracing::warn!(%err, "cannot read request body");
            Vec::new()
        }
    };
    Incoming {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        raw_query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    }
}

/// Builds the HTTP response for a cassette response, `{{base}}` replaced by `origin`.
pub(crate) fn render(response: &CassetteResponse, origin: &str) -> Response {
    let body: Vec<u8> = match (&response.body, &response.body_text) {
        (Some(json), _) => substitute_base(json, origin).to_string().into_bytes(),
        (None, Some(text)) => text.replace(BASE_PLACEHOLDER, origin).into_bytes(),
        (None, None) => Vec::new(),
    };
    let mut out = Response::new(Body::from(body));
    *out.status_mut() =
        StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in &response.headers {
        let value = value.replace(BASE_PLACEHOLDER, origin);
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            (Ok(name), Ok(value)) => {
                out.headers_mut().append(name, value);
            }
            _ => tracing::warn!(header = %name, "skipping an invalid response header"),
        }
    }
    out
}

fn text_response(status: StatusCode, text: String) -> Response {
    let mut out = Response::new(Body::from(text));
    *out.status_mut() = status;
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    out.headers_mut().insert(
        HeaderName::from_static(MISMATCH_HEADER),
        HeaderValue::from_static("mismatch"),
    );
    out
}

pub(crate) fn upstream_failure_response(text: String) -> Response {
    let mut out = text_response(StatusCode::BAD_GATEWAY, text);
    out.headers_mut().insert(
        HeaderName::from_static(MISMATCH_HEADER),
        HeaderValue::from_static("upstream-failed"),
    );
    out
}

#[derive(Debug)]
struct ReplayShared {
    cassette: Cassette,
    origin: String,
    state: Mutex<ReplayState>,
}

#[derive(Debug, Default)]
struct ReplayState {
    next: usize,
    received: Vec<ReceivedRequest>,
}

async fn replay_handler(State(shared): State<Arc<ReplayShared>>, request: Request) -> Response {
    let incoming = read_incoming(request).await;
    let mut state = lock(&shared.state);
    let ordinal = state.received.len() + 1;
    let due = state.next;
    let (outcome, response) = match shared.cassette.interactions.get(due) {
        Some(interaction) => {
            let diffs = differences(&interaction.request, &incoming);
            if diffs.is_empty() {
                state.next += 1;
                tracing::debug!(request = %incoming.request_line(), interaction = due, "replayed");
                (
                    Outcome::Matched { interaction: due },
                    render(&interaction.response, &shared.origin),
                )
            } else {
                let mut text = format!(
                    "octodeploy replay: request #{ordinal} does not match cassette `{}`\n  {}\nexpected interactions[{due}]: {}",
                    shared.cassette.scenario,
                    incoming.request_line(),
                    expected_line(&interaction.request),
                );
                for d in &diffs {
                    text.push_str("\n  - ");
                    text.push_str(d);
                }
                text.push('\n');
                tracing::warn!("{text}");
                (
                    Outcome::Unexpected {
                        expected: Some(due),
                        differences: diffs,
                    },
                    text_response(StatusCode::IM_A_TEAPOT, text),
                )
            }
        }
        None => {
            let text = format!(
                "octodeploy replay: request #{ordinal} {} is unexpected: all {} interactions of cassette `{}` were used\n",
                incoming.request_line(),
                shared.cassette.interactions.len(),
                shared.cassette.scenario,
            );
            tracing::warn!("{text}");
            (
                Outcome::Unexpected {
                    expected: None,
                    differences: Vec::new(),
                },
                text_response(StatusCode::IM_A_TEAPOT, text),
            )
        }
    };
    state.received.push(ReceivedRequest {
        method: incoming.method.clone(),
        path: incoming.path.clone(),
        query: incoming.raw_query.clone(),
        headers: incoming.display_headers(),
        body: incoming.body.clone(),
        outcome,
    });
    response
}

#[derive(Debug)]
struct Replayer {
    shared: Arc<ReplayShared>,
    _server: ServerHandle,
    /// Number of requests received when `verify` last ran (`usize::MAX`: never).
    verified_at: AtomicUsize,
}

impl Replayer {
    async fn start(cassette: Cassette) -> Result<Self, ReplayError> {
        cassette.validate()?;
        let (listener, origin) = bind().await?;
        let shared = Arc::new(ReplayShared {
            cassette,
            origin,
            state: Mutex::new(ReplayState::default()),
        });
        let router = Router::new()
            .fallback(replay_handler)
            .with_state(Arc::clone(&shared));
        let server = spawn(listener, router);
        Ok(Self {
            shared,
            _server: server,
            verified_at: AtomicUsize::new(usize::MAX),
        })
    }

    fn report(&self) -> (VerificationReport, usize) {
        let state = lock(&self.shared.state);
        let interactions = &self.shared.cassette.interactions;
        let unexpected = state
            .received
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match &r.outcome {
                Outcome::Unexpected {
                    expected,
                    differences,
                } => Some(UnexpectedRequest {
                    ordinal: i + 1,
                    request_line: r.request_line(),
                    expected: *expected,
                    expected_line: expected
                        .and_then(|e| interactions.get(e))
                        .map(|e| expected_line(&e.request)),
                    differences: differences.clone(),
                }),
                _ => None,
            })
            .collect();
        let unused = interactions
            .iter()
            .enumerate()
            .skip(state.next)
            .map(|(index, interaction)| UnusedInteraction {
                index,
                request_line: expected_line(&interaction.request),
                note: interaction.note.clone(),
            })
            .collect();
        (
            VerificationReport {
                scenario: self.shared.cassette.scenario.clone(),
                unexpected,
                unused,
            },
            state.received.len(),
        )
    }

    fn verify(&self) -> Result<(), ReplayError> {
        let (report, seen) = self.report();
        self.verified_at.store(seen, Ordering::SeqCst);
        if report.is_empty() {
            Ok(())
        } else {
            Err(ReplayError::Verification(Box::new(report)))
        }
    }

    fn received(&self) -> Vec<ReceivedRequest> {
        lock(&self.shared.state).received.clone()
    }

    fn unverified(&self) -> bool {
        let seen = lock(&self.shared.state).received.len();
        self.verified_at.load(Ordering::SeqCst) != seen
    }
}

#[derive(Debug)]
enum Mode {
    Replay(Replayer),
    Record(Box<Recorder>),
}

/// A local server on `127.0.0.1:<ephemeral port>` that serves a cassette.
///
/// Point the client under test at [`base_url`](Self::base_url) (or
/// [`ghes_base_url`](Self::ghes_base_url) / [`origin`](Self::origin)), give it
/// [`token`](Self::token), run the scenario, then call [`finish`](Self::finish). Requests
/// that do not match answer `418` and make verification fail; so do interactions never
/// requested. Dropping the server without verifying checks too (and panics), unless the
/// thread is already panicking.
///
/// When the environment asks for recording (see [`RecordConfig::from_env`]),
/// [`start`](Self::start) and [`for_scenario`](Self::for_scenario) instead start a
/// [`Recorder`] that forwards to the real server and writes the cassette on `finish`.
#[derive(Debug)]
pub struct ReplayServer {
    mode: Mode,
    token: String,
}

impl ReplayServer {
    /// Serves `cassette`, or records over it when `OCTODEPLOY_RECORD=1`.
    pub async fn start(cassette: Cassette) -> Result<Self, ReplayError> {
        match RecordConfig::from_env(&cassette.scenario)? {
            Some(config) => Self::record(config.description(cassette.description)).await,
            None => Self::replay(cassette).await,
        }
    }

    /// Loads `tests/cassettes/<name>.json` and serves it; when recording, the file need not
    /// exist yet (an existing file's description is kept).
    pub async fn for_scenario(name: &str) -> Result<Self, ReplayError> {
        match RecordConfig::from_env(name)? {
            Some(config) => {
                let config = match Cassette::load_path(config.output()) {
                    Ok(existing) => config.description(existing.description),
                    Err(_) => config,
                };
                Self::record(config).await
            }
            None => Self::replay(Cassette::load(name)?).await,
        }
    }

    /// Serves `cassette`, ignoring the recording environment variables.
    pub async fn replay(cassette: Cassette) -> Result<Self, ReplayError> {
        Ok(Self {
            mode: Mode::Replay(Replayer::start(cassette).await?),
            token: REPLAY_TOKEN.to_owned(),
        })
    }

    /// Records through a [`Recorder`] configured by `config`.
    pub async fn record(config: RecordConfig) -> Result<Self, ReplayError> {
        let token = config
            .token()
            .map_or_else(|| REPLAY_TOKEN.to_owned(), str::to_owned);
        Ok(Self {
            mode: Mode::Record(Box::new(Recorder::start_with(config).await?)),
            token,
        })
    }

    /// Whether this server forwards to a real GitHub and records.
    pub fn is_recording(&self) -> bool {
        matches!(self.mode, Mode::Record(_))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> &str {
        match &self.mode {
            Mode::Replay(r) => &r.shared.origin,
            Mode::Record(r) => r.origin(),
        }
    }

    /// The origin plus the cassette's (or upstream's) `base_path`: the API base URL the
    /// client should use (`{origin}/api/v3` for GHES cassettes, `{origin}` for github.com).
    pub fn base_url(&self) -> String {
        match &self.mode {
            Mode::Replay(r) => format!("{}{}", r.shared.origin, r.shared.cassette.base_path),
            Mode::Record(r) => r.base_url(),
        }
    }

    /// `{origin}/api/v3`, the GitHub Enterprise Server API base URL.
    pub fn ghes_base_url(&self) -> String {
        format!("{}/api/v3", self.origin())
    }

    /// The token to configure the client with: [`REPLAY_TOKEN`] when replaying, the
    /// `OCTODEPLOY_RECORD_TOKEN` value when recording.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The cassette being replayed (`None` when recording).
    pub fn cassette(&self) -> Option<&Cassette> {
        match &self.mode {
            Mode::Replay(r) => Some(&r.shared.cassette),
            Mode::Record(_) => None,
        }
    }

    /// The requests received so far, in arrival order.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        match &self.mode {
            Mode::Replay(r) => r.received(),
            Mode::Record(r) => r.received(),
        }
    }

    /// Fails naming each unexpected request and each unused interaction. Always `Ok` when
    /// recording (recording errors surface in [`finish`](Self::finish)).
    pub fn verify(&self) -> Result<(), ReplayError> {
        match &self.mode {
            Mode::Replay(r) => r.verify(),
            Mode::Record(_) => Ok(()),
        }
    }

    /// Verifies (replay) or writes the cassette (recording), panicking with the report on
    /// failure. Call at the end of every test.
    #[track_caller]
    pub fn finish(mut self) {
        let result = match &mut self.mode {
            Mode::Replay(r) => r.verify(),
            Mode::Record(r) => r.write().map(|_| ()),
        };
        if let Err(err) = result {
            panic!("{}", error_chain(&err));
        }
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        // A recorder writes its cassette in its own Drop.
        if let Mode::Replay(r) = &self.mode
            && r.unverified()
            && let Err(err) = r.verify()
        {
            panic!("ReplayServer dropped without finish(): {err}");
        }
    }
}

/// `err` followed by its sources, one per line.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str("\n  caused by: ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
