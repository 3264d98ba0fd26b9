//! What `cargo xtask ci` checks against inputs from outside the repository,
//! and which of them can run here: the plan names every such check and,
//! for each, the file it reads or why it is skipped. With `../shared`
//! nothing is skipped; without it, drift runs against the npm registry's
//! `@octokit/openapi` ([`crate::npm`]) and the checks whose input has no
//! public source (the pinned `ghes-3.0.json` is in no `@octokit/openapi`
//! version the npm registry serves; the GHES 3.22 subset was assembled by
//! hand) are skipped by name. GHES 2.22 (an older server than the
//! fragment's) is only on npm, so its drift check always reads the npm
//! cache, and is skipped by name when the registry cannot be reached.

use std::path::{Path, PathBuf};

use crate::inputs::shared_dir;

/// A description CI checks drift against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriftTarget {
    /// Its path relative to the `shared` folder beside the repository,
    /// when `../shared` holds it.
    pub shared: Option<&'static str>,
    /// Whether it holds only some operations (see `DriftOptions::subset`).
    pub subset: bool,
    /// Its file name in [`crate::npm`]'s cache, when the npm registry has it.
    pub npm: Option<&'static str>,
}

/// The descriptions CI checks drift against: the newest GHES and
/// github.com as five-operation subsets, the newest full files (all
/// operations the fragment holds) from `@octokit/openapi` 23.0.2, and the
/// older GHES 2.22 from `@octokit/openapi` 2.2.1.
pub const DRIFT_TARGETS: [DriftTarget; 5] = [
    DriftTarget {
        shared: Some("upstream/ghes-3.22.subset.json"),
        subset: true,
        npm: None,
    },
    DriftTarget {
        shared: Some("upstream/api.github.com.subset.json"),
        subset: true,
        npm: None,
    },
    DriftTarget {
        shared: Some("upstream/octokit-openapi-23.0.2/ghes-3.19.json"),
        subset: false,
        npm: Some("ghes-3.19.json"),
    },
    DriftTarget {
        shared: Some("upstream/octokit-openapi-23.0.2/api.github.com.json"),
        subset: false,
        npm: Some("api.github.com.json"),
    },
    DriftTarget {
        shared: None,
        subset: false,
        npm: Some("ghes-2.22.json"),
    },
];

impl DriftTarget {
    /// Its file name, as checks are named.
    pub fn file_name(&self) -> &'static str {
        let path = self.shared.or(self.npm).unwrap_or_default();
        path.rsplit('/').next().unwrap_or(path)
    }
}

/// The pinned upstream, relative to `shared`.
pub const PINNED_UPSTREAM: &str = "upstream/ghes-3.0.json";

/// What a check will read, or why it cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// From `../shared`.
    Shared(PathBuf),
    /// From the npm registry (to be fetched into, or found in, the cache).
    Npm(&'static str),
    /// Skipped: its input cannot be had here.
    Skipped(String),
}

/// One external-input check of `cargo xtask ci`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Its name, as printed (`extract --check`, `drift --against ...`).
    pub name: String,
    /// Where its input comes from.
    pub source: Source,
    /// For drift checks: the target.
    pub drift: Option<DriftTarget>,
}

/// The plan for the checkout at `root`: with `../shared` present every
/// check reads it; without, npm-backed drift checks read the npm cache and
/// the others are skipped, each saying why.
pub fn plan(root: &Path) -> Vec<Check> {
    let shared = shared_dir(root);
    let here = shared.is_dir();
    let pinned = shared.join(PINNED_UPSTREAM);
    let mut checks = vec![Check {
        name: "extract --check (fragment vs the pinned ghes-3.0.json)".to_owned(),
        source: if here && pinned.is_file() {
            Source::Shared(pinned)
        } else {
            Source::Skipped(format!(
                "{} is not present; the pinned ghes-3.0.json is in no @octokit/openapi version \
                 the npm registry serves (see openapi/README.md for where to get it)",
                pinned.display()
            ))
        },
        drift: None,
    }];
    for target in DRIFT_TARGETS {
        let path = target.shared.map(|p| shared.join(p));
        let source = match (path, target.npm) {
            (Some(path), _) if path.is_file() => Source::Shared(path),
            (_, Some(file)) => Source::Npm(file),
            (path, None) => Source::Skipped(format!(
                "{} is not present and has no public source",
                path.unwrap_or_default().display()
            )),
        };
        checks.push(Check {
            name: format!(
                "drift --against {}{}",
                target.file_name(),
                if target.subset { " --subset" } else { "" }
            ),
            source,
            drift: Some(target),
        });
    }
    checks
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A clone without `../shared`: drift on npm, the rest skipped by name.
    #[test]
    fn without_shared_npm_backs_drift_and_the_rest_is_skipped_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("octodeploy");
        std::fs::create_dir_all(&root).unwrap();
        let checks = plan(&root);
        let skipped: Vec<&str> = checks
            .iter()
            .filter(|c| matches!(c.source, Source::Skipped(_)))
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            skipped,
            [
                "extract --check (fragment vs the pinned ghes-3.0.json)",
                "drift --against ghes-3.22.subset.json --subset",
                "drift --against api.github.com.subset.json --subset",
            ]
        );
        let npm: Vec<&Source> = checks
            .iter()
            .map(|c| &c.source)
            .filter(|s| matches!(s, Source::Npm(_)))
            .collect();
        assert_eq!(
            npm,
            [
                &Source::Npm("ghes-3.19.json"),
                &Source::Npm("api.github.com.json"),
                &Source::Npm("ghes-2.22.json")
            ]
        );
        for check in &checks {
            if let Source::Skipped(why) = &check.source {
                assert!(why.contains("not present"), "{}: {why}", check.name);
            }
        }
    }

    /// With `../shared`, nothing is skipped and only what `../shared` does
    /// not hold (GHES 2.22) comes from npm.
    #[test]
    fn with_shared_nothing_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("octodeploy");
        std::fs::create_dir_all(&root).unwrap();
        let shared = dir.path().join("shared");
        let files = DRIFT_TARGETS.iter().filter_map(|t| t.shared);
        for file in std::iter::once(PINNED_UPSTREAM).chain(files) {
            let path = shared.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "{}").unwrap();
        }
        let checks = plan(&root);
        assert_eq!(checks.len(), 1 + DRIFT_TARGETS.len());
        let from: Vec<(&str, bool)> = checks
            .iter()
            .map(|c| (c.name.as_str(), matches!(c.source, Source::Shared(_))))
            .collect();
        assert_eq!(
            from,
            [
                (
                    "extract --check (fragment vs the pinned ghes-3.0.json)",
                    true
                ),
                ("drift --against ghes-3.22.subset.json --subset", true),
                ("drift --against api.github.com.subset.json --subset", true),
                ("drift --against ghes-3.19.json", true),
                ("drift --against api.github.com.json", true),
                ("drift --against ghes-2.22.json", false),
            ]
        );
        assert_eq!(checks[5].source, Source::Npm("ghes-2.22.json"));
    }
}
