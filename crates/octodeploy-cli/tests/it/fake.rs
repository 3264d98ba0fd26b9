//! The real binary against the in-memory fake GitHub: a deployment's whole
//! lifecycle, dispatches read back from the fake's log, retries and rate
//! limits, environment configuration, and input refused before any request.

use crate::common;

use common::{TOKEN, against, octodeploy};
use octodeploy_fake::{DeploymentState, FakeGitHub};
use serde_json::json;

/// `octo-org/deploy-demo` with a production deployment (40), a successful
/// staging one (41) and a fresh staging one (42); the token is required.
async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .token(TOKEN)
        .user("deploy-bot", 99)
        .repo("octo-org", "deploy-demo", |r| {
            r.deployment_with(40, "production", |d| d.status(DeploymentState::Success))
                .deployment_with(41, "staging", |d| d.status(DeploymentState::Success))
                .deployment(42, "staging")
        })
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_deployment_lifecycle() {
    let fake = fake().await;
    let base = fake.base_url();
    let repo = "octo-org/deploy-demo";

    // Started.
    let run = against(&base)
        .args(["status", "create", repo, "42", "--state", "in_progress"])
        .args([
            "--environment",
            "staging",
            "--log-url",
            "https://ci.example.com/runs/7",
        ])
        .run()
        .await;
    run.expect_code(0);
    let started = run.json();
    assert_eq!(started["state"], "in_progress");
    assert_eq!(started["log_url"], "https://ci.example.com/runs/7");
    assert_eq!(started["creator"]["login"], "deploy-bot");

    // Finished: 41, the earlier staging deployment, becomes inactive.
    let run = against(&base)
        .args(["status", "create", repo, "42", "--state", "success"])
        .args(["--description", "Deployed 9b0c4e1"])
        .args(["--environment-url", "https://staging.example.com"])
        .run()
        .await;
    run.expect_code(0);
    let done = run.json();
    assert_eq!(done["state"], "success");
    assert_eq!(done["description"], "Deployed 9b0c4e1");
    assert_eq!(
        fake.deployment("octo-org", "deploy-demo", 41)
            .unwrap()
            .state,
        Some(DeploymentState::Inactive)
    );

    // Every status, one per page.
    let run = against(&base)
        .args(["status", "list", repo, "42", "--all", "--per-page", "1"])
        .run()
        .await;
    run.expect_code(0);
    let states: Vec<String> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(states, ["success", "in_progress"]);
    let list_requests = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/statuses"))
        .count();
    assert_eq!(list_requests, 2, "one request per page");

    // One page of it, as a table.
    let run = against(&base)
        .args(["--output", "table", "status", "list", repo, "42"])
        .args(["--per-page", "1", "--page", "2"])
        .run()
        .await;
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(lines[0].starts_with("ID "), "{}", run.stdout);
    assert!(
        lines[1].contains("  in_progress  staging  ") && lines[1].contains("  deploy-bot"),
        "{}",
        run.stdout
    );

    // The status by id.
    let id = done["id"].as_i64().unwrap().to_string();
    let run = against(&base)
        .args(["status", "get", repo, "42", &id])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json(), done);

    // 42 is active among others: GitHub refuses a plain delete...
    let run = against(&base)
        .args(["deployment", "delete", repo, "42"])
        .run()
        .await;
    run.expect_code(3)
        .expect_stderr(&["GitHub answered 422: We cannot delete an active deployment"]);
    assert!(fake.deployment("octo-org", "deploy-demo", 42).is_some());

    // ...and --deactivate makes it inactive first.
    let run = against(&base)
        .args([
            "--output",
            "table",
            "deployment",
            "delete",
            repo,
            "42",
            "--deactivate",
        ])
        .run()
        .await;
    run.expect_code(0);
    assert!(
        run.stdout.starts_with(
            "Deactivated and deleted deployment 42 of octo-org/deploy-demo (request id "
        ),
        "{}",
        run.stdout
    );
    assert!(fake.deployment("octo-org", "deploy-demo", 42).is_none());

    // 41 is inactive already.
    let run = against(&base)
        .args(["deployment", "delete", repo, "41"])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json()["deactivated"], false);
    assert!(fake.deployment("octo-org", "deploy-demo", 41).is_none());
}

#[tokio::test]
async fn dispatches_reach_the_fake_with_their_payloads() {
    let fake = fake().await;
    let base = fake.base_url();
    let repo = "octo-org/deploy-demo";

    let run = against(&base)
        .args(["dispatch", repo, "deploy-finished", "--payload"])
        .args([r#"{"deployment": 42, "ref": "main"}"#])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json()["ok"], true);

    let run = against(&base)
        .args(["dispatch", repo, "rollback", "--payload-file", "-"])
        .stdin("{\n  \"to\": \"1a2b3c4\",\n  \"reason\": \"smoke tests failed\"\n}\n")
        .run()
        .await;
    run.expect_code(0);

    let dir = std::env::temp_dir().join(format!("octodeploy-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("payload.json");
    std::fs::write(&path, r#"{"nested": {"a": [1, 2, 3]}}"#).unwrap();
    let run = against(&base)
        .args([
            "--output",
            "table",
            "dispatch",
            repo,
            "from-file",
            "--payload-file",
        ])
        .args([path.to_str().unwrap()])
        .run()
        .await;
    std::fs::remove_dir_all(&dir).unwrap();
    run.expect_code(0);
    assert!(
        run.stdout
            .starts_with("Dispatched `from-file` to octo-org/deploy-demo (request id "),
        "{}",
        run.stdout
    );

    let run = against(&base)
        .args(["dispatch", repo, "no-payload"])
        .run()
        .await;
    run.expect_code(0);

    let log: Vec<(String, Option<serde_json::Value>)> = fake
        .dispatches()
        .into_iter()
        .map(|d| {
            assert_eq!(d.full_name(), "octo-org/deploy-demo");
            (d.event_type, d.client_payload)
        })
        .collect();
    assert_eq!(
        log,
        [
            (
                "deploy-finished".to_owned(),
                Some(json!({"deployment": 42, "ref": "main"}))
            ),
            (
                "rollback".to_owned(),
                Some(json!({"to": "1a2b3c4", "reason": "smoke tests failed"}))
            ),
            (
                "from-file".to_owned(),
                Some(json!({"nested": {"a": [1, 2, 3]}}))
            ),
            ("no-payload".to_owned(), None),
        ]
    );
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let fake = fake().await;
    let base = fake.base_url();
    let repo = "octo-org/deploy-demo";
    let cases: Vec<(Vec<String>, &str, &str)> = vec![
        (
            [
                "status",
                "create",
                repo,
                "42",
                "--state",
                "success",
                "--description",
            ]
            .map(String::from)
            .into_iter()
            .chain([format!("{}é", "a".repeat(140))])
            .collect(),
            "",
            "invalid `--description`: 141 characters, at most 140 allowed",
        ),
        (
            ["status", "create", repo, "42", "--state", "done"]
                .map(String::from)
                .to_vec(),
            "",
            "invalid value 'done' for '--state <STATE>'",
        ),
        (
            [
                "status",
                "create",
                repo,
                "42",
                "--state",
                "success",
                "--log-url",
                "ci/run/1",
            ]
            .map(String::from)
            .to_vec(),
            "",
            "invalid `--log-url`: must be an absolute http(s) URL",
        ),
        (
            [
                "dispatch",
                repo,
                "deploy",
                "--payload",
                "{'single': 'quotes'}",
            ]
            .map(String::from)
            .to_vec(),
            "",
            "invalid `--payload`: not valid JSON: key must be a string at line 1 column 2",
        ),
        (
            ["dispatch", repo, "deploy", "--payload-file", "-"]
                .map(String::from)
                .to_vec(),
            "{\"a\": 1,\n\"b\": [1, 2,]}",
            "invalid `--payload-file -`: not valid JSON: trailing comma at line 2 column 12",
        ),
        (
            [
                "dispatch",
                repo,
                "deploy",
                "--payload-file",
                "/nonexistent/payload.json",
            ]
            .map(String::from)
            .to_vec(),
            "",
            "cannot read `--payload-file /nonexistent/payload.json`",
        ),
        (
            ["dispatch", repo, "deploy", "--payload"]
                .map(String::from)
                .into_iter()
                .chain([format!(
                    "{{{}}}",
                    (0..11)
                        .map(|i| format!("\"k{i}\": {i}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )])
                .collect(),
            "",
            "invalid `--payload`: 11 top-level properties, at most 10 allowed",
        ),
        (
            ["dispatch", repo, &"e".repeat(101)]
                .map(String::from)
                .to_vec(),
            "",
            "invalid `EVENT_TYPE`: 101 characters, must be 1 to 100",
        ),
        (
            [
                "dispatch",
                repo,
                "x",
                "--payload",
                "{}",
                "--payload-file",
                "-",
            ]
            .map(String::from)
            .to_vec(),
            "",
            "cannot be used with",
        ),
        (
            ["status", "list", repo, "42", "--all", "--page", "2"]
                .map(String::from)
                .to_vec(),
            "",
            "cannot be used with",
        ),
        (
            ["status", "list", repo, "42", "--per-page", "101"]
                .map(String::from)
                .to_vec(),
            "",
            "invalid value '101' for '--per-page <N>'",
        ),
        (
            ["status", "get", "octo-org", "42", "1"]
                .map(String::from)
                .to_vec(),
            "",
            "expected OWNER/REPO, got `octo-org`",
        ),
        (
            ["status", "get", repo, "forty-two", "1"]
                .map(String::from)
                .to_vec(),
            "",
            "invalid value 'forty-two' for '<DEPLOYMENT_ID>'",
        ),
    ];
    for (args, stdin, message) in cases {
        let run = against(&base).args(&args).stdin(stdin).run().await;
        run.expect_code(2).expect_stderr(&[message]);
        assert_eq!(run.stdout, "", "{args:?}");
    }
    assert!(
        fake.requests().is_empty(),
        "requests were sent: {:?}",
        fake.requests()
    );
}

/// An `http://` base never speaks TLS, so the client does not read the
/// system's certificate store (most of a one-request call's time): with an
/// empty store, which an `https` client refuses to build on, it still works.
#[tokio::test]
async fn an_http_base_reads_no_certificate_store() {
    let fake = fake().await;
    let base = fake.base_url();
    let store = tempfile::tempdir().unwrap();
    let bundle = store.path().join("empty.pem");
    std::fs::write(&bundle, "").unwrap();
    let empty_store = |cli: common::Cli| {
        cli.env("SSL_CERT_FILE", bundle.to_str().unwrap())
            .env("SSL_CERT_DIR", store.path().to_str().unwrap())
    };
    let run = empty_store(against(&base))
        .args(["status", "list", "octo-org/deploy-demo", "41"])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json().as_array().unwrap().len(), 1);

    // The same store for an https base: the client needs roots and says so.
    let run = empty_store(octodeploy())
        .args([
            "--api-url",
            "https://ghe.example.com/api/v3",
            "--token",
            TOKEN,
        ])
        .args(["status", "list", "octo-org/deploy-demo", "41"])
        .run()
        .await;
    run.expect_code(1)
        .expect_stderr(&["No CA certificates were loaded from the system"]);
}

#[tokio::test]
async fn retries_unless_no_retry() {
    let fake = fake().await;
    let base = fake.base_url();
    let args = ["status", "list", "octo-org/deploy-demo", "41"];

    fake.faults().bad_gateway(1);
    let run = against(&base).args(["--no-retry"]).args(args).run().await;
    run.expect_code(5)
        .expect_stderr(&["error: HTTP 502 with a non-JSON body"]);
    assert_eq!(fake.requests().len(), 1);

    fake.clear_requests();
    fake.faults().bad_gateway(1);
    let run = against(&base).args(args).run().await;
    run.expect_code(0).expect_stderr(&[
        "retrying GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses in ",
        "(attempt 1 failed: HTTP 502",
    ]);
    assert_eq!(run.json().as_array().unwrap().len(), 1);
    assert_eq!(fake.requests().len(), 2, "a 502 on a GET is retried");
}

#[tokio::test]
async fn rate_limits_exit_4() {
    let fake = fake().await;
    let base = fake.base_url();

    // The fake resets the quota a minute later, which the default policy
    // may wait out (it waits up to 60 s): --no-retry answers at once.
    fake.faults().rate_limit_after(0);
    let run = against(&base)
        .args(["--no-retry", "status", "list", "octo-org/deploy-demo", "41"])
        .run()
        .await;
    run.expect_code(4).expect_stderr(&[
        "error: GitHub's primary rate limit, HTTP 403",
        "the quota resets at ",
        "(request id ",
    ]);
    fake.faults().clear();

    // A secondary limit on a POST is not waited out with --no-retry.
    fake.faults().secondary_rate_limit(30, 1);
    let run = against(&base)
        .args(["--no-retry", "dispatch", "octo-org/deploy-demo", "deploy"])
        .run()
        .await;
    run.expect_code(4)
        .expect_stderr(&["secondary rate limit", "retry after 30s"]);
    assert!(fake.dispatches().is_empty());
}

#[tokio::test]
async fn configuration_from_the_environment_and_flags_over_it() {
    let fake = fake().await;
    let args = ["status", "list", "octo-org/deploy-demo", "41"];

    // Actions-style: GITHUB_API_URL and GITHUB_TOKEN.
    let run = octodeploy()
        .env("GITHUB_API_URL", &fake.base_url())
        .env("GITHUB_TOKEN", TOKEN)
        .args(args)
        .run()
        .await;
    run.expect_code(0);

    // gh-style GH_TOKEN wins over GITHUB_TOKEN.
    let run = octodeploy()
        .env("GITHUB_API_URL", &fake.base_url())
        .env("GITHUB_TOKEN", "ghp_wrong_one")
        .env("GH_TOKEN", TOKEN)
        .secret("ghp_wrong_one")
        .args(args)
        .run()
        .await;
    run.expect_code(0);

    // Flags win over the environment.
    let run = octodeploy()
        .env("GITHUB_API_URL", "http://127.0.0.1:9/api/v3")
        .env("GITHUB_TOKEN", "ghp_wrong_one")
        .secret("ghp_wrong_one")
        .args(["--api-url", &fake.base_url(), "--token", TOKEN])
        .args(args)
        .run()
        .await;
    run.expect_code(0);

    // A wrong token: 401, and the hint says which one was refused.
    let run = octodeploy()
        .env("GITHUB_API_URL", &fake.base_url())
        .env("GITHUB_TOKEN", "ghp_wrong_one")
        .secret("ghp_wrong_one")
        .args(args)
        .run()
        .await;
    run.expect_code(3).expect_stderr(&[
        "GitHub answered 401: Bad credentials",
        "hint: GitHub refused the token from $GITHUB_TOKEN",
    ]);
    let run = octodeploy()
        .args(["--api-url", &fake.base_url(), "--token", "ghp_wrong_flag"])
        .secret("ghp_wrong_flag")
        .args(args)
        .run()
        .await;
    run.expect_code(3)
        .expect_stderr(&["hint: GitHub refused the token from --token:"]);

    // No token at all.
    let run = octodeploy()
        .args(["--api-url", &fake.base_url()])
        .args(args)
        .run()
        .await;
    run.expect_code(3)
        .expect_stderr(&["401", "hint: no token was sent"]);
}

#[tokio::test]
async fn transport_failures_exit_5() {
    // A port nothing listens on: bind one, note it, close it.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}/api/v3");
    let run = against(&base)
        .args([
            "--no-retry",
            "status",
            "get",
            "octo-org/deploy-demo",
            "42",
            "1",
        ])
        .run()
        .await;
    run.expect_code(5).expect_stderr(&[
        "error: request failed",
        "Connection refused",
        &format!("hint: could not get an answer from {base}"),
    ]);
}

#[tokio::test]
async fn verbose_logs_requests_to_stderr_only() {
    let fake = fake().await;
    let run = against(&fake.base_url())
        .args(["-v", "status", "list", "octo-org/deploy-demo", "41"])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json().as_array().unwrap().len(), 1, "stdout stays JSON");
    run.expect_stderr(&[
        "INFO",
        "github.request",
        "method=\"GET\"",
        "status=200",
        "request_id=",
        "token=\"set\"",
    ]);
    assert!(!run.stderr.contains("DEBUG"), "{}", run.stderr);

    let run = against(&fake.base_url())
        .args(["status", "list", "octo-org/deploy-demo", "41", "-vv"])
        .run()
        .await;
    run.expect_code(0).expect_stderr(&["DEBUG"]);
}
