//! Credential providers against the in-memory GitHub: a caller's provider
//! asked before each request, a rejected token refreshed once (a POST
//! included, without duplicating it), provider failures sending nothing,
//! and the token kept out of everything printable.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use octodeploy::{
    AuthContext, AuthError, Client, CredentialFuture, CredentialProvider, Error, RetryPolicy, Token,
};
use octodeploy_fake::FakeGitHub;

/// Hands out the tokens in order, one per call (the last one forever);
/// records what it was told was rejected.
#[derive(Debug)]
struct Rotating {
    tokens: Vec<&'static str>,
    calls: AtomicUsize,
    rejected: Mutex<Vec<String>>,
    refresh_on_401: bool,
}

impl Rotating {
    fn new(tokens: &[&'static str], refresh_on_401: bool) -> Self {
        Rotating {
            tokens: tokens.to_vec(),
            calls: AtomicUsize::new(0),
            rejected: Mutex::default(),
            refresh_on_401,
        }
    }
}

impl CredentialProvider for Rotating {
    fn credential<'a>(&'a self, _: &'a AuthContext<'a>) -> CredentialFuture<'a> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let token = self.tokens[n.min(self.tokens.len() - 1)];
        Box::pin(async move { Ok(Some(Token::new(token))) })
    }

    fn rejected(&self, token: &Token) -> bool {
        self.rejected
            .lock()
            .unwrap()
            .push(token.expose().to_owned());
        self.refresh_on_401
    }
}

async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .token("good")
        .repo("octo-org", "app", |r| r.deployment(1, "qa"))
        .start()
        .await
        .unwrap()
}

fn client(fake: &FakeGitHub, provider: impl CredentialProvider) -> Client {
    Client::builder()
        .base_url(fake.base_url())
        .credentials(provider)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_provider_is_asked_before_every_request() {
    let fake = fake().await;
    let provider = std::sync::Arc::new(Rotating::new(&["good"], false));
    let c = client(&fake, provider.clone());
    let d = c.repo("octo-org", "app").deployment(1);
    d.statuses().send().await.unwrap();
    d.statuses().send().await.unwrap();
    assert_eq!(provider.calls.load(Ordering::SeqCst), 2);
    assert!(provider.rejected.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_post_sent_once_more() {
    let fake = fake().await;
    let provider = std::sync::Arc::new(Rotating::new(&["stale", "good"], true));
    let c = client(&fake, provider.clone());
    c.repo("octo-org", "app")
        .dispatch("deployed")
        .await
        .unwrap();
    // One 401 (not processed), then the same POST once with the fresh token.
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [401, 204]);
    assert_eq!(fake.dispatches().len(), 1);
    assert_eq!(*provider.rejected.lock().unwrap(), ["stale"]);
}

#[tokio::test]
async fn only_once_and_only_when_the_provider_says_so() {
    let fake = fake().await;
    // Refreshing does not help: the second 401 is returned.
    let provider = std::sync::Arc::new(Rotating::new(&["stale"], true));
    let c = client(&fake, provider.clone());
    let err = c.repo("octo-org", "app").dispatch("x").await.unwrap_err();
    assert_eq!(err.status(), Some(401), "{err:?}");
    assert_eq!(fake.requests().len(), 2);
    fake.clear_requests();

    // A provider that keeps its token (the default): no second request.
    let provider = std::sync::Arc::new(Rotating::new(&["stale", "good"], false));
    let c = client(&fake, provider.clone());
    let err = c.repo("octo-org", "app").dispatch("x").await.unwrap_err();
    assert_eq!(err.status(), Some(401), "{err:?}");
    assert_eq!(fake.requests().len(), 1);
    assert!(fake.dispatches().is_empty());
}

#[derive(Debug)]
struct Failing;

impl CredentialProvider for Failing {
    fn credential<'a>(&'a self, _: &'a AuthContext<'a>) -> CredentialFuture<'a> {
        Box::pin(async { Err(AuthError::provider("vault sealed").into()) })
    }
}

#[derive(Debug)]
struct Bad;

impl CredentialProvider for Bad {
    fn credential<'a>(&'a self, _: &'a AuthContext<'a>) -> CredentialFuture<'a> {
        Box::pin(async { Ok(Some(Token::new("ghs_secret\r\nX-Injected: 1"))) })
    }
}

#[tokio::test]
async fn a_failing_provider_sends_nothing() {
    let fake = fake().await;
    let err = client(&fake, Failing)
        .repo("octo-org", "app")
        .dispatch("x")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(AuthError::Provider(_))),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the credential provider failed: vault sealed"
    );

    let err = client(&fake, Bad)
        .repo("octo-org", "app")
        .dispatch("x")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(AuthError::InvalidToken)),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("ghs_secret"));
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn no_token_means_no_header() {
    #[derive(Debug)]
    struct Nothing;
    impl CredentialProvider for Nothing {
        fn credential<'a>(&'a self, _: &'a AuthContext<'a>) -> CredentialFuture<'a> {
            Box::pin(async { Ok(None) })
        }
    }
    let fake = fake().await;
    let err = client(&fake, Nothing)
        .repo("octo-org", "app")
        .deployment(1)
        .statuses()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(fake.requests()[0].header("authorization"), None);
}
