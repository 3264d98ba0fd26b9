//! Every operation's success against its recording (list, get, create,
//! delete, dispatch, deactivate-and-delete), and what counts as success for
//! a DELETE (a retry that finds the deployment gone, any 2xx).

use octodeploy::State;
use octodeploy_replay::{Cassette, ReplayServer};

use super::{RecordedStatuses, client, get_status, replay};

#[tokio::test]
async fn list_one_page() {
    let r = replay("list-statuses").await;
    let page = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .statuses()
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 5);
    assert!(page.links.next.is_none());
    let meta = page.meta();
    assert_eq!(
        meta.request_id.as_deref(),
        Some("2026:7C7C:F10083:56EB83:683F0E73")
    );
    let rl = meta.rate_limit.as_ref().unwrap();
    assert_eq!(
        (rl.remaining, rl.resource.as_deref()),
        (Some(4979), Some("core"))
    );
    r.finish();
}

#[tokio::test]
async fn get_one_status() {
    let r = replay("get-status").await;
    let s = get_status(&client(&r), 42, 1187).await.unwrap();
    assert_eq!((s.id, &s.state), (1187, &State::Success));
    assert!(s.creator.as_ref().unwrap().login.is_some());
    assert_eq!(s.meta().status, 200);
    r.finish();
}

#[tokio::test]
async fn create_a_status() {
    let r = replay("create-status").await;
    let s = client(&r).staging_in_progress().await.unwrap();
    assert_eq!((s.id, &s.state), (1190, &State::InProgress));
    assert_eq!(s.meta().status, 201);
    assert_eq!(
        s.meta().request_id.as_deref(),
        Some("DDD0:A598:E9069B:2D442D:68400DFF")
    );
    r.finish();
}

#[tokio::test]
async fn delete_a_deployment() {
    let r = replay("delete-deployment").await;
    let done = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(40)
        .delete()
        .await
        .unwrap();
    assert_eq!(done.meta().status, 204);
    r.finish();
}

#[tokio::test]
async fn dispatch_with_and_without_payload() {
    let r = replay("dispatch-with-payload").await;
    #[derive(serde::Serialize)]
    struct Payload<'a> {
        r#ref: &'a str,
        sha: &'a str,
    }
    client(&r)
        .repo("octo-org", "deploy-demo")
        .dispatch("deploy-staging")
        .payload(&Payload {
            r#ref: "main",
            sha: "9b0c4e1d7a2f4c8e83b6d5a0f1e2c3b4a5968778",
        })
        .await
        .unwrap();
    r.finish();

    let r = replay("dispatch-without-payload").await;
    client(&r)
        .repo("octo-org", "deploy-demo")
        .dispatch("deploy")
        .await
        .unwrap();
    r.finish();
}

#[tokio::test]
async fn deactivate_and_delete_on_a_repository_with_several_deployments() {
    let r = replay("deactivate-and-delete").await;
    let done = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(41)
        .deactivate_and_delete()
        .await
        .unwrap();
    assert_eq!(done.meta().status, 204);
    r.finish();
}

#[tokio::test]
async fn a_retried_delete_that_finds_the_deployment_gone_succeeded() {
    let bad_gateway = Cassette::load("bad-gateway-html").unwrap().interactions[0]
        .response
        .clone();
    let not_found = Cassette::load("get-status-not-found").unwrap().interactions[0]
        .response
        .clone();
    let mut cassette = Cassette::load("delete-deployment").unwrap();
    let mut second = cassette.interactions[0].clone();
    cassette.interactions[0].response = bad_gateway;
    second.response = not_found.clone();
    cassette.interactions.push(second);
    let r = ReplayServer::replay(cassette).await.unwrap();
    let done = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(40)
        .delete()
        .await
        .unwrap();
    assert_eq!((done.meta().status, done.meta().attempts), (404, 2));
    r.finish();

    // A first-attempt 404 is a real "not found".
    let mut cassette = Cassette::load("delete-deployment").unwrap();
    cassette.interactions[0].response = not_found;
    let r = ReplayServer::replay(cassette).await.unwrap();
    let err = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(40)
        .delete()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    r.finish();
}

#[tokio::test]
async fn any_2xx_answers_a_delete_or_dispatch() {
    let mut cassette = Cassette::load("delete-deployment").unwrap();
    cassette.interactions[0].response.status = 200;
    let r = ReplayServer::replay(cassette).await.unwrap();
    let done = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(40)
        .delete()
        .await
        .unwrap();
    assert_eq!(done.meta().status, 200);
    r.finish();
}
