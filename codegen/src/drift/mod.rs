//! Schema drift: a semantic diff of the fragment's operations, and everything they
//! reference, between the fragment and another GitHub description, with
//! each change classified for this client (see [`classify`]).
//!
//! - [`compare`] diffs two parsed descriptions into a [`DriftReport`].
//! - [`DriftReport::render_text`] / [`DriftReport::to_json`] render it.
//! - [`run`] is `cargo xtask drift`: read both files, compare, then check
//!   the report against its acknowledged snapshot or bless it.
//!
//! [`classify`]: crate::drift::classify()
//! [`compare`]: crate::drift::compare
//! [`DriftReport`]: crate::drift::DriftReport
//! [`DriftReport::render_text`]: crate::drift::DriftReport::render_text
//! [`DriftReport::to_json`]: crate::drift::DriftReport::to_json
//! [`run`]: crate::drift::run
//!
//! The comparison works on `serde_json::Value` (newer descriptions need not
//! parse as `openapiv3`), judges schemas by location rather than component
//! name, and ignores the `x-octokit` key that `@octokit/openapi` adds.
//!
//! Module map: `walk` finds and compares, `classify` holds the rule table,
//! `report` renders, `snapshot` checks and blesses.

mod absorb;
mod classify;
mod report;
mod snapshot;
mod walk;

use std::path::PathBuf;

use serde_json::Value;

pub use classify::{ChangeKind, Class, Effect, Side, classify, format_effect};
pub use report::{Change, DriftReport};
pub use snapshot::snapshot_path;

/// What can go wrong while comparing descriptions or checking a snapshot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriftError {
    /// A description or snapshot could not be read, parsed or written; the
    /// source names the file.
    #[error(transparent)]
    File(#[from] crate::Error),
    /// The base description (the fragment) lacks one of the operations.
    #[error("operation {operation} is not in the base description")]
    OperationNotInBase {
        /// The operationId.
        operation: String,
    },
    /// A `$ref` points outside the document, at nothing, or in a cycle.
    #[error("{document} description: cannot resolve $ref {reference:?}")]
    UnresolvedRef {
        /// `base` or `other`.
        document: &'static str,
        /// The reference as written.
        reference: String,
    },
    /// The description's path has no file stem to name a snapshot after.
    #[error("cannot name a drift snapshot after {}: it has no file name", path.display())]
    NoFileStem {
        /// The path given as `--against`.
        path: PathBuf,
    },
    /// The drift differs from the acknowledged snapshot.
    #[error(
        "drift against {} is not acknowledged in {}:\n{diff}\n\
         Review the changes, then run `cargo xtask drift --against {} --bless`.",
        against.display(), snapshot.display(), against.display()
    )]
    Unacknowledged {
        /// The description compared against.
        against: PathBuf,
        /// The snapshot file.
        snapshot: PathBuf,
        /// A unified diff, snapshot → current text report.
        diff: String,
        /// What a passing run would have printed (text or JSON report).
        output: String,
    },
}

/// Compares every operation `base` (the fragment) holds between `base` and
/// `other`.
///
/// Fails when `base` lacks one of them or a `$ref` does not resolve; an
/// operation missing from `other` is a breaking change, not an error.
pub fn compare(base: &Value, other: &Value) -> Result<DriftReport, DriftError> {
    let operations = crate::operations::in_description(base);
    let ids: Vec<&str> = operations.iter().map(String::as_str).collect();
    compare_operations(base, other, &ids)
}

/// [`compare`] for any set of operations (by `operationId`).
///
/// When `base` is a fragment the fixups apply to, breaking changes that
/// they make harmless for this client are marked absorbed (see
/// [`Change::absorbed_by`]).
pub fn compare_operations(
    base: &Value,
    other: &Value,
    operations: &[&str],
) -> Result<DriftReport, DriftError> {
    let mut report = DriftReport::new(walk::compare(base, other, operations)?);
    absorb::by_fixups(&mut report, base, other, operations)?;
    Ok(report)
}

/// The inputs of `cargo xtask drift`.
#[derive(Debug, Clone)]
pub struct DriftOptions {
    /// The base description, normally `openapi/fragment.json`.
    pub fragment: PathBuf,
    /// The description to compare with (a subset or a full upstream file).
    pub against: PathBuf,
    /// Where snapshots live, normally `openapi/drift/`.
    pub snapshot_dir: PathBuf,
    /// Return the report as JSON instead of text.
    pub json: bool,
    /// Write the current report as the snapshot instead of checking it.
    pub bless: bool,
    /// `against` is a subset holding only some of the fragment's
    /// operations: compare those, and list the others as not compared
    /// (instead of reporting them as removed, which is breaking).
    pub subset: bool,
}

/// Runs the drift check and returns the report to print (text or JSON).
///
/// With `subset`, only the fragment's operations that `against` holds are
/// compared; the text report ends with the list of the others.
///
/// Without `bless`, fails with [`DriftError::Unacknowledged`] unless the
/// text report equals `snapshot_dir/<stem of against>.txt` (a missing
/// snapshot acknowledges nothing). With `bless`, writes that file instead.
pub fn run(opts: &DriftOptions) -> Result<String, DriftError> {
    let snapshot = snapshot_path(&opts.snapshot_dir, &opts.against)?;
    let base = crate::workspace::read_json(&opts.fragment)?;
    let other = crate::workspace::read_json(&opts.against)?;
    let mut operations = crate::operations::in_description(&base);
    let mut not_compared = Vec::new();
    if opts.subset {
        let held = crate::operations::in_description(&other);
        (operations, not_compared) = operations.into_iter().partition(|id| held.contains(id));
    }
    let ids: Vec<&str> = operations.iter().map(String::as_str).collect();
    let report = compare_operations(&base, &other, &ids)?;
    let mut text = report.render_text();
    if !not_compared.is_empty() {
        text.push_str(&format!(
            "# not compared (not in this subset): {}\n",
            not_compared.join(", ")
        ));
    }
    let output = if opts.json {
        report.to_json()
    } else {
        text.clone()
    };
    if opts.bless {
        crate::workspace::write_if_changed(&snapshot, &text)?;
    } else {
        snapshot::check(&snapshot, &opts.against, &text, &output)?;
    }
    Ok(output)
}
