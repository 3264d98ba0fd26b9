//! Spec corrections: the description says something servers do not do.
//! Each names what servers actually send or accept, and the evidence.

use serde_json::Value;

use super::{
    DEPLOYMENT, DEPLOYMENT_STATUS, ENTERPRISE, INSTALLATION, INTEGRATION, REPOSITORY, SIMPLE_USER,
    STATUSES, relax_required, relax_required_except, remove_key,
};
use crate::Error;

/// Removes the `enum` [production, staging, qa] from the create-status body's
/// `environment`.
///
/// The GHES 3.0 description restricts it, yet every server accepts any
/// environment name (later descriptions dropped the enum). The ergonomic
/// layer still validates what it sends; an environment name is free text.
pub fn open_request_environment(spec: &mut Value) -> Result<(), Error> {
    const NAME: &str = "open_request_environment";
    let pointer = format!(
        "{STATUSES}/post/requestBody/content/application~1json/schema/properties/environment"
    );
    remove_key(spec, NAME, &pointer, "enum").map(drop)
}

/// Makes `deployment-status` fields that older servers omit optional:
/// `node_id` (absent before GHES 2.14-era global ids), `description` and
/// `target_url` (omitted by some GHES 2.x answers), `creator` (null or absent
/// for statuses created by deleted users).
///
/// `environment`, `environment_url`, `log_url` and `performed_via_github_app`
/// are already optional in this description. The identity of a status (`id`,
/// `url`, `state`, its deployment and repository URLs and timestamps) stays
/// required: a body without them is not a deployment status.
pub fn relax_deployment_status_required(spec: &mut Value) -> Result<(), Error> {
    relax_required(
        spec,
        "relax_deployment_status_required",
        DEPLOYMENT_STATUS,
        &["node_id", "creator", "description", "target_url"],
    )
}

/// Makes `deployment` fields that servers omit optional: `node_id` (absent
/// on GHES 2.x), `creator` (null or absent for deployments created by
/// deleted users), `payload` (omitted when empty by some servers) and
/// `description` (nullable, and omitted when unset).
///
/// The identity of a deployment (`id`, `url`, `sha`, `ref`, `task`,
/// `environment`, its statuses and repository URLs and timestamps) stays
/// required: a body without them is not a deployment.
pub fn relax_deployment_required(spec: &mut Value) -> Result<(), Error> {
    relax_required(
        spec,
        "relax_deployment_required",
        DEPLOYMENT,
        &["node_id", "creator", "payload", "description"],
    )
}

/// Makes every `simple-user` field but `id` optional (`nullable-simple-user`
/// refers to it, see `unify_nullable_simple_user`).
///
/// Older GHES releases omit `node_id` and some `*_url` templates; and in
/// newer descriptions an app's `owner` (which GHES 3.0 types as this schema)
/// may be an enterprise, which has an `id` but no `login`. Decoding such a
/// body must not fail; the ergonomic crate exposes these as `Option`s.
pub fn relax_simple_user_required(spec: &mut Value) -> Result<(), Error> {
    relax_required(
        spec,
        "relax_simple_user_required",
        SIMPLE_USER,
        &[
            "avatar_url",
            "events_url",
            "followers_url",
            "following_url",
            "gists_url",
            "gravatar_id",
            "html_url",
            "node_id",
            "login",
            "organizations_url",
            "received_events_url",
            "repos_url",
            "site_admin",
            "starred_url",
            "subscriptions_url",
            "type",
            "url",
        ],
    )
}

/// Makes every `nullable-integration` field but `id` and `name` optional.
///
/// `performed_via_github_app` is an object on servers that have GitHub Apps
/// acting on deployments, and its shape has moved between releases (newer
/// ones drop `client_secret`/`webhook_secret`/`pem`, change `owner`); a
/// status must stay decodable whatever the app object carries.
pub fn relax_integration_required(spec: &mut Value) -> Result<(), Error> {
    relax_required(
        spec,
        "relax_integration_required",
        INTEGRATION,
        &[
            "node_id",
            "owner",
            "description",
            "external_url",
            "html_url",
            "created_at",
            "updated_at",
            "permissions",
            "events",
        ],
    )
}

/// Makes every `installation` field but its identity (`id`, `app_id`,
/// `target_id`, `target_type`, `access_tokens_url`) optional, and every
/// `enterprise` field (an installation's `account`) but `id`.
///
/// `app_slug`, `suspended_by`/`suspended_at` and the `single_file_*` fields
/// arrived after GHES 2.x; `permissions` and `events` move with every
/// release. An App needs the installation's id to ask for a token; nothing
/// else may make the answer undecodable.
pub fn relax_installation_required(spec: &mut Value) -> Result<(), Error> {
    const NAME: &str = "relax_installation_required";
    relax_required_except(
        spec,
        NAME,
        INSTALLATION,
        &[
            "id",
            "app_id",
            "target_id",
            "target_type",
            "access_tokens_url",
        ],
    )?;
    relax_required_except(spec, NAME, ENTERPRISE, &["id"])
}

/// Makes every `repository` field but `id`, `name` and `full_name` optional.
///
/// An installation token's `repositories` lists repository objects with 70
/// required fields (URL templates, counters, flags) that vary by server and
/// release; a token must stay usable whatever the repository objects carry.
pub fn relax_repository_required(spec: &mut Value) -> Result<(), Error> {
    relax_required_except(
        spec,
        "relax_repository_required",
        REPOSITORY,
        &["id", "name", "full_name"],
    )
}
