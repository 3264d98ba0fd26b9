//! The in-memory model (repositories, deployments, statuses) and GitHub's
//! rules for the five operations, free of HTTP so that they can be unit
//! tested directly.
//!
//! Everything here works on owned data behind one [`std::sync::Mutex`] held
//! by the server; no method blocks or awaits. Request bodies arrive as parsed
//! [`serde_json::Value`]s and are validated field by field, collecting every
//! problem into one [`ApiError::Validation`], like GitHub does.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// Longest `description` GitHub accepts on a deployment status, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 140;
/// Longest `event_type` GitHub accepts on a repository dispatch, in characters.
pub const MAX_EVENT_TYPE_CHARS: usize = 100;
/// Most top-level properties a dispatch `client_payload` may have.
pub const MAX_CLIENT_PAYLOAD_PROPERTIES: usize = 10;
/// A dispatch `client_payload`, serialized compactly, must be smaller than this.
pub const MAX_CLIENT_PAYLOAD_BYTES: usize = 64 * 1024;

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
    pub(crate) environment: String,
    pub(crate) transient: bool,
    pub(crate) production: bool,
    /// Oldest first (ascending ids).
    pub(crate) statuses: Vec<Status>,
}

impl Deployment {
    /// The state of the latest status, `None` when there is none yet.
    pub(crate) fn latest_state(&self) -> Option<DeploymentState> {
        self.statuses.last().map(|status| status.state)
    }
}

/// One stored repository.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Repo {
    pub(crate) owner: String,
    pub(crate) name: String,
    pub(crate) deployments: BTreeMap<u64, Deployment>,
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

/// One problem in a request body, rendered as an element of GitHub's
/// `errors[]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) resource: &'static str,
    /// GitHub's codes: `missing_field`, `invalid`, `custom`.
    pub(crate) code: &'static str,
    pub(crate) field: &'static str,
    pub(crate) message: Option<String>,
}

/// Why an operation was refused; the HTTP layer maps each to GitHub's status
/// code and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// 404 `Not Found`: unknown repository, deployment or status.
    NotFound,
    /// 422 `Validation Failed` with `errors[]`.
    Validation(Vec<FieldError>),
    /// 422 without `errors[]`: the body is JSON but not an object.
    NotAnObject(String),
    /// 422 from the delete rule.
    ActiveDeployment,
}

/// A validated `POST .../statuses` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewStatus {
    pub(crate) state: DeploymentState,
    /// `log_url`, else `target_url`, else empty.
    pub(crate) log_url: String,
    pub(crate) description: String,
    /// Non-empty: the deployment moves to this environment.
    pub(crate) environment: Option<String>,
    pub(crate) environment_url: String,
    pub(crate) auto_inactive: bool,
}

const STATUS_RESOURCE: &str = "DeploymentStatus";
const DISPATCH_RESOURCE: &str = "RepositoryDispatch";

fn missing(resource: &'static str, field: &'static str) -> FieldError {
    FieldError {
        resource,
        code: "missing_field",
        field,
        message: None,
    }
}

fn invalid(resource: &'static str, field: &'static str, message: String) -> FieldError {
    FieldError {
        resource,
        code: "invalid",
        field,
        message: Some(message),
    }
}

fn custom(resource: &'static str, field: &'static str, message: String) -> FieldError {
    FieldError {
        resource,
        code: "custom",
        field,
        message: Some(message),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An optional string field: absent and `null` are `None`.
fn optional_string(
    body: &serde_json::Map<String, Value>,
    resource: &'static str,
    field: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match body.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => {
            errors.push(invalid(
                resource,
                field,
                format!("{field} is {}, not a string", type_name(other)),
            ));
            None
        }
    }
}

/// An optional URL field: empty is allowed (GitHub's default), anything else
/// must be an absolute `http`/`https` URL.
fn optional_url(
    body: &serde_json::Map<String, Value>,
    field: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = optional_string(body, STATUS_RESOURCE, field, errors)?;
    if text.is_empty() {
        return Some(text);
    }
    match url::Url::parse(&text) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Some(text),
        _ => {
            errors.push(custom(
                STATUS_RESOURCE,
                field,
                format!("{field} must use http(s) scheme"),
            ));
            None
        }
    }
}

fn as_object(body: &Value) -> Result<&serde_json::Map<String, Value>, ApiError> {
    body.as_object()
        .ok_or_else(|| ApiError::NotAnObject(body.to_string()))
}

impl NewStatus {
    /// Validates a create-status body like GitHub: `state` required and one
    /// of the seven states; `description` at most 140 characters; the URL
    /// fields strings with an `http(s)` scheme (or empty); `environment` a
    /// string; `auto_inactive` a boolean (default `true`). Unknown fields are
    /// ignored.
    pub(crate) fn from_json(body: &Value) -> Result<NewStatus, ApiError> {
        let body = as_object(body)?;
        let mut errors = Vec::new();
        let state = match body.get("state") {
            None | Some(Value::Null) => {
                errors.push(missing(STATUS_RESOURCE, "state"));
                None
            }
            Some(Value::String(text)) => match text.parse::<DeploymentState>() {
                Ok(state) => Some(state),
                Err(_) => {
                    errors.push(custom(
                        STATUS_RESOURCE,
                        "state",
                        "state is not included in the list".to_owned(),
                    ));
                    None
                }
            },
            Some(_) => {
                errors.push(custom(
                    STATUS_RESOURCE,
                    "state",
                    "state is not included in the list".to_owned(),
                ));
                None
            }
        };
        let target_url = optional_url(body, "target_url", &mut errors);
        let log_url = optional_url(body, "log_url", &mut errors);
        let environment_url = optional_url(body, "environment_url", &mut errors);
        let description = optional_string(body, STATUS_RESOURCE, "description", &mut errors);
        if let Some(text) = &description
            && text.chars().count() > MAX_DESCRIPTION_CHARS
        {
            errors.push(custom(
                STATUS_RESOURCE,
                "description",
                format!("description is too long (maximum is {MAX_DESCRIPTION_CHARS} characters)"),
            ));
        }
        let environment = optional_string(body, STATUS_RESOURCE, "environment", &mut errors);
        let auto_inactive = match body.get("auto_inactive") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(flag)) => *flag,
            Some(other) => {
                errors.push(invalid(
                    STATUS_RESOURCE,
                    "auto_inactive",
                    format!("auto_inactive is {}, not a boolean", type_name(other)),
                ));
                true
            }
        };
        match state {
            Some(state) if errors.is_empty() => Ok(NewStatus {
                state,
                log_url: log_url
                    .filter(|url| !url.is_empty())
                    .or(target_url)
                    .unwrap_or_default(),
                description: description.unwrap_or_default(),
                environment: environment.filter(|env| !env.is_empty()),
                environment_url: environment_url.unwrap_or_default(),
                auto_inactive,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// A validated `POST .../dispatches` body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewDispatch {
    pub(crate) event_type: String,
    pub(crate) client_payload: Option<Value>,
}

impl NewDispatch {
    /// Validates a dispatch body: `event_type` a string of 1 to 100
    /// characters; `client_payload` (optional, `null` = absent) an object
    /// with at most 10 top-level properties, smaller than 64 KiB serialized.
    pub(crate) fn from_json(body: &Value) -> Result<NewDispatch, ApiError> {
        let body = as_object(body)?;
        let mut errors = Vec::new();
        let event_type = match body.get("event_type") {
            None | Some(Value::Null) => {
                errors.push(missing(DISPATCH_RESOURCE, "event_type"));
                None
            }
            Some(Value::String(text)) => {
                let chars = text.chars().count();
                if chars == 0 {
                    errors.push(custom(
                        DISPATCH_RESOURCE,
                        "event_type",
                        "event_type is too short (minimum is 1 character)".to_owned(),
                    ));
                } else if chars > MAX_EVENT_TYPE_CHARS {
                    errors.push(custom(
                        DISPATCH_RESOURCE,
                        "event_type",
                        format!(
                            "event_type is too long (maximum is {MAX_EVENT_TYPE_CHARS} characters)"
                        ),
                    ));
                }
                Some(text.clone())
            }
            Some(other) => {
                errors.push(invalid(
                    DISPATCH_RESOURCE,
                    "event_type",
                    format!("event_type is {}, not a string", type_name(other)),
                ));
                None
            }
        };
        let client_payload = match body.get("client_payload") {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => {
                if map.len() > MAX_CLIENT_PAYLOAD_PROPERTIES {
                    errors.push(custom(
                        DISPATCH_RESOURCE,
                        "client_payload",
                        format!(
                            "client_payload has {} top-level properties (maximum is {MAX_CLIENT_PAYLOAD_PROPERTIES})",
                            map.len()
                        ),
                    ));
                }
                let payload = Value::Object(map.clone());
                let size = payload.to_string().len();
                if size >= MAX_CLIENT_PAYLOAD_BYTES {
                    errors.push(custom(
                        DISPATCH_RESOURCE,
                        "client_payload",
                        format!(
                            "client_payload is {size} bytes (it must be smaller than {MAX_CLIENT_PAYLOAD_BYTES} bytes)"
                        ),
                    ));
                }
                Some(payload)
            }
            Some(other) => {
                errors.push(invalid(
                    DISPATCH_RESOURCE,
                    "client_payload",
                    format!("client_payload is {}, not an object", type_name(other)),
                ));
                None
            }
        };
        match event_type {
            Some(event_type) if errors.is_empty() => Ok(NewDispatch {
                event_type,
                client_payload,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// The whole server's data.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct State {
    repos: Vec<Repo>,
    /// Deployment ids are unique across the server, like GitHub's.
    deployment_ids: BTreeSet<u64>,
    /// The id the next status gets; never reused, not even after deletion.
    next_status_id: u64,
}

/// Why seed data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// Owner and repository names: 1 to 100 ASCII letters, digits, `-`,
    /// `_` or `.`.
    #[error("{0:?} is not a valid repository owner or name")]
    BadName(String),
    /// Deployment ids are unique across the whole server, like GitHub's.
    #[error("deployment id {0} is used twice (ids are unique across the server)")]
    DuplicateDeployment(u64),
    /// Deployment ids start at 1.
    #[error("deployment id must be positive")]
    ZeroDeployment,
    /// A deployment needs an environment name.
    #[error("deployment {0} has an empty environment")]
    EmptyEnvironment(u64),
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl State {
    /// An empty server; status ids start at 1.
    pub(crate) fn new() -> State {
        State {
            repos: Vec::new(),
            deployment_ids: BTreeSet::new(),
            next_status_id: 1,
        }
    }

    fn find_repo(&self, owner: &str, repo: &str) -> Option<usize> {
        // GitHub matches owner and repository names case-insensitively.
        self.repos
            .iter()
            .position(|r| r.owner.eq_ignore_ascii_case(owner) && r.name.eq_ignore_ascii_case(repo))
    }

    /// Adds an empty repository, or returns the index of the existing one
    /// (names compared case-insensitively).
    pub(crate) fn add_repo(&mut self, owner: &str, name: &str) -> Result<usize, SeedError> {
        for part in [owner, name] {
            if !valid_name(part) {
                return Err(SeedError::BadName(part.to_owned()));
            }
        }
        if let Some(index) = self.find_repo(owner, name) {
            return Ok(index);
        }
        self.repos.push(Repo {
            owner: owner.to_owned(),
            name: name.to_owned(),
            deployments: BTreeMap::new(),
        });
        Ok(self.repos.len() - 1)
    }

    /// Adds a deployment without statuses to the repository at `repo_index`.
    pub(crate) fn add_deployment(
        &mut self,
        repo_index: usize,
        id: u64,
        environment: &str,
        transient: bool,
        production: bool,
    ) -> Result<(), SeedError> {
        if id == 0 {
            return Err(SeedError::ZeroDeployment);
        }
        if environment.is_empty() {
            return Err(SeedError::EmptyEnvironment(id));
        }
        if self.deployment_ids.contains(&id) {
            return Err(SeedError::DuplicateDeployment(id));
        }
        let Some(repo) = self.repos.get_mut(repo_index) else {
            return Err(SeedError::BadName(format!("#{repo_index}")));
        };
        repo.deployments.insert(
            id,
            Deployment {
                id,
                environment: environment.to_owned(),
                transient,
                production,
                statuses: Vec::new(),
            },
        );
        self.deployment_ids.insert(id);
        Ok(())
    }

    fn take_status_id(&mut self) -> u64 {
        let id = self.next_status_id;
        self.next_status_id += 1;
        id
    }

    /// Appends a status as it is, without `auto_inactive` (seeding).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_seed_status(
        &mut self,
        repo_index: usize,
        deployment_id: u64,
        state: DeploymentState,
        description: String,
        log_url: String,
        environment_url: String,
        creator: &User,
        created_at: DateTime<Utc>,
    ) -> Option<u64> {
        let id = self.take_status_id();
        let deployment = self
            .repos
            .get_mut(repo_index)?
            .deployments
            .get_mut(&deployment_id)?;
        deployment.statuses.push(Status {
            id,
            state,
            description,
            environment: deployment.environment.clone(),
            log_url,
            environment_url,
            creator: creator.clone(),
            created_at,
        });
        Some(id)
    }

    fn repo(&self, owner: &str, repo: &str) -> Result<&Repo, ApiError> {
        self.find_repo(owner, repo)
            .and_then(|index| self.repos.get(index))
            .ok_or(ApiError::NotFound)
    }

    fn deployment(
        &self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
    ) -> Result<(&Repo, &Deployment), ApiError> {
        let repo = self.repo(owner, repo)?;
        let deployment = repo
            .deployments
            .get(&deployment_id)
            .ok_or(ApiError::NotFound)?;
        Ok((repo, deployment))
    }

    fn view(repo: &Repo, deployment_id: u64, status: &Status) -> StatusView {
        StatusView {
            owner: repo.owner.clone(),
            repo: repo.name.clone(),
            deployment_id,
            status: status.clone(),
        }
    }

    /// `GET .../statuses`: one page, newest first. `page` counts from 1.
    pub(crate) fn list_statuses(
        &self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
        per_page: usize,
        page: usize,
    ) -> Result<StatusPage, ApiError> {
        let (repo, deployment) = self.deployment(owner, repo, deployment_id)?;
        let skip = page.saturating_sub(1).saturating_mul(per_page);
        let items = deployment
            .statuses
            .iter()
            .rev()
            .skip(skip)
            .take(per_page)
            .map(|status| Self::view(repo, deployment_id, status))
            .collect();
        Ok(StatusPage {
            owner: repo.owner.clone(),
            repo: repo.name.clone(),
            total: deployment.statuses.len(),
            items,
        })
    }

    /// `GET .../statuses/{status_id}`.
    pub(crate) fn get_status(
        &self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
        status_id: u64,
    ) -> Result<StatusView, ApiError> {
        let (repo, deployment) = self.deployment(owner, repo, deployment_id)?;
        let status = deployment
            .statuses
            .iter()
            .find(|status| status.id == status_id)
            .ok_or(ApiError::NotFound)?;
        Ok(Self::view(repo, deployment_id, status))
    }

    /// `POST .../statuses`: appends the status, moves the deployment to the
    /// status's `environment` when one is given, then applies
    /// `auto_inactive`: on `success`, every *other* deployment of the same
    /// repository in the same environment that is neither transient nor
    /// production and whose latest state is `success` gets a new `inactive`
    /// status (ids after the new status's).
    pub(crate) fn create_status(
        &mut self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
        new: NewStatus,
        creator: &User,
        now: DateTime<Utc>,
    ) -> Result<StatusView, ApiError> {
        let repo_index = self.find_repo(owner, repo).ok_or(ApiError::NotFound)?;
        let exists = self
            .repos
            .get(repo_index)
            .is_some_and(|r| r.deployments.contains_key(&deployment_id));
        if !exists {
            return Err(ApiError::NotFound);
        }
        let id = self.take_status_id();
        let Some(repo) = self.repos.get_mut(repo_index) else {
            return Err(ApiError::NotFound);
        };
        let Some(deployment) = repo.deployments.get_mut(&deployment_id) else {
            return Err(ApiError::NotFound);
        };
        if let Some(environment) = new.environment {
            deployment.environment = environment;
        }
        let status = Status {
            id,
            state: new.state,
            description: new.description,
            environment: deployment.environment.clone(),
            log_url: new.log_url,
            environment_url: new.environment_url,
            creator: creator.clone(),
            created_at: now,
        };
        deployment.statuses.push(status.clone());
        let environment = deployment.environment.clone();

        if new.state == DeploymentState::Success && new.auto_inactive {
            let superseded: Vec<u64> = repo
                .deployments
                .values()
                .filter(|other| {
                    other.id != deployment_id
                        && other.environment == environment
                        && !other.transient
                        && !other.production
                        && other.latest_state() == Some(DeploymentState::Success)
                })
                .map(|other| other.id)
                .collect();
            for other_id in superseded {
                let inactive_id = self.next_status_id;
                self.next_status_id += 1;
                if let Some(other) = self
                    .repos
                    .get_mut(repo_index)
                    .and_then(|r| r.deployments.get_mut(&other_id))
                {
                    other.statuses.push(Status {
                        id: inactive_id,
                        state: DeploymentState::Inactive,
                        description: String::new(),
                        environment: other.environment.clone(),
                        log_url: String::new(),
                        environment_url: String::new(),
                        creator: creator.clone(),
                        created_at: now,
                    });
                }
            }
        }
        let repo = self.repos.get(repo_index).ok_or(ApiError::NotFound)?;
        Ok(Self::view(repo, deployment_id, &status))
    }

    /// `DELETE .../deployments/{id}`: a repository's only deployment can be
    /// deleted whatever its state; with several, only one whose latest
    /// status is `inactive`. Its statuses go with it.
    pub(crate) fn delete_deployment(
        &mut self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
    ) -> Result<(), ApiError> {
        let repo_index = self.find_repo(owner, repo).ok_or(ApiError::NotFound)?;
        let repo = self.repos.get_mut(repo_index).ok_or(ApiError::NotFound)?;
        let deployment = repo
            .deployments
            .get(&deployment_id)
            .ok_or(ApiError::NotFound)?;
        if repo.deployments.len() > 1
            && deployment.latest_state() != Some(DeploymentState::Inactive)
        {
            return Err(ApiError::ActiveDeployment);
        }
        repo.deployments.remove(&deployment_id);
        // The id stays taken: GitHub never hands out a deployment id twice.
        Ok(())
    }

    /// Whether the deployment exists (checked before a body is validated,
    /// as GitHub answers 404 before 422).
    pub(crate) fn has_deployment(&self, owner: &str, repo: &str, deployment_id: u64) -> bool {
        self.deployment(owner, repo, deployment_id).is_ok()
    }

    /// `POST .../dispatches`: the repository's canonical `(owner, name)`.
    pub(crate) fn dispatch_target(
        &self,
        owner: &str,
        repo: &str,
    ) -> Result<(String, String), ApiError> {
        let repo = self.repo(owner, repo)?;
        Ok((repo.owner.clone(), repo.name.clone()))
    }

    /// A copy of one deployment, for inspection from tests.
    pub(crate) fn find_deployment(
        &self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
    ) -> Option<Deployment> {
        self.deployment(owner, repo, deployment_id)
            .ok()
            .map(|(_, deployment)| deployment.clone())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde_json::json;

    fn user() -> User {
        User {
            login: "octocat".into(),
            id: 1,
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn status(state: &str) -> NewStatus {
        NewStatus::from_json(&json!({ "state": state })).unwrap()
    }

    fn state_with(deployments: &[(u64, &str, bool, bool)]) -> State {
        let mut state = State::new();
        let repo = state.add_repo("octo-org", "app").unwrap();
        for (id, env, transient, production) in deployments {
            state
                .add_deployment(repo, *id, env, *transient, *production)
                .unwrap();
        }
        state
    }

    fn latest(state: &State, id: u64) -> Option<DeploymentState> {
        state
            .find_deployment("octo-org", "app", id)
            .unwrap()
            .latest_state()
    }

    #[test]
    fn state_names_round_trip() {
        for state in DeploymentState::ALL {
            assert_eq!(state.as_str().parse::<DeploymentState>(), Ok(state));
            assert_eq!(serde_json::to_value(state).unwrap(), json!(state.as_str()));
        }
        assert!("done".parse::<DeploymentState>().is_err());
    }

    #[test]
    fn status_ids_increase_across_deployments() {
        let mut state = state_with(&[(1, "staging", false, false), (2, "qa", false, false)]);
        let a = state
            .create_status("octo-org", "app", 1, status("pending"), &user(), now())
            .unwrap();
        let b = state
            .create_status("octo-org", "app", 2, status("pending"), &user(), now())
            .unwrap();
        let c = state
            .create_status("OCTO-ORG", "App", 1, status("queued"), &user(), now())
            .unwrap();
        assert_eq!(
            (a.status.id, b.status.id, c.status.id),
            (1, 2, 3),
            "ids are global and owner/repo match case-insensitively"
        );
        assert_eq!(c.owner, "octo-org");
    }

    #[test]
    fn validation_collects_every_problem() {
        let err = NewStatus::from_json(&json!({
            "state": "done",
            "description": "x".repeat(141),
            "log_url": "ftp://example.com",
            "auto_inactive": "yes",
        }))
        .unwrap_err();
        let ApiError::Validation(errors) = err else {
            panic!("expected validation errors")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["state", "log_url", "description", "auto_inactive"]);
    }

    #[test]
    fn description_limit_counts_characters_not_bytes() {
        let ok = NewStatus::from_json(&json!({"state": "success", "description": "é".repeat(140)}));
        assert!(ok.is_ok());
        let missing = NewStatus::from_json(&json!({"description": "x"})).unwrap_err();
        assert_eq!(
            missing,
            ApiError::Validation(vec![FieldError {
                resource: "DeploymentStatus",
                code: "missing_field",
                field: "state",
                message: None
            }])
        );
    }

    #[test]
    fn log_url_sets_target_url_and_environment_moves_the_deployment() {
        let mut state = state_with(&[(1, "staging", false, false)]);
        let new = NewStatus::from_json(&json!({
            "state": "in_progress",
            "target_url": "https://old.example.com",
            "log_url": "https://ci.example.com/1",
            "environment": "qa",
        }))
        .unwrap();
        let view = state
            .create_status("octo-org", "app", 1, new, &user(), now())
            .unwrap();
        assert_eq!(view.status.log_url, "https://ci.example.com/1");
        assert_eq!(view.status.environment, "qa");
        let only_target = NewStatus::from_json(&json!({
            "state": "queued", "target_url": "https://old.example.com"
        }))
        .unwrap();
        assert_eq!(only_target.log_url, "https://old.example.com");
    }

    #[test]
    fn auto_inactive_marks_other_successful_plain_deployments() {
        let mut state = state_with(&[
            (1, "staging", false, false), // success → inactive
            (2, "staging", true, false),  // transient: untouched
            (3, "staging", false, true),  // production flag: untouched
            (4, "staging", false, false), // failure: untouched
            (5, "qa", false, false),      // other environment: untouched
            (6, "staging", false, false), // the new one
        ]);
        // Set up without auto_inactive, so that only the last success acts.
        let quiet =
            NewStatus::from_json(&json!({"state": "success", "auto_inactive": false})).unwrap();
        for id in [1, 2, 3, 5] {
            state
                .create_status("octo-org", "app", id, quiet.clone(), &user(), now())
                .unwrap();
        }
        state
            .create_status("octo-org", "app", 4, status("failure"), &user(), now())
            .unwrap();
        let created = state
            .create_status("octo-org", "app", 6, status("success"), &user(), now())
            .unwrap();
        assert_eq!(latest(&state, 1), Some(DeploymentState::Inactive));
        let inactive = state.find_deployment("octo-org", "app", 1).unwrap();
        assert!(inactive.statuses.last().unwrap().id > created.status.id);
        assert_eq!(latest(&state, 2), Some(DeploymentState::Success));
        assert_eq!(latest(&state, 3), Some(DeploymentState::Success));
        assert_eq!(latest(&state, 4), Some(DeploymentState::Failure));
        assert_eq!(latest(&state, 5), Some(DeploymentState::Success));
        assert_eq!(latest(&state, 6), Some(DeploymentState::Success));
    }

    #[test]
    fn auto_inactive_false_and_non_success_leave_others_alone() {
        let mut state = state_with(&[(1, "staging", false, false), (2, "staging", false, false)]);
        state
            .create_status("octo-org", "app", 1, status("success"), &user(), now())
            .unwrap();
        let quiet =
            NewStatus::from_json(&json!({"state": "success", "auto_inactive": false})).unwrap();
        state
            .create_status("octo-org", "app", 2, quiet, &user(), now())
            .unwrap();
        state
            .create_status("octo-org", "app", 2, status("in_progress"), &user(), now())
            .unwrap();
        assert_eq!(latest(&state, 1), Some(DeploymentState::Success));
    }

    #[test]
    fn delete_rule() {
        let mut state = state_with(&[(1, "staging", false, false), (2, "production", false, true)]);
        assert_eq!(
            state.delete_deployment("octo-org", "app", 1),
            Err(ApiError::ActiveDeployment),
            "no status yet counts as active"
        );
        state
            .create_status("octo-org", "app", 1, status("failure"), &user(), now())
            .unwrap();
        assert_eq!(
            state.delete_deployment("octo-org", "app", 1),
            Err(ApiError::ActiveDeployment)
        );
        state
            .create_status("octo-org", "app", 1, status("inactive"), &user(), now())
            .unwrap();
        assert_eq!(state.delete_deployment("octo-org", "app", 1), Ok(()));
        assert_eq!(
            state.delete_deployment("octo-org", "app", 1),
            Err(ApiError::NotFound)
        );
        state
            .create_status("octo-org", "app", 2, status("success"), &user(), now())
            .unwrap();
        assert_eq!(
            state.delete_deployment("octo-org", "app", 2),
            Ok(()),
            "the only one"
        );
        assert!(state.find_deployment("octo-org", "app", 2).is_none());
    }

    #[test]
    fn dispatch_validation() {
        assert!(NewDispatch::from_json(&json!({"event_type": "deploy"})).is_ok());
        for bad in [
            json!({}),
            json!({"event_type": ""}),
            json!({"event_type": "x".repeat(101)}),
            json!({"event_type": 3}),
            json!({"event_type": "a", "client_payload": []}),
            json!({"event_type": "a", "client_payload": (0..11).map(|i| (i.to_string(), json!(i))).collect::<serde_json::Map<_, _>>()}),
            json!({"event_type": "a", "client_payload": {"blob": "x".repeat(MAX_CLIENT_PAYLOAD_BYTES)}}),
        ] {
            assert!(
                matches!(NewDispatch::from_json(&bad), Err(ApiError::Validation(_))),
                "{bad:.80}"
            );
        }
        assert!(matches!(
            NewDispatch::from_json(&json!([1])),
            Err(ApiError::NotAnObject(_))
        ));
    }

    #[test]
    fn seeding_merges_repos_and_rejects_duplicate_ids() {
        let mut state = State::new();
        let repo = state.add_repo("octo-org", "app").unwrap();
        assert_eq!(state.add_repo("Octo-Org", "APP"), Ok(repo));
        assert!(state.add_repo("octo org", "app").is_err());
        state.add_deployment(repo, 7, "qa", false, false).unwrap();
        let other = state.add_repo("octo-org", "other").unwrap();
        assert_eq!(
            state.add_deployment(other, 7, "qa", false, false),
            Err(SeedError::DuplicateDeployment(7))
        );
    }
}
