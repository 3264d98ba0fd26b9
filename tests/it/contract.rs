//! Neither the recordings nor the fake server can drift from GitHub's
//! contract: every JSON response body in every cassette, and what the fake
//! answers through a whole lifecycle, validate against the fixed-up
//! fragment's schemas.

use octodeploy::{Client, State};
use octodeploy_fake::FakeGitHub;
use octodeploy_replay::contract::Contract;
use octodeploy_replay::{Cassette, cassette_dir, substitute_base};

#[test]
fn every_cassette_response_matches_the_contract() {
    let contract = Contract::load().unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(cassette_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let cassette = Cassette::load_path(&path).unwrap();
        for (i, interaction) in cassette.interactions.iter().enumerate() {
            let Some(body) = &interaction.response.body else {
                continue;
            };
            let body = substitute_base(body, "http://127.0.0.1:1");
            let req = &interaction.request;
            if let Err(e) =
                contract.validate(&req.method, &req.path, interaction.response.status, &body)
            {
                failures.push(format!("{} #{i}: {e}", cassette.scenario));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked >= 20, "only {checked} bodies checked");
}

#[test]
fn the_validator_rejects_a_body_that_breaks_the_contract() {
    let contract = Contract::load().unwrap();
    let cassette = Cassette::load("get-status").unwrap();
    let mut body = cassette.interactions[0].response.body.clone().unwrap();
    body.as_object_mut().unwrap().remove("deployment_url");
    body["id"] = serde_json::json!("1187");
    let err = contract
        .validate("GET", "/repos/o/r/deployments/1/statuses/2", 200, &body)
        .unwrap_err();
    assert!(
        err.contains("deployment_url") && err.contains("/id"),
        "{err}"
    );
}

/// The fake's responses across a lifecycle, checked as they come: creates,
/// lists (all states), gets, errors (422, 404), dispatch and delete.
#[tokio::test]
async fn the_fake_servers_responses_match_the_contract() {
    let contract = Contract::load().unwrap();
    let fake = FakeGitHub::builder()
        .seed(octodeploy_fake::Seed::Demo)
        .start()
        .await
        .unwrap();
    let client = Client::builder().base_url(fake.base_url()).build().unwrap();
    let repo = client.repo("octo-org", "deploy-demo");
    let d = repo.deployment(42);
    d.create_status(State::InProgress)
        .log_url("https://ci.example.com/1")
        .environment("production")
        .await
        .unwrap();
    d.create_status(State::Success)
        .description("done")
        .await
        .unwrap();
    repo.deployment(2)
        .create_status(State::Success)
        .await
        .unwrap();
    for id in [1, 2, 3, 42] {
        repo.deployment(id)
            .statuses()
            .per_page(2)
            .send()
            .await
            .unwrap();
        repo.deployment(id).statuses().send().await.unwrap();
    }
    d.status(1).await.ok();
    d.status(999_999).await.unwrap_err();
    repo.deployment(3).delete().await.unwrap_err();
    repo.dispatch("deploy")
        .payload(&serde_json::json!({"a": 1}))
        .await
        .unwrap();
    repo.deployment(1).delete().await.unwrap();

    // Every JSON response the fake gave, re-fetched raw through the request log.
    let http = reqwest::Client::new();
    let mut checked = 0;
    for req in fake.requests() {
        if req.method != "GET" {
            continue;
        }
        let url = format!(
            "{}{}{}",
            fake.root_url(),
            req.path,
            req.query
                .as_deref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default()
        );
        let resp = http.get(&url).send().await.unwrap();
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.unwrap();
        contract.validate("GET", &req.path, status, &body).unwrap();
        checked += 1;
    }
    assert!(checked >= 9, "{checked}");

    // POST and DELETE answers, sent raw so the bodies are at hand.
    let base = fake.base_url();
    let post =
        |path: &str, body: serde_json::Value| http.post(format!("{base}{path}")).json(&body).send();
    for (path, body) in [
        (
            "/repos/octo-org/deploy-demo/deployments/2/statuses",
            serde_json::json!({"state": "inactive"}),
        ),
        (
            "/repos/octo-org/deploy-demo/deployments/2/statuses",
            serde_json::json!({"state": "bogus"}),
        ),
        (
            "/repos/octo-org/deploy-demo/dispatches",
            serde_json::json!({"event_type": ""}),
        ),
    ] {
        let resp = post(path, body).await.unwrap();
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.unwrap();
        contract.validate("POST", path, status, &body).unwrap();
    }
    let resp = http
        .delete(format!("{base}/repos/octo-org/deploy-demo/deployments/3"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: serde_json::Value = resp.json().await.unwrap();
    contract
        .validate(
            "DELETE",
            "/repos/octo-org/deploy-demo/deployments/3",
            422,
            &body,
        )
        .unwrap();
}
