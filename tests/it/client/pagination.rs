//! Listing across recorded pages: absolute and relative `Link`s, the first
//! page's links, several `Link` headers, a foreign link, a loop.

use futures::TryStreamExt;
use octodeploy::Error;
use octodeploy_replay::{Cassette, ReplayServer};

use super::{client, replay};

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
