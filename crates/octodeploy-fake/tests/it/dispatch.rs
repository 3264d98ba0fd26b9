//! Repository dispatch: validation of `event_type` and `client_payload`,
//! 404 for unknown repositories, and the log tests read.

use crate::common;

use common::{client, post, send};
use octodeploy_fake::FakeGitHub;
use serde_json::{Map, Value, json};

async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .repo("octo-org", "deploy-demo", |r| r)
        .start()
        .await
        .unwrap()
}

fn url(fake: &FakeGitHub) -> String {
    format!("{}/repos/octo-org/deploy-demo/dispatches", fake.base_url())
}

fn payload(properties: usize) -> Value {
    Value::Object(
        (0..properties)
            .map(|i| (format!("key{i}"), json!(i)))
            .collect::<Map<_, _>>(),
    )
}

#[tokio::test]
async fn accepted_events_are_logged() {
    let fake = fake().await;
    let c = client();
    let resp = post(
        &c,
        &url(&fake),
        &json!({"event_type": "on-demand-test", "client_payload": {"unit": false, "integration": true}}),
    )
    .await;
    assert_eq!(resp.status, 204, "{}", resp.text);
    assert!(resp.text.is_empty());
    // Case-insensitive repository, no payload, at the root prefix.
    let resp = post(
        &c,
        &format!("{}/repos/OCTO-ORG/Deploy-Demo/dispatches", fake.root_url()),
        &json!({"event_type": "x".repeat(100), "client_payload": null}),
    )
    .await;
    assert_eq!(resp.status, 204);
    let resp = post(
        &c,
        &url(&fake),
        &json!({"event_type": "ten", "client_payload": payload(10)}),
    )
    .await;
    assert_eq!(resp.status, 204, "ten properties are allowed");

    let log = fake.dispatches();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].event_type, "on-demand-test");
    assert_eq!(
        log[0].client_payload,
        Some(json!({"unit": false, "integration": true}))
    );
    assert_eq!(log[0].full_name(), "octo-org/deploy-demo");
    assert_eq!(
        (log[1].owner.as_str(), log[1].repo.as_str()),
        ("octo-org", "deploy-demo")
    );
    assert_eq!(log[1].client_payload, None);
    assert_eq!(log[2].client_payload, Some(payload(10)));
}

#[tokio::test]
async fn invalid_events_are_422_and_not_logged() {
    let fake = fake().await;
    let c = client();
    let big = json!({"blob": "x".repeat(64 * 1024)});
    let cases = [
        (json!({}), "event_type", "missing_field"),
        (json!({"event_type": ""}), "event_type", "custom"),
        (
            json!({"event_type": "x".repeat(101)}),
            "event_type",
            "custom",
        ),
        (json!({"event_type": 7}), "event_type", "invalid"),
        (
            json!({"event_type": "a", "client_payload": "text"}),
            "client_payload",
            "invalid",
        ),
        (
            json!({"event_type": "a", "client_payload": [1]}),
            "client_payload",
            "invalid",
        ),
        (
            json!({"event_type": "a", "client_payload": payload(11)}),
            "client_payload",
            "custom",
        ),
        (
            json!({"event_type": "a", "client_payload": big}),
            "client_payload",
            "custom",
        ),
    ];
    for (body, field, code) in cases {
        let resp = post(&c, &url(&fake), &body).await;
        assert_eq!(resp.status, 422, "{body:.60}");
        let json = resp.json();
        assert_eq!(json["message"], "Validation Failed");
        assert_eq!(
            json["documentation_url"],
            "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event"
        );
        assert_eq!(json["errors"][0]["field"], field, "{body:.60}");
        assert_eq!(json["errors"][0]["code"], code, "{body:.60}");
        assert_eq!(json["errors"][0]["resource"], "RepositoryDispatch");
    }
    // Just under 64 KiB serialized is fine.
    let overhead = json!({"blob": ""}).to_string().len();
    let just_under = json!({"blob": "x".repeat(64 * 1024 - overhead - 1)});
    let resp = post(
        &c,
        &url(&fake),
        &json!({"event_type": "a", "client_payload": just_under}),
    )
    .await;
    assert_eq!(resp.status, 204);
    assert_eq!(fake.dispatches().len(), 1);

    let resp = send(c.post(url(&fake)).body("event_type=a")).await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["message"], "Problems parsing JSON");
}

#[tokio::test]
async fn unknown_repository_is_404() {
    let fake = fake().await;
    let c = client();
    let resp = post(
        &c,
        &format!("{}/repos/octo-org/nope/dispatches", fake.base_url()),
        &json!({"event_type": "a"}),
    )
    .await;
    assert_eq!(resp.status, 404);
    assert_eq!(resp.json()["message"], "Not Found");
    assert!(fake.dispatches().is_empty());
}
