//! Tests of the replay harness itself, one module per part: request matching
//! and failure reports, cassette validation and format, and the recorder.
//! Shared here: a small two-interaction cassette and the requests it expects.

use octodeploy_replay::{Cassette, ReplayError};
use serde_json::json;

mod cassette_format;
mod matching;
mod recording;
mod recording_secrets;

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

pub(crate) const STATUS_ACCEPT: &str = "application/vnd.github+json, application/vnd.github.ant-man-preview+json, application/vnd.github.flash-preview+json";
pub(crate) const STATUSES: &str = "/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses";

/// A two-interaction GHES cassette: list one page, then create an inactive status.
pub(crate) fn two_step() -> Result<Cassette, ReplayError> {
    Cassette::from_json(
        &json!({
            "scenario": "harness-two-step",
            "description": "Harness test cassette.",
            "base_path": "/api/v3",
            "interactions": [
                {
                    "request": {
                        "method": "GET",
                        "path": STATUSES,
                        "query": {"per_page": "2"},
                        "headers": {
                            "accept": STATUS_ACCEPT,
                            "x-github-api-version": "2022-11-28",
                            "authorization": "<redacted>"
                        },
                        "body": null
                    },
                    "response": {
                        "status": 200,
                        "headers": [
                            ["content-type", "application/json; charset=utf-8"],
                            ["vary", "Accept, Authorization, Cookie, X-GitHub-OTP"],
                            ["vary", "Accept-Encoding, Accept, X-Requested-With"],
                            ["x-github-request-id", "C1A4:2F7B:9D3E21:A0B7C4:65F0C2D1"]
                        ],
                        "body": [{"id": 1187, "state": "success", "url": "{{base}}/api/v3/repos/octo-org/deploy-demo/deployments/42/statuses/1187"}]
                    }
                },
                {
                    "note": "deactivate",
                    "request": {
                        "method": "POST",
                        "path": STATUSES,
                        "headers": {"content-type": "application/json", "authorization": "<redacted>"},
                        "body": {"state": "inactive", "description": "Deactivated"}
                    },
                    "response": {"status": 201, "headers": [["content-type", "application/json; charset=utf-8"]], "body": {"id": 1188, "state": "inactive"}}
                }
            ]
        })
        .to_string(),
    )
}

/// A plain HTTP client.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::new()
}
