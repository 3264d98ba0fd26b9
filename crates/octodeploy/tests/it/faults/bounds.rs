//! Bounds and honest listings: oversized bodies, endless and looping
//! pagination, foreign and non-ASCII links, lists that shift while read,
//! and `null` where a field may be absent.

use std::sync::Arc;

use futures::TryStreamExt;
use octodeploy::{Client, Error};

use super::matrix::{CALLS, Call, run};
use super::server::{
    Hostile, Reply, Seen, TestClock, builder, head, http, json_reply, status_json,
};

fn client_with_cap(server: &Hostile, cap: u64) -> Client {
    builder(server, &Arc::new(TestClock::default()))
        .max_response_bytes(cap)
        .build()
        .unwrap()
}

#[test]
fn the_default_cap_is_32_mib() {
    assert_eq!(octodeploy::DEFAULT_MAX_RESPONSE_BYTES, 32 * 1024 * 1024);
}

#[tokio::test]
async fn oversized_bodies_fail_on_success_and_error_paths() {
    let big = serde_json::json!({"message": "x".repeat(5000)}).to_string();
    for status in [200, 201, 422, 500] {
        for with_length in [true, false] {
            for call in CALLS {
                let body = big.clone();
                let server = Hostile::start(move |_, _| {
                    let bytes = if with_length {
                        http(
                            status,
                            &[("content-type", "application/json")],
                            body.as_bytes(),
                        )
                    } else {
                        let mut b = head(status, &[("content-type", "application/json")]);
                        b.extend_from_slice(body.as_bytes());
                        b
                    };
                    Reply::Raw(bytes)
                })
                .await;
                let err = run(call, &client_with_cap(&server, 1000))
                    .await
                    .unwrap_err();
                let inner = match &err {
                    Error::OutcomeUnknown { source, .. } => {
                        assert_eq!(call, Call::Post, "{err:?}");
                        &**source
                    }
                    e => e,
                };
                assert!(
                    matches!(inner, Error::ResponseTooLarge { limit: 1000, status: s, .. } if *s == status),
                    "{call:?} {status} {with_length}: {err:?}"
                );
                // A POST answered 2xx or 5xx may have been processed.
                assert_eq!(
                    err.is_outcome_unknown(),
                    call == Call::Post && status != 422,
                    "{err:?}"
                );
                assert_eq!(server.count(), 1, "not retried");
            }
        }
    }
}

#[tokio::test]
async fn a_body_under_the_cap_is_read() {
    let server = Hostile::start(|_, _| Reply::Raw(Call::Get.success())).await;
    run(Call::Get, &client_with_cap(&server, 1000))
        .await
        .unwrap();
}

/// A page of statuses with the given ids and `Link` header value (raw bytes).
fn page(ids: &[i64], link: Option<&[u8]>) -> Reply {
    let body = serde_json::Value::Array(ids.iter().map(|&id| status_json(id)).collect());
    let mut bytes =
        b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\n".to_vec();
    if let Some(link) = link {
        bytes.extend_from_slice(b"link: ");
        bytes.extend_from_slice(link);
        bytes.extend_from_slice(b"\r\n");
    }
    let body = body.to_string();
    bytes.extend_from_slice(format!("content-length: {}\r\n\r\n{body}", body.len()).as_bytes());
    Reply::Raw(bytes)
}

async fn list(server: &Hostile, max_pages: Option<u32>) -> Result<Vec<i64>, Error> {
    let mut b = builder(server, &Arc::new(TestClock::default()));
    if let Some(n) = max_pages {
        b = b.max_pages(n);
    }
    let statuses: Vec<_> = b
        .build()
        .unwrap()
        .repo("octo-org", "deploy-demo")
        .deployment(1)
        .statuses()
        .stream()
        .try_collect()
        .await?;
    Ok(statuses.into_iter().map(|s| s.id).collect())
}

fn next(n: usize) -> Vec<u8> {
    format!("</api/v3/repos/octo-org/deploy-demo/deployments/1/statuses?page={n}&per_page=2>; rel=\"next\"").into_bytes()
}

#[tokio::test]
async fn endless_pagination_stops_at_the_page_cap_with_an_error_naming_it() {
    let server =
        Hostile::start(|_, n| page(&[n as i64 * 2 + 1, n as i64 * 2 + 2], Some(&next(n + 2))))
            .await;
    let err = list(&server, Some(5)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Pagination { reason } if reason.contains("more than 5 pages") && reason.contains("max_pages")),
        "{err:?}"
    );
    assert_eq!(server.count(), 5);
}

#[tokio::test]
async fn a_page_repeated_with_its_query_reordered_is_a_loop() {
    let server = Hostile::start(|seen: &Seen, _| {
        if seen.target.contains("page=2") {
            // Back to page 2, parameters swapped.
            page(
                &[3],
                Some(b"</api/v3/repos/octo-org/deploy-demo/deployments/1/statuses?per_page=2&page=2>; rel=\"next\""),
            )
        } else {
            page(&[1, 2], Some(&next(2)))
        }
    })
    .await;
    let err = list(&server, None).await.unwrap_err();
    assert!(
        matches!(&err, Error::Pagination { reason } if reason.contains("already read")),
        "{err:?}"
    );
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_foreign_link_is_refused() {
    let server = Hostile::start(|_, _| {
        page(
            &[1],
            Some(b"<https://evil.example/api/v3/x?page=2>; rel=\"next\""),
        )
    })
    .await;
    let err = list(&server, None).await.unwrap_err();
    assert!(matches!(err, Error::ForeignLink { .. }), "{err:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn non_ascii_links_are_followed_or_refused_never_dropped() {
    // UTF-8 in the link: parsed and followed.
    let server = Hostile::start(|seen: &Seen, _| {
        if seen.target.contains("page=2") {
            page(&[2], None)
        } else {
            page(
                &[1],
                Some("</api/v3/repos/octo-org/deploy-demo/deployments/1/statuses?page=2&q=ü>; rel=\"next\"".as_bytes()),
            )
        }
    })
    .await;
    assert_eq!(list(&server, None).await.unwrap(), [1, 2]);
    assert!(server.requests()[1].target.contains("q=%C3%BC"));

    // Bytes that are not UTF-8: the listing fails instead of ending after page 1.
    let server = Hostile::start(|_, _| {
        page(&[1], Some(b"</api/v3/repos/octo-org/deploy-demo/deployments/1/statuses?page=2&q=\xff>; rel=\"next\""))
    })
    .await;
    let err = list(&server, None).await.unwrap_err();
    assert!(matches!(err, Error::Pagination { .. }), "{err:?}");
}

#[tokio::test]
async fn a_list_that_shifts_while_read_yields_each_status_once() {
    // A status was created between the pages: page 2 starts with the last of page 1.
    let server = Hostile::start(|seen: &Seen, _| {
        if seen.target.contains("page=2") {
            page(&[4, 3], None)
        } else {
            page(&[5, 4], Some(&next(2)))
        }
    })
    .await;
    assert_eq!(list(&server, None).await.unwrap(), [5, 4, 3]);
}

#[tokio::test]
async fn null_reads_as_absent_for_every_field_that_may_be_missing() {
    let required = [
        "url",
        "id",
        "state",
        "created_at",
        "updated_at",
        "deployment_url",
        "repository_url",
    ];
    let template = status_json(7);
    let fields: Vec<String> = template.as_object().unwrap().keys().cloned().collect();
    for field in fields {
        let mut body = template.clone();
        body[&field] = serde_json::Value::Null;
        let reply = json_reply(200, &body);
        let server = Hostile::start(move |_, _| Reply::Raw(reply.clone())).await;
        let result = run(
            Call::Get,
            &builder(&server, &Arc::new(TestClock::default()))
                .build()
                .unwrap(),
        )
        .await;
        if required.contains(&field.as_str()) {
            assert!(
                matches!(result, Err(Error::Decode { .. })),
                "{field}: {result:?}"
            );
        } else {
            assert!(
                result.is_ok(),
                "`{field}: null` decodes as if absent: {result:?}"
            );
        }
    }
    // Nested too: a creator whose optional fields are null.
    let mut body = template.clone();
    body["creator"] = serde_json::json!({"login": "octocat", "id": 1, "name": null, "email": null});
    let reply = json_reply(200, &body);
    let server = Hostile::start(move |_, _| Reply::Raw(reply.clone())).await;
    run(
        Call::Get,
        &builder(&server, &Arc::new(TestClock::default()))
            .build()
            .unwrap(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn an_error_body_with_nulls_keeps_its_message() {
    let server = Hostile::start(|_, _| {
        Reply::Raw(http(
            422,
            &[("content-type", "application/json")],
            br#"{"message":"Validation Failed","errors":null,"documentation_url":null}"#,
        ))
    })
    .await;
    let err = run(
        Call::Post,
        &builder(&server, &Arc::new(TestClock::default()))
            .build()
            .unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::Api(a) if a.message == "Validation Failed"),
        "{err:?}"
    );
}
