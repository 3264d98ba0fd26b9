//! The generated types decode what servers send, not only what the contract
//! promises: a deployment `payload` as a JSON object or as a JSON string,
//! missing or null fields the fixups made optional, and values of enums the
//! fixups opened. Each case names the fixup that makes it pass.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

use octodeploy_api::types;
use serde_json::{Value, json};

/// A deployment as GHES 3.0 documents it, minus what `drop` names.
fn deployment(payload: Value, drop: &[&str]) -> Value {
    let mut d = json!({
        "url": "https://ghe.example.com/api/v3/repos/o/r/deployments/1",
        "id": 1,
        "node_id": "MDEwOkRlcGxveW1lbnQx",
        "sha": "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
        "ref": "main",
        "task": "deploy",
        "payload": payload,
        "original_environment": "staging",
        "environment": "review-app-42",
        "description": "Deploy request from hubot",
        "creator": {"login": "octocat", "id": 1},
        "created_at": "2012-07-20T01:19:13Z",
        "updated_at": "2012-07-20T01:19:13Z",
        "statuses_url": "https://ghe.example.com/api/v3/repos/o/r/deployments/1/statuses",
        "repository_url": "https://ghe.example.com/api/v3/repos/o/r",
        "transient_environment": false,
        "production_environment": false
    });
    for key in drop {
        d.as_object_mut().unwrap().remove(*key);
    }
    d
}

#[test]
fn deployment_payload_decodes_as_object_and_as_string() {
    let object: types::Deployment =
        serde_json::from_value(deployment(json!({"deploy": "migrate"}), &[])).unwrap();
    match object.payload {
        Some(types::DeploymentPayload::Object(map)) => assert_eq!(map["deploy"], "migrate"),
        other => panic!("{other:?}"),
    }
    let string: types::Deployment =
        serde_json::from_value(deployment(json!("{\"deploy\":\"migrate\"}"), &[])).unwrap();
    match string.payload {
        Some(types::DeploymentPayload::String(s)) => assert_eq!(s, "{\"deploy\":\"migrate\"}"),
        other => panic!("{other:?}"),
    }
    // An empty string (what servers send for "no payload") and null decode too.
    for payload in [json!(""), Value::Null] {
        serde_json::from_value::<types::Deployment>(deployment(payload, &[])).unwrap();
    }
}

/// Fixup relax_deployment_required.
#[test]
fn deployment_without_node_id_creator_payload_or_description_decodes() {
    let d = deployment(json!({}), &["node_id", "creator", "payload", "description"]);
    let d: types::Deployment = serde_json::from_value(d).unwrap();
    assert!(d.node_id.is_none() && d.creator.is_none() && d.payload.is_none());
    let mut nulls = deployment(json!({}), &[]);
    nulls["creator"] = Value::Null;
    nulls["description"] = Value::Null;
    serde_json::from_value::<types::Deployment>(nulls).unwrap();
}

/// The identity of a deployment stays required: without it, it is not one.
#[test]
fn deployment_without_id_is_refused() {
    let err = serde_json::from_value::<types::Deployment>(deployment(json!({}), &["id"]));
    assert!(err.unwrap_err().to_string().contains("id"));
}

/// Fixup omit_unset_request_fields: unset body fields are not sent, so the
/// server's own defaults apply (no `environment: "production"` sent for a
/// caller who did not choose one).
#[test]
fn create_deployment_body_sends_only_what_was_set() {
    let body: types::ReposCreateDeploymentBody =
        serde_json::from_value(json!({"ref": "main"})).unwrap();
    assert_eq!(serde_json::to_value(&body).unwrap(), json!({"ref": "main"}));
    // Free strings: any environment and task name.
    let body: types::ReposCreateDeploymentBody = serde_json::from_value(
        json!({"ref": "main", "environment": "review-app-42", "task": "deploy:migrations"}),
    )
    .unwrap();
    assert_eq!(body.environment.as_deref(), Some("review-app-42"));
    // An empty required_contexts (skip checks) is kept, distinct from unset.
    let skip: types::ReposCreateDeploymentBody =
        serde_json::from_value(json!({"ref": "main", "required_contexts": []})).unwrap();
    assert_eq!(
        serde_json::to_value(&skip).unwrap()["required_contexts"],
        json!([])
    );
}

/// Fixups open_response_enums, relax_installation_required,
/// relax_repository_required and unify_nullable_simple_user.
#[test]
fn installation_and_token_decode_with_new_values_and_few_fields() {
    let installation: types::Installation = serde_json::from_value(json!({
        "id": 7,
        "app_id": 1,
        "target_id": 9,
        "target_type": "Organization",
        "access_tokens_url": "https://ghe.example.com/api/v3/app/installations/7/access_tokens",
        "account": {"login": "octo-org", "id": 9},
        "repository_selection": "some-future-selection",
        "permissions": {"deployments": "write", "repository_projects": "admin", "new_thing": "read"}
    }))
    .unwrap();
    assert_eq!(installation.id, 7);
    let token: types::InstallationToken = serde_json::from_value(json!({
        "token": "ghs_x",
        "expires_at": "2016-07-11T22:14:10Z",
        "permissions": {"deployments": "admin"},
        "repository_selection": "selected",
        "repositories": [{"id": 1, "name": "r", "full_name": "o/r"}]
    }))
    .unwrap();
    assert_eq!(token.repositories.len(), 1);
}

/// Fixup unify_nullable_simple_user: one `SimpleUser`, wrapped by
/// `NullableSimpleUser`.
#[test]
fn a_deployment_creator_is_a_simple_user() {
    let d: types::Deployment = serde_json::from_value(deployment(json!({}), &[])).unwrap();
    let creator: Option<types::SimpleUser> = d.creator.unwrap().into();
    assert_eq!(creator.unwrap().login.as_deref(), Some("octocat"));
}
