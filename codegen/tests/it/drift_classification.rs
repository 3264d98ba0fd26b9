//! Drift classification on small hand-made description pairs: each kind of
//! change on the request and the response side, composition, recursion,
//! errors, and the stable sorted text and JSON renderings.

use codegen::drift::{Change, ChangeKind, Class, DriftError, DriftReport, compare_operations};
use serde_json::{Value, json};

const OP: &str = "test/op";

/// A one-operation description: `POST /things` with a JSON body schema,
/// a 201 JSON response schema and a 422, plus `components/schemas`.
fn spec(request: Value, response: Value, schemas: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "paths": {"/things": {"post": {
            "operationId": OP,
            "summary": "Make a thing",
            "parameters": [{"name": "owner", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": request}}},
            "responses": {
                "201": {"description": "Created", "content": {"application/json": {"schema": response}}},
                "422": {"description": "Validation failed"}
            }
        }}},
        "components": {"schemas": schemas}
    })
}

fn thing() -> Value {
    json!({
        "type": "object",
        "required": ["id", "state"],
        "properties": {
            "id": {"type": "integer", "format": "int32"},
            "state": {"type": "string", "enum": ["on", "off"]},
            "note": {"type": "string", "description": "A note."}
        }
    })
}

fn body() -> Value {
    json!({
        "type": "object",
        "required": ["state"],
        "properties": {
            "state": {"type": "string", "enum": ["on", "off"]},
            "label": {"type": "string", "maxLength": 10}
        }
    })
}

/// [`spec`] with this request body and a 201 of `thing` (by reference).
fn spec_of(body: Value, thing: Value) -> Value {
    spec(
        body,
        json!({"$ref": "#/components/schemas/thing"}),
        json!({"thing": thing}),
    )
}

fn base() -> Value {
    spec_of(body(), thing())
}

fn diff(base: &Value, other: &Value) -> DriftReport {
    compare_operations(base, other, &[OP]).unwrap()
}

/// The single change of `report`, failing with the whole report otherwise.
fn only(report: &DriftReport) -> &Change {
    match report.changes() {
        [change] => change,
        _ => panic!("expected exactly one change:\n{}", report.render_text()),
    }
}

pub(crate) fn find<'a>(
    report: &'a DriftReport,
    operation: &str,
    location: &str,
    code: &str,
) -> &'a Change {
    report
        .changes()
        .iter()
        .find(|c| c.operation == operation && c.location == location && c.kind.code() == code)
        .unwrap_or_else(|| {
            panic!(
                "no {code} at {operation} {location}:\n{}",
                report.render_text()
            )
        })
}

#[test]
fn identical_descriptions_have_no_drift() {
    let report = diff(&base(), &base());
    assert!(report.is_empty(), "{}", report.render_text());
    assert_eq!(report.render_text(), "# drift: none\n");
}

#[test]
fn added_required_request_property_is_breaking() {
    let mut other = base();
    let schema = other
        .pointer_mut("/paths/~1things/post/requestBody/content/application~1json/schema")
        .unwrap();
    schema["properties"]["ref"] = json!({"type": "string"});
    schema["required"] = json!(["state", "ref"]);
    let report = diff(&base(), &other);
    let change = only(&report);
    assert_eq!(change.location, "request application/json .ref");
    assert_eq!(change.kind, ChangeKind::PropertyAdded { required: true });
    assert_eq!(change.class, Class::Breaking);

    // The same property, optional, is additive.
    other
        .pointer_mut("/paths/~1things/post/requestBody/content/application~1json/schema")
        .unwrap()["required"] = json!(["state"]);
    assert_eq!(only(&diff(&base(), &other)).class, Class::Additive);
}

#[test]
fn removed_enum_value_breaks_requests_but_not_responses() {
    let mut body = body();
    body["properties"]["state"]["enum"] = json!(["on"]);
    let mut thing = thing();
    thing["properties"]["state"]["enum"] = json!(["on"]);
    let other = spec_of(body, thing);
    let report = diff(&base(), &other);
    let request = find(
        &report,
        OP,
        "request application/json .state",
        "enum-value-removed",
    );
    assert_eq!(request.class, Class::Breaking);
    assert_eq!(request.old, Some(json!("off")));
    let response = find(
        &report,
        OP,
        "response 201 application/json .state",
        "enum-value-removed",
    );
    assert_eq!(response.class, Class::Additive);
    assert_eq!(report.changes().len(), 2, "{}", report.render_text());
}

#[test]
fn added_response_enum_value_is_breaking_and_lifted_request_enum_is_additive() {
    let mut body = body();
    body["properties"]["state"]
        .as_object_mut()
        .unwrap()
        .remove("enum");
    let mut thing = thing();
    thing["properties"]["state"]["enum"] = json!(["on", "off", "dimmed"]);
    let other = spec_of(body, thing);
    let report = diff(&base(), &other);
    let lifted = find(
        &report,
        OP,
        "request application/json .state",
        "enum-removed",
    );
    assert_eq!(lifted.class, Class::Additive);
    let added = find(
        &report,
        OP,
        "response 201 application/json .state",
        "enum-value-added",
    );
    assert_eq!(added.class, Class::Breaking);
    assert_eq!(added.new, Some(json!("dimmed")));
}

#[test]
fn new_error_status_is_additive_and_new_success_status_is_breaking() {
    let mut other = base();
    let responses = other.pointer_mut("/paths/~1things/post/responses").unwrap();
    responses["404"] = json!({"description": "Not found"});
    let report = diff(&base(), &other);
    let change = only(&report);
    assert_eq!(
        (change.location.as_str(), change.kind.code()),
        ("response 404", "status-added")
    );
    assert_eq!(change.class, Class::Additive);

    let responses = other.pointer_mut("/paths/~1things/post/responses").unwrap();
    responses["202"] = json!({"description": "Accepted"});
    let change = find(&diff(&base(), &other), OP, "response 202", "status-added").clone();
    assert_eq!(change.class, Class::Breaking);
}

#[test]
fn changed_description_is_documentation_only() {
    let mut thing = thing();
    thing["properties"]["note"]["description"] = json!("A longer note.");
    let other = spec_of(body(), thing);
    let report = diff(&base(), &other);
    let change = only(&report);
    assert_eq!(change.location, "response 201 application/json .note");
    assert_eq!(
        change.kind,
        ChangeKind::Documentation {
            keyword: "description".into()
        }
    );
    assert_eq!(change.class, Class::Docs);
    assert_eq!(
        change.render(),
        "docs      test/op  response 201 application/json .note: \
         description \"A note.\" -> \"A longer note.\""
    );
}

#[test]
fn int32_to_int64_in_a_response_is_breaking_and_none_to_int64_is_not() {
    let mut thing = thing();
    thing["properties"]["id"]["format"] = json!("int64");
    let other = spec_of(body(), thing.clone());
    let report = diff(&base(), &other);
    let change = only(&report);
    assert_eq!(change.kind.code(), "format-changed");
    assert_eq!(change.class, Class::Breaking);
    assert!(
        change.render().ends_with(".id: format int32 -> int64"),
        "{}",
        change.render()
    );

    // Without a format the client already decodes i64.
    let mut unformatted = thing.clone();
    unformatted["properties"]["id"]
        .as_object_mut()
        .unwrap()
        .remove("format");
    let before = spec_of(body(), unformatted);
    assert_eq!(only(&diff(&before, &other)).class, Class::Additive);
}

#[test]
fn removed_response_property_is_breaking_only_if_it_was_required() {
    let mut thing = thing();
    let properties = thing["properties"].as_object_mut().unwrap();
    properties.remove("id");
    properties.remove("note");
    thing["required"] = json!(["state"]);
    let other = spec_of(body(), thing);
    let report = diff(&base(), &other);
    let id = find(
        &report,
        OP,
        "response 201 application/json .id",
        "property-removed",
    );
    assert_eq!(id.class, Class::Breaking);
    let note = find(
        &report,
        OP,
        "response 201 application/json .note",
        "property-removed",
    );
    assert_eq!(note.class, Class::Additive);
    assert_eq!(report.changes().len(), 2, "{}", report.render_text());
}

#[test]
fn presence_nullability_and_bounds_follow_the_side() {
    let mut body = body();
    body["required"] = json!([]);
    body["properties"]["label"]["maxLength"] = json!(5);
    let mut thing = thing();
    thing["required"] = json!(["state"]);
    thing["properties"]["note"]["nullable"] = json!(true);
    let mut other = spec_of(body, thing);
    other["paths"]["/things"]["post"]["parameters"][0] =
        json!({"name": "owner", "in": "query", "schema": {"type": "string"}});
    let report = diff(&base(), &other);
    let class = |location: &str, code: &str| find(&report, OP, location, code).class;
    assert_eq!(
        class("parameter path owner", "parameter-removed"),
        Class::Breaking
    );
    assert_eq!(
        find(&report, OP, "parameter query owner", "parameter-added").kind,
        ChangeKind::ParameterAdded { required: false }
    );
    let request = "request application/json";
    assert_eq!(
        class(&format!("{request} .state"), "made-optional"),
        Class::Additive
    );
    assert_eq!(
        class(&format!("{request} .label"), "constraint-changed"),
        Class::Breaking
    );
    let response = "response 201 application/json";
    assert_eq!(
        class(&format!("{response} .id"), "made-optional"),
        Class::Breaking
    );
    assert_eq!(
        class(&format!("{response} .note"), "nullable-added"),
        Class::Breaking
    );
    assert_eq!(report.changes().len(), 6, "{}", report.render_text());
    assert!(report.render_text().contains(".label: maxLength 10 -> 5\n"));
}

#[test]
fn renamed_component_and_inlined_schema_are_not_changes() {
    let renamed = spec(
        body(),
        json!({"$ref": "#/components/schemas/widget"}),
        json!({"widget": thing()}),
    );
    let report = diff(&base(), &renamed);
    assert!(report.is_empty(), "{}", report.render_text());

    let inline = spec(body(), thing(), json!({}));
    let report = diff(&base(), &inline);
    assert!(report.is_empty(), "{}", report.render_text());
}

#[test]
fn ref_replaced_by_one_of_is_an_added_alternative_walked_beneath() {
    let mut thing = thing();
    thing["properties"]["owner"] = json!({"$ref": "#/components/schemas/user"});
    let user = json!({"type": "object", "properties": {"login": {"type": "string"}}});
    let before = spec(
        body(),
        json!({"$ref": "#/components/schemas/thing"}),
        json!({"thing": thing, "user": user}),
    );
    thing["properties"]["owner"] = json!({"oneOf": [
        {"$ref": "#/components/schemas/user"},
        {"$ref": "#/components/schemas/org"}
    ]});
    let mut user_after = user.clone();
    user_after["properties"]["id"] = json!({"type": "integer"});
    let after = spec(
        body(),
        json!({"$ref": "#/components/schemas/thing"}),
        json!({"thing": thing, "user": user_after, "org": {"type": "object"}}),
    );
    let report = diff(&before, &after);
    let text = report.render_text();
    // The new alternative (a wider response: breaking) ...
    let added = find(
        &report,
        OP,
        "response 201 application/json .owner|oneOf[1]",
        "member-added",
    );
    assert_eq!(added.class, Class::Breaking);
    assert!(added.render().ends_with(": member added (org)"), "{text}");
    // ... and the change beneath the alternative that matches the old schema.
    find(
        &report,
        OP,
        "response 201 application/json .owner.id",
        "property-added",
    );
    assert_eq!(report.changes().len(), 2, "{text}");

    // An alternative that matches nothing stays a composition change.
    let mut unrelated = after.clone();
    unrelated["components"]["schemas"]["thing"]["properties"]["owner"] =
        json!({"oneOf": [{"$ref": "#/components/schemas/org"}, {"type": "string"}]});
    let report = diff(&before, &unrelated);
    let change = only(&report);
    assert_eq!(change.kind, ChangeKind::CompositionChanged);
    assert!(
        change
            .render()
            .ends_with(".owner: composition user -> oneOf[org, string]"),
        "{}",
        change.render()
    );
}

#[test]
fn recursive_schemas_terminate() {
    let node = |extra: &str| {
        json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": extra},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/node"}}
            }
        })
    };
    let before = spec(
        body(),
        json!({"$ref": "#/components/schemas/node"}),
        json!({"node": node("a")}),
    );
    let after = spec(
        body(),
        json!({"$ref": "#/components/schemas/node"}),
        json!({"node": node("b")}),
    );
    let report = diff(&before, &after);
    let locations: Vec<&str> = report
        .changes()
        .iter()
        .map(|c| c.location.as_str())
        .collect();
    assert_eq!(
        locations,
        ["response 201 application/json .name"],
        "{}",
        report.render_text()
    );
}

#[test]
fn missing_operation_is_breaking_and_missing_base_operation_is_an_error() {
    let mut other = base();
    other["paths"] = json!({});
    let report = diff(&base(), &other);
    let change = only(&report);
    assert_eq!(change.kind, ChangeKind::OperationRemoved);
    assert_eq!(change.class, Class::Breaking);

    let err = compare_operations(&other, &base(), &[OP]).unwrap_err();
    assert!(
        matches!(err, DriftError::OperationNotInBase { .. }),
        "{err}"
    );
}

#[test]
fn dangling_ref_is_an_error() {
    let broken = spec(
        body(),
        json!({"$ref": "#/components/schemas/gone"}),
        json!({}),
    );
    let err = compare_operations(&base(), &broken, &[OP]).unwrap_err();
    assert!(
        matches!(&err, DriftError::UnresolvedRef { document: "other", reference } if reference == "#/components/schemas/gone"),
        "{err}"
    );
}

#[test]
fn reports_are_sorted_and_json_is_stable() {
    let mut other = base();
    let op = other.pointer_mut("/paths/~1things/post").unwrap();
    op["summary"] = json!("Make a widget");
    op["responses"]["404"] = json!({"description": "Not found"});
    op["x-octokit"] = json!({"ignored": true});
    let report = diff(&base(), &other);
    let text = report.render_text();
    assert_eq!(
        text,
        "# drift: 0 breaking, 1 additive, 1 docs\n\
         docs      test/op  operation: summary \"Make a thing\" -> \"Make a widget\"\n\
         additive  test/op  response 404: status code added\n"
    );
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(
        json["summary"],
        json!({"breaking": 0, "additive": 1, "docs": 1})
    );
    assert_eq!(
        json["changes"][1],
        json!({
            "class": "additive", "operation": OP, "location": "response 404",
            "side": "response", "kind": "status-added", "success": false,
            "message": "status code added", "old": null, "new": null
        })
    );
    let keys: Vec<&str> = json["changes"][1]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "class",
            "operation",
            "location",
            "side",
            "kind",
            "success",
            "message",
            "old",
            "new"
        ]
    );
}

/// GHES 2.22's `list-deployments` `environment` query parameter is not
/// `nullable` where 3.0's is: the client sends a parameter as text or
/// leaves it out, never as null, so that is not breaking (and says why);
/// a real narrowing of the same parameter still is.
#[test]
fn a_parameter_is_never_null_so_its_nullability_is_not_breaking() {
    let with = |schema: Value| {
        let mut s = base();
        s["paths"]["/things"]["post"]["parameters"] =
            json!([{"name": "environment", "in": "query", "schema": schema}]);
        s
    };
    let nullable = with(json!({"type": "string", "nullable": true, "default": "none"}));
    let report = diff(
        &nullable,
        &with(json!({"type": "string", "default": "none"})),
    );
    assert_eq!(
        only(&report).render(),
        "additive  test/op  parameter query environment: no longer nullable \
         (a parameter is sent as text or left out, never as null)"
    );
    assert_eq!(only(&report).side, codegen::drift::Side::Parameter);
    let narrowed = with(json!({"type": "string", "default": "none", "maxLength": 8}));
    let report = diff(&nullable, &narrowed);
    assert_eq!(
        find(
            &report,
            OP,
            "parameter query environment",
            "constraint-changed"
        )
        .class,
        Class::Breaking
    );
}
