//! The deployment lifecycle against recorded GitHub traffic (GHES 3.12
//! shapes): create's typed outcomes (201 with an object or a string
//! payload, 202 auto-merged, 409 failed contexts and merge conflict, 422),
//! listing across `Link` pages, get, and `wait()` through two 304s that
//! leave the rate limit untouched. Strict replay: an unexpected request or
//! an unused interaction fails the test.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::TryStreamExt;
use octodeploy::{Client, Clock, ConflictKind, CreateOutcome, Error, RetryPolicy, State};
use octodeploy_replay::{REPLAY_TOKEN, ReplayServer};
use serde_json::json;

/// A clock that never sleeps and records what it was asked to wait.
#[derive(Debug, Default)]
struct NoSleep {
    slept: Mutex<Vec<Duration>>,
}

impl Clock for NoSleep {
    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_749_030_000)
    }
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.slept.lock().unwrap().push(d);
        Box::pin(async {})
    }
}

fn client(replay: &ReplayServer, clock: Arc<NoSleep>) -> Client {
    Client::builder()
        .base_url(replay.base_url())
        .token(REPLAY_TOKEN)
        .retry(RetryPolicy::default().jitter(false))
        .clock(clock)
        .build()
        .unwrap()
}

async fn replay(name: &str) -> ReplayServer {
    ReplayServer::for_scenario(name).await.unwrap()
}

#[tokio::test]
async fn create_201() {
    let r = replay("create-deployment").await;
    let out = client(&r, Arc::default())
        .repo("octo-org", "deploy-demo")
        .create_deployment("release-1.4")
        .task("deploy")
        .environment("staging")
        .description("Deploy 9b0c4e1 to staging")
        .payload(&json!({"migrate": true}))
        .required_contexts(["ci/build"])
        .await
        .unwrap();
    assert_eq!(out.meta().status, 201);
    let d = out.into_inner().into_deployment().unwrap();
    assert_eq!((d.id, d.environment.as_str()), (1701, "staging"));
    assert!(!d.production_environment && !d.transient_environment);
    assert_eq!(d.payload_json(), Some(json!({"migrate": true})));
    assert_eq!(
        d.creator.as_ref().and_then(|u| u.login.as_deref()),
        Some("hubot")
    );
    r.finish();
}

#[tokio::test]
async fn create_with_a_string_payload_and_no_checks() {
    let r = replay("create-deployment-string-payload").await;
    let d = client(&r, Arc::default())
        .repo("octo-org", "deploy-demo")
        .create_deployment("topic-branch")
        .payload("{ \"deploy\": \"migrate\" }")
        .description("Deploy request from hubot")
        .skip_checks()
        .await
        .unwrap()
        .into_inner()
        .into_deployment()
        .unwrap();
    assert_eq!(d.payload, json!("{ \"deploy\": \"migrate\" }"));
    assert_eq!(d.payload_json(), Some(json!({"deploy": "migrate"})));
    assert!(d.production_environment);
    r.finish();
}

#[tokio::test]
async fn create_202_is_auto_merged_not_created() {
    let r = replay("create-deployment-auto-merged").await;
    let out = client(&r, Arc::default())
        .repo("octo-org", "deploy-demo")
        .create_deployment("topic-branch")
        .await
        .unwrap();
    assert_eq!(out.meta().status, 202);
    match out.into_inner() {
        CreateOutcome::AutoMerged(m) => {
            assert_eq!(
                m.message,
                "Auto-merged main into topic-branch on deployment."
            )
        }
        other => panic!("{other:?}"),
    }
    r.finish();
}

#[tokio::test]
async fn create_409s_name_what_failed() {
    let r = replay("create-deployment-failed-contexts").await;
    let err = client(&r, Arc::default())
        .repo("octo-org", "deploy-demo")
        .create_deployment("topic-branch")
        .required_contexts(["ci/build", "security/scan"])
        .await
        .unwrap_err();
    let Error::DeploymentConflict(c) = err else {
        panic!("{err:?}")
    };
    assert_eq!(c.kind, ConflictKind::FailedContexts);
    let failing: Vec<_> = c.failing_contexts().map(|c| c.context.as_str()).collect();
    assert_eq!(failing, ["security/scan"]);
    assert!(c.request_id.is_some() && c.documentation_url.is_some());
    r.finish();

    let r = replay("create-deployment-merge-conflict").await;
    let err = client(&r, Arc::default())
        .repo("octo-org", "deploy-demo")
        .create_deployment("topic-branch")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::DeploymentConflict(c) if c.kind == ConflictKind::MergeConflict && c.contexts.is_empty()),
        "{err:?}"
    );
    r.finish();
}

#[tokio::test]
async fn create_422_is_an_api_error_and_not_retried() {
    let r = replay("create-deployment-validation-failed").await;
    let err = client(&r, Arc::default())
        .repo("octo-org", "deploy-demo")
        .create_deployment("no-such-branch")
        .await
        .unwrap_err();
    let Error::Api(api) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (api.status, api.message.as_str()),
        (422, "No ref found for: no-such-branch")
    );
    r.finish();
}

#[tokio::test]
async fn list_follows_links_and_get() {
    let r = replay("list-deployments-two-pages").await;
    let ids: Vec<i64> = client(&r, Arc::default())
        .repo("octo-org", "deploy-demo")
        .deployments()
        .environment("staging")
        .per_page(2)
        .stream()
        .map_ok(|d| d.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [1703, 1702, 1701]);
    r.finish();

    let r = replay("get-deployment").await;
    let d = client(&r, Arc::default())
        .repo("octo-org", "deploy-demo")
        .deployment(1701)
        .get()
        .await
        .unwrap();
    assert!(d.updated_at > d.created_at);
    assert_eq!(d.git_ref, "release-1.4");
    r.finish();
}

#[tokio::test]
async fn wait_through_two_304s() {
    let r = replay("wait-deployment-not-modified").await;
    let clock = Arc::new(NoSleep::default());
    let d = client(&r, clock.clone())
        .repo("octo-org", "deploy-demo")
        .deployment(1701);
    let seen: Vec<State> = d
        .wait()
        .interval(Duration::from_secs(4))
        .stream()
        .map_ok(|s| s.state)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(seen, [State::InProgress, State::Success]);
    assert_eq!(
        *clock.slept.lock().unwrap(),
        [
            Duration::from_secs(4),
            Duration::from_secs(6),
            Duration::from_secs(9)
        ],
        "backoff while unchanged"
    );
    r.finish();
}
