//! The optional required token (401 `Bad credentials`) and the headers
//! GitHub sends on every response.

use crate::common;

use std::collections::BTreeSet;

use common::{client, get, send, statuses_url};
use octodeploy_fake::{DeploymentState, FakeGitHub};
use serde_json::json;

async fn fake(token: Option<&str>) -> FakeGitHub {
    let mut builder = FakeGitHub::builder().repo("octo-org", "app", |r| {
        r.deployment_with(1, "qa", |d| d.status(DeploymentState::Success))
    });
    if let Some(token) = token {
        builder = builder.token(token);
    }
    builder.start().await.unwrap()
}

#[tokio::test]
async fn a_required_token_is_checked() {
    let fake = fake(Some("s3cret")).await;
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "app", 1);
    let bad = json!({
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401"
    });
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("s3cret"),
        Some("Basic s3cret"),
        Some("Bearer"),
    ] {
        let mut request = c.get(&url);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let resp = send(request).await;
        assert_eq!(resp.status, 401, "{auth:?}");
        assert_eq!(resp.json(), bad);
        assert_eq!(
            resp.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert!(resp.header("x-github-request-id").is_some());
    }
    for auth in [
        "Bearer s3cret",
        "token s3cret",
        "bearer s3cret",
        "Token s3cret",
    ] {
        let resp = send(c.get(&url).header("authorization", auth)).await;
        assert_eq!(resp.status, 200, "{auth}");
    }
    // The 401 comes before anything else, 404s included.
    let resp = get(&c, &statuses_url(&fake.base_url(), "x", "y", 9)).await;
    assert_eq!(resp.status, 401);
    // Failed authentication uses no quota: only the four good requests and
    // this one count.
    let resp = send(c.get(&url).bearer_auth("s3cret")).await;
    assert_eq!(resp.header("x-ratelimit-used"), Some("5"));
}

#[tokio::test]
async fn without_a_token_anything_goes() {
    let fake = fake(None).await;
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "app", 1);
    assert_eq!(get(&c, &url).await.status, 200);
    assert_eq!(send(c.get(&url).bearer_auth("whatever")).await.status, 200);
}

#[tokio::test]
async fn every_response_carries_githubs_headers() {
    let fake = fake(None).await;
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "app", 1);
    let mut request_ids = BTreeSet::new();
    for i in 0..5_i64 {
        let resp = get(&c, &url).await;
        assert_eq!(
            resp.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(
            resp.header("x-github-media-type"),
            Some("github.v3; format=json")
        );
        assert_eq!(resp.header("x-ratelimit-limit"), Some("5000"));
        assert_eq!(resp.header_num("x-ratelimit-remaining"), 4999 - i);
        assert_eq!(resp.header_num("x-ratelimit-used"), 1 + i);
        assert_eq!(resp.header("x-ratelimit-resource"), Some("core"));
        let reset = resp.header_num("x-ratelimit-reset");
        assert!(
            reset > chrono::Utc::now().timestamp(),
            "reset is in the future"
        );
        assert!(resp.header("x-github-api-version-selected").is_none());
        let id = resp.header("x-github-request-id").unwrap().to_owned();
        let groups: Vec<usize> = id.split(':').map(str::len).collect();
        assert_eq!(groups, [4, 4, 6, 6, 8], "{id}");
        assert!(
            id.chars().all(|ch| ch == ':' || ch.is_ascii_hexdigit()),
            "{id}"
        );
        request_ids.insert(id);
    }
    assert_eq!(request_ids.len(), 5, "request ids are unique");

    let resp = send(c.get(&url).header("X-GitHub-Api-Version", "2022-11-28")).await;
    assert_eq!(
        resp.header("x-github-api-version-selected"),
        Some("2022-11-28")
    );

    // Errors carry them too.
    let resp = get(&c, &statuses_url(&fake.base_url(), "octo-org", "app", 2)).await;
    assert_eq!(resp.status, 404);
    assert!(resp.header("x-ratelimit-remaining").is_some());
    assert!(resp.header("x-github-request-id").is_some());
}

#[tokio::test]
async fn etags_and_conditional_requests() {
    let fake = fake(None).await;
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "app", 1);
    let first = get(&c, &url).await;
    let etag = first.header("etag").unwrap().to_owned();
    assert!(etag.starts_with("W/\""));
    assert_eq!(
        get(&c, &url).await.header("etag"),
        Some(etag.as_str()),
        "stable"
    );

    let used_before = first.header_num("x-ratelimit-used");
    let resp = send(c.get(&url).header("if-none-match", &etag)).await;
    assert_eq!(resp.status, 304);
    assert!(resp.text.is_empty());
    assert_eq!(resp.header("etag"), Some(etag.as_str()));
    assert_eq!(
        resp.header_num("x-ratelimit-used"),
        used_before + 1,
        "a 304 uses no quota (only the second plain GET did)"
    );

    // A change gives a new etag, and the old one no longer matches.
    fake.add_repo("octo-org", "app", |r| r.deployment(2, "qa"))
        .unwrap();
    common::post(&c, &url, &json!({"state": "inactive"})).await;
    let resp = send(c.get(&url).header("if-none-match", &etag)).await;
    assert_eq!(resp.status, 200);
    assert_ne!(resp.header("etag"), Some(etag.as_str()));
}
