//! The `octodeploy` client against recorded GitHub traffic, one module per
//! subject: every operation's success, GitHub's errors and rate limits,
//! retries, pagination, old and new server shapes, base URLs and paths.
//! Strict replay: an unexpected request or an unused interaction fails the
//! test. Shared here: the test clock, the client builders, getting a status
//! and the status-creating requests several cassettes record.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use octodeploy::{Client, Clock, RetryPolicy, State};
use octodeploy_replay::{Cassette, REPLAY_TOKEN, ReplayServer};

/// A clock that never sleeps: it records what it was asked to wait.
#[derive(Debug)]
struct TestClock {
    now: SystemTime,
    slept: Mutex<Vec<Duration>>,
}

impl TestClock {
    fn at(epoch_secs: u64) -> Arc<Self> {
        Arc::new(TestClock {
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(epoch_secs),
            slept: Mutex::new(Vec::new()),
        })
    }

    fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        self.now
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.slept.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

fn client_with(replay: &ReplayServer, retry: RetryPolicy, clock: Arc<TestClock>) -> Client {
    Client::builder()
        .base_url(replay.base_url())
        .token(REPLAY_TOKEN)
        .retry(retry)
        .clock(clock)
        .build()
        .unwrap()
}

fn client(replay: &ReplayServer) -> Client {
    client_with(
        replay,
        RetryPolicy::default().jitter(false),
        TestClock::at(1_750_000_000),
    )
}

fn no_retry(replay: &ReplayServer) -> Client {
    client_with(replay, RetryPolicy::none(), TestClock::at(1_750_000_000))
}

async fn replay(name: &str) -> ReplayServer {
    ReplayServer::for_scenario(name).await.unwrap()
}

/// A replay server with nothing recorded: any request fails the test.
async fn empty_replay() -> ReplayServer {
    let mut cassette = Cassette::load("get-status").unwrap();
    cassette.interactions.clear();
    ReplayServer::replay(cassette).await.unwrap()
}

/// `GET` status `status` of deployment `deployment` in the recorded
/// repository (`octo-org/deploy-demo`), as most cassettes record it.
async fn get_status(
    client: &Client,
    deployment: i64,
    status: i64,
) -> Result<octodeploy::Response<octodeploy::DeploymentStatus>, octodeploy::Error> {
    client
        .repo("octo-org", "deploy-demo")
        .deployment(deployment)
        .status(status)
        .await
}

/// The status-creating requests several cassettes record.
trait RecordedStatuses {
    /// `create-status`: in_progress on GHES deployment 43 (staging).
    fn staging_in_progress(&self) -> octodeploy::CreateStatus;
    /// github.com deployment 2847113390: in_progress to production.
    fn production_in_progress(&self) -> octodeploy::CreateStatus;
}

impl RecordedStatuses for Client {
    fn staging_in_progress(&self) -> octodeploy::CreateStatus {
        self.repo("octo-org", "deploy-demo")
            .deployment(43)
            .create_status(State::InProgress)
            .log_url("https://ci.octo-org.example/deploy-demo/pipelines/8890")
            .environment("staging")
            .description("Deploying 9b0c4e1 to staging")
    }

    fn production_in_progress(&self) -> octodeploy::CreateStatus {
        self.repo("octo-org", "deploy-demo")
            .deployment(2_847_113_390)
            .create_status(State::InProgress)
            .log_url("https://github.com/octo-org/deploy-demo/actions/runs/13795412376")
            .environment("production")
            .description("Deploying 4c2d9e0 to production")
    }
}

mod decoding;
mod errors;
mod operations;
mod pagination;
mod paths;
mod retries;
