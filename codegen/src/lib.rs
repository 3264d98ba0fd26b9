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
pub mod provenance;
pub mod workspace;

pub use error::Error;
pub use workspace::Workspace;

/// The newer descriptions CI checks drift against, as paths relative to the
/// `shared` folder beside the repository.
pub const CI_DRIFT_TARGETS: [&str; 2] = [
    "upstream/ghes-3.22.subset.json",
    "upstream/api.github.com.subset.json",
];

/// The operationIds octodeploy binds, in the order the project documents them.
pub const OPERATIONS: [&str; 5] = [
    "repos/delete-deployment",
    "repos/list-deployment-statuses",
    "repos/create-deployment-status",
    "repos/get-deployment-status",
    "repos/create-dispatch-event",
];
