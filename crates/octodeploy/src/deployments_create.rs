//! Creating a deployment (`repo.create_deployment(ref)`) and GitHub's typed
//! answers: 201 the deployment, 202 "auto-merged" (nothing was created:
//! [`CreateOutcome::AutoMerged`]), 409 a merge conflict or failed required
//! contexts ([`DeploymentConflict`], naming them), 422 a validation error.
//!
//! A POST: never repeated after an ambiguous failure (a timeout, a reset
//! connection, a 5xx) — that is [`Error::OutcomeUnknown`], and a deploy
//! tool should look for the deployment (`repo.deployments().sha(..)`)
//! before asking again.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use octodeploy_api::types;
use octodeploy_api::{ResponseValue, types::ReposCreateDeploymentBodyPayload as BodyPayload};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::deployments::Deployment;
use crate::error::{Error, ValidationError};
use crate::repo::RepoHandle;
use crate::response::{Response, request_id};
use crate::transport::{Op, execute};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A create-deployment body, built elsewhere (from configuration) or by
/// [`CreateDeployment`]. Unset fields are not sent, so GitHub's defaults
/// apply (task `deploy`, environment `production`, `auto_merge` on, every
/// commit-status context required, production exactly for `production`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NewDeployment {
    /// The ref to deploy: a branch, tag or SHA.
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// The task (GitHub's default `deploy`).
    pub task: Option<String>,
    /// Whether GitHub merges the default branch into the ref when it is
    /// behind (GitHub's default: yes).
    pub auto_merge: Option<bool>,
    /// The commit-status contexts that must be `success`: `None` means all
    /// of them (GitHub's default), `Some(vec![])` skips the checks.
    pub required_contexts: Option<Vec<String>>,
    /// Extra information for the deploy system: a JSON object, or a string.
    pub payload: Option<Value>,
    /// The environment (GitHub's default `production`; any name).
    pub environment: Option<String>,
    /// A short description.
    pub description: Option<String>,
    /// Whether the environment goes away at some point (GHES 3.0: needs
    /// the ant-man preview, which octodeploy sends).
    pub transient_environment: Option<bool>,
    /// Whether end users interact with the environment (GitHub's default:
    /// exactly for `production`).
    pub production_environment: Option<bool>,
}

fn not_blank(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, "must not be empty or blank"));
    }
    if value.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

impl NewDeployment {
    /// A body deploying `git_ref` with GitHub's defaults.
    pub fn new(git_ref: impl Into<String>) -> Self {
        NewDeployment {
            git_ref: git_ref.into(),
            ..NewDeployment::default()
        }
    }

    /// Checks the body and builds the generated request: `ref` and, when
    /// set, `task`, `environment` and each required context must be
    /// non-blank without control characters; `payload` must be a JSON
    /// object or a string.
    pub(crate) fn to_body(&self) -> Result<types::ReposCreateDeploymentBody, ValidationError> {
        not_blank("ref", &self.git_ref)?;
        if let Some(task) = &self.task {
            not_blank("task", task)?;
        }
        if let Some(environment) = &self.environment {
            not_blank("environment", environment)?;
        }
        if let Some(contexts) = &self.required_contexts {
            for context in contexts {
                not_blank("required_contexts", context)?;
            }
        }
        let payload = match &self.payload {
            None => None,
            Some(Value::Object(map)) => Some(BodyPayload::Object(map.clone())),
            Some(Value::String(text)) => Some(BodyPayload::String(text.clone())),
            Some(other) => {
                return Err(ValidationError::new(
                    "payload",
                    format!(
                        "must be a JSON object or a string, not {}",
                        json_kind(other)
                    ),
                ));
            }
        };
        Ok(types::ReposCreateDeploymentBody {
            auto_merge: self.auto_merge,
            description: self.description.clone(),
            environment: self.environment.clone(),
            payload,
            production_environment: self.production_environment,
            ref_: self.git_ref.clone(),
            required_contexts: self.required_contexts.clone(),
            task: self.task.clone(),
            transient_environment: self.transient_environment,
        })
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What GitHub did with a create-deployment request that it accepted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
#[must_use = "a 202 created no deployment: check which outcome it is"]
#[allow(clippy::large_enum_variant)] // one value per call; boxing would only make matching clumsy
pub enum CreateOutcome {
    /// 201: the deployment was created.
    Created(Deployment),
    /// 202: GitHub merged the default branch into the ref instead of
    /// creating a deployment. Nothing was created; asking again (once the
    /// merge commit exists) creates it.
    AutoMerged(AutoMerged),
}

impl CreateOutcome {
    /// The deployment, when one was created.
    pub fn deployment(&self) -> Option<&Deployment> {
        match self {
            CreateOutcome::Created(d) => Some(d),
            CreateOutcome::AutoMerged(_) => None,
        }
    }

    /// The deployment, when one was created.
    pub fn into_deployment(self) -> Option<Deployment> {
        match self {
            CreateOutcome::Created(d) => Some(d),
            CreateOutcome::AutoMerged(_) => None,
        }
    }
}

/// GitHub's 202: the default branch was merged into the ref.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AutoMerged {
    /// GitHub's message (`Auto-merged main into topic on deployment.`).
    pub message: String,
}

/// Why GitHub refused to create a deployment with 409.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum ConflictKind {
    /// `auto_merge` was on and the default branch does not merge into the
    /// ref.
    MergeConflict,
    /// Required commit-status contexts are not all `success`.
    FailedContexts,
}

/// One commit-status context GitHub checked, with its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContextState {
    /// The context (`ci/build`).
    pub context: String,
    /// Its state (`success`, `pending`, `failure`, `error`, or what the
    /// server said).
    pub state: String,
}

/// GitHub's 409 to a create-deployment request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("GitHub refused to create the deployment (409): {message}{}{}",
    failing_contexts(.contexts),
    .request_id.as_deref().map(|id| format!(" (request id {id})")).unwrap_or_default())]
#[non_exhaustive]
pub struct DeploymentConflict {
    /// A merge conflict or failed contexts.
    pub kind: ConflictKind,
    /// GitHub's message.
    pub message: String,
    /// For failed contexts: every context GitHub checked, with its state.
    pub contexts: Vec<ContextState>,
    /// GitHub's `documentation_url`.
    pub documentation_url: Option<String>,
    /// `X-GitHub-Request-Id`.
    pub request_id: Option<String>,
}

fn failing_contexts(contexts: &[ContextState]) -> String {
    let failing: Vec<String> = contexts
        .iter()
        .filter(|c| c.state != "success")
        .map(|c| format!("{} is {}", c.context, c.state))
        .collect();
    if failing.is_empty() {
        String::new()
    } else {
        format!(" [{}]", failing.join(", "))
    }
}

impl DeploymentConflict {
    /// The contexts that are not `success`.
    pub fn failing_contexts(&self) -> impl Iterator<Item = &ContextState> {
        self.contexts.iter().filter(|c| c.state != "success")
    }

    /// Reads GitHub's 409 body (tolerantly: an unreadable one is still a
    /// conflict, with the body's start as the message).
    fn from_body(body: &[u8], request_id: Option<String>) -> Self {
        #[derive(Deserialize, Default)]
        struct Body {
            #[serde(default)]
            message: Option<String>,
            #[serde(default)]
            documentation_url: Option<String>,
            #[serde(default)]
            errors: Vec<Value>,
        }
        let parsed: Body = serde_json::from_slice(body).unwrap_or_default();
        let contexts: Vec<ContextState> = parsed
            .errors
            .iter()
            .filter_map(|e| e.get("contexts"))
            .filter_map(|c| serde_json::from_value::<Vec<ContextState>>(c.clone()).ok())
            .flatten()
            .collect();
        let message = parsed
            .message
            .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(200).collect());
        let kind = if contexts.is_empty() && !message.contains("status checks") {
            ConflictKind::MergeConflict
        } else {
            ConflictKind::FailedContexts
        };
        DeploymentConflict {
            kind,
            message,
            contexts,
            documentation_url: parsed.documentation_url,
            request_id,
        }
    }
}

/// What the generated call is turned into before decoding: the 202 and 409
/// bodies the generated client does not model.
#[derive(Debug)]
enum Answer {
    Created(Box<types::Deployment>),
    AutoMerged(String),
    Conflict(Box<DeploymentConflict>),
}

/// Decodes as the 201 body, so decode errors name the deployment's JSON
/// path.
impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        types::Deployment::deserialize(d).map(|raw| Answer::Created(Box::new(raw)))
    }
}

impl RepoHandle {
    /// Starts a deployment of `git_ref` (branch, tag or SHA); set options,
    /// then `.send()` or `.await`.
    pub fn create_deployment(&self, git_ref: impl Into<String>) -> CreateDeployment {
        CreateDeployment {
            repo: self.clone(),
            body: NewDeployment::new(git_ref),
            payload_error: None,
        }
    }

    /// Creates a deployment from a body built elsewhere.
    pub async fn create_deployment_with(
        &self,
        body: NewDeployment,
    ) -> Result<Response<CreateOutcome>, Error> {
        CreateDeployment {
            repo: self.clone(),
            body,
            payload_error: None,
        }
        .send()
        .await
    }
}

/// Creates a deployment.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()` or `.await`"]
pub struct CreateDeployment {
    repo: RepoHandle,
    body: NewDeployment,
    payload_error: Option<ValidationError>,
}

impl CreateDeployment {
    /// The task (default `deploy`).
    pub fn task(mut self, task: impl Into<String>) -> Self {
        self.body.task = Some(task.into());
        self
    }

    /// Whether GitHub may merge the default branch into the ref first (on
    /// by default; a merge answers 202 without creating a deployment).
    pub fn auto_merge(mut self, on: bool) -> Self {
        self.body.auto_merge = Some(on);
        self
    }

    /// The commit-status contexts that must be `success` (unset: all of
    /// them). An empty list skips the checks, like [`Self::skip_checks`].
    pub fn required_contexts<I, S>(mut self, contexts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.body.required_contexts = Some(contexts.into_iter().map(Into::into).collect());
        self
    }

    /// Requires no commit-status context (sends `required_contexts: []`).
    pub fn skip_checks(mut self) -> Self {
        self.body.required_contexts = Some(Vec::new());
        self
    }

    /// Extra information for the deploy system: anything that serializes
    /// to a JSON object, or a string (sent as it is). Problems are
    /// reported by [`Self::send`].
    pub fn payload<T: Serialize + ?Sized>(mut self, payload: &T) -> Self {
        match serde_json::to_value(payload) {
            Ok(value @ (Value::Object(_) | Value::String(_))) => {
                self.body.payload = Some(value);
                self.payload_error = None;
            }
            Ok(other) => {
                self.payload_error = Some(ValidationError::new(
                    "payload",
                    format!(
                        "must be a JSON object or a string, not {}",
                        json_kind(&other)
                    ),
                ));
            }
            Err(e) => {
                self.payload_error = Some(ValidationError::new(
                    "payload",
                    format!("does not serialize: {e}"),
                ));
            }
        }
        self
    }

    /// The environment (default `production`; any name).
    pub fn environment(mut self, name: impl Into<String>) -> Self {
        self.body.environment = Some(name.into());
        self
    }

    /// A short description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.body.description = Some(text.into());
        self
    }

    /// Whether the environment goes away at some point (review apps).
    pub fn transient_environment(mut self, on: bool) -> Self {
        self.body.transient_environment = Some(on);
        self
    }

    /// Whether end users interact with the environment (default: exactly
    /// for `production`).
    pub fn production_environment(mut self, on: bool) -> Self {
        self.body.production_environment = Some(on);
        self
    }

    /// The body as it will be sent.
    pub fn body(&self) -> &NewDeployment {
        &self.body
    }

    /// Validates and sends. Not retried after an ambiguous failure
    /// ([`Error::OutcomeUnknown`]); a 409 is [`Error::DeploymentConflict`].
    pub async fn send(self) -> Result<Response<CreateOutcome>, Error> {
        if let Some(e) = self.payload_error {
            return Err(e.into());
        }
        self.repo.check()?;
        let body = self.body.to_body()?;
        let repo = &self.repo;
        let inner = repo.client.inner();
        let (rv, meta) = execute(inner, Op::CreateDeployment, None, || async {
            match inner
                .api
                .repos_create_deployment(&repo.owner, &repo.repo, &body)
                .await
            {
                Ok(rv) => {
                    let status = rv.status();
                    let headers = rv.headers().clone();
                    Ok(ResponseValue::new(
                        Answer::Created(Box::new(rv.into_inner())),
                        status,
                        headers,
                    ))
                }
                Err(octodeploy_api::Error::UnexpectedResponse(r))
                    if matches!(r.status().as_u16(), 202 | 409) =>
                {
                    let status = r.status();
                    let headers = r.headers().clone();
                    let bytes = r.bytes().await.unwrap_or_default();
                    let answer = if status.as_u16() == 202 {
                        let message = serde_json::from_slice::<Map<String, Value>>(&bytes)
                            .ok()
                            .and_then(|m| {
                                m.get("message").and_then(Value::as_str).map(str::to_owned)
                            })
                            .unwrap_or_default();
                        Answer::AutoMerged(message)
                    } else {
                        Answer::Conflict(Box::new(DeploymentConflict::from_body(
                            &bytes,
                            request_id(&headers),
                        )))
                    };
                    Ok(ResponseValue::new(answer, status, headers))
                }
                Err(other) => Err(other),
            }
        })
        .await?;
        let outcome = match rv.into_inner() {
            Answer::Created(raw) => CreateOutcome::Created(Deployment::from(*raw)),
            Answer::AutoMerged(message) => CreateOutcome::AutoMerged(AutoMerged { message }),
            Answer::Conflict(conflict) => return Err(Error::DeploymentConflict(conflict)),
        };
        Ok(Response::new(outcome, meta))
    }
}

impl IntoFuture for CreateDeployment {
    type Output = Result<Response<CreateOutcome>, Error>;
    type IntoFuture = BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_required_contexts_are_sent_and_unset_ones_are_not() {
        let unset = serde_json::to_value(NewDeployment::new("main").to_body().unwrap()).unwrap();
        assert_eq!(unset, json!({"ref": "main"}));
        let mut skip = NewDeployment::new("main");
        skip.required_contexts = Some(vec![]);
        let skip = serde_json::to_value(skip.to_body().unwrap()).unwrap();
        assert_eq!(skip, json!({"ref": "main", "required_contexts": []}));
    }

    #[test]
    fn payloads_are_objects_or_strings() {
        let mut body = NewDeployment::new("main");
        body.payload = Some(json!({"a": 1}));
        assert!(body.to_body().is_ok());
        body.payload = Some(json!("{\"a\": 1}"));
        let sent = serde_json::to_value(body.to_body().unwrap()).unwrap();
        assert_eq!(sent["payload"], "{\"a\": 1}");
        body.payload = Some(json!([1]));
        assert_eq!(body.to_body().unwrap_err().field, "payload");
    }

    #[test]
    fn blank_fields_are_refused_before_sending() {
        assert_eq!(NewDeployment::new(" ").to_body().unwrap_err().field, "ref");
        let mut body = NewDeployment::new("main");
        body.environment = Some(String::new());
        assert_eq!(body.to_body().unwrap_err().field, "environment");
        let mut body = NewDeployment::new("main");
        body.required_contexts = Some(vec!["ci\n".into()]);
        assert_eq!(body.to_body().unwrap_err().field, "required_contexts");
    }

    #[test]
    fn conflicts_name_the_failing_contexts() {
        let body = br#"{"message":"Conflict: Commit status checks failed for topic.","errors":[{"contexts":[{"context":"ci/build","state":"success"},{"context":"security/scan","state":"failure"}],"resource":"Deployment","field":"required_contexts","code":"invalid"}],"documentation_url":"https://docs.github.com/rest"}"#;
        let c = DeploymentConflict::from_body(body, Some("A:B".into()));
        assert_eq!(c.kind, ConflictKind::FailedContexts);
        assert_eq!(c.contexts.len(), 2);
        let failing: Vec<_> = c.failing_contexts().map(|c| c.context.as_str()).collect();
        assert_eq!(failing, ["security/scan"]);
        assert!(c.to_string().contains("security/scan is failure"), "{c}");
        let merge = DeploymentConflict::from_body(
            br#"{"message":"Conflict merging main into topic."}"#,
            None,
        );
        assert_eq!(merge.kind, ConflictKind::MergeConflict);
        let junk = DeploymentConflict::from_body(b"<html>nope</html>", None);
        assert_eq!(junk.message, "<html>nope</html>");
    }
}
