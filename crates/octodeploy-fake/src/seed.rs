//! Built-in seeds for the binary (`--seed demo|empty`) and for tests that
//! want a ready-made world.
//!
//! The `demo` seed (status ids 1–9 are assigned in the order listed; times
//! are fixed, in May 2024):
//!
//! | repository | deployment | environment | flags | statuses (oldest first) |
//! | --- | --- | --- | --- | --- |
//! | `octo-org/deploy-demo` | 1 | `staging` | | queued, in_progress, success, inactive (superseded by 2) |
//! | `octo-org/deploy-demo` | 2 | `staging` | | in_progress, success |
//! | `octo-org/deploy-demo` | 3 | `production` | production | in_progress, success |
//! | `octo-org/deploy-demo` | 42 | `production` | production | none yet (a fresh deployment to walk through a lifecycle) |
//! | `octocat/hello-world` | 7 | `qa` | transient | failure (the repository's only deployment: deletable as it is) |
//!
//! With it, `deploy-demo` shows the delete rule both ways (1 can be deleted,
//! 2, 3 and 42 cannot until they are made inactive), and a `success` on 42
//! leaves 3 alone (production deployments are exempt from
//! `auto_inactive`) while a `success` on 1 would make 2 inactive.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::builder::{RepoBuilder, StatusSeed};
use crate::state::DeploymentState;
use crate::state::DeploymentState::{Failure, InProgress, Inactive, Queued, Success};

/// A built-in seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Seed {
    /// No repositories at all.
    Empty,
    /// A small world to try the CLI against (see the module docs).
    #[default]
    Demo,
}

impl Seed {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Seed::Empty => "empty",
            Seed::Demo => "demo",
        }
    }

    /// The seed's repositories.
    pub(crate) fn repos(self) -> Vec<RepoBuilder> {
        match self {
            Seed::Empty => Vec::new(),
            Seed::Demo => demo(),
        }
    }
}

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of [`Seed::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown seed {0:?} (expected demo or empty)")]
pub struct UnknownSeed(pub String);

impl FromStr for Seed {
    type Err = UnknownSeed;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "demo" => Ok(Seed::Demo),
            "empty" => Ok(Seed::Empty),
            other => Err(UnknownSeed(other.to_owned())),
        }
    }
}

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, day, hour, minute, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn step(
    state: DeploymentState,
    when: DateTime<Utc>,
    description: &str,
    run: u32,
    environment_url: &str,
) -> StatusSeed {
    let mut seed = StatusSeed::new(state)
        .created_at(when)
        .description(description);
    if state != Inactive {
        seed = seed.log_url(format!(
            "https://ci.example.com/octo-org/deploy-demo/runs/{run}"
        ));
    }
    if state == Success {
        seed = seed.environment_url(environment_url);
    }
    seed
}

fn demo() -> Vec<RepoBuilder> {
    let staging = "https://staging.deploy-demo.example.com/";
    let production = "https://deploy-demo.example.com/";
    let minute = Duration::minutes(1);
    let d1 = at(1, 9, 0);
    let d2 = at(2, 14, 30);
    let d3 = at(3, 11, 15);
    vec![
        RepoBuilder::new("octo-org".to_owned(), "deploy-demo".to_owned())
            .deployment_with(1, "staging", |d| {
                d.status(step(Queued, d1, "Waiting for a runner", 101, staging))
                    .status(step(
                        InProgress,
                        d1 + minute,
                        "Deploying 1a2b3c4",
                        101,
                        staging,
                    ))
                    .status(step(
                        Success,
                        d1 + minute * 4,
                        "Deployed 1a2b3c4",
                        101,
                        staging,
                    ))
                    .status(step(Inactive, d2 + minute * 5, "", 0, staging))
            })
            .deployment_with(2, "staging", |d| {
                d.status(step(InProgress, d2, "Deploying 5d6e7f8", 102, staging))
                    .status(step(
                        Success,
                        d2 + minute * 5,
                        "Deployed 5d6e7f8",
                        102,
                        staging,
                    ))
            })
            .deployment_with(3, "production", |d| {
                d.status(step(InProgress, d3, "Deploying 5d6e7f8", 103, production))
                    .status(step(
                        Success,
                        d3 + minute * 7,
                        "Deployed 5d6e7f8",
                        103,
                        production,
                    ))
            })
            .deployment(42, "production"),
        RepoBuilder::new("octocat".to_owned(), "hello-world".to_owned()).deployment_with(
            7,
            "qa",
            |d| {
                d.transient(true).status(
                    StatusSeed::new(Failure)
                        .created_at(at(4, 16, 0))
                        .description("Smoke tests failed")
                        .log_url("https://ci.example.com/octocat/hello-world/runs/7"),
                )
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for seed in [Seed::Empty, Seed::Demo] {
            assert_eq!(seed.name().parse::<Seed>(), Ok(seed));
        }
        assert!("full".parse::<Seed>().is_err());
    }
}
