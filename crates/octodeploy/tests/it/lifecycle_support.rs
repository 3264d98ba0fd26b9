//! What the lifecycle tests share: a clock that never sleeps but keeps
//! virtual time and can act on the fake at chosen sleeps (a status created,
//! a fault armed), and a client pointed at a fake.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use octodeploy::{Client, Clock, RetryPolicy};
use octodeploy_fake::FakeGitHub;

/// Something to do on the fake when the clock sleeps.
pub type Action = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// Virtual time: `now()` is when the clock was made plus every sleep so
/// far (so rate-limit resets, which are wall-clock, stay meaningful);
/// sleeps return at once, after running the action scheduled for them.
pub struct ScriptedClock {
    pub slept: Mutex<Vec<Duration>>,
    actions: Mutex<VecDeque<(usize, Action)>>,
    start: SystemTime,
}

impl Default for ScriptedClock {
    fn default() -> Self {
        ScriptedClock {
            slept: Mutex::default(),
            actions: Mutex::default(),
            start: SystemTime::now(),
        }
    }
}

impl std::fmt::Debug for ScriptedClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedClock").finish_non_exhaustive()
    }
}

impl ScriptedClock {
    /// Runs `action` during sleep number `n` (from 1).
    pub fn on_sleep(&self, n: usize, action: Action) {
        let mut actions = self.actions.lock().unwrap();
        actions.push_back((n, action));
        actions.make_contiguous().sort_by_key(|(n, _)| *n);
    }

    pub fn total(&self) -> Duration {
        self.slept.lock().unwrap().iter().sum()
    }
}

impl Clock for ScriptedClock {
    fn now(&self) -> SystemTime {
        self.start + self.total()
    }

    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let n = {
            let mut slept = self.slept.lock().unwrap();
            slept.push(d);
            slept.len()
        };
        let mut due = Vec::new();
        {
            let mut actions = self.actions.lock().unwrap();
            while actions.front().is_some_and(|(at, _)| *at <= n) {
                if let Some((_, action)) = actions.pop_front() {
                    due.push(action);
                }
            }
        }
        Box::pin(async move {
            for action in due {
                action().await;
            }
        })
    }
}

/// A client for `fake` on `clock`, retries without jitter.
pub fn client(fake: &FakeGitHub, clock: Arc<ScriptedClock>) -> Client {
    Client::builder()
        .base_url(fake.base_url())
        .token("fake-token")
        .retry(RetryPolicy::default().jitter(false))
        .clock(clock)
        .build()
        .unwrap()
}

/// An action that creates a status on the fake over HTTP, as a deploy
/// system would.
pub fn post_status(fake: &FakeGitHub, repo: &str, id: i64, state: &'static str) -> Action {
    let url = format!(
        "{}/repos/octo-org/{repo}/deployments/{id}/statuses",
        fake.base_url()
    );
    Box::new(move || {
        Box::pin(async move {
            let c = reqwest::Client::builder().no_proxy().build().unwrap();
            let r = c
                .post(url)
                .bearer_auth("fake-token")
                .json(&serde_json::json!({"state": state, "description": format!("now {state}")}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
        })
    })
}
