//! The one error type, and the details it carries: GitHub's error body,
//! rate limits, validation failures and configuration mistakes.

use std::time::{Duration, SystemTime};

use serde::Deserialize;

/// Everything an octodeploy call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request was refused before anything was sent.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// GitHub answered with an error (4xx/5xx and a JSON body).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// GitHub's primary or secondary rate limit.
    #[error(transparent)]
    RateLimited(Box<RateLimitError>),
    /// An error status whose body is not GitHub's JSON (an HTML page from a
    /// proxy or load balancer in front of GHES).
    #[error("HTTP {status} with a non-JSON body{}: {excerpt}", request_id_suffix(.request_id))]
    NonJson {
        /// The HTTP status.
        status: u16,
        /// The response's `content-type`, if any.
        content_type: Option<String>,
        /// The start of the body, whitespace folded.
        excerpt: String,
        /// `X-GitHub-Request-Id`, if the response had one.
        request_id: Option<String>,
        /// `Retry-After` (seconds or an HTTP date), if the response had one.
        retry_after: Option<Duration>,
    },
    /// A successful response whose body does not decode.
    #[error("could not decode the response at `{path}`{}", request_id_suffix(.request_id))]
    Decode {
        /// The JSON path that failed (`[3].creator.id`).
        path: String,
        /// `X-GitHub-Request-Id`, if the response had one.
        request_id: Option<String>,
        /// What the decoder said (line, column, what it expected).
        #[source]
        source: DecodeError,
    },
    /// A successful status with an empty body where the operation returns
    /// one (a `204` where a deployment status was expected).
    #[error("HTTP {status} with an empty body where {expected} was expected{}", request_id_suffix(.request_id))]
    EmptyResponse {
        /// The HTTP status.
        status: u16,
        /// What the operation returns (`a deployment status`).
        expected: &'static str,
        /// `X-GitHub-Request-Id`, if the response had one.
        request_id: Option<String>,
    },
    /// The response body is larger than the client's limit
    /// ([`crate::ClientBuilder::max_response_bytes`]); reading stopped there.
    #[error("the response body (HTTP {status}) exceeds the limit of {limit} bytes{}", request_id_suffix(.request_id))]
    ResponseTooLarge {
        /// The HTTP status.
        status: u16,
        /// The limit, in bytes.
        limit: u64,
        /// `X-GitHub-Request-Id`, if the response had one.
        request_id: Option<String>,
    },
    /// The request did not complete (connection, TLS, body read).
    #[error("request failed")]
    Transport(#[source] TransportError),
    /// The request timed out (before the response, or while reading its body).
    #[error("request timed out")]
    Timeout(#[source] TransportError),
    /// A redirect that is not followed: to another origin, one that would
    /// turn a POST or DELETE into a GET (301/302/303), a loop, too many
    /// hops, or one without a usable `Location`. Nothing counts as success
    /// after it. GitHub's own redirects (a renamed or transferred repository:
    /// 301 for GET, 307 for other methods, same origin) are followed.
    #[error("refusing to follow the redirect (HTTP {status}) to `{location}`: {reason}")]
    Redirect {
        /// The redirect's HTTP status.
        status: u16,
        /// The `Location` it pointed to, as the server gave it.
        location: String,
        /// Why it was refused.
        reason: String,
    },
    /// A POST (create a deployment or status, dispatch, an App's token
    /// exchange) was sent and then failed without a clear answer: a timeout,
    /// a reset connection, a 5xx or an unreadable body. **GitHub may have
    /// processed it.** It is never retried; the message names the request
    /// and says how to find out (its `check`) before
    /// sending it again.
    #[error(
        "the outcome is unknown: GitHub may have processed {method} {path} ({operation}){}; {check}",
        request_id_suffix(.request_id)
    )]
    #[non_exhaustive]
    OutcomeUnknown {
        /// `X-GitHub-Request-Id`, if a response came.
        request_id: Option<String>,
        /// What went wrong.
        #[source]
        source: Box<Error>,
        /// The request's method (`POST`).
        method: &'static str,
        /// The request's path template, as GitHub's reference names it
        /// (`/repos/{owner}/{repo}/dispatches`).
        path: &'static str,
        /// What the request does (`create a deployment status`).
        operation: &'static str,
        /// How to find out whether it took effect, and whether sending it
        /// again is safe.
        check: &'static str,
    },
    /// A pagination link points to another origin; following it would send
    /// the token elsewhere, so it is refused.
    #[error("refusing to follow a pagination link to another origin: {url}")]
    ForeignLink {
        /// The link as the server gave it.
        url: String,
    },
    /// Following the server's pagination links would lose or repeat data:
    /// a `next` link that does not parse, one that leads back to a page
    /// already read (compared with the query parameters sorted), or more
    /// pages than the configured cap
    /// ([`crate::ClientBuilder::max_pages`]).
    #[error("pagination stopped: {reason}")]
    Pagination {
        /// What was wrong with the links.
        reason: String,
    },
    /// The client could not be built.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// GitHub refused to create a deployment with 409: the default branch
    /// does not merge into the ref, or required commit-status contexts are
    /// not `success` (named in it).
    #[error(transparent)]
    DeploymentConflict(Box<crate::deployments_create::DeploymentConflict>),
    /// `deployment.wait()` gave up before a terminal state; carries the
    /// last status seen.
    #[error(transparent)]
    WaitTimedOut(Box<crate::wait::WaitTimeout>),
    /// No credential could be had for the request (a GitHub App key that
    /// does not parse, an App not installed, a failing provider); nothing
    /// was sent.
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
}

fn request_id_suffix(id: &Option<String>) -> String {
    id.as_deref()
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::RateLimited(e) => Some(e.status),
            Error::NonJson { status, .. }
            | Error::EmptyResponse { status, .. }
            | Error::ResponseTooLarge { status, .. }
            | Error::Redirect { status, .. } => Some(*status),
            Error::OutcomeUnknown { source, .. } => source.status(),
            Error::DeploymentConflict(_) => Some(409),
            _ => None,
        }
    }

    /// The rate-limit details, when this is a rate-limit error.
    pub fn rate_limit(&self) -> Option<&RateLimitError> {
        match self {
            Error::RateLimited(e) => Some(e),
            _ => None,
        }
    }

    /// `X-GitHub-Request-Id` of the response that caused the error: quote it
    /// to GitHub support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::RateLimited(e) => e.request_id.as_deref(),
            Error::DeploymentConflict(e) => e.request_id.as_deref(),
            Error::NonJson { request_id, .. }
            | Error::Decode { request_id, .. }
            | Error::EmptyResponse { request_id, .. }
            | Error::ResponseTooLarge { request_id, .. }
            | Error::OutcomeUnknown { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether a POST was sent and may have been processed although it
    /// failed ([`Error::OutcomeUnknown`]): check before sending it again.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown { .. })
    }

    /// `Retry-After` of the answer, if it had one (a rate limit, or a 503).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited(e) => e.retry_after,
            Error::Api(e) => e.retry_after,
            Error::NonJson { retry_after, .. } => *retry_after,
            Error::OutcomeUnknown { source, .. } => source.retry_after(),
            _ => None,
        }
    }

    /// Whether the failure leaves a sent request's outcome open: no answer
    /// (reset, timeout, unreadable body) or a server error. A connection
    /// that was never established is not ambiguous.
    pub(crate) fn is_ambiguous(&self) -> bool {
        match self {
            Error::Transport(e) => !e.is_connect(),
            Error::Timeout(e) => !e.is_connect(),
            Error::ResponseTooLarge { status, .. } => *status < 400 || *status >= 500,
            Error::Api(_) | Error::NonJson { .. } => self.status().is_some_and(|s| s >= 500),
            _ => false,
        }
    }
}

/// A failure of the HTTP exchange itself: no connection, TLS, a reset, a
/// timeout, a body that could not be read. Opaque, so the HTTP stack's
/// types stay out of this API; [`std::error::Error::source`] gives the
/// underlying cause.
pub struct TransportError(reqwest::Error);

impl TransportError {
    pub(crate) fn new(e: reqwest::Error) -> Self {
        TransportError(e)
    }

    /// The connection could not be established (nothing was sent).
    pub fn is_connect(&self) -> bool {
        self.0.is_connect()
    }

    /// A timeout (connecting, waiting for the response or reading its body).
    pub fn is_timeout(&self) -> bool {
        self.0.is_timeout()
    }

    /// Reading the response body failed (after the status and headers came).
    pub fn is_body(&self) -> bool {
        self.0.is_body() || self.0.is_decode()
    }
}

impl std::fmt::Debug for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportError")
            .field("connect", &self.is_connect())
            .field("timeout", &self.is_timeout())
            .field("body", &self.is_body())
            .field("message", &self.to_string())
            .finish()
    }
}

impl std::fmt::Display for TransportError {
    /// The HTTP stack's own message, without its causes (they are the
    /// [`std::error::Error::source`] chain).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
    }
}

/// Why a response body did not decode: the JSON decoder's message, with
/// where in the body it stopped. Opaque, so the decoder's types stay out of
/// this API.
pub struct DecodeError(serde_json::Error);

impl DecodeError {
    pub(crate) fn new(e: serde_json::Error) -> Self {
        DecodeError(e)
    }

    /// The line of the body where decoding stopped (from 1).
    pub fn line(&self) -> usize {
        self.0.line()
    }

    /// The column of that line where decoding stopped (from 1).
    pub fn column(&self) -> usize {
        self.0.column()
    }
}

impl std::fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodeError")
            .field("line", &self.line())
            .field("column", &self.column())
            .field("message", &self.to_string())
            .finish()
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for DecodeError {}

/// GitHub's error body and the response it came with.
#[derive(Debug, Clone, thiserror::Error)]
#[error("GitHub answered {status}: {message}{}{}{}",
    field_errors(.errors),
    .documentation_url.as_deref().map(|u| format!(" (see {u})")).unwrap_or_default(),
    request_id_suffix(.request_id))]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// GitHub's `message`.
    pub message: String,
    /// GitHub's `documentation_url`.
    pub documentation_url: Option<String>,
    /// GitHub's `errors[]`, one per offending field.
    pub errors: Vec<FieldError>,
    /// `X-GitHub-Request-Id`.
    pub request_id: Option<String>,
    /// `Retry-After` (seconds or an HTTP date), if sent (a 503 may carry it).
    pub retry_after: Option<Duration>,
    /// The server's clock when it answered (its `Date` header), if sent and
    /// valid. A GitHub App's JWT refused for its times is re-signed by this.
    pub date: Option<SystemTime>,
}

fn field_errors(errors: &[FieldError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = errors.iter().map(FieldError::to_string).collect();
    format!(" [{}]", parts.join("; "))
}

/// One entry of GitHub's `errors[]`. Older servers send plain strings; they
/// land in `message`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FieldError {
    /// The resource (`DeploymentStatus`).
    #[serde(default)]
    pub resource: Option<String>,
    /// The field (`state`).
    #[serde(default)]
    pub field: Option<String>,
    /// GitHub's code (`missing_field`, `invalid`, `custom`...).
    #[serde(default)]
    pub code: Option<String>,
    /// A human message, for `custom` codes and string entries.
    #[serde(default)]
    pub message: Option<String>,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(r) = &self.resource {
            parts.push(r.clone());
        }
        if let Some(field) = &self.field {
            parts.push(format!("`{field}`"));
        }
        if let Some(code) = &self.code {
            parts.push(code.clone());
        }
        if let Some(m) = &self.message {
            parts.push(m.clone());
        }
        f.write_str(&parts.join(" "))
    }
}

/// Which of GitHub's rate limits was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateLimitKind {
    /// The hourly quota is spent (`x-ratelimit-remaining: 0`).
    Primary,
    /// A secondary (abuse) limit: too many requests too fast, or too much
    /// content creation.
    Secondary,
}

/// A rate-limit response, with when to try again.
#[derive(Debug, Clone, thiserror::Error)]
#[error("rate limited ({kind:?}) with HTTP {status}: {message}{}{}{}",
    retry_after_text(.retry_after, .reset),
    .documentation_url.as_deref().map(|u| format!(" (see {u})")).unwrap_or_default(),
    request_id_suffix(.request_id))]
#[non_exhaustive]
pub struct RateLimitError {
    /// Primary or secondary.
    pub kind: RateLimitKind,
    /// 403 or 429.
    pub status: u16,
    /// GitHub's message.
    pub message: String,
    /// GitHub's `documentation_url`.
    pub documentation_url: Option<String>,
    /// `Retry-After`, when sent.
    pub retry_after: Option<Duration>,
    /// `x-ratelimit-reset`, when sent: the quota is back at this time.
    pub reset: Option<SystemTime>,
    /// `x-ratelimit-remaining`, when sent (0 for a primary limit).
    pub remaining: Option<u64>,
    /// `X-GitHub-Request-Id`.
    pub request_id: Option<String>,
}

impl RateLimitError {
    /// How long to wait before retrying, measured from `now`, as GitHub
    /// documents it: `Retry-After` if sent; else, when the quota is used up
    /// (a primary limit, or `x-ratelimit-remaining: 0`), until
    /// `x-ratelimit-reset` (plus a second of slack); `None` otherwise — a
    /// secondary limit with quota left, for which GitHub says to wait at
    /// least a minute ([`crate::RetryPolicy::secondary_wait`]), not until
    /// the quota's reset.
    pub fn wait_from(&self, now: SystemTime) -> Option<Duration> {
        if let Some(after) = self.retry_after {
            return Some(after);
        }
        let exhausted = self.kind == RateLimitKind::Primary || self.remaining == Some(0);
        if !exhausted {
            return None;
        }
        self.reset.map(|reset| {
            reset
                .duration_since(now)
                .unwrap_or_default()
                .saturating_add(Duration::from_secs(1))
        })
    }
}

fn retry_after_text(retry_after: &Option<Duration>, reset: &Option<SystemTime>) -> String {
    if let Some(d) = retry_after {
        return format!("; retry after {}s", d.as_secs());
    }
    match reset.and_then(|r| r.duration_since(SystemTime::UNIX_EPOCH).ok()) {
        Some(epoch) => format!("; quota resets at {} (unix time)", epoch.as_secs()),
        None => String::new(),
    }
}

/// A value refused before sending: names the field and the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{field}`: {problem}")]
#[non_exhaustive]
pub struct ValidationError {
    /// The request field (`description`, `client_payload`, `per_page`...).
    pub field: &'static str,
    /// What is wrong, with the limit.
    pub problem: String,
}

impl ValidationError {
    pub(crate) fn new(field: &'static str, problem: impl Into<String>) -> Self {
        ValidationError {
            field,
            problem: problem.into(),
        }
    }
}

/// A client that cannot be built as configured.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base URL is unusable.
    #[error("invalid base URL `{url}`: {reason}")]
    BaseUrl {
        /// What was given.
        url: String,
        /// Why it is refused.
        reason: String,
    },
    /// A header value (user agent, API version) has characters HTTP forbids.
    #[error("invalid {what}: not a valid HTTP header value")]
    Header {
        /// Which setting.
        what: &'static str,
    },
    /// The HTTP client could not be built.
    #[error("could not build the HTTP client")]
    Http(#[source] TransportError),
    /// The environment names a place to connect to that is not one (see
    /// [`crate::env::from_vars`]).
    #[error(transparent)]
    Environment(crate::env::EnvError),
}
