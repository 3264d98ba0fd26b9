//! The response headers GitHub sends on every REST response: request id,
//! rate-limit headers, media type, selected API version, `etag`, and a
//! `Date` from the fake's own clock.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use sha2::{Digest, Sha256};

use crate::faults::RateSnapshot;

/// `content-type` of every JSON body.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// `content-type` of the 502 page.
pub const HTML_CONTENT_TYPE: &str = "text/html; charset=utf-8";
/// `x-github-media-type` GitHub sends for the default media type.
pub const MEDIA_TYPE: &str = "github.v3; format=json";

/// Produces unique, GitHub-looking `x-github-request-id`s such as
/// `C0DE:1F2A:3B4C5D:6E7F80:6560A1B2` (five hex groups; the fourth carries a
/// counter, so ids never repeat within a server for 16 million requests,
/// the last is the time, like GitHub's).
#[derive(Debug)]
pub(crate) struct RequestIds {
    counter: AtomicU64,
    salt: u64,
}

/// SplitMix64: a tiny, good-enough mixer for ids that need to look random.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl RequestIds {
    pub(crate) fn new(salt: u64) -> RequestIds {
        let nanos = chrono::Utc::now()
            .timestamp_nanos_opt()
            .map_or(0, |n| n.unsigned_abs());
        RequestIds {
            counter: AtomicU64::new(0),
            salt: mix(salt ^ nanos),
        }
    }

    pub(crate) fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let random = mix(self.salt ^ n);
        let time = chrono::Utc::now().timestamp().unsigned_abs() & 0xFFFF_FFFF;
        format!(
            "{:04X}:{:04X}:{:06X}:{:06X}:{:08X}",
            random & 0xFFFF,
            (random >> 16) & 0xFFFF,
            (random >> 32) & 0xFF_FFFF,
            (n.wrapping_add(self.salt >> 40)) & 0xFF_FFFF,
            time,
        )
    }
}

fn set(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(HeaderName::from_static(name), value);
    }
}

/// Adds the `x-ratelimit-*` headers.
pub(crate) fn apply_rate(headers: &mut HeaderMap, rate: RateSnapshot) {
    set(headers, "x-ratelimit-limit", &rate.limit.to_string());
    set(
        headers,
        "x-ratelimit-remaining",
        &rate.remaining.to_string(),
    );
    set(headers, "x-ratelimit-reset", &rate.reset.to_string());
    set(headers, "x-ratelimit-used", &rate.used.to_string());
    set(headers, "x-ratelimit-resource", "core");
}

/// Adds the headers every JSON response carries (not the 502 page).
pub(crate) fn apply_common(
    headers: &mut HeaderMap,
    request_id: &str,
    api_version: Option<&HeaderValue>,
    rate: RateSnapshot,
    has_body: bool,
) {
    if has_body {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        );
    }
    set(headers, "x-github-request-id", request_id);
    set(headers, "x-github-media-type", MEDIA_TYPE);
    if let Some(version) = api_version {
        headers.insert(
            HeaderName::from_static("x-github-api-version-selected"),
            version.clone(),
        );
    }
    apply_rate(headers, rate);
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "deny");
    set(
        headers,
        "vary",
        "Accept, Authorization, Cookie, X-GitHub-OTP",
    );
    set(
        headers,
        "access-control-expose-headers",
        "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset",
    );
}

/// `Date: <time>` in HTTP's form (`Tue, 01 Dec 2026 14:25:22 GMT`), replacing
/// the one the HTTP server would add from the machine's clock.
pub(crate) fn set_date(headers: &mut HeaderMap, time: std::time::SystemTime) {
    let text = chrono::DateTime::<chrono::Utc>::from(time)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(value) = HeaderValue::from_str(&text) {
        headers.insert(header::DATE, value);
    }
}

/// A weak entity tag over the body, in GitHub's `W/"<64 hex>"` form.
pub(crate) fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// Whether an `If-None-Match` value matches `etag` (weak comparison, lists
/// and `*` allowed).
pub(crate) fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let wanted = bare(etag);
    if_none_match
        .split(',')
        .any(|candidate| candidate.trim() == "*" || bare(candidate) == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_look_like_githubs_and_are_unique() {
        let ids = RequestIds::new(42);
        let all: Vec<String> = (0..1000).map(|_| ids.next()).collect();
        let unique: std::collections::BTreeSet<_> = all.iter().collect();
        assert_eq!(unique.len(), all.len());
        for id in &all {
            let groups: Vec<&str> = id.split(':').collect();
            let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
            assert_eq!(lengths, [4, 4, 6, 6, 8], "{id}");
            assert!(
                groups
                    .iter()
                    .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
            );
        }
    }

    #[test]
    fn etags() {
        let tag = etag(b"[]");
        assert!(tag.starts_with("W/\"") && tag.len() == 64 + 4);
        assert!(etag_matches(&tag, &tag));
        assert!(etag_matches(tag.trim_start_matches("W/"), &tag));
        assert!(etag_matches(&format!("\"x\", {tag}"), &tag));
        assert!(etag_matches("*", &tag));
        assert!(!etag_matches("\"x\"", &tag));
    }
}
