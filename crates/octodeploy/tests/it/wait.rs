//! `wait()` and `watch()` against the in-memory GitHub on a virtual clock:
//! conditional polls (a 304 costs no quota, counted from the fake's
//! request log and rate-limit headers), backoff while nothing changes,
//! each new status once, terminal failures, timeouts carrying the last
//! status, and a spent quota waited out.

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use octodeploy::{Error, RetryPolicy, State};
use octodeploy_fake::{DeploymentState, FakeGitHub};

use crate::lifecycle_support::{ScriptedClock, client, post_status};

async fn fake_with(state: Option<DeploymentState>) -> FakeGitHub {
    FakeGitHub::builder()
        .token("fake-token")
        .repo("octo-org", "app", |r| {
            r.deployment_with(7, "staging", |d| match state {
                Some(s) => d.status(s),
                None => d,
            })
        })
        .start()
        .await
        .unwrap()
}

fn status_gets(fake: &FakeGitHub) -> Vec<octodeploy_fake::RecordedRequest> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/statuses"))
        .collect()
}

#[tokio::test]
async fn polls_are_conditional_and_a_304_costs_no_quota() {
    let fake = fake_with(Some(DeploymentState::InProgress)).await;
    let clock = Arc::new(ScriptedClock::default());
    clock.on_sleep(4, post_status(&fake, "app", 7, "success"));
    let done = client(&fake, clock.clone())
        .repo("octo-org", "app")
        .deployment(7)
        .wait()
        .interval(Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(done.state, State::Success);

    let gets = status_gets(&fake);
    let statuses: Vec<u16> = gets.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 304, 304, 304, 200], "one poll per sleep");
    assert!(
        gets.iter()
            .all(|r| r.query.as_deref() == Some("per_page=1")),
        "newest only"
    );
    assert!(gets[0].header("if-none-match").is_none());
    assert!(
        gets[1..]
            .iter()
            .all(|r| r.header("if-none-match").is_some())
    );
    // Quota: 2 full GETs and the POST; the three 304s are free.
    let probe = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = probe
        .get(format!(
            "{}/repos/octo-org/app/deployments/7",
            fake.base_url()
        ))
        .bearer_auth("fake-token")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["x-ratelimit-used"],
        "4",
        "2 polls + 1 POST + this probe"
    );
}

#[tokio::test]
async fn the_interval_backs_off_while_nothing_changes_and_resets_after_a_change() {
    let fake = fake_with(Some(DeploymentState::Queued)).await;
    let clock = Arc::new(ScriptedClock::default());
    clock.on_sleep(4, post_status(&fake, "app", 7, "in_progress"));
    clock.on_sleep(6, post_status(&fake, "app", 7, "failure"));
    let seen: Vec<State> = client(&fake, clock.clone())
        .repo("octo-org", "app")
        .deployment(7)
        .wait()
        .interval(Duration::from_secs(2))
        .max_interval(Duration::from_secs(5))
        .stream()
        .map_ok(|s| s.state)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        seen,
        [State::Queued, State::InProgress, State::Failure],
        "each new status once"
    );
    let slept: Vec<u128> = clock
        .slept
        .lock()
        .unwrap()
        .iter()
        .map(|d| d.as_millis())
        .collect();
    assert_eq!(slept, [2000, 3000, 4500, 5000, 2000, 3000]);
}

#[tokio::test]
async fn watch_ends_after_a_terminal_status_already_there() {
    let fake = fake_with(Some(DeploymentState::Error)).await;
    let clock = Arc::new(ScriptedClock::default());
    let d = client(&fake, clock.clone())
        .repo("octo-org", "app")
        .deployment(7);
    let all: Vec<_> = d.watch().try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].state, State::Error);
    assert!(clock.slept.lock().unwrap().is_empty(), "no poll needed");
    let done = d.wait().await.unwrap();
    assert_eq!(
        done.state,
        State::Error,
        "wait returns failed terminal states too"
    );
}

#[tokio::test]
async fn a_timeout_carries_the_last_status() {
    let fake = fake_with(None).await;
    let clock = Arc::new(ScriptedClock::default());
    clock.on_sleep(2, post_status(&fake, "app", 7, "in_progress"));
    let err = client(&fake, clock.clone())
        .repo("octo-org", "app")
        .deployment(7)
        .wait()
        .timeout(Duration::from_secs(20))
        .interval(Duration::from_secs(4))
        .await
        .unwrap_err();
    let Error::WaitTimedOut(t) = err else {
        panic!("timeout: {err:?}")
    };
    assert_eq!(t.deployment_id, 7);
    assert_eq!(
        t.last.as_ref().map(|s| s.state.clone()),
        Some(State::InProgress)
    );
    assert_eq!(
        clock.total(),
        Duration::from_secs(20),
        "sleeps stop at the deadline"
    );
    assert_eq!(t.waited, Duration::from_secs(20));
    assert!(t.to_string().contains("in_progress"), "{t}");
}

#[tokio::test]
async fn a_spent_quota_is_waited_out() {
    let fake = fake_with(Some(DeploymentState::Pending)).await;
    let clock = Arc::new(ScriptedClock::default());
    clock.on_sleep(3, post_status(&fake, "app", 7, "success"));
    let c = octodeploy::Client::builder()
        .base_url(fake.base_url())
        .token("fake-token")
        .retry(RetryPolicy::none())
        .clock(clock.clone())
        .build()
        .unwrap();
    // The second poll is refused with the primary limit; the window then
    // refills by itself.
    fake.faults().rate_limit_after_then_reset(1, 1);
    let done = c
        .repo("octo-org", "app")
        .deployment(7)
        .wait()
        .interval(Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(done.state, State::Success);
    let slept = clock.slept.lock().unwrap().clone();
    assert!(
        slept.iter().any(|d| *d >= Duration::from_secs(30)),
        "the poll after the limit waited for the reset: {slept:?}"
    );
}

#[tokio::test]
async fn bad_options_are_refused() {
    let fake = fake_with(None).await;
    let d = client(&fake, Arc::default())
        .repo("octo-org", "app")
        .deployment(7);
    let Error::Invalid(v) = d
        .wait()
        .interval(Duration::from_millis(10))
        .await
        .unwrap_err()
    else {
        panic!("invalid")
    };
    assert_eq!(v.field, "interval");
    assert!(fake.requests().is_empty());
}
