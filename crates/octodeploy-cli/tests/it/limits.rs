//! What bounds a CLI step: `--retries`, `--timeout`, `--max-wait` (and their
//! `OCTODEPLOY_*` variables), refused when out of range.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use octodeploy_fake::FakeGitHub;
use tokio::net::TcpListener;

use crate::common::{TOKEN, against};

const LIST: [&str; 4] = ["status", "list", "octo-org/deploy-demo", "42"];

async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .token(TOKEN)
        .repo("octo-org", "deploy-demo", |r| r.deployment(42, "staging"))
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn retries_count_from_the_flag_or_the_environment() {
    let fake = fake().await;
    fake.faults().bad_gateway(10);
    let run = against(&fake.base_url())
        .args(["--retries", "1"])
        .args(LIST)
        .run()
        .await;
    run.expect_code(5)
        .expect_stderr(&["attempt 1 failed: HTTP 502"]);
    assert_eq!(fake.requests().len(), 2, "one retry");

    fake.clear_requests();
    let run = against(&fake.base_url())
        .env("OCTODEPLOY_RETRIES", "2")
        .args(LIST)
        .run()
        .await;
    run.expect_code(5);
    assert_eq!(fake.requests().len(), 3, "two retries");

    fake.clear_requests();
    let run = against(&fake.base_url())
        .env("OCTODEPLOY_RETRIES", "2")
        .args(["--no-retry"])
        .args(LIST)
        .run()
        .await;
    run.expect_code(5);
    assert_eq!(fake.requests().len(), 1, "--no-retry wins");

    fake.clear_requests();
    fake.faults().clear().secondary_rate_limit(1, 1);
    let run = against(&fake.base_url())
        .args(["--retries", "0"])
        .args(LIST)
        .run()
        .await;
    run.expect_code(4)
        .expect_stderr(&["hint: retries are off (--no-retry or --retries 0)"]);
}

#[tokio::test]
async fn a_rate_limit_asking_for_more_than_max_wait_fails_at_once() {
    let fake = fake().await;
    // 30 s is within the default --max-wait (60s): only the flag stops it.
    fake.faults().secondary_rate_limit(30, 5);
    let run = against(&fake.base_url())
        .args(["--max-wait", "5s"])
        .args(LIST)
        .run()
        .await;
    run.expect_code(4).expect_stderr(&[
        "retry after 30s",
        "hint: GitHub asks to wait 30s, longer than --max-wait 5s",
    ]);
    assert_eq!(fake.requests().len(), 1, "not waited out");

    fake.clear_requests();
    let run = against(&fake.base_url())
        .env("OCTODEPLOY_MAX_WAIT", "29s")
        .args(LIST)
        .run()
        .await;
    run.expect_code(4);
    assert_eq!(fake.requests().len(), 1, "not waited out");
}

/// A 429 without `Retry-After` (GitHub says: wait a minute) held a step for
/// three minutes; `--max-wait` below a minute ends it at once.
#[tokio::test]
async fn a_429_without_retry_after_is_bounded_by_max_wait() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let app = axum::Router::new().route(
        "/repos/octo-org/deploy-demo/deployments/42/statuses",
        get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(CONTENT_TYPE, "application/json; charset=utf-8")],
                    r#"{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest"}"#,
                )
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let run = tokio::time::timeout(
        Duration::from_secs(30),
        against(&base).args(["--max-wait", "59s"]).args(LIST).run(),
    )
    .await
    .expect("the 429 was waited out");
    run.expect_code(4).expect_stderr(&[
        "secondary rate limit, HTTP 429",
        "hint: GitHub said no Retry-After, which means waiting at least a minute, longer than --max-wait 59s",
    ]);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn timeout_bounds_each_request() {
    let fake = fake().await;
    fake.faults().latency(Duration::from_secs(20));
    let run = tokio::time::timeout(
        Duration::from_secs(10),
        against(&fake.base_url())
            .args(["--timeout", "100ms", "--retries", "0"])
            .args(LIST)
            .run(),
    )
    .await
    .expect("--timeout 100ms did not end the request");
    run.expect_code(5).expect_stderr(&["timed out"]);
}

#[tokio::test]
async fn out_of_range_limits_are_usage_errors() {
    for (flag, value, needle) in [
        ("--timeout", "0s", "a timeout of 0"),
        ("--timeout", "25h", "longer than 24h"),
        ("--max-wait", "1d", "expected a duration"),
        ("--retries", "11", "11 is not in 0..=10"),
    ] {
        let run = against("http://127.0.0.1:9")
            .args([flag, value])
            .args(LIST)
            .run()
            .await;
        run.expect_code(2).expect_stderr(&[flag, needle]);
    }
    let run = against("http://127.0.0.1:9")
        .env("OCTODEPLOY_TIMEOUT", "soon")
        .args(LIST)
        .run()
        .await;
    run.expect_code(2).expect_stderr(&["--timeout", "soon"]);
}
