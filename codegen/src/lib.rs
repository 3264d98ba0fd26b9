//! octodeploy's code generation, as a library so that `xtask` stays a thin
//! command line and the checks also run as plain `#[test]`s.
//!
//! The pipeline is: an upstream GitHub OpenAPI description →
//! [`extract`] (the checked-in fragment, verbatim) → [`fixups`] (corrections
//! as code, in memory) → [`generate`] (progenitor, formatted with
//! prettyplease) → `crates/octodeploy-api/src/lib.rs`. [`drift`] compares the
//! fragment with newer descriptions.

pub mod ci;
pub mod contract;
pub mod diff;
/// Semantic drift between the fragment and another GitHub description.
pub mod drift;
pub mod error;
pub mod extract;
pub mod fixups;
pub mod generate;
pub mod inputs;
pub mod npm;
pub mod operations;
pub mod provenance;
pub mod workspace;

pub use error::Error;
pub use workspace::Workspace;

pub use ci::{DRIFT_TARGETS as CI_DRIFT_TARGETS, DriftTarget};
