//! What goes to standard output: JSON for machines (statuses as the library
//! serializes them; `{"ok": true, ...}` for delete and dispatch), aligned
//! tables and sentences for people.

use std::io::{self, Write};

use octodeploy::DeploymentStatus;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::cli::OutputFormat;

/// The table's columns.
pub const COLUMNS: [&str; 6] = [
    "ID",
    "STATE",
    "ENVIRONMENT",
    "CREATED",
    "CREATOR",
    "DESCRIPTION",
];

/// What delete and dispatch report.
#[derive(Debug, Clone, Serialize)]
pub struct Ack {
    /// Always `true` (failures exit non-zero and print nothing here).
    pub ok: bool,
    /// `deployment.delete` or `dispatch`.
    pub action: &'static str,
    /// `OWNER/REPO`.
    pub repository: String,
    /// The deleted deployment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<i64>,
    /// Whether the deployment was marked inactive before deletion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deactivated: Option<bool>,
    /// The dispatched event type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// `X-GitHub-Request-Id` of the (last) request, `null` if the server
    /// sent none.
    pub request_id: Option<String>,
}

/// Writes one status.
pub fn status(out: &mut impl Write, format: OutputFormat, s: &DeploymentStatus) -> io::Result<()> {
    match format {
        OutputFormat::Json => json(out, s),
        OutputFormat::Table => out.write_all(table(std::slice::from_ref(s)).as_bytes()),
    }
}

/// Writes a list of statuses (a JSON array, or a table; "no statuses" for
/// an empty table).
pub fn statuses(
    out: &mut impl Write,
    format: OutputFormat,
    items: &[DeploymentStatus],
) -> io::Result<()> {
    match format {
        OutputFormat::Json => json(out, items),
        OutputFormat::Table if items.is_empty() => writeln!(out, "no statuses"),
        OutputFormat::Table => out.write_all(table(items).as_bytes()),
    }
}

/// Writes a delete or dispatch acknowledgement.
pub fn ack(out: &mut impl Write, format: OutputFormat, ack: &Ack) -> io::Result<()> {
    match format {
        OutputFormat::Json => json(out, ack),
        OutputFormat::Table => {
            let what = match (ack.deployment_id, &ack.event_type) {
                (Some(id), _) if ack.deactivated == Some(true) => {
                    format!(
                        "Deactivated and deleted deployment {id} of {}",
                        ack.repository
                    )
                }
                (Some(id), _) => format!("Deleted deployment {id} of {}", ack.repository),
                (None, Some(event)) => {
                    format!("Dispatched `{}` to {}", sanitize(event), ack.repository)
                }
                (None, None) => format!("Done: {}", ack.repository),
            };
            match &ack.request_id {
                Some(id) => writeln!(out, "{what} (request id {})", sanitize(id)),
                None => writeln!(out, "{what}"),
            }
        }
    }
}

fn json<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> io::Result<()> {
    // `From` keeps the I/O error (a broken pipe stays one).
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// The statuses as aligned columns, header first, two spaces between
/// columns, no trailing spaces. Widths are display widths (CJK counts
/// double); control characters in server data cannot move the cursor.
pub fn table(items: &[DeploymentStatus]) -> String {
    let rows: Vec<[String; 6]> = items.iter().map(row).collect();
    let header = COLUMNS.map(str::to_owned);
    let mut widths = COLUMNS.map(UnicodeWidthStr::width);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    for r in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in r.iter().zip(widths).enumerate() {
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

fn row(s: &DeploymentStatus) -> [String; 6] {
    let or_dash = |v: Option<&str>| match v.map(sanitize) {
        Some(text) if !text.trim().is_empty() => text,
        _ => "-".to_owned(),
    };
    [
        s.id.to_string(),
        sanitize(s.state.as_str()),
        or_dash(s.environment.as_deref()),
        s.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        or_dash(s.creator.as_ref().and_then(|u| u.login.as_deref())),
        or_dash(s.description.as_deref()),
    ]
}

/// Server text made safe for one table cell: whitespace controls become
/// spaces, other control characters (escape sequences) U+FFFD.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(
        id: i64,
        state: &str,
        env: &str,
        login: Option<&str>,
        desc: &str,
    ) -> DeploymentStatus {
        let creator = match login {
            Some(l) => {
                serde_json::json!({"login": l, "id": 1, "node_id": "x", "avatar_url": "https://a/1", "gravatar_id": "", "url": "https://a/u", "html_url": "https://a/h", "followers_url": "https://a/f", "following_url": "https://a/g", "gists_url": "https://a/gi", "starred_url": "https://a/s", "subscriptions_url": "https://a/su", "organizations_url": "https://a/o", "repos_url": "https://a/r", "events_url": "https://a/e", "received_events_url": "https://a/re", "type": "User", "site_admin": false})
            }
            None => serde_json::Value::Null,
        };
        let raw: octodeploy::api::types::DeploymentStatus = serde_json::from_value(serde_json::json!({
            "url": "https://api.example.com/s", "id": id, "node_id": "n", "state": state,
            "creator": creator, "description": desc, "environment": env, "target_url": "",
            "log_url": "", "environment_url": "",
            "created_at": "2025-06-04T12:34:56Z", "updated_at": "2025-06-04T12:34:56Z",
            "deployment_url": "https://api.example.com/d", "repository_url": "https://api.example.com/r"
        }))
        .unwrap();
        DeploymentStatus::from(raw)
    }

    #[test]
    fn columns_align() {
        let items = [
            status(
                1190,
                "in_progress",
                "staging",
                Some("hubot"),
                "Deploying 9b0c4e1",
            ),
            status(7, "success", "production-eu", None, ""),
        ];
        let t = table(&items);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3, "{t}");
        assert_eq!(
            lines[0],
            "ID    STATE        ENVIRONMENT    CREATED                  CREATOR  DESCRIPTION"
        );
        assert_eq!(
            lines[1],
            "1190  in_progress  staging        2025-06-04 12:34:56 UTC  hubot    Deploying 9b0c4e1"
        );
        assert_eq!(
            lines[2],
            "7     success      production-eu  2025-06-04 12:34:56 UTC  -        -"
        );
    }

    #[test]
    fn wide_and_control_characters() {
        let items = [
            status(1, "success", "本番", Some("a"), "line\nbreak \u{1b}[31mred"),
            status(2, "success", "qa", Some("b"), "x"),
        ];
        let t = table(&items);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3, "{t}");
        let created = |l: &str| l.find("2025").unwrap();
        assert_eq!(lines[1][..created(lines[1])].width(), 26, "{t}");
        assert_eq!(created(lines[2]), 26, "{t}");
        assert!(lines[1].ends_with("line break \u{FFFD}[31mred"), "{t}");
    }

    #[test]
    fn acks() {
        let mut out = Vec::new();
        let a = Ack {
            ok: true,
            action: "dispatch",
            repository: "o/r".into(),
            deployment_id: None,
            deactivated: None,
            event_type: Some("deploy".into()),
            request_id: Some("AB:CD".into()),
        };
        ack(&mut out, OutputFormat::Json, &a).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["ok"], true);
        assert_eq!(v["event_type"], "deploy");
        assert!(v.get("deployment_id").is_none());
        out.clear();
        ack(&mut out, OutputFormat::Table, &a).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Dispatched `deploy` to o/r (request id AB:CD)\n"
        );
    }
}
