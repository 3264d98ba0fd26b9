//! Cleaning up an environment completely: `repo.prune(environment)`.
//!
//! Reads every deployment of the environment (all pages) and the newest
//! status of each, keeps the newest N (default 1) and the live one (the
//! newest whose latest status is `success`) unless told otherwise, and for
//! every other: marks it `inactive` if it is not, then deletes it —
//! GitHub's documented way, at scale. Writes are paced (GitHub asks for
//! about one content-creating request per second; [`Prune::pace`]) on the
//! client's [`crate::Clock`]. One failure does not stop the rest: the
//! [`PruneReport`] says what was kept, deleted, and what failed and why.
//! [`Prune::plan`] is the dry run: it reads, decides and sends nothing.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use serde::Serialize;

use crate::deployments::Deployment;
use crate::error::{Error, ValidationError};
use crate::model::State;
use crate::repo::{DEACTIVATION_DESCRIPTION, RepoHandle};

/// The pause between two writes by default.
pub const DEFAULT_PRUNE_PACE: Duration = Duration::from_secs(1);

/// Why a deployment is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeepReason {
    /// One of the newest N.
    Newest,
    /// The live deployment: the newest whose latest status is `success`.
    Live,
}

/// A deployment the plan keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Kept {
    /// The deployment id.
    pub id: i64,
    /// Why.
    pub reason: KeepReason,
    /// Its latest state (`None`: no status yet).
    pub state: Option<String>,
}

/// A deployment the plan removes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Doomed {
    /// The deployment id.
    pub id: i64,
    /// Its latest state (`None`: no status yet).
    pub state: Option<String>,
    /// Whether it is marked `inactive` before the delete (it is not
    /// inactive yet).
    pub deactivate: bool,
}

/// What [`Prune::plan`] decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PrunePlan {
    /// The environment.
    pub environment: String,
    /// Newest first.
    pub keep: Vec<Kept>,
    /// Newest first.
    pub delete: Vec<Doomed>,
}

impl PrunePlan {
    /// How many writes carrying it out takes.
    pub fn writes(&self) -> usize {
        self.delete
            .iter()
            .map(|d| 1 + usize::from(d.deactivate))
            .sum()
    }
}

/// Which write failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PruneStep {
    /// Creating the `inactive` status.
    Deactivate,
    /// The DELETE.
    Delete,
}

impl fmt::Display for PruneStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PruneStep::Deactivate => "deactivate",
            PruneStep::Delete => "delete",
        })
    }
}

/// A deployment that could not be removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PruneFailure {
    /// The deployment id.
    pub id: i64,
    /// The step that failed.
    pub step: PruneStep,
    /// Why (the error's message, with GitHub's request id when it gave one).
    pub reason: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
}

/// What [`Prune::send`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PruneReport {
    /// The environment.
    pub environment: String,
    /// Kept, newest first.
    pub kept: Vec<Kept>,
    /// Deleted, in the order they were deleted (newest first).
    pub deleted: Vec<i64>,
    /// Failed, with reasons.
    pub failed: Vec<PruneFailure>,
}

impl PruneReport {
    /// Whether every planned deletion succeeded.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }
}

/// What happens while a prune runs, for progress lines.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PruneEvent {
    /// The plan is made; writes start.
    Planned {
        /// How many deployments are kept.
        keep: usize,
        /// How many are to be deleted.
        delete: usize,
    },
    /// Deployment `id` was marked inactive.
    Deactivated {
        /// The deployment id.
        id: i64,
    },
    /// Deployment `id` was deleted (`done` of `total`).
    Deleted {
        /// The deployment id.
        id: i64,
        /// How many are finished (deleted or failed) so far.
        done: usize,
        /// How many were planned.
        total: usize,
    },
    /// Deployment `id` could not be removed.
    Failed(PruneFailure),
}

type ProgressHook = Arc<dyn Fn(&PruneEvent) + Send + Sync>;

impl RepoHandle {
    /// Prunes the deployments of `environment`; set options, then
    /// `.send()` (or `.plan()` for a dry run).
    pub fn prune(&self, environment: impl Into<String>) -> Prune {
        Prune {
            repo: self.clone(),
            environment: environment.into(),
            keep: 1,
            keep_live: true,
            per_page: 100,
            pace: DEFAULT_PRUNE_PACE,
            on_progress: None,
        }
    }
}

/// Prunes an environment (from [`RepoHandle::prune`]).
#[derive(Clone)]
#[must_use = "nothing is sent until `.send()` (or read until `.plan()`)"]
pub struct Prune {
    repo: RepoHandle,
    environment: String,
    keep: usize,
    keep_live: bool,
    per_page: u32,
    pace: Duration,
    on_progress: Option<ProgressHook>,
}

impl fmt::Debug for Prune {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prune")
            .field("repo", &self.repo)
            .field("environment", &self.environment)
            .field("keep", &self.keep)
            .field("keep_live", &self.keep_live)
            .field("pace", &self.pace)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl Prune {
    /// Keeps the newest `n` deployments (default 1; 0 keeps none but the
    /// live one).
    pub fn keep(mut self, n: usize) -> Self {
        self.keep = n;
        self
    }

    /// Whether the live deployment (the newest whose latest status is
    /// `success`) is kept even when it is not among the newest N (default
    /// `true`; `false` deletes it too).
    pub fn keep_live(mut self, keep: bool) -> Self {
        self.keep_live = keep;
        self
    }

    /// The page size for reading the environment's deployments (default
    /// 100, GitHub's largest).
    pub fn per_page(mut self, n: u32) -> Self {
        self.per_page = n;
        self
    }

    /// The pause between two writes (default 1 s, GitHub's advice for
    /// content-creating requests).
    pub fn pace(mut self, pause: Duration) -> Self {
        self.pace = pause;
        self
    }

    /// Calls `hook` as the prune goes.
    pub fn on_progress(mut self, hook: impl Fn(&PruneEvent) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(hook));
        self
    }

    fn notify(&self, event: PruneEvent) {
        if let Some(hook) = &self.on_progress {
            hook(&event);
        }
    }

    /// Reads every deployment of the environment and the newest status of
    /// each, and decides; sends nothing.
    pub async fn plan(&self) -> Result<PrunePlan, Error> {
        if self.environment.trim().is_empty() {
            return Err(ValidationError::new("environment", "must not be empty").into());
        }
        let mut deployments: Vec<Deployment> = self
            .repo
            .deployments()
            .environment(self.environment.clone())
            .per_page(self.per_page)
            .stream()
            .try_collect()
            .await?;
        // Newest first, whatever order the server used; a deployment moved
        // to another environment since is not this environment's.
        deployments.retain(|d| d.environment == self.environment);
        deployments.sort_by_key(|d| std::cmp::Reverse(d.id));
        let mut states = Vec::with_capacity(deployments.len());
        for d in &deployments {
            let newest = self
                .repo
                .deployment(d.id)
                .statuses()
                .per_page(1)
                .send()
                .await?
                .into_inner()
                .items
                .into_iter()
                .next();
            states.push(newest.map(|s| s.state));
        }
        let live = states.iter().position(|s| *s == Some(State::Success));
        let mut plan = PrunePlan {
            environment: self.environment.clone(),
            keep: Vec::new(),
            delete: Vec::new(),
        };
        for (index, (d, state)) in deployments.iter().zip(&states).enumerate() {
            let name = state.as_ref().map(|s| s.as_str().to_owned());
            let reason = if index < self.keep {
                Some(KeepReason::Newest)
            } else if self.keep_live && live == Some(index) {
                Some(KeepReason::Live)
            } else {
                None
            };
            match reason {
                Some(reason) => plan.keep.push(Kept {
                    id: d.id,
                    reason,
                    state: name,
                }),
                None => plan.delete.push(Doomed {
                    id: d.id,
                    deactivate: *state != Some(State::Inactive),
                    state: name,
                }),
            }
        }
        Ok(plan)
    }

    /// Plans, then carries the plan out: for each deployment to remove,
    /// `inactive` (if needed) then DELETE, one write per [`Self::pace`].
    /// Errors only when the plan cannot be made; failures of single
    /// deployments are in the report.
    pub async fn send(self) -> Result<PruneReport, Error> {
        let plan = self.plan().await?;
        Ok(self.carry_out(plan).await)
    }

    /// Carries out a plan made earlier (after showing it, say).
    pub async fn carry_out(&self, plan: PrunePlan) -> PruneReport {
        let clock = self.repo.client.inner().clock.clone();
        self.notify(PruneEvent::Planned {
            keep: plan.keep.len(),
            delete: plan.delete.len(),
        });
        let total = plan.delete.len();
        let mut report = PruneReport {
            environment: plan.environment,
            kept: plan.keep,
            deleted: Vec::new(),
            failed: Vec::new(),
        };
        let mut first_write = true;
        let mut pace = || {
            let wait = if first_write { None } else { Some(self.pace) };
            first_write = false;
            wait
        };
        for doomed in plan.delete {
            let handle = self.repo.deployment(doomed.id);
            let failure = |step, e: Error| PruneFailure {
                id: doomed.id,
                step,
                status: e.status(),
                reason: e.to_string(),
            };
            if doomed.deactivate {
                if let Some(wait) = pace() {
                    clock.sleep(wait).await;
                }
                let deactivated = handle
                    .create_status(State::Inactive)
                    .description(DEACTIVATION_DESCRIPTION)
                    .send()
                    .await;
                match deactivated {
                    Ok(_) => self.notify(PruneEvent::Deactivated { id: doomed.id }),
                    Err(e) => {
                        let failed = failure(PruneStep::Deactivate, e);
                        self.notify(PruneEvent::Failed(failed.clone()));
                        report.failed.push(failed);
                        continue;
                    }
                }
            }
            if let Some(wait) = pace() {
                clock.sleep(wait).await;
            }
            match handle.delete().await {
                Ok(_) => {
                    report.deleted.push(doomed.id);
                    self.notify(PruneEvent::Deleted {
                        id: doomed.id,
                        done: report.deleted.len() + report.failed.len(),
                        total,
                    });
                }
                Err(e) => {
                    let failed = failure(PruneStep::Delete, e);
                    self.notify(PruneEvent::Failed(failed.clone()));
                    report.failed.push(failed);
                }
            }
        }
        report
    }
}
