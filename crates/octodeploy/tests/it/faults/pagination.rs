//! The page walker every listing's `stream()` shares, held to its guarantees
//! for each listing (deployment statuses and deployments): the page cap, a
//! `next` link back to a page already read (query reordered), a link to
//! another origin, non-ASCII links, a list that shifts while read, and the
//! items of the page that carried a bad link yielded before the error.

use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use octodeploy::{Client, Error};

use super::server::{Hostile, Reply, Seen, TestClock, builder, status_json};

/// The listings that page through the shared walker.
#[derive(Debug, Clone, Copy)]
enum Listing {
    Statuses,
    Deployments,
}

const LISTINGS: [Listing; 2] = [Listing::Statuses, Listing::Deployments];

impl Listing {
    /// The listing's path, as the client requests it.
    fn path(self) -> &'static str {
        match self {
            Listing::Statuses => "/api/v3/repos/octo-org/deploy-demo/deployments/1/statuses",
            Listing::Deployments => "/api/v3/repos/octo-org/deploy-demo/deployments",
        }
    }

    fn item(self, id: i64) -> serde_json::Value {
        match self {
            Listing::Statuses => status_json(id),
            Listing::Deployments => deployment_json(id),
        }
    }

    /// A page with the given ids and `Link` header value (raw bytes).
    fn page(self, ids: &[i64], link: Option<&[u8]>) -> Reply {
        let body = serde_json::Value::Array(ids.iter().map(|&id| self.item(id)).collect());
        let mut bytes =
            b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\n".to_vec();
        if let Some(link) = link {
            bytes.extend_from_slice(b"link: ");
            bytes.extend_from_slice(link);
            bytes.extend_from_slice(b"\r\n");
        }
        let body = body.to_string();
        bytes.extend_from_slice(format!("content-length: {}\r\n\r\n{body}", body.len()).as_bytes());
        Reply::Raw(bytes)
    }

    /// A relative `rel="next"` link to page `n`, with `query` after `page=n`.
    fn next(self, n: usize, query: &str) -> Vec<u8> {
        format!("<{}?page={n}{query}>; rel=\"next\"", self.path()).into_bytes()
    }

    /// The listing, consumed item by item: the ids read until the end or
    /// the first error.
    async fn read(self, server: &Hostile, max_pages: Option<u32>) -> (Vec<i64>, Option<Error>) {
        let mut b = builder(server, &Arc::new(TestClock::default()));
        if let Some(n) = max_pages {
            b = b.max_pages(n);
        }
        let client: Client = b.build().unwrap();
        let repo = client.repo("octo-org", "deploy-demo");
        let mut ids = Vec::new();
        let mut stream = match self {
            Listing::Statuses => repo
                .deployment(1)
                .statuses()
                .stream()
                .map_ok(|s| s.id)
                .boxed(),
            Listing::Deployments => repo.deployments().stream().map_ok(|d| d.id).boxed(),
        };
        while let Some(item) = stream.next().await {
            match item {
                Ok(id) => ids.push(id),
                Err(e) => {
                    assert!(
                        stream.next().await.is_none(),
                        "the stream ends after an error"
                    );
                    return (ids, Some(e));
                }
            }
        }
        (ids, None)
    }

    async fn list(self, server: &Hostile, max_pages: Option<u32>) -> Result<Vec<i64>, Error> {
        match self.read(server, max_pages).await {
            (ids, None) => Ok(ids),
            (_, Some(e)) => Err(e),
        }
    }
}

fn deployment_json(id: i64) -> serde_json::Value {
    serde_json::json!({
        "url": format!("https://ghe.example.com/api/v3/repos/o/r/deployments/{id}"),
        "id": id,
        "node_id": "DE_x",
        "sha": "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
        "ref": "main",
        "task": "deploy",
        "payload": {},
        "original_environment": "staging",
        "environment": "staging",
        "description": null,
        "creator": null,
        "created_at": "2025-06-01T12:00:00Z",
        "updated_at": "2025-06-01T12:00:00Z",
        "statuses_url": format!("https://ghe.example.com/api/v3/repos/o/r/deployments/{id}/statuses"),
        "repository_url": "https://ghe.example.com/api/v3/repos/o/r",
    })
}

#[tokio::test]
async fn endless_pagination_stops_at_the_page_cap_with_an_error_naming_it() {
    for listing in LISTINGS {
        let server = Hostile::start(move |_, n| {
            listing.page(
                &[n as i64 * 2 + 1, n as i64 * 2 + 2],
                Some(&listing.next(n + 2, "&per_page=2")),
            )
        })
        .await;
        let (ids, err) = listing.read(&server, Some(5)).await;
        let err = err.expect("an error");
        assert!(
            matches!(&err, Error::Pagination { reason } if reason.contains("more than 5 pages") && reason.contains("max_pages")),
            "{listing:?}: {err:?}"
        );
        assert_eq!(server.count(), 5, "{listing:?}");
        assert_eq!(
            ids,
            (1..=10).collect::<Vec<_>>(),
            "{listing:?}: every page read is yielded"
        );
    }
}

#[tokio::test]
async fn a_page_repeated_with_its_query_reordered_is_a_loop() {
    for listing in LISTINGS {
        let server = Hostile::start(move |seen: &Seen, _| {
            if seen.target.contains("page=2") {
                // Back to page 2, parameters swapped.
                let back = format!("<{}?per_page=2&page=2>; rel=\"next\"", listing.path());
                listing.page(&[3], Some(back.as_bytes()))
            } else {
                listing.page(&[1, 2], Some(&listing.next(2, "&per_page=2")))
            }
        })
        .await;
        let (ids, err) = listing.read(&server, None).await;
        let err = err.expect("an error");
        assert!(
            matches!(&err, Error::Pagination { reason } if reason.contains("already read")),
            "{listing:?}: {err:?}"
        );
        assert_eq!(server.count(), 2, "{listing:?}");
        assert_eq!(
            ids,
            [1, 2, 3],
            "{listing:?}: the looping page's items come first"
        );
    }
}

#[tokio::test]
async fn a_foreign_link_is_refused_without_a_request() {
    for listing in LISTINGS {
        let server = Hostile::start(move |_, _| {
            listing.page(
                &[1],
                Some(b"<https://evil.example/api/v3/x?page=2>; rel=\"next\""),
            )
        })
        .await;
        let (ids, err) = listing.read(&server, None).await;
        assert!(
            matches!(err, Some(Error::ForeignLink { .. })),
            "{listing:?}: {err:?}"
        );
        assert_eq!(ids, [1], "{listing:?}");
        assert_eq!(server.count(), 1, "{listing:?}");
    }
}

#[tokio::test]
async fn non_ascii_links_are_followed_or_refused_never_dropped() {
    for listing in LISTINGS {
        // UTF-8 in the link: parsed and followed.
        let server = Hostile::start(move |seen: &Seen, _| {
            if seen.target.contains("page=2") {
                listing.page(&[2], None)
            } else {
                listing.page(&[1], Some(&listing.next(2, "&q=ü")))
            }
        })
        .await;
        assert_eq!(listing.list(&server, None).await.unwrap(), [1, 2]);
        assert!(server.requests()[1].target.contains("q=%C3%BC"));

        // Bytes that are not UTF-8: the listing fails instead of ending after page 1.
        let server = Hostile::start(move |_, _| {
            let mut link = format!("<{}?page=2&q=", listing.path()).into_bytes();
            link.extend_from_slice(b"\xff>; rel=\"next\"");
            listing.page(&[1], Some(&link))
        })
        .await;
        let (ids, err) = listing.read(&server, None).await;
        assert!(
            matches!(err, Some(Error::Pagination { .. })),
            "{listing:?}: {err:?}"
        );
        assert_eq!(ids, [1], "{listing:?}");
    }
}

#[tokio::test]
async fn a_list_that_shifts_while_read_yields_each_item_once() {
    for listing in LISTINGS {
        // An item was created between the pages: page 2 starts with the last of page 1.
        let server = Hostile::start(move |seen: &Seen, _| {
            if seen.target.contains("page=2") {
                listing.page(&[4, 3], None)
            } else {
                listing.page(&[5, 4], Some(&listing.next(2, "&per_page=2")))
            }
        })
        .await;
        assert_eq!(
            listing.list(&server, None).await.unwrap(),
            [5, 4, 3],
            "{listing:?}"
        );
    }
}
