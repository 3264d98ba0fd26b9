//! GitHub App authentication against the fake acting as GitHub for the App:
//! both PEM forms, the installation given or found from a repository,
//! token caching and single-flight refresh under paused time, refresh ahead
//! of expiry during a long stream, the 401 path, clock skew learned from
//! GitHub's `Date` (or said plainly when it cannot be), a missing
//! installation said plainly, an ambiguous token exchange named as such,
//! and no key, JWT or token in anything printable.

use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use futures::TryStreamExt;
use octodeploy::{AuthError, Client, Clock, Error, GitHubApp, RetryPolicy, State};
use octodeploy_fake::{DeploymentState, FakeApp, FakeGitHub, TestAppKey};

fn key() -> &'static TestAppKey {
    static KEY: OnceLock<TestAppKey> = OnceLock::new();
    KEY.get_or_init(TestAppKey::generate)
}

/// Wall-clock time that moves with tokio's (paused) clock, like the fake's;
/// `ahead` simulates a machine whose clock is wrong.
#[derive(Debug)]
struct PausedClock {
    wall: SystemTime,
    start: tokio::time::Instant,
}

impl PausedClock {
    fn new(ahead: Duration) -> Arc<Self> {
        Arc::new(PausedClock {
            wall: SystemTime::now() + ahead,
            start: tokio::time::Instant::now(),
        })
    }
}

impl Clock for PausedClock {
    fn now(&self) -> SystemTime {
        self.wall + self.start.elapsed()
    }
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(d))
    }
}

async fn fake(lifetime: Duration) -> FakeGitHub {
    FakeGitHub::builder()
        .github_app(
            FakeApp::new(42, &key().public_pem)
                .unwrap()
                .installation_id(7)
                .token_lifetime(lifetime),
        )
        .repo("octo-org", "app", |r| {
            r.deployment_with(1, "qa", |d| {
                d.statuses((0..40).map(|_| DeploymentState::InProgress))
            })
        })
        .start()
        .await
        .unwrap()
}

fn client(fake: &FakeGitHub, app: GitHubApp, clock: Arc<PausedClock>) -> Client {
    Client::builder()
        .base_url(fake.base_url())
        .github_app(app)
        .clock(clock)
        .timeout(None)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn app(pem: &str) -> GitHubApp {
    GitHubApp::new("42", pem).unwrap().installation_id(7)
}

fn statuses_seen(fake: &FakeGitHub) -> Vec<(String, u16)> {
    fake.requests()
        .iter()
        .map(|r| {
            let path = r.path.trim_start_matches("/api/v3");
            let what = if path.starts_with("/app/") {
                "mint"
            } else if path.ends_with("/installation") {
                "installation"
            } else {
                "api"
            };
            (what.to_owned(), r.status)
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn both_pem_forms_authenticate_and_the_token_is_cached() {
    for pem in [&key().pkcs1_pem, &key().pkcs8_pem] {
        let fake = fake(Duration::from_secs(3600)).await;
        let c = client(&fake, app(pem), PausedClock::new(Duration::ZERO));
        let d = c.repo("octo-org", "app").deployment(1);
        d.statuses().send().await.unwrap();
        d.create_status(State::Success).await.unwrap();
        assert_eq!(fake.github_app().unwrap().tokens_issued(), 1);
        let seen = statuses_seen(&fake);
        assert_eq!(
            seen,
            [
                ("mint".into(), 201),
                ("api".into(), 200),
                ("api".into(), 201)
            ]
        );
    }
}

#[tokio::test(start_paused = true)]
async fn one_refresh_for_many_concurrent_requests_and_again_before_expiry() {
    let fake = fake(Duration::from_secs(3600)).await;
    let c = client(
        &fake,
        app(&key().pkcs1_pem),
        PausedClock::new(Duration::ZERO),
    );
    let d = c.repo("octo-org", "app").deployment(1);
    let all = futures::future::join_all((0..8).map(|_| d.statuses().send())).await;
    assert!(all.iter().all(Result::is_ok));
    assert_eq!(fake.github_app().unwrap().tokens_issued(), 1);

    // 54 minutes on: 6 minutes left, still used.
    tokio::time::sleep(Duration::from_secs(54 * 60)).await;
    d.statuses().send().await.unwrap();
    assert_eq!(fake.github_app().unwrap().tokens_issued(), 1);
    // 4 minutes left: replaced before it expires, once for all.
    tokio::time::sleep(Duration::from_secs(2 * 60)).await;
    let all = futures::future::join_all((0..8).map(|_| d.statuses().send())).await;
    assert!(all.iter().all(Result::is_ok));
    assert_eq!(fake.github_app().unwrap().tokens_issued(), 2);
    assert!(fake.requests().iter().all(|r| r.status != 401));
}

#[tokio::test(start_paused = true)]
async fn a_long_stream_outlives_several_tokens_without_a_401() {
    // Tokens of 8 s; one status a second for 40 s.
    let fake = fake(Duration::from_secs(8)).await;
    let c = client(
        &fake,
        app(&key().pkcs1_pem),
        PausedClock::new(Duration::ZERO),
    );
    let stream = c
        .repo("octo-org", "app")
        .deployment(1)
        .statuses()
        .per_page(1)
        .stream();
    futures::pin_mut!(stream);
    let mut n = 0;
    while let Some(status) = stream.try_next().await.unwrap() {
        assert_eq!(status.state, State::InProgress);
        n += 1;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert_eq!(n, 40);
    let issued = fake.github_app().unwrap().tokens_issued();
    assert!(
        (5..=10).contains(&issued),
        "{issued} tokens for 40 s of 8 s tokens"
    );
    assert!(fake.requests().iter().all(|r| r.status != 401));
}

#[tokio::test(start_paused = true)]
async fn a_token_github_no_longer_accepts_is_replaced_once_and_the_post_not_duplicated() {
    let fake = fake(Duration::from_secs(3600)).await;
    let c = client(
        &fake,
        app(&key().pkcs1_pem),
        PausedClock::new(Duration::ZERO),
    );
    let repo = c.repo("octo-org", "app");
    repo.dispatch("one").await.unwrap();
    fake.github_app().unwrap().expire_tokens();
    fake.clear_requests();
    repo.dispatch("two").await.unwrap();
    assert_eq!(
        statuses_seen(&fake),
        [
            ("api".into(), 401),
            ("mint".into(), 201),
            ("api".into(), 204)
        ]
    );
    let events: Vec<String> = fake
        .dispatches()
        .into_iter()
        .map(|d| d.event_type)
        .collect();
    assert_eq!(events, ["one", "two"]);
}

#[tokio::test(start_paused = true)]
async fn the_installation_is_found_from_the_repository_once() {
    let fake = fake(Duration::from_secs(3600)).await;
    let app = GitHubApp::new("42", &key().pkcs1_pem)
        .unwrap()
        .repository("octo-org", "app");
    let c = client(&fake, app, PausedClock::new(Duration::ZERO));
    let d = c.repo("octo-org", "app").deployment(1);
    d.statuses().send().await.unwrap();
    fake.github_app().unwrap().expire_tokens();
    d.statuses().send().await.unwrap();
    assert_eq!(
        statuses_seen(&fake),
        [
            ("installation".into(), 200),
            ("mint".into(), 201),
            ("api".into(), 200),
            ("api".into(), 401),
            ("mint".into(), 201),
            ("api".into(), 200),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_missing_installation_and_clock_skew_are_said_plainly() {
    let fake = fake(Duration::from_secs(3600)).await;
    let missing = GitHubApp::new("42", &key().pkcs1_pem)
        .unwrap()
        .repository("octo-org", "elsewhere");
    let err = client(&fake, missing, PausedClock::new(Duration::ZERO))
        .repo("octo-org", "elsewhere")
        .dispatch("x")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(AuthError::NotInstalled { .. })),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("not installed on octo-org/elsewhere"),
        "{err}"
    );

    // This machine's clock is two days fast: GitHub says `exp` is too far,
    // and a `Date` that far off is not believed (see the skew test below).
    let ahead = PausedClock::new(Duration::from_secs(2 * 24 * 3600));
    let err = client(&fake, app(&key().pkcs1_pem), ahead)
        .repo("octo-org", "app")
        .dispatch("x")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(AuthError::ClockSkew { .. })),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("'Expiration time' claim ('exp') is too far in the future"),
        "{text}"
    );
    assert!(text.contains("clock"), "{text}");

    // A key that is not the App's.
    let other = TestAppKey::generate();
    let err = client(
        &fake,
        app(&other.pkcs1_pem),
        PausedClock::new(Duration::ZERO),
    )
    .repo("octo-org", "app")
    .dispatch("x")
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(AuthError::AppRejected { .. })),
        "{err:?}"
    );
    assert!(fake.dispatches().is_empty());
}

#[tokio::test(start_paused = true)]
async fn narrowing_is_checked_before_sending_and_sent() {
    let fake = fake(Duration::from_secs(3600)).await;
    let bad = app(&key().pkcs1_pem).permission("deployments", "own");
    let err = client(&fake, bad, PausedClock::new(Duration::ZERO))
        .repo("octo-org", "app")
        .dispatch("x")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(v) if v.field == "permissions"),
        "{err:?}"
    );
    let unknown = app(&key().pkcs1_pem).permission("teleport", "write");
    let err = client(&fake, unknown, PausedClock::new(Duration::ZERO))
        .repo("octo-org", "app")
        .dispatch("x")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`teleport`"), "{err}");
    assert!(fake.requests().is_empty());

    let narrow = app(&key().pkcs1_pem)
        .repositories(["app"])
        .permission("deployments", "write");
    client(&fake, narrow, PausedClock::new(Duration::ZERO))
        .repo("octo-org", "app")
        .dispatch("x")
        .await
        .unwrap();
    let mint = &fake.requests()[0];
    assert_eq!(
        mint.json().unwrap(),
        serde_json::json!({"permissions": {"deployments": "write"}, "repositories": ["app"]})
    );
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(start_paused = true)]
async fn no_key_jwt_or_token_in_debug_errors_or_logs() {
    // The process-wide subscriber (a scoped one misses events whose
    // callsites other test threads registered first): every test's logs
    // land here, and none may hold a secret.
    static LOGS: OnceLock<Captured> = OnceLock::new();
    let logs = LOGS.get_or_init(|| {
        let logs = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        logs
    });

    let fake = fake(Duration::from_secs(3600)).await;
    let app = app(&key().pkcs1_pem);
    let c = client(&fake, app.clone(), PausedClock::new(Duration::ZERO));
    let repo = c.repo("octo-org", "app");
    repo.dispatch("x").await.unwrap();
    fake.github_app().unwrap().expire_tokens();
    repo.dispatch("y").await.unwrap();
    let err = repo.deployment(999).statuses().send().await.unwrap_err();

    let printed = format!(
        "{app:?} {c:?} {err} {err:?} {}",
        String::from_utf8_lossy(&logs.0.lock().unwrap())
    );
    assert!(
        printed.contains("github.request"),
        "logs were captured: {printed}"
    );
    let key_body: String = key().pkcs1_pem.lines().nth(1).unwrap().to_owned();
    for secret in [key_body.as_str(), "ghs_", "eyJ"] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(printed.contains("AppKey(<redacted>)"), "{printed}");
}

#[test]
fn debug_of_the_app_and_errors_of_bad_keys() {
    let shown = format!("{:?}", app(&key().pkcs8_pem));
    assert!(
        shown.contains("\"42\"") && shown.contains("<redacted>"),
        "{shown}"
    );
    let truncated = &key().pkcs1_pem[..200];
    let err = GitHubApp::new("42", truncated).unwrap_err();
    assert!(
        matches!(&err, Error::Auth(AuthError::Key { .. })),
        "{err:?}"
    );
    assert!(!err.to_string().contains(&truncated[40..80]));
    let _ = writeln!(std::io::sink(), "{err}");
}

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |k| map.get(k).cloned()
}

fn no_files(_: &std::path::Path) -> std::io::Result<String> {
    Err(std::io::Error::from(std::io::ErrorKind::NotFound))
}

#[test]
fn the_environment_configures_an_app_that_wins_over_tokens() {
    use octodeploy::env::github_app;
    let pem = key().pkcs1_pem.as_str();
    assert!(
        github_app(vars(&[("GITHUB_TOKEN", "t")]), no_files)
            .unwrap()
            .is_none()
    );

    let app = github_app(
        vars(&[
            ("GITHUB_APP_ID", "42"),
            ("GITHUB_APP_PRIVATE_KEY", pem),
            ("GITHUB_APP_INSTALLATION_ID", "7"),
            ("GITHUB_TOKEN", "t"),
        ]),
        no_files,
    )
    .unwrap()
    .unwrap();
    assert!(format!("{app:?}").contains("Id(7)"), "{app:?}");

    // The key from a file; the installation from Actions' GITHUB_REPOSITORY.
    let app = github_app(
        vars(&[
            ("GITHUB_APP_ID", "42"),
            ("GITHUB_APP_PRIVATE_KEY_PATH", "/keys/app.pem"),
            ("GITHUB_REPOSITORY", "octo-org/app"),
        ]),
        |p: &std::path::Path| {
            assert_eq!(p, std::path::Path::new("/keys/app.pem"));
            Ok(key().pkcs8_pem.clone())
        },
    )
    .unwrap()
    .unwrap();
    assert!(format!("{app:?}").contains("Repository"), "{app:?}");

    for (pairs, says) in [
        (vec![("GITHUB_APP_ID", "42")], "GITHUB_APP_PRIVATE_KEY"),
        (vec![("GITHUB_APP_PRIVATE_KEY", pem)], "GITHUB_APP_ID"),
        (
            vec![
                ("GITHUB_APP_ID", "42"),
                ("GITHUB_APP_PRIVATE_KEY_PATH", "/nope.pem"),
            ],
            "cannot read GITHUB_APP_PRIVATE_KEY_PATH /nope.pem",
        ),
        (
            vec![
                ("GITHUB_APP_ID", "42"),
                ("GITHUB_APP_PRIVATE_KEY", "ghp_not_a_key"),
            ],
            "not PEM",
        ),
        (
            vec![
                ("GITHUB_APP_ID", "42"),
                ("GITHUB_APP_PRIVATE_KEY", pem),
                ("GITHUB_APP_INSTALLATION_ID", "seven"),
            ],
            "GITHUB_APP_INSTALLATION_ID",
        ),
    ] {
        let err = github_app(vars(&pairs), no_files).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(says), "{text}");
        assert!(!text.contains("ghp_not_a_key"), "{text}");
    }
}

#[tokio::test(start_paused = true)]
async fn an_ambiguous_token_exchange_names_the_exchange_not_the_call_it_was_for() {
    let fake = fake(Duration::from_secs(3600)).await;
    fake.faults().bad_gateway(1);
    let c = client(
        &fake,
        app(&key().pkcs1_pem),
        PausedClock::new(Duration::ZERO),
    );
    let err = c.repo("octo-org", "app").dispatch("x").await.unwrap_err();
    let Error::Auth(AuthError::InstallationToken(inner)) = &err else {
        panic!("{err:?}")
    };
    let Error::OutcomeUnknown {
        method,
        path,
        operation,
        source,
        ..
    } = &**inner
    else {
        panic!("{inner:?}")
    };
    assert_eq!(
        (*method, *path, *operation),
        (
            "POST",
            "/app/installations/{installation_id}/access_tokens",
            "create a GitHub App installation token"
        )
    );
    assert_eq!(source.status(), Some(502));
    let text = err.to_string();
    assert!(
        text.contains("POST /app/installations/{installation_id}/access_tokens")
            && text.contains("asking for another one is safe"),
        "{text}"
    );
    assert!(
        !text.contains("status") && !text.contains("dispatch"),
        "names only the request sent: {text}"
    );
    assert_eq!(
        statuses_seen(&fake),
        [("mint".into(), 502)],
        "nothing else sent"
    );
    assert!(fake.dispatches().is_empty());
}

/// A fake App whose clock is `ahead` (or behind) the machine's by `by`.
async fn skewed_fake(by: Duration, ahead: bool) -> FakeGitHub {
    let app = FakeApp::new(42, &key().public_pem)
        .unwrap()
        .installation_id(7);
    let app = if ahead {
        app.clock_ahead(by)
    } else {
        app.clock_behind(by)
    };
    FakeGitHub::builder()
        .github_app(app)
        .repo("octo-org", "app", |r| r.deployment(1, "qa"))
        .start()
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn clock_skew_is_learned_from_githubs_date_and_the_jwt_signed_again_once() {
    // GitHub 20 minutes ahead: our `exp` is in its past. Behind: our `iat`
    // is in its future. Either way the first JWT is refused, the second
    // (in GitHub's time, from the refusal's `Date`) accepted.
    for ahead in [true, false] {
        let fake = skewed_fake(Duration::from_secs(20 * 60), ahead).await;
        let c = client(
            &fake,
            app(&key().pkcs1_pem),
            PausedClock::new(Duration::ZERO),
        );
        let repo = c.repo("octo-org", "app");
        let seen = |what: [(&str, u16); 3]| what.map(|(w, s)| (w.to_owned(), s)).to_vec();
        repo.dispatch("one").await.unwrap();
        let first = seen([("mint", 401), ("mint", 201), ("api", 204)]);
        assert_eq!(statuses_seen(&fake), first, "GitHub ahead: {ahead}");

        // The skew is kept: the next token's JWT is right the first time.
        fake.github_app().unwrap().expire_tokens();
        fake.clear_requests();
        repo.dispatch("two").await.unwrap();
        let again = seen([("api", 401), ("mint", 201), ("api", 204)]);
        assert_eq!(statuses_seen(&fake), again, "GitHub ahead: {ahead}");
        assert_eq!(fake.github_app().unwrap().tokens_issued(), 2);
    }
}

#[tokio::test(start_paused = true)]
async fn a_skew_is_also_learned_when_finding_the_installation() {
    let fake = skewed_fake(Duration::from_secs(20 * 60), true).await;
    let app = GitHubApp::new("42", &key().pkcs1_pem)
        .unwrap()
        .repository("octo-org", "app");
    let c = client(&fake, app, PausedClock::new(Duration::ZERO));
    c.repo("octo-org", "app").dispatch("x").await.unwrap();
    assert_eq!(
        statuses_seen(&fake),
        [
            ("installation".into(), 401),
            ("installation".into(), 200),
            ("mint".into(), 201),
            ("api".into(), 204)
        ]
    );
}
