//! Tolerant-reader policy: the description is right about what a client
//! may send, but a client must accept more than that from servers (states
//! and values added in later releases, texts longer than today's limits).
//! Request schemas keep their limits; the ergonomic crate enforces them.

use serde_json::Value;

use super::{
    APP_PERMISSIONS, DEPLOYMENT_STATUS, INSTALLATION, INSTALLATION_TOKEN, at, remove_key, stale,
};
use crate::Error;

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

/// Removes the `enum`s of `installation.repository_selection`,
/// `installation-token.repository_selection` and every `app-permissions`
/// property, so that a value GitHub adds later (`repository_projects:
/// admin` was one) does not make an installation or a token undecodable.
///
/// `app-permissions` is also the request body's `permissions` of
/// `apps/create-installation-access-token`: there the values become free
/// strings too, and GitHub itself validates them (422 naming the
/// permission). Stale when none of these has an enum any more.
pub fn open_response_enums(spec: &mut Value) -> Result<(), Error> {
    const NAME: &str = "open_response_enums";
    for schema in [INSTALLATION, INSTALLATION_TOKEN] {
        remove_key(
            spec,
            NAME,
            &format!("{schema}/properties/repository_selection"),
            "enum",
        )?;
    }
    let properties = at(spec, NAME, &format!("{APP_PERMISSIONS}/properties"))?
        .as_object_mut()
        .ok_or_else(|| {
            stale(
                NAME,
                format!("{APP_PERMISSIONS}/properties is not an object"),
            )
        })?;
    let mut opened = 0;
    for property in properties.values_mut() {
        if let Some(object) = property.as_object_mut() {
            opened += usize::from(object.shift_remove("enum").is_some());
        }
    }
    if opened == 0 {
        return Err(stale(
            NAME,
            format!("no {APP_PERMISSIONS} property has an enum (already fixed upstream?)"),
        ));
    }
    Ok(())
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
