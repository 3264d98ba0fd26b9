//! Bounds and tolerant bodies: oversized bodies on success and error paths,
//! and `null` where a field may be absent. (Pagination's bounds are in
//! `pagination.rs`.)

use std::sync::Arc;

use octodeploy::{Client, Error};

use super::matrix::{CALLS, Call, run};
use super::server::{Hostile, Reply, TestClock, builder, head, http, json_reply, status_json};

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
