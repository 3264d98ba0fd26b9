//! The CLI's one integration-test binary: the real `octodeploy` executable run
//! against the fake, against recorded traffic (the replay server of the
//! top-level `tests/` package; it runs here because only this package can name
//! the binary) and on a terminal. New integration tests go into a module here.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

mod app;
mod cli;
mod common;
mod deployments;
mod fake;
mod limits;
mod outcome;
mod replay;
mod server_text;
mod streaming;
mod terminal;
