//! The request types people build cannot drift from GitHub's contract: their
//! JSON Schema is held against the fixed-up fragment's request bodies. Every
//! property the spec has must be settable, with a compatible type and the
//! same required-ness; a property added to the spec and regenerated without
//! a wrapper change fails here.

use octodeploy::{DispatchEvent, NewDeploymentStatus};
use serde_json::Value;

fn spec() -> Value {
    codegen::contract::fixed_fragment(&codegen::Workspace::from_build()).unwrap()
}

fn ours<T: schemars::JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap()
}

/// The JSON types a schema allows (`null` dropped: optionality is checked
/// through `required`).
fn types(schema: &Value, root: &Value) -> Vec<String> {
    let schema = resolve(schema, root);
    let mut out: Vec<String> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        _ => schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Value::as_array)
            .map(|alts| alts.iter().flat_map(|a| types(a, root)).collect())
            .unwrap_or_default(),
    };
    out.retain(|t| t != "null");
    out.sort();
    out.dedup();
    out
}

/// Follows `$ref` and schemars' single-element `allOf` wrapper.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = root
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolvable {r}"));
        return resolve(target, root);
    }
    match schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([only]) => resolve(only, root),
        _ => schema,
    }
}

fn enum_values(schema: &Value, root: &Value) -> Option<Vec<Value>> {
    let schema = resolve(schema, root);
    schema.get("enum").and_then(Value::as_array).cloned()
}

fn required(schema: &Value) -> Vec<String> {
    let mut r: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    r.sort();
    r
}

/// Every mismatch between the spec's request body and our type's schema.
fn mismatches(spec_body: &Value, our_root: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let empty = serde_json::Map::new();
    let spec_props = spec_body["properties"].as_object().unwrap_or(&empty);
    let our_props = our_root["properties"].as_object().unwrap_or(&empty);
    for (name, spec_prop) in spec_props {
        let Some(our_prop) = our_props.get(name) else {
            problems.push(format!("`{name}` is in the spec but cannot be set"));
            continue;
        };
        let (st, ot) = (types(spec_prop, spec_body), types(our_prop, our_root));
        if st != ot {
            problems.push(format!("`{name}`: spec type {st:?}, ours {ot:?}"));
        }
        if let Some(ours) = enum_values(our_prop, our_root) {
            match enum_values(spec_prop, spec_body) {
                Some(spec) => {
                    for v in &ours {
                        if !spec.contains(v) {
                            problems.push(format!(
                                "`{name}`: we can send {v}, the spec does not allow it"
                            ));
                        }
                    }
                    for v in &spec {
                        if !ours.contains(v) {
                            problems
                                .push(format!("`{name}`: the spec allows {v}, we cannot send it"));
                        }
                    }
                }
                None => problems.push(format!("`{name}`: we restrict values the spec leaves open")),
            }
        }
    }
    for name in our_props.keys() {
        if !spec_props.contains_key(name) {
            problems.push(format!(
                "`{name}` is ours only; the spec has no such property"
            ));
        }
    }
    if required(spec_body) != required(our_root) {
        problems.push(format!(
            "required: spec {:?}, ours {:?}",
            required(spec_body),
            required(our_root)
        ));
    }
    problems
}

fn body(op: &str) -> Value {
    codegen::contract::request_schema(&spec(), op).unwrap()
}

#[test]
fn create_status_body_matches_the_contract() {
    let problems = mismatches(
        &body("repos/create-deployment-status"),
        &ours::<NewDeploymentStatus>(),
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn dispatch_body_matches_the_contract() {
    let problems = mismatches(
        &body("repos/create-dispatch-event"),
        &ours::<DispatchEvent>(),
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_property_added_to_the_spec_is_caught() {
    let mut spec_body = body("repos/create-deployment-status");
    spec_body["properties"]["production_environment"] = serde_json::json!({"type": "boolean"});
    let problems = mismatches(&spec_body, &ours::<NewDeploymentStatus>());
    assert_eq!(
        problems,
        ["`production_environment` is in the spec but cannot be set"]
    );
}

#[test]
fn a_retyped_or_newly_required_property_is_caught() {
    let mut spec_body = body("repos/create-dispatch-event");
    spec_body["properties"]["event_type"] = serde_json::json!({"type": "integer"});
    spec_body["required"] = serde_json::json!(["event_type", "client_payload"]);
    let problems = mismatches(&spec_body, &ours::<DispatchEvent>());
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

#[test]
fn a_new_state_in_the_spec_is_caught() {
    let mut spec_body = body("repos/create-deployment-status");
    spec_body["properties"]["state"]["enum"]
        .as_array_mut()
        .unwrap()
        .push("waiting".into());
    let problems = mismatches(&spec_body, &ours::<NewDeploymentStatus>());
    assert_eq!(
        problems,
        ["`state`: the spec allows \"waiting\", we cannot send it"]
    );
}

#[test]
fn generated_request_types_expose_the_same_schema() {
    use octodeploy::api::types;
    let problems = mismatches(
        &body("repos/create-deployment-status"),
        &ours::<types::ReposCreateDeploymentStatusBody>(),
    );
    assert!(problems.is_empty(), "{problems:#?}");
    let problems = mismatches(
        &body("repos/create-dispatch-event"),
        &ours::<types::ReposCreateDispatchEventBody>(),
    );
    assert!(problems.is_empty(), "{problems:#?}");
}
