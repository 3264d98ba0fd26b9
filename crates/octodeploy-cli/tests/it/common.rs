//! Running the real `octodeploy` binary from tests: a clean environment (no
//! GITHUB_*/GH_* or proxy variables from the developer's shell), optional
//! standard input, a time limit, and a check on every run that no token
//! ever reaches standard output or standard error.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// The token the tests configure: distinctive, so a leak is easy to spot.
pub const TOKEN: &str = "ghp_octodeployCliTest0123456789SECRETxyz";

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_octodeploy");

/// An `octodeploy` invocation being put together.
#[derive(Debug, Clone, Default)]
pub struct Cli {
    args: Vec<String>,
    envs: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
    secrets: Vec<String>,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Panics with both streams unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics unless standard error contains each of `needles`.
    #[track_caller]
    pub fn expect_stderr(&self, needles: &[&str]) -> &Self {
        for n in needles {
            assert!(
                self.stderr.contains(n),
                "stderr lacks {n:?}:\n{}",
                self.stderr
            );
        }
        self
    }
}

/// `octodeploy` with nothing configured.
pub fn octodeploy() -> Cli {
    Cli {
        secrets: vec![TOKEN.to_owned()],
        ..Cli::default()
    }
}

/// `octodeploy --api-url BASE --token TOKEN` (JSON output unless a later
/// `--output` says otherwise: standard output is a pipe here anyway).
pub fn against(base_url: &str) -> Cli {
    octodeploy().args(["--api-url", base_url, "--token", TOKEN])
}

impl Cli {
    /// Appends arguments.
    pub fn args<S: AsRef<str>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable (everything else is cleared).
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.envs.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Feeds `bytes` to standard input (otherwise it is empty).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Another string that must never be printed.
    pub fn secret(mut self, secret: &str) -> Self {
        self.secrets.push(secret.to_owned());
        self
    }

    /// Runs the binary (at most 60 s) and checks that no secret was printed.
    pub async fn run(self) -> Run {
        let mut cmd = Command::new(BIN);
        cmd.env_clear()
            // Backoffs of 0 ms: retries are exercised without real waiting.
            .env("OCTODEPLOY_BACKOFF", "0s")
            .args(&self.args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("spawn octodeploy");
        let mut stdin = child.stdin.take().expect("stdin");
        let input = self.stdin.clone().unwrap_or_default();
        tokio::spawn(async move {
            let _ = stdin.write_all(&input).await;
            // Dropping closes the pipe: end of input.
        });
        let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("octodeploy did not finish within 60 s")
            .expect("wait for octodeploy");
        let run = Run {
            code: output
                .status
                .code()
                .expect("exited, not killed by a signal"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        for secret in &self.secrets {
            assert!(
                !run.stdout.contains(secret.as_str()) && !run.stderr.contains(secret.as_str()),
                "a secret was printed by `octodeploy {}`:\nstdout:\n{}\nstderr:\n{}",
                self.args.join(" "),
                run.stdout,
                run.stderr
            );
        }
        run
    }
}
