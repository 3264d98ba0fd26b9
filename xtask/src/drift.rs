//! `cargo xtask drift`: the drift check as a CI tool.
//!
//! Exit codes: **0** nothing unacknowledged (or `--report`, or `--bless`),
//! **1** unacknowledged drift (new changes, or acknowledged ones that went
//! away), **2** usage, I/O or parse errors. The report is always printed on
//! stdout in the requested format, also when the check fails; the reason
//! goes to stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use codegen::Workspace;
use codegen::drift::{DriftError, DriftOptions, Format};

/// Exit code: nothing unacknowledged.
pub(crate) const OK: u8 = 0;
/// Exit code: unacknowledged drift.
pub(crate) const DRIFT: u8 = 1;
/// Exit code: usage, I/O or parse errors.
pub(crate) const ERROR: u8 = 2;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum FormatArg {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct DriftArgs {
    /// The description to compare with (a full file or a subset).
    #[arg(long)]
    against: PathBuf,
    /// How to print the report (markdown: for $GITHUB_STEP_SUMMARY or a PR comment).
    #[arg(long, value_enum, default_value = "text")]
    format: FormatArg,
    /// Same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Acknowledge the current drift: rewrite its snapshot under openapi/drift/.
    #[arg(long)]
    bless: bool,
    /// The description holds only some of the fragment's operations: compare those, list the others.
    #[arg(long)]
    subset: bool,
    /// The snapshot's name (default: what the description is: plan and release, docs-link release or server, else title and version).
    #[arg(long, value_name = "NAME")]
    snapshot: Option<String>,
    /// Report only: print the report and warn about unacknowledged drift, but exit 0 (scheduled jobs).
    #[arg(long, conflicts_with = "bless")]
    report: bool,
}

/// Runs the drift command; returns its exit code.
pub(crate) fn run(ws: &Workspace, args: DriftArgs) -> ExitCode {
    let format = match (args.json, args.format) {
        (true, _) | (_, FormatArg::Json) => Format::Json,
        (_, FormatArg::Text) => Format::Text,
        (_, FormatArg::Markdown) => Format::Markdown,
    };
    let opts = DriftOptions {
        fragment: ws.fragment(),
        against: args.against,
        snapshot_dir: ws.drift_dir(),
        snapshot: args.snapshot,
        format,
        bless: args.bless,
        subset: args.subset,
    };
    match codegen::drift::run(&opts) {
        Ok(output) => {
            print!("{output}");
            ExitCode::from(OK)
        }
        Err(err @ DriftError::Unacknowledged { .. }) => {
            if let DriftError::Unacknowledged { output, .. } = &err {
                print!("{output}");
            }
            if args.report {
                eprintln!("warning: {err}");
                ExitCode::from(OK)
            } else {
                eprintln!("error: {err}");
                ExitCode::from(DRIFT)
            }
        }
        Err(err) => {
            eprintln!("error: {}", crate::chain(&err));
            ExitCode::from(ERROR)
        }
    }
}
