//! The floor: what a careful person writes by hand with reqwest and
//! serde_json — plain structs holding what `octodeploy::DeploymentStatus`
//! holds, decoded from each page, following `rel="next"`.
//!
//! The structs' fields are decoded (the work measured), not all read.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, LINK};
use serde::Deserialize;

use crate::summary::Summary;

/// A deployment status, by hand.
#[derive(Debug, Deserialize)]
pub struct Status {
    pub id: i64,
    pub node_id: Option<String>,
    pub url: String,
    pub state: String,
    pub creator: Option<User>,
    pub description: Option<String>,
    pub environment: Option<String>,
    pub target_url: Option<String>,
    pub log_url: Option<String>,
    pub environment_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deployment_url: String,
    pub repository_url: String,
    pub performed_via_github_app: Option<App>,
}

/// A user, by hand.
#[derive(Debug, Deserialize)]
pub struct User {
    pub id: i64,
    pub login: Option<String>,
    pub node_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub html_url: Option<String>,
    pub avatar_url: Option<String>,
    pub site_admin: Option<bool>,
}

/// An app, by hand.
#[derive(Debug, Deserialize)]
pub struct App {
    pub id: i64,
    pub slug: Option<String>,
    pub name: String,
    pub owner: Option<User>,
    pub html_url: Option<String>,
}

/// Streams every status of deployment `count` (the server's size knob).
pub async fn stream(base: &str, count: u64) -> Result<Summary, Box<dyn std::error::Error>> {
    // The floor's TLS is what octodeploy's default uses (ring); the loopback
    // server is plain http, but reqwest asks for a provider when it builds.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().user_agent("floor").build()?;
    let mut url = format!("{base}/repos/o/r/deployments/{count}/statuses?per_page=100");
    let mut summary = Summary::default();
    loop {
        let response = http
            .get(&url)
            .header(ACCEPT, "application/vnd.github+json")
            .header(AUTHORIZATION, "Bearer bench")
            .send()
            .await?
            .error_for_status()?;
        let next = next_link(response.headers());
        let body = response.bytes().await?;
        let page: Vec<Status> = serde_json::from_slice(&body)?;
        for s in page {
            summary.add(
                s.id,
                s.description.as_deref(),
                s.creator.as_ref().and_then(|c| c.login.as_deref()),
            );
        }
        match next {
            Some(next) => url = next,
            None => return Ok(summary),
        }
    }
}

/// The `rel="next"` URL, found the simple way.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let header = headers.get(LINK)?.to_str().ok()?;
    header.split(',').find_map(|entry| {
        let (url, rel) = entry.split_once(';')?;
        rel.contains("rel=\"next\"").then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}
