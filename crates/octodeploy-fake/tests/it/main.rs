//! The fake's one integration-test binary: its HTTP surface exercised over
//! 127.0.0.1 with a plain HTTP client, one module per concern. New integration
//! tests go into a module here (`tests/it/<topic>.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

mod app;
mod auth_and_headers;
mod auto_inactive;
mod bounds;
mod common;
mod delete;
mod deployments;
mod dispatch;
mod faults;
mod pagination;
mod request_log;
mod seed_and_binary;
mod statuses;
