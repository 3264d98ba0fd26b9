//! `status list --all` writes each page before asking for the next: a
//! loopback server holds page 2 until the test has read page 1's statuses
//! from the running binary's standard output.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::header::{CONTENT_TYPE, LINK};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::sync::Notify;

use crate::common::{BIN, TOKEN};

const PATH: &str = "/repos/octo-org/deploy-demo/deployments/42/statuses";

fn status(id: i64) -> Value {
    json!({
        "url": format!("https://api.example.com{PATH}/{id}"), "id": id, "node_id": "n",
        "state": "success", "creator": null, "description": "", "environment": "staging",
        "target_url": "", "log_url": "", "environment_url": "",
        "created_at": "2025-06-04T12:34:56Z", "updated_at": "2025-06-04T12:34:56Z",
        "deployment_url": "https://api.example.com/d", "repository_url": "https://api.example.com/r"
    })
}

#[derive(Clone)]
struct Pages {
    origin: String,
    release: Arc<Notify>,
}

/// Page 1 (statuses 3 and 2) at once, with a `next` link; page 2 (status 1)
/// only once the test says so.
async fn statuses(
    State(pages): State<Pages>,
    Query(query): Query<Vec<(String, String)>>,
) -> impl IntoResponse {
    let page2 = query.iter().any(|(k, v)| k == "page" && v == "2");
    let json_type = [(CONTENT_TYPE, "application/json; charset=utf-8".to_owned())];
    if page2 {
        pages.release.notified().await;
        return (
            json_type,
            [(LINK, String::new())],
            json!([status(1)]).to_string(),
        );
    }
    let next = format!("<{}{PATH}?per_page=2&page=2>; rel=\"next\"", pages.origin);
    (
        json_type,
        [(LINK, next)],
        json!([status(3), status(2)]).to_string(),
    )
}

/// Runs `status list --all --per-page 2 --output FORMAT`, waits until
/// standard output holds statuses 3 and 2 (page 2 still held), releases
/// page 2 and returns everything printed.
async fn list_all_while_page_2_is_held(format: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let release = Arc::new(Notify::new());
    let pages = Pages {
        origin: origin.clone(),
        release: Arc::clone(&release),
    };
    let app = axum::Router::new()
        .route(PATH, get(statuses))
        .with_state(pages);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut child = Command::new(BIN)
        .env_clear()
        .args(["--api-url", &origin, "--token", TOKEN, "--output", format])
        .args([
            "status",
            "list",
            "octo-org/deploy-demo",
            "42",
            "--all",
            "--per-page",
            "2",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let page1 = async {
        let mut buf = [0u8; 4096];
        loop {
            let text = String::from_utf8_lossy(&seen).replace([' ', '\n'], "");
            if text.contains("\"id\":3") && text.contains("\"id\":2") {
                break;
            }
            let n = stdout.read(&mut buf).await.unwrap();
            assert!(n > 0, "standard output closed before page 1 was written");
            seen.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(30), page1)
        .await
        .expect("page 1 was not written while page 2 was pending");
    assert!(
        !String::from_utf8_lossy(&seen).contains("\"id\": 1,"),
        "status 1 printed before page 2 was answered"
    );
    release.notify_one();
    stdout.read_to_end(&mut seen).await.unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("finished")
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .await
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    String::from_utf8(seen).unwrap()
}

#[tokio::test]
async fn json_is_written_page_by_page() {
    let out = list_all_while_page_2_is_held("json").await;
    let all: Vec<Value> = serde_json::from_str(&out).unwrap();
    let ids: Vec<i64> = all.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [3, 2, 1]);
}

#[tokio::test]
async fn jsonl_is_one_status_per_line_page_by_page() {
    let out = list_all_while_page_2_is_held("jsonl").await;
    let ids: Vec<i64> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, [3, 2, 1]);
}
