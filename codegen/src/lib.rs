//! octodeploy's code generation, as a library so that `xtask` stays a thin
//! command line and the checks also run as plain `#[test]`s.
//!
//! The pipeline is: an upstream GitHub OpenAPI description →
//! [`extract`] (the checked-in fragment, verbatim) → [`fixups`] (corrections
//! as code, in memory) → [`generate`] (progenitor, formatted with
//! prettyplease) → `crates/octodeploy-api/src/lib.rs`. [`drift`] compares the
//! fragment with newer descriptions.

pub mod contract;
pub mod diff;
/// Semantic drift between the fragment and another GitHub description.
pub mod drift;
pub mod error;
pub mod extract;
pub mod fixups;
pub mod generate;
pub mod inputs;
pub mod operations;
pub mod provenance;
pub mod workspace;

pub use error::Error;
pub use workspace::Workspace;

/// A description CI checks drift against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriftTarget {
    /// Its path relative to the `shared` folder beside the repository.
    pub path: &'static str,
    /// Whether it holds only some operations (see `DriftOptions::subset`).
    pub subset: bool,
}

/// The newer descriptions CI checks drift against: the newest GHES and
/// github.com as five-operation subsets, and the newest full files (all
/// operations the fragment holds) from `@octokit/openapi` 23.0.2.
pub const CI_DRIFT_TARGETS: [DriftTarget; 4] = [
    DriftTarget {
        path: "upstream/ghes-3.22.subset.json",
        subset: true,
    },
    DriftTarget {
        path: "upstream/api.github.com.subset.json",
        subset: true,
    },
    DriftTarget {
        path: "upstream/octokit-openapi-23.0.2/ghes-3.19.json",
        subset: false,
    },
    DriftTarget {
        path: "upstream/octokit-openapi-23.0.2/api.github.com.json",
        subset: false,
    },
];
