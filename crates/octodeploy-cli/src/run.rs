//! From parsed arguments to library calls: configuration (flags over the
//! environment), logging, each command, and the exit code.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use futures::{FutureExt, Stream, StreamExt};
use octodeploy::{Client, DeploymentStatus, RetryPolicy, Token};
use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::cli::{
    Cli, Command, CreateArgs, DeleteArgs, DeploymentCommand, DispatchArgs, GetArgs, GlobalArgs,
    ListArgs, OutputFormat, RepoSlug, StatusCommand,
};
use crate::error::{CliError, Credential, RequestContext};
use crate::exit;
use crate::output::{self, Ack};
use crate::payload;
use crate::redact::Redactor;

mod deployments;

/// The `User-Agent` the CLI sends.
pub(crate) const USER_AGENT: &str = concat!("octodeploy-cli/", env!("CARGO_PKG_VERSION"));

/// The connection timeout, unless `--timeout` is shorter.
pub(crate) const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// `--all` without `--per-page` asks for the largest pages GitHub allows.
pub(crate) const ALL_PER_PAGE: u32 = 100;

/// Runs the CLI with the process's arguments and environment.
pub(crate) fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let redactor = Redactor::from_args_and_env(&args, |k| std::env::var(k).ok());
    if let Some(warning) = redactor.warning() {
        eprintln!("{warning}");
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e, &redactor),
    };
    init_tracing(cli.global.verbose, &redactor);
    match run(cli) {
        Ok(()) => ExitCode::from(exit::SUCCESS),
        // `octodeploy ... | head`: the reader has what it wanted.
        Err(CliError::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::from(exit::SUCCESS)
        }
        Err(err) => {
            tracing::debug!(error = ?err, "failed");
            let code = exit::code(&err);
            eprintln!("{}", redactor.redact(&exit::report(&err)));
            ExitCode::from(code)
        }
    }
}

/// Prints clap's error (or help/version), redacted, and exits with its code
/// (2 for usage errors, 0 for `--help`/`--version`).
fn clap_error(e: &clap::Error, redactor: &Redactor) -> ExitCode {
    let code = u8::try_from(e.exit_code()).unwrap_or(exit::USAGE);
    if !e.use_stderr() {
        // --help and --version: to standard output, nothing secret in them.
        let _ = e.print();
        return ExitCode::from(code);
    }
    let rendered = e.render();
    let color = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = if color {
        rendered.ansi().to_string()
    } else {
        rendered.to_string()
    };
    let mut stderr = io::stderr().lock();
    let _ = stderr.write_all(redactor.redact(&text).as_bytes());
    ExitCode::from(code)
}

/// `-v` info, `-vv` debug for octodeploy's own crates (the library's
/// `github.request` spans are printed when they close, with method, path
/// template, attempt, status and request id); `-vvv` everything at trace.
fn init_tracing(verbose: u8, redactor: &Redactor) {
    let level = match verbose {
        0 => return,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let targets = if verbose >= 3 {
        Targets::new().with_default(LevelFilter::TRACE)
    } else {
        Targets::new()
            .with_target("octodeploy", level)
            .with_target("octodeploy_api", level)
            .with_default(LevelFilter::WARN)
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(redactor.stderr())
        // No colours: the writer removes every control character, as log
        // lines quote what the server said.
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE);
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(targets)
        .try_init();
}

/// Runs one parsed command.
pub(crate) fn run(cli: Cli) -> Result<(), CliError> {
    let Cli { global, command } = cli;
    if let Command::Completions(args) = &command {
        // Into a buffer first: clap_complete panics on a failed write.
        let mut script = Vec::new();
        clap_complete::generate(args.shell, &mut Cli::command(), "octodeploy", &mut script);
        return write_out(|out| out.write_all(&script));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(dispatch_command(&global, command))
}

async fn dispatch_command(global: &GlobalArgs, command: Command) -> Result<(), CliError> {
    let format = global.output.unwrap_or_else(|| {
        if io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        }
    });
    match command {
        Command::Status(StatusCommand::List(args)) => list(global, format, args).await,
        Command::Status(StatusCommand::Get(args)) => get(global, format, args).await,
        Command::Status(StatusCommand::Create(args)) => create(global, format, args).await,
        Command::Deployment(DeploymentCommand::Delete(args)) => delete(global, format, args).await,
        Command::Deployment(DeploymentCommand::Create(args)) => {
            deployments::create(global, format, args).await
        }
        Command::Deployment(DeploymentCommand::List(args)) => {
            deployments::list(global, format, args).await
        }
        Command::Deployment(DeploymentCommand::Get(args)) => {
            deployments::get(global, format, args).await
        }
        Command::Deployment(DeploymentCommand::Wait(args)) => {
            deployments::wait(global, format, args).await
        }
        Command::Deployment(DeploymentCommand::Prune(args)) => {
            deployments::prune(global, format, args).await
        }
        Command::Dispatch(args) => dispatch(global, format, args).await,
        Command::Completions(_) => Ok(()),
    }
}

/// `--retries`/`--no-retry`, `--backoff` and `--max-wait` as the library's
/// policy: `--max-wait` bounds each wait and all of a request's waits
/// together.
fn retry_policy(global: &GlobalArgs) -> RetryPolicy {
    let retries = if global.no_retry { 0 } else { global.retries };
    RetryPolicy::default()
        .max_retries(retries)
        .initial_backoff(global.backoff)
        .max_wait(global.max_wait)
        .max_total_wait(global.max_wait)
}

/// The configured client, and what error messages need to know about it.
struct Connection {
    client: Client,
    credential: Credential,
    /// `--max-wait`, when retries are on.
    max_wait: Option<std::time::Duration>,
}

impl Connection {
    /// `--api-url` and `--token` override the environment. The flag URL is
    /// handed to [`octodeploy::env::from_vars`] as `GITHUB_API_URL`, so the
    /// token chosen from the environment is the one meant for that host
    /// (github.com never gets a GHES token).
    #[allow(dead_code)] // for commands without a repository
    fn open(global: &GlobalArgs) -> Result<Connection, CliError> {
        Self::open_for(global, None)
    }

    /// [`Self::open`] for a command on `repo`: a GitHub App without an
    /// installation id acts as its installation on that repository.
    fn open_for(global: &GlobalArgs, repo: Option<&RepoSlug>) -> Result<Connection, CliError> {
        let cfg = octodeploy::env::from_vars(|name| match (name, &global.api_url) {
            ("GITHUB_API_URL", Some(url)) => Some(url.clone()),
            _ => std::env::var(name).ok(),
        })
        .map_err(|e| CliError::Config { source: e.into() })?;
        let app = github_app(global, repo)?;
        let token = match &global.token {
            Some(flag) => Some(Token::new(flag.as_str())),
            None => cfg.token,
        };
        let credential = if app.is_some() {
            Credential::App {
                from: if global.app_id.is_some() {
                    "--app-id"
                } else {
                    "$GITHUB_APP_ID"
                },
            }
        } else if token.as_ref().is_some_and(|t| !t.is_empty()) {
            Credential::Token {
                from: match (&global.token, cfg.token_from) {
                    (Some(_), _) => "--token".to_owned(),
                    (None, Some(var)) => format!("${var}"),
                    (None, None) => "the environment".to_owned(),
                },
            }
        } else {
            Credential::None
        };
        let mut builder = Client::builder()
            .base_url(cfg.api_url)
            .user_agent(USER_AGENT);
        match app {
            Some(app) => builder = builder.github_app(app),
            None => {
                if let Some(token) = token {
                    builder = builder.token(token);
                }
            }
        }
        let policy = retry_policy(global);
        let retries = if global.no_retry { 0 } else { global.retries };
        builder = builder
            .timeout(Some(global.timeout))
            .connect_timeout(global.timeout.min(CONNECT_TIMEOUT))
            .retry(policy);
        if retries > 0 {
            // Say why the command is waiting instead of going quiet.
            builder = builder.on_retry(|event| {
                eprintln!(
                    "retrying {} {} in {:.1}s (attempt {} failed: {})",
                    event.method,
                    event.path,
                    event.wait.as_secs_f64(),
                    event.attempt,
                    crate::text::one_line(&event.error.to_string())
                );
            });
        }
        let client = builder
            .build()
            .map_err(|source| CliError::Config { source })?;
        tracing::info!(
            api_url = %client.base_url(),
            token = if credential.is_sent() { "set" } else { "none" },
            credential = match &credential {
                Credential::None => "none",
                Credential::Token { .. } => "token",
                Credential::App { .. } => "github app",
            },
            retries,
            timeout = ?global.timeout,
            max_wait = ?global.max_wait,
            "configured"
        );
        Ok(Connection {
            client,
            credential,
            max_wait: (retries > 0).then_some(global.max_wait),
        })
    }

    /// Wraps a library error with what the message needs; a validation
    /// error names the argument instead.
    fn error(&self, source: octodeploy::Error) -> CliError {
        match source {
            octodeploy::Error::Invalid(v) => CliError::invalid(v),
            source => CliError::Request {
                source,
                context: Box::new(RequestContext {
                    api_url: self
                        .client
                        .base_url()
                        .as_str()
                        .trim_end_matches('/')
                        .to_owned(),
                    credential: self.credential.clone(),
                    max_wait: self.max_wait,
                    check: None,
                }),
            },
        }
    }
}

/// The GitHub App of `--app-id`/`--app-private-key`/`--installation-id`
/// over the environment (through [`octodeploy::env::github_app`], so the
/// rules are the library's), acting on `repo` when no installation id is
/// given.
fn github_app(
    global: &GlobalArgs,
    repo: Option<&RepoSlug>,
) -> Result<Option<octodeploy::GitHubApp>, CliError> {
    let flag_key = global
        .app_private_key
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned());
    let repository = repo.map(|r| format!("{}/{}", r.owner, r.name));
    let var = |name: &str| match name {
        "GITHUB_APP_ID" if global.app_id.is_some() => global.app_id.clone(),
        // A key file on the command line wins over both key variables.
        "GITHUB_APP_PRIVATE_KEY" if flag_key.is_some() => None,
        "GITHUB_APP_PRIVATE_KEY_PATH" if flag_key.is_some() => flag_key.clone(),
        "GITHUB_APP_INSTALLATION_ID" if global.installation_id.is_some() => {
            global.installation_id.map(|id| id.to_string())
        }
        "GITHUB_REPOSITORY" => repository.clone(),
        _ => std::env::var(name).ok(),
    };
    let read = |path: &std::path::Path| std::fs::read_to_string(path);
    octodeploy::env::github_app(var, read).map_err(|e| match e {
        octodeploy::Error::Invalid(v) => CliError::invalid(v),
        source => CliError::Config { source },
    })
}

/// Writes each status of `stream` as it arrives (see
/// [`output::StatusList`]), flushing whenever the next one is not ready yet
/// (the next page is being fetched): memory does not grow with the listing.
async fn stream_statuses(
    mut stream: impl Stream<Item = Result<DeploymentStatus, octodeploy::Error>> + Unpin,
    format: OutputFormat,
    per_page: u32,
    error: impl Fn(octodeploy::Error) -> CliError,
) -> Result<(), CliError> {
    let mut list = output::StatusList::new(io::BufWriter::new(io::stdout().lock()), format);
    let mut progress = Progress::new(per_page, io::stderr().is_terminal());
    let mut count = 0;
    loop {
        let next = match stream.next().now_or_never() {
            Some(next) => next,
            None => {
                list.flush().map_err(CliError::Output)?;
                stream.next().await
            }
        };
        match next {
            Some(Ok(status)) => {
                list.push(&status).map_err(CliError::Output)?;
                count += 1;
                progress.item(count, &mut io::stderr());
            }
            Some(Err(e)) => {
                list.abandon().map_err(CliError::Output)?;
                return Err(error(e));
            }
            None => break,
        }
    }
    progress.done(count, &mut io::stderr());
    list.finish().map(drop).map_err(CliError::Output)
}

fn write_out(
    f: impl FnOnce(&mut io::StdoutLock<'static>) -> io::Result<()>,
) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    f(&mut out)
        .and_then(|()| out.flush())
        .map_err(CliError::Output)
}

async fn list(global: &GlobalArgs, format: OutputFormat, args: ListArgs) -> Result<(), CliError> {
    let conn = Connection::open_for(global, Some(&args.repo))?;
    let deployment = conn
        .client
        .repo(&args.repo.owner, &args.repo.name)
        .deployment(args.deployment_id);
    if args.all {
        let per_page = args.per_page.unwrap_or(ALL_PER_PAGE);
        let stream = deployment.statuses().per_page(per_page).stream();
        return stream_statuses(stream, format, per_page, |e| conn.error(e)).await;
    }
    let mut request = deployment.statuses();
    if let Some(n) = args.per_page {
        request = request.per_page(n);
    }
    if let Some(n) = args.page {
        request = request.page(n);
    }
    let page = request
        .send()
        .await
        .map_err(|e| conn.error(e))?
        .into_inner();
    write_out(|out| output::statuses(out, format, &page.items))?;
    if format == OutputFormat::Table && page.links.next.is_some() {
        let next = args.page.unwrap_or(1).saturating_add(1);
        eprintln!("more statuses: --page {next}, or --all for every page");
    }
    Ok(())
}

async fn get(global: &GlobalArgs, format: OutputFormat, args: GetArgs) -> Result<(), CliError> {
    let conn = Connection::open_for(global, Some(&args.repo))?;
    let status = conn
        .client
        .repo(&args.repo.owner, &args.repo.name)
        .deployment(args.deployment_id)
        .status(args.status_id)
        .await
        .map_err(|e| conn.error(e))?;
    write_out(|out| output::status(out, format, &status))
}

async fn create(
    global: &GlobalArgs,
    format: OutputFormat,
    args: CreateArgs,
) -> Result<(), CliError> {
    let conn = Connection::open_for(global, Some(&args.repo))?;
    let mut request = conn
        .client
        .repo(&args.repo.owner, &args.repo.name)
        .deployment(args.deployment_id)
        .create_status(args.state);
    if let Some(text) = args.description {
        request = request.description(text);
    }
    if let Some(name) = args.environment {
        request = request.environment(name);
    }
    if let Some(url) = args.environment_url {
        request = request.environment_url(url);
    }
    if let Some(url) = args.log_url {
        request = request.log_url(url);
    }
    if let Some(url) = args.target_url {
        request = request.target_url(url);
    }
    if let Some(on) = args.auto_inactive {
        request = request.auto_inactive(on);
    }
    // The library checks again in `send`; checking here makes "nothing is
    // sent" explicit and names the flag.
    request.body().validate().map_err(CliError::invalid)?;
    let status = request.send().await.map_err(|e| {
        conn.error(e).with_check(format!(
            "see whether it was created: octodeploy status list {} {}",
            args.repo, args.deployment_id
        ))
    })?;
    crate::github_output::write(&[("status_id", status.id.to_string())])
        .map_err(CliError::Output)?;
    write_out(|out| output::status(out, format, &status))
}

async fn delete(
    global: &GlobalArgs,
    format: OutputFormat,
    args: DeleteArgs,
) -> Result<(), CliError> {
    let conn = Connection::open_for(global, Some(&args.repo))?;
    let deployment = conn
        .client
        .repo(&args.repo.owner, &args.repo.name)
        .deployment(args.deployment_id);
    let response = if args.deactivate {
        deployment.deactivate_and_delete().await
    } else {
        deployment.delete().await
    }
    .map_err(|e| conn.error(e))?;
    let ack = Ack {
        ok: true,
        action: "deployment.delete",
        repository: args.repo.to_string(),
        deployment_id: Some(args.deployment_id),
        deactivated: Some(args.deactivate),
        event_type: None,
        request_id: response.meta().request_id.clone(),
    };
    write_out(|out| output::ack(out, format, &ack))
}

async fn dispatch(
    global: &GlobalArgs,
    format: OutputFormat,
    args: DispatchArgs,
) -> Result<(), CliError> {
    octodeploy::validate::event_type(&args.event_type).map_err(CliError::invalid)?;
    let payload =
        payload::Source::from_flags(args.payload.as_deref(), args.payload_file.as_deref())
            .map(payload::load)
            .transpose()?;
    let conn = Connection::open_for(global, Some(&args.repo))?;
    let mut request = conn
        .client
        .repo(&args.repo.owner, &args.repo.name)
        .dispatch(args.event_type.clone());
    if let Some(map) = &payload {
        request = request.payload(map);
    }
    let response = request.send().await.map_err(|e| {
        conn.error(e).with_check(format!(
            "see whether workflows started: the Actions runs of {} triggered by repository_dispatch `{}`",
            args.repo, args.event_type
        ))
    })?;
    let ack = Ack {
        ok: true,
        action: "dispatch",
        repository: args.repo.to_string(),
        deployment_id: None,
        deactivated: None,
        event_type: Some(args.event_type),
        request_id: response.meta().request_id.clone(),
    };
    write_out(|out| output::ack(out, format, &ack))
}

/// `--all`'s progress on standard error: after each full page beyond the
/// first, `fetched N statuses…`; nothing when everything fit on one page or
/// standard error is not a terminal.
#[derive(Debug)]
pub(crate) struct Progress {
    per_page: usize,
    enabled: bool,
    last_shown: usize,
}

impl Progress {
    /// Progress for pages of `per_page`, shown only when `enabled`.
    pub(crate) fn new(per_page: u32, enabled: bool) -> Progress {
        Progress {
            per_page: usize::try_from(per_page).unwrap_or(usize::MAX).max(1),
            enabled,
            last_shown: 0,
        }
    }

    /// Called after item number `count` (from 1) arrived.
    pub(crate) fn item(&mut self, count: usize, out: &mut impl Write) {
        if self.enabled && count > self.per_page && count.is_multiple_of(self.per_page) {
            let _ = writeln!(out, "fetched {count} statuses…");
            self.last_shown = count;
        }
    }

    /// Called when the stream ended with `count` items.
    pub(crate) fn done(&mut self, count: usize, out: &mut impl Write) {
        if self.enabled && count > self.per_page && count != self.last_shown {
            let _ = writeln!(out, "fetched {count} statuses");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_make_the_retry_policy() {
        let parse = |args: &[&str]| {
            let all = ["octodeploy"]
                .iter()
                .chain(args)
                .chain(&["status", "get", "o/r", "1", "2"]);
            Cli::try_parse_from(all).unwrap().global
        };
        let secs = std::time::Duration::from_secs;
        let global = parse(&["--retries", "5", "--backoff", "2s", "--max-wait", "7s"]);
        assert_eq!(
            retry_policy(&global),
            RetryPolicy::default()
                .max_retries(5)
                .initial_backoff(secs(2))
                .max_wait(secs(7))
                .max_total_wait(secs(7))
        );
        let global = parse(&["--retries", "5", "--no-retry"]);
        assert_eq!(
            retry_policy(&global),
            RetryPolicy::default()
                .max_retries(0)
                .initial_backoff(std::time::Duration::from_millis(500))
                .max_wait(secs(60))
                .max_total_wait(secs(60))
        );
    }

    fn lines(per_page: u32, enabled: bool, total: usize) -> String {
        let mut p = Progress::new(per_page, enabled);
        let mut out = Vec::new();
        for n in 1..=total {
            p.item(n, &mut out);
        }
        p.done(total, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn progress_after_each_page_beyond_the_first() {
        assert_eq!(lines(2, true, 2), "", "one page: nothing");
        assert_eq!(lines(2, true, 1), "");
        assert_eq!(
            lines(2, true, 5),
            "fetched 4 statuses…\nfetched 5 statuses\n"
        );
        assert_eq!(
            lines(2, true, 6),
            "fetched 4 statuses…\nfetched 6 statuses…\n"
        );
        assert_eq!(lines(100, true, 3), "");
        assert_eq!(lines(2, false, 5), "", "not a terminal: nothing");
    }
}
