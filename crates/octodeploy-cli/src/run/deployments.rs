//! `deployment create|list|get|wait|prune`: from parsed arguments to the
//! library's deployment calls, their output, `$GITHUB_OUTPUT`, and the
//! exit codes of `wait` (7 failed, 8 timed out) and `prune`.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use futures::StreamExt;
use octodeploy::{CreateOutcome, PruneEvent, State};

use super::{ALL_PER_PAGE, Connection, write_out};
use crate::cli::OutputFormat;
use crate::cli::deployments::{
    DeploymentCreateArgs, DeploymentGetArgs, DeploymentListArgs, DeploymentPruneArgs,
    DeploymentWaitArgs,
};
use crate::cli::{DEFAULT_TIMEOUT, GlobalArgs, parse_duration};
use crate::error::CliError;
use crate::github_output;
use crate::output;
use crate::payload;

/// `deployment create`.
pub(crate) async fn create(
    global: &GlobalArgs,
    format: OutputFormat,
    args: DeploymentCreateArgs,
) -> Result<(), CliError> {
    let payload =
        payload::Source::from_flags(args.payload.as_deref(), args.payload_file.as_deref())
            .map(payload::load_value)
            .transpose()?;
    let conn = Connection::open(global)?;
    let check = format!(
        "see whether it was created: octodeploy deployment list {} --ref {}",
        args.repo, args.git_ref
    );
    let mut request = conn
        .client
        .repo(&args.repo.owner, &args.repo.name)
        .create_deployment(args.git_ref);
    if let Some(name) = args.environment {
        request = request.environment(name);
    }
    if let Some(task) = args.task {
        request = request.task(task);
    }
    if let Some(text) = args.description {
        request = request.description(text);
    }
    if let Some(value) = &payload {
        request = request.payload(value);
    }
    if args.transient {
        request = request.transient_environment(true);
    }
    if args.production {
        request = request.production_environment(true);
    } else if args.no_production {
        request = request.production_environment(false);
    }
    if args.no_auto_merge {
        request = request.auto_merge(false);
    }
    if args.skip_checks {
        request = request.skip_checks();
    } else if !args.required_contexts.is_empty() {
        request = request.required_contexts(args.required_contexts);
    }
    let outcome = request
        .send()
        .await
        .map_err(|e| conn.error(e).with_check(check))?
        .into_inner();
    if let CreateOutcome::Created(d) = &outcome {
        github_output::write(&[("deployment_id", d.id.to_string())]).map_err(CliError::Output)?;
    }
    write_out(|out| output::deployments::outcome(out, format, &outcome))
}

/// `deployment list`.
pub(crate) async fn list(
    global: &GlobalArgs,
    format: OutputFormat,
    args: DeploymentListArgs,
) -> Result<(), CliError> {
    let conn = Connection::open(global)?;
    let mut request = conn
        .client
        .repo(&args.repo.owner, &args.repo.name)
        .deployments();
    if let Some(v) = args.environment {
        request = request.environment(v);
    }
    if let Some(v) = args.git_ref {
        request = request.git_ref(v);
    }
    if let Some(v) = args.sha {
        request = request.sha(v);
    }
    if let Some(v) = args.task {
        request = request.task(v);
    }
    if args.all {
        let all = request
            .per_page(args.per_page.unwrap_or(ALL_PER_PAGE))
            .all()
            .await
            .map_err(|e| conn.error(e))?;
        return write_out(|out| output::deployments::list(out, format, &all));
    }
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
    write_out(|out| output::deployments::list(out, format, &page.items))?;
    if format == OutputFormat::Table && page.links.next.is_some() {
        let next = args.page.unwrap_or(1).saturating_add(1);
        eprintln!("more deployments: --page {next}, or --all for every page");
    }
    Ok(())
}

/// `deployment get`.
pub(crate) async fn get(
    global: &GlobalArgs,
    format: OutputFormat,
    args: DeploymentGetArgs,
) -> Result<(), CliError> {
    let conn = Connection::open(global)?;
    let deployment = conn
        .client
        .repo(&args.repo.owner, &args.repo.name)
        .deployment(args.deployment_id)
        .get()
        .await
        .map_err(|e| conn.error(e))?;
    write_out(|out| output::deployments::list(out, format, std::slice::from_ref(&*deployment)))
}

/// `deployment wait`: each new status on standard error, the terminal one
/// on standard output; exit 7 for failure/error/inactive, 8 on timeout.
pub(crate) async fn wait(
    global: &GlobalArgs,
    format: OutputFormat,
    args: DeploymentWaitArgs,
) -> Result<(), CliError> {
    // `--timeout` bounds the wait here; each request keeps a short limit.
    let per_request = parse_duration(DEFAULT_TIMEOUT).unwrap_or(Duration::from_secs(30));
    let mut request_global = global.clone();
    request_global.timeout = per_request.min(args.timeout.max(Duration::from_secs(1)));
    let conn = Connection::open(&request_global)?;
    let deployment = conn
        .client
        .repo(&args.repo.owner, &args.repo.name)
        .deployment(args.deployment_id);
    let mut statuses = deployment
        .wait()
        .timeout(args.timeout)
        .interval(args.interval)
        .max_interval(args.interval.max(octodeploy::DEFAULT_MAX_POLL_INTERVAL))
        .stream();
    let mut last = None;
    let mut stderr = io::stderr();
    while let Some(next) = statuses.next().await {
        let status = next.map_err(|e| conn.error(e))?;
        let _ = writeln!(
            stderr,
            "{} {} {}",
            status.created_at.format("%Y-%m-%dT%H:%M:%SZ"),
            status.state,
            status.description.as_deref().unwrap_or("")
        );
        last = Some(status);
    }
    let Some(status) = last else {
        return Ok(());
    };
    write_out(|out| output::status(out, format, &status))?;
    if status.state == State::Success {
        Ok(())
    } else {
        Err(CliError::WaitFailed {
            deployment_id: args.deployment_id,
            state: status.state.to_string(),
        })
    }
}

/// `deployment prune`: the plan (`--dry-run`) or the report.
pub(crate) async fn prune(
    global: &GlobalArgs,
    format: OutputFormat,
    args: DeploymentPruneArgs,
) -> Result<(), CliError> {
    let conn = Connection::open(global)?;
    let progress = io::stderr().is_terminal();
    let prune = conn
        .client
        .repo(&args.repo.owner, &args.repo.name)
        .prune(args.environment)
        .keep(usize::try_from(args.keep).unwrap_or(usize::MAX))
        .on_progress(move |event| {
            if !progress {
                return;
            }
            match event {
                PruneEvent::Planned { keep, delete } => {
                    eprintln!("keeping {keep}, deleting {delete}…");
                }
                PruneEvent::Deleted { id, done, total } => {
                    eprintln!("deleted {id} ({done}/{total})");
                }
                PruneEvent::Failed(f) => eprintln!("could not {} {}: {}", f.step, f.id, f.reason),
                _ => {}
            }
        });
    let plan = prune.plan().await.map_err(|e| conn.error(e))?;
    if args.dry_run {
        return write_out(|out| output::deployments::plan(out, format, &plan));
    }
    let report = prune.carry_out(plan).await;
    write_out(|out| output::deployments::report(out, format, &report))?;
    if report.failed.is_empty() {
        return Ok(());
    }
    let server_side = report
        .failed
        .iter()
        .any(|f| f.status.is_none_or(|s| s >= 500 || s == 429));
    Err(CliError::PruneIncomplete {
        failed: report.failed.len(),
        planned: report.failed.len() + report.deleted.len(),
        code: if server_side {
            crate::exit::UNAVAILABLE
        } else {
            crate::exit::REJECTED
        },
    })
}
