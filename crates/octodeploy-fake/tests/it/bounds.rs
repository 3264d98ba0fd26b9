//! The fake stays bounded whatever clients do: the request log is a ring
//! buffer with bodies cut to a limit, a client that connects and sends
//! nothing (or drips its headers) is disconnected, and connections are
//! capped. Time is tokio's paused clock: no test waits for real.

use crate::common;

use std::time::Duration;

use common::{client, send, statuses_url};
use octodeploy_fake::{DEFAULT_RECORDED_BODY, FakeGitHub};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

#[tokio::test]
async fn the_request_log_keeps_the_latest_requests_and_cuts_bodies() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "app", |r| r.deployment(1, "qa"))
        .request_log(5, 16)
        .start()
        .await
        .unwrap();
    let c = client();
    let url = format!("{}/repos/octo-org/app/dispatches", fake.base_url());
    for n in 0..12 {
        let payload =
            json!({"event_type": format!("e{n}"), "client_payload": {"pad": "x".repeat(1000)}});
        assert_eq!(send(c.post(&url).json(&payload)).await.status, 204);
    }
    let log = fake.requests();
    assert_eq!(log.len(), 5);
    assert_eq!(fake.requests_dropped(), 7);
    for r in &log {
        let body = r.body.as_deref().unwrap();
        assert!(body.len() <= 16 && r.body_truncated, "{body}");
        assert!(body.starts_with("{\"event_type\""), "{body}");
    }
    let ids: Vec<&str> = log.iter().map(|r| r.request_id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "five distinct requests: {ids:?}");
    assert_eq!(fake.dispatches().len(), 12, "dispatches are all accepted");
}

#[tokio::test]
async fn by_default_a_large_body_is_recorded_up_to_64_kib() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "app", |r| r.deployment(1, "qa"))
        .start()
        .await
        .unwrap();
    let url = statuses_url(&fake.base_url(), "octo-org", "app", 1);
    let big = json!({"state": "success", "description": "d".repeat(900_000)});
    send(client().post(&url).json(&big)).await;
    let small = json!({"state": "success"});
    send(client().post(&url).json(&small)).await;
    let log = fake.requests();
    assert_eq!(log[0].body.as_ref().unwrap().len(), DEFAULT_RECORDED_BODY);
    assert!(log[0].body_truncated);
    assert_eq!(log[1].json(), Some(small));
    assert!(!log[1].body_truncated);
}

/// Reads until the server closes the connection (failing after two
/// minutes of paused time); returns what it sent.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(120), stream.read_to_end(&mut out));
    let _ = read.await.expect("the fake kept the connection open");
    out
}

#[tokio::test(start_paused = true)]
async fn a_silent_or_dripping_client_is_disconnected() {
    let fake = FakeGitHub::builder()
        .header_read_timeout(Duration::from_secs(5))
        .start()
        .await
        .unwrap();

    let started = Instant::now();
    let mut silent = TcpStream::connect(fake.addr()).await.unwrap();
    read_to_close(&mut silent).await;
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "closed too early"
    );

    let started = Instant::now();
    let mut dripping = TcpStream::connect(fake.addr()).await.unwrap();
    dripping
        .write_all(b"GET /api/v3 HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    read_to_close(&mut dripping).await;
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "closed too early"
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "held {:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn connections_are_capped() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "app", |r| r.deployment(1, "qa"))
        .max_connections(1)
        .header_read_timeout(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    // The one connection the fake serves, holding it by saying nothing.
    let _hog = TcpStream::connect(fake.addr()).await.unwrap();
    tokio::task::yield_now().await;
    let started = Instant::now();
    let url = statuses_url(&fake.base_url(), "octo-org", "app", 1);
    let resp = send(client().get(&url)).await;
    assert_eq!(resp.status, 200);
    assert!(
        started.elapsed() >= Duration::from_secs(29),
        "served beside the idle connection after {:?}",
        started.elapsed()
    );
}
