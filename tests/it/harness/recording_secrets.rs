//! No credential reaches a recording: the recorder between the library and
//! the fake acting as GitHub, with a GitHub App's token exchange (its JWT as
//! `Authorization: Bearer eyJ…`, the `ghs_…` token in the answer and then on
//! every request), a classic `ghp_…` token, a fine-grained `github_pat_…`
//! token and a token in a query string: none is in the cassette, in the
//! recorder's request log or in its Debug output; the fake's own request log
//! keeps none either. The client itself gets the answers unscrubbed (an App
//! needs the token it asked for).

use octodeploy::{Client, GitHubApp};
use octodeploy_fake::{FakeApp, FakeGitHub, TestAppKey};
use octodeploy_replay::Recorder;

use super::TestResult;

const CLASSIC: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
const FINE_GRAINED: &str = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";

/// What must not appear: the token prefixes (the installation token's value
/// is the fake's), the start of every JWT, and the two tokens.
const FORBIDDEN: &[&str] = &["ghs_", "eyJ", "ghp_", "github_pat_", CLASSIC, FINE_GRAINED];

#[tokio::test]
async fn tokens_and_app_jwts_never_reach_a_cassette_or_a_log() -> TestResult {
    let key = TestAppKey::generate();
    let fake = FakeGitHub::builder()
        .token(CLASSIC)
        .github_app(FakeApp::new(42, &key.public_pem)?.installation_id(7))
        .repo("octo-org", "deploy-demo", |r| r.deployment(42, "staging"))
        .start()
        .await?;
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("app-and-tokens.json");
    let recorder = Recorder::start(&fake.base_url(), &out).await?;
    let client = |token: Option<&str>| {
        let builder = Client::builder().base_url(recorder.base_url());
        match token {
            Some(token) => builder.token(token),
            None => builder.github_app(
                GitHubApp::new("42", &key.pkcs1_pem)
                    .expect("the key parses")
                    .installation_id(7),
            ),
        }
        .build()
    };

    // As the App: the token exchange, then a request with its token (which
    // works only if the recorder hands the client the token as issued).
    let statuses = client(None)?
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .statuses()
        .send()
        .await
        .unwrap();
    assert!(statuses.is_empty());
    // A classic token, and a fine-grained one GitHub (the fake) refuses.
    client(Some(CLASSIC))?
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .statuses()
        .send()
        .await
        .unwrap();
    let refused = client(Some(FINE_GRAINED))?
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .statuses()
        .send()
        .await
        .expect_err("the fake knows only the classic token");
    assert_eq!(refused.status(), Some(401));
    // A token in the query string (the long-deprecated `access_token`).
    let answer = reqwest::Client::new()
        .get(format!(
            "{}/repos/octo-org/deploy-demo/deployments/42/statuses?access_token={CLASSIC}",
            recorder.base_url()
        ))
        .header("authorization", format!("token {CLASSIC}"))
        .send()
        .await?;
    assert_eq!(answer.status(), 200);

    let log = format!("{:?} {recorder:?}", recorder.received());
    assert_eq!(recorder.received().len(), 5, "{log}");
    let cassette = recorder.finish()?;
    let text = std::fs::read_to_string(&out)?;
    assert!(
        text.contains("/app/installations/7/access_tokens")
            && text.contains("\"authorization\": \"<redacted>\""),
        "the exchange was recorded:\n{text}"
    );
    assert!(
        cassette.interactions[0]
            .response
            .body
            .as_ref()
            .is_some_and(|b| b["token"] == "<redacted>"),
        "the issued token is scrubbed:\n{text}"
    );
    let fake_log = format!("{:?}", fake.requests());
    for (what, shown) in [
        ("cassette", &text),
        ("recorder's log", &log),
        ("fake's request log", &fake_log),
    ] {
        for secret in FORBIDDEN {
            assert!(!shown.contains(secret), "{secret} in the {what}:\n{shown}");
        }
    }
    Ok(())
}
