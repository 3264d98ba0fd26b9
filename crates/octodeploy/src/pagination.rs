//! Pages of results, GitHub's `Link` header, and the one page walker every
//! listing's `stream()` uses ([`walk`]): it follows the server's
//! `rel="next"` links within the origin, reads every page once (by
//! normalized URL), yields every item once, stops at the page cap, and holds
//! one page at a time.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{BoxStream, Stream, StreamExt};
use url::Url;

use crate::error::Error;
use crate::response::{Meta, Response};
use crate::transport::Inner;

/// One page of a list, with the server's links to its neighbours (the
/// response metadata is on the [`crate::Response`] around it).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The links from the `Link` header, exactly as the server gave them.
    pub links: Links,
}

impl<T> Page<T> {
    /// How many items the page holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the page is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether the server says there is a next page.
    pub fn has_next(&self) -> bool {
        self.links.next.is_some()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// The `first`/`prev`/`next`/`last` links of a `Link` header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Links {
    /// `rel="first"`.
    pub first: Option<Url>,
    /// `rel="prev"`.
    pub prev: Option<Url>,
    /// `rel="next"`.
    pub next: Option<Url>,
    /// `rel="last"`.
    pub last: Option<Url>,
    /// A `rel="next"` entry was present but its URL did not parse.
    pub(crate) unparsed_next: bool,
}

impl Links {
    /// Parses `<url>; rel="next", <url>; rel="last"`. Relative URLs are
    /// resolved against `base` (the URL of the request); entries that do not
    /// parse are skipped (a `next` that does not parse is remembered, so a
    /// listing fails with [`Error::Pagination`] instead of ending early). A
    /// target containing U+FFFD (bytes that were not UTF-8, replaced) counts
    /// as not parsing.
    pub fn parse(header: &str, base: &Url) -> Links {
        let mut links = Links::default();
        for entry in split_entries(header) {
            let (target, params) = entry.trim().split_once('>').unwrap_or(("", entry));
            let url = target
                .trim()
                .strip_prefix('<')
                .filter(|t| !t.contains('\u{FFFD}'))
                .and_then(|t| base.join(t.trim()).ok());
            for param in params.split(';') {
                let Some((key, value)) = param.split_once('=') else {
                    continue;
                };
                if !key.trim().eq_ignore_ascii_case("rel") {
                    continue;
                }
                for rel in value.trim().trim_matches('"').split_ascii_whitespace() {
                    let rel = rel.to_ascii_lowercase();
                    let slot = match rel.as_str() {
                        "first" => &mut links.first,
                        "prev" | "previous" => &mut links.prev,
                        "next" => &mut links.next,
                        "last" => &mut links.last,
                        _ => continue,
                    };
                    match &url {
                        Some(url) => *slot = Some(url.clone()),
                        None if rel == "next" => links.unparsed_next = true,
                        None => {}
                    }
                }
            }
        }
        links
    }
}

/// The `Link` header values of a response as one list. Values that are not
/// visible ASCII are read as UTF-8 (bytes that are not are replaced, and a
/// link containing them is refused by [`Links::parse`]), never dropped.
pub(crate) fn link_header(headers: &reqwest::header::HeaderMap) -> String {
    let values: Vec<String> = headers
        .get_all(reqwest::header::LINK)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    values.join(", ")
}

/// A URL as a page key: the query parameters sorted (a server that reorders
/// them serves the same page), the fragment dropped.
pub(crate) fn page_key(url: &Url) -> String {
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    let mut key = url.clone();
    key.set_fragment(None);
    key.set_query(None);
    if !pairs.is_empty() {
        key.query_pairs_mut().extend_pairs(pairs);
    }
    key.into()
}

/// What a listing has read so far: the pages (by [`page_key`]) and the ids
/// of the items yielded.
#[derive(Debug)]
pub(crate) struct Walk {
    pages: HashSet<String>,
    /// Every id yielded (8 bytes each: the one thing that grows with the
    /// listing, bounded by the page cap). Hashed with foldhash, seeded per
    /// process: SipHash's cost showed at 1% of a stream's CPU.
    ids: HashSet<i64, foldhash::fast::RandomState>,
    max_pages: u32,
}

impl Walk {
    pub(crate) fn new(max_pages: u32) -> Self {
        Walk {
            pages: HashSet::new(),
            ids: HashSet::default(),
            max_pages,
        }
    }

    /// Notes a page that was read from `url`.
    pub(crate) fn read(&mut self, url: &Url) {
        self.pages.insert(page_key(url));
    }

    /// Checks that following `next` reads a new page within the cap.
    pub(crate) fn follow(&self, next: &Url) -> Result<(), Error> {
        if self.pages.contains(&page_key(next)) {
            return Err(Error::Pagination {
                reason: format!("the next link leads back to {next}, a page already read"),
            });
        }
        if self.pages.len() >= self.max_pages as usize {
            return Err(Error::Pagination {
                reason: format!(
                    "more than {} pages (the cap set with `ClientBuilder::max_pages`)",
                    self.max_pages
                ),
            });
        }
        Ok(())
    }

    /// Whether the item `id` is new (and now seen): a list that shifts while
    /// it is read (a status created meanwhile) repeats items at page edges.
    pub(crate) fn first_sight(&mut self, id: i64) -> bool {
        self.ids.insert(id)
    }
}

/// A listing [`walk`] pages through: how to fetch its first page or the page
/// a `next` link names, and how to tell its items apart.
pub(crate) trait Listing: Send + Sync + 'static {
    /// What the pages hold.
    type Item: Send + 'static;

    /// The client's shared state (base URL for the origin check, page cap).
    fn inner(&self) -> &Inner;

    /// Fetches the first page (`None`, with the listing's own query) or the
    /// page at a `next` link the walker checked (`Some`, requested exactly as
    /// the server gave it).
    fn fetch(
        &self,
        next: Option<Url>,
    ) -> impl Future<Output = Result<Response<Page<Self::Item>>, Error>> + Send;

    /// The item's id: the walker yields each id once.
    fn id(item: &Self::Item) -> i64;
}

/// The links of a page that answered `meta`: relative links resolve against
/// the URL that answered (after redirects), else the URL requested, else the
/// client's base; several `Link` headers count as one list.
pub(crate) fn page_links(
    headers: &reqwest::header::HeaderMap,
    meta: &Meta,
    requested: Option<&Url>,
    base: &Url,
) -> Links {
    let base = meta.url.as_ref().or(requested).unwrap_or(base);
    Links::parse(&link_header(headers), base)
}

/// Every item of `list`, page after page (see [`Walker`]), as the boxed
/// stream the public `stream()` methods return.
pub(crate) fn walk<L: Listing>(list: L) -> BoxStream<'static, Result<L::Item, Error>> {
    let walk = Walk::new(list.inner().max_pages);
    Walker {
        list: std::sync::Arc::new(list),
        walk,
        items: Vec::new().into_iter(),
        next: Next::First,
        fetching: None,
        deferred: None,
    }
    .boxed()
}

/// Where the walk goes after the page in hand.
enum Next {
    /// The first page, with the listing's own query.
    First,
    /// The page a checked `next` link names.
    Url(Url),
    /// Nothing more (the last page was read, or the walk failed).
    Done,
}

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Response<Page<T>>, Error>> + Send>>;

/// The state of one walk: the page in hand (its items moved out of the
/// page's own `Vec` one by one, never copied into another collection), the
/// page being fetched, and an error to report once the page in hand is
/// yielded. One allocation per page (the fetch), none per item.
///
/// A `next` link that leads back to a page already read, past the page cap,
/// or that does not parse ends the walk with [`Error::Pagination`] after the
/// items of the page that carried it; a link to another origin ends it with
/// [`Error::ForeignLink`] without a request. After an error the stream ends.
struct Walker<L: Listing> {
    list: std::sync::Arc<L>,
    walk: Walk,
    items: std::vec::IntoIter<L::Item>,
    next: Next,
    fetching: Option<PageFuture<L::Item>>,
    deferred: Option<Error>,
}

// No field is ever pinned in place (the fetch is boxed), so moving a
// `Walker` is fine whatever its items are.
impl<L: Listing> Unpin for Walker<L> {}

impl<L: Listing> Walker<L> {
    /// Notes the page read, checks where it leads, and takes its items.
    fn accept(&mut self, response: Response<Page<L::Item>>) {
        let (page, meta) = response.into_parts();
        if let Some(url) = &meta.url {
            self.walk.read(url);
        }
        self.next = match page.links.next {
            Some(url) => match self.check(&url) {
                Ok(()) => Next::Url(url),
                Err(e) => {
                    self.deferred = Some(e);
                    Next::Done
                }
            },
            None if page.links.unparsed_next => {
                self.deferred = Some(Error::Pagination {
                    reason: "a `rel=\"next\"` link could not be parsed".to_owned(),
                });
                Next::Done
            }
            None => Next::Done,
        };
        self.items = page.items.into_iter();
    }

    /// A `next` link may be followed: same origin, a page not read yet,
    /// within the cap.
    fn check(&self, next: &Url) -> Result<(), Error> {
        if next.origin() != self.list.inner().base.origin() {
            return Err(Error::ForeignLink {
                url: next.to_string(),
            });
        }
        self.walk.follow(next)
    }
}

impl<L: Listing> Stream for Walker<L> {
    type Item = Result<L::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            // A list read newest first shifts when an item is created
            // meanwhile: the next page repeats items already yielded, which
            // are skipped.
            for item in this.items.by_ref() {
                if this.walk.first_sight(L::id(&item)) {
                    return Poll::Ready(Some(Ok(item)));
                }
            }
            if let Some(e) = this.deferred.take() {
                return Poll::Ready(Some(Err(e)));
            }
            let fetching = match &mut this.fetching {
                Some(fetching) => fetching,
                None => {
                    let next = match std::mem::replace(&mut this.next, Next::Done) {
                        Next::Done => return Poll::Ready(None),
                        Next::First => None,
                        Next::Url(url) => Some(url),
                    };
                    // The page in hand is spent: its buffer goes back to
                    // the allocator before the next page is decoded, so one
                    // page is held, not two.
                    this.items = Vec::new().into_iter();
                    let list = this.list.clone();
                    this.fetching
                        .insert(Box::pin(async move { list.fetch(next).await }))
                }
            };
            let result = match fetching.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => result,
            };
            this.fetching = None;
            match result {
                Ok(response) => this.accept(response),
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
    }
}

/// Splits on commas that are outside `<...>` (URLs may contain commas).
fn split_entries(header: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in header.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&header[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_githubs_link_header() {
        let base =
            Url::parse("https://ghe.example.com/api/v3/repos/o/r/deployments/1/statuses").unwrap();
        let h = "<https://ghe.example.com/api/v3/repositories/9/deployments/1/statuses?page=2>; rel=\"next\", \
                 <https://ghe.example.com/api/v3/repositories/9/deployments/1/statuses?page=5>; rel=\"last\"";
        let l = Links::parse(h, &base);
        assert_eq!(
            l.next.unwrap().as_str(),
            "https://ghe.example.com/api/v3/repositories/9/deployments/1/statuses?page=2"
        );
        assert!(l.last.unwrap().as_str().ends_with("page=5"));
        assert!(l.prev.is_none() && l.first.is_none());
    }

    #[test]
    fn relative_links_resolve_without_doubling_the_prefix() {
        let base =
            Url::parse("https://ghe.example.com/api/v3/repos/o/r/deployments/1/statuses").unwrap();
        let l = Links::parse(
            "</api/v3/repositories/9/deployments/1/statuses?page=2>; rel=\"next\"",
            &base,
        );
        assert_eq!(
            l.next.unwrap().path(),
            "/api/v3/repositories/9/deployments/1/statuses"
        );
    }

    #[test]
    fn rel_is_case_insensitive_and_a_broken_next_is_flagged() {
        let base = Url::parse("https://x/a").unwrap();
        let l = Links::parse("<https://x/b?page=2>; rel=\"Next\"", &base);
        assert_eq!(l.next.unwrap().as_str(), "https://x/b?page=2");
        let l = Links::parse("<http://[bad>; rel=\"next\"", &base);
        assert!(l.next.is_none() && l.unparsed_next);
    }

    #[test]
    fn page_keys_ignore_query_order_and_fragments() {
        let a = Url::parse("https://x/p?page=2&per_page=100").unwrap();
        let b = Url::parse("https://x/p?per_page=100&page=2#top").unwrap();
        let c = Url::parse("https://x/p?per_page=100&page=3").unwrap();
        assert_eq!(page_key(&a), page_key(&b));
        assert_ne!(page_key(&a), page_key(&c));
    }

    #[test]
    fn walk_refuses_a_reordered_repeat_and_the_page_past_the_cap() {
        let mut w = Walk::new(2);
        w.read(&Url::parse("https://x/p?a=1&b=2").unwrap());
        assert!(
            w.follow(&Url::parse("https://x/p?b=2&a=1").unwrap())
                .is_err()
        );
        assert!(w.follow(&Url::parse("https://x/p?a=2").unwrap()).is_ok());
        w.read(&Url::parse("https://x/p?a=2").unwrap());
        let err = w
            .follow(&Url::parse("https://x/p?a=3").unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("more than 2 pages"), "{err}");
    }

    #[test]
    fn a_link_with_replaced_bytes_is_a_broken_next_not_a_missing_one() {
        let base = Url::parse("https://x/a").unwrap();
        let l = Links::parse("<https://x/b?q=\u{FFFD}&page=2>; rel=\"next\"", &base);
        assert!(l.next.is_none() && l.unparsed_next);
        let l = Links::parse("<https://x/b?q=ü&page=2>; rel=\"next\"", &base);
        assert_eq!(l.next.unwrap().query(), Some("q=%C3%BC&page=2"));
    }

    #[test]
    fn commas_inside_urls_do_not_split() {
        let base = Url::parse("https://x/").unwrap();
        let l = Links::parse("<https://x/a?q=1,2>; rel=\"next\"", &base);
        assert_eq!(l.next.unwrap().query(), Some("q=1,2"));
    }
}
