//! The fault matrix: each misbehaviour of a server against GET (a status),
//! DELETE (a deployment) and POST (create a status), asserting the outcome,
//! how many requests the server saw, and that a POST is never sent twice
//! after an ambiguous failure.

use std::sync::Arc;
use std::time::Duration;

use octodeploy::{Client, Error, RateLimitKind, State};

use super::server::{
    Hostile, Reply, Seen, TestClock, builder, head, http, json_reply, status_json,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Get,
    Delete,
    Post,
}

pub const CALLS: [Call; 3] = [Call::Get, Call::Delete, Call::Post];

impl Call {
    /// GitHub's success answer for this call.
    pub fn success(self) -> Vec<u8> {
        match self {
            Call::Get => json_reply(200, &status_json(7)),
            Call::Delete => http(204, &[], b""),
            Call::Post => json_reply(201, &status_json(8)),
        }
    }
}

/// Makes the call; the HTTP status of a success.
pub async fn run(call: Call, client: &Client) -> Result<u16, Error> {
    let d = client.repo("octo-org", "deploy-demo").deployment(1);
    match call {
        Call::Get => d.status(7).await.map(|r| r.meta().status),
        Call::Delete => d.delete().await.map(|r| r.meta().status),
        Call::Post => d
            .create_status(State::Success)
            .await
            .map(|r| r.meta().status),
    }
}

/// Runs `call` against a server answering with `reply`.
pub async fn exercise(
    call: Call,
    reply: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static,
) -> (Result<u16, Error>, Hostile, Arc<TestClock>) {
    let server = Hostile::start(reply).await;
    let clock = Arc::new(TestClock::default());
    let client = builder(&server, &clock).build().unwrap();
    let result = run(call, &client).await;
    (result, server, clock)
}

/// An ambiguous failure: GET and DELETE retried (three requests) ending in
/// `cause`; a POST sent once and reported as outcome unknown around `cause`.
fn assert_ambiguous(
    call: Call,
    result: &Result<u16, Error>,
    server: &Hostile,
    cause: impl Fn(&Error) -> bool,
) {
    let err = result.as_ref().expect_err("a failure");
    match call {
        Call::Get | Call::Delete => {
            assert!(cause(err), "{call:?}: {err:?}");
            assert!(!err.is_outcome_unknown());
            assert_eq!(server.count(), 3, "{call:?} is retried twice");
        }
        Call::Post => {
            let Error::OutcomeUnknown { source, .. } = err else {
                panic!("POST: {err:?}")
            };
            assert!(cause(source), "POST: {source:?}");
            assert_eq!(server.count(), 1, "a POST is never repeated: {err}");
        }
    }
}

/// A clear failure: sent once, `check` holds, not outcome-unknown.
fn assert_once(
    call: Call,
    result: &Result<u16, Error>,
    server: &Hostile,
    check: impl Fn(&Error) -> bool,
) {
    let err = result.as_ref().expect_err("a failure");
    assert!(check(err), "{call:?}: {err:?}");
    assert!(!err.is_outcome_unknown(), "{call:?}: {err:?}");
    assert_eq!(server.count(), 1, "{call:?}");
}

fn transport(e: &Error) -> bool {
    matches!(e, Error::Transport(t) if !t.is_connect())
}

fn timeout(e: &Error) -> bool {
    matches!(e, Error::Timeout(t) if t.is_timeout())
}

#[tokio::test]
async fn reset_before_the_response() {
    for call in CALLS {
        let (result, server, _) = exercise(call, |_, _| Reply::ThenReset(Vec::new())).await;
        assert_ambiguous(call, &result, &server, transport);
    }
}

#[tokio::test]
async fn reset_mid_body() {
    for call in CALLS {
        let (result, server, _) = exercise(call, |_, _| {
            let mut bytes = head(200, &[("content-length", "1000")]);
            bytes.extend_from_slice(br#"{"id": 7, "url": "#);
            Reply::ThenReset(bytes)
        })
        .await;
        assert_ambiguous(call, &result, &server, transport);
    }
}

#[tokio::test]
async fn truncated_body_shorter_than_its_content_length() {
    for call in CALLS {
        let (result, server, _) = exercise(call, |_, _| {
            let mut bytes = head(200, &[("content-length", "1000")]);
            bytes.extend_from_slice(br#"{"id": 7, "url": "#);
            Reply::Raw(bytes)
        })
        .await;
        assert_ambiguous(
            call,
            &result,
            &server,
            |e| matches!(e, Error::Transport(t) if t.is_body()),
        );
    }
}

#[tokio::test]
async fn truncated_body_without_content_length() {
    for call in CALLS {
        let (result, server, _) = exercise(call, move |_, _| {
            let status = if call == Call::Post { 201 } else { 200 };
            let mut bytes = head(status, &[("content-type", "application/json")]);
            bytes.extend_from_slice(br#"{"id": 7, "url": "#);
            Reply::Raw(bytes)
        })
        .await;
        match call {
            // A DELETE's body is not read for meaning: any 2xx is success.
            Call::Delete => assert_eq!(result.unwrap(), 200),
            _ => assert_once(call, &result, &server, |e| {
                matches!(e, Error::Decode { .. })
            }),
        }
    }
}

#[tokio::test]
async fn html_where_json_was_expected() {
    for call in CALLS {
        let (result, server, _) = exercise(call, |_, _| {
            Reply::Raw(http(
                200,
                &[("content-type", "text/html")],
                b"<html><body>Sign in to continue</body></html>",
            ))
        })
        .await;
        match call {
            Call::Delete => assert_eq!(result.unwrap(), 200),
            _ => assert_once(call, &result, &server, |e| {
                matches!(e, Error::Decode { .. })
            }),
        }
    }
}

#[tokio::test]
async fn invalid_utf8() {
    for call in CALLS {
        let (result, server, _) = exercise(call, |_, _| {
            let mut body = br#"{"message": "bad "#.to_vec();
            body.extend_from_slice(&[0xff, 0xfe, 0x80]);
            body.extend_from_slice(b"\"}");
            Reply::Raw(http(500, &[("content-type", "application/json")], &body))
        })
        .await;
        assert_ambiguous(
            call,
            &result,
            &server,
            |e| matches!(e, Error::NonJson { status: 500, excerpt, .. } if excerpt.contains('\u{FFFD}')),
        );
    }
}

#[tokio::test]
async fn deep_nesting_neither_overflows_nor_succeeds() {
    let deep = "[".repeat(100_000).into_bytes();
    for call in CALLS {
        let body = deep.clone();
        let (result, server, _) = exercise(call, move |_, _| {
            Reply::Raw(http(422, &[("content-type", "application/json")], &body))
        })
        .await;
        assert_once(call, &result, &server, |e| {
            matches!(e, Error::NonJson { status: 422, .. })
        });
    }
    let (result, server, _) = exercise(Call::Get, move |_, _| {
        Reply::Raw(http(200, &[("content-type", "application/json")], &deep))
    })
    .await;
    assert_once(Call::Get, &result, &server, |e| {
        matches!(e, Error::Decode { .. })
    });
}

#[tokio::test]
async fn server_errors_as_html() {
    for status in [500, 502, 503, 504] {
        for call in CALLS {
            let (result, server, _) = exercise(call, move |_, _| {
                Reply::Raw(http(
                    status,
                    &[
                        ("content-type", "text/html"),
                        ("x-github-request-id", "R:1"),
                    ],
                    b"<html><h1>Bad Gateway</h1></html>",
                ))
            })
            .await;
            assert_ambiguous(
                call,
                &result,
                &server,
                |e| matches!(e, Error::NonJson { status: s, .. } if *s == status),
            );
            if call == Call::Post {
                let err = result.unwrap_err();
                assert_eq!(err.request_id(), Some("R:1"), "the request id is kept");
                assert_eq!(err.status(), Some(status));
            }
        }
    }
}

#[tokio::test]
async fn request_timeout_408_is_retried_for_get_and_delete_only() {
    for call in CALLS {
        let (result, server, _) = exercise(call, |_, _| {
            Reply::Raw(http(
                408,
                &[("content-type", "text/plain")],
                b"Request Timeout",
            ))
        })
        .await;
        let err = result.unwrap_err();
        assert_eq!(err.status(), Some(408));
        assert!(!err.is_outcome_unknown(), "a 408 was not processed");
        let expected = if call == Call::Post { 1 } else { 3 };
        assert_eq!(server.count(), expected, "{call:?}");
    }
}

/// A 429 (with `retry_after`, if any) for the first request, then success.
fn rate_limited_once(
    call: Call,
    retry_after: Option<&'static str>,
) -> impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static {
    move |_, n| match n {
        0 => {
            let mut headers = vec![("content-type", "application/json")];
            if let Some(v) = retry_after {
                headers.push(("retry-after", v));
            }
            Reply::Raw(http(
                429,
                &headers,
                br#"{"message":"You have exceeded a secondary rate limit."}"#,
            ))
        }
        _ => Reply::Raw(call.success()),
    }
}

#[tokio::test]
async fn a_429_is_retried_after_its_retry_after_seconds_or_date() {
    let date = httpdate::fmt_http_date(TestClock::default().now + Duration::from_secs(30));
    let date: &'static str = Box::leak(date.into_boxed_str());
    for (value, wait) in [("7", 7), (date, 30)] {
        for call in CALLS {
            let handler = rate_limited_once(call, Some(value));
            let (result, server, clock) = exercise(call, handler).await;
            assert!(result.is_ok(), "{call:?} {value}: {result:?}");
            assert_eq!(server.count(), 2, "{call:?}");
            assert_eq!(
                clock.slept(),
                [Duration::from_secs(wait)],
                "{call:?} {value}"
            );
        }
    }
}

#[tokio::test]
async fn absurd_retry_after_values_neither_panic_nor_wait_forever() {
    for call in CALLS {
        // Beyond `max_wait`: returned at once.
        let handler = rate_limited_once(call, Some("99999999999999999"));
        let (result, server, clock) = exercise(call, handler).await;
        assert!(matches!(result, Err(Error::RateLimited(_))), "{result:?}");
        assert_eq!(server.count(), 1);
        assert!(clock.slept().is_empty());
        // Not a number or a date: as if absent (the secondary-limit wait).
        for garbage in ["soon", "-5", "1e9", "Mon, 99 Foo 2025 99:99:99 GMT"] {
            let handler = rate_limited_once(call, Some(garbage));
            let (result, server, clock) = exercise(call, handler).await;
            assert!(result.is_ok(), "{garbage}: {result:?}");
            assert_eq!(server.count(), 2);
            assert_eq!(clock.slept(), [Duration::from_secs(60)], "{garbage}");
        }
    }
}

#[tokio::test]
async fn a_429_without_retry_after_waits_a_bounded_time() {
    for call in CALLS {
        let server = Hostile::start(rate_limited_once(call, None)).await;
        // The wait is configurable…
        let clock = Arc::new(TestClock::default());
        let client = builder(&server, &clock)
            .retry(
                octodeploy::RetryPolicy::default()
                    .jitter(false)
                    .secondary_wait(Duration::from_secs(2)),
            )
            .build()
            .unwrap();
        run(call, &client).await.unwrap();
        assert_eq!(clock.slept(), [Duration::from_secs(2)]);
        // …and a step that may not wait that long gets the error at once.
        let server = Hostile::start(rate_limited_once(call, None)).await;
        let clock = Arc::new(TestClock::default());
        let client = builder(&server, &clock)
            .retry(octodeploy::RetryPolicy::default().max_wait(Duration::from_secs(10)))
            .build()
            .unwrap();
        let err = run(call, &client).await.unwrap_err();
        assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
        assert_eq!(server.count(), 1);
        assert!(clock.slept().is_empty());
    }
}

#[tokio::test]
async fn primary_and_secondary_403s_as_github_sends_them() {
    let reset = TestClock::default().now + Duration::from_secs(10);
    let reset = reset
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let reset: &'static str = Box::leak(reset.into_boxed_str());
    for call in CALLS {
        // Primary: the quota is spent; nothing was processed, so even a
        // POST waits for the reset and tries again.
        let (result, server, clock) = exercise(call, move |_, n| match n {
            0 => Reply::Raw(http(
                403,
                &[
                    ("content-type", "application/json"),
                    ("x-ratelimit-limit", "5000"),
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", reset),
                ],
                br#"{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}"#,
            )),
            _ => Reply::Raw(call.success()),
        })
        .await;
        assert!(result.is_ok(), "{call:?}: {result:?}");
        assert_eq!(server.count(), 2);
        assert_eq!(clock.slept(), [Duration::from_secs(11)]);

        // Secondary without Retry-After: GET and DELETE wait a minute; a
        // POST is not retried (GitHub may count it against the limit).
        let (result, server, clock) = exercise(call, |_, _| {
            Reply::Raw(http(
                403,
                &[("content-type", "application/json")],
                br#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}"#,
            ))
        })
        .await;
        let err = result.unwrap_err();
        assert!(
            matches!(&err, Error::RateLimited(r) if r.kind == RateLimitKind::Secondary),
            "{err:?}"
        );
        assert!(!err.is_outcome_unknown());
        match call {
            Call::Post => assert_eq!(server.count(), 1),
            _ => {
                assert_eq!(server.count(), 3);
                assert_eq!(clock.slept(), [Duration::from_secs(60); 2]);
            }
        }
    }
}

#[tokio::test]
async fn retry_after_on_a_503_is_honoured() {
    for call in [Call::Get, Call::Delete] {
        let (result, server, clock) = exercise(call, move |_, n| match n {
            0 => Reply::Raw(http(
                503,
                &[("content-type", "text/html"), ("retry-after", "12")],
                b"<h1>Service Unavailable</h1>",
            )),
            _ => Reply::Raw(call.success()),
        })
        .await;
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(server.count(), 2);
        assert_eq!(clock.slept(), [Duration::from_secs(12)]);
    }
}

#[tokio::test(start_paused = true)]
async fn dripped_and_stalled_bodies_are_timeouts() {
    for call in CALLS {
        // Headers at once, then a byte a second: past the 5 s timeout.
        let (result, server, _) = exercise(call, |_, _| {
            let body = serde_json::to_vec(&status_json(7)).unwrap();
            Reply::Drip {
                head: head(200, &[("content-length", &body.len().to_string())]),
                chunks: body.chunks(1).map(<[u8]>::to_vec).collect(),
                every: Duration::from_secs(1),
            }
        })
        .await;
        assert_ambiguous(call, &result, &server, timeout);

        // Headers, then nothing.
        let (result, server, _) = exercise(call, |_, _| Reply::Drip {
            head: head(200, &[("content-length", "100")]),
            chunks: vec![b"{".to_vec(), Vec::new()],
            every: Duration::from_secs(3600),
        })
        .await;
        assert_ambiguous(call, &result, &server, timeout);

        // No answer at all.
        let (result, server, _) = exercise(call, |_, _| Reply::Hang).await;
        assert_ambiguous(call, &result, &server, timeout);
    }
}

#[tokio::test]
async fn an_empty_success_where_a_status_was_expected_says_so() {
    for call in CALLS {
        let (result, server, _) = exercise(call, |_, _| Reply::Raw(http(204, &[], b""))).await;
        match call {
            Call::Delete => assert_eq!(result.unwrap(), 204),
            _ => {
                let err = result.unwrap_err();
                assert!(
                    matches!(
                        err,
                        Error::EmptyResponse {
                            status: 204,
                            expected: "a deployment status",
                            ..
                        }
                    ),
                    "{err:?}"
                );
                assert!(
                    err.to_string()
                        .contains("empty body where a deployment status was expected")
                );
                assert_eq!(server.count(), 1);
            }
        }
    }
}

#[tokio::test]
async fn the_total_wait_is_bounded() {
    let server = Hostile::start(|_, _| {
        Reply::Raw(http(
            429,
            &[("retry-after", "6")],
            br#"{"message":"slow down"}"#,
        ))
    })
    .await;
    let clock = Arc::new(TestClock::default());
    let client = builder(&server, &clock)
        .retry(
            octodeploy::RetryPolicy::default()
                .max_retries(10)
                .max_total_wait(Duration::from_secs(15)),
        )
        .build()
        .unwrap();
    let err = run(Call::Get, &client).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    assert_eq!(
        clock.slept(),
        [Duration::from_secs(6), Duration::from_secs(6)]
    );
    assert_eq!(server.count(), 3);
}
