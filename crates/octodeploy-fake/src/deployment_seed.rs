//! What a seeded deployment says about itself beyond its id and
//! environment: ref, SHA, task, payload, description and creation time
//! ([`DeploymentBuilder`]'s methods for them).

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::builder::DeploymentBuilder;

/// The optional parts of a seeded deployment; unset ones take GitHub's
/// defaults (ref `main`, the ref's SHA, task `deploy`, payload `{}`,
/// description `null`, created when the fake starts or at its first
/// status, whichever is earlier).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DeploymentDetails {
    pub(crate) git_ref: Option<String>,
    pub(crate) sha: Option<String>,
    pub(crate) task: Option<String>,
    pub(crate) payload: Option<Value>,
    pub(crate) description: Option<String>,
    pub(crate) created_at: Option<DateTime<Utc>>,
}

impl DeploymentBuilder {
    /// The ref that was deployed (default `main`).
    pub fn git_ref(mut self, name: impl Into<String>) -> DeploymentBuilder {
        self.details.git_ref = Some(name.into());
        self
    }

    /// The commit (default: what the ref resolves to).
    pub fn sha(mut self, sha: impl Into<String>) -> DeploymentBuilder {
        self.details.sha = Some(sha.into());
        self
    }

    /// The task (default `deploy`).
    pub fn task(mut self, task: impl Into<String>) -> DeploymentBuilder {
        self.details.task = Some(task.into());
        self
    }

    /// The payload as GitHub would return it: an object, or a string for
    /// servers that hand the payload back as sent (default `{}`).
    pub fn payload(mut self, payload: Value) -> DeploymentBuilder {
        self.details.payload = Some(payload);
        self
    }

    /// The description (default `null`).
    pub fn description(mut self, text: impl Into<String>) -> DeploymentBuilder {
        self.details.description = Some(text.into());
        self
    }

    /// When it was created.
    pub fn created_at(mut self, at: DateTime<Utc>) -> DeploymentBuilder {
        self.details.created_at = Some(at);
        self
    }
}
