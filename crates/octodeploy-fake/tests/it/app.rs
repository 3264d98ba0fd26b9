//! The fake as GitHub for a GitHub App: JWTs verified (signature, issuer,
//! `iat`/`exp` with GitHub's messages), installation tokens issued, honoured
//! and expired, the repository installation endpoint.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use octodeploy_fake::{FakeApp, FakeGitHub, TestAppKey};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::sha2::{Digest, Sha256};
use rsa::{Pkcs1v15Sign, PrivateKey};
use serde_json::{Value, json};

use crate::common::{client, send};

fn key() -> &'static TestAppKey {
    static KEY: OnceLock<TestAppKey> = OnceLock::new();
    KEY.get_or_init(TestAppKey::generate)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn jwt_with(pem: &str, header: &Value, claims: &Value) -> String {
    let key = PrivateKey::from_pkcs1_pem(pem).unwrap();
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signed.as_bytes()),
        )
        .unwrap();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn jwt(claims: &Value) -> String {
    jwt_with(
        &key().pkcs1_pem,
        &json!({"alg": "RS256", "typ": "JWT"}),
        claims,
    )
}

fn good_claims() -> Value {
    json!({"iat": now() - 60, "exp": now() + 540, "iss": "42"})
}

async fn fake(lifetime: Duration) -> FakeGitHub {
    FakeGitHub::builder()
        .github_app(
            FakeApp::new(42, &key().public_pem)
                .unwrap()
                .client_id("Iv1.abc")
                .installation_id(7)
                .token_lifetime(lifetime),
        )
        .repo("octo-org", "app", |r| r.deployment(1, "qa"))
        .repo("octo-org", "other", |r| r)
        .start()
        .await
        .unwrap()
}

async fn mint(fake: &FakeGitHub, jwt: &str, body: Value) -> crate::common::Resp {
    send(
        client()
            .post(format!(
                "{}/app/installations/7/access_tokens",
                fake.base_url()
            ))
            .bearer_auth(jwt)
            .json(&body),
    )
    .await
}

#[tokio::test]
async fn a_valid_jwt_gets_an_installation_token_that_works_until_it_expires() {
    let fake = fake(Duration::from_secs(3600)).await;
    let resp = mint(&fake, &jwt(&good_claims()), json!({})).await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let body = resp.json();
    let token = body["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("ghs_") && token.len() == 40, "{token}");
    assert_eq!(body["repository_selection"], "all");
    let expires = chrono::DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    assert!((expires - (now() + 3600)).abs() <= 2, "{expires}");

    let statuses = format!(
        "{}/repos/octo-org/app/deployments/1/statuses",
        fake.base_url()
    );
    let resp = send(client().get(&statuses).bearer_auth(&token)).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    // Without credentials, or with the JWT, other endpoints refuse.
    assert_eq!(send(client().get(&statuses)).await.status, 401);
    let resp = send(client().get(&statuses).bearer_auth(jwt(&good_claims()))).await;
    assert_eq!(resp.status, 401);
    assert_eq!(resp.json()["message"], "Bad credentials");

    fake.github_app().unwrap().expire_tokens();
    let resp = send(client().get(&statuses).bearer_auth(&token)).await;
    assert_eq!(resp.status, 401);
    assert_eq!(resp.json()["message"], "Bad credentials");
    assert_eq!(fake.github_app().unwrap().tokens_issued(), 1);
}

#[tokio::test(start_paused = true)]
async fn tokens_expire_on_the_fakes_clock() {
    let fake = fake(Duration::from_secs(5)).await;
    let token = mint(&fake, &jwt(&good_claims()), json!({})).await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("{}/repos/octo-org/app/deployments/1", fake.base_url());
    assert_eq!(
        send(client().get(&url).bearer_auth(&token)).await.status,
        200
    );
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        send(client().get(&url).bearer_auth(&token)).await.status,
        401
    );
}

#[tokio::test]
async fn jwts_are_checked_as_github_checks_them() {
    let fake = fake(Duration::from_secs(3600)).await;
    let undecodable = "A JSON web token could not be decoded";
    let exp_past = "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
    let exp_far = "'Expiration time' claim ('exp') is too far in the future";
    let iat = "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
    let other_key = TestAppKey::generate();
    let rs256 = json!({"alg": "RS256"});
    let cases: Vec<(String, &str)> = vec![
        ("not-a-jwt".to_owned(), undecodable),
        (
            jwt_with(&other_key.pkcs1_pem, &rs256, &good_claims()),
            undecodable,
        ),
        (
            jwt_with(&key().pkcs1_pem, &json!({"alg": "HS256"}), &good_claims()),
            undecodable,
        ),
        (
            jwt(&json!({"iat": now() - 60, "exp": now() + 540, "iss": 43})),
            undecodable,
        ),
        (
            jwt(&json!({"iat": now() - 60, "exp": now() + 540})),
            undecodable,
        ),
        (
            jwt(&json!({"iat": now() - 600, "exp": now() - 1, "iss": 42})),
            exp_past,
        ),
        (jwt(&json!({"iat": now() - 60, "iss": 42})), exp_past),
        (
            jwt(&json!({"iat": now() - 60, "exp": now() + 700, "iss": 42})),
            exp_far,
        ),
        (
            jwt(&json!({"iat": now() + 120, "exp": now() + 540, "iss": 42})),
            iat,
        ),
        (jwt(&json!({"exp": now() + 540, "iss": 42})), iat),
    ];
    for (token, message) in &cases {
        let resp = mint(&fake, token, json!({})).await;
        assert_eq!(resp.status, 401, "{message}: {}", resp.text);
        assert_eq!(resp.json()["message"], *message, "{token}");
    }
    // The App id as a number or a string, or the client id, as issuer.
    for iss in [json!(42), json!("42"), json!("Iv1.abc")] {
        let claims = json!({"iat": now() - 60, "exp": now() + 540, "iss": iss});
        assert_eq!(mint(&fake, &jwt(&claims), json!({})).await.status, 201);
    }
    assert_eq!(fake.github_app().unwrap().tokens_issued(), 3);
}

#[tokio::test]
async fn tokens_narrowed_to_repositories_and_unknown_installations() {
    let fake = fake(Duration::from_secs(3600)).await;
    let j = jwt(&good_claims());
    let resp = mint(
        &fake,
        &j,
        json!({"repositories": ["app"], "permissions": {"deployments": "write"}}),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    assert_eq!(resp.json()["repository_selection"], "selected");
    assert_eq!(resp.json()["permissions"], json!({"deployments": "write"}));
    let token = resp.json()["token"].as_str().unwrap().to_owned();
    let base = fake.base_url();
    let ok = send(
        client()
            .get(format!("{base}/repos/octo-org/app/deployments"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(ok.status, 200);
    let hidden = send(
        client()
            .get(format!("{base}/repos/octo-org/other/deployments"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(hidden.status, 404);

    let resp = mint(&fake, &j, json!({"repositories": ["nope"]})).await;
    assert_eq!(resp.status, 422);
    let resp = mint(&fake, &j, json!({"permissions": {"deployments": "own"}})).await;
    assert_eq!(resp.status, 422);
    let resp = send(
        client()
            .post(format!("{base}/app/installations/8/access_tokens"))
            .bearer_auth(&j),
    )
    .await;
    assert_eq!(resp.status, 404);
}

#[tokio::test]
async fn the_repository_installation() {
    let fake = fake(Duration::from_secs(3600)).await;
    let j = jwt(&good_claims());
    let base = fake.base_url();
    let resp = send(
        client()
            .get(format!("{base}/repos/Octo-Org/app/installation"))
            .bearer_auth(&j),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let body = resp.json();
    assert_eq!(body["id"], 7);
    assert_eq!(body["app_id"], 42);
    assert_eq!(body["account"]["login"], "octo-org");
    assert_eq!(
        body["access_tokens_url"],
        format!("{base}/app/installations/7/access_tokens")
    );
    let resp = send(
        client()
            .get(format!("{base}/repos/octo-org/missing/installation"))
            .bearer_auth(&j),
    )
    .await;
    assert_eq!(resp.status, 404);
    // An installation token is not a JWT.
    let token = mint(&fake, &j, json!({})).await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = send(
        client()
            .get(format!("{base}/repos/octo-org/app/installation"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(resp.status, 401);
}
