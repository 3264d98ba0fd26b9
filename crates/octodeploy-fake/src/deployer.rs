//! The scripted deployer: an opt-in stand-in for the deploy system that
//! reports on deployments, so that waiting for one can be shown end to end.
//! Off unless asked for ([`FakeGitHubBuilder::deployer`], or
//! `octodeploy-fake --deployer SPEC`); without it deployments change only
//! when a client changes them.
//!
//! A [`Deployer`] is a list of steps, each a state and a delay after the
//! previous step (the first after the deployment was created, or after the
//! fake started for seeded deployments). It acts on every deployment
//! created through the API, or only on the ids given to
//! [`Deployer::only`]. Each step is a status created as a client would
//! (`auto_inactive` applies, ids are the next status ids, the creator is
//! the fake's user). Delays run on [`tokio::time`], so tests under paused
//! time do not wait. A deployment deleted meanwhile ends its script.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use crate::builder::FakeGitHubBuilder;
use crate::model::DeploymentState;
use crate::request::NewStatus;
use crate::routes::{App, lock};

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    after: Duration,
    state: DeploymentState,
}

/// A script of statuses to report on deployments, on a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Deployer {
    steps: Vec<Step>,
    /// `None`: every deployment created through the API.
    only: Option<Vec<u64>>,
}

impl Deployer {
    /// An empty script acting on every deployment created through the API.
    pub fn new() -> Deployer {
        Deployer::default()
    }

    /// Adds a step: `after` the previous one (or the start), report `state`.
    pub fn step(mut self, after: Duration, state: DeploymentState) -> Deployer {
        self.steps.push(Step { after, state });
        self
    }

    /// Acts only on these deployments (seeded or created later) instead of
    /// every created one.
    pub fn only(mut self, ids: impl IntoIterator<Item = u64>) -> Deployer {
        self.only.get_or_insert_with(Vec::new).extend(ids);
        self
    }
}

/// Why a `--deployer` script does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid deployer step {step:?}: {reason} (expected STATE=DELAY,…, e.g. in_progress=1s,success=3s)"
)]
pub struct DeployerSpecError {
    /// The step that does not parse.
    pub step: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Reads `250ms`, `2s`, `1m` (a bare number is seconds).
fn parse_delay(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (digits, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, ""), |at| text.split_at(at));
    let n: u64 = digits.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(n)),
        "" | "s" => Some(Duration::from_secs(n)),
        "m" => Some(Duration::from_secs(n.checked_mul(60)?)),
        _ => None,
    }
}

impl FromStr for Deployer {
    type Err = DeployerSpecError;

    /// `queued=0s,in_progress=1s,success=3s`: each delay counts from the
    /// previous step.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut deployer = Deployer::new();
        for step in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let error = |reason: &str| DeployerSpecError {
                step: step.to_owned(),
                reason: reason.to_owned(),
            };
            let (state, delay) = step.split_once('=').ok_or_else(|| error("no `=`"))?;
            let state: DeploymentState = state
                .trim()
                .parse()
                .map_err(|e: crate::model::UnknownState| error(&e.to_string()))?;
            let delay =
                parse_delay(delay).ok_or_else(|| error("the delay is not like 500ms, 2s or 1m"))?;
            deployer = deployer.step(delay, state);
        }
        if deployer.steps.is_empty() {
            return Err(DeployerSpecError {
                step: spec.to_owned(),
                reason: "no steps".to_owned(),
            });
        }
        Ok(deployer)
    }
}

impl fmt::Display for Deployer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|s| format!("{}={}ms", s.state, s.after.as_millis()))
            .collect();
        f.write_str(&steps.join(","))
    }
}

impl FakeGitHubBuilder {
    /// Runs a scripted deployer (see [`Deployer`]); off by default.
    pub fn deployer(mut self, deployer: Deployer) -> Self {
        self.deployer = Some(deployer);
        self
    }
}

/// The running script, shared by the server.
#[derive(Debug, Default)]
pub(crate) struct Hub {
    script: Mutex<Option<Deployer>>,
}

/// Starts `deployer` on a fake that is starting: seeded deployments named
/// by [`Deployer::only`] begin their scripts now.
pub(crate) fn start(app: &Arc<App>, deployer: Deployer) {
    if let Some(ids) = &deployer.only {
        for id in ids {
            if lock(&app.state).repo_of(*id).is_some() {
                spawn(app, *id, deployer.steps.clone());
            }
        }
    }
    *lock(&app.deployer.script) = Some(deployer);
}

/// Called after a deployment is created through the API.
pub(crate) fn created(app: &Arc<App>, id: u64) {
    let steps = {
        let script = lock(&app.deployer.script);
        match script.as_ref() {
            Some(d) if d.only.as_ref().is_none_or(|ids| ids.contains(&id)) => d.steps.clone(),
            _ => return,
        }
    };
    spawn(app, id, steps);
}

fn spawn(app: &Arc<App>, id: u64, steps: Vec<Step>) {
    let weak = Arc::downgrade(app);
    tokio::spawn(run(weak, id, steps));
}

async fn run(app: Weak<App>, id: u64, steps: Vec<Step>) {
    for step in steps {
        tokio::time::sleep(step.after).await;
        let Some(app) = app.upgrade() else {
            return;
        };
        let mut state = lock(&app.state);
        let Some((owner, repo)) = state.repo_of(id) else {
            return;
        };
        let status = NewStatus {
            state: step.state,
            log_url: String::new(),
            description: format!("octodeploy-fake deployer: {}", step.state),
            environment: None,
            environment_url: String::new(),
            auto_inactive: true,
        };
        if state
            .create_status(&owner, &repo, id, status, &app.user, chrono::Utc::now())
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        let d: Deployer = "queued=0s, in_progress=250ms,success=1m"
            .parse()
            .unwrap_or_default();
        assert_eq!(
            d.steps,
            [
                Step {
                    after: Duration::ZERO,
                    state: DeploymentState::Queued
                },
                Step {
                    after: Duration::from_millis(250),
                    state: DeploymentState::InProgress
                },
                Step {
                    after: Duration::from_secs(60),
                    state: DeploymentState::Success
                },
            ]
        );
        assert_eq!(
            d.to_string(),
            "queued=0ms,in_progress=250ms,success=60000ms"
        );
        for bad in ["", "success", "done=1s", "success=1h", "success=x"] {
            assert!(bad.parse::<Deployer>().is_err(), "{bad}");
        }
    }
}
