//! The in-memory data: repositories, deployments and statuses, and the
//! views of them the HTTP layer renders. Plain data, no rules (those are in
//! [`crate::rules`]) and no request parsing (in [`crate::request`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::repo_settings::RepoSettings;

/// The state of a deployment status (and, through its latest status, of a
/// deployment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentState {
    /// `error`
    Error,
    /// `failure`
    Failure,
    /// `inactive`
    Inactive,
    /// `in_progress`
    InProgress,
    /// `queued`
    Queued,
    /// `pending`
    Pending,
    /// `success`
    Success,
}

impl DeploymentState {
    /// Every state, in the order GitHub's documentation lists them.
    pub const ALL: [DeploymentState; 7] = [
        DeploymentState::Error,
        DeploymentState::Failure,
        DeploymentState::Inactive,
        DeploymentState::InProgress,
        DeploymentState::Queued,
        DeploymentState::Pending,
        DeploymentState::Success,
    ];

    /// The wire name (`"in_progress"`, `"success"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentState::Error => "error",
            DeploymentState::Failure => "failure",
            DeploymentState::Inactive => "inactive",
            DeploymentState::InProgress => "in_progress",
            DeploymentState::Queued => "queued",
            DeploymentState::Pending => "pending",
            DeploymentState::Success => "success",
        }
    }
}

impl fmt::Display for DeploymentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of [`DeploymentState::from_str`]: the text is not one of the
/// seven wire names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown deployment state {0:?} (expected one of error, failure, inactive, in_progress, queued, pending, success)"
)]
pub struct UnknownState(pub String);

impl FromStr for DeploymentState {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeploymentState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

/// The user statuses are attributed to (`creator`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct User {
    pub(crate) login: String,
    pub(crate) id: u64,
}

/// One stored deployment status.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Status {
    pub(crate) id: u64,
    pub(crate) state: DeploymentState,
    pub(crate) description: String,
    /// The deployment's environment when the status was created.
    pub(crate) environment: String,
    /// `target_url` and `log_url` are one value on GitHub (`log_url`
    /// replaced `target_url`); empty when unset.
    pub(crate) log_url: String,
    pub(crate) environment_url: String,
    pub(crate) creator: User,
    pub(crate) created_at: DateTime<Utc>,
}

/// One stored deployment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Deployment {
    pub(crate) id: u64,
    /// The ref as requested (branch, tag or SHA).
    pub(crate) git_ref: String,
    /// The commit the ref pointed to at creation.
    pub(crate) sha: String,
    pub(crate) task: String,
    /// As sent: an object, or a string (GitHub stores what it was given).
    pub(crate) payload: Value,
    /// The environment at creation.
    pub(crate) original_environment: String,
    /// The current environment (a status may move the deployment).
    pub(crate) environment: String,
    /// `None` renders as `null`.
    pub(crate) description: Option<String>,
    pub(crate) transient: bool,
    pub(crate) production: bool,
    pub(crate) creator: User,
    pub(crate) created_at: DateTime<Utc>,
    /// Oldest first (ascending ids).
    pub(crate) statuses: Vec<Status>,
}

impl Deployment {
    /// The state of the latest status, `None` when there is none yet.
    pub(crate) fn latest_state(&self) -> Option<DeploymentState> {
        self.statuses.last().map(|status| status.state)
    }

    /// `updated_at`: the latest status's time, else the creation time.
    pub(crate) fn updated_at(&self) -> DateTime<Utc> {
        self.statuses
            .iter()
            .map(|status| status.created_at)
            .max()
            .map_or(self.created_at, |latest| latest.max(self.created_at))
    }
}

/// One stored repository.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Repo {
    pub(crate) owner: String,
    pub(crate) name: String,
    pub(crate) deployments: BTreeMap<u64, Deployment>,
    /// How creating a deployment turns out (auto-merge, commit statuses).
    pub(crate) settings: RepoSettings,
}

/// A status together with what is needed to render its URLs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StatusView {
    pub(crate) owner: String,
    pub(crate) repo: String,
    pub(crate) deployment_id: u64,
    pub(crate) status: Status,
}

/// One page of a deployment's statuses, newest first.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StatusPage {
    /// The repository's canonical owner and name (for `Link` URLs).
    pub(crate) owner: String,
    pub(crate) repo: String,
    pub(crate) total: usize,
    pub(crate) items: Vec<StatusView>,
}

/// A deployment together with its repository's canonical names (for URLs).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DeploymentView {
    pub(crate) owner: String,
    pub(crate) repo: String,
    pub(crate) deployment: Deployment,
}

/// One page of a repository's deployments, newest first.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DeploymentPage {
    pub(crate) owner: String,
    pub(crate) repo: String,
    /// How many deployments match the filters (all pages).
    pub(crate) total: usize,
    pub(crate) items: Vec<DeploymentView>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    #[test]
    fn state_names_round_trip() {
        for state in DeploymentState::ALL {
            assert_eq!(state.as_str().parse::<DeploymentState>(), Ok(state));
            assert_eq!(serde_json::to_value(state).unwrap(), json!(state.as_str()));
        }
        assert!("done".parse::<DeploymentState>().is_err());
    }
}
