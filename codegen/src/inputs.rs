//! Inputs that live outside the repository: the `shared` folder beside it
//! (the pinned upstream and the subsets, which have no public source) and
//! GitHub's descriptions as the npm registry serves them in
//! `@octokit/openapi` (see [`crate::npm`]). A check whose input cannot be
//! had is *skipped by name*, never silently; with
//! [`REQUIRE_SHARED_ENV`] set (what `cargo xtask ci` does when `../shared`
//! exists), a missing input is a failure instead.

use std::path::{Path, PathBuf};

/// When set (to anything), tests and checks fail instead of skipping when
/// a `../shared` input is missing.
pub const REQUIRE_SHARED_ENV: &str = "OCTODEPLOY_REQUIRE_SHARED";

/// The `shared` folder beside the repository at `root`.
pub fn shared_dir(root: &Path) -> PathBuf {
    root.parent().unwrap_or(root).join("shared")
}

/// What to do about an input file: use it, or skip the check that needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The file exists.
    Present(PathBuf),
    /// It does not, and skipping is allowed: the check named is skipped.
    Skipped {
        /// The check.
        check: String,
        /// The missing file.
        path: PathBuf,
    },
}

/// Decides about `path`, the input of `check`: present, skipped, or (when
/// `require` is set) an error message naming both.
pub fn decide(check: &str, path: &Path, require: bool) -> Result<Input, String> {
    if path.is_file() {
        Ok(Input::Present(path.to_owned()))
    } else if require {
        Err(format!(
            "{check}: {} is missing, and {REQUIRE_SHARED_ENV} says it must be there",
            path.display()
        ))
    } else {
        Ok(Input::Skipped {
            check: check.to_owned(),
            path: path.to_owned(),
        })
    }
}

/// Whether [`REQUIRE_SHARED_ENV`] is set.
pub fn required() -> bool {
    std::env::var_os(REQUIRE_SHARED_ENV).is_some()
}

/// For tests: `../shared/<relative>` of this repository, or `None` after
/// printing `skipped: <check> (...)` when it is missing; panics when it is
/// missing and [`REQUIRE_SHARED_ENV`] is set.
pub fn shared_for_test(check: &str, relative: &str) -> Option<PathBuf> {
    let root = crate::Workspace::from_build();
    let path = shared_dir(root.root()).join(relative);
    match decide(check, &path, required()) {
        Ok(Input::Present(path)) => Some(path),
        Ok(Input::Skipped { check, path }) => {
            eprintln!("skipped: {check} ({} is not present)", path.display());
            None
        }
        Err(message) => panic!("{message}"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_missing_input_is_skipped_by_name_unless_required() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("shared/upstream/ghes-3.0.json");
        assert_eq!(
            decide("extract --check", &missing, false).unwrap(),
            Input::Skipped {
                check: "extract --check".into(),
                path: missing.clone()
            }
        );
        let err = decide("extract --check", &missing, true).unwrap_err();
        assert!(
            err.contains("extract --check") && err.contains("ghes-3.0.json"),
            "{err}"
        );
        std::fs::create_dir_all(missing.parent().unwrap()).unwrap();
        std::fs::write(&missing, "{}").unwrap();
        assert_eq!(
            decide("extract --check", &missing, true).unwrap(),
            Input::Present(missing)
        );
    }
}
