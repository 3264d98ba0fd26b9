//! What tests can read back from a running fake: the request log (a
//! bounded ring buffer, [`RequestLog`]), the log of received dispatch
//! events, and snapshots of deployments.

use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::state::{Deployment, DeploymentState};

/// One request as the fake received it, with the status it answered.
///
/// Every request is recorded, including those answered by a fault, a 401 or
/// a 404, in arrival order (a request is recorded when its response is
/// ready). The log keeps the latest [`DEFAULT_REQUEST_LOG`] requests and
/// the first [`DEFAULT_RECORDED_BODY`] bytes of each body unless configured
/// otherwise ([`crate::FakeGitHubBuilder::request_log`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The `x-github-request-id` the fake answered with.
    pub request_id: String,
    /// `GET`, `POST`, `DELETE`, …
    pub method: String,
    /// The path as sent, including a `/api/v3` prefix.
    pub path: String,
    /// The raw query string, without `?` (an `access_token` parameter keeps
    /// only its name: `access_token=<redacted>`).
    pub query: Option<String>,
    /// The request's headers, names in lower case, in order. `authorization`
    /// keeps only its scheme (`Bearer <redacted>`): the log is safe to print.
    pub headers: Vec<(String, String)>,
    /// The body as (lossy) UTF-8, `None` when empty; cut (at a character
    /// boundary) to the log's body limit.
    pub body: Option<String>,
    /// Whether `body` was cut to the log's limit.
    pub body_truncated: bool,
    /// The response's status code.
    pub status: u16,
}

impl RecordedRequest {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        self.body
            .as_deref()
            .and_then(|body| serde_json::from_str(body).ok())
    }
}

/// How many requests the log keeps by default (the oldest go first).
pub const DEFAULT_REQUEST_LOG: usize = 1000;

/// How much of each request body the log keeps by default: GitHub's own
/// limit for a dispatch payload, so realistic bodies are kept whole.
pub const DEFAULT_RECORDED_BODY: usize = 64 * 1024;

/// The request log: the latest `capacity` requests, each body cut to
/// `body_limit` bytes, so memory stays bounded whatever clients send.
#[derive(Debug)]
pub(crate) struct RequestLog {
    inner: Mutex<LogInner>,
}

#[derive(Debug)]
struct LogInner {
    entries: VecDeque<RecordedRequest>,
    capacity: usize,
    body_limit: usize,
    dropped: u64,
}

impl RequestLog {
    /// An empty log keeping `capacity` requests and `body_limit` bytes of
    /// each body.
    pub(crate) fn new(capacity: usize, body_limit: usize) -> RequestLog {
        RequestLog {
            inner: Mutex::new(LogInner {
                entries: VecDeque::with_capacity(capacity.min(DEFAULT_REQUEST_LOG)),
                capacity,
                body_limit,
                dropped: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Appends `request` (its body cut to the limit), dropping the oldest
    /// entry when full.
    pub(crate) fn push(&self, mut request: RecordedRequest) {
        let mut log = self.lock();
        if let Some(body) = request.body.as_mut()
            && body.len() > log.body_limit
        {
            let mut cut = log.body_limit;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body.truncate(cut);
            body.shrink_to_fit();
            request.body_truncated = true;
        }
        if log.capacity == 0 {
            log.dropped += 1;
            return;
        }
        if log.entries.len() >= log.capacity {
            log.entries.pop_front();
            log.dropped += 1;
        }
        log.entries.push_back(request);
    }

    /// The kept requests, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        self.lock().entries.iter().cloned().collect()
    }

    /// How many requests were dropped to stay within the capacity.
    pub(crate) fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Empties the log (the dropped count stays).
    pub(crate) fn clear(&self) {
        self.lock().entries.clear();
    }
}

/// A repository dispatch event the fake accepted (204).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DispatchEvent {
    /// The repository's owner, as seeded (canonical case).
    pub owner: String,
    /// The repository's name, as seeded (canonical case).
    pub repo: String,
    /// `event_type` as sent.
    pub event_type: String,
    /// `client_payload` as sent; `None` when absent or `null`.
    pub client_payload: Option<Value>,
    /// When the fake accepted it.
    pub received_at: DateTime<Utc>,
}

impl DispatchEvent {
    /// `owner/repo`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }
}

/// A copy of one deployment status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusSnapshot {
    /// The status id.
    pub id: u64,
    /// Its state.
    pub state: DeploymentState,
    /// Its description (empty when none).
    pub description: String,
    /// The deployment's environment when the status was created.
    pub environment: String,
    /// `log_url` (= `target_url`), empty when none.
    pub log_url: String,
    /// `environment_url`, empty when none.
    pub environment_url: String,
    /// The creator's login.
    pub creator: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// A copy of one deployment, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeploymentSnapshot {
    /// The deployment id.
    pub id: u64,
    /// Its current environment (a status may have moved it).
    pub environment: String,
    /// `transient_environment`.
    pub transient_environment: bool,
    /// `production_environment`.
    pub production_environment: bool,
    /// The latest status's state; `None` before the first status.
    pub state: Option<DeploymentState>,
    /// Its statuses, oldest first (the API lists them newest first).
    pub statuses: Vec<StatusSnapshot>,
}

impl From<&Deployment> for DeploymentSnapshot {
    fn from(deployment: &Deployment) -> Self {
        DeploymentSnapshot {
            id: deployment.id,
            environment: deployment.environment.clone(),
            transient_environment: deployment.transient,
            production_environment: deployment.production,
            state: deployment.latest_state(),
            statuses: deployment
                .statuses
                .iter()
                .map(|status| StatusSnapshot {
                    id: status.id,
                    state: status.state,
                    description: status.description.clone(),
                    environment: status.environment.clone(),
                    log_url: status.log_url.clone(),
                    environment_url: status.environment_url.clone(),
                    creator: status.creator.login.clone(),
                    created_at: status.created_at,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(n: usize, body: Option<&str>) -> RecordedRequest {
        RecordedRequest {
            request_id: n.to_string(),
            method: "POST".into(),
            path: "/x".into(),
            query: None,
            headers: Vec::new(),
            body: body.map(str::to_owned),
            body_truncated: false,
            status: 204,
        }
    }

    #[test]
    fn the_log_keeps_the_latest_requests() {
        let log = RequestLog::new(3, 100);
        for n in 0..10 {
            log.push(request(n, None));
        }
        let ids: Vec<String> = log.snapshot().into_iter().map(|r| r.request_id).collect();
        assert_eq!(ids, ["7", "8", "9"]);
        assert_eq!(log.dropped(), 7);
        log.clear();
        assert!(log.snapshot().is_empty());
        let none = RequestLog::new(0, 100);
        none.push(request(1, None));
        assert!(none.snapshot().is_empty());
        assert_eq!(none.dropped(), 1);
    }

    #[test]
    fn bodies_are_cut_at_a_character_boundary() {
        let log = RequestLog::new(10, 4);
        log.push(request(1, Some("abcdef")));
        log.push(request(2, Some("abc")));
        log.push(request(3, Some("ab\u{e9}\u{e9}")));
        let kept = log.snapshot();
        assert_eq!(kept[0].body.as_deref(), Some("abcd"));
        assert!(kept[0].body_truncated);
        assert_eq!(kept[1].body.as_deref(), Some("abc"));
        assert!(!kept[1].body_truncated);
        assert_eq!(kept[2].body.as_deref(), Some("ab\u{e9}"));
    }
}
