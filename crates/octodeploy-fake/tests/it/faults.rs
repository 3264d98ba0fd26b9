//! Fault injection: each kind fires the configured number of times and then
//! stops; latency works under paused time.

use crate::common;

use std::time::Duration;

use common::{client, get, post, send, statuses_url};
use octodeploy_fake::FakeGitHub;
use serde_json::json;

async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .repo("octo-org", "app", |r| r.deployment(1, "qa"))
        .start()
        .await
        .unwrap()
}

fn url(fake: &FakeGitHub) -> String {
    statuses_url(&fake.base_url(), "octo-org", "app", 1)
}

#[tokio::test]
async fn bad_gateway_fires_n_times_with_an_html_body() {
    let fake = fake().await;
    let c = client();
    fake.faults().bad_gateway(2);
    for _ in 0..2 {
        let resp = post(&c, &url(&fake), &json!({"state": "success"})).await;
        assert_eq!(resp.status, 502);
        assert_eq!(
            resp.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(resp.text.contains("<html>"));
        assert!(resp.header("x-github-request-id").is_some());
    }
    assert!(
        fake.deployment("octo-org", "app", 1)
            .unwrap()
            .statuses
            .is_empty(),
        "a 502 creates nothing"
    );
    let resp = post(&c, &url(&fake), &json!({"state": "success"})).await;
    assert_eq!(resp.status, 201);

    let log: Vec<(String, u16)> = fake
        .requests()
        .into_iter()
        .map(|r| (r.method, r.status))
        .collect();
    assert_eq!(
        log,
        [
            ("POST".to_owned(), 502),
            ("POST".to_owned(), 502),
            ("POST".to_owned(), 201)
        ]
    );
}

#[tokio::test]
async fn secondary_rate_limit_403_with_retry_after() {
    let fake = fake().await;
    let c = client();
    fake.faults().secondary_rate_limit(30, 2);
    for _ in 0..2 {
        let resp = get(&c, &url(&fake)).await;
        assert_eq!(resp.status, 403);
        assert_eq!(resp.header("retry-after"), Some("30"));
        let body = resp.json();
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with("You have exceeded a secondary rate limit"),
            "{message}"
        );
        assert!(message.contains(resp.header("x-github-request-id").unwrap()));
        assert_eq!(
            body["documentation_url"],
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
        );
        assert_ne!(resp.header("x-ratelimit-remaining"), Some("0"));
    }
    assert_eq!(get(&c, &url(&fake)).await.status, 200);
}

#[tokio::test]
async fn secondary_rate_limit_without_retry_after() {
    let fake = fake().await;
    let c = client();
    fake.faults()
        .secondary_rate_limit_without_retry_after(429, 1);
    let resp = get(&c, &url(&fake)).await;
    assert_eq!(resp.status, 429);
    assert_eq!(resp.header("retry-after"), None);
    let body = resp.json();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("You have exceeded a secondary rate limit")
    );
    assert_eq!(get(&c, &url(&fake)).await.status, 200);
}

#[tokio::test]
async fn secondary_rate_limit_429_variant() {
    let fake = fake().await;
    let c = client();
    fake.faults().secondary_rate_limit_429(5, 1);
    let resp = get(&c, &url(&fake)).await;
    assert_eq!(resp.status, 429);
    assert_eq!(resp.header("retry-after"), Some("5"));
    assert_eq!(resp.json()["status"], "429");
    assert_eq!(get(&c, &url(&fake)).await.status, 200);
}

#[tokio::test]
async fn primary_rate_limit_after_n_requests() {
    let fake = fake().await;
    let c = client();
    fake.faults().rate_limit_after(3);
    for remaining in [2, 1, 0] {
        let resp = get(&c, &url(&fake)).await;
        assert_eq!(resp.status, 200);
        assert_eq!(resp.header_num("x-ratelimit-remaining"), remaining);
        assert_eq!(resp.header_num("x-ratelimit-used"), 5000 - remaining);
    }
    for _ in 0..3 {
        let resp = send(c.get(url(&fake)).bearer_auth("t")).await;
        assert_eq!(resp.status, 403);
        assert_eq!(resp.header("x-ratelimit-remaining"), Some("0"));
        assert_eq!(resp.header("x-ratelimit-limit"), Some("5000"));
        assert_eq!(resp.header("x-ratelimit-used"), Some("5000"));
        let reset = resp.header_num("x-ratelimit-reset");
        let now = chrono::Utc::now().timestamp();
        assert!(
            reset > now && reset <= now + 61,
            "reset {reset} vs now {now}"
        );
        let body = resp.json();
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("API rate limit exceeded for user ID 1."),
            "{body}"
        );
        assert_eq!(
            body["documentation_url"],
            "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"
        );
        assert!(resp.header("retry-after").is_none());
    }
    let resp = get(&c, &url(&fake)).await;
    assert!(
        resp.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("API rate limit exceeded for 127.0.0.1."),
        "unauthenticated wording"
    );
    fake.faults().reset_rate_limit();
    let resp = get(&c, &url(&fake)).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("x-ratelimit-remaining"), Some("4999"));
}

#[tokio::test]
async fn primary_rate_limit_that_resets_after_n_refusals() {
    let fake = fake().await;
    let c = client();
    fake.faults().rate_limit_after_then_reset(1, 2);
    assert_eq!(get(&c, &url(&fake)).await.status, 200);
    assert_eq!(get(&c, &url(&fake)).await.status, 403);
    assert_eq!(get(&c, &url(&fake)).await.status, 403);
    let resp = get(&c, &url(&fake)).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("x-ratelimit-remaining"), Some("4999"));
}

#[tokio::test(start_paused = true)]
async fn latency_uses_tokio_time() {
    let fake = fake().await;
    let c = client();
    fake.faults().latency(Duration::from_secs(30));
    let wall = std::time::Instant::now();
    let started = tokio::time::Instant::now();
    assert_eq!(get(&c, &url(&fake)).await.status, 200);
    assert!(
        started.elapsed() >= Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(get(&c, &url(&fake)).await.status, 200);
    assert!(started.elapsed() >= Duration::from_secs(60));
    assert!(wall.elapsed() < Duration::from_secs(20), "no real waiting");

    fake.faults().latency(Duration::ZERO);
    let started = tokio::time::Instant::now();
    assert_eq!(get(&c, &url(&fake)).await.status, 200);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn latency_for_n_requests_lets_a_client_time_out_then_succeed() {
    let fake = fake().await;
    let c = client();
    fake.faults().latency_for(Duration::from_secs(60), 1);
    let slow = tokio::time::timeout(Duration::from_secs(10), get(&c, &url(&fake))).await;
    assert!(slow.is_err(), "the first request is slow");
    let started = tokio::time::Instant::now();
    let resp = tokio::time::timeout(Duration::from_secs(10), get(&c, &url(&fake)))
        .await
        .expect("the second is not");
    assert_eq!(resp.status, 200);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn clear_turns_everything_off() {
    let fake = fake().await;
    let c = client();
    fake.faults()
        .bad_gateway(5)
        .secondary_rate_limit(1, 5)
        .rate_limit_after(0)
        .clear();
    let resp = get(&c, &url(&fake)).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("x-ratelimit-remaining"), Some("4999"));
}
