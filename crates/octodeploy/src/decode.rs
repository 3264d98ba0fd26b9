//! Turning what the server sent into values or errors: GitHub's JSON error
//! bodies, rate-limit answers, non-JSON pages, and decode failures that name
//! the JSON path.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, DecodeError, Error, FieldError, RateLimitError, RateLimitKind};
use crate::response::{RateLimit, header_str, request_id};

/// How much of a non-JSON body an error keeps.
const EXCERPT_CHARS: usize = 200;

/// GitHub's error body, read tolerantly.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    documentation_url: Option<String>,
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

/// `errors[]` entries are objects (`validation-error`) or strings
/// (`validation-error-simple`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ErrorEntry {
    Field(FieldError),
    Text(String),
}

impl From<ErrorEntry> for FieldError {
    fn from(e: ErrorEntry) -> Self {
        match e {
            ErrorEntry::Field(f) => f,
            ErrorEntry::Text(message) => FieldError {
                message: Some(message),
                ..FieldError::default()
            },
        }
    }
}

/// `Retry-After`: delay seconds or an HTTP date (measured from `now`; a
/// date in the past is no wait). Anything else is ignored.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = header_str(headers, "retry-after")?;
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or_default())
}

/// Decodes a body the way GitHub's contract is meant: a `null` reads as
/// an absent field (old servers send `"description": null` where the
/// schema says the field may be missing). Only used once the strict decode
/// failed, so well-formed bodies pay nothing.
pub(crate) fn tolerant<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    let mut value: serde_json::Value = serde_json::from_slice(body)?;
    strip_nulls(&mut value);
    serde_json::from_value(value)
}

/// Removes every object member whose value is `null`, at any depth.
fn strip_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// An error answer (status, headers and the body as read) as the right
/// [`Error`]; `now` is for a `Retry-After` date.
pub(crate) fn error_from_parts(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Error {
    let request_id = request_id(headers);
    let content_type = header_str(headers, "content-type").map(str::to_owned);
    let looks_json = content_type.as_deref().is_some_and(|c| c.contains("json"))
        || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let parsed: Option<ErrorBody> = if looks_json {
        serde_json::from_slice(body)
            .or_else(|_| tolerant(body))
            .ok()
    } else {
        None
    };

    let rate_limit = RateLimit::from_headers(headers);
    let retry_after = retry_after(headers, now);
    let text = |b: &ErrorBody| {
        format!(
            "{} {}",
            b.message.as_deref().unwrap_or_default(),
            b.documentation_url.as_deref().unwrap_or_default()
        )
        .to_ascii_lowercase()
    };
    let kind = if status == 403 || status == 429 {
        let exhausted = rate_limit.as_ref().and_then(|r| r.remaining) == Some(0);
        let secondary_text = parsed.as_ref().is_some_and(|b| {
            let t = text(b);
            t.contains("secondary rate limit")
                || t.contains("secondary-rate-limits")
                || t.contains("abuse")
        });
        if secondary_text || retry_after.is_some() {
            Some(RateLimitKind::Secondary)
        } else if exhausted {
            Some(RateLimitKind::Primary)
        } else if status == 429 {
            Some(RateLimitKind::Secondary)
        } else {
            None
        }
    } else {
        None
    };

    if let Some(kind) = kind {
        let body = parsed.unwrap_or_default();
        return Error::RateLimited(Box::new(RateLimitError {
            kind,
            status,
            message: body
                .message
                .unwrap_or_else(|| "rate limit exceeded".to_owned()),
            documentation_url: body.documentation_url,
            retry_after,
            reset: rate_limit.as_ref().and_then(|r| r.reset),
            remaining: rate_limit.as_ref().and_then(|r| r.remaining),
            request_id,
        }));
    }
    match parsed {
        Some(body) => Error::Api(Box::new(ApiError {
            status,
            message: body.message.unwrap_or_default(),
            documentation_url: body.documentation_url,
            errors: body.errors.into_iter().map(FieldError::from).collect(),
            request_id,
            retry_after,
            date: header_str(headers, "date").and_then(|d| httpdate::parse_http_date(d).ok()),
        })),
        None => Error::NonJson {
            status,
            content_type,
            excerpt: excerpt(body),
            request_id,
            retry_after,
        },
    }
}

/// The start of a body, tags dropped and whitespace folded, for messages.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut in_tag = false;
    let mut last_space = true;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                if !last_space {
                    out.push(' ');
                    last_space = true;
                }
            }
            _ if in_tag => {}
            c if c.is_whitespace() => {
                if !last_space {
                    out.push(' ');
                    last_space = true;
                }
            }
            c => {
                out.push(c);
                last_space = false;
            }
        }
        if out.chars().count() >= EXCERPT_CHARS {
            out.push('…');
            break;
        }
    }
    out.trim().to_owned()
}

/// Re-decodes a body that serde refused, to name the JSON path that failed.
pub(crate) fn decode_error<T: DeserializeOwned>(
    body: &[u8],
    source: serde_json::Error,
    request_id: Option<String>,
) -> Error {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => Error::Decode {
            path: e.path().to_string(),
            request_id,
            source: DecodeError::new(e.into_inner()),
        },
        Ok(_) => Error::Decode {
            path: ".".to_owned(),
            request_id,
            source: DecodeError::new(source),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn html_pages_become_excerpts() {
        let h = headers(&[
            ("content-type", "text/html"),
            ("x-github-request-id", "A:B"),
        ]);
        let body = b"<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad   Gateway</h1></body></html>";
        match error_from_parts(502, &h, body, SystemTime::now()) {
            Error::NonJson {
                status,
                excerpt,
                request_id,
                ..
            } => {
                assert_eq!(status, 502);
                assert_eq!(excerpt, "502 Bad Gateway Bad Gateway");
                assert_eq!(request_id.as_deref(), Some("A:B"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn string_errors_are_kept() {
        let body =
            br#"{"message":"Validation Failed","errors":["No ref found"],"documentation_url":"d"}"#;
        match error_from_parts(422, &HeaderMap::new(), body, SystemTime::now()) {
            Error::Api(e) => assert_eq!(e.errors[0].message.as_deref(), Some("No ref found")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_plain_403_is_not_a_rate_limit() {
        let body = br#"{"message":"Resource not accessible by integration"}"#;
        let h = headers(&[("x-ratelimit-remaining", "4999")]);
        assert!(matches!(
            error_from_parts(403, &h, body, SystemTime::now()),
            Error::Api(_)
        ));
    }

    #[test]
    fn a_decode_error_names_the_path_and_where_the_decoder_stopped() {
        #[derive(Debug, serde::Deserialize)]
        struct Item {
            #[allow(dead_code)]
            id: i64,
        }
        let body = b"[{\"id\": 1},\n {\"id\": \"two\"}]";
        let first = serde_json::from_slice::<Vec<Item>>(body).unwrap_err();
        let err = decode_error::<Vec<Item>>(body, first, Some("R:1".into()));
        let Error::Decode { path, source, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(path, "[1].id");
        assert_eq!((source.line(), source.column()), (2, 13));
        assert!(source.to_string().contains("invalid type"), "{source}");
        let chain = format!("{:#}", anyhow::Error::new(err));
        assert_eq!(chain.matches("invalid type").count(), 1, "{chain}");
    }
}
