//! Seeding (builder, runtime additions, the built-in `demo` seed), the
//! README's lifecycle against the demo seed, and the binary.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{client, delete, deployment_url, get, post, statuses_url};
use octodeploy_fake::{DeploymentState, FakeError, FakeGitHub, Seed, SeedError, StatusSeed};
use serde_json::json;

#[tokio::test]
async fn the_demo_seed_is_as_documented() {
    let fake = FakeGitHub::builder()
        .seed(Seed::Demo)
        .start()
        .await
        .unwrap();
    let d = |owner: &str, repo: &str, id| fake.deployment(owner, repo, id).unwrap();
    use DeploymentState::*;
    let states = |owner: &str, repo: &str, id| -> Vec<DeploymentState> {
        d(owner, repo, id)
            .statuses
            .iter()
            .map(|s| s.state)
            .collect()
    };
    assert_eq!(
        states("octo-org", "deploy-demo", 1),
        [Queued, InProgress, Success, Inactive]
    );
    assert_eq!(states("octo-org", "deploy-demo", 2), [InProgress, Success]);
    assert_eq!(states("octo-org", "deploy-demo", 3), [InProgress, Success]);
    assert!(states("octo-org", "deploy-demo", 42).is_empty());
    assert_eq!(states("octocat", "hello-world", 7), [Failure]);
    assert!(d("octo-org", "deploy-demo", 3).production_environment);
    assert!(d("octo-org", "deploy-demo", 42).production_environment);
    assert!(!d("octo-org", "deploy-demo", 2).production_environment);
    assert!(d("octocat", "hello-world", 7).transient_environment);
    let ids: Vec<u64> = [1, 2, 3]
        .iter()
        .flat_map(|id| d("octo-org", "deploy-demo", *id).statuses)
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, (1..=8).collect::<Vec<_>>());
    assert_eq!(d("octocat", "hello-world", 7).statuses[0].id, 9);
}

/// The README's "try it without GitHub" walk-through, over raw HTTP.
#[tokio::test]
async fn readme_lifecycle_against_the_demo_seed() {
    let fake = FakeGitHub::builder()
        .seed(Seed::Demo)
        .token("demo-token")
        .start()
        .await
        .unwrap();
    let base = fake.base_url();
    let c = client();
    let auth = |r: reqwest::RequestBuilder| r.bearer_auth("demo-token");
    let statuses = statuses_url(&base, "octo-org", "deploy-demo", 42);

    let resp = common::send(auth(c.post(&statuses)).json(&json!({
        "state": "in_progress", "log_url": "https://ci.example.com/runs/1"
    })))
    .await;
    assert_eq!(resp.status, 201);
    assert_eq!(resp.json()["id"], 10);
    let resp = common::send(auth(c.post(&statuses)).json(&json!({
        "state": "success", "environment_url": "https://deploy-demo.example.com/"
    })))
    .await;
    assert_eq!(resp.status, 201);
    assert_eq!(
        fake.deployment("octo-org", "deploy-demo", 3).unwrap().state,
        Some(DeploymentState::Success),
        "production deployments are exempt from auto_inactive"
    );

    let list = common::send(auth(c.get(&statuses))).await.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["state"], "success");

    let url = deployment_url(&base, "octo-org", "deploy-demo", 42);
    assert_eq!(common::send(auth(c.delete(&url))).await.status, 422);
    let resp = common::send(auth(c.post(&statuses)).json(&json!({"state": "inactive"}))).await;
    assert_eq!(resp.status, 201);
    assert_eq!(common::send(auth(c.delete(&url))).await.status, 204);

    let resp = common::send(
        auth(c.post(format!("{base}/repos/octo-org/deploy-demo/dispatches")))
            .json(&json!({"event_type": "deployed", "client_payload": {"deployment": 42}})),
    )
    .await;
    assert_eq!(resp.status, 204);
    assert_eq!(fake.dispatches()[0].event_type, "deployed");
}

#[tokio::test]
async fn bad_seeds_are_refused() {
    let duplicate = FakeGitHub::builder()
        .repo("a", "one", |r| r.deployment(1, "qa"))
        .repo("a", "two", |r| r.deployment(1, "qa"))
        .start()
        .await;
    assert!(matches!(
        duplicate,
        Err(FakeError::Seed(SeedError::DuplicateDeployment(1)))
    ));
    let bad_name = FakeGitHub::builder().repo("a b", "c", |r| r).start().await;
    assert!(matches!(
        bad_name,
        Err(FakeError::Seed(SeedError::BadName(_)))
    ));
    let zero = FakeGitHub::builder()
        .repo("a", "c", |r| r.deployment(0, "qa"))
        .start()
        .await;
    assert!(matches!(
        zero,
        Err(FakeError::Seed(SeedError::ZeroDeployment))
    ));
    // The source is kept.
    let error = FakeGitHub::builder()
        .repo("a", "c", |r| r.deployment(1, ""))
        .start()
        .await
        .unwrap_err();
    assert!(std::error::Error::source(&error).is_some());
}

#[tokio::test]
async fn repositories_can_be_added_while_running() {
    let fake = FakeGitHub::start().await.unwrap();
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "late", 5);
    assert_eq!(get(&c, &url).await.status, 404);
    fake.add_repo("octo-org", "late", |r| {
        r.deployment_with(5, "qa", |d| {
            d.status(StatusSeed::new(DeploymentState::Success).description("seeded"))
        })
    })
    .unwrap();
    let resp = get(&c, &url).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()[0]["description"], "seeded");
    // All or nothing: the duplicate id 5 rejects the whole addition.
    let refused = fake.add_repo("octo-org", "late", |r| {
        r.deployment(6, "qa").deployment(5, "qa")
    });
    assert!(refused.is_err());
    assert!(fake.deployment("octo-org", "late", 6).is_none());
    assert_eq!(
        delete(&c, &deployment_url(&fake.base_url(), "octo-org", "late", 5))
            .await
            .status,
        204
    );
    let resp = post(&c, &url, &json!({"state": "success"})).await;
    assert_eq!(resp.status, 404);
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let fake = FakeGitHub::start().await.unwrap();
    let root = fake.root_url();
    fake.shutdown().await;
    let c = client();
    assert!(
        c.get(format!("{root}/repos/a/b/dispatches"))
            .send()
            .await
            .is_err()
    );
}

/// The binary, killed (by its own pid) if a test fails half-way.
struct Server {
    child: Option<Child>,
    base: String,
}

impl Server {
    /// Starts `octodeploy-fake --port 0 <args>` and reads the base URL it
    /// prints.
    async fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_octodeploy-fake"))
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut server = Server {
            child: Some(child),
            base: String::new(),
        };
        server.base = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).unwrap();
            line.trim().to_owned()
        })
        .await
        .unwrap();
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::test]
async fn the_binary_prints_its_base_url_and_serves_the_demo_seed() {
    let server = Server::start(&["--seed", "demo", "--quiet"]).await;
    let base = &server.base;
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(base.ends_with("/api/v3"), "{base}");
    let resp = get(&client(), &statuses_url(base, "octo-org", "deploy-demo", 2)).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()[0]["state"], "success");
}

#[cfg(unix)]
#[tokio::test]
async fn the_binary_stops_cleanly_on_sigterm() {
    let mut server = Server::start(&["--seed", "empty", "--token", "t"]).await;
    let resp = get(
        &client(),
        &statuses_url(&server.base, "octo-org", "deploy-demo", 2),
    )
    .await;
    assert_eq!(resp.status, 401, "--token is enforced");
    let mut child = server.child.take().unwrap();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "{status:?}");
}
