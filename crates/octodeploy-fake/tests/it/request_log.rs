//! The request log tests read: every request with method, path, query,
//! headers, body and the status it got.

use crate::common;

use common::{client, send, statuses_url};
use octodeploy_fake::FakeGitHub;
use serde_json::json;

#[tokio::test]
async fn requests_are_recorded_with_their_outcome() {
    let fake = FakeGitHub::builder()
        .token("t")
        .repo("octo-org", "app", |r| r.deployment(1, "qa"))
        .start()
        .await
        .unwrap();
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "app", 1);
    send(
        c.post(&url)
            .bearer_auth("t")
            .header("user-agent", "octodeploy-test")
            .json(&json!({"state": "queued"})),
    )
    .await;
    send(c.get(format!("{url}?per_page=5")).bearer_auth("t")).await;
    send(c.get(&url)).await; // no token: 401

    let log = fake.requests();
    assert_eq!(log.len(), 3);
    let post = &log[0];
    assert_eq!(post.method, "POST");
    assert_eq!(
        post.path,
        "/api/v3/repos/octo-org/app/deployments/1/statuses"
    );
    assert_eq!(post.query, None);
    assert_eq!(post.status, 201);
    assert_eq!(post.header("Authorization"), Some("Bearer <redacted>"));
    assert_eq!(post.header("user-agent"), Some("octodeploy-test"));
    assert_eq!(post.json(), Some(json!({"state": "queued"})));
    assert!(!post.request_id.is_empty());

    assert_eq!(log[1].method, "GET");
    assert_eq!(log[1].query.as_deref(), Some("per_page=5"));
    assert_eq!(log[1].body, None);
    assert_eq!(log[1].status, 200);
    assert_eq!(log[2].status, 401);

    // Exactly one POST: what a "no retry of a POST" assertion looks like.
    assert_eq!(log.iter().filter(|r| r.method == "POST").count(), 1);

    fake.clear_requests();
    assert!(fake.requests().is_empty());
}
