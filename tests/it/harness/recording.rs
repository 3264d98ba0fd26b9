//! The recorder: secrets and token-shaped strings scrubbed, configuration from
//! environment variables, and a recording against a fake "live GitHub" on
//! 127.0.0.1 that replays.

use std::error::Error;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use octodeploy_replay::{
    Cassette, MISMATCH_HEADER, Outcome, RecordConfig, Recorder, ReplayError, ReplayServer,
    find_token_like, scrub_text,
};
use serde_json::{Value, json};

use super::{STATUS_ACCEPT, TestResult, client};

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
    // A JWT (as an App sends it) nobody told the scrubber about.
    let jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3NTAwMDAwMDAsImlzcyI6IjQyIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtX19fLS0t";
    assert_eq!(
        scrub_text(&format!("Bearer {jwt}, then"), &[]),
        "Bearer <redacted>, then"
    );
    assert_eq!(find_token_like(&format!("x {jwt}")), Some("eyJ"));
    assert_eq!(
        find_token_like("eyJ alone, eyJhbGciOiJIUzI1NiJ9.notjson.x"),
        None
    );
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
