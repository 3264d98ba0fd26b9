//! Reading request bodies and queries the way GitHub does: every problem in
//! a body is collected into one answer, unknown fields are ignored.
//! Create-status and dispatch bodies are checked field by field
//! (`Validation Failed` with `errors[]`); a create-deployment body is
//! checked against its JSON schema (`Invalid request.` with one line per
//! problem), as GitHub answers for that operation.

use serde_json::{Map, Value};

use crate::api_error::{ApiError, FieldError, custom, invalid, missing, type_name};
use crate::model::DeploymentState;

/// Longest `description` GitHub accepts on a deployment status, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 140;
/// Longest `event_type` GitHub accepts on a repository dispatch, in characters.
pub const MAX_EVENT_TYPE_CHARS: usize = 100;
/// Most top-level properties a dispatch `client_payload` may have.
pub const MAX_CLIENT_PAYLOAD_PROPERTIES: usize = 10;
/// A dispatch `client_payload`, serialized compactly, must be smaller than this.
pub const MAX_CLIENT_PAYLOAD_BYTES: usize = 64 * 1024;

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

/// An optional string field: absent and `null` are `None`.
fn optional_string(
    body: &Map<String, Value>,
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
    body: &Map<String, Value>,
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

fn as_object(body: &Value) -> Result<&Map<String, Value>, ApiError> {
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

/// The `task` GitHub uses when none is given.
pub const DEFAULT_TASK: &str = "deploy";
/// The `environment` GitHub uses when none is given.
pub const DEFAULT_ENVIRONMENT: &str = "production";

/// A validated `POST .../deployments` body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewDeployment {
    pub(crate) git_ref: String,
    pub(crate) task: String,
    pub(crate) auto_merge: bool,
    /// `None`: every context must pass; `Some([])`: no checks.
    pub(crate) required_contexts: Option<Vec<String>>,
    /// An object or a string, as sent; `{}` when absent.
    pub(crate) payload: Value,
    pub(crate) environment: String,
    pub(crate) description: Option<String>,
    pub(crate) transient: bool,
    /// `None`: GitHub's default (`environment == "production"`).
    pub(crate) production: Option<bool>,
}

/// `For 'properties/<field>', <value> is not <expected>.`, GitHub's line
/// for a schema violation.
fn not_a(field: &str, value: &Value, expected: &str) -> String {
    let mut shown: String = value.to_string().chars().take(100).collect();
    if shown.len() < value.to_string().len() {
        shown.push('…');
    }
    format!("For 'properties/{field}', {shown} is not {expected}.")
}

fn schema_string(
    body: &Map<String, Value>,
    field: &str,
    nullable: bool,
    problems: &mut Vec<String>,
) -> Option<String> {
    match body.get(field) {
        None => None,
        Some(Value::Null) if nullable => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => {
            let expected = if nullable {
                "a string or null"
            } else {
                "a string"
            };
            problems.push(not_a(field, other, expected));
            None
        }
    }
}

fn schema_bool(body: &Map<String, Value>, field: &str, problems: &mut Vec<String>) -> Option<bool> {
    match body.get(field) {
        None => None,
        Some(Value::Bool(flag)) => Some(*flag),
        Some(other) => {
            problems.push(not_a(field, other, "a boolean"));
            None
        }
    }
}

impl NewDeployment {
    /// Validates a create-deployment body against GitHub's schema: `ref` a
    /// required string; `task`, `environment` strings (defaults `deploy`,
    /// `production`; any name); `auto_merge`, `transient_environment`,
    /// `production_environment` booleans; `required_contexts` an array of
    /// strings; `payload` an object or a string; `description` a string or
    /// `null`. Unknown fields are ignored.
    pub(crate) fn from_json(body: &Value) -> Result<NewDeployment, ApiError> {
        let body = as_object(body)?;
        let mut problems = Vec::new();
        let git_ref = match body.get("ref") {
            None => {
                problems.push("\"ref\" wasn't supplied.".to_owned());
                None
            }
            Some(Value::String(text)) if text.is_empty() => {
                problems.push(
                    "For 'properties/ref', \"\" is too short (minimum is 1 character).".to_owned(),
                );
                None
            }
            Some(Value::String(text)) => Some(text.clone()),
            Some(other) => {
                problems.push(not_a("ref", other, "a string"));
                None
            }
        };
        let task = schema_string(body, "task", false, &mut problems);
        let environment = schema_string(body, "environment", false, &mut problems);
        let description = schema_string(body, "description", true, &mut problems);
        let auto_merge = schema_bool(body, "auto_merge", &mut problems);
        let transient = schema_bool(body, "transient_environment", &mut problems);
        let production = schema_bool(body, "production_environment", &mut problems);
        let required_contexts = match body.get("required_contexts") {
            None => None,
            Some(Value::Array(items)) => {
                let mut contexts = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(text) => contexts.push(text.clone()),
                        other => problems.push(not_a("required_contexts/items", other, "a string")),
                    }
                }
                Some(contexts)
            }
            Some(other) => {
                problems.push(not_a("required_contexts", other, "an array"));
                None
            }
        };
        let payload = match body.get("payload") {
            None => Value::Object(Map::new()),
            Some(value @ (Value::Object(_) | Value::String(_))) => value.clone(),
            Some(other) => {
                problems.push(not_a("payload", other, "an object or a string"));
                Value::Null
            }
        };
        match git_ref {
            Some(git_ref) if problems.is_empty() => Ok(NewDeployment {
                git_ref,
                task: task
                    .filter(|task| !task.is_empty())
                    .unwrap_or_else(|| DEFAULT_TASK.to_owned()),
                auto_merge: auto_merge.unwrap_or(true),
                required_contexts,
                payload,
                environment: environment
                    .filter(|env| !env.is_empty())
                    .unwrap_or_else(|| DEFAULT_ENVIRONMENT.to_owned()),
                description,
                transient: transient.unwrap_or(false),
                production,
            }),
            _ => Err(ApiError::InvalidRequest(problems)),
        }
    }
}

/// The filters of `GET .../deployments`: each, when given, must match
/// exactly. GitHub's documented default `none` means "no filter".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DeploymentFilter {
    pub(crate) sha: Option<String>,
    pub(crate) git_ref: Option<String>,
    pub(crate) task: Option<String>,
    pub(crate) environment: Option<String>,
}

impl DeploymentFilter {
    /// Reads `sha`, `ref`, `task` and `environment` from a raw query (the
    /// last occurrence wins; empty or `none` is no filter).
    pub(crate) fn from_query(query: Option<&str>) -> DeploymentFilter {
        let query = query.unwrap_or("");
        let value = |name: &str| {
            url::form_urlencoded::parse(query.as_bytes())
                .filter(|(key, _)| key == name)
                .last()
                .map(|(_, value)| value.into_owned())
                .filter(|value| !value.is_empty() && value != "none")
        };
        DeploymentFilter {
            sha: value("sha"),
            git_ref: value("ref"),
            task: value("task"),
            environment: value("environment"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

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
    fn log_url_fills_target_url_only_when_given() {
        let only_target = NewStatus::from_json(&json!({
            "state": "queued", "target_url": "https://old.example.com"
        }))
        .unwrap();
        assert_eq!(only_target.log_url, "https://old.example.com");
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
    fn deployment_defaults() {
        let new = NewDeployment::from_json(&json!({"ref": "main"})).unwrap();
        assert_eq!(new.task, "deploy");
        assert_eq!(new.environment, "production");
        assert!(new.auto_merge);
        assert_eq!(new.required_contexts, None);
        assert_eq!(new.payload, json!({}));
        assert_eq!(new.description, None);
        assert!(!new.transient);
        assert_eq!(new.production, None);
    }

    #[test]
    fn deployment_keeps_what_was_sent() {
        let new = NewDeployment::from_json(&json!({
            "ref": "topic", "task": "deploy:migrations", "auto_merge": false,
            "required_contexts": [], "payload": "{ \"deploy\": \"migrate\" }",
            "environment": "review-42", "description": null,
            "transient_environment": true, "production_environment": false,
        }))
        .unwrap();
        assert_eq!(new.required_contexts, Some(vec![]));
        assert_eq!(new.payload, json!("{ \"deploy\": \"migrate\" }"));
        assert!(new.transient && !new.auto_merge);
        assert_eq!(new.production, Some(false));
        let object = NewDeployment::from_json(&json!({"ref": "a", "payload": {"x": [1]}})).unwrap();
        assert_eq!(object.payload, json!({"x": [1]}));
    }

    #[test]
    fn deployment_schema_problems_are_all_reported() {
        let err = NewDeployment::from_json(&json!({
            "task": 1, "auto_merge": "yes", "required_contexts": ["ci", 2], "payload": 3,
        }))
        .unwrap_err();
        let ApiError::InvalidRequest(problems) = err else {
            panic!("{err:?}")
        };
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert_eq!(problems[0], "\"ref\" wasn't supplied.");
        assert!(
            problems
                .iter()
                .any(|p| p == "For 'properties/auto_merge', \"yes\" is not a boolean.")
        );
        assert!(matches!(
            NewDeployment::from_json(&json!({"ref": ""})),
            Err(ApiError::InvalidRequest(_))
        ));
    }

    #[test]
    fn deployment_filters() {
        let f = DeploymentFilter::from_query(Some(
            "sha=abc&ref=main&task=deploy&environment=review%2D1&per_page=2",
        ));
        assert_eq!(f.sha.as_deref(), Some("abc"));
        assert_eq!(f.git_ref.as_deref(), Some("main"));
        assert_eq!(f.task.as_deref(), Some("deploy"));
        assert_eq!(f.environment.as_deref(), Some("review-1"));
        assert_eq!(
            DeploymentFilter::from_query(Some("environment=none&ref=")),
            DeploymentFilter::default()
        );
    }
}
