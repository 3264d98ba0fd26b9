//! One `octodeploy status get` against `curl` fetching the same status from
//! the loopback server: wall time of the whole process (start, request,
//! decode, print, exit), alternating, medians and the median per-round ratio.
//! Both get the same headers GitHub needs; the CLI's output is checked to
//! name the status it was asked for.

use std::process::{Command, Output, Stdio};
use std::time::Instant;

use crate::decode::median;

/// The status the CLI and curl get: deployment 42 (the server's deployment id
/// is its number of statuses), status 7.
const DEPLOYMENT: u64 = 42;
const STATUS: u64 = 7;
/// A token in the shape the CLI accepts; the loopback server ignores it.
const TOKEN: &str = "ghp_bench0000000000000000000000000000000";

/// Runs both `rounds` times and prints the table. `cli` is the release
/// `octodeploy` binary.
pub fn print(cli: &str, base: &str, rounds: u32) -> Result<(), String> {
    if Command::new("curl").arg("--version").output().is_err() {
        println!("\n(curl not found: no `status get` comparison)");
        return Ok(());
    }
    let url = format!("{base}/repos/octo-org/app/deployments/{DEPLOYMENT}/statuses/{STATUS}");
    let ours = || {
        let mut c = Command::new(cli);
        c.args(["status", "get", "octo-org/app"])
            .arg(DEPLOYMENT.to_string())
            .arg(STATUS.to_string())
            .env("GITHUB_API_URL", base)
            .env("GITHUB_TOKEN", TOKEN)
            .env_remove("GH_TOKEN")
            .env_remove("GH_HOST");
        c
    };
    let curl = || {
        let mut c = Command::new("curl");
        c.args(["-sS", "--fail", "-H", "Accept: application/vnd.github+json"])
            .args(["-H", "X-GitHub-Api-Version: 2022-11-28"])
            .args(["-H", &format!("Authorization: Bearer {TOKEN}")])
            .arg(&url);
        c
    };
    // One unmeasured run each: page cache and dynamic loader warm for both.
    check(&timed(ours())?.1, "octodeploy")?;
    check(&timed(curl())?.1, "curl")?;
    let (mut ours_ms, mut curl_ms, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (a, b) = if round % 2 == 0 {
            let a = timed(ours())?;
            (a, timed(curl())?)
        } else {
            let b = timed(curl())?;
            (timed(ours())?, b)
        };
        check(&a.1, "octodeploy")?;
        check(&b.1, "curl")?;
        ours_ms.push(a.0);
        curl_ms.push(b.0);
        ratios.push(a.0 / b.0);
    }
    println!(
        "\none `status get` on loopback, wall time of the process ({rounds} rounds, alternating)"
    );
    println!("| command | ms (median) | / curl |");
    println!("| --- | --- | --- |");
    println!(
        "| curl -sS --fail (the same URL and headers) | {:.2} | 1 |",
        median(&mut curl_ms)
    );
    println!(
        "| octodeploy status get octo-org/app {DEPLOYMENT} {STATUS} | {:.2} | {:.3} |",
        median(&mut ours_ms),
        median(&mut ratios)
    );
    Ok(())
}

fn timed(mut command: Command) -> Result<(f64, Output), String> {
    let start = Instant::now();
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{command:?}: {e}"))?;
    Ok((start.elapsed().as_secs_f64() * 1000.0, out))
}

/// Both must succeed and print the status asked for (its id in its URL).
fn check(out: &Output, who: &str) -> Result<(), String> {
    let text = String::from_utf8_lossy(&out.stdout);
    let needle = format!("/statuses/{STATUS}");
    if !out.status.success() || !text.contains(&needle) {
        return Err(format!(
            "{who} did not get status {STATUS} ({}): {}{}",
            out.status,
            text.chars().take(300).collect::<String>(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}
