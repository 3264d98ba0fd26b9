//! `per_page`/`page` parsing and GitHub's `Link` header.
//!
//! Decisions (GitHub's documented bounds, and its observed leniency):
//! - `per_page` defaults to 30; values above 100 are clamped to 100; `0`,
//!   negative or non-numeric values fall back to the default (GitHub does
//!   not reject them with an error). Numbers are read like Ruby's
//!   `String#to_i` (GitHub is a Rails application): `"10abc"` is 10, `"abc"`
//!   is 0, huge values saturate (and so clamp to 100).
//! - `page` defaults to 1; `0`, negative or non-numeric values mean page 1;
//!   a page past the end is an empty array (200), not an error.
//! - `Link` lists, in GitHub's order, `prev`, `next`, `last`, `first`:
//!   `prev`/`first` when `page > 1`, `next`/`last` when `page` is before the
//!   last page. A single page (or none) has no `Link` header at all.
//! - Link URLs are absolute, keep the request's other query parameters
//!   verbatim and in order (including `per_page` exactly as the client sent
//!   it), and end with `page=N`.

/// GitHub's default page size.
pub const DEFAULT_PER_PAGE: usize = 30;
/// GitHub's largest page size.
pub const MAX_PER_PAGE: usize = 100;

/// The page a list request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageRequest {
    pub(crate) per_page: usize,
    pub(crate) page: usize,
}

/// Reads a number the way GitHub (Ruby's `String#to_i`) does: optional
/// leading whitespace and sign, then as many digits as there are; no digits
/// is 0, overflow saturates.
fn ruby_to_i(text: &str) -> i64 {
    let text = text.trim_start();
    let (negative, digits) = match (text.strip_prefix('-'), text.strip_prefix('+')) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => (false, text),
    };
    let mut value: i64 = 0;
    for digit in digits.bytes().take_while(u8::is_ascii_digit) {
        value = value
            .saturating_mul(10)
            .saturating_add(i64::from(digit - b'0'));
    }
    if negative { -value } else { value }
}

/// The decoded value of the last `wanted` parameter (the last one wins, like
/// Rails' query parsing).
fn value_of(query: &str, wanted: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == wanted)
        .last()
        .map(|(_, value)| value.into_owned())
}

/// The raw `key=value` parts of a query string except `page`, in order.
fn parts_except_page(query: &str) -> Vec<&str> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .filter(|part| {
            url::form_urlencoded::parse(part.as_bytes())
                .next()
                .is_none_or(|(key, _)| key != "page")
        })
        .collect()
}

impl PageRequest {
    /// Reads `per_page` and `page` from a raw query string.
    pub(crate) fn from_query(query: Option<&str>) -> PageRequest {
        let query = query.unwrap_or("");
        let number = |name: &str| value_of(query, name).map(|v| ruby_to_i(&v));
        let per_page = match number("per_page") {
            Some(n) if n > 0 => usize::try_from(n).map_or(MAX_PER_PAGE, |n| n.min(MAX_PER_PAGE)),
            _ => DEFAULT_PER_PAGE,
        };
        let page = match number("page") {
            Some(n) if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
            _ => 1,
        };
        PageRequest { per_page, page }
    }
}

/// How many pages `total` items make.
pub(crate) fn page_count(total: usize, per_page: usize) -> usize {
    total.div_ceil(per_page.max(1))
}

/// The `Link` header for `page` of `total_pages`, or `None` when there is
/// nothing to link to. `url` is absolute and has no query; `query` is the
/// request's raw query.
pub(crate) fn link_header(
    url: &str,
    query: Option<&str>,
    page: usize,
    total_pages: usize,
) -> Option<String> {
    let kept = parts_except_page(query.unwrap_or(""));
    let href = |target: usize| {
        let mut parts = kept.clone();
        let page_part = format!("page={target}");
        parts.push(&page_part);
        format!("<{url}?{}>", parts.join("&"))
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", href(page - 1)));
    }
    if page < total_pages {
        links.push(format!("{}; rel=\"next\"", href(page + 1)));
        links.push(format!("{}; rel=\"last\"", href(total_pages)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", href(1)));
    }
    if links.is_empty() {
        None
    } else {
        Some(links.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(query: &str) -> (usize, usize) {
        let r = PageRequest::from_query(Some(query));
        (r.per_page, r.page)
    }

    #[test]
    fn bounds() {
        assert_eq!(req(""), (30, 1));
        assert_eq!(req("per_page=100"), (100, 1));
        assert_eq!(req("per_page=101"), (100, 1));
        assert_eq!(req("per_page=99999999999999999999"), (100, 1));
        assert_eq!(req("per_page=10abc&page=2x"), (10, 2));
        assert_eq!(req("per_page=0&page=0"), (30, 1));
        assert_eq!(req("per_page=-5&page=-1"), (30, 1));
        assert_eq!(req("per_page=abc&page=x"), (30, 1));
        assert_eq!(req("per_page=7&page=3"), (7, 3));
        assert_eq!(req("per_page=7&per_page=8"), (8, 1));
        assert_eq!(req("%70er_page=9"), (9, 1));
    }

    #[test]
    fn links_follow_githubs_order() {
        let url = "http://h/r";
        assert_eq!(link_header(url, None, 1, 1), None);
        assert_eq!(link_header(url, None, 1, 0), None);
        assert_eq!(
            link_header(url, Some("per_page=2"), 1, 3).as_deref(),
            Some(
                r#"<http://h/r?per_page=2&page=2>; rel="next", <http://h/r?per_page=2&page=3>; rel="last""#
            )
        );
        assert_eq!(
            link_header(url, Some("page=2&per_page=2"), 2, 3).as_deref(),
            Some(concat!(
                r#"<http://h/r?per_page=2&page=1>; rel="prev", "#,
                r#"<http://h/r?per_page=2&page=3>; rel="next", "#,
                r#"<http://h/r?per_page=2&page=3>; rel="last", "#,
                r#"<http://h/r?per_page=2&page=1>; rel="first""#
            ))
        );
        assert_eq!(
            link_header(url, Some("page=3"), 3, 3).as_deref(),
            Some(r#"<http://h/r?page=2>; rel="prev", <http://h/r?page=1>; rel="first""#)
        );
        assert_eq!(
            link_header(url, Some("page=9"), 9, 3).as_deref(),
            Some(r#"<http://h/r?page=8>; rel="prev", <http://h/r?page=1>; rel="first""#)
        );
    }

    #[test]
    fn page_counts() {
        assert_eq!(page_count(0, 30), 0);
        assert_eq!(page_count(75, 30), 3);
        assert_eq!(page_count(1000, 100), 10);
    }
}
