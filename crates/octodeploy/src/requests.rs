//! The request bodies people build: typed, validated, and (with the
//! `schemars` feature) with a JSON Schema so a test can hold them against
//! GitHub's contract.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use octodeploy_api::types;

use crate::error::ValidationError;
use crate::model::State;
use crate::validate;

/// The body of "create a deployment status".
///
/// Built by [`crate::DeploymentHandle::create_status`]; every property the
/// contract has is settable there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct NewDeploymentStatus {
    /// The state (required).
    pub state: State,
    /// The deprecated target URL; prefer `log_url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_url: Option<String>,
    /// The deployment's output (GitHub also sets `target_url` from it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_url: Option<String>,
    /// A short description, at most 140 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The environment name: any name, not only production/staging/qa.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The environment's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment_url: Option<String>,
    /// Whether to mark earlier deployments to the same environment inactive
    /// (GitHub's default is true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_inactive: Option<bool>,
}

impl NewDeploymentStatus {
    /// A status in `state` with nothing else set.
    pub fn new(state: State) -> Self {
        NewDeploymentStatus {
            state,
            target_url: None,
            log_url: None,
            description: None,
            environment: None,
            environment_url: None,
            auto_inactive: None,
        }
    }

    /// Checks every field against GitHub's limits.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let State::Other(s) = &self.state {
            return Err(ValidationError::new(
                "state",
                format!(
                    "`{s}` is not one of {}",
                    State::KNOWN.map(|k| k.as_str().to_owned()).join(", ")
                ),
            ));
        }
        if let Some(d) = &self.description {
            validate::description(d)?;
        }
        if let Some(e) = &self.environment {
            validate::environment(e)?;
        }
        for (field, url) in [
            ("target_url", &self.target_url),
            ("log_url", &self.log_url),
            ("environment_url", &self.environment_url),
        ] {
            if let Some(u) = url {
                validate::absolute_url(field, u)?;
            }
        }
        Ok(())
    }

    /// The generated client's body, after validation.
    pub(crate) fn to_body(
        &self,
    ) -> Result<types::ReposCreateDeploymentStatusBody, ValidationError> {
        self.validate()?;
        let state = self.state.to_request().ok_or_else(|| {
            ValidationError::new("state", format!("`{}` cannot be sent", self.state))
        })?;
        Ok(types::ReposCreateDeploymentStatusBody {
            auto_inactive: self.auto_inactive,
            description: self.description.clone(),
            environment: self.environment.clone(),
            environment_url: self.environment_url.clone(),
            log_url: self.log_url.clone(),
            state,
            target_url: self.target_url.clone(),
        })
    }
}

/// The body of "create a repository dispatch event".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct DispatchEvent {
    /// The event name workflows filter on (`on: repository_dispatch: types: [...]`), 1 to 100 characters.
    pub event_type: String,
    /// Extra data for the workflow: a JSON object of at most 10 top-level
    /// properties, under 64 KiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_payload: Option<Map<String, Value>>,
}

impl DispatchEvent {
    /// An event with no payload.
    pub fn new(event_type: impl Into<String>) -> Self {
        DispatchEvent {
            event_type: event_type.into(),
            client_payload: None,
        }
    }

    /// Checks every field against GitHub's limits.
    pub fn validate(&self) -> Result<(), ValidationError> {
        validate::event_type(&self.event_type)?;
        if let Some(p) = &self.client_payload {
            validate::client_payload(Value::Object(p.clone()))?;
        }
        Ok(())
    }

    pub(crate) fn to_body(&self) -> Result<types::ReposCreateDispatchEventBody, ValidationError> {
        self.validate()?;
        let event_type = self
            .event_type
            .as_str()
            .try_into()
            .map_err(|e| ValidationError::new("event_type", format!("{e}")))?;
        Ok(types::ReposCreateDispatchEventBody {
            client_payload: self.client_payload.clone().unwrap_or_default(),
            event_type,
        })
    }
}
