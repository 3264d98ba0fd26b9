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
    },
    /// A successful response whose body does not decode.
    #[error("could not decode the response at `{path}`{}: {source}", request_id_suffix(.request_id))]
    Decode {
        /// The JSON path that failed (`[3].creator.id`).
        path: String,
        /// `X-GitHub-Request-Id`, if the response had one.
        request_id: Option<String>,
        /// serde's error.
        #[source]
        source: serde_json::Error,
    },
    /// The request did not complete (connection, TLS, body read).
    #[error("request failed: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request timed out.
    #[error("request timed out: {0}")]
    Timeout(#[source] reqwest::Error),
    /// A pagination link points to another origin; following it would send
    /// the token elsewhere, so it is refused.
    #[error("refusing to follow a pagination link to another origin: {url}")]
    ForeignLink {
        /// The link as the server gave it.
        url: String,
    },
    /// Following the server's pagination links would lose or repeat data:
    /// a `next` link that does not parse, or one that leads back to a page
    /// already read.
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
            Error::NonJson { status, .. } => Some(*status),
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
            Error::NonJson { request_id, .. } | Error::Decode { request_id, .. } => {
                request_id.as_deref()
            }
            Error::DeploymentConflict(e) => e.request_id.as_deref(),
            _ => None,
        }
    }
}

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
    /// `X-GitHub-Request-Id`.
    pub request_id: Option<String>,
}

impl RateLimitError {
    /// How long to wait before retrying, measured from `now`: `Retry-After`
    /// if sent, else until `x-ratelimit-reset` (plus a second of slack);
    /// `None` when the server said neither (GitHub documents waiting at least
    /// a minute then).
    pub fn wait_from(&self, now: SystemTime) -> Option<Duration> {
        if let Some(after) = self.retry_after {
            return Some(after);
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
    /// reqwest could not build its client.
    #[error("could not build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
    /// The environment names a place to connect to that is not one (see
    /// [`crate::env::from_vars`]).
    #[error(transparent)]
    Environment(crate::env::EnvError),
}
