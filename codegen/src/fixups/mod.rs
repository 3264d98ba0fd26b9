//! Fixups: corrections to GitHub's contract, applied in memory between the
//! checked-in fragment and progenitor. The fragment itself stays verbatim.
//!
//! Grouped by cause, one module each (as k8s-openapi separates
//! `upstream_bugs` from `special`):
//! - [`spec_corrections`]: the description says something servers do not do
//!   (an enum no server enforces, fields marked required that servers omit).
//! - [`generator_workarounds`]: the description is right, but progenitor or
//!   typify cannot generate it as we need it (one success type per
//!   operation, documented defaults always sent, colliding type names).
//! - [`tolerant_reader`]: the description is right for what a client sends,
//!   but a client must accept more than that from servers (new states, long
//!   texts).
//!
//! Each fixup is a small function whose doc comment says what it corrects
//! and why, and an entry in [`FIXUPS`] with its cause and its upstream
//! reference. Each one first checks that the spec still has the problem it
//! corrects and fails with [`Error::StaleFixup`] otherwise, so a fixup that
//! upstream made unnecessary (or a fragment that moved under it) is noticed
//! at the next `cargo xtask regen`, never silently skipped; [`apply_all`]
//! reports every stale fixup of a run at once.
//!
//! What is *not* a fixup, and why, is written down in `openapi/README.md`
//! (for example the `Accept`/`api-version` headers, which are a generator
//! setting: see [`crate::generate`]).

pub mod generator_workarounds;
pub mod spec_corrections;
pub mod tolerant_reader;

use serde_json::Value;

use crate::Error;

/// Why a fixup exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// The description is wrong about what servers do.
    SpecCorrection,
    /// The description is right; the generator cannot use it as it is.
    GeneratorWorkaround,
    /// The description is right for requests; responses need more latitude.
    TolerantReader,
}

impl Cause {
    /// The module the fixups of this cause live in.
    pub fn module(self) -> &'static str {
        match self {
            Cause::SpecCorrection => "spec_corrections",
            Cause::GeneratorWorkaround => "generator_workarounds",
            Cause::TolerantReader => "tolerant_reader",
        }
    }
}

/// A named correction.
#[derive(Debug, Clone, Copy)]
pub struct Fixup {
    /// The function's name, used in error messages.
    pub name: &'static str,
    /// Why it exists.
    pub cause: Cause,
    /// Where the problem is recorded upstream, or the evidence for it.
    pub reference: &'static str,
    /// The correction.
    pub apply: fn(&mut Value) -> Result<(), Error>,
}

macro_rules! fixups {
    ($($module:ident :: $f:ident => $cause:ident, $reference:expr;)*) => {
        /// Every fixup, in the order they are applied.
        pub const FIXUPS: &[Fixup] = &[$(Fixup {
            name: stringify!($f),
            cause: Cause::$cause,
            reference: $reference,
            apply: $module::$f,
        }),*];
    };
}

fixups! {
    generator_workarounds::drop_error_responses => GeneratorWorkaround,
        "progenitor issues #344 and #950 (`response_types.len() <= 1`)";
    generator_workarounds::drop_auto_merge_response => GeneratorWorkaround,
        "progenitor issues #344 and #950 (`response_types.len() <= 1`)";
    generator_workarounds::unify_nullable_simple_user => GeneratorWorkaround,
        "typify names a nullable object's inner struct from its `title` (issue 8 §3: `SimpleUser` twice)";
    generator_workarounds::keep_empty_required_contexts => GeneratorWorkaround,
        "typify skips an empty optional array; GitHub: \"to bypass checking entirely, pass an empty array\"";
    spec_corrections::open_request_environment => SpecCorrection,
        "later descriptions (ghes-3.19 in @octokit/openapi 23.0.2) dropped the enum";
    generator_workarounds::omit_unset_request_fields => GeneratorWorkaround,
        "typify types a property with a `default` as required and always serializes it";
    tolerant_reader::open_response_state => TolerantReader,
        "`queued`/`in_progress` arrived as previews after GHES 2.x; ghes-3.19 lists more states than 3.0";
    tolerant_reader::open_response_enums => TolerantReader,
        "GitHub adds permission values (`admin`) and selections over releases";
    tolerant_reader::drop_response_description_max_length => TolerantReader,
        "GitHub documents the 140-character limit for the create-status request only";
    spec_corrections::relax_deployment_status_required => SpecCorrection,
        "recorded GHES 2.x answers omit them (tests/cassettes)";
    spec_corrections::relax_deployment_required => SpecCorrection,
        "GHES 2.x answers omit `node_id`; deleted users leave `creator` null or absent";
    spec_corrections::relax_simple_user_required => SpecCorrection,
        "newer descriptions make an app's `owner` `oneOf [simple-user, enterprise]`";
    spec_corrections::relax_integration_required => SpecCorrection,
        "newer descriptions drop `client_secret`/`webhook_secret`/`pem` and change `owner`";
    spec_corrections::relax_installation_required => SpecCorrection,
        "`app_slug`, `suspended_*` and `single_file_*` arrived after GHES 2.x";
    spec_corrections::relax_repository_required => SpecCorrection,
        "a repository object's `*_url` and counters vary by server and release";
}

/// Applies every fixup to a copy of `fragment`.
///
/// Every fixup runs even after one is found stale, so one run names all of
/// them ([`Error::StaleFixups`] when there are several).
pub fn apply_all(fragment: &Value) -> Result<Value, Error> {
    let mut spec = fragment.clone();
    let mut stale = Vec::new();
    for fixup in FIXUPS {
        match (fixup.apply)(&mut spec) {
            Ok(()) => {}
            Err(Error::StaleFixup { name, reason }) => stale.push((name, reason)),
            Err(other) => return Err(other),
        }
    }
    match stale.len() {
        0 => Ok(spec),
        1 => {
            let (name, reason) = stale.remove(0);
            Err(Error::StaleFixup { name, reason })
        }
        _ => Err(Error::StaleFixups(stale)),
    }
}

/// Applies every fixup but the one named `skip` (to see what that one
/// changes); fails like [`apply_all`].
pub fn apply_without(fragment: &Value, skip: &str) -> Result<Value, Error> {
    let mut spec = fragment.clone();
    for fixup in FIXUPS.iter().filter(|f| f.name != skip) {
        (fixup.apply)(&mut spec)?;
    }
    Ok(spec)
}

pub(crate) fn stale(name: &'static str, reason: impl Into<String>) -> Error {
    Error::StaleFixup {
        name,
        reason: reason.into(),
    }
}

pub(crate) fn at<'a>(
    spec: &'a mut Value,
    name: &'static str,
    pointer: &str,
) -> Result<&'a mut Value, Error> {
    spec.pointer_mut(pointer)
        .ok_or_else(|| stale(name, format!("{pointer} is missing")))
}

pub(crate) fn remove_key(
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

/// Makes `required` fields of a response schema optional.
pub(crate) fn relax_required(
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

/// Makes every `required` field of a response schema but `keep` optional.
/// Stale when nothing but `keep` is required any more.
pub(crate) fn relax_required_except(
    spec: &mut Value,
    name: &'static str,
    schema: &str,
    keep: &[&str],
) -> Result<(), Error> {
    let required = at(spec, name, &format!("{schema}/required"))?
        .as_array_mut()
        .ok_or_else(|| stale(name, format!("{schema}/required is not an array")))?;
    let before = required.len();
    required.retain(|r| r.as_str().is_some_and(|r| keep.contains(&r)));
    if required.len() == before {
        return Err(stale(
            name,
            format!("{schema} requires nothing but {keep:?} (already fixed upstream?)"),
        ));
    }
    Ok(())
}

pub(crate) const STATUSES: &str =
    "/paths/~1repos~1{owner}~1{repo}~1deployments~1{deployment_id}~1statuses";
pub(crate) const DEPLOYMENTS: &str = "/paths/~1repos~1{owner}~1{repo}~1deployments";
pub(crate) const DEPLOYMENT_STATUS: &str = "/components/schemas/deployment-status";
pub(crate) const DEPLOYMENT: &str = "/components/schemas/deployment";
pub(crate) const SIMPLE_USER: &str = "/components/schemas/simple-user";
pub(crate) const NULLABLE_SIMPLE_USER: &str = "/components/schemas/nullable-simple-user";
pub(crate) const INTEGRATION: &str = "/components/schemas/nullable-integration";
pub(crate) const INSTALLATION: &str = "/components/schemas/installation";
pub(crate) const INSTALLATION_TOKEN: &str = "/components/schemas/installation-token";
pub(crate) const APP_PERMISSIONS: &str = "/components/schemas/app-permissions";
pub(crate) const REPOSITORY: &str = "/components/schemas/repository";
pub(crate) const ENTERPRISE: &str = "/components/schemas/enterprise";

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

    /// One run names every stale fixup, not only the first.
    #[test]
    fn apply_all_reports_every_stale_fixup_at_once() {
        let fixed = apply_all(&fragment()).unwrap();
        let err = apply_all(&fixed).unwrap_err();
        let Error::StaleFixups(stale) = &err else {
            panic!("{err}");
        };
        assert_eq!(stale.len(), FIXUPS.len(), "{err}");
        let message = err.to_string();
        for fixup in FIXUPS {
            assert!(
                message.contains(&format!("fixup {}: ", fixup.name)),
                "{message}"
            );
        }
    }

    /// Every fixup says why it exists and where the problem is recorded.
    #[test]
    fn every_fixup_has_a_cause_and_a_reference() {
        for fixup in FIXUPS {
            assert!(!fixup.reference.trim().is_empty(), "{}", fixup.name);
            let module = match fixup.cause {
                Cause::SpecCorrection => include_str!("spec_corrections.rs"),
                Cause::GeneratorWorkaround => include_str!("generator_workarounds.rs"),
                Cause::TolerantReader => include_str!("tolerant_reader.rs"),
            };
            assert!(
                module.contains(&format!("pub fn {}(", fixup.name)),
                "{} is not in {}",
                fixup.name,
                fixup.cause.module()
            );
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
