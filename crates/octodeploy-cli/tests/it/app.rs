//! The binary authenticating as a GitHub App against the fake acting as
//! GitHub for it: a bot configured only with its App id and key (flags or
//! environment) runs a deployment's lifecycle with short-lived tokens, and
//! errors say what is wrong; no token, JWT or key is ever printed.

use std::time::Duration;

use octodeploy_fake::{DeploymentState, FakeApp, FakeGitHub, TestAppKey};

use crate::common::{Cli, octodeploy};

struct Setup {
    fake: FakeGitHub,
    key: TestAppKey,
    dir: tempfile::TempDir,
}

impl Setup {
    async fn new() -> Setup {
        let key = TestAppKey::generate();
        let fake = FakeGitHub::builder()
            .github_app(
                FakeApp::new(4242, &key.public_pem)
                    .unwrap()
                    .installation_id(77)
                    .token_lifetime(Duration::from_secs(3)),
            )
            .repo("octo-org", "deploy-demo", |r| {
                r.deployment_with(41, "staging", |d| d.status(DeploymentState::Success))
                    .deployment(42, "staging")
            })
            .start()
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.pem"), &key.pkcs1_pem).unwrap();
        std::fs::write(dir.path().join("pkcs8.pem"), &key.pkcs8_pem).unwrap();
        std::fs::write(dir.path().join("garbage.pem"), "ghp_notakey").unwrap();
        Setup { fake, key, dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    /// `octodeploy --api-url FAKE` that must not print a token, a JWT or the key.
    fn cli(&self) -> Cli {
        let key_line = self.key.pkcs1_pem.lines().nth(2).unwrap().to_owned();
        octodeploy()
            .args(["--api-url", &self.fake.base_url()])
            .secret("ghs_")
            .secret("eyJ")
            .secret(&key_line)
    }

    fn with_flags(&self) -> Cli {
        self.cli().args([
            "--app-id",
            "4242",
            "--app-private-key",
            &self.path("app.pem"),
        ])
    }
}

#[tokio::test]
async fn a_bot_with_only_its_app_id_and_key_runs_the_lifecycle() {
    let s = Setup::new().await;
    let repo = "octo-org/deploy-demo";
    s.with_flags()
        .args(["status", "create", repo, "42", "--state", "in_progress"])
        .run()
        .await
        .expect_code(0);
    s.with_flags()
        .args([
            "status",
            "create",
            repo,
            "42",
            "--state",
            "success",
            "--environment",
            "staging",
        ])
        .run()
        .await
        .expect_code(0);
    let run = s
        .with_flags()
        .args(["status", "list", repo, "42", "--all", "--per-page", "1"])
        .run()
        .await;
    run.expect_code(0);
    assert_eq!(run.json().as_array().unwrap().len(), 2);
    // The environment instead of flags, a PKCS#8 key, a given installation.
    s.cli()
        .env("GITHUB_APP_ID", "4242")
        .env("GITHUB_APP_PRIVATE_KEY_PATH", &s.path("pkcs8.pem"))
        .env("GITHUB_APP_INSTALLATION_ID", "77")
        .args(["dispatch", repo, "deployed"])
        .run()
        .await
        .expect_code(0);
    // The key's contents in the environment, with -vvv logging everything.
    s.cli()
        .env("GITHUB_APP_ID", "4242")
        .env("GITHUB_APP_PRIVATE_KEY", &s.key.pkcs1_pem)
        .args(["-vvv", "deployment", "delete", repo, "41"])
        .run()
        .await
        .expect_code(0);
    assert_eq!(s.fake.dispatches().len(), 1);
    assert!(s.fake.deployment("octo-org", "deploy-demo", 41).is_none());
    // One token per process; the installation looked up where not given.
    assert_eq!(s.fake.github_app().unwrap().tokens_issued(), 5);
    let lookups = s
        .fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/installation"))
        .count();
    assert_eq!(lookups, 4);
    assert!(s.fake.requests().iter().all(|r| r.status != 401));
}

#[tokio::test]
async fn errors_say_what_is_wrong() {
    let s = Setup::new().await;
    // A key that does not parse: usage error, nothing sent.
    s.cli()
        .args([
            "--app-id",
            "4242",
            "--app-private-key",
            &s.path("garbage.pem"),
        ])
        .args(["dispatch", "octo-org/deploy-demo", "x"])
        .secret("ghp_notakey")
        .run()
        .await
        .expect_code(2)
        .expect_stderr(&["the GitHub App private key does not parse", "not PEM"]);
    s.cli()
        .args([
            "--app-id",
            "4242",
            "--app-private-key",
            &s.path("missing.pem"),
        ])
        .args(["dispatch", "octo-org/deploy-demo", "x"])
        .run()
        .await
        .expect_code(2)
        .expect_stderr(&["cannot read", "missing.pem"]);
    s.cli()
        .env("GITHUB_APP_ID", "4242")
        .args(["dispatch", "octo-org/deploy-demo", "x"])
        .run()
        .await
        .expect_code(2)
        .expect_stderr(&["GITHUB_APP_PRIVATE_KEY"]);
    assert!(s.fake.requests().is_empty());

    // Not installed on the repository.
    s.with_flags()
        .args(["dispatch", "octo-org/elsewhere", "x"])
        .run()
        .await
        .expect_code(3)
        .expect_stderr(&["not installed on octo-org/elsewhere"]);
    // Another App's key.
    let other = TestAppKey::generate();
    std::fs::write(s.dir.path().join("other.pem"), &other.pkcs1_pem).unwrap();
    s.cli()
        .args([
            "--app-id",
            "4242",
            "--app-private-key",
            &s.path("other.pem"),
        ])
        .args(["dispatch", "octo-org/deploy-demo", "x"])
        .run()
        .await
        .expect_code(3)
        .expect_stderr(&["GitHub refused the App's JWT", "check the App id"]);
    assert!(s.fake.dispatches().is_empty());
}

#[tokio::test]
async fn a_refusal_names_the_app_and_an_ambiguous_token_exchange_is_no_unknown_outcome() {
    let s = Setup::new().await;
    let repo = "octo-org/deploy-demo";
    // Tokens that expire as they are issued: GitHub refuses the App's
    // installation token, and the fresh one too.
    s.fake
        .github_app()
        .unwrap()
        .set_token_lifetime(Duration::ZERO);
    let run = s
        .with_flags()
        .env("GH_TOKEN", "ghp_unused_while_an_app_is_set")
        .secret("ghp_unused_while_an_app_is_set")
        .args(["status", "list", repo, "42"])
        .run()
        .await;
    run.expect_code(3).expect_stderr(&[
        "401",
        "hint: GitHub refused the installation token of the GitHub App (App id from --app-id)",
        "--app-private-key",
    ]);
    assert!(
        !run.stderr.contains("refused the token from"),
        "{}",
        run.stderr
    );
    s.fake
        .github_app()
        .unwrap()
        .set_token_lifetime(Duration::from_secs(3600));

    // The token exchange answered 502: the command's own POST was never
    // sent, so this is a failure of the server (5), not an unknown outcome (6).
    s.fake.clear_requests();
    s.fake.faults().bad_gateway(1);
    let run = s
        .cli()
        .env("GITHUB_APP_ID", "4242")
        .env("GITHUB_APP_PRIVATE_KEY_PATH", &s.path("app.pem"))
        .env("GITHUB_APP_INSTALLATION_ID", "77")
        .args(["status", "create", repo, "42", "--state", "success"])
        .run()
        .await;
    run.expect_code(5).expect_stderr(&[
        "POST /app/installations/{installation_id}/access_tokens (create a GitHub App installation token)",
        "asking for another one is safe",
    ]);
    assert!(
        !run.stderr.contains("do not just run the command again"),
        "{}",
        run.stderr
    );
    let sent: Vec<String> = s.fake.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(sent.len(), 1, "only the exchange: {sent:?}");
}
