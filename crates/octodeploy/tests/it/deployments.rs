//! Creating, listing and getting deployments against the in-memory GitHub:
//! every outcome GitHub types (201, 202, 409 with contexts, 422), the body
//! as sent (previews, an empty `required_contexts`, payload object or
//! string), no repeat after an ambiguous failure, filters and pagination.

use std::sync::Arc;

use futures::TryStreamExt;
use octodeploy::{ConflictKind, CreateOutcome, Error};
use octodeploy_fake::{AutoMerge, CommitState, FakeGitHub};
use serde_json::json;

use crate::lifecycle_support::client;

async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .token("fake-token")
        .repo("octo-org", "app", |r| r)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn created_with_every_option_as_github_expects_it() {
    let fake = fake().await;
    let repo = client(&fake, Arc::default()).repo("octo-org", "app");
    let outcome = repo
        .create_deployment("topic")
        .task("deploy:migrations")
        .environment("review-42")
        .description("Preview of #42")
        .payload(&json!({"pr": 42}))
        .transient_environment(true)
        .production_environment(false)
        .auto_merge(false)
        .skip_checks()
        .await
        .unwrap();
    assert_eq!(outcome.meta().status, 201);
    let CreateOutcome::Created(d) = outcome.into_inner() else {
        panic!("created")
    };
    assert_eq!(
        (d.id, d.git_ref.as_str(), d.task.as_str()),
        (1, "topic", "deploy:migrations")
    );
    assert_eq!(d.environment, "review-42");
    assert!(d.transient_environment && !d.production_environment);
    assert_eq!(d.payload, json!({"pr": 42}));
    assert_eq!(d.description.as_deref(), Some("Preview of #42"));
    assert!(d.statuses_url.ends_with("/deployments/1/statuses"));

    let sent = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        sent.json().unwrap(),
        json!({"auto_merge": false, "description": "Preview of #42", "environment": "review-42",
               "payload": {"pr": 42}, "production_environment": false, "ref": "topic",
               "required_contexts": [], "task": "deploy:migrations", "transient_environment": true})
    );
    assert!(
        sent.header("accept").unwrap().contains("ant-man-preview"),
        "GHES 3.0 needs ant-man for transient/production environments"
    );
}

#[tokio::test]
async fn unset_options_are_not_sent_and_a_string_payload_stays_a_string() {
    let fake = fake().await;
    let repo = client(&fake, Arc::default()).repo("octo-org", "app");
    let d = repo
        .create_deployment("main")
        .payload("{ \"deploy\": \"migrate\" }")
        .await
        .unwrap()
        .into_inner()
        .into_deployment()
        .unwrap();
    let sent = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        sent.json().unwrap(),
        json!({"payload": "{ \"deploy\": \"migrate\" }", "ref": "main"})
    );
    assert_eq!(d.payload, json!("{ \"deploy\": \"migrate\" }"));
    assert_eq!(d.payload_json(), Some(json!({"deploy": "migrate"})));
    assert_eq!(d.task, "deploy");
    assert!(d.production_environment, "production by default");
    let got = repo.deployment(d.id).get().await.unwrap().into_inner();
    assert_eq!(got, d);
}

#[tokio::test]
async fn an_auto_merge_is_its_own_outcome_and_creates_nothing() {
    let fake = fake().await;
    fake.configure_repo("octo-org", "app", |r| r.auto_merge(AutoMerge::Merges))
        .unwrap();
    let repo = client(&fake, Arc::default()).repo("octo-org", "app");
    let first = repo.create_deployment("topic").await.unwrap();
    assert_eq!(first.meta().status, 202);
    let CreateOutcome::AutoMerged(merged) = first.into_inner() else {
        panic!("auto-merged")
    };
    assert_eq!(merged.message, "Auto-merged main into topic on deployment.");
    assert!(repo.deployments().all().await.unwrap().is_empty());
    let again = repo.create_deployment("topic").await.unwrap().into_inner();
    assert!(again.deployment().is_some(), "asking again deploys");
}

#[tokio::test]
async fn conflicts_name_the_contexts() {
    let fake = fake().await;
    let repo = client(&fake, Arc::default()).repo("octo-org", "app");
    fake.configure_repo("octo-org", "app", |r| r.auto_merge(AutoMerge::Conflicts))
        .unwrap();
    let Error::DeploymentConflict(c) = repo.create_deployment("topic").await.unwrap_err() else {
        panic!("conflict")
    };
    assert_eq!(c.kind, ConflictKind::MergeConflict);
    assert!(c.request_id.is_some());

    fake.configure_repo("octo-org", "app", |r| {
        r.auto_merge(AutoMerge::UpToDate)
            .commit_status("ci/build", CommitState::Success)
            .commit_status("security/scan", CommitState::Pending)
    })
    .unwrap();
    let err = repo.create_deployment("topic").await.unwrap_err();
    assert_eq!(err.status(), Some(409));
    let Error::DeploymentConflict(c) = err else {
        panic!("conflict")
    };
    assert_eq!(c.kind, ConflictKind::FailedContexts);
    let failing: Vec<_> = c
        .failing_contexts()
        .map(|c| (c.context.as_str(), c.state.as_str()))
        .collect();
    assert_eq!(failing, [("security/scan", "pending")]);
    assert_eq!(c.contexts.len(), 2);
    let only_ci = repo
        .create_deployment("topic")
        .required_contexts(["ci/build"])
        .await
        .unwrap();
    assert_eq!(only_ci.meta().status, 201);
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending_and_422_is_an_api_error() {
    let fake = FakeGitHub::builder()
        .token("fake-token")
        .repo("octo-org", "app", |r| r.git_ref("main", "a".repeat(40)))
        .start()
        .await
        .unwrap();
    let repo = client(&fake, Arc::default()).repo("octo-org", "app");
    for (request, field) in [
        (repo.create_deployment(""), "ref"),
        (
            repo.create_deployment("main").environment(" "),
            "environment",
        ),
        (repo.create_deployment("main").payload(&[1, 2]), "payload"),
        (
            repo.create_deployment("main").required_contexts(["ci\n"]),
            "required_contexts",
        ),
    ] {
        let Error::Invalid(v) = request.await.unwrap_err() else {
            panic!("{field}")
        };
        assert_eq!(v.field, field);
    }
    assert!(fake.requests().is_empty(), "nothing was sent");
    let err = repo.create_deployment("nope").await.unwrap_err();
    let Error::Api(api) = err else { panic!("api") };
    assert_eq!(
        (api.status, api.message.as_str()),
        (422, "No ref found for: nope")
    );
}

#[tokio::test]
async fn a_create_is_not_repeated_after_an_ambiguous_failure() {
    let fake = fake().await;
    let repo = client(&fake, Arc::default()).repo("octo-org", "app");
    fake.faults().bad_gateway(1);
    let err = repo.create_deployment("main").await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert_eq!(err.status(), Some(502));
    let posts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1);
    // A secondary rate limit says it was not processed: retried.
    fake.faults().secondary_rate_limit(1, 1);
    let ok = repo.create_deployment("main").await.unwrap();
    assert_eq!(ok.meta().attempts, 2);
}

#[tokio::test]
async fn list_filters_and_streams_every_page_once() {
    let fake = fake().await;
    let repo = client(&fake, Arc::default()).repo("octo-org", "app");
    for (git_ref, env) in [
        ("main", "staging"),
        ("topic", "staging"),
        ("main", "prod"),
        ("main", "staging"),
        ("topic", "staging"),
    ] {
        repo.create_deployment(git_ref)
            .environment(env)
            .await
            .unwrap();
    }
    let staging: Vec<i64> = repo
        .deployments()
        .environment("staging")
        .per_page(2)
        .stream()
        .map_ok(|d| d.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(staging, [5, 4, 2, 1], "newest first, every page, each once");
    let lists = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/deployments"))
        .count();
    assert_eq!(lists, 2, "two pages of two");
    let page = repo
        .deployments()
        .git_ref("topic")
        .per_page(1)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(page.has_next());
    let sha = page.items[0].sha.clone();
    let by_sha = repo
        .deployments()
        .sha(sha)
        .task("deploy")
        .all()
        .await
        .unwrap();
    assert_eq!(by_sha.iter().map(|d| d.id).collect::<Vec<_>>(), [5, 2]);
    let Error::Invalid(v) = repo.deployments().environment("").await.unwrap_err() else {
        panic!("empty filter")
    };
    assert_eq!(v.field, "environment");
    assert_eq!(
        repo.deployment(99).get().await.unwrap_err().status(),
        Some(404)
    );
}
