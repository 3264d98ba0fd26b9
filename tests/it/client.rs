//! The `octodeploy` client against recorded GitHub traffic: every operation's
//! success, GitHub's errors, rate limits, retries, pagination, old and new
//! server shapes. Strict replay: an unexpected request or an unused
//! interaction fails the test.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::TryStreamExt;
use octodeploy::{Client, Clock, Error, RateLimitKind, RetryPolicy, State};
use octodeploy_replay::{Cassette, REPLAY_TOKEN, ReplayServer};

/// A clock that never sleeps: it records what it was asked to wait.
#[derive(Debug)]
struct TestClock {
    now: SystemTime,
    slept: Mutex<Vec<Duration>>,
}

impl TestClock {
    fn at(epoch_secs: u64) -> Arc<Self> {
        Arc::new(TestClock {
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(epoch_secs),
            slept: Mutex::new(Vec::new()),
        })
    }

    fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        self.now
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.slept.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

fn client_with(replay: &ReplayServer, retry: RetryPolicy, clock: Arc<TestClock>) -> Client {
    Client::builder()
        .base_url(replay.base_url())
        .token(REPLAY_TOKEN)
        .retry(retry)
        .clock(clock)
        .build()
        .unwrap()
}

fn client(replay: &ReplayServer) -> Client {
    client_with(
        replay,
        RetryPolicy::default().jitter(false),
        TestClock::at(1_750_000_000),
    )
}

fn no_retry(replay: &ReplayServer) -> Client {
    client_with(replay, RetryPolicy::none(), TestClock::at(1_750_000_000))
}

async fn replay(name: &str) -> ReplayServer {
    ReplayServer::for_scenario(name).await.unwrap()
}

/// A replay server with nothing recorded: any request fails the test.
async fn empty_replay() -> ReplayServer {
    let mut cassette = Cassette::load("get-status").unwrap();
    cassette.interactions.clear();
    ReplayServer::replay(cassette).await.unwrap()
}

/// The status-creating requests several cassettes record.
trait RecordedStatuses {
    /// `create-status`: in_progress on GHES deployment 43 (staging).
    fn staging_in_progress(&self) -> octodeploy::CreateStatus;
    /// github.com deployment 2847113390: in_progress to production.
    fn production_in_progress(&self) -> octodeploy::CreateStatus;
}

impl RecordedStatuses for Client {
    fn staging_in_progress(&self) -> octodeploy::CreateStatus {
        self.repo("octo-org", "deploy-demo")
            .deployment(43)
            .create_status(State::InProgress)
            .log_url("https://ci.octo-org.example/deploy-demo/pipelines/8890")
            .environment("staging")
            .description("Deploying 9b0c4e1 to staging")
    }

    fn production_in_progress(&self) -> octodeploy::CreateStatus {
        self.repo("octo-org", "deploy-demo")
            .deployment(2_847_113_390)
            .create_status(State::InProgress)
            .log_url("https://github.com/octo-org/deploy-demo/actions/runs/13795412376")
            .environment("production")
            .description("Deploying 4c2d9e0 to production")
    }
}

// ---- every operation's success ----

#[tokio::test]
async fn list_one_page() {
    let r = replay("list-statuses").await;
    let page = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .statuses()
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 5);
    assert!(page.links.next.is_none());
    let meta = page.meta();
    assert_eq!(
        meta.request_id.as_deref(),
        Some("2026:7C7C:F10083:56EB83:683F0E73")
    );
    let rl = meta.rate_limit.as_ref().unwrap();
    assert_eq!(
        (rl.remaining, rl.resource.as_deref()),
        (Some(4979), Some("core"))
    );
    r.finish();
}

#[tokio::test]
async fn get_one_status() {
    let r = replay("get-status").await;
    let s = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .status(1187)
        .await
        .unwrap();
    assert_eq!((s.id, &s.state), (1187, &State::Success));
    assert!(s.creator.as_ref().unwrap().login.is_some());
    assert_eq!(s.meta().status, 200);
    r.finish();
}

#[tokio::test]
async fn create_a_status() {
    let r = replay("create-status").await;
    let s = client(&r).staging_in_progress().await.unwrap();
    assert_eq!((s.id, &s.state), (1190, &State::InProgress));
    assert_eq!(s.meta().status, 201);
    assert_eq!(
        s.meta().request_id.as_deref(),
        Some("DDD0:A598:E9069B:2D442D:68400DFF")
    );
    r.finish();
}

#[tokio::test]
async fn delete_a_deployment() {
    let r = replay("delete-deployment").await;
    let done = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(40)
        .delete()
        .await
        .unwrap();
    assert_eq!(done.meta().status, 204);
    r.finish();
}

#[tokio::test]
async fn dispatch_with_and_without_payload() {
    let r = replay("dispatch-with-payload").await;
    #[derive(serde::Serialize)]
    struct Payload<'a> {
        r#ref: &'a str,
        sha: &'a str,
    }
    client(&r)
        .repo("octo-org", "deploy-demo")
        .dispatch("deploy-staging")
        .payload(&Payload {
            r#ref: "main",
            sha: "9b0c4e1d7a2f4c8e83b6d5a0f1e2c3b4a5968778",
        })
        .await
        .unwrap();
    r.finish();

    let r = replay("dispatch-without-payload").await;
    client(&r)
        .repo("octo-org", "deploy-demo")
        .dispatch("deploy")
        .await
        .unwrap();
    r.finish();
}

#[tokio::test]
async fn deactivate_and_delete_on_a_repository_with_several_deployments() {
    let r = replay("deactivate-and-delete").await;
    let done = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(41)
        .deactivate_and_delete()
        .await
        .unwrap();
    assert_eq!(done.meta().status, 204);
    r.finish();
}

// ---- GitHub's errors ----

#[tokio::test]
async fn not_found_keeps_message_docs_and_request_id() {
    let r = replay("get-status-not-found").await;
    let err = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .status(999_999)
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((api.status, api.message.as_str()), (404, "Not Found"));
    assert!(
        api.documentation_url
            .as_deref()
            .unwrap()
            .contains("get-a-deployment-status")
    );
    assert_eq!(err.request_id(), Some("AFE0:5FCB:9D37C6:5FE63D:623051E4"));
    let text = err.to_string();
    assert!(text.contains("404") && text.contains("AFE0:5FCB"), "{text}");
    r.finish();
}

#[tokio::test]
async fn validation_failed_names_the_field() {
    let r = replay("create-status-validation-failed").await;
    let long_env = "review-feature-checkout-flow-rewrite-with-new-payment-provider-integration-and-address-validation-for-international-shipping-plus-legacy-coupon-migration-and-tax-calculation-service-extraction-behind-the-new-pricing-feature-flag-for-eu-and-uk-storefronts-phase-2";
    let err = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(43)
        .create_status(State::InProgress)
        .log_url("https://ci.octo-org.example/deploy-demo/pipelines/8890")
        .environment(long_env)
        .description("Deploying 9b0c4e1 to a review app")
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 422);
    assert_eq!(api.errors[0].field.as_deref(), Some("environment"));
    assert!(err.to_string().contains("`environment`"), "{err}");
    r.finish();
}

#[tokio::test]
async fn deleting_an_active_deployment_among_several_is_refused() {
    let r = replay("delete-deployment-active").await;
    let err = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .delete()
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 422);
    assert!(
        api.message.contains("cannot delete an active deployment"),
        "{}",
        api.message
    );
    r.finish();
}

#[tokio::test]
async fn bad_credentials() {
    let r = replay("bad-credentials").await;
    let err = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .status(1187)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api(a) if a.status == 401 && a.message == "Bad credentials"),
        "{err:?}"
    );
    r.finish();
}

// ---- rate limits ----

#[tokio::test]
async fn primary_rate_limit_says_when_the_quota_resets() {
    let r = replay("primary-rate-limit").await;
    let reset = 1_773_223_214;
    let clock = TestClock::at(reset - 23 * 60);
    let c = client_with(&r, RetryPolicy::default(), clock.clone());
    let err = c
        .repo("octo-org", "deploy-demo")
        .deployment(2_847_113_390)
        .status(24_691_937_563)
        .await
        .unwrap_err();
    let Error::RateLimited(rl) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((rl.kind, rl.status), (RateLimitKind::Primary, 403));
    assert_eq!(
        rl.reset,
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(reset))
    );
    assert_eq!(
        rl.wait_from(clock.now()),
        Some(Duration::from_secs(23 * 60 + 1))
    );
    assert!(
        clock.slept().is_empty(),
        "a reset beyond max_wait is returned, not waited for"
    );
    r.finish();
}

#[tokio::test]
async fn secondary_rate_limit_403_with_retry_after() {
    let r = replay("secondary-rate-limit-403").await;
    let clock = TestClock::at(1_773_224_000);
    // Retry-After 60 s is beyond a 30 s max wait: the error comes back at once.
    let c = client_with(
        &r,
        RetryPolicy::default().max_wait(Duration::from_secs(30)),
        clock.clone(),
    );
    let err = c.production_in_progress().await.unwrap_err();
    let Error::RateLimited(rl) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((rl.kind, rl.status), (RateLimitKind::Secondary, 403));
    assert_eq!(rl.retry_after, Some(Duration::from_secs(60)));
    assert!(
        rl.documentation_url
            .as_deref()
            .unwrap()
            .contains("secondary-rate-limits")
    );
    assert!(clock.slept().is_empty());
    r.finish();
}

#[tokio::test]
async fn secondary_rate_limit_429() {
    let r = replay("secondary-rate-limit-429").await;
    let err = no_retry(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(2_847_113_390)
        .statuses()
        .per_page(100)
        .await
        .unwrap_err();
    let Error::RateLimited(rl) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (rl.kind, rl.status, rl.retry_after),
        (RateLimitKind::Secondary, 429, Some(Duration::from_secs(3)))
    );
    r.finish();
}

#[tokio::test]
async fn html_502_is_kept_as_status_and_excerpt() {
    let r = replay("bad-gateway-html").await;
    let err = no_retry(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .status(1187)
        .await
        .unwrap_err();
    let Error::NonJson {
        status,
        excerpt,
        content_type,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 502);
    assert!(content_type.as_deref().unwrap().starts_with("text/html"));
    assert!(
        excerpt.contains("502 Bad Gateway") && !excerpt.contains('<'),
        "{excerpt}"
    );
    r.finish();
}

// ---- retries ----

#[tokio::test]
async fn get_is_retried_after_a_502() {
    let r = replay("get-status-retry-after-502").await;
    let clock = TestClock::at(1_750_000_000);
    let c = client_with(&r, RetryPolicy::default().jitter(false), clock.clone());
    let s = c
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .status(1187)
        .await
        .unwrap();
    assert_eq!(s.meta().attempts, 2);
    assert_eq!(clock.slept(), [Duration::from_millis(500)]);
    r.finish();
}

#[tokio::test]
async fn post_is_retried_after_429_with_retry_after() {
    let r = replay("create-status-secondary-rate-limit-then-success").await;
    let clock = TestClock::at(1_773_224_000);
    let s = client_with(&r, RetryPolicy::default(), clock.clone())
        .production_in_progress()
        .await
        .unwrap();
    assert_eq!(s.meta().attempts, 2);
    assert_eq!(clock.slept(), [Duration::from_secs(1)]);
    r.finish();
}

#[tokio::test]
async fn dispatch_is_retried_after_a_secondary_rate_limit() {
    let r = replay("dispatch-secondary-rate-limit-then-success").await;
    let clock = TestClock::at(1_773_225_000);
    client_with(&r, RetryPolicy::default(), clock.clone())
        .repo("octo-org", "deploy-demo")
        .dispatch("deploy-staging")
        .payload(
            &serde_json::json!({"ref": "main", "sha": "9b0c4e1d7a2f4c8e83b6d5a0f1e2c3b4a5968778"}),
        )
        .await
        .unwrap();
    assert_eq!(clock.slept(), [Duration::from_secs(1)]);
    r.finish();
}

#[tokio::test]
async fn post_is_never_retried_after_an_ambiguous_502() {
    // The cassette holds one interaction: a retry would be an unexpected request.
    let r = replay("create-status-502-not-retried").await;
    let clock = TestClock::at(1_750_000_000);
    let err = client_with(&r, RetryPolicy::default().max_retries(5), clock.clone())
        .staging_in_progress()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert!(clock.slept().is_empty());
    r.finish();
}

// ---- pagination ----

#[tokio::test]
async fn stream_follows_absolute_links_across_three_pages() {
    let r = replay("list-statuses-three-pages").await;
    let all: Vec<_> = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .statuses()
        .per_page(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<i64> = all.iter().map(|s| s.id).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!((ids.len(), unique.len()), (5, 5), "{ids:?}");
    r.finish();
}

#[tokio::test]
async fn first_page_exposes_links() {
    let cassette = Cassette::load("list-statuses-three-pages").unwrap();
    let mut first_only = cassette.clone();
    first_only.interactions.truncate(1);
    let r = ReplayServer::replay(first_only).await.unwrap();
    let page = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .statuses()
        .per_page(2)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    let next = page.links.next.as_ref().unwrap();
    assert_eq!(
        next.path(),
        "/api/v3/repositories/1296269/deployments/42/statuses"
    );
    assert!(
        page.links
            .last
            .as_ref()
            .unwrap()
            .query()
            .unwrap()
            .contains("page=3")
    );
    r.finish();
}

#[tokio::test]
async fn a_link_to_another_origin_is_refused_without_a_request() {
    let mut cassette = Cassette::load("list-statuses-three-pages").unwrap();
    cassette.interactions.truncate(1);
    let link = "<https://elsewhere.example/api/v3/repositories/1296269/deployments/42/statuses?per_page=2&page=2>; rel=\"next\"";
    for (name, value) in cassette.interactions[0].response.headers.iter_mut() {
        if name.eq_ignore_ascii_case("link") {
            *value = link.to_owned();
        }
    }
    let r = ReplayServer::replay(cassette).await.unwrap();
    let result: Result<Vec<_>, _> = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .statuses()
        .per_page(2)
        .stream()
        .try_collect()
        .await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, Error::ForeignLink { url } if url.starts_with("https://elsewhere.example/")),
        "{err:?}"
    );
    r.finish();
}

// ---- old and new servers ----

#[tokio::test]
async fn ghes_2x_bodies_decode_with_missing_fields_as_none() {
    let r = replay("get-status-ghes-2x").await;
    let s = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .status(1187)
        .await
        .unwrap();
    assert_eq!(s.environment, None);
    assert_eq!(s.log_url, None);
    assert_eq!(s.environment_url, None);
    assert!(s.performed_via_github_app.is_none());
    r.finish();
}

#[tokio::test]
async fn github_com_2026_bodies_decode() {
    let r = replay("get-status-github-com-2026").await;
    let s = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(2_847_113_390)
        .status(24_691_937_563)
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
    let s = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(2_847_113_390)
        .status(24_691_937_601)
        .await
        .unwrap();
    assert_eq!(s.state, State::Other("waiting".into()));
    r.finish();
}

#[tokio::test]
async fn a_null_creator_and_absent_app_decode() {
    let r = replay("get-status-null-creator").await;
    let s = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .status(1184)
        .await
        .unwrap();
    assert!(s.creator.is_none() && s.performed_via_github_app.is_none());
    r.finish();
}

#[tokio::test]
async fn a_body_that_does_not_decode_names_the_path_and_request_id() {
    let mut cassette = Cassette::load("get-status").unwrap();
    let body = cassette.interactions[0].response.body.as_mut().unwrap();
    body["created_at"] = serde_json::json!("yesterday");
    let r = ReplayServer::replay(cassette).await.unwrap();
    let err = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .status(1187)
        .await
        .unwrap_err();
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

// ---- base URLs ----

#[tokio::test]
async fn trailing_slashes_and_a_doubled_api_v3_do_not_break_paths() {
    for base in ["/api/v3/", "/api/v3//", "/api/v3/api/v3"] {
        let r = replay("get-status").await;
        let c = Client::builder()
            .base_url(format!("{}{base}", r.origin()))
            .token(REPLAY_TOKEN)
            .build()
            .unwrap();
        c.repo("octo-org", "deploy-demo")
            .deployment(42)
            .status(1187)
            .await
            .unwrap();
        r.finish();
    }
}

#[tokio::test]
async fn path_segments_are_encoded_and_dot_segments_refused() {
    // Nothing in the cassette: any request would be unexpected.
    let r = empty_replay().await;
    let c = no_retry(&r);
    for (owner, repo) in [("..", "x"), ("", "x"), ("o", "")] {
        let err = c
            .repo(owner, repo)
            .deployment(1)
            .status(1)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{owner}/{repo}: {err:?}");
    }
    r.finish();

    // An owner with `/`, `..` and `?` stays one encoded segment.
    let mut cassette = Cassette::load("get-status").unwrap();
    cassette.interactions[0].request.path =
        "/api/v3/repos/a%2F..%2Fb%3Fc/deploy-demo/deployments/42/statuses/1187".into();
    let r = ReplayServer::replay(cassette).await.unwrap();
    client(&r)
        .repo("a/../b?c", "deploy-demo")
        .deployment(42)
        .status(1187)
        .await
        .unwrap();
    r.finish();
}

// ---- review fixes: paths, pagination edge cases, DELETE outcomes ----

#[tokio::test]
async fn a_backslash_cannot_escape_the_path() {
    let r = empty_replay().await;
    let err = no_retry(&r)
        .repo(r"x\..\..\orgs\evil", "repo")
        .deployment(1)
        .delete()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(v) if v.field == "owner"),
        "{err:?}"
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
    let s = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .status(1187)
        .await
        .unwrap();
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
    let s = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(2_847_113_390)
        .status(24_691_937_563)
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

/// Rewrites every `link` header of interaction `i` with `f`.
fn relink(cassette: &mut Cassette, i: usize, f: impl Fn(&str) -> String) {
    for (name, value) in cassette.interactions[i].response.headers.iter_mut() {
        if name.eq_ignore_ascii_case("link") {
            *value = f(value);
        }
    }
}

#[tokio::test]
async fn relative_links_resolve_against_the_url_that_answered() {
    // Query-only references (`<?page=2>`) resolve against the URL of the
    // page that carried them, not against the client's base URL.
    let mut cassette = Cassette::load("list-statuses-three-pages").unwrap();
    for i in 0..3 {
        relink(&mut cassette, i, |v| {
            v.replace(
                "{{base}}/api/v3/repositories/1296269/deployments/42/statuses",
                "",
            )
        });
        cassette.interactions[i].request.path =
            "/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses".into();
    }
    let r = ReplayServer::replay(cassette).await.unwrap();
    let all = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .statuses()
        .per_page(2)
        .all()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    r.finish();
}

#[tokio::test]
async fn a_next_link_back_to_a_page_already_read_is_an_error_not_a_loop() {
    let mut cassette = Cassette::load("list-statuses-three-pages").unwrap();
    cassette.interactions.truncate(2);
    relink(&mut cassette, 1, |v| {
        v.replace("page=3>; rel=\"next\"", "page=2>; rel=\"next\"")
    });
    let r = ReplayServer::replay(cassette).await.unwrap();
    let err = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .statuses()
        .per_page(2)
        .all()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Pagination { reason } if reason.contains("already read")),
        "{err:?}"
    );
    r.finish();
}

#[tokio::test]
async fn several_link_headers_count_as_one_list() {
    let mut cassette = Cassette::load("list-statuses-three-pages").unwrap();
    cassette.interactions.truncate(1);
    let headers = &mut cassette.interactions[0].response.headers;
    let (i, link) = headers
        .iter()
        .enumerate()
        .find(|(_, (n, _))| n == "link")
        .map(|(i, (_, v))| (i, v.clone()))
        .unwrap();
    let (next, last) = link.split_once(", ").unwrap();
    headers[i].1 = last.to_owned();
    headers.push(("link".into(), next.to_owned()));
    let r = ReplayServer::replay(cassette).await.unwrap();
    let page = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .statuses()
        .per_page(2)
        .await
        .unwrap();
    assert!(page.links.next.is_some() && page.links.last.is_some());
    r.finish();
}

#[tokio::test]
async fn a_retried_delete_that_finds_the_deployment_gone_succeeded() {
    let bad_gateway = Cassette::load("bad-gateway-html").unwrap().interactions[0]
        .response
        .clone();
    let not_found = Cassette::load("get-status-not-found").unwrap().interactions[0]
        .response
        .clone();
    let mut cassette = Cassette::load("delete-deployment").unwrap();
    let mut second = cassette.interactions[0].clone();
    cassette.interactions[0].response = bad_gateway;
    second.response = not_found.clone();
    cassette.interactions.push(second);
    let r = ReplayServer::replay(cassette).await.unwrap();
    let done = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(40)
        .delete()
        .await
        .unwrap();
    assert_eq!((done.meta().status, done.meta().attempts), (404, 2));
    r.finish();

    // A first-attempt 404 is a real "not found".
    let mut cassette = Cassette::load("delete-deployment").unwrap();
    cassette.interactions[0].response = not_found;
    let r = ReplayServer::replay(cassette).await.unwrap();
    let err = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(40)
        .delete()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    r.finish();
}

#[tokio::test]
async fn any_2xx_answers_a_delete_or_dispatch() {
    let mut cassette = Cassette::load("delete-deployment").unwrap();
    cassette.interactions[0].response.status = 200;
    let r = ReplayServer::replay(cassette).await.unwrap();
    let done = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(40)
        .delete()
        .await
        .unwrap();
    assert_eq!(done.meta().status, 200);
    r.finish();
}
