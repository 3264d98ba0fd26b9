//! Exit 6: a POST that was sent and then failed without a clear answer may
//! have been processed. The CLI sends it once, says so, and says how to
//! find out before running the command again.

use std::time::Duration;

use octodeploy_fake::FakeGitHub;

use crate::common::{TOKEN, against};

async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .token(TOKEN)
        .repo("octo-org", "deploy-demo", |r| r.deployment(42, "staging"))
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_502_after_a_status_create_is_exit_6_sent_once() {
    let fake = fake().await;
    fake.faults().bad_gateway(1);
    let run = against(&fake.base_url())
        .args([
            "status",
            "create",
            "octo-org/deploy-demo",
            "42",
            "--state",
            "success",
        ])
        .run()
        .await;
    run.expect_code(6).expect_stderr(&[
        "outcome is unknown",
        "hint: do not just run the command again",
        "octodeploy status list octo-org/deploy-demo 42",
    ]);
    assert_eq!(fake.requests().len(), 1, "the POST is not repeated");
}

#[tokio::test]
async fn a_dispatch_that_times_out_is_exit_6_sent_once() {
    let fake = fake().await;
    fake.faults().latency(Duration::from_secs(20));
    let run = tokio::time::timeout(
        Duration::from_secs(15),
        against(&fake.base_url())
            .args(["--timeout", "200ms"])
            .args(["dispatch", "octo-org/deploy-demo", "deploy-finished"])
            .run(),
    )
    .await
    .expect("--timeout ended the dispatch");
    run.expect_code(6).expect_stderr(&[
        "outcome is unknown",
        "repository_dispatch `deploy-finished`",
    ]);
    assert!(
        fake.requests().len() <= 1,
        "the dispatch is not repeated: {:?}",
        fake.requests()
    );
}
