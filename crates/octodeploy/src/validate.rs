//! Checks on what we send, before sending: each failure names the field and
//! the limit GitHub documents.

use serde_json::{Map, Value};

use crate::error::ValidationError;

/// GitHub's limit on a status description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 140;
/// GitHub's limits on a dispatch `event_type`, in characters.
pub const EVENT_TYPE_CHARS: std::ops::RangeInclusive<usize> = 1..=100;
/// GitHub's limit on `client_payload`'s top-level properties.
pub const MAX_PAYLOAD_PROPERTIES: usize = 10;
/// GitHub's limit on `client_payload`'s serialized size: less than 64 KiB.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// GitHub's bounds on `per_page`.
pub const PER_PAGE: std::ops::RangeInclusive<u32> = 1..=100;

/// `owner` and `repo` path segments: not empty or blank, not a dot
/// segment, no backslash and no control characters — URL parsing resolves
/// dot segments and reads `\` as `/` in http(s) URLs, either of which would
/// change the request path, and no GitHub name is blank or has controls.
/// Everything else (`/`, `?`, `#`, `%`, spaces) is percent-encoded by the
/// generated client, so it stays inside the one segment.
pub fn path_segment(field: &'static str, value: &str) -> Result<(), ValidationError> {
    match value {
        "" => Err(ValidationError::new(field, "must not be empty")),
        v if v.trim().is_empty() => Err(ValidationError::new(field, "must not be blank")),
        v if v.chars().any(char::is_control) => Err(ValidationError::new(
            field,
            "must not contain control characters",
        )),
        "." | ".." => Err(ValidationError::new(
            field,
            format!("`{value}` is not a name"),
        )),
        v if v.contains('\\') => Err(ValidationError::new(
            field,
            "must not contain `\\` (URL parsing reads it as `/`)",
        )),
        _ => Ok(()),
    }
}

/// A resource id (`deployment_id`, `status_id`): GitHub's ids are positive.
pub fn id(field: &'static str, value: i64) -> Result<(), ValidationError> {
    if value <= 0 {
        return Err(ValidationError::new(
            field,
            format!("{value} is not an id (ids are positive)"),
        ));
    }
    Ok(())
}

/// A status description: at most 140 characters (not bytes).
pub fn description(value: &str) -> Result<(), ValidationError> {
    let n = value.chars().count();
    if n > MAX_DESCRIPTION_CHARS {
        return Err(ValidationError::new(
            "description",
            format!("{n} characters, at most {MAX_DESCRIPTION_CHARS} allowed"),
        ));
    }
    Ok(())
}

/// An absolute http(s) URL.
pub fn absolute_url(field: &'static str, value: &str) -> Result<(), ValidationError> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
        Ok(u) => Err(ValidationError::new(
            field,
            format!(
                "must be an absolute http(s) URL, got scheme `{}`",
                u.scheme()
            ),
        )),
        Err(e) => Err(ValidationError::new(
            field,
            format!("must be an absolute http(s) URL ({e})"),
        )),
    }
}

/// An environment name: any non-empty text.
pub fn environment(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new("environment", "must not be empty"));
    }
    Ok(())
}

/// A dispatch event type: 1 to 100 characters.
pub fn event_type(value: &str) -> Result<(), ValidationError> {
    let n = value.chars().count();
    if !EVENT_TYPE_CHARS.contains(&n) {
        return Err(ValidationError::new(
            "event_type",
            format!(
                "{n} characters, must be {} to {}",
                EVENT_TYPE_CHARS.start(),
                EVENT_TYPE_CHARS.end()
            ),
        ));
    }
    Ok(())
}

/// A dispatch payload: a JSON object with at most 10 top-level properties,
/// under 64 KiB serialized.
pub fn client_payload(value: Value) -> Result<Map<String, Value>, ValidationError> {
    let Value::Object(map) = value else {
        return Err(ValidationError::new(
            "client_payload",
            format!("must be a JSON object, got {}", kind(&value)),
        ));
    };
    if map.len() > MAX_PAYLOAD_PROPERTIES {
        return Err(ValidationError::new(
            "client_payload",
            format!(
                "{} top-level properties, at most {MAX_PAYLOAD_PROPERTIES} allowed",
                map.len()
            ),
        ));
    }
    let size = serde_json::to_vec(&map)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size >= MAX_PAYLOAD_BYTES {
        return Err(ValidationError::new(
            "client_payload",
            format!("{size} bytes serialized, must be less than {MAX_PAYLOAD_BYTES} (64 KiB)"),
        ));
    }
    Ok(map)
}

/// `per_page`: 1 to 100.
pub fn per_page(value: u32) -> Result<(), ValidationError> {
    if !PER_PAGE.contains(&value) {
        return Err(ValidationError::new(
            "per_page",
            format!(
                "{value} is out of range, must be {} to {}",
                PER_PAGE.start(),
                PER_PAGE.end()
            ),
        ));
    }
    Ok(())
}

/// `page`: 1 or more.
pub fn page(value: u32) -> Result<(), ValidationError> {
    if value == 0 {
        return Err(ValidationError::new("page", "pages start at 1"));
    }
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn description_counts_characters_not_bytes() {
        assert!(description(&"é".repeat(140)).is_ok());
        let e = description(&"a".repeat(141)).unwrap_err();
        assert_eq!(e.field, "description");
        assert!(e.to_string().contains("141 characters, at most 140"), "{e}");
    }

    #[test]
    fn event_type_bounds() {
        assert!(event_type("").is_err());
        assert!(event_type(&"x".repeat(100)).is_ok());
        let e = event_type(&"x".repeat(101)).unwrap_err().to_string();
        assert!(e.contains("`event_type`") && e.contains("1 to 100"), "{e}");
    }

    #[test]
    fn payload_limits() {
        assert!(client_payload(json!({"a": 1})).is_ok());
        assert!(
            client_payload(json!([1]))
                .unwrap_err()
                .to_string()
                .contains("an array")
        );
        let eleven: Map<String, Value> = (0..11).map(|i| (format!("k{i}"), json!(i))).collect();
        let e = client_payload(Value::Object(eleven))
            .unwrap_err()
            .to_string();
        assert!(e.contains("11 top-level properties, at most 10"), "{e}");
        let big = json!({"blob": "x".repeat(MAX_PAYLOAD_BYTES)});
        let e = client_payload(big).unwrap_err().to_string();
        assert!(e.contains("less than 65536"), "{e}");
    }

    #[test]
    fn urls_and_segments() {
        assert!(absolute_url("log_url", "https://ci.example.com/1").is_ok());
        assert!(absolute_url("log_url", "/relative").is_err());
        assert!(absolute_url("log_url", "ftp://x/y").is_err());
        assert!(path_segment("owner", "..").is_err());
        assert!(path_segment("repo", "").is_err());
        assert!(
            path_segment("owner", "a/../b").is_ok(),
            "encoded, not refused"
        );
        assert!(path_segment("owner", r"x\..\..\orgs\evil").is_err());
        assert!(per_page(0).is_err() && per_page(101).is_err() && per_page(100).is_ok());
    }
}
