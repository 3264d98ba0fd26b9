//! The recorded-traffic test binary (the only one of this package): the replay
//! harness's own tests, checks over every cassette, the library replayed
//! against the cassettes, the contract held against recordings and the fake,
//! and secrets. (The CLI's replay tests live in the CLI package, which alone
//! can name its binary.) New tests go into a module here.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

mod cassettes;
mod client;
mod contract;
mod deployments;
mod harness;
mod secrets;
