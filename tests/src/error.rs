//! The error type of the replay harness.

use std::path::PathBuf;

use crate::report::VerificationReport;

/// Everything that can go wrong while loading, replaying or recording a cassette.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A scenario name is not kebab-case (`[a-z0-9]+(-[a-z0-9]+)*`).
    #[error("invalid scenario name {name:?}: expected kebab-case such as `get-status-not-found`")]
    InvalidScenarioName {
        /// The rejected name.
        name: String,
    },

    /// A cassette file could not be read.
    #[error("cannot read cassette {}", path.display())]
    ReadCassette {
        /// The file that was read.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A cassette file is not JSON of the cassette format.
    #[error("cannot parse cassette {}", path.display())]
    ParseCassette {
        /// The file that was parsed (or `<string>`).
        path: PathBuf,
        /// The JSON error, with line and column.
        #[source]
        source: serde_json::Error,
    },

    /// A cassette parsed but breaks one of the format's rules.
    #[error("invalid cassette `{scenario}`: {reason}")]
    InvalidCassette {
        /// The cassette's scenario name.
        scenario: String,
        /// Which rule it breaks, and where.
        reason: String,
    },

    /// The replay or recording server could not bind 127.0.0.1.
    #[error("cannot bind a local server on 127.0.0.1")]
    Bind {
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The upstream given for recording is not a usable http(s) URL.
    #[error("invalid recording upstream {url:?}: {reason}")]
    InvalidUpstream {
        /// The rejected value.
        url: String,
        /// Why it was rejected.
        reason: String,
    },

    /// Recording mode was asked for through the environment but is misconfigured.
    #[error("recording mode: {variable} {reason}")]
    RecordConfig {
        /// The environment variable at fault.
        variable: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// The HTTP client used to forward requests upstream could not be built.
    #[error("cannot build the recording HTTP client")]
    HttpClient {
        /// The client error.
        #[source]
        source: reqwest::Error,
    },

    /// While recording, a request could not be forwarded to the upstream.
    #[error("recording: forwarding {method} {path} upstream failed")]
    Upstream {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
        /// The client error.
        #[source]
        source: reqwest::Error,
    },

    /// Replay verification failed: unexpected requests or unused interactions.
    #[error("{0}")]
    Verification(Box<VerificationReport>),

    /// A cassette about to be written still contains a secret; nothing was written.
    #[error("refusing to write cassette {}: it still contains {what}", path.display())]
    SecretLeak {
        /// Where the cassette would have been written.
        path: PathBuf,
        /// What was found (never the secret itself).
        what: String,
    },

    /// A cassette could not be serialised.
    #[error("cannot serialise cassette `{scenario}`")]
    Serialize {
        /// The cassette's scenario name.
        scenario: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },

    /// A cassette could not be written.
    #[error("cannot write cassette {}", path.display())]
    WriteCassette {
        /// The file that was written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}
