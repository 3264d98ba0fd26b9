//! The drift checker: classification on small hand-made description pairs,
//! the real GHES 3.0 → 3.22 drift, a full octokit file, and the snapshot
//! check (pass, fail, bless).

use std::path::{Path, PathBuf};

use codegen::drift::{
    Change, ChangeKind, Class, DriftError, DriftOptions, DriftReport, Format, compare,
    compare_operations, run,
};
use serde_json::{Value, json};

const OP: &str = "test/op";

/// `../shared/upstream/<path>`, or `None` (the test is skipped, by name)
/// when `../shared` is not there.
fn shared_opt(path: &str) -> Option<PathBuf> {
    codegen::inputs::shared_for_test(
        &format!("drift test on {path}"),
        &format!("upstream/{path}"),
    )
}

fn shared(path: &str) -> PathBuf {
    shared_opt(path).unwrap_or_default()
}

/// Skips the calling test unless every named `../shared/upstream` file is there.
macro_rules! needs_shared {
    ($($path:expr),+) => {
        if [$($path),+].into_iter().any(|p| shared_opt(p).is_none()) {
            return;
        }
    };
}

fn read(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

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

fn base() -> Value {
    spec(
        body(),
        json!({"$ref": "#/components/schemas/thing"}),
        json!({"thing": thing()}),
    )
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

fn find<'a>(report: &'a DriftReport, operation: &str, location: &str, code: &str) -> &'a Change {
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
    let other = spec(
        body,
        json!({"$ref": "#/components/schemas/thing"}),
        json!({"thing": thing}),
    );
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
    let other = spec(
        body,
        json!({"$ref": "#/components/schemas/thing"}),
        json!({"thing": thing}),
    );
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
    let other = spec(
        body(),
        json!({"$ref": "#/components/schemas/thing"}),
        json!({"thing": thing}),
    );
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
    let other = spec(
        body(),
        json!({"$ref": "#/components/schemas/thing"}),
        json!({"thing": thing}),
    );
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
    let before = spec(
        body(),
        json!({"$ref": "#/components/schemas/thing"}),
        json!({"thing": unformatted}),
    );
    assert_eq!(only(&diff(&before, &other)).class, Class::Additive);
}

#[test]
fn removed_response_property_is_breaking_only_if_it_was_required() {
    let mut thing = thing();
    let properties = thing["properties"].as_object_mut().unwrap();
    properties.remove("id");
    properties.remove("note");
    thing["required"] = json!(["state"]);
    let other = spec(
        body(),
        json!({"$ref": "#/components/schemas/thing"}),
        json!({"thing": thing}),
    );
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
    let mut other = spec(
        body,
        json!({"$ref": "#/components/schemas/thing"}),
        json!({"thing": thing}),
    );
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

#[test]
fn ghes_3_0_to_3_22_has_the_known_drift() {
    needs_shared!("ghes-3.0.subset.json", "ghes-3.22.subset.json");
    let base = read(&shared("ghes-3.0.subset.json"));
    let other = read(&shared("ghes-3.22.subset.json"));
    let report = compare(&base, &other).unwrap();
    let expect = |operation: &str, location: &str, code: &str, class: Class| {
        let change = find(&report, operation, location, code);
        assert_eq!(change.class, class, "{}", change.render());
    };
    let create = "repos/create-deployment-status";
    let get = "repos/get-deployment-status";
    expect(
        create,
        "request application/json .environment",
        "enum-removed",
        Class::Additive,
    );
    expect(
        "repos/create-dispatch-event",
        "response 404",
        "status-added",
        Class::Additive,
    );
    expect(
        get,
        "response 200 application/json .creator.user_view_type",
        "property-added",
        Class::Additive,
    );
    expect(
        "repos/list-deployment-statuses",
        "response 200 application/json [].creator.user_view_type",
        "property-added",
        Class::Additive,
    );
    expect(
        get,
        "response 200 application/json .id",
        "format-changed",
        Class::Additive,
    );
    expect(
        create,
        "response 201 application/json .performed_via_github_app.owner|oneOf[1]",
        "member-added",
        Class::Breaking,
    );
    let text = report.render_text();
    assert!(
        text.contains(
            "additive  repos/get-deployment-status  response 200 application/json .id: \
             format none -> int64\n"
        ),
        "{text}"
    );
    // Renamed-in-place components are compared by location: `simple-user`
    // and `enterprise` are new components but appear only in the one
    // composition change, never as removals or additions of their own.
    assert!(!text.contains("simple-user".repeat(2).as_str()));
    // Sorted by (operation, location, kind).
    let keys: Vec<_> = report
        .changes()
        .iter()
        .map(|c| (c.operation.clone(), c.location.clone(), c.kind.code()))
        .collect();
    assert!(keys.is_sorted(), "{text}");
    // Deterministic.
    assert_eq!(compare(&base, &other).unwrap().render_text(), text);
}

#[test]
fn full_octokit_file_with_x_octokit_compares_like_its_subset() {
    needs_shared!(
        "ghes-3.0.subset.json",
        "ghes-3.22.subset.json",
        "octokit-openapi-23.0.2/ghes-3.19.json"
    );
    let base = read(&shared("ghes-3.0.subset.json"));
    let full = read(&shared("octokit-openapi-23.0.2/ghes-3.19.json"));
    let subset = read(&shared("ghes-3.22.subset.json"));
    let from_full = compare(&base, &full).unwrap();
    let from_subset = compare(&base, &subset).unwrap();
    // 3.22's subset was built from this 3.19 file with `x-octokit` removed
    // and `@3.19` docs links rewritten to `@3.22`; only documentation lines
    // (hashes of those links) may differ.
    assert!(!from_full.is_empty());
    assert!(!from_full.render_text().contains("x-octokit"));
    let semantic = |report: &DriftReport| -> Vec<String> {
        report
            .changes()
            .iter()
            .filter(|c| c.class != Class::Docs)
            .map(Change::render)
            .collect()
    };
    assert_eq!(semantic(&from_full), semantic(&from_subset));
}

fn options(dir: &Path, json: bool, bless: bool) -> DriftOptions {
    DriftOptions {
        fragment: shared("ghes-3.0.subset.json"),
        against: shared("ghes-3.22.subset.json"),
        snapshot_dir: dir.join("openapi/drift"),
        snapshot: None,
        format: if json { Format::Json } else { Format::Text },
        bless,
        subset: false,
    }
}

#[test]
fn snapshot_check_fails_until_blessed_then_passes() {
    needs_shared!("ghes-3.0.subset.json", "ghes-3.22.subset.json");
    let dir = tempfile::tempdir().unwrap();
    // Named after what the description is (plan ghes, release 3.22), not its file.
    let snapshot = dir.path().join("openapi/drift/ghes-3.22.txt");

    // No snapshot: nothing is acknowledged.
    let err = run(&options(dir.path(), false, false)).unwrap_err();
    let DriftError::Unacknowledged {
        diff,
        snapshot: path,
        ..
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(path, &snapshot);
    assert!(
        diff.contains("+additive  repos/create-dispatch-event  response 404: status code added"),
        "{diff}"
    );
    let message = err.to_string();
    assert!(message.contains("cargo xtask drift --against"), "{message}");
    assert!(
        message.ends_with("ghes-3.22.subset.json --bless`."),
        "{message}"
    );

    // Bless writes the text report and returns it.
    let blessed = run(&options(dir.path(), false, true)).unwrap();
    assert_eq!(std::fs::read_to_string(&snapshot).unwrap(), blessed);

    // Now the check passes, in either output format.
    assert_eq!(run(&options(dir.path(), false, false)).unwrap(), blessed);
    let json: Value =
        serde_json::from_str(&run(&options(dir.path(), true, false)).unwrap()).unwrap();
    assert!(json["changes"].as_array().is_some_and(|c| !c.is_empty()));

    // An edited snapshot fails again, with a diff showing the difference.
    let edited = blessed.replace(
        "additive  repos/create-dispatch-event  response 404: status code added\n",
        "",
    );
    assert_ne!(edited, blessed);
    std::fs::write(&snapshot, &edited).unwrap();
    let err = run(&options(dir.path(), false, false)).unwrap_err();
    let DriftError::Unacknowledged { diff, .. } = &err else {
        panic!("{err}");
    };
    assert!(
        diff.contains("+additive  repos/create-dispatch-event  response 404"),
        "{diff}"
    );
    assert_eq!(
        diff.lines()
            .filter(|l| l.starts_with(['+', '-'])
                && !l.starts_with("+++")
                && !l.starts_with("---")
                && !l[1..].starts_with('#'))
            .count(),
        1,
        "{diff}"
    );

    // Windows line endings in the snapshot are fine.
    std::fs::write(&snapshot, blessed.replace('\n', "\r\n")).unwrap();
    run(&options(dir.path(), false, false)).unwrap();
}

#[test]
fn unreadable_description_names_the_file() {
    needs_shared!("ghes-3.0.subset.json", "ghes-3.22.subset.json");
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), false, false);
    opts.against = dir.path().join("missing.json");
    let err = run(&opts).unwrap_err();
    assert!(matches!(err, DriftError::File(_)), "{err:?}");
    assert!(err.to_string().contains("missing.json"), "{err}");
}

#[test]
fn json_on_failure_carries_the_report_with_acknowledged_flags() {
    needs_shared!("ghes-3.0.subset.json", "ghes-3.22.subset.json");
    let dir = tempfile::tempdir().unwrap();
    run(&options(dir.path(), false, true)).unwrap();
    let snapshot = dir.path().join("openapi/drift/ghes-3.22.txt");
    let blessed = std::fs::read_to_string(&snapshot).unwrap();
    let line = "additive  repos/create-dispatch-event  response 404: status code added\n";
    std::fs::write(&snapshot, blessed.replace(line, "")).unwrap();
    let err = run(&options(dir.path(), true, false)).unwrap_err();
    let DriftError::Unacknowledged { output, .. } = err else {
        panic!("{err}");
    };
    let json: Value = serde_json::from_str(&output).unwrap();
    assert_eq!(json["summary"]["unacknowledged"], 1, "{output}");
    assert_eq!(json["description"]["plan"], "ghes");
    let changes = json["changes"].as_array().unwrap();
    let new: Vec<&Value> = changes
        .iter()
        .filter(|c| c["acknowledged"] == false)
        .collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["location"], "response 404");
    assert!(changes.iter().all(|c| c["acknowledged"].is_boolean()));
}

#[test]
fn markdown_groups_by_class_breaking_first_and_marks_new_changes() {
    needs_shared!("ghes-3.0.subset.json", "ghes-3.22.subset.json");
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), false, false);
    opts.format = Format::Markdown;
    let err = run(&opts).unwrap_err();
    let DriftError::Unacknowledged { output, .. } = err else {
        panic!("{err}");
    };
    assert!(output.starts_with("## API drift: ghes 3.22\n"), "{output}");
    let breaking = output.find("### Breaking (3)").unwrap();
    let additive = output.find("### Additive (").unwrap();
    let docs = output.find("### Documentation (").unwrap();
    assert!(breaking < additive && additive < docs, "{output}");
    assert!(output.contains(
        "| **new** | `repos/create-dispatch-event` | `response 404` | status code added |"
    ));
}

#[test]
fn no_drift_and_no_snapshot_passes() {
    needs_shared!("ghes-3.0.subset.json", "ghes-3.22.subset.json");
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), false, false);
    opts.against = opts.fragment.clone();
    assert_eq!(run(&opts).unwrap(), "# drift: none\n");
}

#[test]
fn snapshots_are_named_after_what_the_description_is() {
    needs_shared!("ghes-3.0.subset.json", "ghes-3.22.subset.json");
    use codegen::drift::snapshot_name;
    assert_eq!(
        snapshot_name(&json!({"info": {"title": "GitHub's spec + Octokit", "version": "23.0.2", "x-github-plan": "ghes", "x-github-release": 3.19}})).as_deref(),
        Some("ghes-3.19")
    );
    assert_eq!(
        snapshot_name(&json!({"info": {"x-github-plan": "api.github.com"}})).as_deref(),
        Some("api.github.com")
    );
    assert_eq!(
        snapshot_name(&json!({"info": {"title": "GitHub v3 REST API", "version": "1.1.4"}}))
            .as_deref(),
        Some("github-v3-rest-api-1.1.4")
    );
    assert_eq!(snapshot_name(&json!({"paths": {}})), None);
    // The same description under another file name finds the same snapshot.
    let dir = tempfile::tempdir().unwrap();
    run(&options(dir.path(), false, true)).unwrap();
    let renamed = dir.path().join("copy-of-something.json");
    std::fs::copy(shared("ghes-3.22.subset.json"), &renamed).unwrap();
    let mut opts = options(dir.path(), false, false);
    opts.against = renamed;
    run(&opts).unwrap();
    // A description that says nothing about itself needs --snapshot.
    let bare = dir.path().join("bare.json");
    let mut doc = read(&shared("ghes-3.22.subset.json"));
    doc.as_object_mut().unwrap().remove("info");
    std::fs::write(&bare, doc.to_string()).unwrap();
    opts.against = bare;
    let err = run(&opts).unwrap_err();
    assert!(err.to_string().contains("--snapshot NAME"), "{err}");
    opts.snapshot = Some("ghes-3.22".into());
    run(&opts).unwrap();
}

#[test]
fn a_subset_checks_and_blesses_only_its_operations() {
    needs_shared!("ghes-3.0.subset.json", "ghes-3.22.subset.json");
    let dir = tempfile::tempdir().unwrap();
    let drift = dir.path().join("openapi/drift");
    std::fs::create_dir_all(&drift).unwrap();
    // A snapshot with a line for an operation the subset does not hold.
    let other_op = "docs      repos/other-op  operation: description \"a\" -> \"b\"";
    std::fs::write(drift.join("ghes-3.22.txt"), format!("{other_op}\n")).unwrap();
    let mut opts = options(dir.path(), false, true);
    opts.subset = true;
    run(&opts).unwrap();
    let blessed = std::fs::read_to_string(drift.join("ghes-3.22.txt")).unwrap();
    assert!(blessed.contains(other_op), "kept: {blessed}");
    opts.bless = false;
    run(&opts).unwrap();
}
