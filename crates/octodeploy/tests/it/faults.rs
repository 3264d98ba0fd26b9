//! Hostile servers: the fault matrix (every misbehaviour against GET, DELETE
//! and POST), redirects, the bounds on bodies, and the page walker every listing shares. Raw TCP on
//! loopback; retries wait on an injected clock, timeouts on tokio's paused
//! time, so nothing sleeps for real.

mod bounds;
mod input;
mod matrix;
mod pagination;
mod redirects;
mod server;
