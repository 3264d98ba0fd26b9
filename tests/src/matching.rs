//! Strict request matching: compares one incoming request with one expected request and
//! names every field that differs.

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use serde_json::Value;

use crate::cassette::{ABSENT, CassetteRequest, Query, REDACTED};

/// An incoming request, as read by the replay or recording server.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub method: String,
    pub path: String,
    pub raw_query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Headers whose values are secrets: never shown, recorded as [`REDACTED`].
pub(crate) const SECRET_REQUEST_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-github-otp",
];

pub(crate) fn is_secret_header(name: &str) -> bool {
    SECRET_REQUEST_HEADERS
        .iter()
        .any(|s| s.eq_ignore_ascii_case(name))
}

impl Incoming {
    /// `METHOD /path?query` as received (raw).
    pub fn request_line(&self) -> String {
        match &self.raw_query {
            Some(q) => format!("{} {}?{}", self.method, self.path, q),
            None => format!("{} {}", self.method, self.path),
        }
    }

    /// Decoded query parameters as a sorted multimap.
    pub fn query_multimap(&self) -> BTreeMap<String, Vec<String>> {
        let mut map = BTreeMap::<String, Vec<String>>::new();
        if let Some(raw) = &self.raw_query {
            for (name, value) in url::form_urlencoded::parse(raw.as_bytes()) {
                map.entry(name.into_owned())
                    .or_default()
                    .push(value.into_owned());
            }
        }
        map
    }

    /// Decoded query parameters in order of appearance.
    pub fn query(&self) -> Query {
        let mut query = Query::default();
        if let Some(raw) = &self.raw_query {
            for (name, value) in url::form_urlencoded::parse(raw.as_bytes()) {
                query.push(name.into_owned(), value.into_owned());
            }
        }
        query
    }

    /// All values of header `name` joined with `", "`, or `None` when absent.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<String> = self
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        if values.is_empty() {
            None
        } else {
            Some(values.join(", "))
        }
    }

    /// The headers as (name, value) pairs, secret values redacted (the scheme is kept).
    pub fn display_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                let shown = if is_secret_header(name.as_str()) {
                    redact_credential(&value)
                } else {
                    value
                };
                (name.as_str().to_owned(), shown)
            })
            .collect()
    }
}

/// `Bearer abc` → `Bearer <redacted>`; anything else → `<redacted>`.
pub(crate) fn redact_credential(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _))
            if !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            format!("{scheme} {REDACTED}")
        }
        _ => REDACTED.to_owned(),
    }
}

/// `METHOD /path?query` of an expected request.
pub(crate) fn expected_line(request: &CassetteRequest) -> String {
    if request.query.is_empty() {
        format!("{} {}", request.method, request.path)
    } else {
        format!(
            "{} {}?{}",
            request.method,
            request.path,
            format_multimap(&request.query.to_multimap())
        )
    }
}

fn format_multimap(map: &BTreeMap<String, Vec<String>>) -> String {
    let mut parts = Vec::new();
    for (name, values) in map {
        for value in values {
            parts.push(format!("{name}={value}"));
        }
    }
    parts.join("&")
}

/// Every difference between `expected` and `incoming`, one human-readable line each.
pub(crate) fn differences(expected: &CassetteRequest, incoming: &Incoming) -> Vec<String> {
    let mut diffs = Vec::new();
    if expected.method != incoming.method {
        diffs.push(format!(
            "method differs: expected {}, got {}",
            expected.method, incoming.method
        ));
    }
    if expected.path != incoming.path {
        diffs.push(format!(
            "path differs: expected {:?}, got {:?}",
            expected.path, incoming.path
        ));
    }
    diffs.extend(query_differences(
        &expected.query.to_multimap(),
        &incoming.query_multimap(),
    ));
    for (name, value) in &expected.headers.0 {
        if let Some(diff) = header_difference(name, value, incoming) {
            diffs.push(diff);
        }
    }
    if let Some(diff) = body_difference(expected, &incoming.body) {
        diffs.push(diff);
    }
    diffs
}

fn query_differences(
    expected: &BTreeMap<String, Vec<String>>,
    actual: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut diffs = Vec::new();
    for (name, want) in expected {
        match actual.get(name) {
            None => diffs.push(format!(
                "query parameter `{name}` missing: expected {want:?}"
            )),
            Some(got)
                if got.len() != want.len()
                    || want.iter().zip(got).any(|(w, g)| !redacted_match(w, g)) =>
            {
                diffs.push(format!(
                    "query parameter `{name}` differs: expected {want:?}, got {got:?}"
                ))
            }
            Some(_) => {}
        }
    }
    for (name, got) in actual {
        if !expected.contains_key(name) {
            diffs.push(format!("query parameter `{name}` unexpected: got {got:?}"));
        }
    }
    diffs
}

fn header_difference(name: &str, want: &str, incoming: &Incoming) -> Option<String> {
    let got = incoming.header(name);
    let lower = name.to_ascii_lowercase();
    match (want, got) {
        (ABSENT, None) => None,
        (ABSENT, Some(got)) => Some(format!(
            "header `{lower}` differs: expected it absent, got {:?}",
            shown_value(&lower, &got)
        )),
        (_, None) => Some(format!("header `{lower}` missing: expected {want:?}")),
        (REDACTED, Some(got)) if lower == "authorization" => {
            let count = incoming.headers.get_all("authorization").iter().count();
            let problem = if count > 1 {
                Some(format!("got {count} authorization headers"))
            } else {
                check_authorization(&got)
            };
            problem.map(|problem| {
                format!(
                    "header `authorization` differs: expected a `Bearer` or `token` credential, {problem}"
                )
            })
        }
        (REDACTED, Some(_)) => None,
        (want, Some(got)) if want == got => None,
        (want, Some(got)) => Some(format!(
            "header `{lower}` differs: expected {want:?}, got {:?}",
            shown_value(&lower, &got)
        )),
    }
}

fn shown_value(name: &str, value: &str) -> String {
    if is_secret_header(name) {
        redact_credential(value)
    } else {
        value.to_owned()
    }
}

/// `None` when `value` is `Bearer <x>` or `token <x>` (scheme case-insensitive, `x` non-empty).
fn check_authorization(value: &str) -> Option<String> {
    let (scheme, credential) = value.split_once(' ').unwrap_or((value, ""));
    let scheme_ok = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
    if !scheme_ok {
        let scheme = if scheme.bytes().all(|b| b.is_ascii_alphanumeric()) && !scheme.is_empty() {
            scheme
        } else {
            "<unrecognised>"
        };
        return Some(format!("got scheme `{scheme}`"));
    }
    if credential.trim().is_empty() {
        return Some(format!("got scheme `{scheme}` with an empty credential"));
    }
    None
}

fn body_difference(expected: &CassetteRequest, body: &[u8]) -> Option<String> {
    match (&expected.body, &expected.body_text) {
        (Some(want), _) => {
            if body.is_empty() {
                return Some(format!("body differs: expected JSON {want}, got no body"));
            }
            match serde_json::from_slice::<Value>(body) {
                Err(err) => Some(format!(
                    "body differs: expected JSON {want}, got non-JSON ({err}): {}",
                    preview(body)
                )),
                Ok(got) => json_difference(want, &got, "").map(|d| format!("body differs {d}")),
            }
        }
        (None, Some(want)) => {
            if body == want.as_bytes() {
                None
            } else {
                Some(format!(
                    "body differs: expected text {:?}, got {}",
                    want,
                    preview(body)
                ))
            }
        }
        (None, None) => {
            if body.is_empty() {
                None
            } else {
                Some(format!(
                    "body differs: expected no body, got {} bytes: {}",
                    body.len(),
                    preview(body)
                ))
            }
        }
    }
}

fn preview(body: &[u8]) -> String {
    const MAX: usize = 300;
    let text = String::from_utf8_lossy(body);
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut:?}…")
    } else {
        format!("{text:?}")
    }
}

/// The first structural difference between two JSON values, as
/// `at /json/pointer: expected …, got …`.
pub(crate) fn json_difference(want: &Value, got: &Value, pointer: &str) -> Option<String> {
    let at = if pointer.is_empty() { "/" } else { pointer };
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (key, wv) in w {
                let child = format!("{pointer}/{}", escape_pointer(key));
                match g.get(key) {
                    None => {
                        return Some(format!(
                            "at {child}: expected {wv}, got nothing (key missing)"
                        ));
                    }
                    Some(gv) => {
                        if let Some(d) = json_difference(wv, gv, &child) {
                            return Some(d);
                        }
                    }
                }
            }
            g.iter()
                .find(|(key, _)| !w.contains_key(*key))
                .map(|(key, gv)| {
                    format!(
                        "at {pointer}/{}: unexpected key, got {gv}",
                        escape_pointer(key)
                    )
                })
        }
        (Value::Array(w), Value::Array(g)) => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                if let Some(d) = json_difference(wv, gv, &format!("{pointer}/{i}")) {
                    return Some(d);
                }
            }
            if w.len() != g.len() {
                Some(format!(
                    "at {at}: expected {} array items, got {}",
                    w.len(),
                    g.len()
                ))
            } else {
                None
            }
        }
        (Value::String(w), Value::String(g)) if redacted_match(w, g) => None,
        (w, g) if w == g => None,
        (w, g) => Some(format!("at {at}: expected {w}, got {g}")),
    }
}

/// Whether `value` matches `pattern`, in which each [`REDACTED`] stands for any text (a
/// secret the recorder scrubbed); without it, plain equality.
pub(crate) fn redacted_match(pattern: &str, value: &str) -> bool {
    if !pattern.contains(REDACTED) {
        return pattern == value;
    }
    let parts: Vec<&str> = pattern.split(REDACTED).collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if !value.starts_with(first) || value.len() < first.len() + last.len() {
        return false;
    }
    let mut pos = first.len();
    let end = value.len() - last.len();
    if !value.ends_with(last) {
        return false;
    }
    for part in &parts[1..parts.len() - 1] {
        match value.get(pos..end).and_then(|rest| rest.find(part)) {
            Some(found) => pos += found + part.len(),
            None => return false,
        }
    }
    pos <= end
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
