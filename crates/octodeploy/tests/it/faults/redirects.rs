//! Redirects: GitHub's own (a renamed or transferred repository: 301 for
//! GET, 307 for other methods, same origin) are followed; a method-changing
//! redirect of a POST or DELETE, another origin, a loop or too many hops is
//! an error naming the location, never a success.

use std::sync::Arc;

use octodeploy::{Client, Error};

use super::matrix::{CALLS, Call, exercise, run};
use super::server::{Hostile, Reply, TestClock, builder, http};

/// A redirect to `location` for the first request, then success.
fn redirect_once(
    call: Call,
    status: u16,
    location: &'static str,
) -> impl Fn(&super::server::Seen, usize) -> Reply {
    move |_, n| match n {
        0 => Reply::Raw(http(status, &[("location", location)], b"")),
        _ => Reply::Raw(call.success()),
    }
}

const MOVED: &str = "/api/v3/repositories/99/deployments/1";

#[tokio::test]
async fn get_follows_every_redirect_within_the_origin() {
    for status in [301, 302, 303, 307, 308] {
        let server = Hostile::start(redirect_once(
            Call::Get,
            status,
            "/api/v3/repositories/99/deployments/1/statuses/7",
        ))
        .await;
        let clock = Arc::new(TestClock::default());
        let client = builder(&server, &clock).build().unwrap();
        let r = client
            .repo("octo-org", "deploy-demo")
            .deployment(1)
            .status(7)
            .await
            .unwrap();
        let seen = server.requests();
        assert_eq!(seen.len(), 2, "{status}");
        assert_eq!(seen[1].method, "GET");
        assert_eq!(
            seen[1].target,
            "/api/v3/repositories/99/deployments/1/statuses/7"
        );
        assert!(
            seen[1]
                .head
                .contains("authorization: bearer hostile-test-token")
        );
        assert_eq!(
            r.meta().url.as_ref().unwrap().path(),
            "/api/v3/repositories/99/deployments/1/statuses/7",
            "Meta shows the URL that answered"
        );
    }
}

#[tokio::test]
async fn post_and_delete_follow_307_and_308_sending_the_body_once_more() {
    for status in [307, 308] {
        for call in [Call::Post, Call::Delete] {
            let (result, server, _) = exercise(call, redirect_once(call, status, MOVED)).await;
            assert!(result.is_ok(), "{call:?} {status}: {result:?}");
            let seen = server.requests();
            assert_eq!(seen.len(), 2);
            assert_eq!(seen[1].method, seen[0].method, "the method is kept");
            assert_eq!(seen[1].target, MOVED);
            assert_eq!(
                seen[1].body, seen[0].body,
                "the body goes to the new location"
            );
        }
    }
}

#[tokio::test]
async fn a_method_changing_redirect_of_post_or_delete_is_an_error() {
    for status in [301, 302, 303] {
        for call in [Call::Post, Call::Delete] {
            let (result, server, _) = exercise(call, redirect_once(call, status, MOVED)).await;
            let err = result.unwrap_err();
            let Error::Redirect {
                status: s,
                location,
                reason,
            } = &err
            else {
                panic!("{call:?} {status}: {err:?}")
            };
            assert_eq!((*s, location.as_str()), (status, MOVED));
            assert!(reason.contains("into a GET"), "{reason}");
            assert!(
                err.to_string().contains(MOVED),
                "the error says where: {err}"
            );
            assert_eq!(server.count(), 1, "nothing is sent to the new location");
        }
    }
}

#[tokio::test]
async fn a_dispatch_answered_with_303_is_not_a_success() {
    let server = Hostile::start(|_, n| match n {
        0 => Reply::Raw(http(303, &[("location", "/api/v3/elsewhere")], b"")),
        _ => Reply::Raw(http(204, &[], b"")),
    })
    .await;
    let clock = Arc::new(TestClock::default());
    let client = builder(&server, &clock).build().unwrap();
    let err = client
        .repo("octo-org", "deploy-demo")
        .dispatch("deployed")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Redirect { status: 303, .. }),
        "{err:?}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn another_origin_is_never_followed() {
    let elsewhere = Hostile::start(|_, _| Reply::Raw(http(200, &[], b"{}"))).await;
    let location: &'static str =
        Box::leak(format!("{}/repos/o/r", elsewhere.base).into_boxed_str());
    for call in CALLS {
        for status in [301, 307, 308] {
            let (result, server, _) = exercise(call, redirect_once(call, status, location)).await;
            let err = result.unwrap_err();
            assert!(
                matches!(&err, Error::Redirect { location: l, reason, .. } if l == location && reason.contains("another origin")),
                "{call:?} {status}: {err:?}"
            );
            assert_eq!(server.count(), 1);
        }
    }
    assert_eq!(elsewhere.count(), 0, "nothing reached the other origin");
}

#[tokio::test]
async fn loops_too_many_hops_and_missing_locations_are_errors() {
    for call in CALLS {
        // /a -> /b -> /a
        let (result, server, _) = exercise(call, |seen, _| {
            let to = if seen.target.ends_with("/b") {
                "/api/v3/a"
            } else {
                "/api/v3/b"
            };
            Reply::Raw(http(307, &[("location", to)], b""))
        })
        .await;
        let err = result.unwrap_err();
        assert!(
            matches!(&err, Error::Redirect { reason, .. } if reason.contains("loop")),
            "{err:?}"
        );
        assert_eq!(server.count(), 3);

        // /hop/0 -> /hop/1 -> …
        let (result, server, _) = exercise(call, |_, n| {
            let to = format!("/api/v3/hop/{n}");
            Reply::Raw(http(308, &[("location", &to)], b""))
        })
        .await;
        let err = result.unwrap_err();
        assert!(
            matches!(&err, Error::Redirect { reason, .. } if reason.contains("more than 5 redirects")),
            "{err:?}"
        );
        assert_eq!(server.count(), 6, "the request and five hops");

        let (result, server, _) = exercise(call, |_, _| Reply::Raw(http(302, &[], b""))).await;
        let err = result.unwrap_err();
        assert!(
            matches!(&err, Error::Redirect { reason, .. } if reason.contains("no `Location`")),
            "{err:?}"
        );
        assert_eq!(server.count(), 1);
    }
}

#[tokio::test]
async fn a_caller_supplied_client_that_follows_redirects_itself_is_held_to_the_same_rules() {
    let server = Hostile::start(|seen, _| {
        if seen.target.ends_with("/moved") {
            Reply::Raw(Call::Get.success())
        } else {
            Reply::Raw(http(302, &[("location", "/api/v3/moved")], b""))
        }
    })
    .await;
    let clock = Arc::new(TestClock::default());
    // reqwest's default policy follows up to 10 hops and turns a POST into a GET on 302.
    let client: Client = builder(&server, &clock)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    // A GET within the origin: fine.
    run(Call::Get, &client).await.unwrap();
    // A POST that reqwest turned into a GET: refused, not a success.
    let err = run(Call::Post, &client).await.unwrap_err();
    assert!(
        matches!(&err, Error::Redirect { reason, .. } if reason.contains("Policy::none()")),
        "{err:?}"
    );
}
