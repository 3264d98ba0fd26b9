//! The result of a comparison ([`DriftReport`], [`Change`]) and its two
//! stable renderings: one text line per change for people and snapshots,
//! JSON for tools.
//!
//! Text format, after a `# drift: …` summary line:
//!
//! ```text
//! <class, padded to 8>  <operation>  <location>: <message>
//! additive  repos/create-dispatch-event  response 404: status code added
//! ```
//!
//! Values in messages are shown as JSON when short; longer ones (most
//! descriptions and examples) as `#` and the first 8 hex digits of the
//! SHA-256 of their compact JSON, so the line stays short but still changes
//! when the text changes again. Absent values are shown as `none`.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::classify::{ChangeKind, Class, Side, classify, reason};

/// Values longer than this (as compact JSON) are shown as a hash.
const MAX_SHOWN: usize = 40;

/// One difference between the base description and the other one.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The operation id, e.g. `repos/create-deployment-status`.
    pub operation: String,
    /// Where in the operation, e.g. `response 200 application/json .creator.id`
    /// (syntax in the `walk` module docs).
    pub location: String,
    /// Which part of the exchange the location is in.
    pub side: Side,
    /// What changed.
    pub kind: ChangeKind,
    /// How it affects this client, from [`classify`].
    pub class: Class,
    /// The value in the base description, when the kind has one.
    pub old: Option<Value>,
    /// The value in the other description, when the kind has one.
    pub new: Option<Value>,
    /// The fixup that makes this otherwise breaking change harmless for
    /// this client (its class is then [`Class::Additive`]).
    pub absorbed_by: Option<&'static str>,
}

impl Change {
    /// A change, classified by [`classify`].
    pub(crate) fn new(
        operation: &str,
        location: String,
        side: Side,
        kind: ChangeKind,
        old: Option<Value>,
        new: Option<Value>,
    ) -> Self {
        Change {
            operation: operation.to_owned(),
            class: classify(&kind, side),
            location,
            side,
            kind,
            old,
            new,
            absorbed_by: None,
        }
    }

    /// Marks the change as absorbed by `fixup`: not breaking for this client.
    pub(crate) fn absorb(&mut self, fixup: &'static str) {
        self.absorbed_by = Some(fixup);
        self.class = Class::Additive;
    }

    /// (operation, location, kind): what identifies a change across two
    /// comparisons.
    pub(crate) fn identity(&self) -> (&str, &str, &'static str) {
        (&self.operation, &self.location, self.kind.code())
    }

    /// The human-readable description of the change (without location).
    pub fn message(&self) -> String {
        let (old, new) = (self.old.as_ref(), self.new.as_ref());
        let transition = |keyword: &str, show: fn(Option<&Value>) -> String| {
            format!("{keyword} {} -> {}", show(old), show(new))
        };
        let presence = |required: bool| if required { "required" } else { "optional" };
        match &self.kind {
            ChangeKind::OperationRemoved => format!("operation removed (was {})", token(old)),
            ChangeKind::PathChanged => transition("path", token),
            ChangeKind::MethodChanged => transition("method", token),
            ChangeKind::ParameterAdded { required } => {
                format!("parameter added ({})", presence(*required))
            }
            ChangeKind::ParameterRemoved => "parameter removed".to_owned(),
            ChangeKind::RequestBodyAdded { required } => {
                format!("request body added ({})", presence(*required))
            }
            ChangeKind::RequestBodyRemoved => "request body removed".to_owned(),
            ChangeKind::MadeRequired => "made required".to_owned(),
            ChangeKind::MadeOptional => "made optional".to_owned(),
            ChangeKind::StatusAdded { .. } => "status code added".to_owned(),
            ChangeKind::StatusRemoved { .. } => "status code removed".to_owned(),
            ChangeKind::MediaTypeAdded => "media type added".to_owned(),
            ChangeKind::MediaTypeRemoved => "media type removed".to_owned(),
            ChangeKind::HeaderAdded => "header added".to_owned(),
            ChangeKind::HeaderRemoved => "header removed".to_owned(),
            ChangeKind::PropertyAdded { required } => {
                format!("property added ({})", presence(*required))
            }
            ChangeKind::PropertyRemoved { required } => {
                format!("property removed (was {})", presence(*required))
            }
            ChangeKind::NullableAdded => "made nullable".to_owned(),
            ChangeKind::NullableRemoved => "no longer nullable".to_owned(),
            ChangeKind::TypeChanged { .. } => transition("type", token),
            ChangeKind::FormatChanged { .. } => transition("format", token),
            ChangeKind::EnumAdded => format!("enum added {}", shown(new)),
            ChangeKind::EnumRemoved => format!("enum removed {}", shown(old)),
            ChangeKind::EnumValueAdded => format!("enum value added {}", shown(new)),
            ChangeKind::EnumValueRemoved => format!("enum value removed {}", shown(old)),
            ChangeKind::ConstraintChanged { keyword, .. } => transition(keyword, shown),
            ChangeKind::CompositionChanged => transition("composition", token),
            ChangeKind::MemberAdded { .. } => format!("member added ({})", token(new)),
            ChangeKind::MemberRemoved { .. } => format!("member removed ({})", token(old)),
            ChangeKind::DefaultChanged => transition("default", shown),
            ChangeKind::Documentation { keyword }
                if keyword == "description"
                    && (self.location == "operation"
                        || self.location.starts_with("parameter ")) =>
            {
                let mut line = transition(keyword, shown);
                if let Some(excerpt) = excerpt(old, new) {
                    line.push_str(": ");
                    line.push_str(&excerpt);
                }
                line
            }
            ChangeKind::Documentation { keyword } => transition(keyword, shown),
            ChangeKind::Extension { keyword } => match (old, new) {
                (Some(Value::Object(x)), Some(Value::Object(y))) => {
                    let mut keys: Vec<&str> = x
                        .iter()
                        .filter(|(key, value)| y.get(*key) != Some(value))
                        .chain(y.iter().filter(|(key, _)| !x.contains_key(*key)))
                        .map(|(key, _)| key.as_str())
                        .collect();
                    keys.sort_unstable();
                    format!("{keyword} changed ({})", keys.join(", "))
                }
                _ => transition(keyword, shown),
            },
            ChangeKind::KeywordChanged { keyword } => transition(keyword, shown),
        }
    }

    /// The change as one text line (see the module docs).
    pub fn render(&self) -> String {
        let absorbed = match (self.absorbed_by, reason(&self.kind, self.side)) {
            (Some(fixup), _) => format!(" (absorbed by fixup {fixup})"),
            (None, Some(reason)) => format!(" ({reason})"),
            (None, None) => String::new(),
        };
        format!(
            "{:<8}  {}  {}: {}{absorbed}",
            self.class.label(),
            self.operation,
            self.location,
            self.message()
        )
    }

    /// The sort key: operation, location, kind, then the message.
    fn sort_key(&self) -> (String, String, &'static str, String) {
        (
            self.operation.clone(),
            self.location.clone(),
            self.kind.code(),
            self.message(),
        )
    }
}

/// Excerpts shown of a changed description are cut to this many characters.
const EXCERPT_CHARS: usize = 60;

/// What changed between two long texts, on one line: the first sentence
/// only in the old text (`-"…"`) and the first only in the new (`+"…"`).
/// `None` when both are short enough to be shown whole, or not text.
fn excerpt(old: Option<&Value>, new: Option<&Value>) -> Option<String> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
    let (old, new) = (text(old), text(new));
    if old.chars().count() <= MAX_SHOWN && new.chars().count() <= MAX_SHOWN {
        return None;
    }
    let sentences = |t: &str| -> Vec<String> {
        // Sentences end at a line break or at `.` before whitespace (not
        // inside `3.0/...` or `.git`).
        let mut out = Vec::new();
        let mut current = String::new();
        let mut chars = t.chars().peekable();
        while let Some(c) = chars.next() {
            let end = c == '\n' || (c == '.' && chars.peek().is_none_or(|n| n.is_whitespace()));
            if c != '\n' {
                current.push(c);
            }
            if end {
                out.push(std::mem::take(&mut current));
            }
        }
        out.push(current);
        out.into_iter()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
            .collect()
    };
    let (a, b) = (sentences(&old), sentences(&new));
    let cut = |s: &String| -> String {
        let mut short: String = s.chars().take(EXCERPT_CHARS).collect();
        if s.chars().count() > EXCERPT_CHARS {
            short.push('…');
        }
        format!("{short:?}")
    };
    let mut removed = a.iter().find(|s| !b.contains(s)).cloned();
    let mut added = b.iter().find(|s| !a.contains(s)).cloned();
    // Two versions of one sentence: show them from just before they part.
    if let (Some(x), Some(y)) = (&mut removed, &mut added) {
        let common = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
        if common > 20 {
            let skip = common - 10;
            *x = format!("…{}", x.chars().skip(skip).collect::<String>());
            *y = format!("…{}", y.chars().skip(skip).collect::<String>());
        }
    }
    let removed = removed.map(|s| format!("-{}", cut(&s)));
    let added = added.map(|s| format!("+{}", cut(&s)));
    let parts: Vec<String> = removed.into_iter().chain(added).collect();
    Some(if parts.is_empty() {
        "whitespace only".to_owned()
    } else {
        parts.join(" ")
    })
}

/// A value as a bare token: strings unquoted, anything else as JSON.
fn token(value: Option<&Value>) -> String {
    match value {
        None => "none".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// A value as compact JSON, or `#` and a short hash when it is long.
fn shown(value: Option<&Value>) -> String {
    let Some(value) = value else {
        return "none".to_owned();
    };
    let json = value.to_string();
    if json.chars().count() <= MAX_SHOWN {
        return json;
    }
    let digest = Sha256::digest(json.as_bytes());
    let hex: String = digest[..4]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("#{hex}")
}

/// The classified, sorted differences between two descriptions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DriftReport {
    changes: Vec<Change>,
}

impl DriftReport {
    /// Sorts the changes by operation, location and kind, and drops
    /// duplicates.
    /// The changes themselves, for [`super::absorb`].
    pub(crate) fn changes_mut(&mut self) -> &mut [Change] {
        &mut self.changes
    }

    pub(crate) fn new(mut changes: Vec<Change>) -> Self {
        changes.sort_by_cached_key(Change::sort_key);
        changes.dedup();
        DriftReport { changes }
    }

    /// The changes, sorted by operation, location and kind.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Whether the descriptions are equivalent for the compared operations.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes have the given class.
    pub fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }

    /// The text report: a summary comment line, then one line per change.
    /// This is what snapshots hold.
    pub fn render_text(&self) -> String {
        let mut out = if self.is_empty() {
            "# drift: none\n".to_owned()
        } else {
            format!(
                "# drift: {} breaking, {} additive, {} docs\n",
                self.count(Class::Breaking),
                self.count(Class::Additive),
                self.count(Class::Docs)
            )
        };
        for change in &self.changes {
            out.push_str(&change.render());
            out.push('\n');
        }
        out
    }

    /// The report as pretty-printed JSON with a fixed field order:
    /// `{"summary": {"breaking", "additive", "docs"}, "changes": [{"class",
    /// "operation", "location", "side", "kind", <kind fields>, "message",
    /// "old", "new"}]}`.
    pub fn to_json(&self) -> String {
        let report = JsonReport {
            summary: JsonSummary {
                breaking: self.count(Class::Breaking),
                additive: self.count(Class::Additive),
                docs: self.count(Class::Docs),
            },
            changes: self
                .changes
                .iter()
                .map(|change| JsonChange {
                    class: change.class,
                    operation: &change.operation,
                    location: &change.location,
                    side: change.side,
                    kind: &change.kind,
                    message: change.message(),
                    absorbed_by: change.absorbed_by,
                    old: change.old.as_ref(),
                    new: change.new.as_ref(),
                })
                .collect(),
        };
        let mut out = serde_json::to_string_pretty(&report).unwrap_or_else(|err| {
            // Only structs, strings, numbers and `Value`s: nothing can fail.
            unreachable!("serialising a drift report failed: {err}")
        });
        out.push('\n');
        out
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    summary: JsonSummary,
    changes: Vec<JsonChange<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    breaking: usize,
    additive: usize,
    docs: usize,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    class: Class,
    operation: &'a str,
    location: &'a str,
    side: Side,
    #[serde(flatten)]
    kind: &'a ChangeKind,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    absorbed_by: Option<&'a str>,
    old: Option<&'a Value>,
    new: Option<&'a Value>,
}
