//! JSON bodies in GitHub's shapes: `deployment` and `deployment-status`
//! (with a full `simple-user` as `creator`), and the error bodies
//! (`basic-error`, `validation-error`, `validation-error-simple`, and the
//! 409 of failed required contexts).
//!
//! Field order follows GitHub's examples. Legacy (base64) `node_id`s are
//! used: `MDE2OkRlcGxveW1lbnRTdGF0dXMx` is `016:DeploymentStatus1`.
//! Error bodies carry GitHub's newer `"status": "<code>"` member next to
//! `message` and `documentation_url`.

use chrono::SecondsFormat;
use serde_json::{Value, json};

use crate::api_error::FieldError;
use crate::model::{DeploymentView, StatusView, User};
use crate::repo_settings::CommitState;

/// `documentation_url`s of the operations (github.com's docs).
pub(crate) mod docs {
    /// repos/create-deployment
    pub(crate) const CREATE_DEPLOYMENT: &str =
        "https://docs.github.com/rest/deployments/deployments#create-a-deployment";
    /// repos/list-deployments
    pub(crate) const LIST_DEPLOYMENTS: &str =
        "https://docs.github.com/rest/deployments/deployments#list-deployments";
    /// repos/get-deployment
    pub(crate) const GET_DEPLOYMENT: &str =
        "https://docs.github.com/rest/deployments/deployments#get-a-deployment";
    /// repos/delete-deployment
    pub(crate) const DELETE_DEPLOYMENT: &str =
        "https://docs.github.com/rest/deployments/deployments#delete-a-deployment";
    /// repos/list-deployment-statuses
    pub(crate) const LIST_STATUSES: &str =
        "https://docs.github.com/rest/deployments/statuses#list-deployment-statuses";
    /// repos/create-deployment-status
    pub(crate) const CREATE_STATUS: &str =
        "https://docs.github.com/rest/deployments/statuses#create-a-deployment-status";
    /// repos/get-deployment-status
    pub(crate) const GET_STATUS: &str =
        "https://docs.github.com/rest/deployments/statuses#get-a-deployment-status";
    /// repos/create-dispatch-event
    pub(crate) const DISPATCH: &str =
        "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event";
    /// Anything else (unknown routes, 401).
    pub(crate) const REST: &str = "https://docs.github.com/rest";
    /// Primary rate limit.
    pub(crate) const PRIMARY_RATE_LIMIT: &str =
        "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting";
    /// Secondary rate limit.
    pub(crate) const SECONDARY_RATE_LIMIT: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
}

/// Where URLs in bodies point: `api` is the base the request came in with
/// (`http://127.0.0.1:PORT` or `http://127.0.0.1:PORT/api/v3`), `web` the
/// server's origin (for `html_url`, avatars).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Urls {
    pub(crate) api: String,
    pub(crate) web: String,
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(BASE64[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A legacy GraphQL node id: base64 of `0<len(kind)>:<kind><id>`.
pub(crate) fn node_id(kind: &str, id: u64) -> String {
    base64(format!("0{}:{kind}{id}", kind.len()).as_bytes())
}

/// A `simple-user` object.
pub(crate) fn user_json(user: &User, urls: &Urls) -> Value {
    let api_user = format!("{}/users/{}", urls.api, user.login);
    json!({
        "login": user.login,
        "id": user.id,
        "node_id": node_id("User", user.id),
        "avatar_url": format!("{}/avatars/u/{}?v=4", urls.web, user.id),
        "gravatar_id": "",
        "url": api_user,
        "html_url": format!("{}/{}", urls.web, user.login),
        "followers_url": format!("{api_user}/followers"),
        "following_url": format!("{api_user}/following{{/other_user}}"),
        "gists_url": format!("{api_user}/gists{{/gist_id}}"),
        "starred_url": format!("{api_user}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api_user}/subscriptions"),
        "organizations_url": format!("{api_user}/orgs"),
        "repos_url": format!("{api_user}/repos"),
        "events_url": format!("{api_user}/events{{/privacy}}"),
        "received_events_url": format!("{api_user}/received_events"),
        "type": "User",
        "user_view_type": "public",
        "site_admin": false,
    })
}

/// The URL of a repository in the API.
pub(crate) fn repository_url(urls: &Urls, owner: &str, repo: &str) -> String {
    format!("{}/repos/{owner}/{repo}", urls.api)
}

/// The URL of a deployment in the API.
pub(crate) fn deployment_url(urls: &Urls, owner: &str, repo: &str, deployment_id: u64) -> String {
    format!(
        "{}/deployments/{deployment_id}",
        repository_url(urls, owner, repo)
    )
}

/// The URL of a deployment status (also the `Location` of a created one).
pub(crate) fn status_url(urls: &Urls, view: &StatusView) -> String {
    format!(
        "{}/statuses/{}",
        deployment_url(urls, &view.owner, &view.repo, view.deployment_id),
        view.status.id
    )
}

/// A `deployment-status` object.
pub(crate) fn status_json(view: &StatusView, urls: &Urls) -> Value {
    let status = &view.status;
    let time = status.created_at.to_rfc3339_opts(SecondsFormat::Secs, true);
    json!({
        "url": status_url(urls, view),
        "id": status.id,
        "node_id": node_id("DeploymentStatus", status.id),
        "state": status.state,
        "creator": user_json(&status.creator, urls),
        "description": status.description,
        "environment": status.environment,
        "target_url": status.log_url,
        "created_at": time,
        "updated_at": time,
        "deployment_url": deployment_url(urls, &view.owner, &view.repo, view.deployment_id),
        "repository_url": repository_url(urls, &view.owner, &view.repo),
        "environment_url": status.environment_url,
        "log_url": status.log_url,
        "performed_via_github_app": null,
    })
}

/// A `deployment` object.
pub(crate) fn deployment_json(view: &DeploymentView, urls: &Urls) -> Value {
    let d = &view.deployment;
    let url = deployment_url(urls, &view.owner, &view.repo, d.id);
    json!({
        "url": url,
        "id": d.id,
        "node_id": node_id("Deployment", d.id),
        "task": d.task,
        "original_environment": d.original_environment,
        "environment": d.environment,
        "description": d.description,
        "created_at": d.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "updated_at": d.updated_at().to_rfc3339_opts(SecondsFormat::Secs, true),
        "statuses_url": format!("{url}/statuses"),
        "repository_url": repository_url(urls, &view.owner, &view.repo),
        "creator": user_json(&d.creator, urls),
        "sha": d.sha,
        "ref": d.git_ref,
        "payload": d.payload,
        "transient_environment": d.transient,
        "production_environment": d.production,
        "performed_via_github_app": null,
    })
}

/// The 409 GitHub sends when required contexts are not all `success`.
pub(crate) fn checks_failed(
    head: &str,
    contexts: &[(String, CommitState)],
    documentation_url: &str,
) -> Value {
    let contexts: Vec<Value> = contexts
        .iter()
        .map(|(context, state)| json!({"context": context, "state": state}))
        .collect();
    json!({
        "message": format!("Conflict: Commit status checks failed for {head}."),
        "errors": [{
            "contexts": contexts,
            "resource": "Deployment",
            "field": "required_contexts",
            "code": "invalid",
        }],
        "documentation_url": documentation_url,
        "status": "409",
    })
}

/// A `basic-error` body.
pub(crate) fn basic_error(message: &str, documentation_url: &str, status: u16) -> Value {
    json!({
        "message": message,
        "documentation_url": documentation_url,
        "status": status.to_string(),
    })
}

/// A `validation-error` body (`Validation Failed` with `errors[]`).
pub(crate) fn validation_error(errors: &[FieldError], documentation_url: &str) -> Value {
    let errors: Vec<Value> = errors
        .iter()
        .map(|error| {
            let mut item = json!({
                "resource": error.resource,
                "code": error.code,
                "field": error.field,
            });
            if let (Some(message), Some(map)) = (&error.message, item.as_object_mut()) {
                map.insert("message".to_owned(), Value::String(message.clone()));
            }
            item
        })
        .collect();
    json!({
        "message": "Validation Failed",
        "errors": errors,
        "documentation_url": documentation_url,
        "status": "422",
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::model::{DeploymentState, Status};

    #[test]
    fn node_ids_match_githubs_examples() {
        assert_eq!(
            node_id("DeploymentStatus", 1),
            "MDE2OkRlcGxveW1lbnRTdGF0dXMx"
        );
        assert_eq!(node_id("User", 1), "MDQ6VXNlcjE=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn status_body_has_githubs_fields() {
        let urls = Urls {
            api: "http://127.0.0.1:1/api/v3".into(),
            web: "http://127.0.0.1:1".into(),
        };
        let view = StatusView {
            owner: "octocat".into(),
            repo: "example".into(),
            deployment_id: 42,
            status: Status {
                id: 1,
                state: DeploymentState::Success,
                description: "Deployment finished successfully.".into(),
                environment: "production".into(),
                log_url: "https://example.com/deployment/42/output".into(),
                environment_url: "https://test-branch.lab.acme.com".into(),
                creator: User {
                    login: "octocat".into(),
                    id: 1,
                },
                created_at: chrono::DateTime::parse_from_rfc3339("2012-07-20T01:19:13Z")
                    .unwrap()
                    .with_timezone(&chrono::Utc),
            },
        };
        let body = status_json(&view, &urls);
        assert_eq!(
            body["url"],
            "http://127.0.0.1:1/api/v3/repos/octocat/example/deployments/42/statuses/1"
        );
        assert_eq!(body["created_at"], "2012-07-20T01:19:13Z");
        assert_eq!(body["target_url"], body["log_url"]);
        assert_eq!(
            body["creator"]["url"],
            "http://127.0.0.1:1/api/v3/users/octocat"
        );
        assert!(body["performed_via_github_app"].is_null());
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 15);
    }

    #[test]
    fn node_ids_of_deployments_match_githubs_example() {
        assert_eq!(node_id("Deployment", 1), "MDEwOkRlcGxveW1lbnQx");
    }
}
