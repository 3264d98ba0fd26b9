//! Turning what the server sent into values or errors: GitHub's JSON error
//! bodies, rate-limit answers, non-JSON pages, and decode failures that name
//! the JSON path.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, FieldError, RateLimitError, RateLimitKind};
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

/// Reads an error response into the right [`Error`].
pub(crate) async fn error_from_response(response: reqwest::Response) -> Error {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = match response.bytes().await {
        Ok(b) => b,
        Err(e) => return Error::Transport(e),
    };
    error_from_parts(status, &headers, &bytes)
}

/// [`error_from_response`] once the body is read.
pub(crate) fn error_from_parts(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let request_id = request_id(headers);
    let content_type = header_str(headers, "content-type").map(str::to_owned);
    let looks_json = content_type.as_deref().is_some_and(|c| c.contains("json"))
        || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let parsed: Option<ErrorBody> = if looks_json {
        serde_json::from_slice(body).ok()
    } else {
        None
    };

    let rate_limit = RateLimit::from_headers(headers);
    let retry_after = header_str(headers, "retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs);
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
            reset: rate_limit.and_then(|r| r.reset),
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
        })),
        None => Error::NonJson {
            status,
            content_type,
            excerpt: excerpt(body),
            request_id,
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
            source: e.into_inner(),
        },
        Ok(_) => Error::Decode {
            path: ".".to_owned(),
            request_id,
            source,
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
        match error_from_parts(502, &h, body) {
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
        match error_from_parts(422, &HeaderMap::new(), body) {
            Error::Api(e) => assert_eq!(e.errors[0].message.as_deref(), Some("No ref found")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_plain_403_is_not_a_rate_limit() {
        let body = br#"{"message":"Resource not accessible by integration"}"#;
        let h = headers(&[("x-ratelimit-remaining", "4999")]);
        assert!(matches!(error_from_parts(403, &h, body), Error::Api(_)));
    }
}
