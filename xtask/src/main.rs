//! `cargo xtask`: a thin command line over the `codegen` library.
//!
//! - `cargo xtask extract --upstream PATH [--check]`: cut the fragment out of
//!   a GitHub OpenAPI description (and record its provenance), or check it.
//! - `cargo xtask regen [--check]`: run progenitor over fixups(fragment), or
//!   check that the checked-in generated crate is what it would write.
//! - `cargo xtask drift --against PATH [--subset] [--format text|json|markdown]
//!   [--snapshot NAME] [--bless | --report]`: semantic drift between the
//!   fragment and another description, checked against acknowledged
//!   snapshots; exit 0 nothing unacknowledged, 1 unacknowledged drift, 2
//!   usage/IO/parse errors (see `drift.rs`).
//! - `cargo xtask fetch`: `@octokit/openapi` at the pinned version from the
//!   npm registry into `target/` (what `ci` does without `../shared`).
//! - `cargo xtask ci`: every test and check, as CI runs them; checks whose
//!   inputs cannot be had here are named as skipped (`codegen::ci`).
//! - `cargo xtask package`: package the published crates and verify each
//!   from its packaged sources, as `ci` does (`release.rs`).
//! - `cargo xtask bench [ARGS]`: the performance benchmark (the `bench`
//!   crate, release build); prints figures, never fails on one.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codegen::Workspace;

mod drift;
mod release;
#[cfg(test)]
mod tidy;

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "octodeploy's code generation tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write openapi/fragment.json and openapi/provenance.json from an upstream description.
    Extract {
        /// The upstream GitHub OpenAPI description (the pinned one is ../shared/upstream/ghes-3.0.json).
        #[arg(long)]
        upstream: Option<PathBuf>,
        /// Fail (with a diff) instead of writing when the fragment or the upstream's sha256 differ.
        #[arg(long)]
        check: bool,
    },
    /// Regenerate crates/octodeploy-api from the fragment (refusing code that would not build).
    Regen {
        /// Fail (with a diff) instead of writing when the checked-in code differs; then `cargo check` it.
        #[arg(long)]
        check: bool,
    },
    /// Compare the fragment with another description and check acknowledged drift
    /// (exit 0: nothing unacknowledged, 1: unacknowledged drift, 2: usage/IO/parse error).
    Drift(drift::DriftArgs),
    /// Fetch @octokit/openapi (pinned version, sha256-checked) from the npm registry into target/.
    Fetch,
    /// Run every test and check: fmt, clippy, tests, regen/extract/drift checks.
    Ci,
    /// Package the published crates and build each from its packaged sources (offline).
    Package,
    /// Run the benchmark (octodeploy vs a hand-written floor) in a release build.
    Bench {
        /// Passed to `octodeploy-bench run` (e.g. `--counts 10000 --rounds 4`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ws = match Workspace::discover() {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("error: {}", chain(&e));
            return ExitCode::from(drift::ERROR);
        }
    };
    match run(&ws, cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", chain(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}

/// An error and its sources on one line, each source only when the message
/// so far does not already say it (many errors print their source in their
/// own message too).
pub(crate) fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

fn run(ws: &Workspace, command: Command) -> anyhow::Result<ExitCode> {
    let ws = ws.clone();
    match command {
        Command::Extract { upstream, check } => {
            let upstream = upstream.unwrap_or_else(|| ws.default_upstream());
            if check {
                codegen::extract::check_fragment(&ws, &upstream)?;
                eprintln!("openapi/fragment.json matches {}", upstream.display());
            } else {
                let changed = codegen::extract::write_fragment(&ws, &upstream)?;
                eprintln!(
                    "openapi/fragment.json {}",
                    if changed { "written" } else { "unchanged" }
                );
            }
        }
        Command::Regen { check } => {
            if check {
                codegen::generate::check(&ws)?;
                // What is checked in must also build (regen refuses what it
                // can see is broken; the compiler sees the rest).
                cargo(&ws, &["check", "--locked", "-p", "octodeploy-api"], &[])?;
                eprintln!("crates/octodeploy-api is up to date and builds");
            } else {
                let changed = codegen::generate::regen(&ws)?;
                eprintln!(
                    "crates/octodeploy-api/src/lib.rs {}",
                    if changed { "written" } else { "unchanged" }
                );
            }
        }
        Command::Drift(args) => return Ok(drift::run(&ws, args)),
        Command::Fetch => {
            for release in &codegen::npm::RELEASES {
                let dir = codegen::npm::fetch_release(ws.root(), release)?;
                eprintln!("{} in {}", release.spec(), dir.display());
            }
        }
        Command::Ci => ci(&ws)?,
        Command::Package => package(&ws)?,
        Command::Bench { args } => {
            // The `status get` against curl row needs the release CLI.
            let cli = if args.iter().any(|a| a == "--cli") {
                None
            } else {
                cargo(&ws, &["build", "--release", "-p", "octodeploy-cli"], &[])?;
                let target = std::env::var_os("CARGO_TARGET_DIR")
                    .map_or_else(|| ws.root().join("target"), PathBuf::from);
                let exe = format!("octodeploy{}", std::env::consts::EXE_SUFFIX);
                Some(target.join("release").join(exe).display().to_string())
            };
            let mut run = vec!["run", "--release", "-p", "octodeploy-bench", "--", "run"];
            if let Some(cli) = &cli {
                run.extend(["--cli", cli.as_str()]);
            }
            run.extend(args.iter().map(String::as_str));
            cargo(&ws, &run, &[])?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a cargo subcommand in the workspace (with extra environment),
/// failing on a non-zero exit.
fn cargo(ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<()> {
    let shown: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v:?} ")).collect();
    eprintln!("==> {}cargo {}", shown.concat(), args.join(" "));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(ws.root())
        .status()?;
    anyhow::ensure!(
        status.success(),
        "`cargo {}` failed ({status})",
        args.join(" ")
    );
    Ok(())
}

/// `cargo package` for the published crates, after clearing what earlier
/// runs left extracted in cargo's home (which cargo would verify instead).
fn package(ws: &Workspace) -> anyhow::Result<()> {
    if let Some(home) = release::cargo_home() {
        for stale in release::clear_stale_extractions(&home)? {
            eprintln!(
                "==> removed {} (an earlier run's packaged sources)",
                stale.display()
            );
        }
    }
    cargo(ws, &release::package_args(), &[])
}

fn ci(ws: &Workspace) -> anyhow::Result<()> {
    use codegen::ci::Source;
    // Checks on inputs from outside the repository: which can run here.
    let shared_here = codegen::inputs::shared_dir(ws.root()).is_dir();
    let mut plan = codegen::ci::plan(ws.root());
    // Only the npm releases some check needs, each once; a check whose
    // release cannot be fetched is skipped, by name, with the reason.
    for release in &codegen::npm::RELEASES {
        let needed = |source: &Source| {
            matches!(source, Source::Npm(file)
                if codegen::npm::release_of(file).is_some_and(|r| r == release))
        };
        if !plan.iter().any(|c| needed(&c.source)) {
            continue;
        }
        eprintln!("==> npm pack {} (cached under target/)", release.spec());
        if let Err(e) = codegen::npm::fetch_release(ws.root(), release) {
            for check in &mut plan {
                if needed(&check.source) {
                    check.source = Source::Skipped(chain(&e));
                }
            }
        }
    }
    let skipped: Vec<String> = plan
        .iter()
        .filter_map(|c| match &c.source {
            Source::Skipped(why) => Some(format!("{}: {why}", c.name)),
            _ => None,
        })
        .collect();
    for line in &skipped {
        eprintln!("skipped: {line}");
    }
    // With ../shared, tests must not skip anything either.
    let test_env: &[(&str, &str)] = if shared_here {
        &[(codegen::inputs::REQUIRE_SHARED_ENV, "1")]
    } else {
        &[]
    };
    // --locked: the generated code is reproducible only with the dependency
    // versions Cargo.lock pins (typify, prettyplease).
    cargo(ws, &["fmt", "--all", "--check"], &[])?;
    cargo(
        ws,
        &[
            "clippy",
            "--locked",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    // The fragment first: a hand edit there must be named as such, not as
    // generated code to regenerate.
    for check in &plan {
        let input = match &check.source {
            Source::Shared(path) => path.clone(),
            Source::Npm(file) => match codegen::npm::cache_path(ws.root(), file) {
                Some(path) => path,
                None => anyhow::bail!("{}: {file} is in no pinned npm release", check.name),
            },
            Source::Skipped(_) => continue,
        };
        eprintln!("==> {} ({})", check.name, input.display());
        match check.drift {
            None => codegen::extract::check_fragment(ws, &input)?,
            Some(target) => {
                let opts = codegen::drift::DriftOptions {
                    fragment: ws.fragment(),
                    against: input,
                    snapshot_dir: ws.drift_dir(),
                    snapshot: None,
                    format: codegen::drift::Format::Text,
                    bless: false,
                    subset: target.subset,
                };
                codegen::drift::run(&opts)?;
            }
        }
    }
    eprintln!("==> cargo xtask regen --check");
    codegen::generate::check(ws)?;
    cargo(
        ws,
        &["test", "--locked", "--workspace", "--all-targets"],
        test_env,
    )?;
    cargo(ws, &["test", "--locked", "--workspace", "--doc"], test_env)?;
    cargo(
        ws,
        &["doc", "--locked", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    package(ws)?;
    let example = release::readme_example_args(ws.root());
    cargo(
        ws,
        &example.iter().map(String::as_str).collect::<Vec<_>>(),
        &[],
    )?;
    if skipped.is_empty() {
        eprintln!("all checks passed");
    } else {
        eprintln!("all checks passed; skipped (their inputs cannot be had here):");
        for line in &skipped {
            eprintln!("  - {line}");
        }
    }
    Ok(())
}
