//! Entry points for the fuzz targets in `fuzz/` and for the property tests
//! that run the same bodies on stable Rust: the parsers that read what a
//! server sends (`Link` headers, response and error bodies, rate-limit
//! headers). Hidden and not part of the API: they may change in any release.
//!
//! Each function must not panic for any input, and checks the invariants
//! the rest of the crate relies on (it panics only when one is broken, which
//! is what a fuzzer looks for).

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::error::Error;
use crate::pagination::{Links, link_header, page_key};

/// Headers from raw name/value pairs; pairs HTTP would not carry are skipped.
pub(crate) fn headers(pairs: &[(Vec<u8>, Vec<u8>)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            map.append(n, v);
        }
    }
    map
}

/// Parses `Link` header values (raw bytes, as a server may send them).
/// Invariants: a parsed `next` is an http(s) URL, and its page key is
/// stable (the same URL gives the same key).
pub fn links(values: &[Vec<u8>]) -> Links {
    let pairs: Vec<_> = values
        .iter()
        .map(|v| (b"link".to_vec(), v.clone()))
        .collect();
    let base = Url::parse("https://ghe.example.com/api/v3/repos/o/r/deployments/1/statuses")
        .unwrap_or_else(|_| unreachable!("a constant URL"));
    let links = Links::parse(&link_header(&headers(&pairs)), &base);
    if let Some(next) = &links.next {
        assert_eq!(page_key(next), page_key(&next.clone()));
        assert!(!next.as_str().contains('\u{FFFD}'));
    }
    links
}

/// Decodes a page of deployment statuses as a successful list response
/// would be. Invariant: whatever decodes strictly decodes tolerantly, alike.
pub fn decode_statuses(body: &[u8]) -> Result<usize, String> {
    type Page = Vec<octodeploy_api::types::DeploymentStatus>;
    let strict = serde_json::from_slice::<Page>(body);
    let tolerant = crate::decode::tolerant::<Page>(body);
    match (strict, tolerant) {
        (Ok(s), Ok(t)) => {
            assert_eq!(s.len(), t.len());
            let items: Vec<crate::DeploymentStatus> =
                s.into_iter().map(crate::DeploymentStatus::from).collect();
            Ok(items.len())
        }
        (Ok(_), Err(e)) => panic!("decodes strictly but not tolerantly: {e}"),
        (Err(_), Ok(t)) => Ok(t.len()),
        (Err(e), Err(_)) => {
            let err = crate::decode::decode_error::<Page>(body, e, None);
            Err(err.to_string())
        }
    }
}

/// Reads an error answer. Invariants: the error keeps the status, and an
/// excerpt stays short.
pub fn decode_error(status: u16, pairs: &[(Vec<u8>, Vec<u8>)], body: &[u8]) -> Error {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    let err = crate::decode::error_from_parts(status, &headers(pairs), body, now);
    assert_eq!(err.status(), Some(status));
    if let Error::NonJson { excerpt, .. } = &err {
        assert!(excerpt.chars().count() <= 201, "{}", excerpt.len());
    }
    let _ = err.to_string();
    err
}

/// Reads the rate-limit headers and `Retry-After`. Invariant: a reset is
/// representable as seconds since the epoch.
pub fn rate_limit(pairs: &[(Vec<u8>, Vec<u8>)]) -> Option<crate::RateLimit> {
    let map = headers(pairs);
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    let _ = crate::decode::retry_after(&map, now);
    let rl = crate::response::RateLimit::from_headers(&map);
    if let Some(reset) = rl.as_ref().and_then(|r| r.reset) {
        assert!(reset.duration_since(SystemTime::UNIX_EPOCH).is_ok());
    }
    rl
}
