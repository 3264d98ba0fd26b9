//! Acknowledged drift. A snapshot `<dir>/<name>.txt` holds the accepted text
//! report of one description; `<name>` is what the description *is* (see
//! [`snapshot_name`]), not its file name, so the same description under
//! another name, and a subset of it, find the same snapshot.
//!
//! The check compares change lines (the `#` summary lines are derived, not
//! compared): a line in the report and not in the snapshot is new drift, a
//! line in the snapshot and not in the report is drift that went away; both
//! fail until blessed. For a subset (`--subset`), only the lines of the
//! operations it holds are compared, and blessing replaces only those.
//!
//! Documentation-only changes are part of the snapshot, so the file reviews
//! all drift; their lines carry a short hash of long texts so a later edit to
//! the same text is noticed too.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::DriftError;

/// The snapshot name of a description, from what it says it describes:
/// GitHub's `info.x-github-plan` and `x-github-release` (`ghes-3.19`,
/// `api.github.com`); else, as older descriptions say it, the release in
/// its documentation link (`…/enterprise-server@2.22/rest/` is `ghes-2.22`,
/// `…/github-ae@latest/…` is `github.ae`) or its one fixed server
/// (`https://api.github.com`); else `info.title` and `info.version`
/// (`github-v3-rest-api-1.1.4`). The title and version alone do not tell
/// the files of one `@octokit/openapi` 2.x package apart, hence the links
/// first. `None` when the description says none of these (then
/// `--snapshot NAME`).
pub fn snapshot_name(description: &Value) -> Option<String> {
    let info = description.get("info")?;
    let text = |key: &str| match info.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let name = match (text("x-github-plan"), text("x-github-release")) {
        (Some(plan), Some(release)) => format!("{plan}-{release}"),
        (Some(plan), None) => plan,
        (None, _) => match product(description) {
            Some(product) => product,
            None => format!("{}-{}", text("title")?, text("version")?),
        },
    };
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    (!slug.is_empty()).then_some(slug)
}

/// The product and release an older description names in its top-level
/// `externalDocs` link or its one fixed server URL (see [`snapshot_name`]).
fn product(description: &Value) -> Option<String> {
    let docs = description
        .pointer("/externalDocs/url")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if let Some((_, rest)) = docs.split_once("/enterprise-server@") {
        let release = rest.split('/').next().unwrap_or_default();
        if !release.is_empty() {
            return Some(format!("ghes-{release}"));
        }
    }
    if docs.contains("/github-ae@") {
        return Some("github.ae".to_owned());
    }
    let servers = description.get("servers").and_then(Value::as_array)?;
    match servers.as_slice() {
        [server] => {
            let url = server.get("url").and_then(Value::as_str)?;
            let host = url.strip_prefix("https://")?.trim_end_matches('/');
            (!host.is_empty() && !host.contains(['{', '/'])).then(|| host.to_owned())
        }
        _ => None,
    }
}

/// The snapshot file for `name` in `dir`.
pub fn snapshot_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.txt"))
}

/// A snapshot's change lines (summary lines left out); `None` when the
/// file does not exist.
pub(crate) fn read_lines(snapshot: &Path) -> Result<Option<Vec<String>>, DriftError> {
    match std::fs::read_to_string(snapshot) {
        Ok(text) => Ok(Some(
            text.replace("\r\n", "\n")
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(str::to_owned)
                .collect(),
        )),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(crate::Error::io("reading", snapshot, err).into()),
    }
}

/// The operation a change line is about (its second field).
pub(crate) fn line_operation(line: &str) -> &str {
    line.split_whitespace().nth(1).unwrap_or_default()
}

/// The snapshot text for `lines`: a summary line, then the lines ordered
/// by operation and location.
pub(crate) fn text(lines: &BTreeSet<String>) -> String {
    let mut sorted: Vec<&String> = lines.iter().collect();
    sorted.sort_by_key(|l| {
        let op = line_operation(l);
        let rest = l.split_once(op).map_or("", |(_, r)| r);
        (op.to_owned(), rest.to_owned())
    });
    let count = |label: &str| sorted.iter().filter(|l| l.starts_with(label)).count();
    let mut out = if sorted.is_empty() {
        "# drift: none\n".to_owned()
    } else {
        format!(
            "# drift: {} breaking, {} additive, {} docs\n",
            count("breaking "),
            count("additive "),
            count("docs ")
        )
    };
    for line in sorted {
        out.push_str(line);
        out.push('\n');
    }
    out
}
