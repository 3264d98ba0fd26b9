//! Why the fake refuses a request: [`ApiError`] (one variant per kind of
//! GitHub answer) and [`FieldError`] (one element of GitHub's `errors[]`),
//! with the constructors request parsing uses.

use serde_json::Value;

use crate::repo_settings::CommitState;

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
    /// 422 `Invalid request.` with one line per problem, the way GitHub
    /// reports a body that breaks an operation's JSON schema
    /// (create-deployment).
    InvalidRequest(Vec<String>),
    /// 422 `No ref found for: <ref>` (create-deployment, when the
    /// repository has seeded refs and this is none of them).
    NoRef(String),
    /// 409: `auto_merge` was asked for and the default branch does not
    /// merge into the ref.
    MergeConflict {
        /// The default branch.
        base: String,
        /// The ref being deployed.
        head: String,
    },
    /// 409: required commit-status contexts are not all `success`; every
    /// checked context with its state.
    ChecksFailed {
        /// The ref being deployed.
        head: String,
        /// `(context, state)`, in the order they were checked.
        contexts: Vec<(String, CommitState)>,
    },
}

pub(crate) fn missing(resource: &'static str, field: &'static str) -> FieldError {
    FieldError {
        resource,
        code: "missing_field",
        field,
        message: None,
    }
}

pub(crate) fn invalid(resource: &'static str, field: &'static str, message: String) -> FieldError {
    FieldError {
        resource,
        code: "invalid",
        field,
        message: Some(message),
    }
}

pub(crate) fn custom(resource: &'static str, field: &'static str, message: String) -> FieldError {
    FieldError {
        resource,
        code: "custom",
        field,
        message: Some(message),
    }
}

pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
