//! `cargo xtask drift` as a CI tool: exit 0 when nothing is unacknowledged,
//! 1 for unacknowledged drift (the report still printed, `--json` included),
//! 2 for usage/IO/parse errors, `--report` never failing on drift, and
//! messages that say their cause once.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use super::checkouts::{checkout, xtask};

fn drift(cwd: &Path, args: &[&str]) -> Output {
    xtask(cwd).arg("drift").args(args).output().unwrap()
}

/// A copy of the checkout's fragment with one more response status.
fn changed(dir: &Path) -> String {
    let mut spec: Value =
        serde_json::from_slice(&std::fs::read(dir.join("openapi/fragment.json")).unwrap()).unwrap();
    let responses = spec["paths"]["/repos/{owner}/{repo}/dispatches"]["post"]["responses"]
        .as_object_mut()
        .unwrap();
    responses.insert(
        "404".into(),
        serde_json::json!({"description": "Not found"}),
    );
    let path = dir.join("changed.json");
    std::fs::write(&path, spec.to_string()).unwrap();
    path.display().to_string()
}

#[test]
fn no_drift_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let ws = checkout(dir.path());
    let out = drift(&ws, &["--against", "openapi/fragment.json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "# drift: none\n");
}

#[test]
fn unacknowledged_drift_exits_1_and_json_still_prints_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let ws = checkout(dir.path());
    let against = changed(&ws);
    let out = drift(&ws, &["--against", &against, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["unacknowledged"], 1);
    assert_eq!(report["changes"][0]["acknowledged"], false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--bless"), "{stderr}");

    // --report: same report, a warning, exit 0.
    let out = drift(
        &ws,
        &["--against", &against, "--report", "--format", "markdown"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("## API drift:"));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("warning: "));

    // Blessed, it passes; the flags say so.
    assert_eq!(
        drift(&ws, &["--against", &against, "--bless"])
            .status
            .code(),
        Some(0)
    );
    let out = drift(&ws, &["--against", &against, "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["changes"][0]["acknowledged"], true);
}

#[test]
fn errors_exit_2_and_say_their_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let ws = checkout(dir.path());
    let out = drift(&ws, &["--against", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing.json"), "{stderr}");
    let cause = std::io::Error::from(std::io::ErrorKind::NotFound).to_string();
    let os_error = stderr.matches("(os error 2)").count();
    assert_eq!(os_error, 1, "cause repeated ({cause}): {stderr}");

    std::fs::write(ws.join("broken.json"), "{").unwrap();
    let out = drift(&ws, &["--against", "broken.json"]);
    assert_eq!(out.status.code(), Some(2));

    // Usage errors are clap's: 2 as well.
    let out = drift(&ws, &["--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
}
