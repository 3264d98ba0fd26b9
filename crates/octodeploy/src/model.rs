//! What GitHub returns, shaped for people: deployment statuses with a state
//! that tolerates values this crate does not know, and `None` for what older
//! servers omit.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use octodeploy_api::types;
use serde::{Deserialize, Serialize};

/// A deployment status's state.
///
/// Servers add states over time; one this crate does not know decodes as
/// [`State::Other`] instead of failing. Only the known states can be sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// The deployment failed with an error.
    Error,
    /// The deployment failed.
    Failure,
    /// The deployment is no longer active (replaced or torn down).
    Inactive,
    /// The deployment is running.
    InProgress,
    /// The deployment is waiting to run.
    Queued,
    /// The deployment has been requested.
    Pending,
    /// The deployment succeeded.
    Success,
    /// A state this version of the crate does not know.
    Other(String),
}

impl State {
    /// Every state this crate can send, in GitHub's documentation order.
    pub const KNOWN: [State; 7] = [
        State::Error,
        State::Failure,
        State::Inactive,
        State::InProgress,
        State::Queued,
        State::Pending,
        State::Success,
    ];

    /// GitHub's name for the state.
    pub fn as_str(&self) -> &str {
        match self {
            State::Error => "error",
            State::Failure => "failure",
            State::Inactive => "inactive",
            State::InProgress => "in_progress",
            State::Queued => "queued",
            State::Pending => "pending",
            State::Success => "success",
            State::Other(s) => s,
        }
    }

    /// Whether a deployment in this state has finished (successfully or not).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            State::Error | State::Failure | State::Inactive | State::Success
        )
    }

    pub(crate) fn to_request(&self) -> Option<types::ReposCreateDeploymentStatusBodyState> {
        use types::ReposCreateDeploymentStatusBodyState as S;
        Some(match self {
            State::Error => S::Error,
            State::Failure => S::Failure,
            State::Inactive => S::Inactive,
            State::InProgress => S::InProgress,
            State::Queued => S::Queued,
            State::Pending => S::Pending,
            State::Success => S::Success,
            State::Other(_) => return None,
        })
    }
}

impl From<&str> for State {
    fn from(s: &str) -> Self {
        State::KNOWN
            .iter()
            .find(|k| k.as_str() == s)
            .cloned()
            .unwrap_or_else(|| State::Other(s.to_owned()))
    }
}

impl FromStr for State {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(State::from(s))
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for State {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(State::from(String::deserialize(d)?.as_str()))
    }
}

impl schemars::JsonSchema for State {
    fn schema_name() -> String {
        "State".into()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            enum_values: Some(
                State::KNOWN
                    .iter()
                    .map(|s| serde_json::Value::String(s.as_str().to_owned()))
                    .collect(),
            ),
            ..Default::default()
        }
        .into()
    }
}

/// A deployment status as GitHub returns it.
///
/// Fields that GHES 2.x/3.0 omit (or send as `""`) are `None`; fields newer
/// servers add are ignored. The generated type is kept in [`Self::raw`].
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct DeploymentStatus {
    /// The status id.
    pub id: i64,
    /// The GraphQL node id (absent on old GHES).
    pub node_id: Option<String>,
    /// The status's API URL.
    pub url: String,
    /// The state.
    pub state: State,
    /// Who created it (`None` for deleted users and old servers).
    pub creator: Option<User>,
    /// The description (`None` when empty).
    pub description: Option<String>,
    /// The environment name (absent on GHES 3.0 without previews).
    pub environment: Option<String>,
    /// The deprecated target URL.
    pub target_url: Option<String>,
    /// The log URL.
    pub log_url: Option<String>,
    /// The environment's URL.
    pub environment_url: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last updated.
    pub updated_at: DateTime<Utc>,
    /// The deployment's API URL.
    pub deployment_url: String,
    /// The repository's API URL.
    pub repository_url: String,
    /// The GitHub App that created it, if any.
    pub performed_via_github_app: Option<App>,
    /// The body as the generated client decoded it.
    #[serde(skip)]
    pub raw: types::DeploymentStatus,
}

/// A GitHub user (or, for an app's owner on newer servers, an enterprise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct User {
    /// The numeric id.
    pub id: i64,
    /// The login (absent for enterprise owners).
    pub login: Option<String>,
    /// The GraphQL node id.
    pub node_id: Option<String>,
    /// `User`, `Bot` or `Organization` (GitHub's `type`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The profile page.
    pub html_url: Option<String>,
    /// The avatar.
    pub avatar_url: Option<String>,
    /// Whether the user is a site administrator.
    pub site_admin: Option<bool>,
}

/// A GitHub App that acted on a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct App {
    /// The numeric id.
    pub id: i64,
    /// The URL-friendly name.
    pub slug: Option<String>,
    /// The name.
    pub name: String,
    /// Who owns it.
    pub owner: Option<User>,
    /// Its page.
    pub html_url: Option<String>,
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

impl From<types::DeploymentStatus> for DeploymentStatus {
    fn from(raw: types::DeploymentStatus) -> Self {
        DeploymentStatus {
            id: raw.id,
            node_id: raw.node_id.clone().filter(|s| !s.is_empty()),
            url: raw.url.clone(),
            state: State::from(raw.state.as_str()),
            creator: raw
                .creator
                .as_ref()
                .and_then(|c| c.0.as_ref())
                .map(User::from),
            description: non_empty(&raw.description),
            environment: non_empty(&raw.environment),
            target_url: non_empty(&raw.target_url),
            log_url: non_empty(&raw.log_url),
            environment_url: non_empty(&raw.environment_url),
            created_at: raw.created_at,
            updated_at: raw.updated_at,
            deployment_url: raw.deployment_url.clone(),
            repository_url: raw.repository_url.clone(),
            performed_via_github_app: raw
                .performed_via_github_app
                .as_ref()
                .and_then(|a| a.0.as_ref())
                .map(App::from),
            raw,
        }
    }
}

impl From<&types::SimpleUser> for User {
    fn from(u: &types::SimpleUser) -> Self {
        User {
            id: u.id,
            login: u.login.clone(),
            node_id: u.node_id.clone(),
            kind: u.type_.clone(),
            html_url: u.html_url.clone(),
            avatar_url: u.avatar_url.clone(),
            site_admin: u.site_admin,
        }
    }
}

impl From<&types::GitHubApp> for App {
    fn from(a: &types::GitHubApp) -> Self {
        App {
            id: a.id,
            slug: a.slug.clone(),
            name: a.name.clone(),
            owner: a.owner.as_ref().and_then(|o| o.0.as_ref()).map(User::from),
            html_url: a.html_url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_states_are_kept() {
        assert_eq!(State::from("in_progress"), State::InProgress);
        assert_eq!(State::from("waiting"), State::Other("waiting".into()));
        assert_eq!(State::from("waiting").to_string(), "waiting");
        assert!(State::Other("x".into()).to_request().is_none());
        for s in State::KNOWN {
            assert_eq!(
                s.to_request().map(|r| r.to_string()).as_deref(),
                Some(s.as_str())
            );
        }
    }
}
