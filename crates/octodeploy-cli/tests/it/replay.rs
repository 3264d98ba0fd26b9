//! The real binary against recorded GitHub traffic (the replay server in
//! `tests/`): requests must match the cassettes exactly, and output, error
//! messages and exit codes must follow from GitHub's answers.

use crate::common;

use common::{TOKEN, against};
use octodeploy_replay::{Cassette, ReplayServer};
use serde_json::{Value, json};

#[tokio::test]
async fn create_status_prints_the_status_as_json() {
    let replay = ReplayServer::for_scenario("create-status").await.unwrap();
    let run = against(&replay.base_url())
        .args([
            "status",
            "create",
            "octo-org/deploy-demo",
            "43",
            "--state",
            "in_progress",
            "--log-url",
            "https://ci.octo-org.example/deploy-demo/pipelines/8890",
            "--environment",
            "staging",
            "--description",
            "Deploying 9b0c4e1 to staging",
        ])
        .run()
        .await;
    run.expect_code(0);
    let status = run.json();
    assert_eq!(status["id"], 1190);
    assert_eq!(status["state"], "in_progress");
    assert_eq!(status["environment"], "staging");
    assert_eq!(status["creator"]["login"], "hubot");
    assert_eq!(run.stderr, "", "nothing on stderr without -v");
    replay.finish();
}

#[tokio::test]
async fn create_status_as_a_table() {
    let replay = ReplayServer::for_scenario("create-status").await.unwrap();
    let run = against(&replay.base_url())
        .args([
            "--output",
            "table",
            "status",
            "create",
            "octo-org/deploy-demo",
            "43",
        ])
        .args(["--state", "in_progress", "--environment", "staging"])
        .args([
            "--log-url",
            "https://ci.octo-org.example/deploy-demo/pipelines/8890",
        ])
        .args(["--description", "Deploying 9b0c4e1 to staging"])
        .run()
        .await;
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].starts_with("ID    STATE        ENVIRONMENT  CREATED "),
        "{}",
        run.stdout
    );
    assert!(lines[0].ends_with("CREATOR  DESCRIPTION"), "{}", run.stdout);
    assert!(
        lines[1].starts_with("1190  in_progress  staging      "),
        "{}",
        run.stdout
    );
    assert!(
        lines[1].ends_with("hubot    Deploying 9b0c4e1 to staging"),
        "{}",
        run.stdout
    );
    replay.finish();
}

#[tokio::test]
async fn list_all_follows_three_pages() {
    let replay = ReplayServer::for_scenario("list-statuses-three-pages")
        .await
        .unwrap();
    let run = against(&replay.base_url())
        .args([
            "status",
            "list",
            "octo-org/deploy-demo",
            "42",
            "--per-page",
            "2",
            "--all",
        ])
        .run()
        .await;
    run.expect_code(0);
    let ids: Vec<i64> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert_eq!(ids[0], 1187, "newest first");
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    assert!(
        !run.stderr.contains("fetched"),
        "no progress when stderr is not a terminal: {}",
        run.stderr
    );
    replay.finish();
}

#[tokio::test]
async fn list_one_page_without_options() {
    let replay = ReplayServer::for_scenario("list-statuses").await.unwrap();
    let run = against(&replay.base_url())
        .args(["status", "list", "octo-org/deploy-demo", "42"])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json().as_array().unwrap().len(), 5);
    replay.finish();
}

#[tokio::test]
async fn get_status() {
    let replay = ReplayServer::for_scenario("get-status").await.unwrap();
    let run = against(&replay.base_url())
        .args(["status", "get", "octo-org/deploy-demo", "42", "1187"])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json()["id"], 1187);
    assert_eq!(run.json()["state"], "success");
    replay.finish();
}

#[tokio::test]
async fn delete_and_deactivate_then_delete() {
    let replay = ReplayServer::for_scenario("delete-deployment")
        .await
        .unwrap();
    let run = against(&replay.base_url())
        .args(["deployment", "delete", "octo-org/deploy-demo", "40"])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(
        run.json(),
        json!({
            "ok": true,
            "action": "deployment.delete",
            "repository": "octo-org/deploy-demo",
            "deployment_id": 40,
            "deactivated": false,
            "request_id": "F7C5:D475:95BE21:EB77B1:68401965"
        })
    );
    replay.finish();

    let replay = ReplayServer::for_scenario("deactivate-and-delete")
        .await
        .unwrap();
    let run = against(&replay.base_url())
        .args([
            "deployment",
            "delete",
            "octo-org/deploy-demo",
            "41",
            "--deactivate",
        ])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json()["deactivated"], true);
    assert_eq!(run.json()["request_id"], "056F:9A09:0E6512:5ABE88:684018C7");
    replay.finish();
}

#[tokio::test]
async fn dispatch_with_payload() {
    let replay = ReplayServer::for_scenario("dispatch-with-payload")
        .await
        .unwrap();
    let run = against(&replay.base_url())
        .args([
            "dispatch",
            "octo-org/deploy-demo",
            "deploy-staging",
            "--payload",
        ])
        .args([r#"{"ref": "main", "sha": "9b0c4e1d7a2f4c8e83b6d5a0f1e2c3b4a5968778"}"#])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json()["ok"], true);
    assert_eq!(run.json()["event_type"], "deploy-staging");
    assert_eq!(run.json()["request_id"], "6BF7:B56C:3E9F5B:4B3145:68401A7B");
    replay.finish();
}

/// The `status create` arguments that produce a recorded request body.
fn create_args(body: &Value) -> Vec<String> {
    let mut args = Vec::new();
    for (field, value) in body.as_object().unwrap() {
        let flag = format!("--{}", field.replace('_', "-"));
        let value = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        args.extend([flag, value]);
    }
    args
}

/// A response header recorded in a cassette.
fn recorded_header(cassette: &Cassette, interaction: usize, name: &str) -> String {
    cassette.interactions[interaction]
        .response
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
        .unwrap()
}

#[tokio::test]
async fn validation_failed_is_exit_3_with_message_docs_and_request_id() {
    // A request that passes the local checks (GitHub's limit on environment
    // names is not one of them): what the CLI shows is what GitHub said.
    let replay = ReplayServer::for_scenario("create-status-validation-failed")
        .await
        .unwrap();
    let cassette = replay.cassette().unwrap().clone();
    let request = cassette.interactions[0].request.body.clone().unwrap();
    let response = cassette.interactions[0].response.body.clone().unwrap();
    let run = against(&replay.base_url())
        .args(["status", "create", "octo-org/deploy-demo", "43"])
        .args(create_args(&request))
        .run()
        .await;
    let field_error = &response["errors"][0];
    run.expect_code(3).expect_stderr(&[
        "error: GitHub answered 422: Validation Failed [DeploymentStatus `",
        field_error["message"].as_str().unwrap(),
        &format!("(see {})", response["documentation_url"].as_str().unwrap()),
        &format!(
            "(request id {})",
            recorded_header(&cassette, 0, "x-github-request-id")
        ),
    ]);
    assert_eq!(run.stdout, "", "nothing on stdout on failure");
    replay.finish();
}

#[tokio::test]
async fn primary_rate_limit_is_exit_4() {
    let replay = ReplayServer::for_scenario("primary-rate-limit")
        .await
        .unwrap();
    let run = against(&replay.base_url())
        .args(["--no-retry", "status", "get", "octo-org/deploy-demo"])
        .args(["2847113390", "24691937563"])
        .run()
        .await;
    run.expect_code(4).expect_stderr(&[
        "primary rate limit, HTTP 403: API rate limit exceeded for user ID 1.",
        "the quota resets at 2026-03-11 ",
        "(see https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting)",
        "(request id 11F8:99C3:2DE6E4:C777AA:69B137CA)",
    ]);
    replay.finish();
}

#[tokio::test]
async fn bad_gateway_html_is_exit_5() {
    let replay = ReplayServer::for_scenario("bad-gateway-html")
        .await
        .unwrap();
    let run = against(&replay.base_url())
        .args([
            "--no-retry",
            "status",
            "get",
            "octo-org/deploy-demo",
            "42",
            "1187",
        ])
        .run()
        .await;
    run.expect_code(5)
        .expect_stderr(&["error: HTTP 502 with a non-JSON body", "502 Bad Gateway"]);
    replay.finish();
}

#[tokio::test]
async fn bad_credentials_is_exit_3_with_a_hint() {
    let replay = ReplayServer::for_scenario("bad-credentials").await.unwrap();
    let run = against(&replay.base_url())
        .args(["status", "get", "octo-org/deploy-demo", "42", "1187"])
        .run()
        .await;
    run.expect_code(3).expect_stderr(&[
        "GitHub answered 401: Bad credentials",
        "(request id B6D4:5CA2:1F7E49:1D5A90:68402E38)",
        "hint: GitHub refused the token",
    ]);
    replay.finish();
}

#[tokio::test]
async fn not_found_is_exit_3() {
    let replay = ReplayServer::for_scenario("get-status-not-found")
        .await
        .unwrap();
    let run = against(&replay.base_url())
        .args(["status", "get", "octo-org/deploy-demo", "42", "999999"])
        .run()
        .await;
    run.expect_code(3).expect_stderr(&[
        "GitHub answered 404: Not Found",
        "(see https://docs.github.com/enterprise-server@3.0/rest/reference/repos#get-a-deployment-status)",
    ]);
    replay.finish();
}

/// Asserts the server saw nothing, then marks it verified (its interactions
/// are deliberately unused).
fn assert_untouched(replay: ReplayServer) {
    assert!(
        replay.received().is_empty(),
        "requests were sent: {:?}",
        replay.received()
    );
    assert!(replay.verify().is_err(), "the interactions stay unused");
}

#[tokio::test]
async fn description_over_140_characters_is_refused_before_any_request() {
    let replay = ReplayServer::for_scenario("create-status").await.unwrap();
    let run = against(&replay.base_url())
        .args([
            "status",
            "create",
            "octo-org/deploy-demo",
            "43",
            "--state",
            "success",
        ])
        .args(["--description", &"é".repeat(141)])
        .run()
        .await;
    run.expect_code(2)
        .expect_stderr(&["invalid `--description`: 141 characters, at most 140 allowed"]);
    assert_untouched(replay);
}

#[tokio::test]
async fn bad_state_is_a_usage_error_naming_state() {
    let replay = ReplayServer::for_scenario("create-status").await.unwrap();
    let run = against(&replay.base_url())
        .args([
            "status",
            "create",
            "octo-org/deploy-demo",
            "43",
            "--state",
            "deployed",
        ])
        .run()
        .await;
    run.expect_code(2).expect_stderr(&[
        "invalid value 'deployed' for '--state <STATE>'",
        "in_progress",
    ]);
    assert_untouched(replay);
}

#[tokio::test]
async fn malformed_payload_is_refused_with_line_and_column() {
    let replay = ReplayServer::for_scenario("dispatch-with-payload")
        .await
        .unwrap();
    let run = against(&replay.base_url())
        .args(["dispatch", "octo-org/deploy-demo", "deploy-staging"])
        .args(["--payload", "{\"ref\": \"main\",\n \"sha\": }"])
        .run()
        .await;
    run.expect_code(2)
        .expect_stderr(&["invalid `--payload`: not valid JSON", "line 2 column"]);
    assert_untouched(replay);

    let replay = ReplayServer::for_scenario("dispatch-with-payload")
        .await
        .unwrap();
    let run = against(&replay.base_url())
        .args(["dispatch", "octo-org/deploy-demo", "deploy-staging"])
        .args(["--payload-file", "-"])
        .stdin(r#"["not", "an", "object"]"#)
        .run()
        .await;
    run.expect_code(2)
        .expect_stderr(&["invalid `--payload-file -`: must be a JSON object, got an array"]);
    assert_untouched(replay);
}

#[tokio::test]
async fn the_token_is_redacted_from_messages_that_would_contain_it() {
    // In the base URL (a config error, before any request).
    let api_url = format!("https://x-access-token:{TOKEN}@ghe.example.com");
    let run = common::octodeploy()
        .args(["--api-url", &api_url, "--token", TOKEN])
        .args(["status", "get", "octo-org/deploy-demo", "42", "1187"])
        .run()
        .await;
    run.expect_code(2).expect_stderr(&[
        "invalid base URL",
        "<redacted>",
        "credentials belong in the token",
    ]);

    // Echoed by clap: an environment token, pasted where the repository goes.
    let run = common::octodeploy()
        .env("GH_TOKEN", TOKEN)
        .args(["status", "get", TOKEN, "42", "1187"])
        .run()
        .await;
    run.expect_code(2)
        .expect_stderr(&["expected OWNER/REPO, got `<redacted>`"]);

    // Everything traced at -vvv, through a request and its error.
    let replay = ReplayServer::for_scenario("bad-credentials").await.unwrap();
    let run = against(&replay.base_url())
        .args([
            "-vvv",
            "status",
            "get",
            "octo-org/deploy-demo",
            "42",
            "1187",
        ])
        .run()
        .await;
    run.expect_code(3)
        .expect_stderr(&["github.request", "Bad credentials"]);
    replay.finish();
}
