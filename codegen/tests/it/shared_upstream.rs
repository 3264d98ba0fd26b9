//! The `../shared/upstream` descriptions the drift tests compare (GHES 3.0
//! and 3.22 subsets, a full `@octokit/openapi` file): found beside the
//! repository, or the calling test is skipped, by name, when they are not
//! there (see `codegen::inputs::shared_for_test`).

use std::path::{Path, PathBuf};

use serde_json::Value;

/// `../shared/upstream/<path>`, or `None` (the test is skipped, by name)
/// when `../shared` is not there.
pub(crate) fn shared_opt(path: &str) -> Option<PathBuf> {
    codegen::inputs::shared_for_test(
        &format!("drift test on {path}"),
        &format!("upstream/{path}"),
    )
}

pub(crate) fn shared(path: &str) -> PathBuf {
    shared_opt(path).unwrap_or_default()
}

/// Skips the calling test unless every named `../shared/upstream` file is there.
macro_rules! needs_shared {
    ($($path:expr),+) => {
        if [$($path),+].into_iter().any(|p| $crate::shared_upstream::shared_opt(p).is_none()) {
            return;
        }
    };
}
pub(crate) use needs_shared;

pub(crate) fn read(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}
