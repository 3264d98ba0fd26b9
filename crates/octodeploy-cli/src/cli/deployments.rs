//! The arguments of `deployment create|list|get|wait|prune`, with their
//! help texts and an example each.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{RepoSlug, parse_duration, parse_repo};

/// `deployment create`'s examples.
pub(crate) const CREATE_EXAMPLES: &str = "\
Examples:
  octodeploy deployment create octo-org/app --ref main --environment staging
  octodeploy deployment create octo-org/app --ref 9b0c4e1 --environment review-42 --transient \\
      --no-production --skip-checks --payload '{\"pr\": 42}'
  octodeploy deployment create octo-org/app --ref release-1.4 --required-context ci/build \\
      --required-context security/scan --no-auto-merge

In GitHub Actions (GITHUB_OUTPUT set) it also writes deployment_id=N to $GITHUB_OUTPUT.
Exit 0 with {\"outcome\": \"auto_merged\"} when GitHub merged the default branch into the
ref instead (202: no deployment was created; run it again).";

/// `deployment list`'s examples.
pub(crate) const LIST_EXAMPLES: &str = "\
Examples:
  octodeploy deployment list octo-org/app --environment production
  octodeploy deployment list octo-org/app --ref main --task deploy --per-page 10 --page 2
  octodeploy deployment list octo-org/app --environment review-42 --all --output json | jq '.[].id'";

/// `deployment get`'s example.
pub(crate) const GET_EXAMPLES: &str = "\
Example:
  octodeploy deployment get octo-org/app 42";

/// `deployment wait`'s examples.
pub(crate) const WAIT_EXAMPLES: &str = "\
Examples:
  octodeploy deployment wait octo-org/app 42
  octodeploy deployment wait octo-org/app 42 --timeout 30m --interval 10s && echo live

Each new status is printed on standard error; the terminal one on standard output.
Exit 0 on success, 7 on failure/error/inactive, 8 when --timeout passes first.
Polls use conditional requests: an unchanged deployment costs no rate limit.";

/// `deployment prune`'s examples.
pub(crate) const PRUNE_EXAMPLES: &str = "\
Examples:
  octodeploy deployment prune octo-org/app --environment review-42 --dry-run
  octodeploy deployment prune octo-org/app --environment staging --keep 3

Deletes every deployment of the environment (all pages) except the newest --keep and the
live one (the newest whose latest status is success): inactive first if needed, then
deleted, about one write per second. Exit 0 when all went; 3 (or the failure's own code)
when some could not be deleted (the report says which and why).";

/// The default of `deployment wait --timeout`.
pub(crate) const DEFAULT_WAIT_TIMEOUT: &str = "10m";
/// The default of `deployment wait --interval`.
pub(crate) const DEFAULT_WAIT_INTERVAL: &str = "5s";

/// `deployment create`.
#[derive(Debug, Args)]
pub(crate) struct DeploymentCreateArgs {
    /// The repository, OWNER/REPO
    #[arg(value_name = "OWNER/REPO", value_parser = parse_repo)]
    pub(crate) repo: RepoSlug,
    /// The ref to deploy: a branch, tag or SHA
    #[arg(long = "ref", value_name = "REF")]
    pub(crate) git_ref: String,
    /// The environment (GitHub's default: production; any name)
    #[arg(long, value_name = "NAME")]
    pub(crate) environment: Option<String>,
    /// The task (GitHub's default: deploy)
    #[arg(long, value_name = "T")]
    pub(crate) task: Option<String>,
    /// A short description
    #[arg(long, value_name = "TEXT")]
    pub(crate) description: Option<String>,
    /// Extra information for the deploy system: a JSON object (or a JSON string)
    #[arg(long, value_name = "JSON", conflicts_with = "payload_file")]
    pub(crate) payload: Option<String>,
    /// Read the payload from a file (`-` for standard input)
    #[arg(long, value_name = "PATH")]
    pub(crate) payload_file: Option<PathBuf>,
    /// The environment goes away at some point (review apps)
    #[arg(long)]
    pub(crate) transient: bool,
    /// End users interact with the environment (GitHub's default: only for
    /// `production`)
    #[arg(long, conflicts_with = "no_production")]
    pub(crate) production: bool,
    /// Not a production environment, whatever its name
    #[arg(long)]
    pub(crate) no_production: bool,
    /// Do not let GitHub merge the default branch into the ref first
    #[arg(long)]
    pub(crate) no_auto_merge: bool,
    /// A commit-status context that must be success (repeatable; default:
    /// every context)
    #[arg(
        long = "required-context",
        value_name = "NAME",
        conflicts_with = "skip_checks"
    )]
    pub(crate) required_contexts: Vec<String>,
    /// Require no commit-status context (sends required_contexts: [])
    #[arg(long)]
    pub(crate) skip_checks: bool,
}

/// `deployment list`.
#[derive(Debug, Args)]
pub(crate) struct DeploymentListArgs {
    /// The repository, OWNER/REPO
    #[arg(value_name = "OWNER/REPO", value_parser = parse_repo)]
    pub(crate) repo: RepoSlug,
    /// Only this environment
    #[arg(long, value_name = "NAME")]
    pub(crate) environment: Option<String>,
    /// Only this ref (as it was deployed: branch, tag or SHA)
    #[arg(long = "ref", value_name = "REF")]
    pub(crate) git_ref: Option<String>,
    /// Only this commit
    #[arg(long, value_name = "SHA")]
    pub(crate) sha: Option<String>,
    /// Only this task
    #[arg(long, value_name = "T")]
    pub(crate) task: Option<String>,
    /// Results per page, 1 to 100 (GitHub's default: 30; with --all: 100)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub(crate) per_page: Option<u32>,
    /// The page to fetch, from 1
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "all")]
    pub(crate) page: Option<u32>,
    /// Fetch every page (following GitHub's Link headers)
    #[arg(long)]
    pub(crate) all: bool,
}

/// `deployment get`.
#[derive(Debug, Args)]
pub(crate) struct DeploymentGetArgs {
    /// The repository, OWNER/REPO
    #[arg(value_name = "OWNER/REPO", value_parser = parse_repo)]
    pub(crate) repo: RepoSlug,
    /// The deployment id
    #[arg(value_name = "DEPLOYMENT_ID", value_parser = clap::value_parser!(i64).range(1..))]
    pub(crate) deployment_id: i64,
}

/// `deployment wait`.
#[derive(Debug, Args)]
pub(crate) struct DeploymentWaitArgs {
    /// The repository, OWNER/REPO
    #[arg(value_name = "OWNER/REPO", value_parser = parse_repo)]
    pub(crate) repo: RepoSlug,
    /// The deployment id
    #[arg(value_name = "DEPLOYMENT_ID", value_parser = clap::value_parser!(i64).range(1..))]
    pub(crate) deployment_id: i64,
    /// Give up after this long (exit 8). For this command `--timeout` bounds
    /// the whole wait; each request is limited to 30s (or less)
    #[arg(long, value_name = "DURATION", default_value = DEFAULT_WAIT_TIMEOUT, value_parser = super::parse_timeout)]
    pub(crate) timeout: Duration,
    /// The first interval between polls (at least 1s); it grows by half
    /// while nothing changes, up to 60s or the interval if longer
    #[arg(long, value_name = "DURATION", default_value = DEFAULT_WAIT_INTERVAL, value_parser = parse_duration)]
    pub(crate) interval: Duration,
}

/// `deployment prune`.
#[derive(Debug, Args)]
pub(crate) struct DeploymentPruneArgs {
    /// The repository, OWNER/REPO
    #[arg(value_name = "OWNER/REPO", value_parser = parse_repo)]
    pub(crate) repo: RepoSlug,
    /// The environment to clean up
    #[arg(long, value_name = "NAME")]
    pub(crate) environment: String,
    /// Keep the newest N deployments (the live one is kept as well)
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub(crate) keep: u32,
    /// Print the plan and change nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
}
