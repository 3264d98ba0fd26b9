//! Keeping the token out of everything the CLI prints on standard error:
//! error messages, clap's usage errors and tracing output all go through a
//! [`Redactor`] holding every token the process knows of.

use std::io::{self, Write};
use std::sync::Arc;

use tracing_subscriber::fmt::MakeWriter;

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// The environment variables a token may come from.
pub const TOKEN_VARS: [&str; 4] = [
    "GH_TOKEN",
    "GITHUB_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
];

/// Replaces known secrets in text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Arc<[String]>,
}

impl Redactor {
    /// A redactor for the token(s) in the raw arguments (`--token T`,
    /// `--token=T`, even when parsing failed) and in the environment.
    pub fn from_args_and_env(
        args: &[std::ffi::OsString],
        var: impl Fn(&str) -> Option<String>,
    ) -> Redactor {
        let mut secrets = Vec::new();
        let mut iter = args.iter().map(|a| a.to_string_lossy());
        while let Some(arg) = iter.next() {
            if arg == "--" {
                break;
            }
            if arg == "--token" {
                if let Some(value) = iter.next() {
                    secrets.push(value.into_owned());
                }
            } else if let Some(value) = arg.strip_prefix("--token=") {
                secrets.push(value.to_owned());
            } else if arg == "--api-url" {
                if let Some(value) = iter.next() {
                    secrets.extend(url_password(&value));
                }
            } else if let Some(value) = arg.strip_prefix("--api-url=") {
                secrets.extend(url_password(value));
            }
        }
        secrets.extend(TOKEN_VARS.iter().filter_map(|name| var(name)));
        if let Some(url) = var("GITHUB_API_URL") {
            secrets.extend(url_password(&url));
        }
        Redactor::new(secrets)
    }

    /// A redactor for `secrets` (surrounding whitespace trimmed, as the
    /// library trims tokens; empty ones ignored).
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Redactor {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        // Longest first, so a token containing another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor {
            secrets: secrets.into(),
        }
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in self.secrets.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        out
    }

    /// A tracing writer to standard error that redacts each write (the fmt
    /// layer writes each event in one call).
    pub fn stderr(&self) -> RedactingStderr {
        RedactingStderr {
            redactor: self.clone(),
        }
    }
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
pub struct RedactingStderr {
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

/// Writes to standard error with secrets replaced.
#[derive(Debug)]
pub struct RedactingWriter {
    redactor: Redactor,
}

impl Write for RedactingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        io::stderr()
            .lock()
            .write_all(self.redactor.redact(&text).as_bytes())?;
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
    fn longest_secret_first_and_empty_ignored() {
        let r = Redactor::new(["abc".to_owned(), "abcdef".to_owned(), " ".to_owned()]);
        assert_eq!(r.redact("abcdef abc x"), "<redacted> <redacted> x");
    }
}
