//! Fixup-aware classification: a change that is breaking for GitHub's
//! contract may be harmless for this client because a fixup already
//! corrects for it (a new response `state` value is a `String` through
//! `open_response_state`). The test is direct: compare again with the
//! fixed-up fragment as base; a breaking change that disappears (or stops
//! being breaking) there is absorbed, and the fixup whose omission brings it
//! back is named.

use serde_json::Value;

use super::classify::Class;
use super::report::DriftReport;
use super::{DriftError, walk};
use crate::fixups;

/// Marks the breaking changes of `report` that the fixups absorb. A base
/// the fixups do not apply to (not the fragment) absorbs nothing.
pub(crate) fn by_fixups(
    report: &mut DriftReport,
    base: &Value,
    other: &Value,
    operations: &[&str],
) -> Result<(), DriftError> {
    if !report.changes().iter().any(|c| c.class == Class::Breaking) {
        return Ok(());
    }
    let Ok(fixed) = fixups::apply_all(base) else {
        return Ok(());
    };
    let breaking_with = |spec: &Value| -> Result<Vec<(String, String, &'static str)>, DriftError> {
        let changes = walk::compare(spec, other, operations)?;
        Ok(DriftReport::new(changes)
            .changes()
            .iter()
            .filter(|c| c.class == Class::Breaking)
            .map(|c| {
                let (op, loc, kind) = c.identity();
                (op.to_owned(), loc.to_owned(), kind)
            })
            .collect())
    };
    let still_breaking = breaking_with(&fixed)?;
    // Each fixup left out in turn: what it alone absorbs comes back.
    let mut without = Vec::new();
    for fixup in fixups::FIXUPS {
        if let Ok(spec) = fixups::apply_without(base, fixup.name) {
            without.push((fixup.name, breaking_with(&spec)?));
        }
    }
    for change in report.changes_mut() {
        if change.class != Class::Breaking {
            continue;
        }
        let (op, loc, kind) = change.identity();
        let key = (op.to_owned(), loc.to_owned(), kind);
        if still_breaking.contains(&key) {
            continue;
        }
        let name = without
            .iter()
            .find(|(_, breaking)| breaking.contains(&key))
            .map_or("(several together)", |(name, _)| *name);
        change.absorb(name);
    }
    Ok(())
}
