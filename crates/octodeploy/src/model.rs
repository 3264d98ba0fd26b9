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
        // A match, not a search of `KNOWN`: one length and byte comparison
        // per status decoded (the names are `as_str`'s; a test holds the two
        // together).
        match s {
            "error" => State::Error,
            "failure" => State::Failure,
            "inactive" => State::Inactive,
            "in_progress" => State::InProgress,
            "queued" => State::Queued,
            "pending" => State::Pending,
            "success" => State::Success,
            other => State::Other(other.to_owned()),
        }
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
        /// Borrows the name when it can: a known state costs no allocation.
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = State;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a deployment status state")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<State, E> {
                Ok(State::from(s))
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<State, E> {
                Ok(match State::from(s.as_str()) {
                    State::Other(_) => State::Other(s),
                    known => known,
                })
            }
        }
        d.deserialize_str(Name)
    }
}

#[cfg(feature = "schemars")]
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
/// Fields that GHES 2.x/3.0 omit (or send as `""` or `null`) are `None`;
/// fields newer servers add are ignored. It deserializes from GitHub's JSON
/// directly (this is how the client decodes it), so tests can build one
/// with `serde_json::from_value(json!({...}))`; the required fields are
/// `id`, `url`, `state`, `created_at`, `updated_at`, `deployment_url` and
/// `repository_url`, as in GitHub's contract. It serializes with these
/// field names (what the CLI prints as JSON) and reads that back too.
///
/// The generated client's type stays reachable through [`crate::api`] for
/// those who want the contract's shape; `From<api::types::DeploymentStatus>`
/// converts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeploymentStatus {
    /// The status id.
    pub id: i64,
    /// The GraphQL node id (absent on old GHES).
    #[serde(default, deserialize_with = "non_empty")]
    pub node_id: Option<String>,
    /// The status's API URL.
    pub url: String,
    /// The state.
    pub state: State,
    /// Who created it (`None` for deleted users and old servers).
    #[serde(default)]
    pub creator: Option<User>,
    /// The description (`None` when empty).
    #[serde(default, deserialize_with = "non_empty")]
    pub description: Option<String>,
    /// The environment name (absent on GHES 3.0 without previews).
    #[serde(default, deserialize_with = "non_empty")]
    pub environment: Option<String>,
    /// The deprecated target URL.
    #[serde(default, deserialize_with = "non_empty")]
    pub target_url: Option<String>,
    /// The log URL.
    #[serde(default, deserialize_with = "non_empty")]
    pub log_url: Option<String>,
    /// The environment's URL.
    #[serde(default, deserialize_with = "non_empty")]
    pub environment_url: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last updated.
    pub updated_at: DateTime<Utc>,
    /// The deployment's API URL.
    pub deployment_url: String,
    /// The repository's API URL.
    pub repository_url: String,
    /// The GitHub App that created it, if any (rare: boxed, so the common
    /// status stays small).
    #[serde(default)]
    pub performed_via_github_app: Option<Box<App>>,
}

/// A GitHub user (or, for an app's owner on newer servers, an enterprise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The numeric id.
    pub id: i64,
    /// The login (absent for enterprise owners).
    #[serde(default)]
    pub login: Option<String>,
    /// The GraphQL node id.
    #[serde(default)]
    pub node_id: Option<String>,
    /// `User`, `Bot` or `Organization` (GitHub's `type`).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The profile page.
    #[serde(default)]
    pub html_url: Option<String>,
    /// The avatar.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Whether the user is a site administrator.
    #[serde(default)]
    pub site_admin: Option<bool>,
}

/// A GitHub App that acted on a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct App {
    /// The numeric id.
    pub id: i64,
    /// The URL-friendly name.
    #[serde(default)]
    pub slug: Option<String>,
    /// The name.
    pub name: String,
    /// Who owns it.
    #[serde(default)]
    pub owner: Option<User>,
    /// Its page.
    #[serde(default)]
    pub html_url: Option<String>,
}

/// `null`, absent and `""` are all "not set".
fn non_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

/// GitHub's largest page (`per_page` is at most 100): a page's buffer is
/// sized for it once instead of growing while it is decoded.
pub(crate) const MAX_PER_PAGE: usize = 100;

/// A page body: a JSON array of statuses decoded into a buffer sized once
/// (a server sending more than [`MAX_PER_PAGE`] still decodes; the body-size
/// cap bounds it).
#[derive(Debug)]
pub(crate) struct StatusPage(pub(crate) Vec<DeploymentStatus>);

impl<'de> Deserialize<'de> for StatusPage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Items;
        impl<'de> serde::de::Visitor<'de> for Items {
            type Value = StatusPage;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of deployment statuses")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<StatusPage, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).max(MAX_PER_PAGE));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(StatusPage(items))
            }
        }
        d.deserialize_seq(Items)
    }
}

impl From<types::DeploymentStatus> for DeploymentStatus {
    /// Moves the generated value's fields (nothing is copied).
    fn from(raw: types::DeploymentStatus) -> Self {
        let some = |s: String| (!s.is_empty()).then_some(s);
        DeploymentStatus {
            id: raw.id,
            node_id: raw.node_id.filter(|s| !s.is_empty()),
            url: raw.url,
            state: match State::from(raw.state.as_str()) {
                State::Other(_) => State::Other(raw.state),
                known => known,
            },
            creator: raw.creator.and_then(|c| c.0).map(User::from),
            description: some(raw.description),
            environment: some(raw.environment),
            target_url: some(raw.target_url),
            log_url: some(raw.log_url),
            environment_url: some(raw.environment_url),
            created_at: raw.created_at,
            updated_at: raw.updated_at,
            deployment_url: raw.deployment_url,
            repository_url: raw.repository_url,
            performed_via_github_app: raw
                .performed_via_github_app
                .and_then(|a| a.0)
                .map(|a| Box::new(App::from(a))),
        }
    }
}

impl From<types::SimpleUser> for User {
    fn from(u: types::SimpleUser) -> Self {
        User {
            id: u.id,
            login: u.login,
            node_id: u.node_id,
            kind: u.type_,
            html_url: u.html_url,
            avatar_url: u.avatar_url,
            site_admin: u.site_admin,
        }
    }
}

impl From<types::GitHubApp> for App {
    fn from(a: types::GitHubApp) -> Self {
        App {
            id: a.id,
            slug: a.slug,
            name: a.name,
            owner: a.owner.and_then(|o| o.0).map(User::from),
            html_url: a.html_url,
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
            assert_eq!(State::from(s.as_str()), s, "from and as_str disagree");
            assert_eq!(
                s.to_request().map(|r| r.to_string()).as_deref(),
                Some(s.as_str())
            );
        }
    }

    fn minimal() -> serde_json::Value {
        serde_json::json!({
            "url": "https://ghe.example.com/api/v3/repos/o/r/deployments/1/statuses/7",
            "id": 7,
            "state": "success",
            "created_at": "2021-01-02T03:04:05Z",
            "updated_at": "2021-01-02T03:04:05Z",
            "deployment_url": "https://ghe.example.com/api/v3/repos/o/r/deployments/1",
            "repository_url": "https://ghe.example.com/api/v3/repos/o/r"
        })
    }

    #[test]
    fn decodes_what_old_servers_send() {
        // GHES 3.0 without previews: no node_id, environment, log_url...
        let s: DeploymentStatus = serde_json::from_value(minimal()).unwrap();
        assert_eq!((s.id, s.state.clone()), (7, State::Success));
        assert!(s.node_id.is_none() && s.environment.is_none() && s.creator.is_none());
        // ...or sends them empty or null.
        let mut v = minimal();
        for (k, x) in [
            ("node_id", serde_json::json!("")),
            ("description", serde_json::json!("")),
            ("environment", serde_json::Value::Null),
            ("creator", serde_json::Value::Null),
            ("performed_via_github_app", serde_json::Value::Null),
        ] {
            v[k] = x;
        }
        let t: DeploymentStatus = serde_json::from_value(v).unwrap();
        assert_eq!(t, s);
    }

    #[test]
    fn decodes_what_new_servers_add() {
        let mut v = minimal();
        v["state"] = "waiting".into();
        v["brand_new_field"] = serde_json::json!({"nested": [1, 2]});
        v["creator"] = serde_json::json!({"id": 1, "login": "hubot", "type": "Bot", "new": true});
        v["performed_via_github_app"] =
            serde_json::json!({"id": 3, "name": "Deployer", "owner": null, "pem": "secret"});
        let s: DeploymentStatus = serde_json::from_value(v).unwrap();
        assert_eq!(s.state, State::Other("waiting".into()));
        let creator = s.creator.as_ref().unwrap();
        assert_eq!(
            (creator.login.as_deref(), creator.kind.as_deref()),
            (Some("hubot"), Some("Bot"))
        );
        assert_eq!(
            s.performed_via_github_app.as_ref().map(|a| a.name.as_str()),
            Some("Deployer")
        );
        assert!(!format!("{s:?}").contains("secret"));
    }

    #[test]
    fn required_fields_are_required() {
        for field in [
            "id",
            "url",
            "state",
            "created_at",
            "updated_at",
            "deployment_url",
            "repository_url",
        ] {
            let mut v = minimal();
            v.as_object_mut().unwrap().remove(field);
            let e = serde_json::from_value::<DeploymentStatus>(v).unwrap_err();
            assert!(e.to_string().contains(field), "{field}: {e}");
        }
    }

    #[test]
    fn an_escaped_state_still_decodes() {
        let s: State = serde_json::from_str(r#""in\u005fprogress""#).unwrap();
        assert_eq!(s, State::InProgress);
        let s: State = serde_json::from_str(r#""wait\u0069ng""#).unwrap();
        assert_eq!(s, State::Other("waiting".into()));
    }

    #[test]
    fn a_page_buffer_is_sized_once() {
        let page: StatusPage = serde_json::from_str("[]").unwrap();
        assert!(page.0.capacity() >= MAX_PER_PAGE);
        let body = format!("[{}]", vec![minimal().to_string(); 3].join(","));
        let page: StatusPage = serde_json::from_str(&body).unwrap();
        assert_eq!(page.0.len(), 3);
        assert!(serde_json::from_str::<StatusPage>("{}").is_err());
    }

    #[test]
    fn stays_small() {
        // The generated type is 1,696 bytes; moving a status must stay cheap.
        assert!(
            std::mem::size_of::<DeploymentStatus>() <= 512,
            "{}",
            std::mem::size_of::<DeploymentStatus>()
        );
    }
}
