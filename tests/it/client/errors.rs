//! GitHub's errors as recorded (404, 422 naming the field, an active
//! deployment's refused delete, bad credentials), rate limits (primary,
//! secondary 403 and 429) and an HTML 502.

use std::time::{Duration, SystemTime};

use octodeploy::{Clock, Error, RateLimitKind, RetryPolicy, State};

use super::{RecordedStatuses, TestClock, client, client_with, get_status, no_retry, replay};

#[tokio::test]
async fn not_found_keeps_message_docs_and_request_id() {
    let r = replay("get-status-not-found").await;
    let err = get_status(&client(&r), 42, 999_999).await.unwrap_err();
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
    let err = get_status(&client(&r), 42, 1187).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api(a) if a.status == 401 && a.message == "Bad credentials"),
        "{err:?}"
    );
    r.finish();
}

#[tokio::test]
async fn primary_rate_limit_says_when_the_quota_resets() {
    let r = replay("primary-rate-limit").await;
    let reset = 1_773_223_214;
    let clock = TestClock::at(reset - 23 * 60);
    let c = client_with(&r, RetryPolicy::default(), clock.clone());
    let err = get_status(&c, 2_847_113_390, 24_691_937_563)
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
    let err = get_status(&no_retry(&r), 42, 1187).await.unwrap_err();
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
