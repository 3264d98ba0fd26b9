//! Exit codes — the one table of them, [`CODES`], from which `--help` and
//! the README's table are written (tests check both) — chosen from the
//! error, and the message printed for it.

use std::error::Error as _;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use octodeploy::{AuthError, ConfigError, Error, RateLimitError, RateLimitKind};

use crate::error::{CliError, Credential, RequestContext};
use crate::text::one_line;

/// Success.
pub(crate) const SUCCESS: u8 = 0;
/// An internal failure (not the user's input, not GitHub).
pub(crate) const INTERNAL: u8 = 1;
/// A usage error or invalid input; nothing was sent.
pub(crate) const USAGE: u8 = 2;
/// GitHub rejected the request (4xx other than rate limits).
pub(crate) const REJECTED: u8 = 3;
/// Rate limited.
pub(crate) const RATE_LIMITED: u8 = 4;
/// A server (5xx) or transport failure.
pub(crate) const UNAVAILABLE: u8 = 5;
/// A POST was sent and failed without a clear answer: GitHub may have
/// processed it.
pub(crate) const OUTCOME_UNKNOWN: u8 = 6;
/// `deployment wait`: the deployment ended in a failed terminal state.
pub(crate) const WAIT_FAILED: u8 = 7;
/// `deployment wait`: the time limit passed first.
pub(crate) const WAIT_TIMED_OUT: u8 = 8;

/// One exit code and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExitCodeDoc {
    /// The code.
    pub(crate) code: u8,
    /// What it means, as one sentence for `--help` and the README.
    pub(crate) meaning: &'static str,
}

/// Every exit code the CLI uses, in order.
pub(crate) const CODES: [ExitCodeDoc; 9] = [
    ExitCodeDoc {
        code: SUCCESS,
        meaning: "success (also when standard output was closed early, as by `| head`)",
    },
    ExitCodeDoc {
        code: INTERNAL,
        meaning: "internal failure: the HTTP client could not be built, the output could not be written",
    },
    ExitCodeDoc {
        code: USAGE,
        meaning: "usage error or invalid input, refused before any request: a bad flag or value, \
                  a bad --state, a description over 140 characters, a malformed --payload, \
                  an unusable --api-url",
    },
    ExitCodeDoc {
        code: REJECTED,
        meaning: "GitHub rejected the request: a 4xx other than a rate limit \
                  (422 validation failed, 404 not found, 401 bad credentials...)",
    },
    ExitCodeDoc {
        code: RATE_LIMITED,
        meaning: "rate limited (primary or secondary limit), once retries, if any, gave up \
                  or the wait asked for was longer than --max-wait",
    },
    ExitCodeDoc {
        code: UNAVAILABLE,
        meaning: "server or transport failure: 5xx, a proxy's HTML error page, connection refused, \
                  a timeout, an undecodable response, a refused redirect or pagination link",
    },
    ExitCodeDoc {
        code: OUTCOME_UNKNOWN,
        meaning: "outcome unknown: a `status create`, `deployment create` or `dispatch` was \
                  sent, then failed without a clear answer (timeout, reset connection, 5xx); \
                  GitHub may have processed it, so check (list the statuses or deployments, look \
                  for the workflow runs) before sending it again",
    },
    ExitCodeDoc {
        code: WAIT_FAILED,
        meaning: "`deployment wait`: the deployment reached a failed terminal state \
                  (failure, error or inactive)",
    },
    ExitCodeDoc {
        code: WAIT_TIMED_OUT,
        meaning: "`deployment wait`: the time limit passed before a terminal state",
    },
];

/// The table as `--help` shows it: `Exit codes:`, then one entry per code,
/// wrapped to 96 columns.
pub(crate) fn help_text() -> String {
    const WIDTH: usize = 96;
    const INDENT: &str = "     ";
    let mut text = String::from("Exit codes:");
    for doc in CODES {
        let mut line = format!("  {}  ", doc.code);
        for word in doc.meaning.split_whitespace() {
            if line.len() + 1 + word.len() > WIDTH && line.trim_start().len() > 3 {
                text.push('\n');
                text.push_str(line.trim_end());
                line = INDENT.to_owned();
            }
            if !line.ends_with(' ') {
                line.push(' ');
            }
            line.push_str(word);
        }
        text.push('\n');
        text.push_str(line.trim_end());
    }
    text
}

/// The table as the README shows it (Markdown).
#[cfg(test)]
pub(crate) fn markdown_table() -> String {
    let mut text = String::from("| code | meaning |\n| ---- | ------- |\n");
    for doc in CODES {
        text.push_str(&format!(
            "| {} | {} |\n",
            doc.code,
            doc.meaning.replace('|', "\\|")
        ));
    }
    text
}

/// The exit code for `err`.
pub(crate) fn code(err: &CliError) -> u8 {
    match err {
        CliError::Invalid { .. }
        | CliError::PayloadJson { .. }
        | CliError::PayloadRead { .. }
        | CliError::PayloadTooLarge { .. } => USAGE,
        CliError::Config { source } | CliError::Request { source, .. } => library_code(source),
        CliError::WaitFailed { .. } => WAIT_FAILED,
        CliError::PruneIncomplete { code, .. } => *code,
        CliError::Runtime(_) | CliError::Output(_) => INTERNAL,
    }
}

/// The exit code for a library error.
pub(crate) fn library_code(err: &Error) -> u8 {
    if err.is_outcome_unknown() {
        return OUTCOME_UNKNOWN;
    }
    match err {
        Error::Invalid(_) => USAGE,
        Error::Config(ConfigError::Http(_)) => INTERNAL,
        Error::Config(_) => USAGE,
        Error::RateLimited(_) => RATE_LIMITED,
        Error::Auth(auth) => match auth {
            // Nothing was sent: the key or a setting is wrong.
            AuthError::Key { .. } | AuthError::InvalidToken => USAGE,
            // GitHub refused the App or found no installation.
            AuthError::NotInstalled { .. }
            | AuthError::ClockSkew { .. }
            | AuthError::AppRejected { .. } => REJECTED,
            // The exchange failing without an answer is no unknown outcome
            // of the command: its own request was never sent (and a second
            // exchange is harmless).
            AuthError::InstallationToken(source) if source.is_outcome_unknown() => UNAVAILABLE,
            AuthError::InstallationToken(source) | AuthError::Installation { source, .. } => {
                library_code(source)
            }
            _ => UNAVAILABLE,
        },
        Error::WaitTimedOut(_) => WAIT_TIMED_OUT,
        Error::DeploymentConflict(_) => REJECTED,
        Error::Api(_) | Error::NonJson { .. } => match err.status() {
            Some(400..=499) => REJECTED,
            _ => UNAVAILABLE,
        },
        // Decode, Transport, Timeout, ForeignLink, and whatever the library
        // adds later: the server or the way to it failed.
        _ => UNAVAILABLE,
    }
}

/// What to print on standard error for `err` (before redaction): the
/// message with GitHub's details, then hints, one per line.
///
/// The message is made one line ([`crate::text::one_line`]): it quotes the
/// server, and a newline there must not start a line of its own.
pub(crate) fn report(err: &CliError) -> String {
    let mut text = format!("error: {}", one_line(&message(err)));
    for hint in hints(err) {
        text.push_str("\nhint: ");
        text.push_str(&one_line(&hint));
    }
    text
}

/// The one-line message: the error, GitHub's message, `documentation_url`
/// and request id (the library's `Display` has them, except for rate
/// limits, written here), then the causes not already said.
fn message(err: &CliError) -> String {
    let mut text = match err {
        CliError::Request {
            source: Error::RateLimited(rl),
            ..
        } => rate_limit_message(rl, SystemTime::now()),
        other => other.to_string(),
    };
    // The first cause not already part of the message: the variants above
    // print their direct source themselves.
    let mut cause = match err {
        CliError::Invalid { .. } => None,
        CliError::Config { source } | CliError::Request { source, .. } => source.source(),
        other => other.source().and_then(|s| s.source()),
    };
    while let Some(c) = cause {
        let c_text = c.to_string();
        if !text.contains(&c_text) {
            text.push_str(": ");
            text.push_str(&c_text);
        }
        cause = c.source();
    }
    text
}

fn rate_limit_message(rl: &RateLimitError, now: SystemTime) -> String {
    let kind = match rl.kind {
        RateLimitKind::Primary => "primary ",
        RateLimitKind::Secondary => "secondary ",
        _ => "",
    };
    let mut text = format!(
        "GitHub's {kind}rate limit, HTTP {}: {}",
        rl.status, rl.message
    );
    if let Some(after) = rl.retry_after {
        text.push_str(&format!("; retry after {}s", after.as_secs()));
    } else if let Some(reset) = rl.reset {
        match calendar_time(reset) {
            Some(at) => text.push_str(&format!(
                "; the quota resets at {}",
                at.format("%Y-%m-%d %H:%M:%S UTC")
            )),
            // Any number fits a SystemTime; not every one is a date.
            None => text.push_str("; the quota reset time the server sent is not a date"),
        }
        if let Ok(wait) = reset.duration_since(now) {
            text.push_str(&format!(" (in {})", human_duration(wait.as_secs())));
        }
    }
    if let Some(url) = &rl.documentation_url {
        text.push_str(&format!(" (see {url})"));
    }
    if let Some(id) = &rl.request_id {
        text.push_str(&format!(" (request id {id})"));
    }
    text
}

/// `time` as a UTC date, `None` outside what a calendar date can hold
/// (chrono's `From<SystemTime>` panics there).
fn calendar_time(time: SystemTime) -> Option<DateTime<Utc>> {
    let secs = time.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
    DateTime::from_timestamp(i64::try_from(secs).ok()?, 0)
}

fn human_duration(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m{:02}s", secs / 60, secs % 60),
        3600..=86_399 => format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60),
        _ => "more than a day".to_owned(),
    }
}

/// Why a rate limit was not waited out, when the flags decided it.
fn rate_limit_hint(
    rl: &RateLimitError,
    max_wait: Option<Duration>,
    now: SystemTime,
) -> Option<String> {
    let Some(max_wait) = max_wait else {
        return Some(
            "retries are off (--no-retry or --retries 0): nothing was waited out".to_owned(),
        );
    };
    match rl.wait_from(now) {
        Some(asked) if asked > max_wait => Some(format!(
            "GitHub asks to wait {}, longer than --max-wait {}: raise --max-wait to wait it out, or run later",
            human_duration(asked.as_secs()),
            human_duration(max_wait.as_secs())
        )),
        None if rl.kind == RateLimitKind::Secondary && max_wait < Duration::from_secs(60) => {
            Some(format!(
                "GitHub said no Retry-After, which means waiting at least a minute, longer than --max-wait {}",
                human_duration(max_wait.as_secs())
            ))
        }
        _ => None,
    }
}

/// What to check when GitHub answered 401 to `credential`.
fn refused(credential: &Credential) -> String {
    match credential {
        Credential::Token { from } => {
            format!("GitHub refused the token from {from}: check it (expired? revoked?)")
        }
        Credential::App { from } => format!(
            "GitHub refused the installation token of the GitHub App (App id from {from}), a fresh one too: \
             check the App's id, key and installation (--app-id, --app-private-key, --installation-id, \
             or $GITHUB_APP_ID, $GITHUB_APP_PRIVATE_KEY[_PATH], $GITHUB_APP_INSTALLATION_ID); \
             a token (--token, $GH_TOKEN) is not used while an App is configured"
        ),
        Credential::None => "no credential was sent".to_owned(),
    }
}

fn hints(err: &CliError) -> Vec<String> {
    let CliError::Request { source, context } = err else {
        return Vec::new();
    };
    let RequestContext {
        api_url,
        credential,
        max_wait,
        check,
    } = &**context;
    let mut hints = Vec::new();
    if source.is_outcome_unknown() {
        hints.push(format!(
            "do not just run the command again (it was not retried: a second request could act twice); {}",
            check.as_deref().unwrap_or("check what happened first")
        ));
        return hints;
    }
    match (source, source.status()) {
        (Error::RateLimited(rl), _) => hints.extend(rate_limit_hint(rl, *max_wait, SystemTime::now())),
        (Error::Api(_), Some(401)) if credential.is_sent() => hints.push(refused(credential)),
        (Error::Api(_), Some(401 | 403 | 404)) if !credential.is_sent() => hints.push(
            "no token was sent: pass --token or set GH_TOKEN or GITHUB_TOKEN, or configure a GitHub App \
             (--app-id, --app-private-key) (GitHub answers 404 for private repositories without one)"
                .to_owned(),
        ),
        (Error::Transport(_) | Error::Timeout(_), _) => hints.push(format!(
            "could not get an answer from {api_url}: check --api-url, $GITHUB_API_URL or $GH_HOST"
        )),
        _ => {}
    }
    hints
}

#[cfg(test)]
mod props;

#[cfg(test)]
mod tests {
    use super::*;
    use octodeploy::validate;

    #[test]
    fn usage_errors_are_2() {
        let Err(v) = validate::description(&"a".repeat(141)) else {
            panic!("141 characters accepted");
        };
        let err = CliError::invalid(v);
        assert_eq!(code(&err), USAGE);
        assert_eq!(
            report(&err),
            "error: invalid `--description`: 141 characters, at most 140 allowed"
        );
    }

    #[test]
    fn payload_json_errors_name_the_flag_and_position() {
        let Err(source) = serde_json::from_str::<serde_json::Value>("{\"a\": }") else {
            panic!("parsed");
        };
        let err = CliError::PayloadJson {
            arg: "--payload".into(),
            source,
        };
        assert_eq!(code(&err), USAGE);
        let text = report(&err);
        assert!(
            text.contains("invalid `--payload`: not valid JSON"),
            "{text}"
        );
        assert!(text.contains("line 1 column 7"), "{text}");
    }

    #[test]
    fn codes_are_in_order_and_distinct() {
        for (i, doc) in CODES.iter().enumerate() {
            assert_eq!(usize::from(doc.code), i);
        }
    }

    #[test]
    fn help_lists_every_code_within_96_columns() {
        let text = help_text();
        for doc in CODES {
            assert!(text.contains(&format!("\n  {}  ", doc.code)), "{text}");
        }
        assert!(text.lines().all(|l| l.len() <= 96), "{text}");
        let words = |t: &str| t.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let all: String = CODES
            .iter()
            .map(|d| format!("{} {} ", d.code, d.meaning))
            .collect();
        assert_eq!(
            words(&text)[2..],
            words(&all)[..],
            "nothing lost in wrapping"
        );
    }

    /// The README's exit-code table is [`markdown_table`], between the
    /// `<!-- exit-codes -->` markers.
    #[test]
    fn the_readme_table_is_this_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let (_, rest) = readme
            .split_once("<!-- exit-codes: generated from crates/octodeploy-cli/src/exit.rs -->\n")
            .expect("README has the exit-codes start marker");
        let (table, _) = rest
            .split_once("<!-- /exit-codes -->")
            .expect("README has the exit-codes end marker");
        assert_eq!(
            table,
            markdown_table(),
            "README.md's exit-code table is stale; paste this:\n{}",
            markdown_table()
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(23 * 60 + 4), "23m04s");
        assert_eq!(human_duration(3 * 3600 + 120), "3h02m");
        assert_eq!(human_duration(u64::MAX), "more than a day");
    }
}
