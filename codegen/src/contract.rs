//! The contract as tests use it: the fixed-up fragment's schemas, resolved
//! into standalone JSON Schemas for validating recorded or faked bodies and
//! for comparing the ergonomic crate's request types with the spec.

use serde_json::{Map, Value, json};

use crate::{Error, Workspace, fixups};

/// The fixed-up fragment (what progenitor sees).
pub fn fixed_fragment(ws: &Workspace) -> Result<Value, Error> {
    fixups::apply_all(&ws.read_fragment()?)
}

/// Finds an operation by operationId.
pub fn operation<'a>(spec: &'a Value, operation_id: &str) -> Result<&'a Value, Error> {
    spec.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation_id))
        .ok_or_else(|| Error::Contract(format!("no operation {operation_id}")))
}

/// The JSON Schema of `operation_id`'s `status` response body, `$ref`s
/// inlined (OpenAPI's `nullable` turned into JSON Schema's type lists).
pub fn response_schema(spec: &Value, operation_id: &str, status: u16) -> Result<Value, Error> {
    let op = operation(spec, operation_id)?;
    let response = op
        .pointer(&format!("/responses/{status}"))
        .ok_or_else(|| Error::Contract(format!("{operation_id} documents no {status} response")))?;
    let response = resolve(spec, response)?;
    let schema = response
        .pointer("/content/application~1json/schema")
        .ok_or_else(|| Error::Contract(format!("{operation_id} {status} has no JSON body")))?;
    to_json_schema(spec, schema, 0)
}

/// The JSON Schema of `operation_id`'s JSON request body, `$ref`s inlined.
pub fn request_schema(spec: &Value, operation_id: &str) -> Result<Value, Error> {
    let op = operation(spec, operation_id)?;
    let schema = op
        .pointer("/requestBody/content/application~1json/schema")
        .ok_or_else(|| Error::Contract(format!("{operation_id} has no JSON request body")))?;
    to_json_schema(spec, schema, 0)
}

/// Any schema (or `$ref`) of `spec`, references inlined.
pub fn inline_schema(spec: &Value, schema: &Value) -> Result<Value, Error> {
    to_json_schema(spec, schema, 0)
}

/// Follows `$ref`s (a reference to a reference too) to a value without one.
fn resolve<'a>(spec: &'a Value, mut value: &'a Value) -> Result<&'a Value, Error> {
    for _ in 0..32 {
        let Some(r) = value.get("$ref").and_then(Value::as_str) else {
            return Ok(value);
        };
        let pointer = r
            .strip_prefix('#')
            .ok_or_else(|| Error::Contract(format!("non-local $ref {r}")))?;
        value = spec
            .pointer(pointer)
            .ok_or_else(|| Error::Contract(format!("unresolvable $ref {r}")))?;
    }
    Err(Error::Contract("$ref chain longer than 32".into()))
}

/// Inlines references and rewrites OpenAPI-only keywords.
fn to_json_schema(spec: &Value, schema: &Value, depth: usize) -> Result<Value, Error> {
    if depth > 32 {
        return Err(Error::Contract("schema nests deeper than 32 levels".into()));
    }
    let schema = resolve(spec, schema)?;
    let Value::Object(obj) = schema else {
        return Ok(schema.clone());
    };
    let mut out = Map::new();
    for (key, value) in obj {
        let converted = match key.as_str() {
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| Ok((k.clone(), to_json_schema(spec, v, depth + 1)?)))
                    .collect::<Result<Map<_, _>, Error>>()?,
            ),
            "items" | "additionalProperties" | "not" if value.is_object() => {
                to_json_schema(spec, value, depth + 1)?
            }
            "oneOf" | "anyOf" | "allOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|v| to_json_schema(spec, v, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            // OpenAPI annotations with no JSON Schema meaning.
            "nullable" | "example" | "examples" | "xml" | "externalDocs" | "discriminator"
            | "readOnly" | "writeOnly" | "deprecated" => continue,
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        return Ok(json!({"anyOf": [Value::Object(out), {"type": "null"}]}));
    }
    Ok(Value::Object(out))
}
