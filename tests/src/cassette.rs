//! The cassette format: types, loading, validation, `{{base}}` substitution and writing.
//!
//! See the crate documentation for the format itself.

use std::fmt;
use std::path::{Path, PathBuf};

use axum::http::{HeaderName, HeaderValue, Method};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::error::ReplayError;

/// Placeholder for the replay server's origin (`http://127.0.0.1:PORT`) in response header
/// values and response body strings.
pub const BASE_PLACEHOLDER: &str = "{{base}}";

/// Request header value meaning "present with a secret value". For `authorization` it also
/// requires the `Bearer` or `token` scheme and a non-empty credential.
pub const REDACTED: &str = "<redacted>";

/// Request header value meaning "this header must not be sent".
pub const ABSENT: &str = "<absent>";

/// One recorded scenario: an ordered list of request/response pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cassette {
    /// Kebab-case name; equals the file name without `.json`.
    pub scenario: String,
    /// What the recording shows and where its shape comes from (server, version).
    pub description: String,
    /// API path prefix of the recorded server: `"/api/v3"` for GitHub Enterprise Server,
    /// `""` for github.com. [`crate::ReplayServer::base_url`] is the origin plus this.
    pub base_path: String,
    /// The interactions, in the order the client must make them.
    pub interactions: Vec<Interaction>,
}

/// One request the client must make and the response it gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    /// Free text for humans (why this interaction exists); ignored by matching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the incoming request must look like.
    pub request: CassetteRequest,
    /// What the server answers.
    pub response: CassetteResponse,
}

/// The expected request of an [`Interaction`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CassetteRequest {
    /// HTTP method, upper case.
    pub method: String,
    /// Raw request path (percent-encoding as sent), without the query string.
    pub path: String,
    /// Decoded query parameters; every parameter must match both ways.
    #[serde(default)]
    pub query: Query,
    /// Headers that must be present with exactly these values (names case-insensitive);
    /// unlisted headers are ignored. See [`REDACTED`] and [`ABSENT`].
    #[serde(default)]
    pub headers: Headers,
    /// Expected JSON body (structural equality). `null` or missing: no body (unless
    /// `body_text` is given).
    #[serde(default)]
    pub body: Option<Value>,
    /// Expected non-JSON body, compared byte for byte.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
}

/// The canned response of an [`Interaction`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CassetteResponse {
    /// HTTP status code.
    pub status: u16,
    /// Response headers, in order; a name may repeat. `content-length` is computed.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// JSON body, served compact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Non-JSON body (an HTML error page), served as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
}

/// Query parameters as an ordered multimap: a JSON object whose values are a string or,
/// for a repeated parameter, an array of strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(pub Vec<(String, Vec<String>)>);

/// Request headers as an ordered JSON object of name to value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl Query {
    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The parameters as a sorted multimap (values keep their order within a name).
    pub fn to_multimap(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut map = std::collections::BTreeMap::<String, Vec<String>>::new();
        for (name, values) in &self.0 {
            map.entry(name.clone())
                .or_default()
                .extend(values.iter().cloned());
        }
        map
    }

    /// Adds one value for `name`, appending to an existing entry.
    pub fn push(&mut self, name: String, value: String) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => self.0.push((name, vec![value])),
        }
    }
}

impl Headers {
    /// The value listed for `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Serialize for Query {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, values) in &self.0 {
            match values.as_slice() {
                [one] => map.serialize_entry(name, one)?,
                many => map.serialize_entry(name, many)?,
            }
        }
        map.end()
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for Query {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct QueryVisitor;
        impl<'de> Visitor<'de> for QueryVisitor {
            type Value = Query;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of query parameter names to a string or an array of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Query, A::Error> {
                let mut query = Query::default();
                while let Some((name, value)) = access.next_entry::<String, OneOrMany>()? {
                    match value {
                        OneOrMany::One(v) => query.push(name, v),
                        OneOrMany::Many(vs) => {
                            for v in vs {
                                query.push(name.clone(), v);
                            }
                        }
                    }
                }
                Ok(query)
            }
        }
        deserializer.deserialize_map(QueryVisitor)
    }
}

impl Serialize for Headers {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HeadersVisitor;
        impl<'de> Visitor<'de> for HeadersVisitor {
            type Value = Headers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of header names to string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Headers, A::Error> {
                let mut headers = Vec::new();
                while let Some(entry) = access.next_entry::<String, String>()? {
                    headers.push(entry);
                }
                Ok(Headers(headers))
            }
        }
        deserializer.deserialize_map(HeadersVisitor)
    }
}

/// The directory holding the cassettes: `tests/cassettes/` of this crate.
pub fn cassette_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cassettes")
}

/// The file of scenario `name` in [`cassette_dir`], after checking the name is kebab-case.
pub fn cassette_path(name: &str) -> Result<PathBuf, ReplayError> {
    check_scenario_name(name)?;
    Ok(cassette_dir().join(format!("{name}.json")))
}

/// Checks that `name` is kebab-case (`[a-z0-9]+(-[a-z0-9]+)*`).
pub fn check_scenario_name(name: &str) -> Result<(), ReplayError> {
    let ok = !name.is_empty()
        && name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(ReplayError::InvalidScenarioName {
            name: name.to_owned(),
        })
    }
}

impl Cassette {
    /// Loads and validates `tests/cassettes/<name>.json`; its `scenario` must equal `name`.
    pub fn load(name: &str) -> Result<Self, ReplayError> {
        let path = cassette_path(name)?;
        let cassette = Self::load_path(&path)?;
        if cassette.scenario != name {
            return Err(ReplayError::InvalidCassette {
                scenario: cassette.scenario,
                reason: format!("file {}.json must have \"scenario\": {name:?}", name),
            });
        }
        Ok(cassette)
    }

    /// Loads and validates a cassette file anywhere on disk.
    pub fn load_path(path: impl AsRef<Path>) -> Result<Self, ReplayError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ReplayError::ReadCassette {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates a cassette from JSON text.
    pub fn from_json(text: &str) -> Result<Self, ReplayError> {
        Self::parse(text, Path::new("<string>"))
    }

    fn parse(text: &str, path: &Path) -> Result<Self, ReplayError> {
        let cassette: Cassette =
            serde_json::from_str(text).map_err(|source| ReplayError::ParseCassette {
                path: path.to_owned(),
                source,
            })?;
        cassette.validate()?;
        Ok(cassette)
    }

    /// Checks the rules serde cannot: `scenario` kebab-case; `description` not blank;
    /// `base_path` empty or `/…` without a trailing `/`; per interaction, an upper-case
    /// method, a path starting with `/` (and with `base_path/`) holding no query, fragment
    /// or whitespace, valid and unique request header names, valid header values, at most
    /// one of `body`/`body_text` on each side, a status in 200..=599, no
    /// `content-length`/`transfer-encoding` response header, and no body on 204/304.
    pub fn validate(&self) -> Result<(), ReplayError> {
        let invalid = |reason: String| ReplayError::InvalidCassette {
            scenario: self.scenario.clone(),
            reason,
        };
        check_scenario_name(&self.scenario).map_err(|_| {
            invalid(format!(
                "\"scenario\" {:?} is not kebab-case",
                self.scenario
            ))
        })?;
        if self.description.trim().is_empty() {
            return Err(invalid("\"description\" is empty".into()));
        }
        if !self.base_path.is_empty()
            && (!self.base_path.starts_with('/') || self.base_path.ends_with('/'))
        {
            return Err(invalid(format!(
                "\"base_path\" {:?} must be empty or start with '/' and not end with '/'",
                self.base_path
            )));
        }
        for (index, interaction) in self.interactions.iter().enumerate() {
            validate_interaction(interaction, &self.base_path)
                .map_err(|reason| invalid(format!("interactions[{index}]: {reason}")))?;
        }
        Ok(())
    }

    /// Serialises the cassette the way the recorder writes it: two-space indentation, arrays
    /// of scalars (header pairs) on one line, a final newline.
    pub fn to_json_pretty(&self) -> Result<String, ReplayError> {
        let value = serde_json::to_value(self).map_err(|source| ReplayError::Serialize {
            scenario: self.scenario.clone(),
            source,
        })?;
        let mut out = String::new();
        write_pretty(&mut out, &value, 0);
        out.push('\n');
        Ok(out)
    }

    /// Writes the cassette to `path` (creating parent directories).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ReplayError> {
        let path = path.as_ref();
        let text = self.to_json_pretty()?;
        write_file(path, &text)
    }
}

pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), ReplayError> {
    let write = || -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)
    };
    write().map_err(|source| ReplayError::WriteCassette {
        path: path.to_owned(),
        source,
    })
}

fn validate_interaction(interaction: &Interaction, base_path: &str) -> Result<(), String> {
    let request = &interaction.request;
    if Method::from_bytes(request.method.as_bytes()).is_err()
        || request.method.is_empty()
        || request.method.bytes().any(|b| !b.is_ascii_uppercase())
    {
        return Err(format!(
            "request method {:?} must be an upper-case HTTP method",
            request.method
        ));
    }
    if !request.path.starts_with('/')
        || request.path.contains(['?', '#'])
        || request.path.contains(char::is_whitespace)
    {
        return Err(format!(
            "request path {:?} must start with '/' and hold no query, fragment or whitespace",
            request.path
        ));
    }
    if !base_path.is_empty() && !request.path.starts_with(&format!("{base_path}/")) {
        return Err(format!(
            "request path {:?} does not start with the cassette's base_path {base_path:?}",
            request.path
        ));
    }
    let mut seen: Vec<String> = Vec::new();
    for (name, value) in &request.headers.0 {
        let lower = name.to_ascii_lowercase();
        if seen.contains(&lower) {
            return Err(format!("request header {name:?} is listed twice"));
        }
        seen.push(lower);
        HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("request header name {name:?} is not a valid header name"))?;
        if HeaderValue::from_str(value).is_err() {
            return Err(format!("request header {name:?} has an invalid value"));
        }
    }
    if request.body.is_some() && request.body_text.is_some() {
        return Err("request has both \"body\" and \"body_text\"".into());
    }

    let response = &interaction.response;
    if !(200..=599).contains(&response.status) {
        return Err(format!(
            "response status {} is not a final status (200..=599)",
            response.status
        ));
    }
    for (name, value) in &response.headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("response header name {name:?} is not a valid header name"))?;
        if header == axum::http::header::CONTENT_LENGTH
            || header == axum::http::header::TRANSFER_ENCODING
        {
            return Err(format!(
                "response header {name:?} must not be recorded: the replay server frames the body"
            ));
        }
        let rendered = value.replace(BASE_PLACEHOLDER, "http://127.0.0.1:65535");
        if HeaderValue::from_str(&rendered).is_err() {
            return Err(format!("response header {name:?} has an invalid value"));
        }
    }
    let has_body = response.body.is_some() || response.body_text.is_some();
    if response.body.is_some() && response.body_text.is_some() {
        return Err("response has both \"body\" and \"body_text\"".into());
    }
    if has_body && matches!(response.status, 204 | 304) {
        return Err(format!("a {} response cannot have a body", response.status));
    }
    Ok(())
}

/// Replaces [`BASE_PLACEHOLDER`] with `origin` in every string of `value` (not in keys).
pub fn substitute_base(value: &Value, origin: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace(BASE_PLACEHOLDER, origin)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| substitute_base(v, origin)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute_base(v, origin)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// Pretty JSON with arrays of scalars kept on one line.
pub(crate) fn write_pretty(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) if items.iter().all(is_scalar) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&item.to_string());
            }
            out.push(']');
        }
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                push_indent(out, level + 1);
                write_pretty(out, item, level + 1);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, level);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push_str("{\n");
            for (i, (key, item)) in map.iter().enumerate() {
                push_indent(out, level + 1);
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_pretty(out, item, level + 1);
                if i + 1 < map.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, level);
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}
