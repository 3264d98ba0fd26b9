//! `octodeploy`: GitHub deployment statuses and repository dispatch from the
//! command line, on github.com and GitHub Enterprise Server, through the
//! [`octodeploy`] library.
//!
//! ```text
//! octodeploy status list OWNER/REPO DEPLOYMENT_ID [--per-page N] [--page N | --all]
//! octodeploy status get OWNER/REPO DEPLOYMENT_ID STATUS_ID
//! octodeploy status create OWNER/REPO DEPLOYMENT_ID --state STATE [--description TEXT]
//!     [--environment NAME] [--environment-url URL] [--log-url URL] [--target-url URL]
//!     [--auto-inactive true|false]
//! octodeploy deployment create OWNER/REPO --ref REF [--environment NAME] [--task T]
//!     [--description TEXT] [--payload JSON | --payload-file PATH] [--transient]
//!     [--production | --no-production] [--no-auto-merge] [--required-context NAME]... [--skip-checks]
//! octodeploy deployment list OWNER/REPO [--environment NAME] [--ref REF] [--sha SHA] [--task T]
//!     [--per-page N] [--page N | --all]
//! octodeploy deployment get OWNER/REPO DEPLOYMENT_ID
//! octodeploy deployment wait OWNER/REPO DEPLOYMENT_ID [--timeout 10m] [--interval 5s]
//! octodeploy deployment prune OWNER/REPO --environment NAME [--keep N] [--dry-run]
//! octodeploy deployment delete OWNER/REPO DEPLOYMENT_ID [--deactivate]
//! octodeploy dispatch OWNER/REPO EVENT_TYPE [--payload JSON | --payload-file PATH | --payload-file -]
//! octodeploy completions bash|zsh|fish|elvish|powershell
//! ```
//!
//! Global options (before or after the command): `--api-url URL` (else
//! `GITHUB_API_URL`, else `https://GH_HOST/api/v3`, else
//! `https://api.github.com`), `--token TOKEN` (else `GH_TOKEN`/`GITHUB_TOKEN`,
//! or only `GH_ENTERPRISE_TOKEN`/`GITHUB_ENTERPRISE_TOKEN` for a GHES `GH_HOST`),
//! `--output json|table|jsonl` (default: table on a terminal, else JSON),
//! `--retries N`/`--no-retry`, `--timeout DURATION`, `--max-wait DURATION`,
//! `--backoff DURATION` (each also as an `OCTODEPLOY_*` variable),
//! `-v`/`-vv`/`-vvv` (logs on standard error).
//!
//! # Exit codes
//!
//! The table is `exit::CODES` (in `exit.rs`); `--help` and the README's
//! table are generated from it.
//!
//! Errors go to standard error as one `error: ...` line with GitHub's
//! message, field errors, `documentation_url` and `X-GitHub-Request-Id`,
//! possibly followed by `hint: ...` lines. The token is never printed: every
//! token the process knows of (flag and environment) is redacted from error
//! messages, clap's messages and logs.
//!
//! # Output
//!
//! `--output json` prints a status object (`status get`, `status create`),
//! an array of statuses (`status list`) or
//! `{"ok": true, "action": ..., "repository": ..., "request_id": ...}`
//! (`deployment delete`, `dispatch`). `--output table` prints aligned
//! columns `ID STATE ENVIRONMENT CREATED CREATOR DESCRIPTION`, or a
//! sentence for delete and dispatch. `--output jsonl` prints the same
//! objects compactly, one per line. `status list --all` writes each status
//! as it arrives (see [`output::StatusList`]): memory does not grow with the
//! number of statuses.

mod cli;
mod error;
mod exit;
mod github_output;
mod output;
mod payload;
mod redact;
mod run;
mod text;

fn main() -> std::process::ExitCode {
    run::main()
}
