//! Waiting for a deployment to finish without burning the rate limit:
//! `deployment.wait()` and `deployment.watch()`.
//!
//! Each poll asks for the newest status only (`per_page=1`) with
//! `If-None-Match` and the last `ETag`, so an unchanged deployment costs a
//! `304 Not Modified`, which does not count against GitHub's primary rate
//! limit. The interval starts at [`Wait::interval`], grows by half after
//! every poll that saw nothing new (up to [`Wait::max_interval`]) and drops
//! back when something changed. A spent quota (`x-ratelimit-remaining: 0`)
//! or a rate-limit answer pushes the next poll past the reset or
//! `Retry-After`. Time is the client's [`crate::Clock`]: tests with a clock
//! that does not sleep (or tokio's paused time) take no real time.
//!
//! Terminal states are those of [`crate::State::is_terminal`]: `success`,
//! `failure`, `error`, `inactive`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use futures::stream::{self, BoxStream};
use futures::{StreamExt, TryStreamExt};
use octodeploy_api::ResponseValue;
use reqwest::header::{HeaderMap, HeaderValue, IF_NONE_MATCH};

use crate::error::{Error, ValidationError};
use crate::model::DeploymentStatus;
use crate::repo::DeploymentHandle;
use crate::response::header_str;
use crate::transport::{Op, execute_with_headers};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How long [`DeploymentHandle::wait`] waits by default.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// The first interval between polls by default.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// The longest interval between polls by default.
pub const DEFAULT_MAX_POLL_INTERVAL: Duration = Duration::from_secs(60);
/// The shortest interval allowed (GitHub asks clients not to hammer it).
pub const MIN_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The longest wait there is, so that deadlines stay representable.
const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// A wait that ended before the deployment reached a terminal state.
#[derive(Debug, Clone, thiserror::Error)]
#[error("gave up waiting for deployment {deployment_id} after {}s ({polls} polls); last status: {}",
    waited.as_secs(),
    last.as_ref().map_or_else(|| "none yet".to_owned(), |s| format!("{} (id {})", s.state, s.id)))]
#[non_exhaustive]
pub struct WaitTimeout {
    /// The deployment waited for.
    pub deployment_id: i64,
    /// How long it waited.
    pub waited: Duration,
    /// How many polls it made.
    pub polls: u32,
    /// The newest status seen, if any.
    pub last: Option<DeploymentStatus>,
}

impl DeploymentHandle {
    /// Waits until the deployment's newest status is terminal, or the
    /// timeout (default 10 minutes) passes; set options, then `.await` or
    /// `.send()`. Returns the terminal status — check its `state`: a
    /// `failure` ends the wait as much as a `success` — or
    /// [`Error::WaitTimedOut`] carrying the last status seen.
    pub fn wait(&self) -> Wait {
        Wait {
            deployment: self.clone(),
            timeout: DEFAULT_WAIT_TIMEOUT,
            interval: DEFAULT_POLL_INTERVAL,
            max_interval: DEFAULT_MAX_POLL_INTERVAL,
        }
    }

    /// Each new status as it appears (the current one first), ending after
    /// a terminal one; with the defaults of [`Self::wait`] (use
    /// `wait().….stream()` for others). A timeout ends it with
    /// [`Error::WaitTimedOut`].
    pub fn watch(&self) -> BoxStream<'static, Result<DeploymentStatus, Error>> {
        self.wait().stream()
    }
}

/// Waits for a deployment (from [`DeploymentHandle::wait`]).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()`, `.await` or `.stream()`"]
pub struct Wait {
    deployment: DeploymentHandle,
    timeout: Duration,
    interval: Duration,
    max_interval: Duration,
}

impl Wait {
    /// Gives up after this long (default 10 minutes, at most 7 days).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The first interval between polls, and the one after a change
    /// (default 5 s, at least 1 s).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest interval between polls (default 60 s, at least the
    /// interval).
    pub fn max_interval(mut self, max: Duration) -> Self {
        self.max_interval = max;
        self
    }

    fn check(&self) -> Result<(), ValidationError> {
        if self.interval < MIN_POLL_INTERVAL {
            return Err(ValidationError::new(
                "interval",
                format!(
                    "{} ms, at least {} s allowed",
                    self.interval.as_millis(),
                    MIN_POLL_INTERVAL.as_secs()
                ),
            ));
        }
        if self.max_interval < self.interval {
            return Err(ValidationError::new(
                "max_interval",
                "must be at least the interval",
            ));
        }
        if self.timeout > MAX_TIMEOUT {
            return Err(ValidationError::new(
                "timeout",
                format!("at most {} days allowed", MAX_TIMEOUT.as_secs() / 86_400),
            ));
        }
        Ok(())
    }

    /// Each new status, ending after a terminal one (see
    /// [`DeploymentHandle::watch`]).
    pub fn stream(self) -> BoxStream<'static, Result<DeploymentStatus, Error>> {
        if let Err(e) = self.check() {
            return stream::once(async { Err(Error::from(e)) }).boxed();
        }
        let started = self.deployment.repo().client.inner().clock.now();
        let poller = Poller {
            next_sleep: self.interval,
            wait: self,
            etag: None,
            last: None,
            waited: Duration::ZERO,
            started,
            polls: 0,
            quota_wait: None,
            done: false,
        };
        stream::unfold(poller, |mut poller| async move {
            let item = poller.next().await?;
            Some((item, poller))
        })
        .boxed()
    }

    /// Waits for the terminal status.
    pub async fn send(self) -> Result<DeploymentStatus, Error> {
        let mut statuses = self.stream();
        let mut last = None;
        while let Some(status) = statuses.try_next().await? {
            last = Some(status);
        }
        // The stream ends after a terminal status or with an error, so an
        // end without a status cannot happen; say so rather than panic.
        last.ok_or_else(|| Error::Pagination {
            reason: "the status stream ended without a status".to_owned(),
        })
    }
}

impl IntoFuture for Wait {
    type Output = Result<DeploymentStatus, Error>;
    type IntoFuture = BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// What one poll saw.
enum Seen {
    /// 304, or the same newest status again, or no status yet.
    Nothing,
    /// A newer status.
    New(Box<DeploymentStatus>),
}

struct Poller {
    wait: Wait,
    etag: Option<HeaderValue>,
    last: Option<DeploymentStatus>,
    /// The sum of the sleeps (what paused or fake clocks can measure).
    waited: Duration,
    started: SystemTime,
    polls: u32,
    next_sleep: Duration,
    /// Not before this long: the rate limit's reset or `Retry-After`.
    quota_wait: Option<Duration>,
    done: bool,
}

impl Poller {
    /// How long the wait has lasted: the sleeps, or the clock's time when
    /// that is longer (requests take time too).
    fn elapsed(&self) -> Duration {
        let clock = self.wait.deployment.repo().client.inner().clock.now();
        let real = clock.duration_since(self.started).unwrap_or_default();
        real.max(self.waited)
    }

    fn timed_out(&mut self) -> Error {
        self.done = true;
        Error::WaitTimedOut(Box::new(WaitTimeout {
            deployment_id: self.wait.deployment.id(),
            waited: self.elapsed(),
            polls: self.polls,
            last: self.last.clone(),
        }))
    }

    async fn next(&mut self) -> Option<Result<DeploymentStatus, Error>> {
        if self.done {
            return None;
        }
        loop {
            if self.polls > 0 {
                let elapsed = self.elapsed();
                if elapsed >= self.wait.timeout {
                    return Some(Err(self.timed_out()));
                }
                let wanted = match self.quota_wait.take() {
                    Some(until) => self.next_sleep.max(until),
                    None => self.next_sleep,
                };
                let sleep = wanted.min(self.wait.timeout - elapsed);
                let clock = self.wait.deployment.repo().client.inner().clock.clone();
                clock.sleep(sleep).await;
                self.waited = self.waited.saturating_add(sleep);
            }
            self.polls += 1;
            match self.poll().await {
                Ok(Seen::New(status)) => {
                    let status = *status;
                    self.next_sleep = self.wait.interval;
                    self.last = Some(status.clone());
                    if status.state.is_terminal() {
                        self.done = true;
                    }
                    return Some(Ok(status));
                }
                Ok(Seen::Nothing) => {
                    let grown = self.next_sleep.mul_f64(1.5);
                    self.next_sleep = grown.min(self.wait.max_interval).max(self.next_sleep);
                }
                Err(e) => {
                    let now = self.wait.deployment.repo().client.inner().clock.now();
                    match e.rate_limit().and_then(|rl| rl.wait_from(now)) {
                        // Out of quota for now: poll again after the reset,
                        // if that is within the wait.
                        Some(until) if self.elapsed().saturating_add(until) < self.wait.timeout => {
                            self.quota_wait = Some(until);
                        }
                        _ => {
                            self.done = true;
                            return Some(Err(e));
                        }
                    }
                }
            }
        }
    }

    /// One conditional request for the newest status.
    async fn poll(&mut self) -> Result<Seen, Error> {
        let d = &self.wait.deployment;
        d.repo().check()?;
        crate::validate::id("deployment_id", d.id())?;
        let repo = d.repo();
        let inner = repo.client.inner();
        let mut headers = HeaderMap::new();
        if let Some(tag) = &self.etag {
            headers.insert(IF_NONE_MATCH, tag.clone());
        }
        let (rv, meta) = execute_with_headers(inner, Op::ListStatuses, None, headers, || async {
            let result = inner
                .api
                .repos_list_deployment_statuses(&repo.owner, &repo.repo, d.id(), None, Some(1))
                .await;
            match result {
                Err(octodeploy_api::Error::UnexpectedResponse(r))
                    if r.status() == reqwest::StatusCode::NOT_MODIFIED =>
                {
                    Ok(ResponseValue::new(
                        Vec::new(),
                        r.status(),
                        r.headers().clone(),
                    ))
                }
                other => other,
            }
        })
        .await?;
        // A spent quota: the next poll waits for the reset.
        if let Some(rl) = &meta.rate_limit
            && rl.remaining == Some(0)
            && let Some(reset) = rl.reset
        {
            let now = inner.clock.now();
            let until = reset.duration_since(now).unwrap_or_default() + Duration::from_secs(1);
            self.quota_wait = Some(until);
        }
        if meta.status == 304 {
            return Ok(Seen::Nothing);
        }
        if let Some(tag) =
            header_str(rv.headers(), "etag").and_then(|t| HeaderValue::from_str(t).ok())
        {
            self.etag = Some(tag);
        }
        let Some(newest) = rv.into_inner().into_iter().next() else {
            return Ok(Seen::Nothing);
        };
        let status = DeploymentStatus::from(newest);
        if self.last.as_ref().is_some_and(|l| l.id == status.id) {
            return Ok(Seen::Nothing);
        }
        Ok(Seen::New(Box::new(status)))
    }
}
