//! The hostile loopback server of the fault matrix: raw TCP on 127.0.0.1,
//! so every byte (or the lack of one) is the test's choice, and a log of
//! every request it saw. Also the clock that waits without sleeping and a
//! client pointed at the server.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use octodeploy::{Client, ClientBuilder, Clock, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// The request target (`/api/v3/repos/…?page=2`).
    pub target: String,
    /// The request head, lowercased (for header checks).
    pub head: String,
    pub body: Vec<u8>,
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Writes these bytes, then closes.
    Raw(Vec<u8>),
    /// Writes these bytes, then resets the connection (RST, not FIN).
    ThenReset(Vec<u8>),
    /// Writes the head, then the body one chunk per `every` (virtual time),
    /// then closes.
    Drip {
        head: Vec<u8>,
        chunks: Vec<Vec<u8>>,
        every: Duration,
    },
    /// Never answers.
    Hang,
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// A server answering each request with what `handler` says; the second
/// argument counts requests from 0.
pub struct Hostile {
    pub base: String,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Hostile {
    pub async fn start(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/api/v3", listener.local_addr().unwrap());
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let (l, h) = (log.clone(), handler.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, l.clone(), h.clone()));
            }
        });
        Hostile { base, log }
    }

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

async fn serve(mut stream: TcpStream, log: Arc<Mutex<Vec<Seen>>>, handler: Arc<Handler>) {
    let Some(seen) = read_request(&mut stream).await else {
        return;
    };
    let n = {
        let mut log = log.lock().unwrap();
        log.push(seen.clone());
        log.len() - 1
    };
    match handler(&seen, n) {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Reply::ThenReset(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Reply::Drip {
            head,
            chunks,
            every,
        } => {
            let _ = stream.write_all(&head).await;
            for chunk in chunks {
                tokio::time::sleep(every).await;
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
            }
            let _ = stream.shutdown().await;
        }
        Reply::Hang => std::future::pending::<()>().await,
    }
}

/// Reads one request: the head up to the blank line, then `content-length`
/// bytes of body.
async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.lines();
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let length: usize = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        method,
        target,
        head: head.to_ascii_lowercase(),
        body,
    })
}

/// An HTTP/1.1 answer with `content-length` and `connection: close`.
pub fn http(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = head(status, headers);
    out.truncate(out.len() - 2);
    out.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// A status line and headers (plus `connection: close`), without any
/// length: a body after it ends when the connection does.
pub fn head(status: u16, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} Whatever\r\nconnection: close\r\n").into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// JSON of a deployment status as GitHub sends it.
pub fn status_json(id: i64) -> serde_json::Value {
    serde_json::json!({
        "url": format!("https://ghe.example.com/api/v3/repos/o/r/deployments/1/statuses/{id}"),
        "id": id,
        "node_id": "DES_x",
        "state": "success",
        "creator": null,
        "description": "Deployed",
        "environment": "production",
        "target_url": "",
        "log_url": "",
        "environment_url": "",
        "created_at": "2025-06-01T12:00:00Z",
        "updated_at": "2025-06-01T12:00:00Z",
        "deployment_url": "https://ghe.example.com/api/v3/repos/o/r/deployments/1",
        "repository_url": "https://ghe.example.com/api/v3/repos/o/r",
        "performed_via_github_app": null
    })
}

pub fn json_reply(status: u16, value: &serde_json::Value) -> Vec<u8> {
    http(
        status,
        &[("content-type", "application/json; charset=utf-8")],
        value.to_string().as_bytes(),
    )
}

/// A clock at a fixed instant whose sleeps return at once and are kept.
#[derive(Debug)]
pub struct TestClock {
    pub now: SystemTime,
    pub slept: Mutex<Vec<Duration>>,
}

impl Default for TestClock {
    fn default() -> Self {
        TestClock {
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000),
            slept: Mutex::default(),
        }
    }
}

impl TestClock {
    pub fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        self.now
    }
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.slept.lock().unwrap().push(d);
        Box::pin(async {})
    }
}

/// A builder for a client of `server`: token, no jitter, two retries, the
/// test clock, a 5 s timeout.
pub fn builder(server: &Hostile, clock: &Arc<TestClock>) -> ClientBuilder {
    Client::builder()
        .base_url(&server.base)
        .token("hostile-test-token")
        .retry(RetryPolicy::default().jitter(false).max_retries(2))
        .timeout(Some(Duration::from_secs(5)))
        .clock(clock.clone())
}
