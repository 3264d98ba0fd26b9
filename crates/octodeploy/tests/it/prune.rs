//! `prune()` against the in-memory GitHub: every page read, the newest N
//! and the live deployment kept, the others made inactive then deleted,
//! writes paced on the clock, one failure in the middle not stopping the
//! rest, the dry run sending nothing, and `replace_with`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use octodeploy::{KeepReason, PruneEvent, PruneStep, ReplaceOutcome, State};
use octodeploy_fake::{DeploymentState, FakeGitHub};

use crate::lifecycle_support::{ScriptedClock, client};

/// `review-1` with deployments 1–8 (newest 8): 8 in progress, 7 failed,
/// 6 live (success), 5 and 4 successes superseded (made inactive), 3
/// inactive, 2 without status, 1 error; deployment 9 in another
/// environment.
async fn fake() -> FakeGitHub {
    use DeploymentState::*;
    FakeGitHub::builder()
        .token("fake-token")
        .repo("octo-org", "app", |r| {
            r.deployment_with(1, "review-1", |d| d.status(Error))
                .deployment(2, "review-1")
                .deployment_with(3, "review-1", |d| d.statuses([Success, Inactive]))
                .deployment_with(4, "review-1", |d| d.statuses([Success, Inactive]))
                .deployment_with(5, "review-1", |d| d.statuses([Success, Inactive]))
                .deployment_with(6, "review-1", |d| d.status(Success))
                .deployment_with(7, "review-1", |d| d.status(Failure))
                .deployment_with(8, "review-1", |d| d.status(InProgress))
                .deployment_with(9, "staging", |d| d.status(Success))
        })
        .start()
        .await
        .unwrap()
}

fn writes(fake: &FakeGitHub) -> Vec<(String, String)> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.method, r.path))
        .collect()
}

#[tokio::test]
async fn the_plan_keeps_the_newest_and_the_live_one_and_sends_nothing() {
    let fake = fake().await;
    let repo = client(&fake, Arc::default()).repo("octo-org", "app");
    let plan = repo.prune("review-1").per_page(3).plan().await.unwrap();
    let kept: Vec<(i64, KeepReason)> = plan.keep.iter().map(|k| (k.id, k.reason)).collect();
    assert_eq!(kept, [(8, KeepReason::Newest), (6, KeepReason::Live)]);
    let doomed: Vec<(i64, bool)> = plan.delete.iter().map(|d| (d.id, d.deactivate)).collect();
    assert_eq!(
        doomed,
        [
            (7, true),
            (5, false),
            (4, false),
            (3, false),
            (2, true),
            (1, true)
        ]
    );
    assert_eq!(plan.writes(), 9);
    assert!(writes(&fake).is_empty(), "a dry run changes nothing");
    let lists = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/deployments"))
        .count();
    assert_eq!(lists, 3, "8 deployments in pages of 3");

    let plan = repo
        .prune("review-1")
        .keep(0)
        .keep_live(false)
        .plan()
        .await
        .unwrap();
    assert!(plan.keep.is_empty());
    assert_eq!(plan.delete.len(), 8);
}

#[tokio::test]
async fn every_page_is_pruned_paced_and_a_failure_does_not_stop_the_rest() {
    let fake = fake().await;
    let clock = Arc::new(ScriptedClock::default());
    // Deployment 2 is the fourth to go: its `inactive` status (the 6th
    // write, after the 5th pause) meets a 502, and a POST is not repeated.
    let faults = fake.faults().clone();
    clock.on_sleep(
        5,
        Box::new(move || {
            Box::pin(async move {
                faults.bad_gateway(1);
            })
        }),
    );
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let report = client(&fake, clock.clone())
        .repo("octo-org", "app")
        .prune("review-1")
        .per_page(2)
        .on_progress(move |e| sink.lock().unwrap().push(e.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(report.deleted, [7, 5, 4, 3, 1]);
    assert_eq!(report.failed.len(), 1);
    let failed = &report.failed[0];
    assert_eq!(
        (failed.id, failed.step, failed.status),
        (2, PruneStep::Deactivate, Some(502))
    );
    assert!(!report.is_complete());
    let kept: Vec<i64> = report.kept.iter().map(|k| k.id).collect();
    assert_eq!(kept, [8, 6]);
    for id in [2, 6, 8, 9] {
        assert!(
            fake.deployment("octo-org", "app", id).is_some(),
            "{id} stays"
        );
    }
    for id in [1, 3, 4, 5, 7] {
        assert!(
            fake.deployment("octo-org", "app", id).is_none(),
            "{id} went"
        );
    }
    // 8 writes (9 planned, one failed and its delete skipped), a pause before each but the first.
    let w = writes(&fake);
    assert_eq!(w.len(), 8, "{w:#?}");
    assert_eq!(
        *clock.slept.lock().unwrap(),
        vec![Duration::from_secs(1); 7]
    );
    let events = events.lock().unwrap();
    assert_eq!(events[0], PruneEvent::Planned { keep: 2, delete: 6 });
    assert!(
        events
            .iter()
            .any(|e| matches!(e, PruneEvent::Failed(f) if f.id == 2))
    );
    assert!(events.contains(&PruneEvent::Deleted {
        id: 1,
        done: 6,
        total: 6
    }));
}

#[tokio::test]
async fn replace_with_creates_marks_success_and_deletes_the_old_one() {
    let fake = fake().await;
    let repo = client(&fake, Arc::default()).repo("octo-org", "app");
    let outcome = repo
        .deployment(9)
        .replace_with(repo.create_deployment("v2").environment("staging"))
        .await
        .unwrap();
    let ReplaceOutcome::Replaced {
        deployment,
        status,
        deleted,
    } = outcome
    else {
        panic!("replaced")
    };
    assert_eq!(deleted, 9);
    assert_eq!(status.state, State::Success);
    assert!(fake.deployment("octo-org", "app", 9).is_none());
    let new = fake
        .deployment("octo-org", "app", deployment.id as u64)
        .unwrap();
    assert_eq!(new.state, Some(DeploymentState::Success));
    // auto_inactive made 9 inactive already: no extra status before the delete.
    let posts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 2, "create + success");
}
