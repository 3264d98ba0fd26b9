//! Fixups: corrections to GitHub's contract, applied in memory between the
//! checked-in fragment and progenitor. The fragment itself stays verbatim.
//!
//! Each fixup is a small function whose doc comment says what it corrects
//! and why. Each one first checks that the spec still has the problem it
//! corrects and fails with [`Error::StaleFixup`] otherwise, so a fixup that
//! upstream made unnecessary (or a fragment that moved under it) is noticed
//! at the next `cargo xtask regen`, never silently skipped.
//!
//! What is *not* a fixup, and why, is written down in `openapi/README.md`
//! (for example the `Accept`/`api-version` headers, which are a generator
//! setting: see [`crate::generate`]).

use serde_json::Value;

use crate::Error;

/// A named correction.
#[derive(Debug, Clone, Copy)]
pub struct Fixup {
    /// The function's name, used in error messages.
    pub name: &'static str,
    /// The correction.
    pub apply: fn(&mut Value) -> Result<(), Error>,
}

macro_rules! fixups {
    ($($f:ident),* $(,)?) => {
        /// Every fixup, in the order they are applied.
        pub const FIXUPS: &[Fixup] = &[$(Fixup { name: stringify!($f), apply: $f }),*];
    };
}

fixups![
    drop_error_responses,
    open_request_environment,
    omit_unset_request_fields,
    open_response_state,
    drop_response_description_max_length,
    relax_deployment_status_required,
    relax_simple_user_required,
    relax_integration_required,
];

/// Applies every fixup to a copy of `fragment`.
pub fn apply_all(fragment: &Value) -> Result<Value, Error> {
    let mut spec = fragment.clone();
    for fixup in FIXUPS {
        (fixup.apply)(&mut spec)?;
    }
    Ok(spec)
}

const STATUSES: &str = "/paths/~1repos~1{owner}~1{repo}~1deployments~1{deployment_id}~1statuses";
const DEPLOYMENT_STATUS: &str = "/components/schemas/deployment-status";
const SIMPLE_USER: &str = "/components/schemas/nullable-simple-user";
const INTEGRATION: &str = "/components/schemas/nullable-integration";

fn stale(name: &'static str, reason: impl Into<String>) -> Error {
    Error::StaleFixup {
        name,
        reason: reason.into(),
    }
}

fn at<'a>(spec: &'a mut Value, name: &'static str, pointer: &str) -> Result<&'a mut Value, Error> {
    spec.pointer_mut(pointer)
        .ok_or_else(|| stale(name, format!("{pointer} is missing")))
}

fn remove_key(
    spec: &mut Value,
    name: &'static str,
    pointer: &str,
    key: &str,
) -> Result<Value, Error> {
    at(spec, name, pointer)?
        .as_object_mut()
        .and_then(|o| o.shift_remove(key))
        .ok_or_else(|| {
            stale(
                name,
                format!("{pointer} has no `{key}` (already fixed upstream?)"),
            )
        })
}

/// Removes every documented 4xx/5xx response from the five operations.
///
/// progenitor 0.15 panics (`response_types.len() <= 1`) when one operation
/// documents error responses of different schemas, as `repos/delete-deployment`
/// does (404 `basic-error`, 422 `validation-error-simple`): progenitor issues
/// #344 and #950. Beyond that, GitHub answers every operation with errors it
/// does not document (401, 403 and 429 rate limits, 5xx HTML pages from a
/// proxy), so the ergonomic crate decodes *all* error responses through one
/// path that keeps status, headers and `X-GitHub-Request-Id`. Without
/// documented error responses, progenitor hands every error back as
/// `Error::UnexpectedResponse(reqwest::Response)`, which is exactly that.
/// Stale when no operation documents an error response any more.
pub fn drop_error_responses(spec: &mut Value) -> Result<(), Error> {
    const NAME: &str = "drop_error_responses";
    let paths = at(spec, NAME, "/paths")?
        .as_object_mut()
        .ok_or_else(|| stale(NAME, "/paths is not an object"))?;
    let mut removed = 0;
    for item in paths.values_mut() {
        for op in item
            .as_object_mut()
            .into_iter()
            .flat_map(|m| m.values_mut())
        {
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                let before = responses.len();
                responses.retain(|code, _| !(code.starts_with('4') || code.starts_with('5')));
                removed += before - responses.len();
            }
        }
    }
    if removed == 0 {
        return Err(stale(NAME, "no operation documents a 4xx or 5xx response"));
    }
    Ok(())
}

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

/// Removes the `default: ""` of the create-status body's `target_url`,
/// `log_url`, `description` and `environment_url`.
///
/// With a default, progenitor (typify) types them as `String` and always
/// sends them, `""` when unset. The documented defaults are what the server
/// applies when a field is *absent*; sending `""` is not the same: `log_url`
/// "automatically sets `target_url`", which an explicit `target_url: ""`
/// would contradict, and GHES without the ant-man preview rejects fields it
/// does not know. Without the default they become `Option<String>`, omitted
/// when unset: we send exactly what the caller set.
pub fn omit_unset_request_fields(spec: &mut Value) -> Result<(), Error> {
    const NAME: &str = "omit_unset_request_fields";
    let base = format!("{STATUSES}/post/requestBody/content/application~1json/schema/properties");
    for field in ["target_url", "log_url", "description", "environment_url"] {
        remove_key(spec, NAME, &format!("{base}/{field}"), "default")?;
    }
    Ok(())
}

/// Removes the `enum` from `deployment-status.state` (the response side only).
///
/// Servers add deployment states over time (`queued` and `in_progress`
/// arrived as previews); a state this client does not know must not make a
/// response undecodable. The generated type becomes a `String`; the
/// ergonomic crate maps it to `State`, with `State::Other(String)` for the
/// unknown. The request body keeps its enum: we only send states we know.
pub fn open_response_state(spec: &mut Value) -> Result<(), Error> {
    const NAME: &str = "open_response_state";
    remove_key(
        spec,
        NAME,
        &format!("{DEPLOYMENT_STATUS}/properties/state"),
        "enum",
    )
    .map(drop)
}

/// Removes `maxLength: 140` from `deployment-status.description`.
///
/// The limit is on what a client may *send*; a server may return longer
/// text (statuses created before the limit, or by other tools), and the
/// generated type would refuse to decode it. The ergonomic crate enforces
/// the limit on the request side.
pub fn drop_response_description_max_length(spec: &mut Value) -> Result<(), Error> {
    const NAME: &str = "drop_response_description_max_length";
    remove_key(
        spec,
        NAME,
        &format!("{DEPLOYMENT_STATUS}/properties/description"),
        "maxLength",
    )
    .map(drop)
}

/// Makes `required` fields of a response schema optional.
fn relax_required(
    spec: &mut Value,
    name: &'static str,
    schema: &str,
    fields: &[&str],
) -> Result<(), Error> {
    let required = at(spec, name, &format!("{schema}/required"))?
        .as_array_mut()
        .ok_or_else(|| stale(name, format!("{schema}/required is not an array")))?;
    for field in fields {
        let before = required.len();
        required.retain(|r| r.as_str() != Some(field));
        if required.len() == before {
            return Err(stale(
                name,
                format!("{schema} no longer requires `{field}` (already fixed upstream?)"),
            ));
        }
    }
    Ok(())
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

/// Makes every `nullable-simple-user` field but `id` optional.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fragment() -> Value {
        crate::Workspace::from_build().read_fragment().unwrap()
    }

    #[test]
    fn all_fixups_apply_to_the_fragment() {
        let fixed = apply_all(&fragment()).unwrap();
        assert!(
            fixed
                .pointer(&format!("{DEPLOYMENT_STATUS}/properties/state/enum"))
                .is_none()
        );
    }

    /// Each fixup, applied a second time, finds nothing to fix and says so:
    /// this is what happens when upstream fixes the problem itself.
    #[test]
    fn every_fixup_fails_loudly_when_stale() {
        let fixed = apply_all(&fragment()).unwrap();
        for fixup in FIXUPS {
            let mut again = fixed.clone();
            let err = (fixup.apply)(&mut again).expect_err(fixup.name).to_string();
            assert!(
                err.starts_with(&format!("fixup {} no longer applies: ", fixup.name)),
                "{err}"
            );
        }
    }

    /// And each fails when the part of the spec it patches is gone.
    #[test]
    fn every_fixup_fails_when_its_target_is_missing() {
        let mut gutted = fragment();
        let obj = gutted.as_object_mut().unwrap();
        obj.remove("paths");
        obj.remove("components");
        for fixup in FIXUPS {
            let err = (fixup.apply)(&mut gutted.clone())
                .expect_err(fixup.name)
                .to_string();
            assert!(err.contains("is missing"), "{}: {err}", fixup.name);
        }
    }

    #[test]
    fn relaxing_keeps_identity_fields_required() {
        let fixed = apply_all(&fragment()).unwrap();
        let req = fixed
            .pointer(&format!("{DEPLOYMENT_STATUS}/required"))
            .unwrap();
        for f in ["id", "url", "state", "created_at"] {
            assert!(req.as_array().unwrap().iter().any(|r| r == f), "{f}");
        }
    }
}
