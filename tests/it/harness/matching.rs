//! Matching: recorded responses in order, 418 and a named report for an unexpected
//! request (wrong header, credential, query, body), unused interactions, `{{base}}`
//! substitution, and the panic of a server dropped unverified.

use std::error::Error;
use std::panic::{AssertUnwindSafe, catch_unwind};

use axum::http::{HeaderValue, StatusCode};
use octodeploy_replay::{
    Cassette, MISMATCH_HEADER, Outcome, REPLAY_TOKEN, ReplayError, ReplayServer,
};
use serde_json::{Value, json};

use super::{STATUS_ACCEPT, STATUSES, TestResult, client, two_step};

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
