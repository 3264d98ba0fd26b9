//! `octodeploy-fake`: run the in-memory GitHub fake as a server, to try the
//! octodeploy CLI without GitHub.
//!
//! ```text
//! octodeploy-fake --port 8080 --seed demo
//! octodeploy-fake --port 8080 --deployer queued=0s,in_progress=2s,success=5s
//! ```
//!
//! Prints the GHES-style base URL (`http://127.0.0.1:8080/api/v3`) as the
//! only line on standard output, logs each request on standard error, and
//! stops on Ctrl-C or SIGTERM. Binds to 127.0.0.1 unless `--host` says
//! otherwise.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use clap::Parser;
use octodeploy_fake::{Deployer, FakeApp, FakeGitHub, Seed};

/// An in-memory fake of GitHub's deployment-status and repository-dispatch
/// REST API (served at / and at /api/v3).
#[derive(Debug, Parser)]
#[command(name = "octodeploy-fake", version)]
struct Args {
    /// Address to listen on (loopback by default; anything else exposes the
    /// fake to the network).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Built-in data to start with: `demo` (see the crate docs) or `empty`.
    #[arg(long, default_value_t = Seed::Demo)]
    seed: Seed,
    /// Require this token (`Authorization: Bearer <token>`); without it any
    /// credentials are accepted.
    #[arg(long, env = "OCTODEPLOY_FAKE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Login of the authenticated user shown as statuses' `creator`.
    #[arg(long, default_value = "octocat")]
    user: String,
    /// Do not log requests on standard error.
    #[arg(long)]
    quiet: bool,
    /// Report statuses on every deployment created through the API, on a
    /// schedule: `STATE=DELAY,...`, each delay after the previous step
    /// (e.g. `queued=0s,in_progress=2s,success=5s`). Off by default.
    #[arg(long, value_name = "SPEC")]
    deployer: Option<Deployer>,
    /// With `--deployer`: run the script on these deployments (seeded ones
    /// included) instead of every created one. Repeatable.
    #[arg(long = "deployer-for", value_name = "ID", requires = "deployer")]
    deployer_for: Vec<u64>,
    /// Act as GitHub for this GitHub App: verify its JWTs, issue
    /// installation tokens (installation id 1, on every repository), and
    /// require authentication on every request.
    #[arg(long, value_name = "ID", requires = "github_app_public_key")]
    github_app_id: Option<u64>,
    /// With `--github-app-id`: the App's public key (PEM file).
    #[arg(long, value_name = "PATH", requires = "github_app_id")]
    github_app_public_key: Option<std::path::PathBuf>,
    /// With `--github-app-id`: how long installation tokens live, in
    /// seconds (GitHub: 3600).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 3600,
        requires = "github_app_id"
    )]
    github_app_token_lifetime: u64,
    /// With `--github-app-id`: the fake's clock runs this many seconds ahead
    /// of the machine's (negative: behind), to play a GitHub whose clock
    /// differs from the client's; its `Date` header follows it.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 0,
        allow_negative_numbers = true,
        requires = "github_app_id"
    )]
    github_app_clock_offset: i64,
}

/// The `--github-app-*` options as a [`FakeApp`], or why not.
fn github_app(args: &Args) -> Result<Option<FakeApp>, String> {
    let (Some(id), Some(path)) = (args.github_app_id, &args.github_app_public_key) else {
        return Ok(None);
    };
    let pem = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let app = FakeApp::new(id, &pem).map_err(|e| format!("{}: {e}", path.display()))?;
    let app = app.token_lifetime(std::time::Duration::from_secs(
        args.github_app_token_lifetime,
    ));
    let offset = std::time::Duration::from_secs(args.github_app_clock_offset.unsigned_abs());
    Ok(Some(if args.github_app_clock_offset >= 0 {
        app.clock_ahead(offset)
    } else {
        app.clock_behind(offset)
    }))
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let github_app = github_app(&args);
    let mut builder = FakeGitHub::builder()
        .bind(SocketAddr::new(args.host, args.port))
        .seed(args.seed)
        .user(args.user, 1)
        .access_log(!args.quiet);
    if let Some(token) = args.token {
        builder = builder.token(token);
    }
    match github_app {
        Ok(Some(app)) => builder = builder.github_app(app),
        Ok(None) => {}
        Err(message) => {
            eprintln!("octodeploy-fake: {message}");
            return ExitCode::from(2);
        }
    }
    if let Some(mut deployer) = args.deployer {
        if !args.deployer_for.is_empty() {
            deployer = deployer.only(args.deployer_for);
        }
        builder = builder.deployer(deployer);
    }
    let fake = match builder.start().await {
        Ok(fake) => fake,
        Err(error) => {
            let mut message = format!("octodeploy-fake: {error}");
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    if !args.host.is_loopback() {
        eprintln!(
            "octodeploy-fake: warning: listening on {}, reachable beyond this machine",
            args.host
        );
    }
    println!("{}", fake.base_url());
    eprintln!(
        "octodeploy-fake: seed `{}`; API at {} (GHES) and {} (github.com style); Ctrl-C to stop",
        args.seed,
        fake.base_url(),
        fake.root_url()
    );
    stop_signal().await;
    eprintln!("octodeploy-fake: stopping");
    fake.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a panic is how a test fails
    use super::*;

    #[test]
    fn the_app_clock_offset_is_signed_seconds() {
        let key = octodeploy_fake::TestAppKey::generate();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pub.pem");
        std::fs::write(&path, &key.public_pem).unwrap();
        for (given, shown) in [("-300", "clock_offset: -300"), ("90", "clock_offset: 90")] {
            let args = Args::try_parse_from([
                "octodeploy-fake",
                "--github-app-id",
                "42",
                "--github-app-public-key",
                path.to_str().unwrap(),
                "--github-app-clock-offset",
                given,
            ])
            .unwrap();
            let app = github_app(&args).unwrap().unwrap();
            assert!(format!("{app:?}").contains(shown), "{app:?}");
        }
        let without_app =
            Args::try_parse_from(["octodeploy-fake", "--github-app-clock-offset", "5"]);
        assert!(without_app.is_err(), "the offset needs an App");
    }
}
