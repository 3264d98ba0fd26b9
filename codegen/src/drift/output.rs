//! What `cargo xtask drift` prints, in each [`Format`]: the text report
//! (as snapshots hold it, plus the operations a subset did not compare),
//! JSON with an `acknowledged` flag on every change, and Markdown for a CI
//! job summary, grouped by class, breaking first.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};

use super::Format;
use super::classify::Class;
use super::report::{Change, DriftReport};

/// What the report is about, beside its changes.
pub(crate) struct Described<'a> {
    /// The other description's `info`.
    pub info: Option<&'a Value>,
    /// The snapshot file checked against.
    pub snapshot: &'a Path,
    /// Whether it exists.
    pub snapshot_exists: bool,
    /// The fragment's operations the (subset) description does not hold.
    pub not_compared: &'a [String],
}

/// Renders `report` in `format`; a change is acknowledged when its line is
/// in `acknowledged`.
pub(crate) fn render(
    format: Format,
    report: &DriftReport,
    acknowledged: &BTreeSet<String>,
    described: &Described<'_>,
) -> String {
    match format {
        Format::Text => text(report, described),
        Format::Json => json(report, acknowledged, described),
        Format::Markdown => markdown(report, acknowledged, described),
    }
}

/// The snapshot's text of the report's lines (so a blessed snapshot is
/// exactly what was printed), then the operations not compared.
fn text(report: &DriftReport, described: &Described<'_>) -> String {
    let lines = report.changes().iter().map(Change::render).collect();
    let mut out = super::snapshot::text(&lines);
    if !described.not_compared.is_empty() {
        out.push_str(&format!(
            "# not compared (not in this subset): {}\n",
            described.not_compared.join(", ")
        ));
    }
    out
}

fn info_field<'a>(described: &'a Described<'_>, key: &str) -> Option<&'a Value> {
    described.info.and_then(|i| i.get(key))
}

fn json(
    report: &DriftReport,
    acknowledged: &BTreeSet<String>,
    described: &Described<'_>,
) -> String {
    let mut value: Value = serde_json::from_str(&report.to_json()).unwrap_or_default();
    let mut unacknowledged = 0;
    if let Some(changes) = value.get_mut("changes").and_then(Value::as_array_mut) {
        for (json, change) in changes.iter_mut().zip(report.changes()) {
            let ok = acknowledged.contains(&change.render());
            unacknowledged += usize::from(!ok);
            json["acknowledged"] = Value::Bool(ok);
        }
    }
    value["summary"]["unacknowledged"] = json!(unacknowledged);
    value["description"] = json!({
        "title": info_field(described, "title"),
        "version": info_field(described, "version"),
        "plan": info_field(described, "x-github-plan"),
        "release": info_field(described, "x-github-release"),
        "snapshot": described.snapshot.display().to_string(),
        "snapshot_exists": described.snapshot_exists,
    });
    value["not_compared"] = json!(described.not_compared);
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}

/// A Markdown table cell: pipes escaped, on one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn markdown(
    report: &DriftReport,
    acknowledged: &BTreeSet<String>,
    described: &Described<'_>,
) -> String {
    let name = |key: &str| {
        info_field(described, key).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let what = match (name("x-github-plan"), name("x-github-release")) {
        (Some(plan), Some(release)) => format!("{plan} {release}"),
        (Some(plan), None) => plan,
        _ => format!(
            "{} {}",
            name("title").unwrap_or_default(),
            name("version").unwrap_or_default()
        ),
    };
    let new = report
        .changes()
        .iter()
        .filter(|c| !acknowledged.contains(&c.render()))
        .count();
    let mut out = format!(
        "## API drift: {}\n\n**{} breaking, {} additive, {} docs**; {} not acknowledged in `{}`.\n",
        cell(what.trim()),
        report.count(Class::Breaking),
        report.count(Class::Additive),
        report.count(Class::Docs),
        new,
        described.snapshot.display()
    );
    if !described.not_compared.is_empty() {
        out.push_str(&format!(
            "\nNot compared (not in this subset): {}.\n",
            described.not_compared.join(", ")
        ));
    }
    for (class, title) in [
        (Class::Breaking, "Breaking"),
        (Class::Additive, "Additive"),
        (Class::Docs, "Documentation"),
    ] {
        let changes: Vec<_> = report
            .changes()
            .iter()
            .filter(|c| c.class == class)
            .collect();
        if changes.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {title} ({})\n\n", changes.len()));
        let folded = class == Class::Docs;
        if folded {
            out.push_str("<details><summary>show</summary>\n\n");
        }
        out.push_str("| | operation | where | change |\n| --- | --- | --- | --- |\n");
        for change in changes {
            let mark = if acknowledged.contains(&change.render()) {
                "acknowledged"
            } else {
                "**new**"
            };
            let mut message = change.message();
            if let Some(fixup) = change.absorbed_by {
                message.push_str(&format!(" (absorbed by fixup `{fixup}`)"));
            }
            out.push_str(&format!(
                "| {mark} | `{}` | `{}` | {} |\n",
                cell(&change.operation),
                cell(&change.location),
                cell(&message)
            ));
        }
        if folded {
            out.push_str("\n</details>\n");
        }
    }
    out
}
