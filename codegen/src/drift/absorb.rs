//! Fixup-aware classification: a change that is breaking for GitHub's
//! contract may be harmless for this client because a fixup already
//! corrects for it (a new response `state` value is a `String` through
//! `open_response_state`). The test is direct: compare again with the
//! fixed-up fragment as base; a breaking change that disappears (or stops
//! being breaking) there is absorbed, and the fixup whose omission brings it
//! back is named.

use serde_json::Value;

use super::classify::Class;
use super::report::{Change, DriftReport};
use super::{DriftError, walk};
use crate::fixups;

/// What identifies a change across two comparisons (see [`Change::identity`]).
///
/// [`Change::identity`]: super::report::Change::identity
type Identity = (String, String, &'static str);

/// Marks the breaking changes of `report` that the fixups absorb. A base
/// the fixups do not apply to (not the fragment) absorbs nothing.
///
/// Only operations with a breaking change are compared again (a change is
/// identified by its operation, so the others cannot matter), and the
/// fixups one by one only for the operations where something was absorbed:
/// on a full description this is most of the cost of a drift run.
pub(crate) fn by_fixups(
    report: &mut DriftReport,
    base: &Value,
    other: &Value,
    operations: &[&str],
) -> Result<(), DriftError> {
    let breaking: Vec<Identity> = report
        .changes()
        .iter()
        .filter(|c| c.class == Class::Breaking)
        .map(identity)
        .collect();
    if breaking.is_empty() {
        return Ok(());
    }
    let Ok(fixed) = fixups::apply_all(base) else {
        return Ok(());
    };
    let within = |ops: &[&str], keys: &[Identity]| -> Vec<String> {
        let mut out: Vec<String> = ops
            .iter()
            .filter(|op| keys.iter().any(|(o, _, _)| o == *op))
            .map(|op| (*op).to_owned())
            .collect();
        out.dedup();
        out
    };
    let breaking_with = |spec: &Value, ops: &[String]| -> Result<Vec<Identity>, DriftError> {
        let ops: Vec<&str> = ops.iter().map(String::as_str).collect();
        let changes = walk::compare(spec, other, &ops)?;
        Ok(DriftReport::new(changes)
            .changes()
            .iter()
            .filter(|c| c.class == Class::Breaking)
            .map(identity)
            .collect())
    };
    let still_breaking = breaking_with(&fixed, &within(operations, &breaking))?;
    let absorbed: Vec<Identity> = breaking
        .into_iter()
        .filter(|key| !still_breaking.contains(key))
        .collect();
    if absorbed.is_empty() {
        return Ok(());
    }
    // Each fixup left out in turn: what it alone absorbs comes back.
    let absorbing_operations = within(operations, &absorbed);
    let mut without = Vec::new();
    for fixup in fixups::FIXUPS {
        if let Ok(spec) = fixups::apply_without(base, fixup.name) {
            without.push((fixup.name, breaking_with(&spec, &absorbing_operations)?));
        }
    }
    for change in report.changes_mut() {
        let key = identity(change);
        if change.class != Class::Breaking || !absorbed.contains(&key) {
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

/// A change's [`Identity`], owned.
fn identity(change: &Change) -> Identity {
    let (op, loc, kind) = change.identity();
    (op.to_owned(), loc.to_owned(), kind)
}
