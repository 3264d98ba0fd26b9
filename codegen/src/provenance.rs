//! Provenance: which upstream description the fragment was cut from, so the
//! fragment can be re-derived and checked (`cargo xtask extract --check`).

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, workspace};

/// The contents of `openapi/provenance.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The upstream file's name (not its path: that differs per machine).
    pub upstream_file: String,
    /// The upstream's `info.version`.
    pub info_version: String,
    /// The upstream's `openapi` version.
    pub openapi_version: String,
    /// sha256 of the upstream file's bytes, lowercase hex.
    pub sha256: String,
    /// Where the file comes from and how to get it.
    pub source: String,
    /// The operations the fragment holds.
    pub operations: Vec<String>,
}

/// Where the pinned upstream comes from; written into provenance.json.
pub const PINNED_SOURCE: &str = "github/rest-api-description descriptions/ghes-3.0/ghes-3.0.json \
as frozen on 2022-06-14, obtained via octokit/openapi cache/ghes-3.0.json at commit \
1e488a22e7407875d13e9a2fb0f9a5a58cd2f263 (see ../shared/upstream/SOURCE.md)";

impl Provenance {
    /// Describes `upstream` (its bytes and parsed value) at `path`.
    pub fn describe(path: &Path, bytes: &[u8], upstream: &serde_json::Value, ops: &[&str]) -> Self {
        let text = |p: &str| {
            upstream
                .pointer(p)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Provenance {
            upstream_file: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            info_version: text("/info/version"),
            openapi_version: text("/openapi"),
            sha256: sha256_hex(bytes),
            source: PINNED_SOURCE.to_owned(),
            operations: ops.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Reads `openapi/provenance.json`.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let text = workspace::read_text(path)?;
        serde_json::from_str(&text).map_err(|source| Error::Json {
            path: path.to_owned(),
            source,
        })
    }

    /// The canonical text of the file.
    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
