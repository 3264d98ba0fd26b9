//! What tests can read back from a running fake: the request log, the log
//! of received dispatch events, and snapshots of deployments.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::state::{Deployment, DeploymentState};

/// One request as the fake received it, with the status it answered.
///
/// Every request is recorded, including those answered by a fault, a 401 or
/// a 404, in arrival order (a request is recorded when its response is
/// ready).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The `x-github-request-id` the fake answered with.
    pub request_id: String,
    /// `GET`, `POST`, `DELETE`, …
    pub method: String,
    /// The path as sent, including a `/api/v3` prefix.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// The request's headers, names in lower case, in order. `authorization`
    /// keeps only its scheme (`Bearer <redacted>`): the log is safe to print.
    pub headers: Vec<(String, String)>,
    /// The body as (lossy) UTF-8, `None` when empty.
    pub body: Option<String>,
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
