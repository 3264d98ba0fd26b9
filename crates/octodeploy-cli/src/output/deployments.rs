//! What the `deployment` commands print: deployments (JSON as the library
//! serializes them; a table of `ID REF SHA TASK ENVIRONMENT CREATED CREATOR
//! DESCRIPTION`), a create's outcome, and prune's plan and report.

use std::io::{self, Write};

use octodeploy::{CreateOutcome, Deployment, PrunePlan, PruneReport};
use unicode_width::UnicodeWidthStr;

use super::{json, json_line, sanitize};
use crate::cli::OutputFormat;

/// The deployment table's columns.
pub(crate) const DEPLOYMENT_COLUMNS: [&str; 8] = [
    "ID",
    "REF",
    "SHA",
    "TASK",
    "ENVIRONMENT",
    "CREATED",
    "CREATOR",
    "DESCRIPTION",
];

/// Aligned columns, header first, two spaces apart, no trailing spaces.
fn columns(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.width());
        }
    }
    let head: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    let mut out = String::new();
    for r in std::iter::once(&head).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in r.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < r.len() {
                line.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.width())));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn or_dash(v: Option<&str>) -> String {
    match v.map(sanitize) {
        Some(text) if !text.trim().is_empty() => text,
        _ => "-".to_owned(),
    }
}

fn row(d: &Deployment) -> Vec<String> {
    vec![
        d.id.to_string(),
        sanitize(&d.git_ref),
        sanitize(&d.sha.chars().take(7).collect::<String>()),
        sanitize(&d.task),
        sanitize(&d.environment),
        d.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        or_dash(d.creator.as_ref().and_then(|u| u.login.as_deref())),
        or_dash(d.description.as_deref()),
    ]
}

/// The deployments as a table.
pub(crate) fn table(items: &[Deployment]) -> String {
    let rows: Vec<Vec<String>> = items.iter().map(row).collect();
    columns(&DEPLOYMENT_COLUMNS, &rows)
}

/// Writes deployments: a JSON array, JSON Lines, or a table.
pub(crate) fn list(
    out: &mut impl Write,
    format: OutputFormat,
    items: &[Deployment],
) -> io::Result<()> {
    match format {
        OutputFormat::Json => json(out, items),
        OutputFormat::Jsonl => items.iter().try_for_each(|d| json_line(out, d)),
        OutputFormat::Table => out.write_all(table(items).as_bytes()),
    }
}

/// Writes a create's outcome: the deployment (with `"outcome": "created"`
/// in JSON), or the 202's message.
pub(crate) fn outcome(
    out: &mut impl Write,
    format: OutputFormat,
    outcome: &CreateOutcome,
) -> io::Result<()> {
    match (format, outcome) {
        (OutputFormat::Json, o) => json(out, o),
        (OutputFormat::Jsonl, o) => json_line(out, o),
        (OutputFormat::Table, CreateOutcome::Created(d)) => {
            out.write_all(table(std::slice::from_ref(d)).as_bytes())
        }
        (OutputFormat::Table, CreateOutcome::AutoMerged(m)) => writeln!(
            out,
            "no deployment created: {} (run it again to deploy the merge)",
            sanitize(&m.message)
        ),
        (OutputFormat::Table, _) => Ok(()),
    }
}

/// Writes prune's plan.
pub(crate) fn plan(out: &mut impl Write, format: OutputFormat, plan: &PrunePlan) -> io::Result<()> {
    match format {
        OutputFormat::Json => json(out, plan),
        OutputFormat::Jsonl => json_line(out, plan),
        OutputFormat::Table => {
            let mut rows: Vec<Vec<String>> = plan
                .keep
                .iter()
                .map(|k| {
                    vec![
                        k.id.to_string(),
                        "keep".to_owned(),
                        or_dash(k.state.as_deref()),
                        format!("{:?}", k.reason).to_lowercase(),
                    ]
                })
                .collect();
            rows.extend(plan.delete.iter().map(|d| {
                vec![
                    d.id.to_string(),
                    "delete".to_owned(),
                    or_dash(d.state.as_deref()),
                    if d.deactivate {
                        "inactive first".to_owned()
                    } else {
                        "-".to_owned()
                    },
                ]
            }));
            out.write_all(columns(&["ID", "ACTION", "STATE", "NOTE"], &rows).as_bytes())?;
            writeln!(
                out,
                "dry run: {} kept, {} to delete ({} writes); nothing was changed",
                plan.keep.len(),
                plan.delete.len(),
                plan.writes()
            )
        }
    }
}

/// Writes prune's report.
pub(crate) fn report(
    out: &mut impl Write,
    format: OutputFormat,
    report: &PruneReport,
) -> io::Result<()> {
    match format {
        OutputFormat::Json => json(out, report),
        OutputFormat::Jsonl => json_line(out, report),
        OutputFormat::Table => {
            let mut rows: Vec<Vec<String>> = report
                .kept
                .iter()
                .map(|k| {
                    vec![
                        k.id.to_string(),
                        "kept".to_owned(),
                        format!("{:?}", k.reason).to_lowercase(),
                    ]
                })
                .collect();
            rows.extend(
                report
                    .deleted
                    .iter()
                    .map(|id| vec![id.to_string(), "deleted".to_owned(), "-".to_owned()]),
            );
            rows.extend(report.failed.iter().map(|f| {
                vec![
                    f.id.to_string(),
                    "failed".to_owned(),
                    sanitize(&format!("{}: {}", f.step, f.reason)),
                ]
            }));
            out.write_all(columns(&["ID", "RESULT", "DETAIL"], &rows).as_bytes())?;
            writeln!(
                out,
                "{} kept, {} deleted, {} failed",
                report.kept.len(),
                report.deleted.len(),
                report.failed.len()
            )
        }
    }
}
