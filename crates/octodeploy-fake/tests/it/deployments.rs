//! Creating, listing and getting deployments: GitHub's shape and headers,
//! increasing ids, the 201/202/409/422 outcomes switchable per repository,
//! filters and `Link` pagination, `etag`/304 without using quota, and the
//! scripted deployer under paused time.

use std::time::Duration;

use crate::common::{client, get, post, send};
use octodeploy_fake::{AutoMerge, CommitState, Deployer, DeploymentState, FakeGitHub};
use serde_json::{Value, json};

fn deployments_url(base: &str, owner: &str, repo: &str) -> String {
    format!("{base}/repos/{owner}/{repo}/deployments")
}

async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .repo("octo-org", "app", |r| r)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn created_deployment_has_githubs_shape_headers_and_increasing_ids() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "app", |r| r.deployment(41, "staging"))
        .start()
        .await
        .unwrap();
    let base = fake.base_url();
    let c = client();
    let url = deployments_url(&base, "octo-org", "app");
    let resp = post(
        &c,
        &url,
        &json!({"ref": "topic-branch", "payload": {"deploy": "migrate"}, "description": "Deploy request from hubot"}),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    assert_eq!(
        resp.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let body = resp.json();
    assert_eq!(body["id"], 42, "ids continue after the highest seeded one");
    let self_url = format!("{url}/42");
    assert_eq!(body["url"], self_url.as_str());
    assert_eq!(resp.header("location"), Some(self_url.as_str()));
    assert_eq!(
        body["statuses_url"],
        format!("{self_url}/statuses").as_str()
    );
    assert_eq!(
        body["repository_url"],
        format!("{base}/repos/octo-org/app").as_str()
    );
    assert_eq!(body["node_id"], "MDEwOkRlcGxveW1lbnQ0Mg==");
    assert_eq!(body["ref"], "topic-branch");
    assert_eq!(body["sha"].as_str().unwrap().len(), 40);
    assert_eq!(body["task"], "deploy");
    assert_eq!(body["environment"], "production");
    assert_eq!(body["original_environment"], "production");
    assert_eq!(body["production_environment"], true);
    assert_eq!(body["transient_environment"], false);
    assert_eq!(body["payload"], json!({"deploy": "migrate"}));
    assert_eq!(body["description"], "Deploy request from hubot");
    assert_eq!(body["creator"]["login"], "octocat");
    assert!(body["performed_via_github_app"].is_null());
    assert_eq!(body["created_at"], body["updated_at"]);
    for key in [
        "x-github-request-id",
        "x-ratelimit-remaining",
        "x-github-media-type",
    ] {
        assert!(resp.header(key).is_some(), "{key}");
    }

    let second = post(
        &c,
        &url,
        &json!({"ref": "main", "environment": "review-7", "transient_environment": true,
                "payload": "{ \"deploy\": \"migrate\" }", "task": "deploy:migrations"}),
    )
    .await
    .json();
    assert_eq!(second["id"], 43);
    assert_eq!(
        second["payload"], "{ \"deploy\": \"migrate\" }",
        "a string payload stays a string"
    );
    assert_eq!(second["production_environment"], false);
    assert_eq!(second["transient_environment"], true);
    assert_eq!(second["task"], "deploy:migrations");
    assert!(second["description"].is_null());
    let snapshot = fake.deployment("octo-org", "app", 43).unwrap();
    assert_eq!(snapshot.environment, "review-7");
    assert!(snapshot.statuses.is_empty());
}

#[tokio::test]
async fn auto_merge_answers_202_once_then_creates() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "app", |r| r.auto_merge(AutoMerge::Merges))
        .start()
        .await
        .unwrap();
    let c = client();
    let url = deployments_url(&fake.base_url(), "octo-org", "app");
    let merged = post(&c, &url, &json!({"ref": "topic"})).await;
    assert_eq!(merged.status, 202, "{}", merged.text);
    assert_eq!(
        merged.json(),
        json!({"message": "Auto-merged main into topic on deployment."})
    );
    assert!(
        fake.deployment("octo-org", "app", 1).is_none(),
        "a 202 creates nothing"
    );
    let created = post(&c, &url, &json!({"ref": "topic"})).await;
    assert_eq!(created.status, 201, "now up to date: {}", created.text);
    assert_eq!(created.json()["id"], 1);

    fake.configure_repo("octo-org", "app", |r| r.auto_merge(AutoMerge::Merges))
        .unwrap();
    let no_merge = post(&c, &url, &json!({"ref": "topic", "auto_merge": false})).await;
    assert_eq!(no_merge.status, 201, "auto_merge: false skips the merge");
}

#[tokio::test]
async fn conflicts_and_failed_contexts_answer_409() {
    let fake = fake().await;
    let c = client();
    let url = deployments_url(&fake.base_url(), "octo-org", "app");
    fake.configure_repo("octo-org", "app", |r| r.auto_merge(AutoMerge::Conflicts))
        .unwrap();
    let conflict = post(&c, &url, &json!({"ref": "topic"})).await;
    assert_eq!(conflict.status, 409);
    assert_eq!(
        conflict.json()["message"],
        "Conflict merging main into topic."
    );

    fake.configure_repo("octo-org", "app", |r| {
        r.auto_merge(AutoMerge::UpToDate)
            .commit_status("ci/build", CommitState::Success)
            .commit_status("security/scan", CommitState::Failure)
    })
    .unwrap();
    let failed = post(&c, &url, &json!({"ref": "topic"})).await;
    assert_eq!(failed.status, 409, "{}", failed.text);
    let body = failed.json();
    assert_eq!(
        body["message"],
        "Conflict: Commit status checks failed for topic."
    );
    assert_eq!(body["errors"][0]["field"], "required_contexts");
    assert_eq!(
        body["errors"][0]["contexts"],
        json!([{"context": "ci/build", "state": "success"}, {"context": "security/scan", "state": "failure"}])
    );
    let chosen = post(
        &c,
        &url,
        &json!({"ref": "topic", "required_contexts": ["ci/build"]}),
    )
    .await;
    assert_eq!(chosen.status, 201);
    let skipped = post(&c, &url, &json!({"ref": "topic", "required_contexts": []})).await;
    assert_eq!(skipped.status, 201, "an empty list skips the checks");
}

#[tokio::test]
async fn invalid_bodies_and_unknown_refs_answer_422() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "app", |r| r.git_ref("main", "a".repeat(40)))
        .start()
        .await
        .unwrap();
    let c = client();
    let url = deployments_url(&fake.base_url(), "octo-org", "app");
    let missing = post(&c, &url, &json!({"environment": "qa"})).await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.json()["message"],
        "Invalid request.\n\n\"ref\" wasn't supplied."
    );
    let wrong = post(&c, &url, &json!({"ref": "main", "payload": 3})).await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.json()["message"]
            .as_str()
            .unwrap()
            .contains("'properties/payload'")
    );
    let no_ref = post(&c, &url, &json!({"ref": "nope"})).await;
    assert_eq!(no_ref.status, 422);
    assert_eq!(no_ref.json()["message"], "No ref found for: nope");
    let ok = post(&c, &url, &json!({"ref": "main"})).await;
    assert_eq!(ok.json()["sha"], "a".repeat(40));
    let unknown = post(
        &c,
        &deployments_url(&fake.base_url(), "octo-org", "nope"),
        &json!({"ref": "main"}),
    )
    .await;
    assert_eq!(unknown.status, 404);
    let broken = send(c.post(&url).body("{")).await;
    assert_eq!(broken.status, 400);
}

#[tokio::test]
async fn list_filters_and_follows_links_newest_first() {
    let fake = fake().await;
    let c = client();
    let url = deployments_url(&fake.base_url(), "octo-org", "app");
    for (git_ref, env, task) in [
        ("main", "staging", "deploy"),
        ("main", "production", "deploy"),
        ("topic", "staging", "deploy:migrations"),
        ("main", "staging", "deploy"),
        ("topic", "review-1", "deploy"),
    ] {
        let r = post(
            &c,
            &url,
            &json!({"ref": git_ref, "environment": env, "task": task}),
        )
        .await;
        assert_eq!(r.status, 201);
    }
    let mut ids = Vec::new();
    let mut next = Some(format!("{url}?environment=staging&per_page=2"));
    let mut pages = 0;
    while let Some(page_url) = next {
        let page = get(&c, &page_url).await;
        assert_eq!(page.status, 200);
        ids.extend(
            page.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_u64().unwrap()),
        );
        next = page.link("next");
        pages += 1;
    }
    assert_eq!((ids, pages), (vec![4, 3, 1], 2));
    let first = get(&c, &format!("{url}?environment=staging&per_page=2")).await;
    assert_eq!(
        first.link("last").as_deref(),
        Some(format!("{url}?environment=staging&per_page=2&page=2").as_str())
    );

    let ids_of = |v: Value| -> Vec<u64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        ids_of(get(&c, &format!("{url}?ref=topic")).await.json()),
        [5, 3]
    );
    assert_eq!(
        ids_of(
            get(&c, &format!("{url}?task=deploy:migrations"))
                .await
                .json()
        ),
        [3]
    );
    let sha = get(&c, &format!("{url}/5")).await.json()["sha"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ids_of(get(&c, &format!("{url}?sha={sha}")).await.json()),
        [5, 3]
    );
    assert_eq!(
        ids_of(get(&c, &format!("{url}?environment=none")).await.json()).len(),
        5
    );
    assert!(
        get(&c, &url).await.header("link").is_none(),
        "one page: no Link"
    );
}

#[tokio::test]
async fn get_answers_the_deployment_or_404() {
    let fake = fake().await;
    let c = client();
    let url = deployments_url(&fake.base_url(), "octo-org", "app");
    let created = post(&c, &url, &json!({"ref": "main"})).await.json();
    let got = get(&c, &format!("{url}/1")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), created);
    assert_eq!(get(&c, &format!("{url}/2")).await.status, 404);
    assert_eq!(get(&c, &format!("{url}/x")).await.status, 404);
}

#[tokio::test]
async fn etag_and_304_do_not_use_quota() {
    let fake = fake().await;
    let c = client();
    let url = deployments_url(&fake.base_url(), "octo-org", "app");
    post(&c, &url, &json!({"ref": "main"})).await;
    for target in [
        url.clone(),
        format!("{url}/1"),
        format!("{url}/1/statuses?per_page=1"),
    ] {
        let first = get(&c, &target).await;
        let tag = first.header("etag").expect("etag on every GET").to_owned();
        let remaining = first.header_num("x-ratelimit-remaining");
        let again = send(c.get(&target).header("if-none-match", &tag)).await;
        assert_eq!(again.status, 304, "{target}");
        assert!(again.text.is_empty());
        assert_eq!(
            again.header_num("x-ratelimit-remaining"),
            remaining,
            "a 304 is free"
        );
        let after = get(&c, &target).await;
        assert_eq!(after.header_num("x-ratelimit-remaining"), remaining - 1);
    }
    // A change makes the old tag stale.
    let status_url = format!("{url}/1/statuses?per_page=1");
    let tag = get(&c, &status_url)
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    post(
        &c,
        &format!("{url}/1/statuses"),
        &json!({"state": "in_progress"}),
    )
    .await;
    let changed = send(c.get(&status_url).header("if-none-match", &tag)).await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.json()[0]["state"], "in_progress");
}

#[tokio::test]
async fn created_deployments_follow_auto_inactive_and_the_delete_rule() {
    let fake = fake().await;
    let c = client();
    let url = deployments_url(&fake.base_url(), "octo-org", "app");
    for body in [
        json!({"ref": "a", "environment": "staging"}),
        json!({"ref": "b", "environment": "staging", "transient_environment": true}),
        json!({"ref": "c", "environment": "staging"}),
    ] {
        post(&c, &url, &body).await;
    }
    for id in [1, 2, 3] {
        post(
            &c,
            &format!("{url}/{id}/statuses"),
            &json!({"state": "success"}),
        )
        .await;
    }
    let state = |id| fake.deployment("octo-org", "app", id).unwrap().state;
    assert_eq!(state(1), Some(DeploymentState::Inactive), "superseded by 3");
    assert_eq!(
        state(2),
        Some(DeploymentState::Success),
        "transient: left alone"
    );
    assert_eq!(state(3), Some(DeploymentState::Success));
    assert_eq!(
        crate::common::delete(&c, &format!("{url}/1")).await.status,
        204
    );
    assert_eq!(
        crate::common::delete(&c, &format!("{url}/3")).await.status,
        422
    );
    let next = post(&c, &url, &json!({"ref": "d"})).await.json();
    assert_eq!(next["id"], 4, "a deleted id is never handed out again");
}

#[tokio::test(start_paused = true)]
async fn the_deployer_reports_statuses_on_a_schedule() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "app", |r| r.deployment(7, "staging"))
        .deployer(
            Deployer::new()
                .step(Duration::from_secs(1), DeploymentState::InProgress)
                .step(Duration::from_secs(5), DeploymentState::Success),
        )
        .start()
        .await
        .unwrap();
    let c = client();
    let url = deployments_url(&fake.base_url(), "octo-org", "app");
    let id = post(&c, &url, &json!({"ref": "main", "environment": "staging"}))
        .await
        .json()["id"]
        .as_u64()
        .unwrap();
    let states = |id| -> Vec<DeploymentState> {
        fake.deployment("octo-org", "app", id)
            .unwrap()
            .statuses
            .iter()
            .map(|s| s.state)
            .collect()
    };
    assert!(states(id).is_empty());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(states(id), [DeploymentState::InProgress]);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        states(id),
        [DeploymentState::InProgress, DeploymentState::Success]
    );
    assert!(
        states(7).is_empty(),
        "seeded deployments are not scripted unless named"
    );
}

#[tokio::test(start_paused = true)]
async fn the_deployer_can_run_on_chosen_deployments_only() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "app", |r| {
            r.deployment(7, "staging").deployment(8, "staging")
        })
        .deployer(
            Deployer::new()
                .step(Duration::ZERO, DeploymentState::Queued)
                .step(Duration::from_secs(2), DeploymentState::Failure)
                .only([7]),
        )
        .start()
        .await
        .unwrap();
    let c = client();
    let url = deployments_url(&fake.base_url(), "octo-org", "app");
    let created = post(&c, &url, &json!({"ref": "main"})).await.json();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let snapshot = fake.deployment("octo-org", "app", 7).unwrap();
    assert_eq!(snapshot.state, Some(DeploymentState::Failure));
    assert_eq!(snapshot.statuses.len(), 2);
    assert!(
        fake.deployment("octo-org", "app", 8)
            .unwrap()
            .statuses
            .is_empty()
    );
    let new_id = created["id"].as_u64().unwrap();
    assert!(
        fake.deployment("octo-org", "app", new_id)
            .unwrap()
            .statuses
            .is_empty()
    );
}
