//! CPU pinning for steadier figures: the loopback server's threads on the
//! first CPU, the measured client on the last, so the two never share a core
//! and the scheduler's interleaving does not change how a client reads its
//! pages. Only on machines with at least two CPUs; a failure to pin leaves
//! the process where it is (the figures are just noisier).

use nix::sched::{CpuSet, sched_setaffinity};
use nix::unistd::Pid;

/// Where a process of the benchmark runs.
#[derive(Debug, Clone, Copy)]
pub enum Role {
    /// The loopback server's threads.
    Server,
    /// A measured client.
    Client,
}

/// Pins the calling thread (and what it spawns) for `role`.
pub fn pin(role: Role) {
    if std::env::var_os("OCTODEPLOY_BENCH_NO_PIN").is_some() {
        return;
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cpus < 2 {
        return;
    }
    let cpu = match role {
        Role::Server => 0,
        Role::Client => cpus - 1,
    };
    let mut set = CpuSet::new();
    if set.set(cpu).is_ok() {
        let _ = sched_setaffinity(Pid::from_raw(0), &set);
    }
}
