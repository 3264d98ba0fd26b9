//! The delete rule: a repository's only deployment can be deleted whatever
//! its state; with several, only inactive ones — otherwise GitHub's 422.

use crate::common;

use common::{client, delete, deployment_url, get, post, statuses_url};
use octodeploy_fake::{DeploymentState, FakeGitHub};
use serde_json::json;

const ACTIVE: &str = "We cannot delete an active deployment unless it is the only deployment in a given environment.";
const DELETE_DOC: &str = "https://docs.github.com/rest/deployments/deployments#delete-a-deployment";

#[tokio::test]
async fn the_only_deployment_can_be_deleted_whatever_its_state() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "solo", |r| {
            r.deployment_with(1, "production", |d| {
                d.status(DeploymentState::InProgress)
                    .status(DeploymentState::Success)
            })
        })
        .start()
        .await
        .unwrap();
    let base = fake.base_url();
    let c = client();
    let resp = delete(&c, &deployment_url(&base, "octo-org", "solo", 1)).await;
    assert_eq!(resp.status, 204, "{}", resp.text);
    assert!(resp.text.is_empty());
    assert!(resp.header("content-type").is_none());
    assert!(resp.header("x-github-request-id").is_some());

    // Gone, statuses included.
    assert!(fake.deployment("octo-org", "solo", 1).is_none());
    assert_eq!(
        get(&c, &statuses_url(&base, "octo-org", "solo", 1))
            .await
            .status,
        404
    );
    assert_eq!(
        get(
            &c,
            &format!("{}/1", statuses_url(&base, "octo-org", "solo", 1))
        )
        .await
        .status,
        404
    );
    let again = delete(&c, &deployment_url(&base, "octo-org", "solo", 1)).await;
    assert_eq!(again.status, 404);
    assert_eq!(
        again.json(),
        json!({"message": "Not Found", "documentation_url": DELETE_DOC, "status": "404"})
    );
}

#[tokio::test]
async fn with_several_only_inactive_deployments_can_be_deleted() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "app", |r| {
            r.deployment(1, "staging") // no status yet
                .deployment_with(2, "staging", |d| d.status(DeploymentState::Success))
                .deployment_with(3, "staging", |d| d.status(DeploymentState::Failure))
                .deployment_with(4, "staging", |d| {
                    d.status(DeploymentState::Success)
                        .status(DeploymentState::Inactive)
                })
        })
        .start()
        .await
        .unwrap();
    let base = fake.base_url();
    let c = client();
    for id in [1, 2, 3] {
        let resp = delete(&c, &deployment_url(&base, "octo-org", "app", id)).await;
        assert_eq!(resp.status, 422, "deployment {id}");
        assert_eq!(
            resp.json(),
            json!({"message": ACTIVE, "documentation_url": DELETE_DOC, "status": "422"})
        );
        assert!(fake.deployment("octo-org", "app", id).is_some());
    }
    assert_eq!(
        delete(&c, &deployment_url(&base, "octo-org", "app", 4))
            .await
            .status,
        204
    );

    // Deactivate 3 (failure → inactive), then it can go.
    let resp = post(
        &c,
        &statuses_url(&base, "octo-org", "app", 3),
        &json!({"state": "inactive"}),
    )
    .await;
    assert_eq!(resp.status, 201);
    assert_eq!(
        delete(&c, &deployment_url(&base, "octo-org", "app", 3))
            .await
            .status,
        204
    );

    // Two left, both active; then 2 is inactive and deleted, and 1 becomes
    // the only one: deletable without any status.
    assert_eq!(
        delete(&c, &deployment_url(&base, "octo-org", "app", 1))
            .await
            .status,
        422
    );
    post(
        &c,
        &statuses_url(&base, "octo-org", "app", 2),
        &json!({"state": "inactive"}),
    )
    .await;
    assert_eq!(
        delete(&c, &deployment_url(&base, "octo-org", "app", 2))
            .await
            .status,
        204
    );
    assert_eq!(
        delete(&c, &deployment_url(&base, "octo-org", "app", 1))
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn unknown_repository_or_deployment_is_404() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "app", |r| r.deployment(1, "qa"))
        .repo("octo-org", "other", |r| r.deployment(2, "qa"))
        .start()
        .await
        .unwrap();
    let base = fake.base_url();
    let c = client();
    for url in [
        deployment_url(&base, "octo-org", "missing", 1),
        deployment_url(&base, "octo-org", "app", 2),
        deployment_url(&base, "octo-org", "app", 3),
        format!("{base}/repos/octo-org/app/deployments/one"),
    ] {
        assert_eq!(delete(&c, &url).await.status, 404, "{url}");
    }
    assert!(fake.deployment("octo-org", "other", 2).is_some());
}
