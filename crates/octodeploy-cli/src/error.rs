//! What can go wrong in the CLI, as one error type that keeps its sources;
//! [`crate::exit`] turns it into an exit code and a message.

use std::io;

use octodeploy::ValidationError;

/// A CLI-level failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum CliError {
    /// An argument that parses but breaks GitHub's rules, refused before any
    /// request (`arg` is the flag or positional as the user typed it).
    #[error("invalid `{arg}`: {}", .source.problem)]
    Invalid {
        /// `--description`, `--payload`, `EVENT_TYPE`...
        arg: String,
        /// The library's finding (field and limit).
        #[source]
        source: ValidationError,
    },
    /// `--payload` (or the payload file) is not JSON.
    #[error("invalid `{arg}`: not valid JSON: {source}")]
    PayloadJson {
        /// `--payload`, `--payload-file PATH` or `--payload-file -`.
        arg: String,
        /// serde's error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// The payload file (or standard input) could not be read.
    #[error("cannot read `{arg}`: {source}")]
    PayloadRead {
        /// `--payload-file PATH` or `--payload-file -`.
        arg: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The payload is larger than the CLI is willing to read.
    #[error("`{arg}` is larger than {limit} bytes (GitHub's limit is 64 KiB)")]
    PayloadTooLarge {
        /// `--payload-file PATH` or `--payload-file -`.
        arg: String,
        /// How many bytes were read before giving up.
        limit: usize,
    },
    /// The client could not be configured (`--api-url` unusable, a header
    /// value HTTP forbids).
    #[error("{source}")]
    Config {
        /// The library's error (always [`octodeploy::Error::Config`]).
        #[source]
        source: octodeploy::Error,
    },
    /// A request failed: GitHub rejected it, rate limited it, or could not be
    /// reached.
    #[error("{source}")]
    Request {
        /// The library's error.
        #[source]
        source: octodeploy::Error,
        /// What the message's hints need (boxed: errors stay small).
        context: Box<RequestContext>,
    },
    /// `deployment wait` ended in a failed terminal state.
    #[error("deployment {deployment_id} ended `{state}`")]
    WaitFailed {
        /// The deployment.
        deployment_id: i64,
        /// `failure`, `error` or `inactive` (or a state the library does
        /// not know).
        state: String,
    },
    /// `deployment prune` could not remove every deployment it planned to.
    #[error("{failed} of {planned} deployments could not be deleted (see the report)")]
    PruneIncomplete {
        /// How many failed.
        failed: usize,
        /// How many were planned.
        planned: usize,
        /// The exit code: 3 when GitHub refused, 5 when the server or the
        /// way to it failed.
        code: u8,
    },
    /// The async runtime could not start.
    #[error("could not start the async runtime: {0}")]
    Runtime(#[source] io::Error),
    /// Writing the result to standard output failed.
    #[error("could not write the output: {0}")]
    Output(#[source] io::Error),
}

impl CliError {
    /// A library validation error, named after the argument the user typed
    /// rather than the request field.
    pub(crate) fn invalid(source: ValidationError) -> CliError {
        CliError::Invalid {
            arg: arg_for_field(source.field).to_owned(),
            source,
        }
    }
}

/// The credential requests carry, and where the user configured it (so a
/// refusal's hint names what to fix).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Credential {
    /// No `Authorization` header.
    #[default]
    None,
    /// A token, from `from` (`--token`, `$GH_TOKEN`, `$GITHUB_TOKEN`).
    Token {
        /// Where it was given.
        from: String,
    },
    /// A GitHub App's installation tokens; the App id from `from`
    /// (`--app-id` or `$GITHUB_APP_ID`).
    App {
        /// Where the App id was given.
        from: &'static str,
    },
}

impl Credential {
    /// Whether requests carry an `Authorization` header.
    pub(crate) fn is_sent(&self) -> bool {
        !matches!(self, Credential::None)
    }
}

/// What a failed request's hints need to know.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestContext {
    /// The API base URL the request went to.
    pub(crate) api_url: String,
    /// The credential the request was sent with, as configured.
    pub(crate) credential: Credential,
    /// `--max-wait`, when retries were on.
    pub(crate) max_wait: Option<std::time::Duration>,
    /// How to find out whether a POST whose outcome is unknown happened
    /// (a command line, or where to look).
    pub(crate) check: Option<String>,
}

impl CliError {
    /// `self` with `how` as the way to find out whether the request
    /// happened, should its outcome be unknown.
    pub(crate) fn with_check(mut self, how: String) -> CliError {
        if let CliError::Request { context, .. } = &mut self {
            context.check = Some(how);
        }
        self
    }
}

/// The CLI argument that feeds a request field.
pub(crate) fn arg_for_field(field: &str) -> &str {
    match field {
        "state" => "--state",
        "description" => "--description",
        "environment" => "--environment",
        "environment_url" => "--environment-url",
        "log_url" => "--log-url",
        "target_url" => "--target-url",
        "auto_inactive" => "--auto-inactive",
        "client_payload" => "--payload",
        "event_type" => "EVENT_TYPE",
        "owner" | "repo" => "OWNER/REPO",
        "per_page" => "--per-page",
        "payload" => "--payload",
        "ref" => "--ref",
        "task" => "--task",
        "required_contexts" => "--required-context",
        "interval" => "--interval",
        "timeout" => "--timeout",
        "page" => "--page",
        "GITHUB_APP_ID" | "app_id" => "--app-id",
        "GITHUB_APP_PRIVATE_KEY" => "--app-private-key",
        "GITHUB_APP_INSTALLATION_ID" | "installation_id" => "--installation-id",
        other => other,
    }
}
