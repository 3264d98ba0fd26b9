//! The code generation pipeline's one integration-test binary: the checked-in
//! outputs are what the pipeline produces, and the drift checker classifies
//! changes between descriptions. New integration tests go into a module here.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

mod checked_in;
mod drift_classification;
mod drift_equivalences;
mod drift_openapi_31;
mod drift_real_descriptions;
mod drift_redirects;
mod drift_snapshots;
mod shared_upstream;
