//! Seeding and configuring a fake before (or while) it runs:
//! [`FakeGitHubBuilder`], [`RepoBuilder`], [`DeploymentBuilder`] and
//! [`StatusSeed`].
//!
//! Seeded statuses are stored as given: they take the next status ids but do
//! not trigger `auto_inactive` (seed the `inactive` statuses you want).
//! Seeding the same repository twice merges the deployments (names compared
//! case-insensitively); a deployment id used twice anywhere is an error.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::FakeGitHub;
use crate::deployer::Deployer;
use crate::deployment_seed::DeploymentDetails;
use crate::error::FakeError;
use crate::records::{DEFAULT_RECORDED_BODY, DEFAULT_REQUEST_LOG};
use crate::repo_settings::SettingChange;
use crate::seed::Seed;
use crate::server::{DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS, Limits};
use crate::state::{DeploymentState, SeedError, State, User};

/// One seeded status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSeed {
    state: DeploymentState,
    description: String,
    log_url: String,
    environment_url: String,
    created_at: Option<DateTime<Utc>>,
}

impl StatusSeed {
    /// A status in `state`, with empty description and URLs, created when
    /// the fake starts.
    pub fn new(state: DeploymentState) -> StatusSeed {
        StatusSeed {
            state,
            description: String::new(),
            log_url: String::new(),
            environment_url: String::new(),
            created_at: None,
        }
    }

    /// Sets `description` (not length-checked: seeds may break GitHub's
    /// rules on purpose).
    pub fn description(mut self, description: impl Into<String>) -> StatusSeed {
        self.description = description.into();
        self
    }

    /// Sets `log_url` (and so `target_url`).
    pub fn log_url(mut self, url: impl Into<String>) -> StatusSeed {
        self.log_url = url.into();
        self
    }

    /// Sets `environment_url`.
    pub fn environment_url(mut self, url: impl Into<String>) -> StatusSeed {
        self.environment_url = url.into();
        self
    }

    /// Sets `created_at`/`updated_at` (default: when the fake starts).
    pub fn created_at(mut self, at: DateTime<Utc>) -> StatusSeed {
        self.created_at = Some(at);
        self
    }
}

impl From<DeploymentState> for StatusSeed {
    fn from(state: DeploymentState) -> Self {
        StatusSeed::new(state)
    }
}

/// One seeded deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentBuilder {
    id: u64,
    environment: String,
    transient: bool,
    production: Option<bool>,
    statuses: Vec<StatusSeed>,
    pub(crate) details: DeploymentDetails,
}

impl DeploymentBuilder {
    fn new(id: u64, environment: String) -> DeploymentBuilder {
        DeploymentBuilder {
            id,
            environment,
            transient: false,
            production: None,
            statuses: Vec::new(),
            details: DeploymentDetails::default(),
        }
    }

    /// `transient_environment` (default `false`).
    pub fn transient(mut self, transient: bool) -> DeploymentBuilder {
        self.transient = transient;
        self
    }

    /// `production_environment` (default, like GitHub: `true` exactly when
    /// the environment is `production`).
    pub fn production(mut self, production: bool) -> DeploymentBuilder {
        self.production = Some(production);
        self
    }

    /// Appends a status (oldest first): `.status(DeploymentState::Success)`
    /// or `.status(StatusSeed::new(..).description(..))`.
    pub fn status(mut self, status: impl Into<StatusSeed>) -> DeploymentBuilder {
        self.statuses.push(status.into());
        self
    }

    /// Appends several statuses, oldest first.
    pub fn statuses<S: Into<StatusSeed>>(
        mut self,
        statuses: impl IntoIterator<Item = S>,
    ) -> DeploymentBuilder {
        self.statuses.extend(statuses.into_iter().map(Into::into));
        self
    }
}

/// One seeded repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoBuilder {
    owner: String,
    name: String,
    deployments: Vec<DeploymentBuilder>,
    pub(crate) settings: Vec<SettingChange>,
}

impl RepoBuilder {
    pub(crate) fn new(owner: String, name: String) -> RepoBuilder {
        RepoBuilder {
            owner,
            name,
            deployments: Vec::new(),
            settings: Vec::new(),
        }
    }

    /// Adds deployment `id` in `environment`, without statuses.
    pub fn deployment(self, id: u64, environment: impl Into<String>) -> RepoBuilder {
        self.deployment_with(id, environment, |d| d)
    }

    /// Adds deployment `id` in `environment`, configured by `configure`.
    pub fn deployment_with(
        mut self,
        id: u64,
        environment: impl Into<String>,
        configure: impl FnOnce(DeploymentBuilder) -> DeploymentBuilder,
    ) -> RepoBuilder {
        self.deployments
            .push(configure(DeploymentBuilder::new(id, environment.into())));
        self
    }

    /// Writes the repository into `state`.
    pub(crate) fn apply(
        &self,
        state: &mut State,
        creator: &User,
        now: DateTime<Utc>,
    ) -> Result<(), SeedError> {
        let repo = state.add_repo(&self.owner, &self.name)?;
        state.apply_settings_at(repo, &self.settings);
        for deployment in &self.deployments {
            let production = deployment
                .production
                .unwrap_or(deployment.environment == "production");
            state.add_deployment(
                repo,
                deployment.id,
                &deployment.environment,
                deployment.transient,
                production,
                &deployment.details,
                creator,
                now,
            )?;
            for status in &deployment.statuses {
                state.push_seed_status(
                    repo,
                    deployment.id,
                    status.state,
                    status.description.clone(),
                    status.log_url.clone(),
                    status.environment_url.clone(),
                    creator,
                    status.created_at.unwrap_or(now),
                );
            }
        }
        Ok(())
    }
}

/// Configures and starts a [`FakeGitHub`]; from [`FakeGitHub::builder`].
#[derive(Debug, Clone)]
pub struct FakeGitHubBuilder {
    pub(crate) token: Option<String>,
    pub(crate) user: User,
    pub(crate) addr: SocketAddr,
    pub(crate) repos: Vec<RepoBuilder>,
    pub(crate) access_log: bool,
    pub(crate) deployer: Option<Deployer>,
    pub(crate) github_app: Option<crate::app::FakeApp>,
    pub(crate) request_log: usize,
    pub(crate) recorded_body: usize,
    pub(crate) limits: Limits,
}

impl Default for FakeGitHubBuilder {
    fn default() -> Self {
        FakeGitHubBuilder {
            token: None,
            user: User {
                login: "octocat".to_owned(),
                id: 1,
            },
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            repos: Vec::new(),
            access_log: false,
            deployer: None,
            github_app: None,
            request_log: DEFAULT_REQUEST_LOG,
            recorded_body: DEFAULT_RECORDED_BODY,
            limits: Limits {
                header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
                max_connections: DEFAULT_MAX_CONNECTIONS,
            },
        }
    }
}

impl FakeGitHubBuilder {
    /// Requires `Authorization: Bearer <token>` (or `token <token>`) on
    /// every request; otherwise 401 `Bad credentials`. Without this, any
    /// or no credentials are accepted.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Acts as GitHub for this GitHub App: verifies its JWTs, issues
    /// installation tokens, and then requires authentication on every
    /// request (see the [`crate::app`] module).
    pub fn github_app(mut self, app: crate::app::FakeApp) -> Self {
        self.github_app = Some(app);
        self
    }

    /// The authenticated user, shown as every status's `creator` (default
    /// `octocat`, id 1).
    pub fn user(mut self, login: impl Into<String>, id: u64) -> Self {
        self.user = User {
            login: login.into(),
            id,
        };
        self
    }

    /// Where to listen (default `127.0.0.1:0`, a random free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Seeds a repository, configured by `configure`:
    /// `.repo("octo-org", "app", |r| r.deployment(42, "production"))`.
    pub fn repo(
        mut self,
        owner: impl Into<String>,
        name: impl Into<String>,
        configure: impl FnOnce(RepoBuilder) -> RepoBuilder,
    ) -> Self {
        self.repos
            .push(configure(RepoBuilder::new(owner.into(), name.into())));
        self
    }

    /// Adds a built-in seed's repositories (see [`Seed`]).
    pub fn seed(mut self, seed: Seed) -> Self {
        self.repos.extend(seed.repos());
        self
    }

    /// Prints one line per request to standard error (the binary does).
    pub fn access_log(mut self, enabled: bool) -> Self {
        self.access_log = enabled;
        self
    }

    /// Keeps the latest `requests` requests in the log
    /// ([`FakeGitHub::requests`]), each body cut to `body_bytes` (defaults:
    /// [`DEFAULT_REQUEST_LOG`], [`DEFAULT_RECORDED_BODY`]). `0` requests
    /// keeps none.
    pub fn request_log(mut self, requests: usize, body_bytes: usize) -> Self {
        self.request_log = requests;
        self.recorded_body = body_bytes;
        self
    }

    /// How long a client may take to send a request's headers, which is
    /// also how long a connection may stay idle between requests (default
    /// [`DEFAULT_HEADER_READ_TIMEOUT`]); then the fake closes it.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// How many connections are served at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`]; at least 1); more wait to be accepted.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.max(1);
        self
    }

    /// Binds and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// [`FakeError::Seed`] for inconsistent seed data, [`FakeError::Bind`]
    /// when the address cannot be bound.
    pub async fn start(self) -> Result<FakeGitHub, FakeError> {
        FakeGitHub::start_with(self).await
    }
}
