//! What the servers saw ([`ReceivedRequest`]) and the verification report built from it.

use std::fmt;

/// One request the replay or recording server received.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedRequest {
    /// HTTP method.
    pub method: String,
    /// Raw path, as sent.
    pub path: String,
    /// Raw query string (without `?`), if any.
    pub query: Option<String>,
    /// Headers in arrival order; secret values (authorization, cookie, …) are shown as
    /// `Bearer <redacted>` / `<redacted>`.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// What the server did with it.
    pub outcome: Outcome,
}

impl ReceivedRequest {
    /// `METHOD /path?query` as received.
    pub fn request_line(&self) -> String {
        match &self.query {
            Some(q) => format!("{} {}?{}", self.method, self.path, q),
            None => format!("{} {}", self.method, self.path),
        }
    }

    /// The value of header `name` (case-insensitive; repeated values joined with `", "`).
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            None
        } else {
            Some(values.join(", "))
        }
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// What the server did with a [`ReceivedRequest`].
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It matched `interactions[interaction]`, whose response was served.
    Matched {
        /// Index into the cassette's `interactions`.
        interaction: usize,
    },
    /// It did not match; the server answered 418 with an explanation.
    Unexpected {
        /// The interaction that was due (`None`: all were used already).
        expected: Option<usize>,
        /// One line per differing field.
        differences: Vec<String>,
    },
    /// Recording mode: forwarded upstream and recorded as `interactions[interaction]`.
    Recorded {
        /// Index into the recorded cassette's `interactions`.
        interaction: usize,
    },
    /// Recording mode: forwarding failed; the server answered 502.
    UpstreamFailed {
        /// The client error, as text.
        error: String,
    },
}

/// Why replay verification failed. Its `Display` is the message `finish()` panics with.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationReport {
    /// The cassette's scenario name.
    pub scenario: String,
    /// Requests that matched no interaction, in arrival order.
    pub unexpected: Vec<UnexpectedRequest>,
    /// Interactions never requested, in cassette order.
    pub unused: Vec<UnusedInteraction>,
}

/// A request that did not match the interaction that was due.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnexpectedRequest {
    /// 1-based position among all requests received.
    pub ordinal: usize,
    /// `METHOD /path?query` as received.
    pub request_line: String,
    /// Index of the interaction that was due (`None`: all were used already).
    pub expected: Option<usize>,
    /// `METHOD /path?query` of that interaction.
    pub expected_line: Option<String>,
    /// One line per differing field.
    pub differences: Vec<String>,
}

/// An interaction the client never requested.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusedInteraction {
    /// Index into the cassette's `interactions`.
    pub index: usize,
    /// `METHOD /path?query` of the interaction.
    pub request_line: String,
    /// The interaction's `note`, if any.
    pub note: Option<String>,
}

impl VerificationReport {
    /// Whether nothing went wrong.
    pub fn is_empty(&self) -> bool {
        self.unexpected.is_empty() && self.unused.is_empty()
    }
}

impl fmt::Display for VerificationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "replay of cassette `{}` failed: {} unexpected request(s), {} unused interaction(s)",
            self.scenario,
            self.unexpected.len(),
            self.unused.len()
        )?;
        for u in &self.unexpected {
            write!(
                f,
                "\n  unexpected request #{}: {}",
                u.ordinal, u.request_line
            )?;
            match (u.expected, &u.expected_line) {
                (Some(index), Some(line)) => {
                    write!(f, "\n    expected interactions[{index}]: {line}")?;
                }
                _ => write!(
                    f,
                    "\n    expected no further request (all interactions were used)"
                )?,
            }
            for d in &u.differences {
                write!(f, "\n    - {d}")?;
            }
        }
        for u in &self.unused {
            write!(
                f,
                "\n  unused interactions[{}]: {}",
                u.index, u.request_line
            )?;
            if let Some(note) = &u.note {
                write!(f, " ({note})")?;
            }
        }
        Ok(())
    }
}
