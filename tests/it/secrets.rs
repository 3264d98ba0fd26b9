//! Secrets stay secret: the token never appears in Debug output, error
//! messages or logs, across a retried success and an error. The check runs in
//! a process of its own (this test binary started again for that one test):
//! tracing caches callsite interest per process, so a scoped subscriber must
//! not share the process with tests that run without one.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use octodeploy::{Client, Clock, RetryPolicy};
use octodeploy_replay::{REPLAY_TOKEN, ReplayServer};

/// Retries without sleeping.
#[derive(Debug)]
struct NoSleep;

impl Clock for NoSleep {
    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000)
    }
    fn sleep(&self, _: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(async {})
    }
}

fn client(replay: &ReplayServer) -> Client {
    Client::builder()
        .base_url(replay.base_url())
        .token(REPLAY_TOKEN)
        .retry(RetryPolicy::default())
        .clock(Arc::new(NoSleep))
        .build()
        .unwrap()
}

async fn replay(name: &str) -> ReplayServer {
    ReplayServer::for_scenario(name).await.unwrap()
}

/// Runs [`the_token_never_appears_in_debug_errors_or_logs_alone`] alone in a
/// fresh process of this test binary, and fails with its output if it fails.
#[test]
fn the_token_never_appears_in_debug_errors_or_logs() {
    let name = "secrets::the_token_never_appears_in_debug_errors_or_logs_alone";
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--ignored", "--test-threads=1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{name} in its own process: {}\n{stdout}\n{stderr}",
        out.status
    );
}

#[tokio::test]
#[ignore = "run in its own process by the_token_never_appears_in_debug_errors_or_logs"]
async fn the_token_never_appears_in_debug_errors_or_logs_alone() {
    use tracing_subscriber::fmt::MakeWriter;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl<'a> MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Buf {
            self.clone()
        }
    }

    let logs = Buf::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let r = replay("get-status-retry-after-502").await;
    let c = client(&r);
    c.repo("octo-org", "deploy-demo")
        .deployment(42)
        .status(1187)
        .await
        .unwrap();
    r.finish();
    let r = replay("bad-credentials").await;
    let err = client(&r)
        .repo("octo-org", "deploy-demo")
        .deployment(42)
        .status(1187)
        .await
        .unwrap_err();
    r.finish();

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("github.request") && logs.contains("attempt=2"),
        "{logs}"
    );
    assert!(
        logs.contains("request_id=\"003C:D1AE:547813:8F47C1:683F0EE2\""),
        "{logs}"
    );
    for text in [format!("{c:?}"), format!("{err:?}"), err.to_string(), logs] {
        assert!(!text.contains(REPLAY_TOKEN), "token leaked: {text}");
    }
}
