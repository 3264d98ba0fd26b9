//! What comes back with every successful call: the value, and the response
//! metadata people need for support tickets and rate budgeting.

use std::ops::Deref;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// A successful response: the decoded value and its [`Meta`].
#[derive(Debug, Clone)]
pub struct Response<T> {
    value: T,
    meta: Meta,
}

impl<T> Response<T> {
    /// A response holding `value` (for tests of code that consumes responses).
    pub fn new(value: T, meta: Meta) -> Self {
        Response { value, meta }
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The value and the metadata.
    pub fn into_parts(self) -> (T, Meta) {
        (self.value, self.meta)
    }

    /// The response metadata.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// Transforms the value, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            meta: self.meta,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Response metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Meta {
    /// The HTTP status.
    pub status: u16,
    /// `X-GitHub-Request-Id`: quote it to GitHub support.
    pub request_id: Option<String>,
    /// The rate-limit figures; `None` where rate limiting is off (GHES default).
    pub rate_limit: Option<RateLimit>,
    /// How many attempts the call took (1 when it was not retried).
    pub attempts: u32,
    /// The URL that answered, after redirects.
    pub url: Option<url::Url>,
}

impl Meta {
    /// Metadata with only a status (for tests of code that consumes responses).
    pub fn new(status: u16) -> Self {
        Meta {
            status,
            request_id: None,
            rate_limit: None,
            attempts: 1,
            url: None,
        }
    }

    pub(crate) fn from_headers(status: u16, headers: &HeaderMap, attempts: u32) -> Self {
        Meta {
            status,
            request_id: request_id(headers),
            rate_limit: RateLimit::from_headers(headers),
            attempts,
            url: None,
        }
    }
}

/// GitHub's `x-ratelimit-*` headers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// `x-ratelimit-limit`: requests allowed per window.
    pub limit: Option<u64>,
    /// `x-ratelimit-remaining`: requests left in this window.
    pub remaining: Option<u64>,
    /// `x-ratelimit-used`: requests made in this window.
    pub used: Option<u64>,
    /// `x-ratelimit-reset`: when the window resets.
    pub reset: Option<SystemTime>,
    /// `x-ratelimit-resource`: which budget (`core`...).
    pub resource: Option<String>,
}

impl RateLimit {
    /// Reads the headers; `None` when there are none.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let num = |name: &str| header_str(headers, name).and_then(|v| v.parse::<u64>().ok());
        let rl = RateLimit {
            limit: num("x-ratelimit-limit"),
            remaining: num("x-ratelimit-remaining"),
            used: num("x-ratelimit-used"),
            reset: num("x-ratelimit-reset")
                .and_then(|secs| SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))),
            resource: header_str(headers, "x-ratelimit-resource").map(str::to_owned),
        };
        let any = rl.limit.is_some()
            || rl.remaining.is_some()
            || rl.used.is_some()
            || rl.reset.is_some()
            || rl.resource.is_some();
        any.then_some(rl)
    }
}

pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    header_str(headers, "x-github-request-id").map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn an_absurd_reset_does_not_panic() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", HeaderValue::from_static("5000"));
        h.insert(
            "x-ratelimit-reset",
            HeaderValue::from_static("18446744073709551615"),
        );
        let rl = RateLimit::from_headers(&h).unwrap();
        assert_eq!(rl.reset, None);
    }
}
