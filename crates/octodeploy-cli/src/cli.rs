//! The command line as clap sees it: commands, arguments, help texts (with
//! an example per command) and the parsers that refuse bad input as usage
//! errors naming the argument.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{
    NonEmptyStringValueParser, PossibleValue, PossibleValuesParser, TypedValueParser,
};
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use octodeploy::State;

pub(crate) mod deployments;

use deployments::{
    DeploymentCreateArgs, DeploymentGetArgs, DeploymentListArgs, DeploymentPruneArgs,
    DeploymentWaitArgs,
};

const ENVIRONMENT_HELP: &str = "\
Environment:
  GITHUB_API_URL       API base URL when --api-url is not given (set by GitHub Actions)
  GH_HOST              host when neither --api-url nor GITHUB_API_URL is given, as gh
                       reads it: a GHES host (https://GH_HOST/api/v3), github.com, or a
                       GHE.com tenant (https://api.TENANT.ghe.com)
  GH_TOKEN, GITHUB_TOKEN
                       token when --token is not given (GH_TOKEN first); never sent to
                       a GHES host chosen with GH_HOST
  GH_ENTERPRISE_TOKEN, GITHUB_ENTERPRISE_TOKEN
                       token for a GHES host chosen with GH_HOST (the only ones used
                       there), and after the above for a GHES GITHUB_API_URL
  GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_PATH, GITHUB_APP_INSTALLATION_ID
                       --app-id, --app-private-key, --installation-id when not given
  GITHUB_APP_PRIVATE_KEY
                       the App's private key itself (PEM) instead of a file
  GITHUB_REPOSITORY    with an App and no installation id: not used by the CLI, which
                       finds the installation from the command's OWNER/REPO";

const TOP_EXAMPLES: &str = "\
Examples:
  octodeploy status create octo-org/app 42 --state success --environment production
  octodeploy status list octo-org/app 42 --all --output json
  octodeploy deployment delete octo-org/app 41 --deactivate
  octodeploy deployment create octo-org/app --ref main --environment staging
  octodeploy deployment wait octo-org/app 42 --timeout 10m
  octodeploy dispatch octo-org/app deploy-finished --payload '{\"deployment\": 42}'";

/// What `--help` (not `-h`) shows after the options: examples, the
/// environment variables and the exit codes.
fn long_after_help() -> String {
    format!(
        "{TOP_EXAMPLES}\n  GH_HOST=ghe.example.com GH_ENTERPRISE_TOKEN=... octodeploy status get octo-org/app 42 1187\n\n{ENVIRONMENT_HELP}\n\n{}",
        crate::exit::help_text()
    )
}

/// Create, list and get GitHub deployment statuses, delete deployments and
/// trigger repository_dispatch events, on github.com and GitHub Enterprise
/// Server.
#[derive(Debug, Parser)]
#[command(
    name = "octodeploy",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = TOP_EXAMPLES,
    after_long_help = long_after_help(),
)]
pub(crate) struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes (they may come before or after the command).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// `--api-url`: where the API is (help texts below, not in rustdoc).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        value_parser = NonEmptyStringValueParser::new(),
        help = "API base URL [default: $GITHUB_API_URL, else https://$GH_HOST/api/v3, \
                else https://api.github.com]",
        long_help = "API base URL [default: $GITHUB_API_URL, else https://$GH_HOST/api/v3, \
                     else https://api.github.com]\n\n\
                     A GHES host (https://ghe.example.com, which becomes \
                     https://ghe.example.com/api/v3), a full API URL, or https://api.github.com."
    )]
    pub(crate) api_url: Option<String>,

    /// Token [default: $GH_TOKEN, else $GITHUB_TOKEN; for a GHES $GH_HOST,
    /// $GH_ENTERPRISE_TOKEN, else $GITHUB_ENTERPRISE_TOKEN]
    ///
    /// Prefer the environment: command lines are visible to other users of
    /// the machine. The token is never printed.
    #[arg(long, global = true, value_name = "TOKEN", hide_env_values = true)]
    pub(crate) token: Option<String>,

    /// Authenticate as this GitHub App (its App id or client id) instead of
    /// with a token [env: GITHUB_APP_ID]
    ///
    /// Installation tokens are fetched with the App's JWT and replaced
    /// before they expire; an App wins over --token and the token
    /// variables. Needs --app-private-key (or $GITHUB_APP_PRIVATE_KEY).
    #[arg(long, global = true, value_name = "ID")]
    pub(crate) app_id: Option<String>,

    /// The GitHub App's private key file, PEM as GitHub generates it
    /// [env: GITHUB_APP_PRIVATE_KEY_PATH]
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) app_private_key: Option<PathBuf>,

    /// The App's installation to act as [env: GITHUB_APP_INSTALLATION_ID;
    /// default: the installation on the command's OWNER/REPO]
    #[arg(long, global = true, value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
    pub(crate) installation_id: Option<i64>,

    /// Output format [default: table when standard output is a terminal,
    /// else json]
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub(crate) output: Option<OutputFormat>,

    /// Do not retry failed requests (the same as --retries 0)
    ///
    /// By default GETs and DELETEs are retried on 5xx, transport errors and
    /// rate limits whose wait fits --max-wait; POSTs only when GitHub did not
    /// process them (a duplicate dispatch would run workflows twice).
    #[arg(long, global = true)]
    pub(crate) no_retry: bool,

    /// Retries after a failed attempt, 0 to 10
    ///
    /// GETs and DELETEs are retried on 5xx, transport errors, timeouts and
    /// rate limits; POSTs only when GitHub did not process them (a 429, a
    /// rate limit, a connection never made). --no-retry wins over this.
    #[arg(
        long,
        global = true,
        value_name = "N",
        env = "OCTODEPLOY_RETRIES",
        default_value_t = DEFAULT_RETRIES,
        value_parser = clap::value_parser!(u32).range(0..=10)
    )]
    pub(crate) retries: u32,

    /// Time limit of each HTTP request, from connecting to the last byte
    /// (500ms, 30s, 2m...)
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        env = "OCTODEPLOY_TIMEOUT",
        default_value = DEFAULT_TIMEOUT,
        value_parser = parse_timeout
    )]
    pub(crate) timeout: Duration,

    /// The longest a request waits for its retries, all waits together
    /// (backoffs, Retry-After, rate-limit resets)
    ///
    /// A retry that would wait past it fails at once instead (a rate limit:
    /// exit 4). A secondary rate limit without Retry-After counts as 60s,
    /// GitHub's advice. One request takes at most (retries + 1) x timeout +
    /// max-wait; `status list --all` is one request per page.
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        env = "OCTODEPLOY_MAX_WAIT",
        default_value = DEFAULT_MAX_WAIT,
        value_parser = parse_duration
    )]
    pub(crate) max_wait: Duration,

    /// The first backoff between retries after a failure; it doubles with
    /// each retry (at most 30s), randomized between half and all of it
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        env = "OCTODEPLOY_BACKOFF",
        default_value = DEFAULT_BACKOFF,
        value_parser = parse_duration
    )]
    pub(crate) backoff: Duration,

    /// Log to standard error: -v requests (info), -vv debug, -vvv everything
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// `--retries` when neither the flag nor `OCTODEPLOY_RETRIES` is given.
pub(crate) const DEFAULT_RETRIES: u32 = 3;
/// `--timeout`'s default.
pub(crate) const DEFAULT_TIMEOUT: &str = "30s";
/// `--max-wait`'s default.
pub(crate) const DEFAULT_MAX_WAIT: &str = "60s";
/// `--backoff`'s default.
pub(crate) const DEFAULT_BACKOFF: &str = "500ms";
/// The longest duration any flag accepts.
pub(crate) const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

/// Parses `500ms`, `30s`, `2m`, `1h` or a bare number of seconds, at most
/// [`MAX_DURATION`].
pub(crate) fn parse_duration(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (digits, unit) = value.split_at(split);
    let expected = || format!("expected a duration such as 500ms, 30s, 2m or 1h, got `{value}`");
    let n: u64 = digits.parse().map_err(|_| expected())?;
    let duration = match unit {
        "ms" => Some(Duration::from_millis(n)),
        "" | "s" => Some(Duration::from_secs(n)),
        "m" => n.checked_mul(60).map(Duration::from_secs),
        "h" => n.checked_mul(3600).map(Duration::from_secs),
        _ => return Err(expected()),
    };
    match duration {
        Some(d) if d <= MAX_DURATION => Ok(d),
        _ => Err(format!("`{value}` is longer than 24h")),
    }
}

/// [`parse_duration`], and not zero.
pub(crate) fn parse_timeout(value: &str) -> Result<Duration, String> {
    match parse_duration(value)? {
        d if d.is_zero() => Err("a timeout of 0 would fail every request".to_owned()),
        d => Ok(d),
    }
}

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// JSON on standard output: a status, an array of statuses, or
    /// {"ok": true, ...} for delete and dispatch
    Json,
    /// Aligned columns (ID, STATE, ENVIRONMENT, CREATED, CREATOR,
    /// DESCRIPTION) or a sentence
    Table,
    /// JSON Lines: one compact JSON object per line (each status of a list
    /// on its own line, as it arrives)
    Jsonl,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List, get and create deployment statuses
    #[command(subcommand)]
    Status(StatusCommand),
    /// Create, list, get, wait for, prune and delete deployments
    #[command(subcommand)]
    Deployment(DeploymentCommand),
    /// Trigger a repository_dispatch event (starts workflows listening for it)
    #[command(after_help = DISPATCH_EXAMPLES)]
    Dispatch(DispatchArgs),
    /// Print a shell completion script to standard output
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
}

/// `status ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum StatusCommand {
    /// List a deployment's statuses, newest first (one page unless --all)
    #[command(after_help = LIST_EXAMPLES)]
    List(ListArgs),
    /// Get one deployment status
    #[command(after_help = GET_EXAMPLES)]
    Get(GetArgs),
    /// Create a deployment status
    #[command(after_help = CREATE_EXAMPLES)]
    Create(CreateArgs),
}

/// `deployment ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum DeploymentCommand {
    /// Create a deployment of a ref
    #[command(after_help = deployments::CREATE_EXAMPLES)]
    Create(DeploymentCreateArgs),
    /// List deployments, newest first (one page unless --all)
    #[command(after_help = deployments::LIST_EXAMPLES)]
    List(DeploymentListArgs),
    /// Get one deployment
    #[command(after_help = deployments::GET_EXAMPLES)]
    Get(DeploymentGetArgs),
    /// Wait until a deployment's newest status is terminal
    #[command(after_help = deployments::WAIT_EXAMPLES)]
    Wait(DeploymentWaitArgs),
    /// Delete an environment's old deployments, keeping the newest and the live one
    #[command(after_help = deployments::PRUNE_EXAMPLES)]
    Prune(DeploymentPruneArgs),
    /// Delete a deployment (and its statuses)
    #[command(after_help = DELETE_EXAMPLES, long_about = DELETE_LONG_ABOUT)]
    Delete(DeleteArgs),
}

const LIST_EXAMPLES: &str = "\
Examples:
  octodeploy status list octo-org/app 42
  octodeploy status list octo-org/app 42 --per-page 10 --page 2
  octodeploy status list octo-org/app 42 --all --output json | jq -r '.[].state'";

const GET_EXAMPLES: &str = "\
Example:
  octodeploy status get octo-org/app 42 1187";

const CREATE_EXAMPLES: &str = "\
Examples:
  octodeploy status create octo-org/app 42 --state in_progress --environment staging \\
      --log-url https://ci.example.com/runs/8890
  octodeploy status create octo-org/app 42 --state success --description 'Deployed 9b0c4e1' \\
      --environment-url https://staging.example.com";

const DELETE_LONG_ABOUT: &str = "\
Delete a deployment (and its statuses).

GitHub deletes a repository's only deployment whatever its state; when there
are several, only inactive ones (422 otherwise). --deactivate first creates an
`inactive` status, then deletes.";

const DELETE_EXAMPLES: &str = "\
Examples:
  octodeploy deployment delete octo-org/app 40
  octodeploy deployment delete octo-org/app 41 --deactivate";

const DISPATCH_EXAMPLES: &str = "\
Examples:
  octodeploy dispatch octo-org/app deploy-finished
  octodeploy dispatch octo-org/app deploy-staging --payload '{\"ref\": \"main\", \"sha\": \"9b0c4e1\"}'
  jq -n '{deployment: 42}' | octodeploy dispatch octo-org/app deploy-finished --payload-file -";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  octodeploy completions bash > ~/.local/share/bash-completion/completions/octodeploy
  octodeploy completions zsh > \"${fpath[1]}/_octodeploy\"
  octodeploy completions fish > ~/.config/fish/completions/octodeploy.fish";

/// `status list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// The repository, OWNER/REPO
    #[arg(value_name = "OWNER/REPO", value_parser = parse_repo)]
    pub(crate) repo: RepoSlug,
    /// The deployment id
    #[arg(value_name = "DEPLOYMENT_ID", value_parser = clap::value_parser!(i64).range(1..))]
    pub(crate) deployment_id: i64,
    /// Results per page, 1 to 100 (GitHub's default: 30; with --all: 100)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub(crate) per_page: Option<u32>,
    /// The page to fetch, from 1
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "all")]
    pub(crate) page: Option<u32>,
    /// Fetch every page (following GitHub's Link headers); progress on
    /// standard error when it is a terminal
    #[arg(long)]
    pub(crate) all: bool,
}

/// `status get`.
#[derive(Debug, Args)]
pub(crate) struct GetArgs {
    /// The repository, OWNER/REPO
    #[arg(value_name = "OWNER/REPO", value_parser = parse_repo)]
    pub(crate) repo: RepoSlug,
    /// The deployment id
    #[arg(value_name = "DEPLOYMENT_ID", value_parser = clap::value_parser!(i64).range(1..))]
    pub(crate) deployment_id: i64,
    /// The status id
    #[arg(value_name = "STATUS_ID", value_parser = clap::value_parser!(i64).range(1..))]
    pub(crate) status_id: i64,
}

/// `status create`.
#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// The repository, OWNER/REPO
    #[arg(value_name = "OWNER/REPO", value_parser = parse_repo)]
    pub(crate) repo: RepoSlug,
    /// The deployment id
    #[arg(value_name = "DEPLOYMENT_ID", value_parser = clap::value_parser!(i64).range(1..))]
    pub(crate) deployment_id: i64,
    /// The state
    #[arg(long, value_name = "STATE", value_parser = state_parser())]
    pub(crate) state: State,
    /// A short description, at most 140 characters
    #[arg(long, value_name = "TEXT")]
    pub(crate) description: Option<String>,
    /// The environment name (any name; moves the deployment there)
    #[arg(long, value_name = "NAME")]
    pub(crate) environment: Option<String>,
    /// The environment's URL
    #[arg(long, value_name = "URL")]
    pub(crate) environment_url: Option<String>,
    /// The deployment's output, e.g. the CI run (GitHub sets target_url from it)
    #[arg(long, value_name = "URL")]
    pub(crate) log_url: Option<String>,
    /// The deprecated target URL (prefer --log-url)
    #[arg(long, value_name = "URL")]
    pub(crate) target_url: Option<String>,
    /// Whether a success makes earlier deployments to the same environment
    /// inactive (GitHub's default: true)
    #[arg(long, value_name = "BOOL", action = ArgAction::Set, value_parser = clap::value_parser!(bool))]
    pub(crate) auto_inactive: Option<bool>,
}

/// `deployment delete`.
#[derive(Debug, Args)]
pub(crate) struct DeleteArgs {
    /// The repository, OWNER/REPO
    #[arg(value_name = "OWNER/REPO", value_parser = parse_repo)]
    pub(crate) repo: RepoSlug,
    /// The deployment id
    #[arg(value_name = "DEPLOYMENT_ID", value_parser = clap::value_parser!(i64).range(1..))]
    pub(crate) deployment_id: i64,
    /// Mark the deployment inactive first (needed to delete an active
    /// deployment among others)
    #[arg(long)]
    pub(crate) deactivate: bool,
}

/// `dispatch`.
#[derive(Debug, Args)]
pub(crate) struct DispatchArgs {
    /// The repository, OWNER/REPO
    #[arg(value_name = "OWNER/REPO", value_parser = parse_repo)]
    pub(crate) repo: RepoSlug,
    /// The event type workflows filter on (`on: repository_dispatch: types:`),
    /// 1 to 100 characters
    #[arg(value_name = "EVENT_TYPE")]
    pub(crate) event_type: String,
    /// The client_payload: a JSON object, at most 10 top-level properties,
    /// under 64 KiB
    #[arg(long, value_name = "JSON", conflicts_with = "payload_file")]
    pub(crate) payload: Option<String>,
    /// Read the client_payload from a file (`-` for standard input)
    #[arg(long, value_name = "PATH")]
    pub(crate) payload_file: Option<PathBuf>,
}

/// `completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell
    #[arg(value_enum, value_name = "SHELL")]
    pub(crate) shell: clap_complete::Shell,
}

/// `--state`: the library's known states ([`State::KNOWN`]), as `--help`
/// lists them (a state the library learns appears here by itself).
pub(crate) fn state_parser() -> impl clap::builder::TypedValueParser<Value = State> {
    let values = State::KNOWN
        .iter()
        .map(|state| PossibleValue::new(state.as_str().to_owned()).help(state_help(state)));
    PossibleValuesParser::new(values).map(|name| State::from(name.as_str()))
}

/// What a state means, for `--help`.
fn state_help(state: &State) -> &'static str {
    match state {
        State::Error => "The deployment failed with an error",
        State::Failure => "The deployment failed",
        State::Inactive => "The deployment is no longer active",
        State::InProgress => "The deployment is running",
        State::Queued => "The deployment is waiting to run",
        State::Pending => "The deployment has been requested",
        State::Success => "The deployment succeeded",
        _ => "",
    }
}

/// `OWNER/REPO`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RepoSlug {
    /// The owner (user or organization).
    pub(crate) owner: String,
    /// The repository name.
    pub(crate) name: String,
}

impl fmt::Display for RepoSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// Parses `OWNER/REPO`: two non-empty names, neither `.` nor `..`.
pub(crate) fn parse_repo(value: &str) -> Result<RepoSlug, String> {
    let Some((owner, name)) = value.split_once('/') else {
        return Err(format!("expected OWNER/REPO, got `{value}`"));
    };
    if name.contains('/') {
        return Err(format!(
            "expected OWNER/REPO, got `{value}` (more than one `/`)"
        ));
    }
    for (what, part) in [("owner", owner), ("repository", name)] {
        if part.trim().is_empty() {
            return Err(format!("expected OWNER/REPO, the {what} is empty"));
        }
        if part == "." || part == ".." {
            return Err(format!("`{part}` is not a {what} name"));
        }
    }
    Ok(RepoSlug {
        owner: owner.to_owned(),
        name: name.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn state_values_are_the_librarys_known_states() {
        let command = Cli::command();
        let create = command
            .find_subcommand("status")
            .and_then(|c| c.find_subcommand("create"))
            .unwrap();
        let state = create
            .get_arguments()
            .find(|a| a.get_id() == "state")
            .unwrap();
        let values: Vec<String> = state
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_owned())
            .collect();
        let lib: Vec<String> = State::KNOWN.iter().map(|s| s.as_str().to_owned()).collect();
        assert_eq!(values, lib);
        for v in state.get_possible_values() {
            assert!(
                v.get_help().is_some_and(|h| !h.to_string().is_empty()),
                "{}",
                v.get_name()
            );
        }
        let cli = Cli::try_parse_from([
            "octodeploy",
            "status",
            "create",
            "o/r",
            "1",
            "--state",
            "in_progress",
        ])
        .unwrap();
        let Command::Status(StatusCommand::Create(args)) = cli.command else {
            panic!("not status create");
        };
        assert_eq!(args.state, State::InProgress);
    }

    #[test]
    fn durations() {
        let ok = [
            ("500ms", Duration::from_millis(500)),
            ("30s", Duration::from_secs(30)),
            ("30", Duration::from_secs(30)),
            ("2m", Duration::from_secs(120)),
            ("1h", Duration::from_secs(3600)),
            ("0s", Duration::ZERO),
            ("24h", MAX_DURATION),
        ];
        for (text, d) in ok {
            assert_eq!(parse_duration(text), Ok(d), "{text}");
        }
        for bad in [
            "",
            "s",
            "-1s",
            "1.5s",
            "1d",
            "25h",
            "99999999999999999999h",
            "1 s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_timeout("0s").is_err());
        for default in [DEFAULT_TIMEOUT, DEFAULT_MAX_WAIT, DEFAULT_BACKOFF] {
            assert!(parse_timeout(default).is_ok(), "{default}");
        }
    }

    #[test]
    fn repo_slugs() {
        let r = parse_repo("octo-org/deploy-demo").unwrap();
        assert_eq!(
            (r.owner.as_str(), r.name.as_str()),
            ("octo-org", "deploy-demo")
        );
        assert_eq!(r.to_string(), "octo-org/deploy-demo");
        for bad in ["", "octo", "/r", "o/", "o/r/x", "../r", "o/.."] {
            assert!(parse_repo(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn long_help_has_examples_environment_and_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        for needle in [
            "Examples:",
            "GH_ENTERPRISE_TOKEN",
            &crate::exit::help_text(),
        ] {
            assert!(help.contains(needle), "{needle} missing from:\n{help}");
        }
    }
}
