//! What is retried and how long it waits: a GET after a 502, a POST and a
//! dispatch after a secondary rate limit, and never a POST after an
//! ambiguous 502.

use std::time::Duration;

use octodeploy::RetryPolicy;

use super::{RecordedStatuses, TestClock, client_with, get_status, replay};

#[tokio::test]
async fn get_is_retried_after_a_502() {
    let r = replay("get-status-retry-after-502").await;
    let clock = TestClock::at(1_750_000_000);
    let c = client_with(&r, RetryPolicy::default().jitter(false), clock.clone());
    let s = get_status(&c, 42, 1187).await.unwrap();
    assert_eq!(s.meta().attempts, 2);
    assert_eq!(clock.slept(), [Duration::from_millis(500)]);
    r.finish();
}

#[tokio::test]
async fn post_is_retried_after_429_with_retry_after() {
    let r = replay("create-status-secondary-rate-limit-then-success").await;
    let clock = TestClock::at(1_773_224_000);
    let s = client_with(&r, RetryPolicy::default(), clock.clone())
        .production_in_progress()
        .await
        .unwrap();
    assert_eq!(s.meta().attempts, 2);
    assert_eq!(clock.slept(), [Duration::from_secs(1)]);
    r.finish();
}

#[tokio::test]
async fn dispatch_is_retried_after_a_secondary_rate_limit() {
    let r = replay("dispatch-secondary-rate-limit-then-success").await;
    let clock = TestClock::at(1_773_225_000);
    client_with(&r, RetryPolicy::default(), clock.clone())
        .repo("octo-org", "deploy-demo")
        .dispatch("deploy-staging")
        .payload(
            &serde_json::json!({"ref": "main", "sha": "9b0c4e1d7a2f4c8e83b6d5a0f1e2c3b4a5968778"}),
        )
        .await
        .unwrap();
    assert_eq!(clock.slept(), [Duration::from_secs(1)]);
    r.finish();
}

#[tokio::test]
async fn post_is_never_retried_after_an_ambiguous_502() {
    // The cassette holds one interaction: a retry would be an unexpected request.
    let r = replay("create-status-502-not-retried").await;
    let clock = TestClock::at(1_750_000_000);
    let err = client_with(&r, RetryPolicy::default().max_retries(5), clock.clone())
        .staging_in_progress()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert!(clock.slept().is_empty());
    r.finish();
}
