//! One measured run: a child process, reaped, and the operating system's own
//! accounting of it (`getrusage(RUSAGE_CHILDREN)` in a process whose only
//! child it was): user and system CPU, peak resident set.

use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::resource::{UsageWho, getrusage};

/// What the OS counted for one child.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub user: Duration,
    pub sys: Duration,
    pub max_rss_kib: u64,
}

impl Usage {
    pub fn cpu(&self) -> Duration {
        self.user + self.sys
    }

    /// `user_us sys_us maxrss_kib`, the line `measure` prints.
    pub fn to_line(self) -> String {
        format!(
            "{} {} {}",
            self.user.as_micros(),
            self.sys.as_micros(),
            self.max_rss_kib
        )
    }

    pub fn from_line(line: &str) -> Option<Usage> {
        let mut it = line.split_whitespace().map(|v| v.parse::<u64>().ok());
        Some(Usage {
            user: Duration::from_micros(it.next()??),
            sys: Duration::from_micros(it.next()??),
            max_rss_kib: it.next()??,
        })
    }
}

fn duration(tv: nix::sys::time::TimeVal) -> Duration {
    Duration::from_secs(tv.tv_sec().max(0) as u64)
        + Duration::from_micros(tv.tv_usec().max(0) as u64)
}

/// Runs `program args`, waits for it, and returns its stdout and usage. Must
/// be called in a process with no other children (the `measure` verb).
pub fn child(program: &str, args: &[String]) -> Result<(String, Usage), String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{program} {args:?}: {}", out.status));
    }
    let ru = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(|e| format!("getrusage: {e}"))?;
    let usage = Usage {
        user: duration(ru.user_time()),
        sys: duration(ru.system_time()),
        max_rss_kib: ru.max_rss().max(0) as u64, // KiB on Linux
    };
    Ok((
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        usage,
    ))
}
