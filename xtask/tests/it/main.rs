//! The xtask command line's one integration-test binary: exit codes and
//! output of `drift`, and that one xtask binary serves whichever checkout
//! it runs in (two checkouts sharing one target dir).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

mod checkouts;
mod drift_cli;
