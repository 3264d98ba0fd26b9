//! Creating, getting and listing deployment statuses: GitHub's body shape,
//! ids, URLs built from the server's base URL, validation errors and 404s.

use crate::common;

use common::{client, get, post, send, statuses_url};
use octodeploy_fake::{DeploymentState, FakeGitHub};
use serde_json::{Value, json};

async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .repo("octo-org", "deploy-demo", |r| {
            r.deployment(42, "production").deployment(43, "staging")
        })
        .repo("octo-org", "other", |r| r.deployment(50, "qa"))
        .start()
        .await
        .unwrap()
}

fn is_rfc3339_z(text: &str) -> bool {
    text.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(text).is_ok() && text.len() == 20
}

#[tokio::test]
async fn created_status_has_githubs_shape_and_location() {
    let fake = fake().await;
    let base = fake.base_url();
    let c = client();
    let resp = post(
        &c,
        &statuses_url(&base, "octo-org", "deploy-demo", 42),
        &json!({
            "state": "success",
            "log_url": "https://example.com/deployment/42/output",
            "description": "Deployment finished successfully.",
            "environment_url": "https://deploy-demo.example.com/",
        }),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    assert_eq!(
        resp.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let body = resp.json();
    let url = format!("{base}/repos/octo-org/deploy-demo/deployments/42/statuses/1");
    assert_eq!(body["url"], url.as_str());
    assert_eq!(resp.header("location"), Some(url.as_str()));
    assert_eq!(body["id"], 1);
    assert_eq!(body["node_id"], "MDE2OkRlcGxveW1lbnRTdGF0dXMx");
    assert_eq!(body["state"], "success");
    assert_eq!(body["description"], "Deployment finished successfully.");
    assert_eq!(body["environment"], "production");
    assert_eq!(
        body["target_url"],
        "https://example.com/deployment/42/output"
    );
    assert_eq!(body["log_url"], "https://example.com/deployment/42/output");
    assert_eq!(body["environment_url"], "https://deploy-demo.example.com/");
    assert_eq!(
        body["deployment_url"],
        format!("{base}/repos/octo-org/deploy-demo/deployments/42").as_str()
    );
    assert_eq!(
        body["repository_url"],
        format!("{base}/repos/octo-org/deploy-demo").as_str()
    );
    assert!(body["performed_via_github_app"].is_null());
    assert!(is_rfc3339_z(body["created_at"].as_str().unwrap()));
    assert_eq!(body["created_at"], body["updated_at"]);

    // Every field of `deployment-status`, required ones included.
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "creator",
            "deployment_url",
            "description",
            "environment",
            "environment_url",
            "id",
            "log_url",
            "node_id",
            "performed_via_github_app",
            "repository_url",
            "state",
            "target_url",
            "updated_at",
            "url"
        ]
    );
    // `creator` is a full simple-user.
    let creator = &body["creator"];
    for field in [
        "avatar_url",
        "events_url",
        "followers_url",
        "following_url",
        "gists_url",
        "gravatar_id",
        "html_url",
        "id",
        "node_id",
        "login",
        "organizations_url",
        "received_events_url",
        "repos_url",
        "site_admin",
        "starred_url",
        "subscriptions_url",
        "type",
        "url",
    ] {
        assert!(creator.get(field).is_some(), "creator.{field} missing");
    }
    assert_eq!(creator["login"], "octocat");
    assert_eq!(creator["node_id"], "MDQ6VXNlcjE=");
    assert_eq!(creator["url"], format!("{base}/users/octocat").as_str());
    assert_eq!(creator["type"], "User");
    assert_eq!(creator["site_admin"], false);
}

#[tokio::test]
async fn defaults_are_githubs_empty_strings() {
    let fake = fake().await;
    let c = client();
    let resp = post(
        &c,
        &statuses_url(&fake.base_url(), "octo-org", "deploy-demo", 43),
        &json!({"state": "queued"}),
    )
    .await;
    assert_eq!(resp.status, 201);
    let body = resp.json();
    for field in ["description", "target_url", "log_url", "environment_url"] {
        assert_eq!(body[field], "", "{field}");
    }
    assert_eq!(body["environment"], "staging");
}

#[tokio::test]
async fn status_ids_increase_across_the_server_and_get_returns_them() {
    let fake = fake().await;
    let base = fake.base_url();
    let c = client();
    let mut ids = Vec::new();
    for (owner, repo, deployment) in [
        ("octo-org", "deploy-demo", 42),
        ("octo-org", "other", 50),
        ("octo-org", "deploy-demo", 43),
        ("octo-org", "deploy-demo", 42),
    ] {
        let resp = post(
            &c,
            &statuses_url(&base, owner, repo, deployment),
            &json!({"state": "pending"}),
        )
        .await;
        assert_eq!(resp.status, 201);
        ids.push(resp.json()["id"].as_u64().unwrap());
    }
    assert_eq!(ids, [1, 2, 3, 4]);

    let resp = get(
        &c,
        &format!("{}/4", statuses_url(&base, "octo-org", "deploy-demo", 42)),
    )
    .await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["id"], 4);
    assert!(resp.header("etag").is_some_and(|e| e.starts_with("W/\"")));

    // Status 3 exists, but belongs to deployment 43.
    let resp = get(
        &c,
        &format!("{}/3", statuses_url(&base, "octo-org", "deploy-demo", 42)),
    )
    .await;
    assert_eq!(resp.status, 404);
}

#[tokio::test]
async fn list_is_newest_first_and_names_match_case_insensitively() {
    let fake = fake().await;
    let base = fake.base_url();
    let c = client();
    for state in ["queued", "in_progress", "success"] {
        let resp = post(
            &c,
            &statuses_url(&base, "Octo-Org", "DEPLOY-demo", 42),
            &json!({"state": state}),
        )
        .await;
        assert_eq!(resp.status, 201);
        // Bodies use the seeded spelling.
        assert!(
            resp.json()["url"]
                .as_str()
                .unwrap()
                .contains("/octo-org/deploy-demo/")
        );
    }
    let resp = get(&c, &statuses_url(&base, "octo-org", "deploy-demo", 42)).await;
    assert_eq!(resp.status, 200);
    let states: Vec<Value> = resp
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].clone())
        .collect();
    assert_eq!(
        states,
        [json!("success"), json!("in_progress"), json!("queued")]
    );
    assert!(resp.header("link").is_none(), "a single page has no Link");
}

#[tokio::test]
async fn urls_use_the_prefix_the_request_came_in_with() {
    let fake = fake().await;
    let c = client();
    let root = fake.root_url();
    assert_eq!(fake.base_url(), format!("{root}/api/v3"));
    assert_eq!(root, format!("http://{}", fake.addr()));
    assert!(root.starts_with("http://127.0.0.1:"));

    let resp = post(
        &c,
        &statuses_url(&root, "octo-org", "deploy-demo", 42),
        &json!({"state": "success"}),
    )
    .await;
    assert_eq!(resp.status, 201);
    let body = resp.json();
    assert_eq!(
        body["url"],
        format!("{root}/repos/octo-org/deploy-demo/deployments/42/statuses/1").as_str()
    );
    assert_eq!(
        resp.header("location"),
        Some(format!("{root}/repos/octo-org/deploy-demo/deployments/42/statuses/1").as_str())
    );
    assert_eq!(
        body["creator"]["url"],
        format!("{root}/users/octocat").as_str()
    );

    let resp = get(
        &c,
        &format!(
            "{}/1",
            statuses_url(&fake.base_url(), "octo-org", "deploy-demo", 42)
        ),
    )
    .await;
    assert_eq!(
        resp.json()["url"],
        format!("{root}/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses/1").as_str()
    );
}

#[tokio::test]
async fn log_url_sets_target_url_and_environment_moves_the_deployment() {
    let fake = fake().await;
    let base = fake.base_url();
    let c = client();
    let resp = post(
        &c,
        &statuses_url(&base, "octo-org", "deploy-demo", 43),
        &json!({"state": "in_progress", "log_url": "https://ci.example.com/9", "environment": "qa"}),
    )
    .await;
    assert_eq!(resp.status, 201);
    let body = resp.json();
    assert_eq!(body["target_url"], "https://ci.example.com/9");
    assert_eq!(body["environment"], "qa");
    let resp = post(
        &c,
        &statuses_url(&base, "octo-org", "deploy-demo", 43),
        &json!({"state": "success", "target_url": "https://ci.example.com/10"}),
    )
    .await;
    let body = resp.json();
    assert_eq!(body["environment"], "qa", "the deployment stays in qa");
    assert_eq!(body["log_url"], "https://ci.example.com/10");
    let snapshot = fake.deployment("octo-org", "deploy-demo", 43).unwrap();
    assert_eq!(snapshot.environment, "qa");
    assert_eq!(snapshot.state, Some(DeploymentState::Success));
    assert_eq!(snapshot.statuses.len(), 2);
}

fn errors(body: &Value) -> Vec<(String, String, String)> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["resource"], "DeploymentStatus");
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn invalid_state_is_githubs_422() {
    let fake = fake().await;
    let c = client();
    let resp = post(
        &c,
        &statuses_url(&fake.base_url(), "octo-org", "deploy-demo", 42),
        &json!({"state": "done"}),
    )
    .await;
    assert_eq!(resp.status, 422);
    assert_eq!(
        resp.json(),
        json!({
            "message": "Validation Failed",
            "errors": [{
                "resource": "DeploymentStatus",
                "code": "custom",
                "field": "state",
                "message": "state is not included in the list"
            }],
            "documentation_url": "https://docs.github.com/rest/deployments/statuses#create-a-deployment-status",
            "status": "422"
        })
    );
    assert!(
        fake.deployment("octo-org", "deploy-demo", 42)
            .unwrap()
            .statuses
            .is_empty()
    );
}

#[tokio::test]
async fn every_state_is_accepted() {
    let fake = fake().await;
    let c = client();
    for state in DeploymentState::ALL {
        let resp = post(
            &c,
            &statuses_url(&fake.base_url(), "octo-org", "deploy-demo", 42),
            &json!({"state": state.as_str(), "auto_inactive": false}),
        )
        .await;
        assert_eq!(resp.status, 201, "{state}: {}", resp.text);
        assert_eq!(resp.json()["state"], state.as_str());
    }
}

#[tokio::test]
async fn description_limit_is_140_characters() {
    let fake = fake().await;
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "deploy-demo", 42);
    let ok = post(
        &c,
        &url,
        &json!({"state": "pending", "description": "ü".repeat(140)}),
    )
    .await;
    assert_eq!(ok.status, 201, "140 characters (280 bytes) are fine");
    let long = post(
        &c,
        &url,
        &json!({"state": "pending", "description": "x".repeat(141)}),
    )
    .await;
    assert_eq!(long.status, 422);
    assert_eq!(
        errors(&long.json()),
        [(
            "description".to_owned(),
            "custom".to_owned(),
            "description is too long (maximum is 140 characters)".to_owned()
        )]
    );
}

#[tokio::test]
async fn other_validation_errors_are_collected() {
    let fake = fake().await;
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "deploy-demo", 42);
    let resp = post(
        &c,
        &url,
        &json!({
            "log_url": "javascript:alert(1)",
            "environment_url": 5,
            "auto_inactive": "no",
        }),
    )
    .await;
    assert_eq!(resp.status, 422);
    let fields: Vec<(String, String)> = errors(&resp.json())
        .into_iter()
        .map(|(field, code, _)| (field, code))
        .collect();
    assert_eq!(
        fields,
        [
            ("state".to_owned(), "missing_field".to_owned()),
            ("log_url".to_owned(), "custom".to_owned()),
            ("environment_url".to_owned(), "invalid".to_owned()),
            ("auto_inactive".to_owned(), "invalid".to_owned()),
        ]
    );

    let resp = send(c.post(&url).body("{not json")).await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["message"], "Problems parsing JSON");

    let resp = post(&c, &url, &json!(["state", "success"])).await;
    assert_eq!(resp.status, 422);
    assert!(
        resp.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid request.")
    );

    let resp = send(c.post(&url)).await;
    assert_eq!(resp.status, 422, "an empty body lacks `state`");
    assert!(
        fake.deployment("octo-org", "deploy-demo", 42)
            .unwrap()
            .statuses
            .is_empty()
    );
}

#[tokio::test]
async fn unknown_things_are_404() {
    let fake = fake().await;
    let base = fake.base_url();
    let c = client();
    let not_found =
        |doc: &str| json!({"message": "Not Found", "documentation_url": doc, "status": "404"});
    let list_doc = "https://docs.github.com/rest/deployments/statuses#list-deployment-statuses";
    let create_doc = "https://docs.github.com/rest/deployments/statuses#create-a-deployment-status";
    let get_doc = "https://docs.github.com/rest/deployments/statuses#get-a-deployment-status";

    for url in [
        statuses_url(&base, "octo-org", "nope", 42),
        statuses_url(&base, "nobody", "deploy-demo", 42),
        statuses_url(&base, "octo-org", "deploy-demo", 999),
        statuses_url(&base, "octo-org", "other", 42), // 42 is in another repository
        format!("{base}/repos/octo-org/deploy-demo/deployments/abc/statuses"),
    ] {
        let resp = get(&c, &url).await;
        assert_eq!(resp.status, 404, "{url}");
        assert_eq!(resp.json(), not_found(list_doc), "{url}");
        let resp = post(&c, &url, &json!({"state": "bogus"})).await;
        assert_eq!(resp.status, 404, "404 comes before validation: {url}");
        assert_eq!(resp.json(), not_found(create_doc));
    }
    for id in ["1", "0", "x"] {
        let resp = get(
            &c,
            &format!(
                "{}/{id}",
                statuses_url(&base, "octo-org", "deploy-demo", 42)
            ),
        )
        .await;
        assert_eq!(resp.status, 404);
        assert_eq!(resp.json(), not_found(get_doc));
    }
    let resp = get(&c, &format!("{base}/repos/octo-org/deploy-demo/issues")).await;
    assert_eq!(resp.status, 404);
    assert_eq!(resp.json(), not_found("https://docs.github.com/rest"));
    assert!(resp.header("x-github-request-id").is_some());
    let resp = send(c.put(statuses_url(&base, "octo-org", "deploy-demo", 42))).await;
    assert_eq!(resp.status, 404, "unsupported methods are 404 on GitHub");
    assert!(resp.header("allow").is_none());
}
