//! Drift between real GitHub descriptions: GHES 3.0 to 3.22 has the known
//! changes, and a full `@octokit/openapi` file (with its `x-octokit` keys)
//! compares like the subset cut from it.

use codegen::drift::{Change, Class, DriftReport, compare};

use crate::drift_classification::find;
use crate::shared_upstream::{needs_shared, read, shared};

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
