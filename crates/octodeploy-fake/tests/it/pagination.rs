//! Pagination of the status list: `per_page`/`page` bounds and GitHub's
//! `Link` header (first/prev/next/last), over 75 and over 1,000 statuses.

use crate::common;

use std::collections::BTreeSet;

use common::{Resp, client, get, post, statuses_url};
use octodeploy_fake::{DeploymentState, FakeGitHub, StatusSeed};
use serde_json::json;

/// A fake whose deployment 42 has `n` statuses (ids 1..=n).
async fn fake_with(n: usize) -> FakeGitHub {
    FakeGitHub::builder()
        .repo("octo-org", "deploy-demo", |r| {
            r.deployment_with(42, "production", |d| {
                d.statuses((0..n).map(|i| {
                    StatusSeed::new(DeploymentState::Pending).description(format!("step {i}"))
                }))
            })
        })
        .start()
        .await
        .unwrap()
}

fn ids(resp: &Resp) -> Vec<u64> {
    resp.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_u64().unwrap())
        .collect()
}

fn rels(resp: &Resp) -> Vec<String> {
    resp.links().into_iter().map(|(rel, _)| rel).collect()
}

#[tokio::test]
async fn links_over_75_statuses_with_the_default_page_size() {
    let fake = fake_with(75).await;
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "deploy-demo", 42);

    let first = get(&c, &url).await;
    assert_eq!(first.status, 200);
    assert_eq!(
        ids(&first),
        (46..=75).rev().collect::<Vec<_>>(),
        "newest first, 30"
    );
    assert_eq!(
        first.header("link"),
        Some(format!(r#"<{url}?page=2>; rel="next", <{url}?page=3>; rel="last""#).as_str()),
        "GitHub's exact format"
    );

    let second = get(&c, &first.link("next").unwrap()).await;
    assert_eq!(ids(&second), (16..=45).rev().collect::<Vec<_>>());
    assert_eq!(rels(&second), ["prev", "next", "last", "first"]);
    assert_eq!(
        second.header("link"),
        Some(
            format!(
                r#"<{url}?page=1>; rel="prev", <{url}?page=3>; rel="next", <{url}?page=3>; rel="last", <{url}?page=1>; rel="first""#
            )
            .as_str()
        )
    );

    let third = get(&c, &second.link("next").unwrap()).await;
    assert_eq!(ids(&third), (1..=15).rev().collect::<Vec<_>>());
    assert_eq!(rels(&third), ["prev", "first"]);
    assert_eq!(third.link("prev").unwrap(), format!("{url}?page=2"));
    assert_eq!(third.link("first").unwrap(), format!("{url}?page=1"));

    let beyond = get(&c, &format!("{url}?page=4")).await;
    assert_eq!(beyond.status, 200);
    assert_eq!(beyond.json(), json!([]));
    assert_eq!(rels(&beyond), ["prev", "first"]);
}

#[tokio::test]
async fn per_page_keeps_its_place_in_link_urls() {
    let fake = fake_with(75).await;
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "deploy-demo", 42);
    let resp = get(&c, &format!("{url}?per_page=20&page=2")).await;
    assert_eq!(ids(&resp), (36..=55).rev().collect::<Vec<_>>());
    assert_eq!(
        resp.links(),
        [
            ("prev".to_owned(), format!("{url}?per_page=20&page=1")),
            ("next".to_owned(), format!("{url}?per_page=20&page=3")),
            ("last".to_owned(), format!("{url}?per_page=20&page=4")),
            ("first".to_owned(), format!("{url}?per_page=20&page=1")),
        ]
    );
}

#[tokio::test]
async fn per_page_bounds() {
    let fake = fake_with(150).await;
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "deploy-demo", 42);
    let count = |resp: &Resp| resp.json().as_array().unwrap().len();

    let resp = get(&c, &format!("{url}?per_page=100")).await;
    assert_eq!(count(&resp), 100);
    assert_eq!(
        resp.link("last").unwrap(),
        format!("{url}?per_page=100&page=2")
    );

    let resp = get(&c, &format!("{url}?per_page=101")).await;
    assert_eq!(count(&resp), 100, "values above 100 are clamped");
    let resp = get(&c, &format!("{url}?per_page=1000000")).await;
    assert_eq!(count(&resp), 100);

    for junk in ["0", "-3", "abc", ""] {
        let resp = get(&c, &format!("{url}?per_page={junk}")).await;
        assert_eq!(resp.status, 200);
        assert_eq!(count(&resp), 30, "per_page={junk} means the default");
    }
    for junk in ["0", "-1", "x"] {
        let resp = get(&c, &format!("{url}?page={junk}")).await;
        assert_eq!(ids(&resp)[0], 150, "page={junk} means page 1");
    }

    let resp = get(&c, &format!("{url}?per_page=1&page=150")).await;
    assert_eq!(ids(&resp), [1]);
    assert_eq!(rels(&resp), ["prev", "first"]);
}

#[tokio::test]
async fn small_and_empty_lists_have_no_link() {
    let fake = fake_with(30).await;
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "deploy-demo", 42);
    let resp = get(&c, &url).await;
    assert_eq!(ids(&resp).len(), 30);
    assert!(resp.header("link").is_none());

    let empty = fake_with(0).await;
    let resp = get(
        &c,
        &statuses_url(&empty.base_url(), "octo-org", "deploy-demo", 42),
    )
    .await;
    assert_eq!(resp.json(), json!([]));
    assert!(resp.header("link").is_none());
}

/// Follows `rel="next"` from `start` to the end; returns every id seen and
/// the number of pages.
async fn walk(c: &reqwest::Client, start: String) -> (Vec<u64>, usize) {
    let mut seen = Vec::new();
    let mut next = Some(start);
    let mut pages = 0;
    while let Some(url) = next {
        let resp = get(c, &url).await;
        assert_eq!(resp.status, 200, "{url}");
        seen.extend(ids(&resp));
        next = resp.link("next");
        pages += 1;
        assert!(pages <= 1000, "runaway pagination");
    }
    (seen, pages)
}

#[tokio::test]
async fn a_thousand_statuses_page_without_loss_or_duplicates() {
    let fake = fake_with(990).await;
    let c = client();
    let url = statuses_url(&fake.base_url(), "octo-org", "deploy-demo", 42);
    // The last ten arrive over HTTP, after the seeded ones.
    for _ in 0..10 {
        let resp = post(&c, &url, &json!({"state": "in_progress"})).await;
        assert_eq!(resp.status, 201);
    }
    let expected: Vec<u64> = (1..=1000).rev().collect();

    for (start, pages) in [
        (format!("{url}?per_page=100"), 10),
        (url.clone(), 34),
        (format!("{url}?per_page=7&page=1"), 143),
    ] {
        let (seen, walked) = walk(&c, start.clone()).await;
        assert_eq!(walked, pages, "{start}");
        assert_eq!(seen.len(), 1000, "{start}");
        assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 1000, "{start}");
        assert_eq!(seen, expected, "{start}");
    }

    // `last` then `prev` walks back the same pages.
    let first = get(&c, &format!("{url}?per_page=100")).await;
    let mut back = Vec::new();
    let mut current = first.link("last");
    while let Some(page_url) = current {
        let resp = get(&c, &page_url).await;
        let mut page = ids(&resp);
        page.reverse();
        back.extend(page);
        current = resp.link("prev");
    }
    back.reverse();
    assert_eq!(back, expected);
}

#[tokio::test]
async fn links_on_the_root_prefix_point_at_the_root() {
    let fake = fake_with(40).await;
    let c = client();
    let url = statuses_url(&fake.root_url(), "octo-org", "deploy-demo", 42);
    let resp = get(&c, &url).await;
    let next = resp.link("next").unwrap();
    assert_eq!(next, format!("{url}?page=2"));
    assert!(!next.contains("/api/v3"));
}
