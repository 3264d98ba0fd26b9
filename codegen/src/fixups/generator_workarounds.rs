//! Generator workarounds: the description is right, but progenitor or
//! typify cannot generate it the way this client needs. Each names the
//! generator behaviour it works around.

use serde_json::{Value, json};

use super::{DEPLOYMENTS, NULLABLE_SIMPLE_USER, SIMPLE_USER, STATUSES, at, remove_key, stale};
use crate::Error;

/// Removes every documented 4xx/5xx response from every operation.
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

/// Removes the 202 "Merged branch response" from `repos/create-deployment`.
///
/// progenitor 0.15 supports one success type per operation (the same
/// `response_types.len() <= 1` assertion as [`drop_error_responses`]), and
/// create-deployment documents two: 201 the deployment, 202 `{message}` when
/// GitHub auto-merged the default branch into the ref *instead of* creating
/// a deployment. Without the 202 the generated method returns the 201
/// deployment and hands a 202 back as `Error::UnexpectedResponse`, which the
/// ergonomic crate turns into its own, distinct outcome (no deployment was
/// created). Stale when the operation no longer documents a 202.
pub fn drop_auto_merge_response(spec: &mut Value) -> Result<(), Error> {
    const NAME: &str = "drop_auto_merge_response";
    remove_key(spec, NAME, &format!("{DEPLOYMENTS}/post/responses"), "202").map(drop)
}

/// Makes `nullable-simple-user` the nullable form of `simple-user`:
/// `{nullable: true, allOf: [{$ref: simple-user}]}`.
///
/// GitHub's descriptions carry `nullable-simple-user` as a full copy of
/// `simple-user` plus `nullable: true`, both titled "Simple User". typify
/// names the nullable schema's inner struct after its title, so as soon as
/// the fragment holds both (`installation.account`, and in newer
/// descriptions an app's `owner`) it emits `struct SimpleUser` twice and the
/// generated crate does not compile. As a reference to one schema, there is
/// one `SimpleUser` and `NullableSimpleUser(Option<SimpleUser>)` wraps it.
///
/// Refuses (as stale) unless the two are the same schema but for
/// `nullable`: a difference would be lost.
pub fn unify_nullable_simple_user(spec: &mut Value) -> Result<(), Error> {
    const NAME: &str = "unify_nullable_simple_user";
    let plain = spec
        .pointer(SIMPLE_USER)
        .cloned()
        .ok_or_else(|| stale(NAME, format!("{SIMPLE_USER} is missing")))?;
    let nullable = at(spec, NAME, NULLABLE_SIMPLE_USER)?;
    let mut without = nullable.clone();
    let flagged = without
        .as_object_mut()
        .and_then(|o| o.shift_remove("nullable"))
        .is_some_and(|n| n == Value::Bool(true));
    if !flagged || without != plain {
        return Err(stale(
            NAME,
            format!(
                "{NULLABLE_SIMPLE_USER} is no longer {SIMPLE_USER} plus `nullable: true`; \
                 unifying them would lose the difference"
            ),
        ));
    }
    *nullable = json!({
        "nullable": true,
        "allOf": [{"$ref": "#/components/schemas/simple-user"}],
    });
    Ok(())
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
///
/// The same holds for the create-deployment body's `task` (`deploy`),
/// `auto_merge` (`true`), `environment` (`production`), `description`
/// (`""`), `transient_environment` (`false`) and `payload`'s string form
/// (`""`): the server applies them when the field is absent, and a payload
/// of `""` is not "no payload".
pub fn omit_unset_request_fields(spec: &mut Value) -> Result<(), Error> {
    const NAME: &str = "omit_unset_request_fields";
    let body = "post/requestBody/content/application~1json/schema/properties";
    let statuses = format!("{STATUSES}/{body}");
    for field in ["target_url", "log_url", "description", "environment_url"] {
        remove_key(spec, NAME, &format!("{statuses}/{field}"), "default")?;
    }
    let deployments = format!("{DEPLOYMENTS}/{body}");
    for field in [
        "task",
        "auto_merge",
        "environment",
        "description",
        "transient_environment",
        "payload/oneOf/1",
    ] {
        remove_key(spec, NAME, &format!("{deployments}/{field}"), "default")?;
    }
    Ok(())
}

/// Marks the create-deployment body's `required_contexts` `nullable`.
///
/// typify generates an optional array as a `Vec` skipped when *empty*, so
/// an empty list could never be sent; yet GitHub gives `[]` its own meaning
/// ("to bypass checking entirely, pass an empty array"), distinct from
/// absent ("verifies all unique contexts"). As a nullable property it is an
/// `Option<Vec<_>>`, omitted only when unset, and `Some(vec![])` sends `[]`.
/// Stale when upstream marks it nullable itself.
pub fn keep_empty_required_contexts(spec: &mut Value) -> Result<(), Error> {
    const NAME: &str = "keep_empty_required_contexts";
    let pointer = format!(
        "{DEPLOYMENTS}/post/requestBody/content/application~1json/schema/properties/required_contexts"
    );
    let property = at(spec, NAME, &pointer)?
        .as_object_mut()
        .ok_or_else(|| stale(NAME, format!("{pointer} is not an object")))?;
    if property.contains_key("nullable") {
        return Err(stale(
            NAME,
            format!("{pointer} already says whether it is nullable"),
        ));
    }
    property.insert("nullable".into(), Value::Bool(true));
    Ok(())
}
