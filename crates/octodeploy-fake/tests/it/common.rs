//! Helpers shared by the integration tests: a loopback-only reqwest client
//! and a response type that keeps status, headers and body together.

use reqwest::header::HeaderMap;
use reqwest::{Client, RequestBuilder};
use serde_json::Value;

/// A client that never uses a proxy (everything here is 127.0.0.1).
pub fn client() -> Client {
    Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

/// A response, fully read.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    /// The body as JSON (`Value::Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A header parsed as a number.
    pub fn header_num(&self, name: &str) -> i64 {
        self.header(name)
            .unwrap_or_else(|| panic!("missing header {name}"))
            .parse()
            .unwrap()
    }

    /// The `Link` header as `(rel, url)` pairs, in order.
    pub fn links(&self) -> Vec<(String, String)> {
        let Some(link) = self.header("link") else {
            return Vec::new();
        };
        link.split(", ")
            .map(|part| {
                let (url, rel) = part.split_once("; ").expect("<url>; rel=\"x\"");
                let url = url
                    .strip_prefix('<')
                    .and_then(|u| u.strip_suffix('>'))
                    .unwrap();
                let rel = rel
                    .strip_prefix("rel=\"")
                    .and_then(|r| r.strip_suffix('"'))
                    .unwrap();
                (rel.to_owned(), url.to_owned())
            })
            .collect()
    }

    /// The URL of one `Link` relation.
    pub fn link(&self, rel: &str) -> Option<String> {
        self.links()
            .into_iter()
            .find(|(r, _)| r == rel)
            .map(|(_, url)| url)
    }
}

/// Sends a request and reads the whole response.
pub async fn send(request: RequestBuilder) -> Resp {
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body read");
    Resp {
        status,
        headers,
        text,
    }
}

/// `GET url`.
pub async fn get(client: &Client, url: &str) -> Resp {
    send(client.get(url)).await
}

/// `POST url` with a JSON body.
pub async fn post(client: &Client, url: &str, body: &Value) -> Resp {
    send(client.post(url).json(body)).await
}

/// `DELETE url`.
pub async fn delete(client: &Client, url: &str) -> Resp {
    send(client.delete(url)).await
}

/// `{base}/repos/{owner}/{repo}/deployments/{id}/statuses`.
pub fn statuses_url(base: &str, owner: &str, repo: &str, deployment: u64) -> String {
    format!("{base}/repos/{owner}/{repo}/deployments/{deployment}/statuses")
}

/// `{base}/repos/{owner}/{repo}/deployments/{id}`.
pub fn deployment_url(base: &str, owner: &str, repo: &str, deployment: u64) -> String {
    format!("{base}/repos/{owner}/{repo}/deployments/{deployment}")
}
