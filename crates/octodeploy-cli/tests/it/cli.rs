//! The binary without a server: completions, help texts, version and usage
//! errors.

use crate::common;

use common::octodeploy;

#[tokio::test]
async fn completions_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let run = octodeploy().args(["completions", shell]).run().await;
        run.expect_code(0);
        assert!(run.stdout.len() > 500, "{shell}: {}", run.stdout);
        for word in [
            "octodeploy",
            "status",
            "dispatch",
            "payload-file",
            "in_progress",
        ] {
            assert!(run.stdout.contains(word), "{shell} completion lacks {word}");
        }
        assert_eq!(run.stderr, "");
    }
    let run = octodeploy().args(["completions", "tcsh"]).run().await;
    run.expect_code(2).expect_stderr(&["invalid value 'tcsh'"]);
}

#[tokio::test]
async fn help_documents_exit_codes_environment_and_examples() {
    let run = octodeploy().args(["--help"]).run().await;
    run.expect_code(0);
    for needle in [
        "Exit codes:",
        "  0  success",
        "  2  usage error or invalid input",
        "  3  GitHub rejected the request",
        "  4  rate limited",
        "  5  server or transport failure",
        "  6  outcome unknown",
        "  7  `deployment wait`: the deployment reached a failed terminal state",
        "  8  `deployment wait`: the time limit passed",
        "GITHUB_API_URL",
        "GH_ENTERPRISE_TOKEN",
        "Examples:",
        "--no-retry",
    ] {
        assert!(run.stdout.contains(needle), "--help lacks {needle:?}");
    }

    let commands: [&[&str]; 6] = [
        &["status", "list"],
        &["status", "get"],
        &["status", "create"],
        &["deployment", "delete"],
        &["dispatch"],
        &["completions"],
    ];
    for command in commands {
        let run = octodeploy().args(command).args(["--help"]).run().await;
        run.expect_code(0);
        let example = format!("octodeploy {}", command.join(" "));
        assert!(
            run.stdout.contains("Example") && run.stdout.contains(&example),
            "{example} --help has no example:\n{}",
            run.stdout
        );
    }

    let run = octodeploy()
        .args(["status", "create", "--help"])
        .run()
        .await;
    for state in octodeploy::State::KNOWN {
        assert!(
            run.stdout.contains(state.as_str()),
            "--state values lack {state}"
        );
    }
}

#[tokio::test]
async fn version() {
    let run = octodeploy().args(["--version"]).run().await;
    run.expect_code(0);
    assert_eq!(
        run.stdout.trim(),
        format!("octodeploy {}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["status"][..],
        &["status", "get", "octo-org/app", "42"][..],
        &["status", "create", "octo-org/app", "42"][..],
        &["status", "list", "octo-org/app", "0"][..],
        &["deploy"][..],
        &["--output", "yaml", "status", "get", "o/r", "1", "2"][..],
        &["--api-url", "", "status", "get", "o/r", "1", "2"][..],
    ] {
        let run = octodeploy().args(args).run().await;
        run.expect_code(2);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(run.stderr.contains("error:"), "{args:?}: {}", run.stderr);
    }
}

#[tokio::test]
async fn an_unusable_api_url_is_a_usage_error() {
    let run = octodeploy()
        .args(["--api-url", "http://ghe.example.com"])
        .args(["status", "get", "octo-org/app", "42", "1"])
        .run()
        .await;
    run.expect_code(2)
        .expect_stderr(&["error: invalid base URL `http://ghe.example.com`"]);
}

#[tokio::test]
async fn a_gh_host_that_is_not_a_host_is_a_usage_error() {
    let run = octodeploy()
        .env("GH_HOST", "ghe.example.com/api/v3")
        .args(["status", "get", "octo-org/app", "42", "1"])
        .run()
        .await;
    run.expect_code(2).expect_stderr(&[
        "error: GH_HOST \"ghe.example.com/api/v3\" is not a host name like ghe.example.com",
    ]);
}

#[test]
fn a_closed_standard_output_is_not_an_error() {
    // `octodeploy ... | head -1`: the reader leaves early.
    let mut child = std::process::Command::new(common::BIN)
        .env_clear()
        .args(["completions", "zsh"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stderr.is_empty());
}
