//! `deployment create|list|get|wait|prune` end to end: the real binary
//! against the in-memory GitHub — the flags as sent, each create outcome
//! and its exit code, `$GITHUB_OUTPUT` (and nothing outside Actions), wait's
//! exit codes 0/7/8, prune's plan and report, and `--help` examples.

use crate::common::{TOKEN, against, octodeploy};
use octodeploy_fake::{AutoMerge, CommitState, DeploymentState, FakeGitHub};
use serde_json::json;

const REPO: &str = "octo-org/app";

async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .token(TOKEN)
        .repo("octo-org", "app", |r| {
            r.deployment_with(1, "review-7", |d| {
                d.statuses([DeploymentState::Success, DeploymentState::Inactive])
            })
            .deployment_with(2, "review-7", |d| d.status(DeploymentState::Success))
            .deployment_with(3, "review-7", |d| d.status(DeploymentState::Failure))
            .deployment_with(4, "staging", |d| d.status(DeploymentState::InProgress))
        })
        .start()
        .await
        .unwrap()
}

fn temp_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("octodeploy-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("github_output");
    let _ = std::fs::remove_file(&file);
    file
}

#[tokio::test]
async fn create_sends_every_flag_and_writes_github_output() {
    let fake = fake().await;
    let output = temp_file("create");
    let run = against(&fake.base_url())
        .args([
            "deployment",
            "create",
            REPO,
            "--ref",
            "topic",
            "--environment",
            "review-8",
        ])
        .args(["--task", "deploy:review", "--description", "Preview of #8"])
        .args([
            "--payload",
            r#"{"pr": 8}"#,
            "--transient",
            "--no-production",
        ])
        .args(["--no-auto-merge", "--skip-checks"])
        .env("GITHUB_OUTPUT", output.to_str().unwrap())
        .run()
        .await;
    run.expect_code(0);
    let body = run.json();
    assert_eq!(body["outcome"], "created");
    assert_eq!(body["id"], 5);
    assert_eq!(body["environment"], "review-8");
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "deployment_id=5\n"
    );
    let sent = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        sent.json().unwrap(),
        json!({"auto_merge": false, "description": "Preview of #8", "environment": "review-8",
               "payload": {"pr": 8}, "production_environment": false, "ref": "topic",
               "required_contexts": [], "task": "deploy:review", "transient_environment": true})
    );

    // status create writes status_id.
    let run = against(&fake.base_url())
        .args(["status", "create", REPO, "5", "--state", "in_progress"])
        .env("GITHUB_OUTPUT", output.to_str().unwrap())
        .run()
        .await;
    run.expect_code(0);
    let id = run.json()["id"].as_i64().unwrap();
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        format!("deployment_id=5\nstatus_id={id}\n")
    );

    // Outside Actions nothing is written anywhere.
    fake.configure_repo("octo-org", "app", |r| {
        r.commit_status("ci/build", CommitState::Success)
    })
    .unwrap();
    let run = against(&fake.base_url())
        .args([
            "deployment",
            "create",
            REPO,
            "--ref",
            "main",
            "--required-context",
            "ci/build",
        ])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json()["id"], 6);
    assert!(std::fs::read_to_string(&output).unwrap().lines().count() == 2);
    let last = fake
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        last.json().unwrap(),
        json!({"ref": "main", "required_contexts": ["ci/build"]})
    );
}

#[tokio::test]
async fn create_outcomes_have_their_exit_codes() {
    let fake = fake().await;
    let output = temp_file("outcomes");
    fake.configure_repo("octo-org", "app", |r| r.auto_merge(AutoMerge::Merges))
        .unwrap();
    let run = against(&fake.base_url())
        .args(["deployment", "create", REPO, "--ref", "topic"])
        .env("GITHUB_OUTPUT", output.to_str().unwrap())
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(
        run.json(),
        json!({"outcome": "auto_merged", "message": "Auto-merged main into topic on deployment."})
    );
    assert!(!output.exists(), "no deployment, no deployment_id");

    fake.configure_repo("octo-org", "app", |r| {
        r.commit_status("security/scan", CommitState::Failure)
    })
    .unwrap();
    against(&fake.base_url())
        .args(["deployment", "create", REPO, "--ref", "topic"])
        .run()
        .await
        .expect_code(3)
        .expect_stderr(&["409", "security/scan is failure"]);

    against(&fake.base_url())
        .args([
            "deployment",
            "create",
            REPO,
            "--ref",
            "topic",
            "--payload",
            "[1]",
        ])
        .run()
        .await
        .expect_code(2)
        .expect_stderr(&["--payload"]);
    against(&fake.base_url())
        .args([
            "deployment",
            "create",
            REPO,
            "--ref",
            "x",
            "--production",
            "--no-production",
        ])
        .run()
        .await
        .expect_code(2);
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        2
    );
}

#[tokio::test]
async fn list_and_get() {
    let fake = fake().await;
    let run = against(&fake.base_url())
        .args([
            "deployment",
            "list",
            REPO,
            "--environment",
            "review-7",
            "--all",
            "--per-page",
            "2",
        ])
        .run()
        .await;
    run.expect_code(0);
    let ids: Vec<i64> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [3, 2, 1]);
    let run = against(&fake.base_url())
        .args([
            "deployment",
            "list",
            REPO,
            "--ref",
            "main",
            "--task",
            "deploy",
            "--per-page",
            "1",
            "--output",
            "table",
        ])
        .run()
        .await;
    run.expect_code(0);
    assert!(run.stdout.starts_with("ID  REF   SHA"), "{}", run.stdout);
    assert_eq!(run.stdout.lines().count(), 2);
    assert!(run.stderr.contains("--page 2"), "{}", run.stderr);
    let run = against(&fake.base_url())
        .args(["deployment", "get", REPO, "4"])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json()[0]["environment"], "staging");
    against(&fake.base_url())
        .args(["deployment", "get", REPO, "99"])
        .run()
        .await
        .expect_code(3);
}

#[tokio::test]
async fn wait_exit_codes() {
    let fake = fake().await;
    let run = against(&fake.base_url())
        .args(["deployment", "wait", REPO, "2"])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json()["state"], "success");
    assert!(
        run.stderr.contains(" success"),
        "progress on stderr: {}",
        run.stderr
    );
    against(&fake.base_url())
        .args(["deployment", "wait", REPO, "3"])
        .run()
        .await
        .expect_code(7)
        .expect_stderr(&["failure"]);
    against(&fake.base_url())
        .args(["deployment", "wait", REPO, "1"])
        .run()
        .await
        .expect_code(7)
        .expect_stderr(&["inactive"]);
    // In progress, and a time limit shorter than one poll interval: the
    // first poll happens, then the limit has passed.
    against(&fake.base_url())
        .args([
            "deployment",
            "wait",
            REPO,
            "4",
            "--timeout",
            "1ms",
            "--interval",
            "5s",
        ])
        .run()
        .await
        .expect_code(8)
        .expect_stderr(&["gave up waiting", "in_progress"]);
    against(&fake.base_url())
        .args(["deployment", "wait", REPO, "4", "--interval", "10ms"])
        .run()
        .await
        .expect_code(2)
        .expect_stderr(&["--interval"]);
}

#[tokio::test]
async fn prune_plans_and_reports() {
    let fake = fake().await;
    let run = against(&fake.base_url())
        .args([
            "deployment",
            "prune",
            REPO,
            "--environment",
            "review-7",
            "--dry-run",
        ])
        .run()
        .await;
    run.expect_code(0);
    let plan = run.json();
    assert_eq!(plan["keep"][0]["id"], 3);
    assert_eq!(plan["keep"][1]["reason"], "live");
    assert_eq!(
        plan["delete"],
        json!([{"id": 1, "state": "inactive", "deactivate": false}])
    );
    assert!(
        fake.deployment("octo-org", "app", 1).is_some(),
        "a dry run changes nothing"
    );

    let run = against(&fake.base_url())
        .args([
            "deployment",
            "prune",
            REPO,
            "--environment",
            "review-7",
            "--output",
            "table",
        ])
        .run()
        .await;
    run.expect_code(0);
    assert!(
        run.stdout.contains("2 kept, 1 deleted, 0 failed"),
        "{}",
        run.stdout
    );
    assert!(fake.deployment("octo-org", "app", 1).is_none());
}

#[tokio::test]
async fn every_deployment_command_has_help_examples() {
    for command in ["create", "list", "get", "wait", "prune", "delete"] {
        let run = octodeploy()
            .args(["deployment", command, "--help"])
            .run()
            .await;
        run.expect_code(0);
        assert!(
            run.stdout.contains("octodeploy deployment"),
            "{command}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("Example"), "{command}");
    }
    let wait = octodeploy()
        .args(["deployment", "wait", "--help"])
        .run()
        .await;
    assert!(wait.stdout.contains("--timeout") && wait.stdout.contains("--interval"));
    assert!(
        wait.stdout.contains("Exit 0 on success, 7"),
        "{}",
        wait.stdout
    );
}
