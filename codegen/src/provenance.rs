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
    /// The upstream's `info.title`.
    pub info_title: String,
    /// The upstream's `info.version`.
    pub info_version: String,
    /// The upstream's `openapi` version.
    pub openapi_version: String,
    /// sha256 of the upstream file's bytes, lowercase hex.
    pub sha256: String,
    /// Where the file comes from and how to get it: [`PINNED_SOURCE`] for
    /// the pinned upstream, otherwise what was given.
    pub source: String,
    /// Keys removed while extracting because they are not GitHub's
    /// (e.g. `x-octokit`, added by `@octokit/openapi`), with counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stripped: Vec<String>,
    /// The operations the fragment holds.
    pub operations: Vec<String>,
}

/// The pinned upstream's file name.
pub const PINNED_FILE: &str = "ghes-3.0.json";

/// The pinned upstream's sha256 (lowercase hex).
pub const PINNED_SHA256: &str = "5f904a57caecf3afc6bbc86cefd5e7ebb99ce683d30442e41c2f6c2a7132c54b";

/// Where the pinned upstream comes from; written into provenance.json
/// when the pinned file (by sha256) is what was extracted from.
pub const PINNED_SOURCE: &str = "github/rest-api-description descriptions/ghes-3.0/ghes-3.0.json \
as frozen on 2022-06-14, obtained via octokit/openapi cache/ghes-3.0.json at commit \
1e488a22e7407875d13e9a2fb0f9a5a58cd2f263 (see ../shared/upstream/SOURCE.md)";

impl Provenance {
    /// Describes `upstream` (its bytes and parsed value) at `path`: what was
    /// actually given, and the pinned source only when it is the pinned file.
    pub fn describe(
        path: &Path,
        bytes: &[u8],
        upstream: &serde_json::Value,
        ops: &[&str],
        stripped: Vec<String>,
    ) -> Self {
        let text = |p: &str| {
            upstream
                .pointer(p)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let upstream_file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let sha256 = sha256_hex(bytes);
        let (title, version) = (text("/info/title"), text("/info/version"));
        let source = if sha256 == PINNED_SHA256 {
            PINNED_SOURCE.to_owned()
        } else {
            format!(
                "{upstream_file} as given to `cargo xtask extract` (info: {title:?} {version:?}); \
                 not the pinned upstream {PINNED_FILE} (sha256 {PINNED_SHA256})"
            )
        };
        Provenance {
            upstream_file,
            info_title: title,
            info_version: version,
            openapi_version: text("/openapi"),
            sha256,
            source,
            stripped,
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
