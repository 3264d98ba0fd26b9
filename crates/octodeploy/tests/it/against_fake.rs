//! The library's lifecycle flows against the in-memory GitHub: deleting
//! among several deployments, a 1,000-status stream, `auto_inactive`, and
//! retries through injected faults ending in the right outcome.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::TryStreamExt;
use octodeploy::{Client, Clock, Error, RateLimitKind, RetryPolicy, State};
use octodeploy_fake::{DeploymentState, FakeGitHub, StatusSeed};

#[derive(Debug, Default)]
struct TestClock {
    slept: Mutex<Vec<Duration>>,
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.slept.lock().unwrap().push(d);
        Box::pin(async {})
    }
}

fn client(fake: &FakeGitHub, clock: Arc<TestClock>) -> Client {
    Client::builder()
        .base_url(fake.base_url())
        .token("fake-token")
        .retry(RetryPolicy::default().jitter(false))
        .clock(clock)
        .build()
        .unwrap()
}

/// Each retry the client makes, as (attempt, wait, status).
type Heard = Arc<Mutex<Vec<(u32, Duration, Option<u16>)>>>;

/// A client (default retries, no jitter, a clock that never sleeps) that
/// records what its retry hook hears.
fn listening_client(fake: &FakeGitHub) -> (Client, Heard) {
    let heard = Heard::default();
    let sink = heard.clone();
    let c = Client::builder()
        .base_url(fake.base_url())
        .token("fake-token")
        .retry(RetryPolicy::default().jitter(false))
        .clock(Arc::new(TestClock::default()))
        .on_retry(move |e| {
            sink.lock()
                .unwrap()
                .push((e.attempt, e.wait, e.error.status()))
        })
        .build()
        .unwrap();
    (c, heard)
}

async fn fake_with_two_deployments() -> FakeGitHub {
    FakeGitHub::builder()
        .token("fake-token")
        .repo("octo-org", "deploy-demo", |r| {
            r.deployment_with(1, "staging", |d| d.status(DeploymentState::Success))
                .deployment_with(2, "staging", |d| d.status(DeploymentState::InProgress))
        })
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn deactivate_and_delete_among_several_deployments() {
    let fake = fake_with_two_deployments().await;
    let repo = client(&fake, Arc::default()).repo("octo-org", "deploy-demo");

    let err = repo.deployment(1).delete().await.unwrap_err();
    assert!(matches!(&err, Error::Api(a) if a.status == 422), "{err:?}");
    assert!(fake.deployment("octo-org", "deploy-demo", 1).is_some());

    repo.deployment(1).deactivate_and_delete().await.unwrap();
    assert!(fake.deployment("octo-org", "deploy-demo", 1).is_none());
    let err = repo.deployment(1).status(1).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn a_thousand_statuses_stream_without_loss_or_duplicates() {
    let fake = FakeGitHub::builder()
        .repo("octo-org", "deploy-demo", |r| {
            r.deployment_with(7, "production", |d| {
                d.statuses((0..1000).map(|i| {
                    StatusSeed::new(DeploymentState::Pending).description(format!("step {i}"))
                }))
            })
        })
        .start()
        .await
        .unwrap();
    let statuses: Vec<_> = client(&fake, Arc::default())
        .repo("octo-org", "deploy-demo")
        .deployment(7)
        .statuses()
        .per_page(100)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(statuses.len(), 1000);
    let ids: HashSet<i64> = statuses.iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), 1000, "duplicates");
    let descriptions: HashSet<_> = statuses
        .iter()
        .map(|s| s.description.clone().unwrap())
        .collect();
    assert_eq!(descriptions.len(), 1000);
    let pages = fake.requests().iter().filter(|r| r.method == "GET").count();
    assert_eq!(pages, 10);
}

#[tokio::test]
async fn auto_inactive_marks_earlier_deployments_inactive() {
    let fake = fake_with_two_deployments().await;
    let repo = client(&fake, Arc::default()).repo("octo-org", "deploy-demo");
    repo.deployment(2)
        .create_status(State::Success)
        .await
        .unwrap();
    let latest = repo.deployment(1).statuses().per_page(1).await.unwrap();
    assert_eq!(latest.items[0].state, State::Inactive);

    // With auto_inactive off, the earlier deployment keeps its state.
    let fake = fake_with_two_deployments().await;
    let repo = client(&fake, Arc::default()).repo("octo-org", "deploy-demo");
    repo.deployment(2)
        .create_status(State::Success)
        .auto_inactive(false)
        .await
        .unwrap();
    let latest = repo.deployment(1).statuses().per_page(1).await.unwrap();
    assert_eq!(latest.items[0].state, State::Success);
}

#[tokio::test]
async fn gets_are_retried_through_502s() {
    let fake = fake_with_two_deployments().await;
    let clock = Arc::new(TestClock::default());
    fake.faults().bad_gateway(2);
    let page = client(&fake, clock.clone())
        .repo("octo-org", "deploy-demo")
        .deployment(1)
        .statuses()
        .await
        .unwrap();
    assert_eq!(page.meta().attempts, 3);
    assert_eq!(
        *clock.slept.lock().unwrap(),
        [Duration::from_millis(500), Duration::from_secs(1)]
    );
}

#[tokio::test]
async fn the_retry_hook_hears_each_retry() {
    let fake = fake_with_two_deployments().await;
    let (c, heard) = listening_client(&fake);
    fake.faults().secondary_rate_limit(7, 1).bad_gateway(1);
    c.repo("octo-org", "deploy-demo")
        .deployment(1)
        .status(1)
        .await
        .unwrap();
    assert_eq!(
        *heard.lock().unwrap(),
        [
            (1, Duration::from_millis(500), Some(502)),
            (2, Duration::from_secs(7), Some(403))
        ]
    );
}

/// GitHub does not always say how long to wait after a secondary limit;
/// its documentation says at least a minute: `secondary_wait` (60 s).
#[tokio::test]
async fn a_secondary_limit_without_retry_after_waits_the_secondary_wait() {
    let fake = fake_with_two_deployments().await;
    let (c, heard) = listening_client(&fake);
    fake.faults()
        .secondary_rate_limit_without_retry_after(429, 1);
    let d = c.repo("octo-org", "deploy-demo").deployment(2);
    let s = d.create_status(State::Queued).await.unwrap();
    assert_eq!(s.meta().attempts, 2);
    assert_eq!(
        *heard.lock().unwrap(),
        [(1, Duration::from_secs(60), Some(429))]
    );
}

#[tokio::test]
async fn posts_are_not_retried_after_a_502_but_are_after_a_secondary_limit() {
    let fake = fake_with_two_deployments().await;
    let c = client(&fake, Arc::default());
    let d = c.repo("octo-org", "deploy-demo").deployment(2);

    fake.faults().bad_gateway(1);
    let err = d.create_status(State::Queued).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    let posts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(
        posts, 1,
        "a POST after an ambiguous failure must not be repeated"
    );

    fake.faults().secondary_rate_limit(2, 1);
    let s = d.create_status(State::Queued).await.unwrap();
    assert_eq!(s.meta().attempts, 2);
    let statuses = fake
        .deployment("octo-org", "deploy-demo", 2)
        .unwrap()
        .statuses;
    assert_eq!(
        statuses
            .iter()
            .filter(|s| s.state == DeploymentState::Queued)
            .count(),
        1
    );

    fake.faults().secondary_rate_limit(2, 1);
    c.repo("octo-org", "deploy-demo")
        .dispatch("deploy")
        .await
        .unwrap();
    assert_eq!(fake.dispatches().len(), 1, "dispatched exactly once");
}

#[tokio::test]
async fn a_primary_rate_limit_beyond_max_wait_is_returned() {
    let fake = fake_with_two_deployments().await;
    let clock = Arc::new(TestClock::default());
    let c = Client::builder()
        .base_url(fake.base_url())
        .token("fake-token")
        .retry(RetryPolicy::default().max_wait(Duration::from_secs(10)))
        .clock(clock.clone())
        .build()
        .unwrap();
    fake.faults().rate_limit_after(0);
    let err = c
        .repo("octo-org", "deploy-demo")
        .deployment(1)
        .status(1)
        .await
        .unwrap_err();
    let Error::RateLimited(rl) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(rl.kind, RateLimitKind::Primary);
    assert!(rl.reset.is_some());
    assert!(clock.slept.lock().unwrap().is_empty(), "not waited for");
    assert_eq!(fake.requests().len(), 1, "not retried");
}

#[tokio::test]
async fn validation_happens_before_any_request() {
    let fake = fake_with_two_deployments().await;
    let d = client(&fake, Arc::default())
        .repo("octo-org", "deploy-demo")
        .deployment(2);
    let err = d
        .create_status(State::Success)
        .description("x".repeat(141))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(v) if v.field == "description"),
        "{err:?}"
    );
    let err = d.statuses().per_page(101).await.unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(v) if v.field == "per_page"),
        "{err:?}"
    );
    let err = d
        .create_status(State::Other("waiting".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(v) if v.field == "state"),
        "{err:?}"
    );
    let eleven: serde_json::Map<_, _> = (0..11)
        .map(|i| (format!("k{i}"), serde_json::json!(i)))
        .collect();
    let err = client(&fake, Arc::default())
        .repo("octo-org", "deploy-demo")
        .dispatch("deploy")
        .payload(&eleven)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(v) if v.field == "client_payload"),
        "{err:?}"
    );
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

/// Paused tokio time: the fake's latency and reqwest's timeout are both tokio
/// timers, so the timeout fires without real waiting.
#[tokio::test(start_paused = true)]
async fn timeouts_are_their_own_error_and_gets_are_retried_on_them() {
    let fake = fake_with_two_deployments().await;
    fake.faults().latency(Duration::from_secs(600));
    let clock = Arc::new(TestClock::default());
    let c = Client::builder()
        .base_url(fake.base_url())
        .token("fake-token")
        .timeout(Some(Duration::from_secs(5)))
        .retry(RetryPolicy::default().jitter(false).max_retries(2))
        .clock(clock.clone())
        .build()
        .unwrap();
    let err = c
        .repo("octo-org", "deploy-demo")
        .deployment(1)
        .status(1)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(clock.slept.lock().unwrap().len(), 2, "two retries");

    // A POST that timed out may have been processed: it is not retried, and
    // says that its outcome is unknown.
    let clock = Arc::new(TestClock::default());
    let c = Client::builder()
        .base_url(fake.base_url())
        .token("fake-token")
        .timeout(Some(Duration::from_secs(5)))
        .clock(clock.clone())
        .build()
        .unwrap();
    let err = c
        .repo("octo-org", "deploy-demo")
        .dispatch("deploy")
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert!(
        matches!(&err, Error::OutcomeUnknown { source, .. } if matches!(**source, Error::Timeout(_))),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("POST /repos/{owner}/{repo}/dispatches (create a repository dispatch event)")
            && text.contains("look for the workflow runs")
            && !text.contains("statuses"),
        "{text}"
    );
    assert!(clock.slept.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_caller_supplied_http_client_is_used() {
    let fake = fake_with_two_deployments().await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-corp-proxy-auth", "yes".parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let c = Client::builder()
        .base_url(fake.base_url())
        .token("fake-token")
        .user_agent("deploy-bot/2.1")
        .http_client(http)
        .build()
        .unwrap();
    c.repo("octo-org", "deploy-demo")
        .deployment(1)
        .status(1)
        .await
        .unwrap();
    let req = &fake.requests()[0];
    assert_eq!(req.header("x-corp-proxy-auth"), Some("yes"));
    assert_eq!(req.header("user-agent"), Some("deploy-bot/2.1"));
    assert_eq!(req.header("x-github-api-version"), Some("2022-11-28"));
    assert!(
        req.header("api-version").is_none(),
        "progenitor's header must not be sent"
    );
    assert_eq!(req.header("authorization"), Some("Bearer <redacted>"));
}

#[tokio::test]
async fn headers_per_operation() {
    let fake = fake_with_two_deployments().await;
    let c = Client::builder()
        .base_url(fake.base_url())
        .token("fake-token")
        .without_api_version()
        .build()
        .unwrap();
    let repo = c.repo("octo-org", "deploy-demo");
    let d = repo.deployment(2);
    d.statuses().await.unwrap();
    let created = d.create_status(State::Inactive).await.unwrap();
    d.status(created.id).await.unwrap();
    repo.dispatch("deploy").await.unwrap();
    d.delete().await.unwrap();
    let reqs = fake.requests();
    let previews = "application/vnd.github+json, application/vnd.github.ant-man-preview+json, \
                    application/vnd.github.flash-preview+json";
    let accepts: Vec<_> = reqs
        .iter()
        .map(|r| (r.method.as_str(), r.header("accept")))
        .collect();
    assert_eq!(
        accepts,
        [
            ("GET", Some(previews)),
            ("POST", Some(previews)),
            ("GET", Some(previews)),
            ("POST", Some("application/vnd.github+json")),
            ("DELETE", Some("application/vnd.github+json")),
        ]
    );
    assert!(
        reqs.iter()
            .all(|r| r.header("x-github-api-version").is_none())
    );
    assert_eq!(
        reqs[0].header("user-agent"),
        Some(octodeploy::DEFAULT_USER_AGENT)
    );
}
