//! The binary on a real terminal (a pseudo-terminal from util-linux
//! `script`): tables by default, and `--all` progress on standard error.

use crate::common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::{BIN, TOKEN};
use octodeploy_fake::{DeploymentState, FakeGitHub, StatusSeed};
use tokio::process::Command;

const SCRIPT: &str = "/usr/bin/script";

/// Runs `octodeploy ARGS` with standard input, output and error on one
/// pseudo-terminal; returns its exit code and everything it printed.
async fn on_a_terminal(args: &[&str]) -> (i32, String) {
    let command = std::iter::once(BIN)
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let child = Command::new(SCRIPT)
        .env_clear()
        .env("TERM", "dumb")
        .env("NO_COLOR", "1")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("finished within 60 s")
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n");
    assert!(!text.contains(TOKEN), "the token was printed:\n{text}");
    (output.status.code().unwrap(), text)
}

#[tokio::test]
async fn tables_and_progress_on_a_terminal() {
    if !Path::new(SCRIPT).exists() {
        eprintln!("skipped: {SCRIPT} (util-linux) is not installed");
        return;
    }
    let fake = FakeGitHub::builder()
        .token(TOKEN)
        .repo("octo-org", "deploy-demo", |r| {
            r.deployment_with(42, "staging", |d| {
                d.statuses([
                    StatusSeed::new(DeploymentState::Queued),
                    StatusSeed::new(DeploymentState::InProgress),
                    StatusSeed::new(DeploymentState::Failure).description("Smoke tests failed"),
                    StatusSeed::new(DeploymentState::InProgress),
                    StatusSeed::new(DeploymentState::Success).description("Deployed 9b0c4e1"),
                ])
            })
        })
        .start()
        .await
        .unwrap();
    let base = fake.base_url();

    let (code, text) = on_a_terminal(&[
        "--api-url",
        &base,
        "--token",
        TOKEN,
        "status",
        "list",
        "octo-org/deploy-demo",
        "42",
        "--all",
        "--per-page",
        "2",
    ])
    .await;
    assert_eq!(code, 0, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.contains(&"fetched 4 statuses…") && lines.contains(&"fetched 5 statuses"),
        "progress after the pages beyond the first:\n{text}"
    );
    assert!(
        !lines.contains(&"fetched 2 statuses…"),
        "no progress for the first page:\n{text}"
    );
    let header = lines
        .iter()
        .position(|l| l.starts_with("ID  STATE "))
        .unwrap_or_else(|| panic!("a table by default on a terminal:\n{text}"));
    let rows = &lines[header + 1..];
    assert_eq!(rows.len(), 5, "{text}");
    assert!(
        rows[0].contains("success") && rows[0].ends_with("Deployed 9b0c4e1"),
        "{text}"
    );
    assert!(rows[4].contains("queued"), "{text}");

    // Everything on one page: no progress.
    let (code, text) = on_a_terminal(&[
        "--api-url",
        &base,
        "--token",
        TOKEN,
        "status",
        "list",
        "octo-org/deploy-demo",
        "42",
        "--all",
    ])
    .await;
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("fetched"), "{text}");

    // One page of several: a hint about the rest.
    let (code, text) = on_a_terminal(&[
        "--api-url",
        &base,
        "--token",
        TOKEN,
        "status",
        "list",
        "octo-org/deploy-demo",
        "42",
        "--per-page",
        "2",
    ])
    .await;
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("more statuses: --page 2, or --all for every page"),
        "{text}"
    );
}
