//! Tests of the replay harness itself: matching, failure reports, `{{base}}` substitution,
//! cassette validation, and the recorder (against a fake "live GitHub" on 127.0.0.1).

use std::error::Error;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use octodeploy_replay::{
    Cassette, MISMATCH_HEADER, Outcome, REPLAY_TOKEN, RecordConfig, Recorder, ReplayError,
    ReplayServer, find_token_like, scrub_text,
};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn Error>>;

const STATUS_ACCEPT: &str = "application/vnd.github+json, application/vnd.github.ant-man-preview+json, application/vnd.github.flash-preview+json";
const STATUSES: &str = "/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses";

/// A two-interaction GHES cassette: list one page, then create an inactive status.
fn two_step() -> Result<Cassette, ReplayError> {
    Cassette::from_json(
        &json!({
            "scenario": "harness-two-step",
            "description": "Harness test cassette.",
            "base_path": "/api/v3",
            "interactions": [
                {
                    "request": {
                        "method": "GET",
                        "path": STATUSES,
                        "query": {"per_page": "2"},
                        "headers": {
                            "accept": STATUS_ACCEPT,
                            "x-github-api-version": "2022-11-28",
                            "authorization": "<redacted>"
                        },
                        "body": null
                    },
                    "response": {
                        "status": 200,
                        "headers": [
                            ["content-type", "application/json; charset=utf-8"],
                            ["vary", "Accept, Authorization, Cookie, X-GitHub-OTP"],
                            ["vary", "Accept-Encoding, Accept, X-Requested-With"],
                            ["x-github-request-id", "C1A4:2F7B:9D3E21:A0B7C4:65F0C2D1"]
                        ],
                        "body": [{"id": 1187, "state": "success", "url": "{{base}}/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses/1187"}]
                    }
                },
                {
                    "note": "deactivate",
                    "request": {
                        "method": "POST",
                        "path": STATUSES,
                        "headers": {"content-type": "application/json", "authorization": "<redacted>"},
                        "body": {"state": "inactive", "description": "Deactivated"}
                    },
                    "response": {"status": 201, "headers": [["content-type", "application/json; charset=utf-8"]], "body": {"id": 1188, "state": "inactive"}}
                }
            ]
        })
        .to_string(),
    )
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// The first request of [`two_step`], exactly as the cassette wants it.
fn good_list(client: &reqwest::Client, server: &ReplayServer) -> reqwest::RequestBuilder {
    client
        .get(format!(
            "{}/repos/octo-org/deploy-demo/deployments/42/statuses",
            server.base_url()
        ))
        .query(&[("per_page", "2")])
        .header("accept", STATUS_ACCEPT)
        .header("x-github-api-version", "2022-11-28")
        .bearer_auth(server.token())
}

fn good_create(client: &reqwest::Client, server: &ReplayServer) -> reqwest::RequestBuilder {
    client
        .post(format!(
            "{}/repos/octo-org/deploy-demo/deployments/42/statuses",
            server.base_url()
        ))
        .header("authorization", format!("token {}", server.token()))
        .json(&json!({"description": "Deactivated", "state": "inactive"}))
}

/// The verification report of `server`, which must have failed.
fn failed_report(server: &ReplayServer) -> Result<String, Box<dyn Error>> {
    match server.verify() {
        Err(ReplayError::Verification(report)) => Ok(report.to_string()),
        Err(other) => Err(format!("expected a verification failure, got {other}").into()),
        Ok(()) => Err("verification passed but should have failed".into()),
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

#[tokio::test]
async fn matching_requests_get_the_recorded_responses_in_order() -> TestResult {
    let server = ReplayServer::replay(two_step()?).await?;
    assert!(server.origin().starts_with("http://127.0.0.1:"));
    assert_eq!(server.base_url(), format!("{}/api/v3", server.origin()));
    assert_eq!(server.ghes_base_url(), server.base_url());
    let client = client();

    let listed = good_list(&client, &server).send().await?;
    assert_eq!(listed.status(), StatusCode::OK);
    let vary: Vec<&str> = listed
        .headers()
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(
        vary,
        [
            "Accept, Authorization, Cookie, X-GitHub-OTP",
            "Accept-Encoding, Accept, X-Requested-With"
        ],
        "repeated response headers are served in order"
    );
    let body: Value = listed.json().await?;
    assert_eq!(body[0]["id"], 1187);

    // Key order and the `token` scheme do not matter.
    let created = good_create(&client, &server).send().await?;
    assert_eq!(created.status(), StatusCode::CREATED);

    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].outcome, Outcome::Matched { interaction: 0 });
    assert_eq!(received[1].outcome, Outcome::Matched { interaction: 1 });
    assert_eq!(
        received[0].header("authorization").as_deref(),
        Some("Bearer <redacted>"),
        "received() never exposes credentials"
    );
    server.verify()?;
    server.finish();
    Ok(())
}

#[tokio::test]
async fn an_unexpected_request_is_answered_418_and_named() -> TestResult {
    let server = ReplayServer::replay(two_step()?).await?;
    let response = client()
        .get(format!(
            "{}/repos/octo-org/deploy-demo/deployments/43/statuses",
            server.base_url()
        ))
        .query(&[("per_page", "2")])
        .header("accept", STATUS_ACCEPT)
        .header("x-github-api-version", "2022-11-28")
        .bearer_auth("abc")
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 418);
    assert_eq!(
        response.headers().get(MISMATCH_HEADER),
        Some(&HeaderValue::from_static("mismatch"))
    );
    let text = response.text().await?;
    assert!(text.contains("path differs"), "{text}");

    let report = failed_report(&server)?;
    assert!(
        report.contains(
            "unexpected request #1: GET /api/v3/repos/octo-org/deploy-demo/deployments/43/statuses?per_page=2"
        ),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "expected interactions[0]: GET {STATUSES}?per_page=2"
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "path differs: expected \"{STATUSES}\", got \"/api/v3/repos/octo-org/deploy-demo/deployments/43/statuses\""
        )),
        "{report}"
    );
    // The mismatch did not consume the interaction: both are still unused.
    assert!(report.contains("unused interactions[0]: GET"), "{report}");
    assert!(report.contains("unused interactions[1]: POST"), "{report}");
    Ok(())
}

#[tokio::test]
async fn an_unused_interaction_fails_finish() -> TestResult {
    let server = ReplayServer::replay(two_step()?).await?;
    let response = good_list(&client(), &server).send().await?;
    assert_eq!(response.status(), StatusCode::OK);

    let report = failed_report(&server)?;
    assert!(
        report.contains("0 unexpected request(s), 1 unused interaction(s)"),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "unused interactions[1]: POST {STATUSES} (deactivate)"
        )),
        "{report}"
    );

    let finished = catch_unwind(AssertUnwindSafe(move || server.finish()));
    let message = panic_message(finished.err().ok_or("finish() should have panicked")?);
    assert!(message.contains("unused interactions[1]"), "{message}");
    Ok(())
}

#[tokio::test]
async fn a_wrong_header_is_named() -> TestResult {
    let server = ReplayServer::replay(two_step()?).await?;
    let response = client()
        .get(format!(
            "{}/repos/octo-org/deploy-demo/deployments/42/statuses",
            server.base_url()
        ))
        .query(&[("per_page", "2")])
        .header("accept", "application/vnd.github+json")
        .bearer_auth(server.token())
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 418);
    let report = failed_report(&server)?;
    assert!(
        report.contains(&format!(
            "header `accept` differs: expected {STATUS_ACCEPT:?}, got \"application/vnd.github+json\""
        )),
        "{report}"
    );
    assert!(
        report.contains("header `x-github-api-version` missing: expected \"2022-11-28\""),
        "{report}"
    );
    assert!(
        !report.contains("path differs"),
        "only the differing fields are named: {report}"
    );
    Ok(())
}

#[tokio::test]
async fn authorization_must_be_a_bearer_or_token_credential_and_is_never_shown() -> TestResult {
    let server = ReplayServer::replay(two_step()?).await?;
    let client = client();
    let missing = client
        .get(format!(
            "{}/repos/octo-org/deploy-demo/deployments/42/statuses",
            server.base_url()
        ))
        .query(&[("per_page", "2")])
        .header("accept", STATUS_ACCEPT)
        .header("x-github-api-version", "2022-11-28")
        .send()
        .await?;
    assert_eq!(missing.status().as_u16(), 418);
    let basic = client
        .get(format!(
            "{}/repos/octo-org/deploy-demo/deployments/42/statuses",
            server.base_url()
        ))
        .query(&[("per_page", "2")])
        .header("accept", STATUS_ACCEPT)
        .header("x-github-api-version", "2022-11-28")
        .basic_auth("octocat", Some("hunter2-very-secret"))
        .send()
        .await?;
    assert_eq!(basic.status().as_u16(), 418);
    let twice = good_list(&client, &server)
        .header("authorization", "token second-credential")
        .send()
        .await?;
    assert_eq!(twice.status().as_u16(), 418);

    let report = failed_report(&server)?;
    assert!(
        report.contains("header `authorization` missing: expected \"<redacted>\""),
        "{report}"
    );
    assert!(
        report.contains("header `authorization` differs: expected a `Bearer` or `token` credential, got scheme `Basic`"),
        "{report}"
    );
    assert!(
        report.contains("header `authorization` differs: expected a `Bearer` or `token` credential, got 2 authorization headers"),
        "{report}"
    );
    for secret in ["b2N0b2NhdDpodW50ZXIy", "second-credential", REPLAY_TOKEN] {
        assert!(
            !report.contains(secret),
            "credentials leak into the report: {report}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_wrong_query_is_named_both_ways() -> TestResult {
    let server = ReplayServer::replay(two_step()?).await?;
    let response = client()
        .get(format!(
            "{}/repos/octo-org/deploy-demo/deployments/42/statuses",
            server.base_url()
        ))
        .query(&[("per_page", "100"), ("page", "2")])
        .header("accept", STATUS_ACCEPT)
        .header("x-github-api-version", "2022-11-28")
        .bearer_auth(server.token())
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 418);
    let report = failed_report(&server)?;
    assert!(
        report.contains("query parameter `per_page` differs: expected [\"2\"], got [\"100\"]"),
        "{report}"
    );
    assert!(
        report.contains("query parameter `page` unexpected: got [\"2\"]"),
        "{report}"
    );

    let server = ReplayServer::replay(two_step()?).await?;
    let response = client()
        .get(format!(
            "{}/repos/octo-org/deploy-demo/deployments/42/statuses",
            server.base_url()
        ))
        .header("accept", STATUS_ACCEPT)
        .header("x-github-api-version", "2022-11-28")
        .bearer_auth(server.token())
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 418);
    let report = failed_report(&server)?;
    assert!(
        report.contains("query parameter `per_page` missing: expected [\"2\"]"),
        "{report}"
    );
    Ok(())
}

#[tokio::test]
async fn a_wrong_body_is_named_with_its_json_pointer() -> TestResult {
    let server = ReplayServer::replay(two_step()?).await?;
    let client = client();
    good_list(&client, &server).send().await?;
    let response = client
        .post(format!(
            "{}/repos/octo-org/deploy-demo/deployments/42/statuses",
            server.base_url()
        ))
        .bearer_auth(server.token())
        .json(&json!({"state": "success", "description": "Deactivated"}))
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 418);
    let extra = client
        .post(format!(
            "{}/repos/octo-org/deploy-demo/deployments/42/statuses",
            server.base_url()
        ))
        .bearer_auth(server.token())
        .json(&json!({"state": "inactive", "description": "Deactivated", "environment": "qa"}))
        .send()
        .await?;
    assert_eq!(extra.status().as_u16(), 418);
    let none = client
        .post(format!(
            "{}/repos/octo-org/deploy-demo/deployments/42/statuses",
            server.base_url()
        ))
        .bearer_auth(server.token())
        .header("content-type", "application/json")
        .send()
        .await?;
    assert_eq!(none.status().as_u16(), 418);

    let report = failed_report(&server)?;
    assert!(
        report.contains("expected interactions[1]: POST"),
        "{report}"
    );
    assert!(
        report.contains("body differs at /state: expected \"inactive\", got \"success\""),
        "{report}"
    );
    assert!(
        report.contains("body differs at /environment: unexpected key, got \"qa\""),
        "{report}"
    );
    assert!(report.contains("body differs: expected JSON"), "{report}");
    assert!(report.contains("got no body"), "{report}");
    Ok(())
}

#[tokio::test]
async fn a_body_where_none_is_expected_is_named() -> TestResult {
    let server = ReplayServer::replay(two_step()?).await?;
    let response = good_list(&client(), &server).body("{}").send().await?;
    assert_eq!(response.status().as_u16(), 418);
    let report = failed_report(&server)?;
    assert!(
        report.contains("body differs: expected no body, got 2 bytes: \"{}\""),
        "{report}"
    );
    Ok(())
}

#[tokio::test]
async fn interactions_match_strictly_in_order() -> TestResult {
    let server = ReplayServer::replay(two_step()?).await?;
    let client = client();

    // The POST is valid for interactions[1] but interactions[0] is due.
    let early = good_create(&client, &server).send().await?;
    assert_eq!(early.status().as_u16(), 418);
    assert_eq!(
        good_list(&client, &server).send().await?.status(),
        StatusCode::OK
    );
    assert_eq!(
        good_create(&client, &server).send().await?.status(),
        StatusCode::CREATED
    );
    // Everything is used now: one more request is unexpected.
    let late = good_list(&client, &server).send().await?;
    assert_eq!(late.status().as_u16(), 418);

    let report = failed_report(&server)?;
    assert!(
        report.contains(&format!("unexpected request #1: POST {STATUSES}")),
        "{report}"
    );
    assert!(report.contains("expected interactions[0]: GET"), "{report}");
    assert!(
        report.contains("method differs: expected GET, got POST"),
        "{report}"
    );
    assert!(
        report.contains(&format!("unexpected request #4: GET {STATUSES}?per_page=2")),
        "{report}"
    );
    assert!(
        report.contains("expected no further request (all interactions were used)"),
        "{report}"
    );
    assert!(report.contains("0 unused interaction(s)"), "{report}");
    Ok(())
}

#[tokio::test]
async fn base_placeholder_is_replaced_in_headers_and_bodies() -> TestResult {
    let cassette = Cassette::from_json(
        &json!({
            "scenario": "harness-base",
            "description": "Harness test cassette.",
            "base_path": "/api/v3",
            "interactions": [
                {
                    "request": {"method": "GET", "path": STATUSES, "query": {"per_page": "1"}},
                    "response": {
                        "status": 200,
                        "headers": [
                            ["content-type", "application/json; charset=utf-8"],
                            ["link", "<{{base}}/api/v3/repositories/1296269/deployments/42/statuses?per_page=1&page=2>; rel=\"next\", <{{base}}/api/v3/repositories/1296269/deployments/42/statuses?per_page=1&page=2>; rel=\"last\""]
                        ],
                        "body": [{"url": "{{base}}/api/v3/x", "creator": {"avatar_url": "{{base}}/avatars/u/7?"}, "tags": ["{{base}}"], "id": 1}]
                    }
                },
                {
                    "request": {"method": "GET", "path": "/api/v3/repositories/1296269/deployments/42/statuses", "query": {"page": "2", "per_page": "1"}},
                    "response": {
                        "status": 502,
                        "headers": [["content-type", "text/html"]],
                        "body_text": "<a href=\"{{base}}/status\">status</a>"
                    }
                }
            ]
        })
        .to_string(),
    )?;
    let server = ReplayServer::replay(cassette).await?;
    let origin = server.origin().to_owned();
    let client = client();

    let first = client
        .get(format!(
            "{}/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses?per_page=1",
            origin
        ))
        .send()
        .await?;
    let link = first
        .headers()
        .get("link")
        .and_then(|v| v.to_str().ok())
        .ok_or("no link header")?
        .to_owned();
    assert!(!link.contains("{{base}}"), "{link}");
    let next = link
        .split(',')
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| part.split(['<', '>']).nth(1))
        .ok_or("no next link")?
        .to_owned();
    assert_eq!(
        next,
        format!("{origin}/api/v3/repositories/1296269/deployments/42/statuses?per_page=1&page=2")
    );
    let body: Value = first.json().await?;
    assert_eq!(body[0]["url"], format!("{origin}/api/v3/x"));
    assert_eq!(
        body[0]["creator"]["avatar_url"],
        format!("{origin}/avatars/u/7?")
    );
    assert_eq!(body[0]["tags"][0], origin.as_str());

    // Following the absolute Link URL lands on the replay server (query order irrelevant).
    let second = client.get(&next).send().await?;
    assert_eq!(second.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(
        second.text().await?,
        format!("<a href=\"{origin}/status\">status</a>")
    );
    server.finish();
    Ok(())
}

#[tokio::test]
async fn unlisted_headers_are_ignored_and_absent_headers_are_enforced() -> TestResult {
    let cassette = Cassette::from_json(
        &json!({
            "scenario": "harness-absent",
            "description": "Harness test cassette.",
            "base_path": "",
            "interactions": [
                {
                    "request": {"method": "GET", "path": "/a", "headers": {"X-Custom": "1", "content-type": "<absent>"}},
                    "response": {"status": 204}
                },
                {
                    "request": {"method": "GET", "path": "/b", "headers": {"content-type": "<absent>"}},
                    "response": {"status": 204}
                }
            ]
        })
        .to_string(),
    )?;
    let server = ReplayServer::replay(cassette).await?;
    let client = client();
    let a = client
        .get(format!("{}/a", server.origin()))
        .header("x-custom", "1")
        .header("user-agent", "whatever/1.0")
        .header("x-unlisted", "ignored")
        .send()
        .await?;
    assert_eq!(
        a.status(),
        StatusCode::NO_CONTENT,
        "header names are case-insensitive"
    );
    let b = client
        .get(format!("{}/b", server.origin()))
        .header("content-type", "application/json")
        .send()
        .await?;
    assert_eq!(b.status().as_u16(), 418);
    let report = failed_report(&server)?;
    assert!(
        report.contains(
            "header `content-type` differs: expected it absent, got \"application/json\""
        ),
        "{report}"
    );
    Ok(())
}

#[test]
fn dropping_an_unverified_server_panics_with_the_report() -> TestResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let server = runtime.block_on(ReplayServer::replay(two_step()?))?;
    let dropped = catch_unwind(AssertUnwindSafe(move || drop(server)));
    let message = panic_message(dropped.err().ok_or("drop should have panicked")?);
    assert!(message.contains("dropped without finish()"), "{message}");
    assert!(message.contains("unused interactions[0]"), "{message}");

    // Once verified (even with a failure the test has looked at), drop stays quiet.
    let server = runtime.block_on(ReplayServer::replay(two_step()?))?;
    assert!(server.verify().is_err());
    let dropped = catch_unwind(AssertUnwindSafe(move || drop(server)));
    assert!(dropped.is_ok(), "a verified server must drop quietly");
    Ok(())
}

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

#[test]
fn scrubbing_removes_known_secrets_and_token_shaped_strings() {
    let classic = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    let fine_grained = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
    let installation = "ghs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
    let legacy = "v1.0123456789abcdef0123456789abcdef01234567";
    let text = format!(
        "token {classic}; pat={fine_grained} \"{installation}\" {legacy} secret=s3cr3t-value-42 ghp_short not_ghp_16C7e42F292c6912E7710c838347Ae178B4a"
    );
    let scrubbed = scrub_text(&text, &["s3cr3t-value-42".to_owned()]);
    for secret in [
        classic,
        fine_grained,
        installation,
        legacy,
        "s3cr3t-value-42",
    ] {
        assert!(
            !scrubbed.starts_with(secret) && !scrubbed.contains(&format!(" {secret}")),
            "{secret} survived in {scrubbed}"
        );
    }
    assert!(scrubbed.contains("token <redacted>;"), "{scrubbed}");
    assert!(
        scrubbed.contains("pat=<redacted> \"<redacted>\" <redacted> secret=<redacted>"),
        "{scrubbed}"
    );
    assert!(
        scrubbed.contains("ghp_short"),
        "too short to be a token: {scrubbed}"
    );
    assert!(
        scrubbed.contains("not_ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
        "only at a word boundary: {scrubbed}"
    );
    assert_eq!(find_token_like(&format!("x {classic}")), Some("ghp_"));
    assert_eq!(find_token_like(fine_grained), Some("github_pat_"));
    assert_eq!(find_token_like("nothing secret here, ghp_ alone"), None);
}

#[test]
fn recording_is_configured_from_environment_variables() -> TestResult {
    let vars = |pairs: Vec<(&'static str, &'static str)>| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert!(RecordConfig::from_vars("get-status", vars(vec![]))?.is_none());
    assert!(
        RecordConfig::from_vars("get-status", vars(vec![("OCTODEPLOY_RECORD", "0")]))?.is_none()
    );

    let missing = RecordConfig::from_vars("get-status", vars(vec![("OCTODEPLOY_RECORD", "1")]));
    assert!(
        matches!(&missing, Err(ReplayError::RecordConfig { variable, .. }) if *variable == "OCTODEPLOY_RECORD_UPSTREAM"),
        "{missing:?}"
    );
    let bad = RecordConfig::from_vars("get-status", vars(vec![("OCTODEPLOY_RECORD", "please")]));
    assert!(matches!(bad, Err(ReplayError::RecordConfig { .. })));

    let config = RecordConfig::from_vars(
        "get-status",
        vars(vec![
            ("OCTODEPLOY_RECORD", "1"),
            (
                "OCTODEPLOY_RECORD_UPSTREAM",
                "https://ghe.example.com/api/v3/",
            ),
            (
                "OCTODEPLOY_RECORD_TOKEN",
                "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            ),
            ("OCTODEPLOY_RECORD_DIR", "/tmp/octodeploy-cassettes"),
        ]),
    )?
    .ok_or("recording should be on")?;
    assert_eq!(config.upstream_origin(), "https://ghe.example.com");
    assert_eq!(config.base_path(), "/api/v3");
    assert_eq!(config.scenario(), "get-status");
    assert_eq!(
        config.output(),
        std::path::Path::new("/tmp/octodeploy-cassettes/get-status.json")
    );
    assert_eq!(
        config.token(),
        Some("ghp_16C7e42F292c6912E7710c838347Ae178B4a")
    );
    assert!(
        !format!("{config:?}").contains("ghp_"),
        "Debug must not print the token"
    );

    let dotcom = RecordConfig::new("https://api.github.com", "/tmp/x/primary-rate-limit.json")?;
    assert_eq!(dotcom.base_path(), "");
    assert!(matches!(
        RecordConfig::new("https://user:pw@ghe.example.com", "/tmp/x/a.json"),
        Err(ReplayError::InvalidUpstream { .. })
    ));
    assert!(matches!(
        RecordConfig::new("ftp://ghe.example.com", "/tmp/x/a.json"),
        Err(ReplayError::InvalidUpstream { .. })
    ));
    assert!(matches!(
        RecordConfig::new("https://ghe.example.com", "/tmp/x/Bad_Name.json"),
        Err(ReplayError::InvalidScenarioName { .. })
    ));
    Ok(())
}

// ---------------------------------------------------------------- recorder

/// The token the client uses against the fake live server: not token-shaped, so only the
/// recorder's learning from the authorization header can scrub it.
const LIVE_TOKEN: &str = "octotoken-4f9a8b7c6d5e4f3a";
/// A token-shaped string the fake server leaks into a body.
const LEAKED_PAT: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

#[derive(Debug)]
struct Live {
    origin: String,
    seen_authorization: Mutex<Vec<String>>,
}

/// A fake "live GitHub" (GHES-shaped, under /api/v3) that echoes secrets back.
async fn live_github(State(live): State<Arc<Live>>, request: Request) -> Response {
    let auth = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if let Ok(mut seen) = live.seen_authorization.lock() {
        seen.push(auth.clone());
    }
    if auth != format!("token {LIVE_TOKEN}") {
        return (
            StatusCode::UNAUTHORIZED,
            "{\"message\":\"Bad credentials\"}",
        )
            .into_response();
    }
    let origin = &live.origin;
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let method = request.method().clone();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let mut headers = HeaderMap::new();
    let mut add = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.append(name, value);
        }
    };
    add("server", "GitHub.com".into());
    add("date", "Tue, 03 Jun 2025 15:10:01 GMT".into());
    add(
        "set-cookie",
        "_gh_sess=session-secret-cookie; path=/; HttpOnly".into(),
    );
    add(
        "strict-transport-security",
        "max-age=31536000; includeSubdomains".into(),
    );
    add(
        "x-github-request-id",
        "C1A4:2F7B:9D3E21:A0B7C4:65F0C2D1".into(),
    );
    add("x-ratelimit-limit", "5000".into());
    add("x-ratelimit-remaining", "4990".into());
    add("x-ratelimit-used", "10".into());
    match (method.as_str(), path.as_str(), query.as_str()) {
        ("GET", "/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses", "per_page=1") => {
            add("content-type", "application/json; charset=utf-8".into());
            add("etag", "W/\"0123abcd\"".into());
            add(
                "link",
                format!(
                    "<{origin}/api/v3/repositories/1296269/deployments/42/statuses?per_page=1&page=2>; rel=\"next\""
                ),
            );
            let body = json!([{
                "url": format!("{origin}/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses/1187"),
                "id": 1187,
                "state": "success",
                "description": format!("deployed with {LEAKED_PAT} by mistake"),
                "target_url": format!("https://ci.example/run?auth={LIVE_TOKEN}"),
                "creator": {"login": "hubot", "avatar_url": format!("{origin}/avatars/u/7?")}
            }]);
            (StatusCode::OK, headers, body.to_string()).into_response()
        }
        ("GET", "/api/v3/repositories/1296269/deployments/42/statuses", "per_page=1&page=2") => {
            add("content-type", "application/json; charset=utf-8".into());
            add(
                "link",
                format!(
                    "<{origin}/api/v3/repositories/1296269/deployments/42/statuses?per_page=1&page=1>; rel=\"prev\""
                ),
            );
            (StatusCode::OK, headers, "[]").into_response()
        }
        ("POST", "/api/v3/repos/octo-org/deploy-demo/dispatches", "") if !body.is_empty() => {
            (StatusCode::NO_CONTENT, headers).into_response()
        }
        _ => (
            StatusCode::NOT_FOUND,
            headers,
            "{\"message\":\"Not Found\"}",
        )
            .into_response(),
    }
}

async fn start_live() -> Result<Arc<Live>, Box<dyn Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let live = Arc::new(Live {
        origin: format!("http://{}", listener.local_addr()?),
        seen_authorization: Mutex::new(Vec::new()),
    });
    let router = Router::new()
        .fallback(live_github)
        .with_state(Arc::clone(&live));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(live)
}

/// Runs the recorded scenario against `base` (the recorder's or the replay server's
/// origin); returns the first page's JSON body.
async fn run_scenario(origin: &str, token: &str) -> Result<Value, Box<dyn Error>> {
    let client = client();
    let first = client
        .get(format!(
            "{origin}/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses?per_page=1"
        ))
        .header("accept", STATUS_ACCEPT)
        .header("x-github-api-version", "2022-11-28")
        .header("authorization", format!("token {token}"))
        .header("user-agent", "octodeploy-harness-test")
        .send()
        .await?;
    assert_eq!(first.status(), StatusCode::OK);
    let link = first
        .headers()
        .get("link")
        .and_then(|v| v.to_str().ok())
        .ok_or("no link header")?
        .to_owned();
    let next = link
        .split(['<', '>'])
        .nth(1)
        .ok_or("bad link header")?
        .to_owned();
    assert!(
        next.starts_with(origin),
        "the Link URL must lead back to {origin}: {next}"
    );
    let page_one: Value = first.json().await?;
    let second = client
        .get(&next)
        .header("accept", STATUS_ACCEPT)
        .header("x-github-api-version", "2022-11-28")
        .header("authorization", format!("token {token}"))
        .send()
        .await?;
    assert_eq!(second.status(), StatusCode::OK);
    let dispatched = client
        .post(format!("{origin}/api/v3/repos/octo-org/deploy-demo/dispatches"))
        .header("accept", "application/vnd.github+json")
        .header("x-github-api-version", "2022-11-28")
        .header("authorization", format!("token {token}"))
        .json(&json!({"event_type": "deploy", "client_payload": {"note": format!("ci token {LEAKED_PAT}")}}))
        .send()
        .await?;
    assert_eq!(dispatched.status(), StatusCode::NO_CONTENT);
    Ok(page_one)
}

#[tokio::test]
async fn the_recorder_scrubs_secrets_rewrites_the_origin_and_its_cassette_replays() -> TestResult {
    let live = start_live().await?;
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("recorded-pages.json");
    let recorder = Recorder::start(&format!("{}/api/v3", live.origin), &out).await?;
    let recorder_origin = recorder.origin().to_owned();
    assert_ne!(recorder_origin, live.origin);

    let live_page = run_scenario(&recorder_origin, LIVE_TOKEN).await?;
    // The client saw the recorder's origin, never the upstream's.
    assert_eq!(
        live_page[0]["url"],
        format!("{recorder_origin}/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses/1187")
    );
    let seen = live
        .seen_authorization
        .lock()
        .map_err(|_| "poisoned")?
        .clone();
    assert_eq!(
        seen,
        vec![format!("token {LIVE_TOKEN}"); 3],
        "credentials are forwarded upstream"
    );
    assert!(
        recorder
            .received()
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Recorded { .. }))
    );

    let debug = format!("{recorder:?}");
    assert!(
        !debug.contains(LIVE_TOKEN),
        "Debug must not print learned credentials: {debug}"
    );
    let cassette = recorder.finish()?;
    assert_eq!(cassette.scenario, "recorded-pages");
    assert_eq!(cassette.base_path, "/api/v3");
    assert_eq!(cassette.interactions.len(), 3);

    let text = std::fs::read_to_string(&out)?;
    for forbidden in [
        LIVE_TOKEN,
        LEAKED_PAT,
        live.origin.as_str(),
        recorder_origin.as_str(),
        "session-secret-cookie",
        "set-cookie",
        "strict-transport-security",
        "\"date\"",
        "user-agent",
    ] {
        assert!(
            !text.contains(forbidden),
            "{forbidden:?} must not be in the cassette:\n{text}"
        );
    }
    for expected in [
        "\"authorization\": \"<redacted>\"",
        "<{{base}}/api/v3/repositories/1296269/deployments/42/statuses?per_page=1&page=2>; rel=\\\"next\\\"",
        "\"url\": \"{{base}}/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses/1187\"",
        "\"description\": \"deployed with <redacted> by mistake\"",
        "https://ci.example/run?auth=<redacted>",
        "\"note\": \"ci token <redacted>\"",
        "[\"x-github-request-id\", \"C1A4:2F7B:9D3E21:A0B7C4:65F0C2D1\"]",
        "[\"x-ratelimit-remaining\", \"4990\"]",
        "[\"etag\", \"W/\\\"0123abcd\\\"\"]",
        "\"x-github-api-version\": \"2022-11-28\"",
        "\"per_page\": \"1\"",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from the cassette:\n{text}"
        );
    }
    assert_eq!(
        Cassette::load_path(&out)?,
        cassette,
        "the file is what finish() returned"
    );

    // The written cassette replays: same scenario, any token.
    let replay = ReplayServer::replay(Cassette::load_path(&out)?).await?;
    let replayed_page = run_scenario(replay.origin(), "a-different-token").await?;
    assert_eq!(
        replayed_page[0]["url"],
        format!(
            "{}/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses/1187",
            replay.origin()
        )
    );
    assert_eq!(
        replayed_page[0]["description"],
        "deployed with <redacted> by mistake"
    );
    replay.finish();
    Ok(())
}

#[tokio::test]
async fn the_recorder_reports_an_unreachable_upstream_and_writes_nothing() -> TestResult {
    // A port on 127.0.0.1 that nobody listens on any more.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let upstream = format!("http://{}/api/v3", closed.local_addr()?);
    drop(closed);
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("unreachable.json");
    let recorder = Recorder::start(&upstream, &out).await?;
    let response = client()
        .get(format!(
            "{}/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses",
            recorder.origin()
        ))
        .bearer_auth(LIVE_TOKEN)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(
        response.headers().get(MISMATCH_HEADER),
        Some(&HeaderValue::from_static("upstream-failed"))
    );
    let result = recorder.finish();
    assert!(
        matches!(&result, Err(ReplayError::Upstream { method, .. }) if method == "GET"),
        "{result:?}"
    );
    assert!(!out.exists(), "nothing is written after a failed recording");
    Ok(())
}
