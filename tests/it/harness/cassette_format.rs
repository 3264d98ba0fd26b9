//! Cassette files: invalid cassettes are rejected with a reason, and the pretty
//! JSON the recorder writes round-trips.

use std::error::Error;

use octodeploy_replay::{Cassette, ReplayError};
use serde_json::{Value, json};

use super::{TestResult, two_step};

#[test]
fn invalid_cassettes_are_rejected_with_a_reason() {
    let base = json!({
        "scenario": "harness-invalid",
        "description": "Harness test cassette.",
        "base_path": "/api/v3",
        "interactions": [{"request": {"method": "GET", "path": "/api/v3/x"}, "response": {"status": 200}}]
    });
    let cases: Vec<(&str, Value)> = vec![
        ("unknown field `bdy`", {
            let mut c = base.clone();
            c["interactions"][0]["request"]["bdy"] = json!({});
            c
        }),
        ("both \"body\" and \"body_text\"", {
            let mut c = base.clone();
            c["interactions"][0]["response"]["body"] = json!({});
            c["interactions"][0]["response"]["body_text"] = json!("x");
            c
        }),
        ("\"content-length\" must not be recorded", {
            let mut c = base.clone();
            c["interactions"][0]["response"]["headers"] = json!([["content-length", "3"]]);
            c
        }),
        ("is not kebab-case", {
            let mut c = base.clone();
            c["scenario"] = json!("Not_Kebab");
            c
        }),
        ("does not start with the cassette's base_path", {
            let mut c = base.clone();
            c["interactions"][0]["request"]["path"] = json!("/repos/x");
            c
        }),
        ("a 204 response cannot have a body", {
            let mut c = base.clone();
            c["interactions"][0]["response"]["status"] = json!(204);
            c["interactions"][0]["response"]["body"] = json!({});
            c
        }),
        ("must start with '/' and hold no query", {
            let mut c = base.clone();
            c["interactions"][0]["request"]["path"] = json!("/api/v3/x?page=2");
            c
        }),
        ("must be an upper-case HTTP method", {
            let mut c = base.clone();
            c["interactions"][0]["request"]["method"] = json!("get");
            c
        }),
    ];
    for (expected, cassette) in cases {
        let err = match Cassette::from_json(&cassette.to_string()) {
            Ok(_) => panic!("accepted a cassette that should fail with {expected:?}"),
            Err(err) => err,
        };
        let text = format!(
            "{err}: {}",
            err.source().map(ToString::to_string).unwrap_or_default()
        );
        assert!(text.contains(expected), "expected {expected:?} in {text:?}");
    }
    assert!(Cassette::from_json(&base.to_string()).is_ok());
    assert!(matches!(
        Cassette::load("../etc/passwd"),
        Err(ReplayError::InvalidScenarioName { .. })
    ));
}

#[test]
fn pretty_json_round_trips_and_keeps_header_pairs_on_one_line() -> TestResult {
    let cassette = two_step()?;
    let text = cassette.to_json_pretty()?;
    assert!(
        text.contains("[\"content-type\", \"application/json; charset=utf-8\"]"),
        "{text}"
    );
    assert!(
        text.contains("\"body\": null"),
        "absent request bodies are explicit: {text}"
    );
    assert_eq!(Cassette::from_json(&text)?, cassette);
    Ok(())
}
