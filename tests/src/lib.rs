//! Record/replay HTTP test infrastructure for octodeploy.
//!
//! A test loads a **cassette** (recorded GitHub traffic for one scenario, a JSON file in
//! `tests/cassettes/`), starts a [`ReplayServer`] on `127.0.0.1`, points the client under
//! test at it, and calls [`ReplayServer::finish`] at the end:
//!
//! ```no_run
//! # async fn demo() -> Result<(), octodeploy_replay::ReplayError> {
//! use octodeploy_replay::ReplayServer;
//!
//! let replay = ReplayServer::for_scenario("get-status").await?;
//! let base_url = replay.base_url(); // "http://127.0.0.1:PORT/api/v3" for GHES cassettes
//! let token = replay.token();
//! // ... build the client with `base_url` and `token`, make the scenario's calls ...
//! replay.finish(); // panics naming unexpected requests and unused interactions
//! # Ok(()) }
//! ```
//!
//! # Cassette format
//!
//! ```json
//! {
//!   "scenario": "list-statuses-three-pages",
//!   "description": "What it shows and where its shape comes from (GHES 3.12, github.com 2026…).",
//!   "base_path": "/api/v3",
//!   "interactions": [
//!     {
//!       "note": "optional, for humans",
//!       "request": {
//!         "method": "GET",
//!         "path": "/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses",
//!         "query": {"per_page": "2"},
//!         "headers": {"accept": "application/vnd.github+json", "authorization": "<redacted>"},
//!         "body": null
//!       },
//!       "response": {
//!         "status": 200,
//!         "headers": [["content-type", "application/json; charset=utf-8"], ["link", "<{{base}}/api/v3/…>; rel=\"next\""]],
//!         "body": []
//!       }
//!     }
//!   ]
//! }
//! ```
//!
//! * `scenario`: kebab-case, equal to the file name. `description`: required prose.
//! * `base_path`: `"/api/v3"` for GitHub Enterprise Server recordings, `""` for github.com;
//!   every request path starts with it, and [`ReplayServer::base_url`] is origin + it.
//! * `request.query`: decoded parameters; a value is a string, or an array of strings for a
//!   repeated parameter. `request.headers`: an object; see matching below.
//!   `request.body`: JSON value, or `null`/missing for no body; `request.body_text` for a
//!   non-JSON body.
//! * `response.headers`: ordered `[name, value]` pairs (names may repeat; `content-length`
//!   and `transfer-encoding` are not allowed, the server frames the body; it also adds
//!   `date`). `response.body`: JSON, served compact; or `response.body_text` for non-JSON
//!   (an HTML 502 page); or neither (204).
//! * `{{base}}` in response header values, response JSON strings and `body_text` is
//!   replaced by the server's origin (`http://127.0.0.1:PORT`), so absolute `Link` and
//!   `location` URLs lead back to the replay server.
//!
//! Unknown fields are rejected, so typos fail loudly ([`Cassette::validate`] lists the other
//! rules).
//!
//! # Matching
//!
//! Strict and in order: each incoming request is compared with the next unused interaction
//! only, on
//!
//! * method;
//! * raw path (percent-encoding as sent);
//! * query, as a multimap, every parameter both ways (values of one name keep their order);
//! * each header the cassette lists (names case-insensitive; joined values compared
//!   exactly). Unlisted request headers are ignored. `"<redacted>"` means "present"; for
//!   `authorization` it also means scheme `Bearer` or `token` with a non-empty credential.
//!   `"<absent>"` means "must not be sent";
//! * body: JSON structural equality (key order irrelevant), exact text for `body_text`, or
//!   no body at all.
//!
//! Inside request body strings and query values, `<redacted>` stands for any text: that is
//! where the recorder scrubbed a secret, so the recorded request still matches.
//!
//! A request that does not match is answered `418` (`text/plain`, header
//! `x-octodeploy-replay: mismatch`, body explaining the differences) and does **not**
//! consume the interaction. [`ReplayServer::verify`] fails with a [`VerificationReport`]
//! naming each unexpected request (method, path, query, every differing field, and which
//! interaction was due) and each unused interaction; [`ReplayServer::finish`] panics with
//! it, and so does dropping an unverified server (unless already panicking).
//!
//! # Recording
//!
//! With `OCTODEPLOY_RECORD=1` and `OCTODEPLOY_RECORD_UPSTREAM=https://ghe.example.com/api/v3`
//! (or `https://api.github.com`), [`ReplayServer::start`] and [`ReplayServer::for_scenario`]
//! start a [`Recorder`] instead: each request is forwarded upstream (redirects not
//! followed), the exchange recorded, and the response served to the client with the
//! upstream origin rewritten to the local one. `finish()` writes
//! `tests/cassettes/<scenario>.json` (or into `OCTODEPLOY_RECORD_DIR`). The client gets
//! `OCTODEPLOY_RECORD_TOKEN` from [`ReplayServer::token`]. Recording:
//!
//! * keeps the request headers in [`RECORDED_REQUEST_HEADERS`]; `authorization`,
//!   `proxy-authorization`, `cookie`, `x-github-otp` are stored as `"<redacted>"`;
//! * keeps the response headers in [`RECORDED_RESPONSE_HEADERS`] and `x-ratelimit-*`,
//!   dropping `date`, `set-cookie` and the rest;
//! * rewrites the upstream origin to `{{base}}` in response headers and bodies;
//! * scrubs every credential seen in requests, the configured token and secrets, and any
//!   token-shaped string (`ghp_…`, `gho_…`, `ghu_…`, `ghs_…`, `ghr_…`, `github_pat_…`,
//!   `v1.<40 hex>`) from everything, and refuses to write a file in which one survives.
//!
//! [`Recorder::start`] does the same without environment variables (that is how the
//! recorder itself is tested).
#![deny(missing_docs)]

mod cassette;
pub mod contract;
mod error;
mod matching;
mod record;
mod report;
mod scrub;
mod server;

pub use cassette::{
    ABSENT, BASE_PLACEHOLDER, Cassette, CassetteRequest, CassetteResponse, Headers, Interaction,
    Query, REDACTED, cassette_dir, cassette_path, check_scenario_name, substitute_base,
};
pub use error::ReplayError;
pub use record::{
    ENV_DIR, ENV_RECORD, ENV_TOKEN, ENV_UPSTREAM, PLACEHOLDER_DESCRIPTION,
    RECORDED_REQUEST_HEADERS, RECORDED_RESPONSE_HEADERS, RecordConfig, Recorder,
};
pub use report::{
    Outcome, ReceivedRequest, UnexpectedRequest, UnusedInteraction, VerificationReport,
};
pub use scrub::{TOKEN_PREFIXES, find_token_like, scrub_text};
pub use server::{MISMATCH_HEADER, MISMATCH_STATUS, REPLAY_TOKEN, ReplayServer};
