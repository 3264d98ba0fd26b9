//! GitHub deployment statuses and repository dispatch, typed, for deploy
//! tools, CI/CD steps and bots — against GitHub Enterprise Server 3.0
//! through today's releases, and github.com.
//!
//! ```no_run
//! use octodeploy::{Client, State};
//!
//! # async fn run() -> Result<(), octodeploy::Error> {
//! let client = Client::builder()
//!     .base_url("https://ghe.example.com") // becomes https://ghe.example.com/api/v3
//!     .token(std::env::var("GITHUB_TOKEN").unwrap_or_default())
//!     .build()?;
//! let deployment = client.repo("octo-org", "deploy-demo").deployment(42);
//!
//! deployment
//!     .create_status(State::InProgress)
//!     .environment("staging")
//!     .log_url("https://ci.example.com/runs/1")
//!     .await?;
//! let done = deployment
//!     .create_status(State::Success)
//!     .description("Deployed 1f2e3d4")
//!     .await?;
//! println!("status {} (request id {:?})", done.id, done.meta().request_id);
//!
//! use futures::TryStreamExt;
//! let all: Vec<_> = deployment.statuses().per_page(100).stream().try_collect().await?;
//! println!("{} statuses", all.len());
//!
//! client
//!     .repo("octo-org", "deploy-demo")
//!     .dispatch("deploy-finished")
//!     .payload(&serde_json::json!({"deployment": 42}))
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! What it does for you:
//! - **Headers GitHub needs**: `Accept: application/vnd.github+json` plus the
//!   ant-man and flash previews on deployment-status calls (GHES 3.0 needs
//!   them for `inactive`, `in_progress`, `queued`, `log_url`, `environment`…),
//!   `X-GitHub-Api-Version` (configurable, omittable for old GHES).
//! - **Validation before sending**, naming the field and the limit
//!   ([`ValidationError`]).
//! - **Errors with GitHub's details**: message, `documentation_url`, field
//!   errors and `X-GitHub-Request-Id` ([`ApiError`]); rate limits as their own
//!   variant with when to retry ([`RateLimitError`]).
//! - **Retries that never duplicate** a POST ([`RetryPolicy`]).
//! - **Tolerant decoding**: unknown states ([`State::Other`]), fields old
//!   servers omit, fields new servers add.
//! - **Secrets stay secret**: the [`Token`] never prints and is only sent to
//!   the configured origin.
//!
//! Every request runs in a `tracing` span `github.request` with `method`,
//! `path` (the template, never the token or query), `attempt`, `status` and
//! `request_id`.

#![deny(missing_docs)]

mod auth;
mod auth_app;
mod base_url;
mod client;
mod decode;
mod deployments;
mod deployments_create;
pub mod env;
mod error;
mod exchange;
#[doc(hidden)]
pub mod fuzzing;
mod model;
mod pagination;
mod prune;
mod replace;
mod repo;
mod requests;
mod response;
mod retry;
mod secret;
mod tls;
mod transport;
pub mod validate;
mod wait;

pub use auth::{AuthContext, AuthError, CredentialFuture, CredentialProvider, StaticToken};
pub use auth_app::GitHubApp;
pub use base_url::GITHUB_COM_API;
pub use client::{
    Client, ClientBuilder, DEFAULT_API_VERSION, DEFAULT_MAX_PAGES, DEFAULT_USER_AGENT,
};
pub use deployments::{Deployment, ListDeployments};
pub use deployments_create::{
    AutoMerged, ConflictKind, ContextState, CreateDeployment, CreateOutcome, DeploymentConflict,
    NewDeployment,
};
pub use error::{
    ApiError, ConfigError, DecodeError, Error, FieldError, RateLimitError, RateLimitKind,
    TransportError, ValidationError,
};
pub use exchange::{DEFAULT_MAX_RESPONSE_BYTES, MAX_REDIRECTS};
pub use model::{App, DeploymentStatus, State, User};
pub use pagination::{Links, Page};
pub use prune::{
    DEFAULT_PRUNE_PACE, Doomed, KeepReason, Kept, Prune, PruneEvent, PruneFailure, PrunePlan,
    PruneReport, PruneStep,
};
pub use replace::ReplaceOutcome;
pub use repo::{
    CreateStatus, DEACTIVATION_DESCRIPTION, DeploymentHandle, Dispatch, ListStatuses, RepoHandle,
};
pub use requests::{DispatchEvent, NewDeploymentStatus};
pub use response::{Meta, RateLimit, Response};
pub use retry::{Clock, RetryEvent, RetryHook, RetryPolicy, SystemClock};
pub use secret::Token;
pub use wait::{
    DEFAULT_MAX_POLL_INTERVAL, DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT, MIN_POLL_INTERVAL,
    Wait, WaitTimeout,
};

/// The generated client this crate wraps (the `octodeploy-api` crate), for
/// operations and fields this crate does not cover.
///
/// **Outside this crate's semver promise**: it follows GitHub's contract and
/// the generator, with `octodeploy-api`'s own version, and a regeneration or
/// a progenitor upgrade may change it in any release.
pub use octodeploy_api as api;
/// Crates whose types appear in this API, re-exported so versions match:
/// `chrono` (timestamps), `serde_json` (deployment payloads and dispatch
/// `client_payload`s, which are any JSON), `url` (links and base URLs), and
/// `reqwest` (only for [`ClientBuilder::http_client`], bring-your-own HTTP
/// client; a `reqwest` major release is a major release of this crate).
pub use {chrono, reqwest, serde_json, url::Url};

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
