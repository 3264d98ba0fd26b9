//! Bad input is refused before anything is sent, naming the field; error
//! chains print each cause once; a connection never made is not ambiguous.

use std::sync::Arc;

use octodeploy::{Client, Error, State};

use super::server::{Hostile, Reply, TestClock, builder, http};

#[tokio::test]
async fn ids_and_names_github_would_never_have_are_refused_before_sending() {
    let server = Hostile::start(|_, _| Reply::Raw(http(500, &[], b""))).await;
    let client = builder(&server, &Arc::new(TestClock::default()))
        .build()
        .unwrap();
    let field = |e: Error| match e {
        Error::Invalid(v) => v.field,
        other => panic!("{other:?}"),
    };
    let repo = client.repo("octo-org", "deploy-demo");
    for id in [0, -1, i64::MIN] {
        assert_eq!(
            field(repo.deployment(id).status(1).await.unwrap_err()),
            "deployment_id"
        );
        assert_eq!(
            field(repo.deployment(id).delete().await.unwrap_err()),
            "deployment_id"
        );
        assert_eq!(
            field(
                repo.deployment(id)
                    .create_status(State::Success)
                    .await
                    .unwrap_err()
            ),
            "deployment_id"
        );
        assert_eq!(
            field(repo.deployment(id).statuses().send().await.unwrap_err()),
            "deployment_id"
        );
        assert_eq!(
            field(repo.deployment(1).status(id).await.unwrap_err()),
            "status_id"
        );
    }
    for (owner, name, bad) in [
        ("   ", "r", "owner"),
        ("o", "\t", "repo"),
        ("o\u{1b}[31m", "r", "owner"),
        ("o", "r\nx", "repo"),
        ("o", "r\u{7f}", "repo"),
    ] {
        let repo = client.repo(owner, name);
        assert_eq!(field(repo.deployment(1).status(1).await.unwrap_err()), bad);
        assert_eq!(field(repo.dispatch("deployed").await.unwrap_err()), bad);
    }
    assert_eq!(server.count(), 0, "nothing was sent");
}

/// The messages of an error and its sources, outermost first.
fn chain(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut next = e.source();
    while let Some(s) = next {
        out.push(s.to_string());
        next = s.source();
    }
    out
}

#[tokio::test]
async fn a_connection_never_made_is_retried_even_for_a_post_and_each_cause_prints_once() {
    // A port nobody listens on: bind one, then close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let clock = Arc::new(TestClock::default());
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}/api/v3"))
        .retry(
            octodeploy::RetryPolicy::default()
                .jitter(false)
                .max_retries(2),
        )
        .clock(clock.clone())
        .build()
        .unwrap();
    let err = client
        .repo("o", "r")
        .deployment(1)
        .create_status(State::Success)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.is_connect()),
        "{err:?}"
    );
    assert!(!err.is_outcome_unknown(), "nothing was sent");
    assert_eq!(clock.slept().len(), 2, "retried: it never reached a server");

    let messages = chain(&err);
    assert_eq!(messages[0], "request failed");
    assert!(messages.len() >= 3, "{messages:?}");
    for pair in messages.windows(2) {
        assert!(
            !pair[0].contains(&pair[1]),
            "a cause printed twice: {messages:?}"
        );
    }
}
