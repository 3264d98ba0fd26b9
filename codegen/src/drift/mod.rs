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
mod output;
mod report;
mod snapshot;
mod walk;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

pub use classify::{ChangeKind, Class, Effect, Side, classify, format_effect, reason};
pub use report::{Change, DriftReport};
pub use snapshot::{snapshot_name, snapshot_path};

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
    /// The description says neither its plan nor its title and version,
    /// so no snapshot can be named after it.
    #[error(
        "{} has no `info.x-github-plan`, release in its docs link, fixed server nor \
         `info.title`/`info.version` to name its drift snapshot after; give one with \
         `--snapshot NAME`",
        path.display()
    )]
    NoSnapshotName {
        /// The path given as `--against`.
        path: PathBuf,
    },
    /// The drift differs from the acknowledged snapshot.
    #[error(
        "{}drift against {} is not acknowledged in {}:\n{diff}\n\
         Review the changes, then run `cargo xtask drift --against {}{} --bless`.",
        if *snapshot_exists { "" } else { "no snapshot yet: " },
        against.display(), snapshot.display(), against.display(),
        if *subset { " --subset" } else { "" }
    )]
    Unacknowledged {
        /// The description compared against.
        against: PathBuf,
        /// The snapshot file.
        snapshot: PathBuf,
        /// Whether the snapshot file exists at all.
        snapshot_exists: bool,
        /// Whether only a subset of operations was compared.
        subset: bool,
        /// A unified diff, snapshot → current text report.
        diff: String,
        /// The report to print (in the requested format), acknowledged
        /// flags included.
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

/// How `cargo xtask drift` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Format {
    /// One line per change, as snapshots hold them.
    #[default]
    Text,
    /// JSON for tools: every change with its `acknowledged` flag.
    Json,
    /// Markdown for a CI job summary or a pull-request comment, grouped by
    /// class, breaking first.
    Markdown,
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
    /// The snapshot's name; by default what the description is
    /// ([`snapshot_name`]).
    pub snapshot: Option<String>,
    /// How to print the report.
    pub format: Format,
    /// Write the current report as the snapshot instead of checking it.
    pub bless: bool,
    /// `against` is a subset holding only some of the fragment's
    /// operations: compare those, and list the others as not compared
    /// (instead of reporting them as removed, which is breaking).
    pub subset: bool,
}

/// Runs the drift check and returns the report to print (in `format`).
///
/// The snapshot is `snapshot_dir/<name>.txt`, `<name>` from `snapshot` or
/// from what the description is. With `subset`, only the fragment's
/// operations that `against` holds are compared (and checked, and blessed);
/// the others are listed as not compared.
///
/// Without `bless`, fails with [`DriftError::Unacknowledged`] (which carries
/// the report to print) unless every change line is in the snapshot and
/// every snapshot line (of the compared operations) is still a change; no
/// drift and no snapshot pass. With `bless`, writes the snapshot instead.
pub fn run(opts: &DriftOptions) -> Result<String, DriftError> {
    let base = crate::workspace::read_json(&opts.fragment)?;
    let other = crate::workspace::read_json(&opts.against)?;
    let name = match &opts.snapshot {
        Some(name) => name.clone(),
        None => snapshot_name(&other).ok_or_else(|| DriftError::NoSnapshotName {
            path: opts.against.clone(),
        })?,
    };
    let snapshot = snapshot_path(&opts.snapshot_dir, &name);
    let mut operations = crate::operations::in_description(&base);
    let mut not_compared = Vec::new();
    if opts.subset {
        let held = crate::operations::in_description(&other);
        (operations, not_compared) = operations.into_iter().partition(|id| held.contains(id));
    }
    let ids: Vec<&str> = operations.iter().map(String::as_str).collect();
    let report = compare_operations(&base, &other, &ids)?;

    let existing = snapshot::read_lines(&snapshot)?;
    let compared = |line: &str| ids.contains(&snapshot::line_operation(line));
    let acknowledged: BTreeSet<String> = existing
        .iter()
        .flatten()
        .filter(|l| compared(l))
        .cloned()
        .collect();
    let current: BTreeSet<String> = report.changes().iter().map(Change::render).collect();
    let description = output::Described {
        info: other.get("info"),
        snapshot: &snapshot,
        snapshot_exists: existing.is_some(),
        not_compared: &not_compared,
    };
    let rendered = output::render(opts.format, &report, &acknowledged, &description);

    if opts.bless {
        let mut lines: BTreeSet<String> = existing
            .into_iter()
            .flatten()
            .filter(|l| !compared(l))
            .collect();
        lines.extend(current);
        crate::workspace::write_if_changed(&snapshot, &snapshot::text(&lines))?;
        return Ok(rendered);
    }
    if acknowledged == current {
        return Ok(rendered);
    }
    let diff = crate::diff::unified(
        &snapshot.display().to_string(),
        "current",
        &snapshot::text(&acknowledged),
        &snapshot::text(&current),
    );
    let snapshot_exists = description.snapshot_exists;
    Err(DriftError::Unacknowledged {
        against: opts.against.clone(),
        snapshot,
        snapshot_exists,
        subset: opts.subset,
        diff,
        output: rendered,
    })
}
