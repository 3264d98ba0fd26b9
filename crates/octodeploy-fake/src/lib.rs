//! An in-memory fake of the GitHub REST operations octodeploy binds —
//! `repos/create-deployment`, `repos/list-deployments`,
//! `repos/get-deployment`, `repos/delete-deployment`,
//! `repos/list-deployment-statuses`,
//! `repos/create-deployment-status`, `repos/get-deployment-status` and
//! `repos/create-dispatch-event` — with GitHub's semantics, for tests (in
//! process) and for trying the CLI without GitHub (the `octodeploy-fake`
//! binary).
//!
//! ```no_run
//! # async fn demo() -> Result<(), octodeploy_fake::FakeError> {
//! use octodeploy_fake::{DeploymentState, FakeGitHub};
//!
//! let fake = FakeGitHub::builder()
//!     .token("t")
//!     .repo("octo-org", "deploy-demo", |r| {
//!         r.deployment(42, "production")
//!             .deployment_with(43, "staging", |d| d.status(DeploymentState::Success))
//!     })
//!     .start()
//!     .await?;
//! let base = fake.base_url(); // http://127.0.0.1:PORT/api/v3
//! fake.faults().bad_gateway(1); // the next request gets a 502
//! # let _ = base;
//! # Ok(()) }
//! ```
//!
//! # Endpoints and URLs
//! The API is served both at the root (like `api.github.com`) and under
//! `/api/v3` (like GitHub Enterprise Server). [`FakeGitHub::base_url`] is
//! the GHES-style one. URLs in bodies and `Link` headers are absolute and
//! use the server's own address (`http://127.0.0.1:PORT`, not the request's
//! `Host`) plus the prefix the request came in with. When bound to
//! `0.0.0.0`/`::`, URLs say `127.0.0.1`/`[::1]`.
//!
//! # GitHub's rules, and decisions where GitHub's documentation is silent
//! - **Ids**: deployment ids are chosen by the seed and unique across the
//!   server; status ids increase across the whole server from 1 and are
//!   never reused. Owner and repository names match case-insensitively;
//!   bodies use the seeded spelling. Non-numeric ids in paths are 404s.
//! - **Statuses** are listed newest first. Bodies follow the
//!   `deployment-status` schema: all required fields, `creator` a full
//!   `simple-user` (the configured user, default `octocat`/1),
//!   `performed_via_github_app: null`, legacy base64 `node_id`s, RFC 3339
//!   `Z` timestamps with `updated_at == created_at`. Unset URLs and
//!   description are `""` as on GitHub (`target_url`, `log_url`,
//!   `environment_url` are always present).
//! - **Creating a status**: the deployment must exist (404 before any body
//!   check); malformed JSON is 400 `Problems parsing JSON`; a JSON body that
//!   is not an object is 422 `Invalid request.`; then every field problem is
//!   collected into one 422 `Validation Failed` with `errors[]`
//!   (`resource: "DeploymentStatus"`, codes `missing_field`, `invalid`,
//!   `custom`): `state` missing or not one of the seven states,
//!   `description` over 140 characters (counted in characters, not bytes),
//!   a non-boolean `auto_inactive`, a non-string field, or a URL that is
//!   neither empty nor absolute `http(s)` (`"<field> must use http(s)
//!   scheme"`). `log_url` sets `target_url` too; with only `target_url`,
//!   both are that value (GitHub stores one value). A non-empty
//!   `environment` moves the deployment to that environment (any name is
//!   accepted, as on current GitHub; the production/transient flags do not
//!   change). Unknown fields are ignored. 201 with `Location` = the status's
//!   `url`.
//! - **`auto_inactive`** (default `true`): a new `success` status adds an
//!   `inactive` status (empty description and URLs, same creator, ids after
//!   the new status's) to every *other* deployment of the same repository
//!   and environment that is neither transient nor production and whose
//!   latest state is `success`. "Prior" in GitHub's wording is read as "any
//!   other", so that a rollback to an older deployment supersedes newer
//!   ones too.
//! - **Deleting** (204, statuses go too, later requests 404): a
//!   repository's only deployment can always be deleted; with several, only
//!   a deployment whose latest status is `inactive` — a deployment without
//!   statuses counts as active (pending), and so does one whose latest state
//!   is `failure` or `error` (GitHub's "add any non-successful status" advice
//!   is read strictly: make it `inactive`). The count is per repository,
//!   not per environment, as the documentation says. Refusal: 422
//!   `validation-error-simple` with GitHub's message "We cannot delete an
//!   active deployment unless it is the only deployment in a given
//!   environment.".
//! - **Deployments**: created with the next id (ids increase across the
//!   server and are never reused), GitHub's `deployment` body (`payload`
//!   returned as sent, object or string; `description` `null` when unset;
//!   `production_environment` defaulting to `environment == "production"`),
//!   `Location` = its `url`. What creation leads to — 201, 202 (auto-merged,
//!   nothing created), 409 (merge conflict, failed required contexts naming
//!   them) or 422 (schema violations as `Invalid request.`, unknown refs) —
//!   is switchable per repository: [`RepoBuilder::auto_merge`],
//!   [`RepoBuilder::commit_status`], [`RepoBuilder::git_ref`], and
//!   [`FakeGitHub::configure_repo`] while running. Listed newest first,
//!   filtered by `sha`, `ref`, `task` and `environment` (exact matches),
//!   paginated like statuses. An opt-in [`Deployer`] reports statuses on a
//!   schedule.
//! - **Dispatch**: the repository must exist (404); `event_type` a string
//!   of 1 to 100 characters; `client_payload` optional (`null` = absent), an
//!   object with at most 10 top-level properties, smaller than 64 KiB
//!   (65,536 bytes) serialized compactly. Problems are 422 `Validation
//!   Failed` with `errors[]` (`resource: "RepositoryDispatch"`). 204, and the
//!   event is appended to [`FakeGitHub::dispatches`].
//! - **Pagination**: see the section below and the [`pagination`] module.
//! - **Errors** are GitHub's bodies: `{"message", "documentation_url",
//!   "status"}` (the `status` string is what github.com sends nowadays),
//!   with `documentation_url` pointing at the operation's github.com docs.
//!   Unknown routes and unsupported methods are 404 `Not Found`.
//! - **Authentication** (only with [`FakeGitHubBuilder::token`]): the token
//!   in `Authorization: Bearer <t>` or `token <t>` (scheme
//!   case-insensitive); otherwise 401 `Bad credentials`. Without a token
//!   configured, anything goes. With a GitHub App
//!   ([`FakeGitHubBuilder::github_app`]), App JWTs and installation tokens
//!   as the [`app`] module describes, and every request must authenticate.
//! - **Headers** on every JSON response: `content-type: application/json;
//!   charset=utf-8` (not on 204/304, which have no body),
//!   `x-github-request-id` (unique, GitHub-shaped), `x-ratelimit-limit`,
//!   `-remaining`, `-used`, `-reset` (epoch seconds), `-resource: core`,
//!   `x-github-media-type: github.v3; format=json`,
//!   `x-github-api-version-selected` echoing `X-GitHub-Api-Version` when
//!   sent (any value is accepted). Successful GETs carry a weak `etag`;
//!   `If-None-Match` with it gives `304 Not Modified`, which does not use
//!   quota. The rate limit is 5000 per hour for every client (also
//!   unauthenticated ones, unlike GitHub's 60, so that token-less local use
//!   is not throttled).
//!
//! # Pagination
//! `per_page` defaults to 30 and is clamped to 100; `0`, negative or
//! non-numeric values mean the default; `page` defaults to 1 (`0`,
//! negative or junk mean 1); a page past the end is `[]`. Numbers are read
//! like Ruby's `to_i` (`"10abc"` is 10). The `Link` header has GitHub's
//! format and order — `<URL>; rel="prev", <URL>; rel="next", <URL>;
//! rel="last", <URL>; rel="first"`, each only when meaningful — with the
//! request's other query parameters kept verbatim and `page=N` last. One
//! page (or none): no `Link`.
//!
//! # Faults
//! [`FakeGitHub::faults`] returns a [`Faults`] handle: latency, 502s with an
//! HTML body, secondary rate limits (403 or 429 with `retry-after`), and
//! the primary rate limit (403 with `x-ratelimit-remaining: 0`). Counted
//! faults stop by themselves; see the [`faults`] module for the order in
//! which they apply. Latency uses [`tokio::time::sleep`], so tests under
//! paused time (`#[tokio::test(start_paused = true)]`) do not wait.
//!
//! # Inspecting
//! [`FakeGitHub::requests`] is the log of requests (method, path, query,
//! headers, body, response status): the latest [`DEFAULT_REQUEST_LOG`],
//! each body cut to [`DEFAULT_RECORDED_BODY`] bytes, unless
//! [`FakeGitHubBuilder::request_log`] says otherwise; [`FakeGitHub::dispatches`] the
//! accepted dispatch events; [`FakeGitHub::deployment`] a snapshot of a
//! deployment and its statuses.
//!
//! # Connections
//! HTTP/1.1, at most [`DEFAULT_MAX_CONNECTIONS`] at once
//! ([`FakeGitHubBuilder::max_connections`]; more wait to be accepted). A
//! client gets [`DEFAULT_HEADER_READ_TIMEOUT`] to send a request's headers
//! ([`FakeGitHubBuilder::header_read_timeout`]), which is also how long a
//! connection may stay idle between requests; then it is closed. Request
//! bodies over 1 MiB are answered `413`.
//!
//! # The binary
//! `octodeploy-fake [--host 127.0.0.1] [--port 8080] [--seed demo|empty]
//! [--token T] [--user LOGIN] [--quiet]` prints the base URL (GHES style)
//! as the only line on standard output, logs requests to standard error,
//! and stops on Ctrl-C (or SIGTERM). It binds to loopback unless told
//! otherwise. The `demo` seed is described in [`Seed`]'s module, [`seed`].
//! `--github-app-id ID --github-app-public-key PATH
//! [--github-app-token-lifetime SECONDS]` makes it act as GitHub for that
//! App (see [`app`]).

#![deny(missing_docs)]

mod api_error;
pub mod app;
mod builder;
pub mod deployer;
mod deployment_seed;
mod error;
pub mod faults;
mod frontend;
mod headers;
mod model;
pub mod pagination;
mod records;
mod render;
mod repo_settings;
mod request;
mod respond;
mod routes;
mod rules;
pub mod seed;
mod server;
mod state;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use app::{FakeApp, TestAppKey};
pub use builder::{DeploymentBuilder, FakeGitHubBuilder, RepoBuilder, StatusSeed};
pub use deployer::{Deployer, DeployerSpecError};
pub use error::FakeError;
pub use faults::Faults;
pub use records::{
    DEFAULT_RECORDED_BODY, DEFAULT_REQUEST_LOG, DeploymentSnapshot, DispatchEvent, RecordedRequest,
    StatusSnapshot,
};
pub use repo_settings::{AutoMerge, CommitState};
pub use routes::GHES_PREFIX;
pub use seed::Seed;
pub use server::{DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS};
pub use state::{DeploymentState, SeedError, UnknownState};

use records::RequestLog;
use routes::{App, lock};

/// A running fake GitHub. Dropping it stops the server (gracefully, in the
/// background); [`FakeGitHub::shutdown`] stops it and waits.
#[derive(Debug)]
pub struct FakeGitHub {
    app: Arc<App>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// The address to put in URLs for a bound socket.
fn public_addr(bound: SocketAddr) -> SocketAddr {
    match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), bound.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), bound.port())
        }
        _ => bound,
    }
}

impl FakeGitHub {
    /// A builder: seed repositories, require a token, pick an address.
    pub fn builder() -> FakeGitHubBuilder {
        FakeGitHubBuilder::default()
    }

    /// An empty fake (no repositories, no token) on `127.0.0.1` with a
    /// random port.
    ///
    /// # Errors
    /// [`FakeError::Bind`] when no port can be bound.
    pub async fn start() -> Result<FakeGitHub, FakeError> {
        FakeGitHub::builder().start().await
    }

    pub(crate) async fn start_with(builder: FakeGitHubBuilder) -> Result<FakeGitHub, FakeError> {
        let now = chrono::Utc::now();
        let mut state = state::State::new();
        for repo in &builder.repos {
            repo.apply(&mut state, &builder.user, now)?;
        }
        let listener = TcpListener::bind(builder.addr)
            .await
            .map_err(|source| FakeError::Bind {
                addr: builder.addr,
                source,
            })?;
        let bound = listener.local_addr().map_err(FakeError::LocalAddr)?;
        let addr = public_addr(bound);
        let app = Arc::new(App {
            state: Mutex::new(state),
            faults: Faults::new(),
            requests: RequestLog::new(builder.request_log, builder.recorded_body),
            dispatches: Mutex::new(Vec::new()),
            token: builder.token,
            user: builder.user,
            origin: format!("http://{addr}"),
            ids: headers::RequestIds::new(u64::from(addr.port())),
            access_log: builder.access_log,
            deployer: deployer::Hub::default(),
            github_app: builder.github_app.map(app::AppState::new),
        });
        if let Some(script) = builder.deployer {
            deployer::start(&app, script);
        }
        let router = routes::router(Arc::clone(&app));
        // A dropped sender stops the server as well.
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, router, builder.limits, stopped));
        Ok(FakeGitHub {
            app,
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The GHES-style API base URL, `http://127.0.0.1:PORT/api/v3`.
    pub fn base_url(&self) -> String {
        format!("{}{GHES_PREFIX}", self.app.origin)
    }

    /// The github.com-style API base URL (the root), `http://127.0.0.1:PORT`.
    pub fn root_url(&self) -> String {
        self.app.origin.clone()
    }

    /// The address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The GitHub App's state (tokens issued, expiring them), when one is
    /// configured with [`FakeGitHubBuilder::github_app`].
    pub fn github_app(&self) -> Option<&app::AppState> {
        self.app.github_app.as_ref()
    }

    /// Switches faults on and off while the fake runs.
    pub fn faults(&self) -> &Faults {
        &self.app.faults
    }

    /// Every dispatch event accepted so far, oldest first.
    pub fn dispatches(&self) -> Vec<DispatchEvent> {
        lock(&self.app.dispatches).clone()
    }

    /// The requests received so far, in the order their responses were
    /// produced: the latest ones, as many as the log keeps
    /// ([`FakeGitHubBuilder::request_log`]; [`FakeGitHub::requests_dropped`]
    /// counts the others).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.app.requests.snapshot()
    }

    /// How many requests fell out of the request log because it was full.
    pub fn requests_dropped(&self) -> u64 {
        self.app.requests.dropped()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.app.requests.clear();
    }

    /// A snapshot of one deployment (owner/repo case-insensitive), `None`
    /// when it does not exist (or was deleted).
    pub fn deployment(&self, owner: &str, repo: &str, id: u64) -> Option<DeploymentSnapshot> {
        lock(&self.app.state)
            .find_deployment(owner, repo, id)
            .as_ref()
            .map(DeploymentSnapshot::from)
    }

    /// Seeds a repository while the fake runs (merged into an existing one
    /// of the same name). All or nothing: on error nothing changes.
    ///
    /// # Errors
    /// [`FakeError::Seed`] for a bad name or a deployment id already used.
    pub fn add_repo(
        &self,
        owner: &str,
        name: &str,
        configure: impl FnOnce(RepoBuilder) -> RepoBuilder,
    ) -> Result<(), FakeError> {
        let repo = configure(RepoBuilder::new(owner.to_owned(), name.to_owned()));
        let mut state = lock(&self.app.state);
        let mut next = state.clone();
        repo.apply(&mut next, &self.app.user, chrono::Utc::now())?;
        *state = next;
        Ok(())
    }

    /// Stops accepting connections, lets open ones finish (for at most five
    /// seconds) and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
