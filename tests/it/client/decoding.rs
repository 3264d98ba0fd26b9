//! Old and new server shapes: GHES 2.x bodies, github.com 2026 bodies, an
//! unknown state, null and omitted fields, an enterprise-owned App, and a
//! body that does not decode.

use octodeploy::{Error, State};
use octodeploy_replay::{Cassette, ReplayServer};

use super::{client, get_status, replay};

#[tokio::test]
async fn ghes_2x_bodies_decode_with_missing_fields_as_none() {
    let r = replay("get-status-ghes-2x").await;
    let s = get_status(&client(&r), 42, 1187).await.unwrap();
    assert_eq!(s.environment, None);
    assert_eq!(s.log_url, None);
    assert_eq!(s.environment_url, None);
    assert!(s.performed_via_github_app.is_none());
    r.finish();
}

#[tokio::test]
async fn github_com_2026_bodies_decode() {
    let r = replay("get-status-github-com-2026").await;
    let s = get_status(&client(&r), 2_847_113_390, 24_691_937_563)
        .await
        .unwrap();
    assert_eq!(s.id, 24_691_937_563);
    assert!(s.id > i64::from(u32::MAX));
    let app = s.performed_via_github_app.as_ref().unwrap();
    assert!(app.owner.is_some());
    r.finish();
}

#[tokio::test]
async fn an_unknown_state_decodes_as_other() {
    let r = replay("get-status-unknown-state").await;
    let s = get_status(&client(&r), 2_847_113_390, 24_691_937_601)
        .await
        .unwrap();
    assert_eq!(s.state, State::Other("waiting".into()));
    r.finish();
}

#[tokio::test]
async fn a_null_creator_and_absent_app_decode() {
    let r = replay("get-status-null-creator").await;
    let s = get_status(&client(&r), 42, 1184).await.unwrap();
    assert!(s.creator.is_none() && s.performed_via_github_app.is_none());
    r.finish();
}

#[tokio::test]
async fn a_body_that_does_not_decode_names_the_path_and_request_id() {
    let mut cassette = Cassette::load("get-status").unwrap();
    let body = cassette.interactions[0].response.body.as_mut().unwrap();
    body["created_at"] = serde_json::json!("yesterday");
    let r = ReplayServer::replay(cassette).await.unwrap();
    let err = get_status(&client(&r), 42, 1187).await.unwrap_err();
    let Error::Decode {
        path, request_id, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(path, "created_at");
    assert_eq!(
        request_id.as_deref(),
        Some("E6CC:A156:8994A7:68BDE4:683F0ECC")
    );
    r.finish();
}

#[tokio::test]
async fn fields_old_servers_omit_decode_as_none() {
    let mut cassette = Cassette::load("get-status-ghes-2x").unwrap();
    let body = cassette.interactions[0].response.body.as_mut().unwrap();
    let obj = body.as_object_mut().unwrap();
    for field in [
        "node_id",
        "description",
        "target_url",
        "creator",
        "environment",
        "log_url",
    ] {
        obj.remove(field);
    }
    let r = ReplayServer::replay(cassette).await.unwrap();
    let s = get_status(&client(&r), 42, 1187).await.unwrap();
    assert_eq!(
        (s.node_id.as_deref(), s.description.as_deref()),
        (None, None)
    );
    assert!(s.creator.is_none() && s.target_url.is_none());
    r.finish();
}

#[tokio::test]
async fn an_app_owned_by_an_enterprise_decodes() {
    // Newer servers: an app's owner may be an enterprise (no login, no type).
    let mut cassette = Cassette::load("get-status-github-com-2026").unwrap();
    let body = cassette.interactions[0].response.body.as_mut().unwrap();
    body["performed_via_github_app"]["owner"] = serde_json::json!({
        "id": 1_234_567, "slug": "octo-enterprise", "name": "Octo Enterprise",
        "node_id": "E_kgDOABLsZw", "avatar_url": "https://avatars.githubusercontent.com/b/1234567?v=4",
        "html_url": "https://github.com/enterprises/octo-enterprise", "website_url": null,
        "description": null, "created_at": "2020-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
    });
    let r = ReplayServer::replay(cassette).await.unwrap();
    let s = get_status(&client(&r), 2_847_113_390, 24_691_937_563)
        .await
        .unwrap();
    let owner = s
        .into_inner()
        .performed_via_github_app
        .unwrap()
        .owner
        .unwrap();
    assert_eq!((owner.id, owner.login), (1_234_567, None));
    r.finish();
}
