//! Scrubbing secrets out of recorded text: known secrets (the recording's
//! credentials, learned from its requests) and anything shaped like a GitHub
//! token (`ghp_…`, `github_pat_…`, `ghs_…`…, `v1.<hex>`) or a JWT, replaced
//! with `"<redacted>"`; and finding what survived, so a cassette holding one
//! is never written.

use serde_json::Value;

use crate::cassette::REDACTED;

/// Prefixes of GitHub token formats scrubbed from recordings.
pub const TOKEN_PREFIXES: &[&str] = &["github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"];

/// Known secrets shorter than this are not scrubbed (they would mangle ordinary text).
pub(crate) const MIN_SECRET_LEN: usize = 8;
/// A token prefix must be followed by at least this many token characters to be scrubbed.
const MIN_TOKEN_BODY: usize = 20;

/// `bytes` with [`scrub_text`] applied when they hold anything to scrub
/// (read as UTF-8, lossily), else as they are.
pub(crate) fn scrub_bytes(bytes: &[u8], secrets: &[String]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let scrubbed = scrub_text(&text, secrets);
    if scrubbed == text {
        bytes.to_vec()
    } else {
        scrubbed.into_bytes()
    }
}

pub(crate) fn scrub_value(value: &mut Value, secrets: &[String]) {
    map_strings(value, true, &mut |s| scrub_text(s, secrets));
}

/// Applies `f` to every string in `value` (and to object keys when `keys`).
pub(crate) fn map_strings(value: &mut Value, keys: bool, f: &mut dyn FnMut(&str) -> String) {
    match value {
        Value::String(s) => *s = f(s),
        Value::Array(items) => {
            for item in items {
                map_strings(item, keys, f);
            }
        }
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                map_strings(&mut item, keys, f);
                let key = if keys { f(&key) } else { key };
                map.insert(key, item);
            }
        }
        _ => {}
    }
}

/// Replaces each of `secrets` (longest first) and every GitHub-token-shaped string
/// (`ghp_…`, `gho_…`, `ghu_…`, `ghs_…`, `ghr_…`, `github_pat_…`, `v1.<40 hex>`, a JWT
/// `eyJ….eyJ….…`) with `"<redacted>"`.
pub fn scrub_text(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    let mut sorted: Vec<&String> = secrets.iter().filter(|s| !s.is_empty()).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for secret in sorted {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    let spans = token_spans(&out);
    if spans.is_empty() {
        return out;
    }
    let mut scrubbed = String::with_capacity(out.len());
    let mut last = 0;
    for (start, end) in spans {
        scrubbed.push_str(&out[last..start]);
        scrubbed.push_str(REDACTED);
        last = end;
    }
    scrubbed.push_str(&out[last..]);
    scrubbed
}

/// The prefix of the first GitHub-token-shaped string in `text`, if any.
pub fn find_token_like(text: &str) -> Option<&'static str> {
    token_spans(text).first().map(|&(start, _)| {
        let rest = &text[start..];
        TOKEN_PREFIXES
            .iter()
            .copied()
            .find(|p| rest.starts_with(p))
            .unwrap_or(if rest.starts_with("eyJ") {
                "eyJ"
            } else {
                "v1."
            })
    })
}

/// The length of the JWT `bytes` start with, if they do: three base64url
/// segments joined by dots, the first two JSON objects (`eyJ…`, which `{"`
/// encodes to), as a GitHub App's `Authorization: Bearer` carries.
fn jwt_len(bytes: &[u8]) -> Option<usize> {
    let segment = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
            .count()
    };
    let mut end = 0;
    for (n, min) in [(0, 10), (1, 10), (2, MIN_TOKEN_BODY)] {
        if n > 0 {
            if bytes.get(end) != Some(&b'.') {
                return None;
            }
            end += 1;
        }
        if n < 2 && !bytes[end..].starts_with(b"eyJ") {
            return None;
        }
        let len = segment(end);
        if len < min {
            return None;
        }
        end += len;
    }
    Some(end)
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Byte ranges of token-shaped strings (all boundaries are ASCII, so char boundaries).
fn token_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let at_boundary = i == 0 || !is_token_byte(bytes[i - 1]);
        if at_boundary {
            let rest = &bytes[i..];
            if let Some(prefix) = TOKEN_PREFIXES
                .iter()
                .find(|p| rest.starts_with(p.as_bytes()))
            {
                let body_start = i + prefix.len();
                let mut end = body_start;
                while end < bytes.len() && is_token_byte(bytes[end]) {
                    end += 1;
                }
                if end - body_start >= MIN_TOKEN_BODY {
                    spans.push((i, end));
                    i = end;
                    continue;
                }
            } else if let Some(len) = jwt_len(rest) {
                spans.push((i, i + len));
                i += len;
                continue;
            } else if rest.starts_with(b"v1.") {
                let body_start = i + 3;
                let mut end = body_start;
                while end < bytes.len() && bytes[end].is_ascii_hexdigit() {
                    end += 1;
                }
                if end - body_start >= 40 && (end == bytes.len() || !is_token_byte(bytes[end])) {
                    spans.push((i, end));
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    spans
}
