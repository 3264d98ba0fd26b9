//! Drift reads schemas, not spellings: each equivalent spelling of
//! "nullable X" (and of examples) compares equal, *and* the walk goes on
//! beneath it, so a real change placed under the equivalent wrapper is
//! still found. Also: fixup-aware classification and description excerpts.

use codegen::drift::{Class, DriftReport, compare, compare_operations};
use serde_json::{Value, json};

const OP: &str = "test/get";

/// `GET /x` answering `{user: <user>}`, with `user`/`nullable-user`
/// components whose `id` is `id_type` and that have `extra` properties.
fn spec(user: Value, id_type: &str, extra: Value) -> Value {
    let mut props = json!({"id": {"type": id_type}});
    for (k, v) in extra.as_object().unwrap() {
        props[k] = v.clone();
    }
    let component = json!({"type": "object", "properties": props});
    let mut nullable = component.clone();
    nullable["nullable"] = json!(true);
    json!({
        "openapi": "3.0.3",
        "paths": {"/x": {"get": {
            "operationId": OP,
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"user": user}
            }}}}}
        }}},
        "components": {"schemas": {"user": component, "nullable-user": nullable}}
    })
}

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The nullable spellings (3.0 component, 3.0 allOf, 3.1 anyOf/oneOf null
/// branch in either order, 3.1 type list).
fn nullable_forms() -> Vec<(&'static str, Value)> {
    vec![
        ("$ref to a nullable component", r("nullable-user")),
        (
            "nullable + allOf[$ref]",
            json!({"nullable": true, "allOf": [r("user")]}),
        ),
        (
            "anyOf[null, $ref]",
            json!({"anyOf": [{"type": "null"}, r("user")]}),
        ),
        (
            "oneOf[$ref, null]",
            json!({"oneOf": [r("user"), {"type": "null"}]}),
        ),
        (
            "anyOf[$ref, enum [null]]",
            json!({"anyOf": [r("user"), {"enum": [null]}]}),
        ),
    ]
}

fn diff(a: &Value, b: &Value) -> DriftReport {
    compare_operations(a, b, &[OP]).unwrap()
}

fn breaking(report: &DriftReport) -> Vec<String> {
    report
        .changes()
        .iter()
        .filter(|c| c.class == Class::Breaking)
        .map(|c| c.render())
        .collect()
}

#[test]
fn every_pair_of_nullable_spellings_is_equal() {
    for (name_a, a) in nullable_forms() {
        for (name_b, b) in nullable_forms() {
            let report = diff(
                &spec(a.clone(), "integer", json!({})),
                &spec(b.clone(), "integer", json!({})),
            );
            assert!(
                report.is_empty(),
                "{name_a} vs {name_b}:\n{}",
                report.render_text()
            );
        }
    }
}

#[test]
fn a_change_beneath_an_equivalent_wrapper_is_still_found() {
    let base = spec(r("nullable-user"), "integer", json!({}));
    for (name, form) in nullable_forms().into_iter().skip(1) {
        // Additive beneath: a new optional property.
        let other = spec(
            form.clone(),
            "integer",
            json!({"login": {"type": "string"}}),
        );
        let report = diff(&base, &other);
        assert!(
            breaking(&report).is_empty(),
            "{name}:\n{}",
            report.render_text()
        );
        let texts = report.render_text();
        assert!(
            texts.contains("additive  test/get  response 200 application/json .user.login: property added (optional)"),
            "{name}:\n{texts}"
        );
        // Breaking beneath: `id` changes type.
        let other = spec(form, "string", json!({}));
        let report = diff(&base, &other);
        assert_eq!(
            breaking(&report),
            ["breaking  test/get  response 200 application/json .user.id: type integer -> string"],
            "{name}:\n{}",
            report.render_text()
        );
    }
}

#[test]
fn a_31_type_list_is_nullable_and_walked() {
    let inline = |id: &str, extra: Value| {
        let mut props = json!({"id": {"type": id}});
        for (k, v) in extra.as_object().unwrap() {
            props[k] = v.clone();
        }
        json!({"type": ["object", "null"], "properties": props})
    };
    let base = spec(r("nullable-user"), "integer", json!({}));
    let same = spec(inline("integer", json!({})), "integer", json!({}));
    assert!(
        diff(&base, &same).is_empty(),
        "{}",
        diff(&base, &same).render_text()
    );
    let changed = spec(
        inline("integer", json!({"login": {"type": "string"}})),
        "integer",
        json!({}),
    );
    let report = diff(&base, &changed);
    assert!(breaking(&report).is_empty(), "{}", report.render_text());
    assert!(report.render_text().contains(".user.login: property added"));
}

#[test]
fn allof_of_a_single_ref_is_the_ref() {
    let base = spec(r("user"), "integer", json!({}));
    let wrapped = json!({"allOf": [r("user")], "description": "The user."});
    assert!(diff(&base, &spec(wrapped.clone(), "integer", json!({}))).is_empty());
    let report = diff(&base, &spec(wrapped, "string", json!({})));
    assert_eq!(breaking(&report).len(), 1, "{}", report.render_text());
    assert!(report.render_text().contains(".user.id: type"));
}

#[test]
fn a_null_branch_is_nullability_not_a_member() {
    // oneOf[A, B] vs oneOf[A, B, null]: only "made nullable" (a response
    // that may now be null is breaking), no member added.
    let base = spec(
        json!({"oneOf": [r("user"), {"type": "string"}]}),
        "integer",
        json!({}),
    );
    let other = spec(
        json!({"oneOf": [r("user"), {"type": "string"}, {"type": "null"}]}),
        "integer",
        json!({}),
    );
    let report = diff(&base, &other);
    let codes: Vec<&str> = report.changes().iter().map(|c| c.kind.code()).collect();
    assert_eq!(codes, ["nullable-added"], "{}", report.render_text());
}

#[test]
fn example_and_examples_spell_the_same_examples() {
    let with = |schema: Value| {
        spec(
            json!({"type": "object", "properties": {"n": schema}}),
            "integer",
            json!({}),
        )
    };
    let base = with(json!({"type": "string", "example": "a"}));
    assert!(diff(&base, &with(json!({"type": "string", "examples": ["a"]}))).is_empty());
    // A different example is still a (documentation) change.
    let report = diff(&base, &with(json!({"type": "string", "examples": ["b"]})));
    assert!(!report.is_empty());
    assert!(report.changes().iter().all(|c| c.class == Class::Docs));
}

#[test]
fn changed_operation_and_parameter_descriptions_show_what_changed() {
    let with = |op_text: &str, param_text: &str| {
        let mut s = spec(r("user"), "integer", json!({}));
        s["paths"]["/x"]["get"]["description"] = json!(op_text);
        s["paths"]["/x"]["get"]["parameters"] = json!([{"name": "page", "in": "query", "description": param_text, "schema": {"type": "integer"}}]);
        s
    };
    let base = with(
        "Deletes a deployment. Anyone with `repo` or `repo_deployment` scopes can delete an inactive deployment.",
        "Page number of the results to fetch, starting at one.",
    );
    let other = with(
        "Deletes a deployment. OAuth app tokens need the `repo_deployment` scope to use this endpoint.",
        "The page number of the results to fetch, starting at one.",
    );
    let text = diff(&base, &other).render_text();
    assert!(
        text.contains("docs      test/get  operation: description #")
            && text.contains("-\"Anyone with `repo` or `repo_deployment` scopes can delete an…\" +\"OAuth app tokens need the `repo_deployment` scope to use thi…\""),
        "{text}"
    );
    assert!(
        text.contains("parameter query page: description #")
            && text.contains("-\"Page number of the results to fetch, starting at one.\" +\"The page number of the results to fetch, starting at one.\""),
        "{text}"
    );
}

/// A new value of the response `state` enum is breaking for the contract,
/// but this client decodes `state` as a `String` (fixup open_response_state).
#[test]
fn a_new_response_state_is_absorbed_by_its_fixup() {
    let fragment = codegen::Workspace::from_build().read_fragment().unwrap();
    let mut other = fragment.clone();
    other["components"]["schemas"]["deployment-status"]["properties"]["state"]["enum"]
        .as_array_mut()
        .unwrap()
        .push(json!("waiting"));
    // And a breaking change no fixup absorbs, for contrast.
    other["components"]["schemas"]["deployment-status"]["properties"]["url"]["type"] =
        json!("integer");
    let report = compare(&fragment, &other).unwrap();
    let state: Vec<_> = report
        .changes()
        .iter()
        .filter(|c| c.location.ends_with(".state") && c.side == codegen::drift::Side::Response)
        .collect();
    assert!(!state.is_empty(), "{}", report.render_text());
    for change in state {
        assert_eq!(change.class, Class::Additive, "{}", change.render());
        assert_eq!(change.absorbed_by, Some("open_response_state"));
        assert!(
            change
                .render()
                .ends_with("(absorbed by fixup open_response_state)")
        );
    }
    let url: Vec<_> = report
        .changes()
        .iter()
        .filter(|c| c.location.ends_with(".url") && c.location.contains("response"))
        .collect();
    assert!(!url.is_empty());
    assert!(
        url.iter()
            .all(|c| c.class == Class::Breaking && c.absorbed_by.is_none())
    );
}

/// A dereferenced description (`.deref.json`: every `$ref` inlined) reads
/// like its bundled form: example `$ref`s are resolved, inline composition
/// members are labelled by their title as GitHub names components.
#[test]
fn a_dereferenced_spelling_compares_like_the_bundled_one() {
    let with = |owner: Value, example: Value| {
        let mut s = spec(r("user"), "integer", json!({}));
        s["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["examples"] =
            json!({"default": example});
        s["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
            ["owner"] = owner;
        s["components"]["examples"] = json!({"x": {"value": {"user": {"id": 1}}}});
        s["components"]["schemas"]["enterprise"] = json!({"title": "Enterprise", "type": "object"});
        s["components"]["schemas"]["user"]["title"] = json!("User");
        s["components"]["schemas"]["nullable-user"]["title"] = json!("User");
        s
    };
    let user = json!({"type": "object", "properties": {"id": {"type": "integer"}}});
    let base = with(
        r("nullable-user"),
        json!({"$ref": "#/components/examples/x"}),
    );
    let bundled = with(
        json!({"oneOf": [r("user"), r("enterprise")]}),
        json!({"$ref": "#/components/examples/x"}),
    );
    let mut titled = user.clone();
    titled["title"] = json!("User");
    let dereferenced = with(
        json!({"oneOf": [titled, {"title": "Enterprise", "type": "object"}]}),
        json!({"value": {"user": {"id": 1}}}),
    );
    let a = diff(&base, &bundled).render_text();
    let b = diff(&base, &dereferenced).render_text();
    assert_eq!(a, b);
    assert!(
        a.contains(".owner|oneOf[1]: member added (enterprise)"),
        "{a}"
    );
    assert!(!a.contains("examples"), "{a}");
}

/// `GET /x` answering `{account: <account>}`, with an `enterprise`
/// component and a `user` component whose `id` is `id_type` and which is
/// itself `nullable` when asked (GHES 2.22 marks `simple-user` so, where
/// later descriptions have a separate `nullable-simple-user`).
fn account_spec(account: Value, id_type: &str, user_nullable: bool) -> Value {
    let mut s = spec(r("user"), id_type, json!({}));
    s["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"] =
        json!({"account": account});
    if user_nullable {
        s["components"]["schemas"]["user"]["nullable"] = json!(true);
    }
    s["components"]["schemas"]["enterprise"] =
        json!({"type": "object", "properties": {"slug": {"type": "string"}}});
    s
}

/// GHES 2.22's `installation.account`: `nullable: true, anyOf: [simple-user,
/// enterprise]` where `simple-user` is itself nullable. A nullable
/// alternative of a composition that is nullable already adds nothing (no
/// "anyOf[0]: made nullable"), and a change beneath it is still found.
#[test]
fn a_nullable_alternative_of_a_nullable_composition_is_no_change() {
    let account = json!({"nullable": true, "anyOf": [r("user"), r("enterprise")]});
    let base = account_spec(account.clone(), "integer", false);
    let same = account_spec(account.clone(), "integer", true);
    let report = diff(&base, &same);
    assert!(report.is_empty(), "{}", report.render_text());
    let changed = account_spec(account, "string", true);
    let report = diff(&base, &changed);
    assert_eq!(
        breaking(&report),
        [
            "breaking  test/get  response 200 application/json .account|anyOf[0].id: type integer -> string"
        ],
        "{}",
        report.render_text()
    );
}

/// A nullable alternative makes a composition that was not nullable
/// nullable: reported once, at the composition, where the value sits.
#[test]
fn a_nullable_alternative_makes_its_composition_nullable() {
    let account = json!({"anyOf": [r("user"), r("enterprise")]});
    let base = account_spec(account.clone(), "integer", false);
    let other = account_spec(account, "integer", true);
    let report = diff(&base, &other);
    assert_eq!(
        breaking(&report),
        ["breaking  test/get  response 200 application/json .account: made nullable"],
        "{}",
        report.render_text()
    );
}

/// A schema replaced by a nullable composition holding it: the alternative
/// added *and* the nullability the composition brings (which walking only
/// the matching alternative would lose); from a nullable schema, only the
/// alternative.
#[test]
fn a_schema_replaced_by_a_nullable_composition_holding_it_is_made_nullable() {
    let nullable_anyof = json!({"nullable": true, "anyOf": [r("user"), r("enterprise")]});
    let report = diff(
        &account_spec(r("user"), "integer", false),
        &account_spec(nullable_anyof.clone(), "integer", false),
    );
    let texts: Vec<String> = report.changes().iter().map(|c| c.render()).collect();
    assert_eq!(
        texts,
        [
            "breaking  test/get  response 200 application/json .account: made nullable",
            "breaking  test/get  response 200 application/json .account|anyOf[1]: member added (enterprise)",
        ],
        "{}",
        report.render_text()
    );
    let report = diff(
        &account_spec(r("nullable-user"), "integer", false),
        &account_spec(nullable_anyof, "integer", false),
    );
    let codes: Vec<&str> = report.changes().iter().map(|c| c.kind.code()).collect();
    assert_eq!(codes, ["member-added"], "{}", report.render_text());
}

/// A nullable enum as OpenAPI 3.1 spells it (`type: [X, "null"]` with
/// `null` among the values) is the 3.0 `nullable: true` enum: no "enum
/// value added null"; a real new value beside it is still found.
#[test]
fn a_null_among_enum_values_is_nullability_not_a_value() {
    let with = |state: Value| {
        spec(
            json!({"type": "object", "properties": {"state": state}}),
            "integer",
            json!({}),
        )
    };
    let base = with(json!({"type": "string", "nullable": true, "enum": ["a", "b"]}));
    let next = with(json!({"type": ["string", "null"], "enum": ["a", "b", null]}));
    let report = diff(&base, &next);
    assert!(report.is_empty(), "{}", report.render_text());
    let more = with(json!({"type": ["string", "null"], "enum": ["a", "b", "c", null]}));
    let report = diff(&base, &more);
    let texts: Vec<String> = report.changes().iter().map(|c| c.render()).collect();
    assert_eq!(
        texts,
        ["breaking  test/get  response 200 application/json .user.state: enum value added \"c\""],
        "{}",
        report.render_text()
    );
}
