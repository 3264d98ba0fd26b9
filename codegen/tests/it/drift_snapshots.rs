//! The drift check against acknowledged snapshots (`codegen::drift::run`):
//! fail until blessed, then pass; the report on failure in every format;
//! snapshots named after what a description is; subsets.

use std::path::Path;

use codegen::drift::{DriftError, DriftOptions, Format, run};
use serde_json::{Value, json};

use crate::shared_upstream::{needs_shared, read, shared};

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
    // `@octokit/openapi` 2.x files all carry the package's title and
    // version: their docs link or server says what each one is.
    let octokit_2 =
        json!({"title": "GitHub's official OpenAPI spec + Octokit extension", "version": "2.2.1"});
    let named = |extra: Value| {
        let mut doc = extra;
        doc["info"] = octokit_2.clone();
        snapshot_name(&doc)
    };
    assert_eq!(
        named(
            json!({"externalDocs": {"url": "https://docs.github.com/enterprise-server@2.22/rest/"},
            "servers": [{"url": "{protocol}://{hostname}"}]})
        )
        .as_deref(),
        Some("ghes-2.22")
    );
    assert_eq!(
        named(json!({"externalDocs": {"url": "https://docs.github.com/github-ae@latest/rest/"}}))
            .as_deref(),
        Some("github.ae")
    );
    assert_eq!(
        named(
            json!({"externalDocs": {"url": "https://docs.github.com/rest/"},
            "servers": [{"url": "https://api.github.com"}]})
        )
        .as_deref(),
        Some("api.github.com")
    );
    assert_eq!(
        named(json!({"servers": [{"url": "{protocol}://{hostname}"}]})).as_deref(),
        Some("github-s-official-openapi-spec-octokit-extension-2.2.1")
    );
    // The plan, where the description states it, wins over the links.
    assert_eq!(
        snapshot_name(
            &json!({"info": {"x-github-plan": "ghes", "x-github-release": "3.19"},
            "externalDocs": {"url": "https://docs.github.com/enterprise-server@3.0/rest/"}})
        )
        .as_deref(),
        Some("ghes-3.19")
    );
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
