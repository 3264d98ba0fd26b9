//! `auto_inactive`: a new `success` status makes the other non-transient,
//! non-production deployments of the same repository and environment whose
//! latest state is `success` inactive.

use crate::common;

use common::{client, get, post, statuses_url};
use octodeploy_fake::{DeploymentState, FakeGitHub};
use serde_json::{Value, json};

use DeploymentState::{Failure, Inactive, Success};

async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .repo("octo-org", "app", |r| {
            r.deployment_with(1, "staging", |d| d.status(Success)) // superseded
                .deployment_with(2, "staging", |d| d.transient(true).status(Success))
                .deployment_with(3, "staging", |d| d.production(true).status(Success))
                .deployment_with(4, "staging", |d| d.status(Failure))
                .deployment_with(5, "qa", |d| d.status(Success))
                .deployment(6, "staging") // the new one
        })
        .repo("octo-org", "elsewhere", |r| {
            r.deployment_with(7, "staging", |d| d.status(Success))
        })
        .start()
        .await
        .unwrap()
}

fn state(fake: &FakeGitHub, repo: &str, id: u64) -> Option<DeploymentState> {
    fake.deployment("octo-org", repo, id).unwrap().state
}

#[tokio::test]
async fn success_makes_earlier_plain_deployments_inactive() {
    let fake = fake().await;
    let base = fake.base_url();
    let c = client();
    let resp = post(
        &c,
        &statuses_url(&base, "octo-org", "app", 6),
        &json!({"state": "success"}),
    )
    .await;
    assert_eq!(resp.status, 201);
    let new_id = resp.json()["id"].as_u64().unwrap();

    assert_eq!(state(&fake, "app", 1), Some(Inactive));
    assert_eq!(state(&fake, "app", 2), Some(Success), "transient");
    assert_eq!(state(&fake, "app", 3), Some(Success), "production");
    assert_eq!(state(&fake, "app", 4), Some(Failure), "not success");
    assert_eq!(state(&fake, "app", 5), Some(Success), "other environment");
    assert_eq!(state(&fake, "app", 6), Some(Success));
    assert_eq!(
        state(&fake, "elsewhere", 7),
        Some(Success),
        "other repository"
    );

    // The inactive status is visible over the API, newest first, with a
    // later id than the status that caused it.
    let list = get(&c, &statuses_url(&base, "octo-org", "app", 1))
        .await
        .json();
    let newest: &Value = &list[0];
    assert_eq!(newest["state"], "inactive");
    assert_eq!(newest["environment"], "staging");
    assert!(newest["id"].as_u64().unwrap() > new_id);
    assert_eq!(list[1]["state"], "success");
}

#[tokio::test]
async fn auto_inactive_false_or_other_states_leave_others_alone() {
    let fake = fake().await;
    let base = fake.base_url();
    let c = client();
    let url = statuses_url(&base, "octo-org", "app", 6);
    for body in [
        json!({"state": "in_progress"}),
        json!({"state": "failure"}),
        json!({"state": "success", "auto_inactive": false}),
    ] {
        assert_eq!(post(&c, &url, &body).await.status, 201);
        assert_eq!(state(&fake, "app", 1), Some(Success), "{body}");
    }
}

#[tokio::test]
async fn environment_change_applies_before_auto_inactive() {
    let fake = fake().await;
    let c = client();
    // Deployment 6 moves to qa with this status, so qa's 5 is superseded
    // and staging's 1 is not.
    let resp = post(
        &c,
        &statuses_url(&fake.base_url(), "octo-org", "app", 6),
        &json!({"state": "success", "environment": "qa"}),
    )
    .await;
    assert_eq!(resp.status, 201);
    assert_eq!(state(&fake, "app", 5), Some(Inactive));
    assert_eq!(state(&fake, "app", 1), Some(Success));
}

#[tokio::test]
async fn rolling_back_to_an_older_deployment_supersedes_newer_ones() {
    let fake = fake().await;
    let c = client();
    let url = |id| statuses_url(&fake.base_url(), "octo-org", "app", id);
    post(&c, &url(6), &json!({"state": "success"})).await;
    assert_eq!(state(&fake, "app", 1), Some(Inactive));
    // Redeploying 1 makes 6 inactive (any *other* deployment, not only
    // older ones).
    post(&c, &url(1), &json!({"state": "success"})).await;
    assert_eq!(state(&fake, "app", 6), Some(Inactive));
    assert_eq!(state(&fake, "app", 1), Some(Success));
}
