//! Hostile servers: the fault matrix (every misbehaviour against GET, DELETE
//! and POST), redirects, and the bounds on bodies and pages. Raw TCP on
//! loopback; retries wait on an injected clock, timeouts on tokio's paused
//! time, so nothing sleeps for real.

mod bounds;
mod input;
mod matrix;
mod redirects;
mod server;
