//! Pages of results and GitHub's `Link` header.

use url::Url;

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
    /// parse are skipped.
    pub fn parse(header: &str, base: &Url) -> Links {
        let mut links = Links::default();
        for entry in split_entries(header) {
            let (target, params) = entry.trim().split_once('>').unwrap_or(("", entry));
            let url = target
                .trim()
                .strip_prefix('<')
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
    fn commas_inside_urls_do_not_split() {
        let base = Url::parse("https://x/").unwrap();
        let l = Links::parse("<https://x/a?q=1,2>; rel=\"next\"", &base);
        assert_eq!(l.next.unwrap().query(), Some("q=1,2"));
    }
}
