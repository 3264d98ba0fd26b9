//! What goes to standard output: JSON for machines (statuses as the library
//! serializes them; `{"ok": true, ...}` for delete and dispatch), aligned
//! tables and sentences for people.

use std::io::{self, Write};

use octodeploy::DeploymentStatus;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::cli::OutputFormat;

pub(crate) mod deployments;

/// The table's columns.
pub(crate) const COLUMNS: [&str; 6] = [
    "ID",
    "STATE",
    "ENVIRONMENT",
    "CREATED",
    "CREATOR",
    "DESCRIPTION",
];

/// What delete and dispatch report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Ack {
    /// Always `true` (failures exit non-zero and print nothing here).
    pub(crate) ok: bool,
    /// `deployment.delete` or `dispatch`.
    pub(crate) action: &'static str,
    /// `OWNER/REPO`.
    pub(crate) repository: String,
    /// The deleted deployment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deployment_id: Option<i64>,
    /// Whether the deployment was marked inactive before deletion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deactivated: Option<bool>,
    /// The dispatched event type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) event_type: Option<String>,
    /// `X-GitHub-Request-Id` of the (last) request, `null` if the server
    /// sent none.
    pub(crate) request_id: Option<String>,
}

/// Writes one status.
pub(crate) fn status(
    out: &mut impl Write,
    format: OutputFormat,
    s: &DeploymentStatus,
) -> io::Result<()> {
    match format {
        OutputFormat::Json => json(out, s),
        OutputFormat::Jsonl => json_line(out, s),
        OutputFormat::Table => out.write_all(table(std::slice::from_ref(s)).as_bytes()),
    }
}

/// A table holds at most this many rows to align its columns (one page of
/// `--all`); later rows keep those widths (a longer cell shifts the rest of
/// its own row only).
pub(crate) const TABLE_ALIGN_ROWS: usize = 100;

/// Writes a list of statuses as they arrive, holding none of them: a JSON
/// array written element by element (in the layout `serde_json` gives a
/// whole array), one object per line (`jsonl`), or a table aligned over its
/// first [`TABLE_ALIGN_ROWS`] rows ("no statuses" when empty).
///
/// A list that ends in an error is left as it is: a JSON array stays open,
/// so a partial listing never parses as a complete one.
#[derive(Debug)]
pub(crate) struct StatusList<W: Write> {
    out: W,
    format: OutputFormat,
    written: usize,
    /// Table rows waiting for the columns' widths.
    pending: Vec<[String; 6]>,
    /// The table's widths, once the header is written.
    widths: Option<[usize; 6]>,
}

impl<W: Write> StatusList<W> {
    /// An empty list writing to `out`.
    pub(crate) fn new(out: W, format: OutputFormat) -> StatusList<W> {
        StatusList {
            out,
            format,
            written: 0,
            pending: Vec::new(),
            widths: None,
        }
    }

    /// Writes (or, for the first rows of a table, holds) one status.
    pub(crate) fn push(&mut self, s: &DeploymentStatus) -> io::Result<()> {
        match self.format {
            OutputFormat::Json => {
                let text = serde_json::to_string_pretty(s).map_err(io::Error::from)?;
                self.out
                    .write_all(if self.written == 0 { b"[\n" } else { b",\n" })?;
                // JSON strings hold no raw newline: every line is structure.
                for (i, line) in text.lines().enumerate() {
                    if i > 0 {
                        self.out.write_all(b"\n")?;
                    }
                    self.out.write_all(b"  ")?;
                    self.out.write_all(line.as_bytes())?;
                }
            }
            OutputFormat::Jsonl => json_line(&mut self.out, s)?,
            OutputFormat::Table => match self.widths {
                Some(widths) => write_row(&mut self.out, &row(s), &widths)?,
                None => {
                    self.pending.push(row(s));
                    if self.pending.len() >= TABLE_ALIGN_ROWS {
                        self.write_pending()?;
                    }
                }
            },
        }
        self.written += 1;
        Ok(())
    }

    /// How many statuses are held, not yet written (at most
    /// [`TABLE_ALIGN_ROWS`], and only for a table).
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.pending.len()
    }

    /// Flushes what was written to the underlying writer (not held rows).
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Ends the list (closes the JSON array, writes held table rows or "no
    /// statuses") and flushes.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        match self.format {
            OutputFormat::Json if self.written == 0 => self.out.write_all(b"[]\n")?,
            OutputFormat::Json => self.out.write_all(b"\n]\n")?,
            OutputFormat::Jsonl => {}
            OutputFormat::Table if self.written == 0 => writeln!(self.out, "no statuses")?,
            OutputFormat::Table => self.write_pending()?,
        }
        self.out.flush()?;
        Ok(self.out)
    }

    /// Table rows received before an error: written, so that a person sees
    /// what arrived. JSON is left open (see the type's docs).
    pub(crate) fn abandon(mut self) -> io::Result<()> {
        if self.format == OutputFormat::Table && self.written > 0 {
            self.write_pending()?;
        }
        self.out.flush()
    }

    fn write_pending(&mut self) -> io::Result<()> {
        let widths = match self.widths {
            Some(w) => w,
            None => {
                let w = widths(&self.pending);
                write_row(&mut self.out, &COLUMNS.map(str::to_owned), &w)?;
                self.widths = Some(w);
                w
            }
        };
        for r in std::mem::take(&mut self.pending) {
            write_row(&mut self.out, &r, &widths)?;
        }
        Ok(())
    }
}

/// Writes a list of statuses at once (see [`StatusList`]).
pub(crate) fn statuses(
    out: &mut impl Write,
    format: OutputFormat,
    items: &[DeploymentStatus],
) -> io::Result<()> {
    let mut list = StatusList::new(out, format);
    for s in items {
        list.push(s)?;
    }
    list.finish().map(drop)
}

/// Writes a delete or dispatch acknowledgement.
pub(crate) fn ack(out: &mut impl Write, format: OutputFormat, ack: &Ack) -> io::Result<()> {
    match format {
        OutputFormat::Json => json(out, ack),
        OutputFormat::Jsonl => json_line(out, ack),
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

fn json_line<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// The statuses as aligned columns, header first, two spaces between
/// columns, no trailing spaces. Widths are display widths (CJK counts
/// double); control characters in server data cannot move the cursor.
pub(crate) fn table(items: &[DeploymentStatus]) -> String {
    let rows: Vec<[String; 6]> = items.iter().map(row).collect();
    let widths = widths(&rows);
    let mut out = Vec::new();
    for r in std::iter::once(&COLUMNS.map(str::to_owned)).chain(&rows) {
        // Writing to a Vec cannot fail.
        let _ = write_row(&mut out, r, &widths);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The display width of each column: its header or its widest cell.
fn widths(rows: &[[String; 6]]) -> [usize; 6] {
    let mut widths = COLUMNS.map(UnicodeWidthStr::width);
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.width());
        }
    }
    widths
}

/// One table line: cells padded to `widths`, no trailing spaces.
fn write_row(out: &mut impl Write, cells: &[String; 6], widths: &[usize; 6]) -> io::Result<()> {
    let mut line = String::new();
    for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        line.push_str(cell);
        if i + 1 < cells.len() {
            line.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.width())));
        }
    }
    writeln!(out, "{}", line.trim_end())
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

/// Server text made safe for one table cell (see [`crate::text`]).
fn sanitize(text: &str) -> String {
    crate::text::one_line(text)
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
                serde_json::json!({"login": l, "id": 1, "node_id": "x", "avatar_url": "https://a/1", "html_url": "https://a/h", "type": "User", "site_admin": false})
            }
            None => serde_json::Value::Null,
        };
        serde_json::from_value(serde_json::json!({
            "url": "https://api.example.com/s", "id": id, "node_id": "n", "state": state,
            "creator": creator, "description": desc, "environment": env, "target_url": "",
            "log_url": "", "environment_url": "",
            "created_at": "2025-06-04T12:34:56Z", "updated_at": "2025-06-04T12:34:56Z",
            "deployment_url": "https://api.example.com/d", "repository_url": "https://api.example.com/r"
        }))
        .unwrap()
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

    fn many(n: i64) -> Vec<DeploymentStatus> {
        (1..=n)
            .map(|i| status(i, "success", "staging", Some("hubot"), "ok"))
            .collect()
    }

    #[test]
    fn a_streamed_json_array_is_what_serde_writes_for_the_whole() {
        for n in 0..4 {
            let items = many(n);
            let mut out = Vec::new();
            statuses(&mut out, OutputFormat::Json, &items).unwrap();
            let whole = serde_json::to_string_pretty(&items).unwrap() + "\n";
            assert_eq!(String::from_utf8(out).unwrap(), whole, "{n} items");
        }
    }

    #[test]
    fn json_and_jsonl_write_each_status_as_it_comes_and_hold_none() {
        let items = many(1000);
        for format in [OutputFormat::Json, OutputFormat::Jsonl] {
            let mut list = StatusList::new(Vec::new(), format);
            let mut before = 0;
            for s in &items {
                list.push(s).unwrap();
                assert_eq!(list.held(), 0, "{format:?}");
                let id = format!("\"id\": {}", s.id).replace(' ', "");
                let tail = String::from_utf8_lossy(&list.out[before..]).replace([' ', '\n'], "");
                assert!(
                    tail.contains(&id),
                    "{format:?}: status {} not written yet",
                    s.id
                );
                before = list.out.len();
            }
            let out = String::from_utf8(list.finish().unwrap()).unwrap();
            if format == OutputFormat::Jsonl {
                let lines: Vec<&str> = out.lines().collect();
                assert_eq!(lines.len(), 1000);
                let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
                assert_eq!(first, serde_json::to_value(&items[0]).unwrap());
            } else {
                let all: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
                assert_eq!(all.len(), 1000);
            }
        }
    }

    #[test]
    fn a_table_holds_at_most_one_page_of_rows() {
        let mut items = many(TABLE_ALIGN_ROWS as i64 * 3);
        // Past the aligned rows, a wider environment shifts its own row only.
        let wide = TABLE_ALIGN_ROWS + 10;
        items[wide] = status(wide as i64 + 1, "success", "production-eu-west", None, "x");
        let mut list = StatusList::new(Vec::new(), OutputFormat::Table);
        for (i, s) in items.iter().enumerate() {
            list.push(s).unwrap();
            assert!(list.held() <= TABLE_ALIGN_ROWS, "{} held", list.held());
            if i + 1 >= TABLE_ALIGN_ROWS {
                assert_eq!(list.held(), 0, "written once the widths are known");
            }
        }
        let out = String::from_utf8(list.finish().unwrap()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), items.len() + 1);
        let created = |l: &str| l.find("2025").unwrap();
        assert_eq!(
            created(lines[1]),
            created(lines[0].replace("CREATED", "2025").as_str())
        );
        assert_eq!(created(lines[wide + 2]), created(lines[1]));
        assert!(
            created(lines[wide + 1]) > created(lines[1]),
            "{}",
            lines[wide + 1]
        );
    }

    #[test]
    fn a_failed_listing_leaves_json_open_and_shows_the_table_so_far() {
        let items = many(2);
        let mut out = Vec::new();
        let mut list = StatusList::new(&mut out, OutputFormat::Json);
        list.push(&items[0]).unwrap();
        list.abandon().unwrap();
        assert!(serde_json::from_slice::<serde_json::Value>(&out).is_err());
        let mut out = Vec::new();
        let mut list = StatusList::new(&mut out, OutputFormat::Table);
        list.push(&items[0]).unwrap();
        list.push(&items[1]).unwrap();
        list.abandon().unwrap();
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 3);
        let mut out = Vec::new();
        statuses(&mut out, OutputFormat::Table, &[]).unwrap();
        assert_eq!(out, b"no statuses\n");
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
