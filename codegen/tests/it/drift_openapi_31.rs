//! OpenAPI 3.1 spellings (GitHub's `descriptions-next`, which no package
//! registry serves): a description rewritten as 3.1 spells it drifts
//! exactly as its 3.0 form does, for the fragment (no drift at all) and for
//! a full newer description (the same changes, the acknowledged ones among
//! them, and no false breaking line from a null branch).

use codegen::drift::{Class, compare};
use serde_json::{Value, json};

/// A description rewritten the way OpenAPI 3.1 descriptions
/// (`descriptions-next`) spell it: `type: [X, "null"]` instead of
/// `nullable` (and `null` among a nullable enum's values), `anyOf:
/// [{type: null}, ...]` instead of a `$ref` to a `nullable-*` copy or a
/// nullable `allOf`, `examples: [..]` instead of `example`.
fn as_openapi_31(value: &Value, schemas: &serde_json::Map<String, Value>) -> Value {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && let Some(plain) = r.strip_prefix("#/components/schemas/nullable-")
                && schemas.contains_key(plain)
            {
                return json!({"anyOf": [
                    {"type": "null"},
                    {"$ref": format!("#/components/schemas/{plain}")}
                ]});
            }
            let mut out = serde_json::Map::new();
            let nullable = map.get("nullable") == Some(&json!(true));
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("nullable", _) => {}
                    ("type", Value::String(t)) if nullable => {
                        out.insert(k.clone(), json!([t, "null"]));
                    }
                    ("enum", Value::Array(values)) if nullable => {
                        let mut values = values.clone();
                        values.push(Value::Null);
                        out.insert(k.clone(), Value::Array(values));
                    }
                    ("allOf", Value::Array(members)) if nullable && !map.contains_key("type") => {
                        let members: Vec<Value> =
                            members.iter().map(|m| as_openapi_31(m, schemas)).collect();
                        let inner = match members.as_slice() {
                            [only] => only.clone(),
                            _ => json!({"allOf": members}),
                        };
                        out.insert("anyOf".into(), json!([{"type": "null"}, inner]));
                    }
                    ("example", v) if map.contains_key("type") => {
                        out.insert("examples".into(), json!([v]));
                    }
                    _ => {
                        out.insert(k.clone(), as_openapi_31(v, schemas));
                    }
                }
            }
            // A nullable composition without `type`: a null branch.
            if nullable && !map.contains_key("type") {
                for keyword in ["anyOf", "oneOf"] {
                    if let Some(Value::Array(members)) = out.get_mut(keyword) {
                        members.push(json!({"type": "null"}));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => items.iter().map(|v| as_openapi_31(v, schemas)).collect(),
        other => other.clone(),
    }
}

#[test]
fn a_31_spelling_of_the_fragment_has_no_drift() {
    let fragment = codegen::Workspace::from_build().read_fragment().unwrap();
    let schemas = fragment["components"]["schemas"]
        .as_object()
        .unwrap()
        .clone();
    let mut next = as_openapi_31(&fragment, &schemas);
    next["openapi"] = json!("3.1.0");
    assert_ne!(next, fragment);
    let report = compare(&fragment, &next).unwrap();
    assert!(report.is_empty(), "{}", report.render_text());
}

/// npm 23.0.2's GHES 3.19 as 3.1 spells it reports exactly what its 3.0
/// form reports: the `owner` composition change, `creator.id` int64,
/// `user_view_type` and the removed app secrets among it, and the same
/// eight breaking changes. From the npm cache or `../shared`; skipped, by
/// name, without either.
#[test]
fn a_31_spelling_of_ghes_3_19_drifts_like_its_30_form() {
    let check = "a_31_spelling_of_ghes_3_19_drifts_like_its_30_form";
    let ws = codegen::Workspace::from_build();
    let Some(path) = codegen::npm::cached(ws.root(), "ghes-3.19.json").or_else(|| {
        codegen::inputs::shared_for_test(check, "upstream/octokit-openapi-23.0.2/ghes-3.19.json")
    }) else {
        return;
    };
    let fragment = ws.read_fragment().unwrap();
    let ghes: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let schemas = ghes["components"]["schemas"].as_object().unwrap().clone();
    let mut next = as_openapi_31(&ghes, &schemas);
    next["openapi"] = json!("3.1.0");
    assert_ne!(next, ghes);
    let as_30 = compare(&fragment, &ghes).unwrap().render_text();
    let report = compare(&fragment, &next).unwrap();
    let as_31 = report.render_text();
    assert_eq!(as_31, as_30);
    for expected in [
        "breaking  repos/get-deployment-status  response 200 application/json .performed_via_github_app.owner|oneOf[1]: member added (enterprise)",
        "additive  repos/get-deployment-status  response 200 application/json .creator.id: format none -> int64",
        "additive  repos/get-deployment-status  response 200 application/json .creator.user_view_type: property added (optional)",
        "additive  repos/get-deployment-status  response 200 application/json .performed_via_github_app.client_secret: property removed (was optional)",
    ] {
        assert!(as_31.contains(expected), "{expected}\n{as_31}");
    }
    let breaking = report
        .changes()
        .iter()
        .filter(|c| c.class == Class::Breaking)
        .count();
    assert_eq!(breaking, 8, "{as_31}");
}
