//! [`FakeError`]: why a fake could not be started or seeded.

use std::net::SocketAddr;

use crate::state::SeedError;

/// Why a fake could not be started or seeded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FakeError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The bound socket's address could not be read.
    #[error("cannot read the listening address")]
    LocalAddr(#[source] std::io::Error),
    /// The seed data is inconsistent.
    #[error("invalid seed data")]
    Seed(#[from] SeedError),
}
