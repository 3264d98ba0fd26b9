//! Drift on redirect (`3XX`) responses: the transport follows or refuses a
//! redirect by its status and `Location` header and never decodes its body,
//! so what the description says of that body is not breaking for this
//! client (GHES 2.22 documents its 301 without the JSON body GHES 3.0 has).

use codegen::drift::{Class, DriftReport, Side, compare_operations};
use serde_json::{Value, json};

const OP: &str = "test/get";

/// `GET /x` answering 200 and a 301 `response`, with a `basic-error` component.
fn spec(moved: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "paths": {"/x": {"get": {
            "operationId": OP,
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
                "301": moved
            }
        }}},
        "components": {"schemas": {"basic-error": {
            "type": "object",
            "properties": {"message": {"type": "string"}, "url": {"type": "string"}}
        }}}
    })
}

fn diff(a: &Value, b: &Value) -> DriftReport {
    compare_operations(a, b, &[OP]).unwrap()
}

/// GHES 3.0's `moved_permanently`.
fn with_body() -> Value {
    json!({"description": "Moved permanently", "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/basic-error"
    }}}})
}

#[test]
fn a_redirect_body_removed_is_not_breaking_and_says_why() {
    let other = spec(json!({"description": "Moved Permanently"}));
    let report = diff(&spec(with_body()), &other);
    let removed: Vec<_> = report
        .changes()
        .iter()
        .filter(|c| c.kind.code() == "media-type-removed")
        .collect();
    assert_eq!(removed.len(), 1, "{}", report.render_text());
    assert_eq!(removed[0].side, Side::Redirect);
    assert_eq!(
        removed[0].render(),
        "additive  test/get  response 301 application/json: media type removed \
         (a redirect: handled by the transport, its body never decoded)"
    );
    assert!(
        report.changes().iter().all(|c| c.class != Class::Breaking),
        "{}",
        report.render_text()
    );
}

#[test]
fn a_redirect_body_schema_change_is_not_breaking() {
    let mut other = spec(with_body());
    other["components"]["schemas"]["basic-error"]["properties"]["message"]["type"] =
        json!("integer");
    let report = diff(&spec(with_body()), &other);
    let texts = report.render_text();
    assert!(
        texts.contains("additive  test/get  response 301 application/json .message: type"),
        "{texts}"
    );
    assert!(report.changes().iter().all(|c| c.class != Class::Breaking));
}

#[test]
fn a_redirect_losing_its_location_header_is_breaking() {
    let mut base = spec(with_body());
    base["paths"]["/x"]["get"]["responses"]["301"]["headers"] =
        json!({"Location": {"schema": {"type": "string"}}});
    let report = diff(&base, &spec(with_body()));
    let texts: Vec<String> = report.changes().iter().map(|c| c.render()).collect();
    assert_eq!(
        texts,
        ["breaking  test/get  response 301 header Location: header removed"]
    );
}

/// The same removal on a success response stays breaking.
#[test]
fn a_success_body_removed_stays_breaking() {
    let mut other = spec(with_body());
    other["paths"]["/x"]["get"]["responses"]["200"] = json!({"description": "ok"});
    let report = diff(&spec(with_body()), &other);
    let texts: Vec<String> = report.changes().iter().map(|c| c.render()).collect();
    assert_eq!(
        texts,
        ["breaking  test/get  response 200 application/json: media type removed"]
    );
}
