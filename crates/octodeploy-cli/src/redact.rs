//! Keeping the token out of everything the CLI prints on standard error:
//! error messages, clap's usage errors and tracing output all go through a
//! [`Redactor`] holding every token the process knows of.
//!
//! A secret of at least [`SHORT_SECRET`] characters is replaced wherever it
//! occurs. A shorter one (`GITHUB_TOKEN=x`) is replaced only where it stands
//! as a whole word — otherwise "exceeded" would print as
//! "e<redacted>ceeded" — and [`Redactor::warning`] says once that such a
//! token is suspicious.

use std::io::{self, Write};
use std::sync::Arc;

use tracing_subscriber::fmt::MakeWriter;

/// What replaces a secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// The environment variables a token may come from.
pub(crate) const TOKEN_VARS: [&str; 4] = [
    "GH_TOKEN",
    "GITHUB_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
];

/// Secrets shorter than this are replaced only as whole words (and
/// warned about). GitHub's tokens are 40 characters or more.
pub(crate) const SHORT_SECRET: usize = 8;

/// Replaces known secrets in text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Redactor {
    /// Longest first, so a secret containing another is replaced whole.
    secrets: Arc<[String]>,
    /// Where the shortest too-short secret came from, and its length.
    short: Option<(String, usize)>,
}

impl Redactor {
    /// A redactor for the token(s) in the raw arguments (`--token T`,
    /// `--token=T`, even when parsing failed) and in the environment.
    pub(crate) fn from_args_and_env(
        args: &[std::ffi::OsString],
        var: impl Fn(&str) -> Option<String>,
    ) -> Redactor {
        let mut secrets: Vec<(String, String)> = Vec::new();
        let mut iter = args.iter().map(|a| a.to_string_lossy());
        while let Some(arg) = iter.next() {
            if arg == "--" {
                break;
            }
            if arg == "--token" {
                if let Some(value) = iter.next() {
                    secrets.push(("--token".into(), value.into_owned()));
                }
            } else if let Some(value) = arg.strip_prefix("--token=") {
                secrets.push(("--token".into(), value.to_owned()));
            } else if arg == "--api-url" {
                if let Some(value) = iter.next() {
                    secrets.extend(url_password(&value).map(|p| ("--api-url".into(), p)));
                }
            } else if let Some(value) = arg.strip_prefix("--api-url=") {
                secrets.extend(url_password(value).map(|p| ("--api-url".into(), p)));
            }
        }
        for name in TOKEN_VARS {
            secrets.extend(var(name).map(|v| (name.to_owned(), v)));
        }
        if let Some(url) = var("GITHUB_API_URL") {
            secrets.extend(url_password(&url).map(|p| ("GITHUB_API_URL".into(), p)));
        }
        Redactor::from_sources(secrets)
    }

    /// A redactor for `secrets` (surrounding whitespace trimmed, as the
    /// library trims tokens; empty ones ignored).
    #[cfg(test)]
    pub(crate) fn new(secrets: impl IntoIterator<Item = String>) -> Redactor {
        Redactor::from_sources(secrets.into_iter().map(|s| ("a secret".to_owned(), s)))
    }

    /// A redactor for `(where it came from, secret)` pairs (surrounding
    /// whitespace trimmed, as the library trims tokens; empty ones ignored).
    fn from_sources(sources: impl IntoIterator<Item = (String, String)>) -> Redactor {
        let mut short: Option<(String, usize)> = None;
        let mut secrets = Vec::new();
        for (source, secret) in sources {
            let secret = secret.trim().to_owned();
            let len = secret.chars().count();
            if len == 0 {
                continue;
            }
            if len < SHORT_SECRET && short.as_ref().is_none_or(|(_, l)| len < *l) {
                short = Some((source, len));
            }
            secrets.push(secret);
        }
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor {
            secrets: secrets.into(),
            short,
        }
    }

    /// `text` with every secret replaced by [`REDACTED`] (short ones only
    /// as whole words).
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in self.secrets.iter() {
            if !out.contains(secret.as_str()) {
                continue;
            }
            out = if secret.chars().count() < SHORT_SECRET {
                replace_words(&out, secret)
            } else {
                out.replace(secret.as_str(), REDACTED)
            };
        }
        out
    }

    /// The warning to print once when a secret is so short that it is
    /// redacted only as a whole word.
    pub(crate) fn warning(&self) -> Option<String> {
        self.short.as_ref().map(|(source, len)| {
            let chars = if *len == 1 { "character" } else { "characters" };
            format!(
                "warning: the token from {source} is {len} {chars} long; GitHub's tokens are 40 or \
                 more, so it is probably wrong (and it is redacted from messages only where it \
                 stands as a word of its own)"
            )
        })
    }

    /// A tracing writer to standard error that redacts each write (the fmt
    /// layer writes each event in one call).
    pub(crate) fn stderr(&self) -> RedactingStderr {
        RedactingStderr {
            redactor: self.clone(),
        }
    }
}

/// `text` with each occurrence of `word` that is not part of a longer word
/// (letters, digits, `_` on either side) replaced by [`REDACTED`].
fn replace_words(text: &str, word: &str) -> String {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut before: Option<char> = None;
    while let Some(at) = rest.find(word) {
        let (head, tail) = rest.split_at(at);
        let prev = head.chars().next_back().or(before);
        let after = &tail[word.len()..];
        out.push_str(head);
        if is_word(prev) || is_word(after.chars().next()) {
            // Inside a longer word: keep one character and look again.
            let first = tail.chars().next().map_or(1, char::len_utf8);
            out.push_str(&tail[..first]);
            before = tail[..first].chars().next_back();
            rest = &tail[first..];
        } else {
            out.push_str(REDACTED);
            before = word.chars().next_back();
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The password of `scheme://user:password@host/...`: the library refuses
/// such a base URL, and its message quotes the URL.
fn url_password(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    Some(password.to_owned())
}

/// Makes [`RedactingWriter`]s for tracing.
#[derive(Debug, Clone)]
pub(crate) struct RedactingStderr {
    redactor: Redactor,
}

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = RedactingWriter;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            redactor: self.redactor.clone(),
        }
    }
}

/// Writes to standard error with secrets replaced and control characters
/// removed (see [`crate::text`]).
#[derive(Debug)]
pub(crate) struct RedactingWriter {
    redactor: Redactor,
}

impl Write for RedactingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = self.redactor.redact(&String::from_utf8_lossy(buf));
        // One event per write: it may end a line, not start another.
        let (event, newline) = match text.strip_suffix('\n') {
            Some(event) => (event, "\n"),
            None => (text.as_str(), ""),
        };
        let line = crate::text::one_line(event) + newline;
        io::stderr().lock().write_all(line.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn finds_tokens_in_args_and_env() {
        let args: Vec<OsString> = ["octodeploy", "--token", "ghp_flag", "--token=ghp_eq", "x"]
            .into_iter()
            .map(OsString::from)
            .collect();
        let r = Redactor::from_args_and_env(&args, |k| {
            (k == "GH_TOKEN").then(|| "ghp_env\n".to_owned())
        });
        let text = r.redact("a ghp_flag b ghp_eq c ghp_env d");
        assert_eq!(text, "a <redacted> b <redacted> c <redacted> d");
    }

    #[test]
    fn passwords_in_api_urls() {
        let args: Vec<OsString> = [
            "octodeploy",
            "--api-url",
            "https://u:pw1@ghe.example.com/x@y",
        ]
        .into_iter()
        .map(OsString::from)
        .collect();
        let r = Redactor::from_args_and_env(&args, |k| {
            (k == "GITHUB_API_URL").then(|| "https://x-access-token:pw2@ghe.example.com".to_owned())
        });
        assert_eq!(r.redact("pw1 pw2"), "<redacted> <redacted>");
        assert_eq!(url_password("https://ghe.example.com/a:b@c"), None);
        assert_eq!(url_password("https://user@ghe.example.com"), None);
    }

    #[test]
    fn a_short_token_is_redacted_as_a_whole_word_only() {
        let r = Redactor::new(["x".to_owned()]);
        assert_eq!(
            r.redact("exceeded x; token=x, x_y xx \"x\" x"),
            "exceeded <redacted>; token=<redacted>, x_y xx \"<redacted>\" <redacted>"
        );
        let r = Redactor::new(["ab".to_owned()]);
        assert_eq!(
            r.redact("abab ab-ab ab"),
            "abab <redacted>-<redacted> <redacted>"
        );
        assert_eq!(r.redact("é ab"), "é <redacted>");
    }

    #[test]
    fn a_long_token_is_redacted_even_inside_words() {
        let r = Redactor::new(["ghp_0123456789".to_owned()]);
        assert_eq!(r.redact("Bearerghp_0123456789xyz"), "Bearer<redacted>xyz");
        assert_eq!(r.warning(), None);
    }

    #[test]
    fn a_short_token_is_warned_about_once_naming_its_source() {
        let args: Vec<OsString> = ["octodeploy", "--token", "abc"]
            .into_iter()
            .map(OsString::from)
            .collect();
        let r =
            Redactor::from_args_and_env(&args, |k| (k == "GITHUB_TOKEN").then(|| "x".to_owned()));
        let warning = r.warning().unwrap();
        assert!(
            warning.contains("GITHUB_TOKEN is 1 character long"),
            "{warning}"
        );
        assert_eq!(warning.lines().count(), 1);
        let r = Redactor::from_args_and_env(&args, |_| None);
        assert!(
            r.warning()
                .unwrap()
                .contains("--token is 3 characters long")
        );
    }

    #[test]
    fn longest_secret_first_and_empty_ignored() {
        let r = Redactor::new(["abc".to_owned(), "abcdef".to_owned(), " ".to_owned()]);
        assert_eq!(r.redact("abcdef abc x"), "<redacted> <redacted> x");
    }
}
