//! Base URLs and paths: trailing slashes and a doubled `/api/v3`, encoded
//! segments, dot segments and backslashes refused before anything is sent.

use octodeploy::{Client, Error};
use octodeploy_replay::{Cassette, REPLAY_TOKEN, ReplayServer};

use super::{client, empty_replay, get_status, no_retry, replay};

#[tokio::test]
async fn trailing_slashes_and_a_doubled_api_v3_do_not_break_paths() {
    for base in ["/api/v3/", "/api/v3//", "/api/v3/api/v3"] {
        let r = replay("get-status").await;
        let c = Client::builder()
            .base_url(format!("{}{base}", r.origin()))
            .token(REPLAY_TOKEN)
            .build()
            .unwrap();
        get_status(&c, 42, 1187).await.unwrap();
        r.finish();
    }
}

#[tokio::test]
async fn path_segments_are_encoded_and_dot_segments_refused() {
    // Nothing in the cassette: any request would be unexpected.
    let r = empty_replay().await;
    let c = no_retry(&r);
    for (owner, repo) in [("..", "x"), ("", "x"), ("o", "")] {
        let err = c
            .repo(owner, repo)
            .deployment(1)
            .status(1)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{owner}/{repo}: {err:?}");
    }
    r.finish();

    // An owner with `/`, `..` and `?` stays one encoded segment.
    let mut cassette = Cassette::load("get-status").unwrap();
    cassette.interactions[0].request.path =
        "/api/v3/repos/a%2F..%2Fb%3Fc/deploy-demo/deployments/42/statuses/1187".into();
    let r = ReplayServer::replay(cassette).await.unwrap();
    client(&r)
        .repo("a/../b?c", "deploy-demo")
        .deployment(42)
        .status(1187)
        .await
        .unwrap();
    r.finish();
}

#[tokio::test]
async fn a_backslash_cannot_escape_the_path() {
    let r = empty_replay().await;
    let err = no_retry(&r)
        .repo(r"x\..\..\orgs\evil", "repo")
        .deployment(1)
        .delete()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(v) if v.field == "owner"),
        "{err:?}"
    );
    r.finish();
}
