//! The library's one integration-test binary: flows against the in-memory
//! GitHub, and the request and response types held against GitHub's contract.
//! New integration tests go into a module here (`tests/it/<topic>.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

mod against_fake;
mod app_auth;
mod auth;
mod deployments;
mod faults;
mod fuzz_bodies;
mod lifecycle_support;
mod prune;
mod request_contract;
mod spec_examples;
mod wait;
