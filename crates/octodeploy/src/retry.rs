//! When to retry, how long to wait, and the clock that waits.
//!
//! GET and DELETE are retried on transport errors, timeouts, 5xx, 408, 429
//! and rate limits. POSTs (create status, dispatch) are retried only when
//! the server said it did not process the request: a 429, a rate-limit
//! answer, or a connection that was never established. Never after an
//! ambiguous failure (a timeout, a reset connection, a 502): a duplicate
//! dispatch runs workflows twice; such a failure is returned as
//! [`Error::OutcomeUnknown`].
//!
//! Every wait is bounded: one wait by [`RetryPolicy::max_wait`], all of a
//! call's waits together by [`RetryPolicy::max_total_wait`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use crate::error::{Error, RateLimitKind};

/// How many times to retry and how long to wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_wait: Duration,
    max_total_wait: Duration,
    secondary_wait: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 retries; backoff from 500 ms doubling to at most 30 s, with jitter;
    /// `Retry-After` and `x-ratelimit-reset` honoured up to 60 s; a
    /// secondary rate limit without `Retry-After` waits 60 s; at most 120 s
    /// of waiting in all for one call.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_wait: Duration::from_secs(60),
            max_total_wait: Duration::from_secs(120),
            secondary_wait: SECONDARY_DEFAULT_WAIT,
            jitter: true,
        }
    }
}

/// GitHub's advice when a secondary rate limit comes without `Retry-After`:
/// wait at least a minute.
const SECONDARY_DEFAULT_WAIT: Duration = Duration::from_secs(60);

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Retries after the first attempt (0 disables retrying).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The first backoff; each retry doubles it.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The cap on one backoff.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The longest `Retry-After` or rate-limit reset to wait for; a longer
    /// one returns the rate-limit error at once.
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.max_wait = d;
        self
    }

    /// The longest all of one call's waits may add up to; a retry that
    /// would wait past it returns the error instead (default 120 s).
    pub fn max_total_wait(mut self, d: Duration) -> Self {
        self.max_total_wait = d;
        self
    }

    /// How long to wait on a secondary rate limit (or a 429) that came
    /// without `Retry-After` (default 60 s, GitHub's advice). Like every
    /// wait it is bounded by [`Self::max_wait`] and [`Self::max_total_wait`]:
    /// with `max_wait` below it, such a limit is returned at once.
    pub fn secondary_wait(mut self, d: Duration) -> Self {
        self.secondary_wait = d;
        self
    }

    /// Whether backoffs are randomised (on by default; tests turn it off).
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// The backoff before retry number `retry` (1-based): exponential,
    /// capped, with "equal jitter" (between half and all of it).
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)));
        let capped = exp.min(self.max_backoff);
        if !self.jitter {
            return capped;
        }
        let half = capped / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// Whether to retry after `error` on retry number `retry` (1-based), and
    /// after how long, given the call already `waited` that long.
    /// `idempotent` is false for POSTs.
    pub(crate) fn decide(
        &self,
        error: &Error,
        idempotent: bool,
        retry: u32,
        waited: Duration,
        now: SystemTime,
    ) -> Option<Duration> {
        if retry > self.max_retries {
            return None;
        }
        let wait = match error {
            Error::RateLimited(rl) => {
                let unprocessed = rl.status == 429
                    || rl.kind == RateLimitKind::Primary
                    || rl.retry_after.is_some();
                if !idempotent && !unprocessed {
                    return None;
                }
                match (rl.wait_from(now), rl.kind) {
                    (Some(w), _) => w,
                    (None, RateLimitKind::Secondary) => self.secondary_wait,
                    (None, _) => return None,
                }
            }
            Error::Transport(e) if idempotent || e.is_connect() => self.backoff(retry),
            Error::Timeout(_) if idempotent => self.backoff(retry),
            Error::Api(_) | Error::NonJson { .. } if idempotent => {
                let status = error.status().unwrap_or_default();
                if status == 408 || status >= 500 {
                    error.retry_after().unwrap_or_else(|| self.backoff(retry))
                } else {
                    return None;
                }
            }
            _ => return None,
        };
        (wait <= self.max_wait && waited.saturating_add(wait) <= self.max_total_wait)
            .then_some(wait)
    }
}

/// What a retry hook is told before the client waits and tries again.
#[derive(Debug)]
#[non_exhaustive]
pub struct RetryEvent<'a> {
    /// The request's method (`GET`, `POST`, `DELETE`).
    pub method: &'static str,
    /// The request's path template (`/repos/{owner}/{repo}/dispatches`).
    pub path: &'static str,
    /// The attempt that failed (1 for the first).
    pub attempt: u32,
    /// How long the client will wait before the next attempt.
    pub wait: Duration,
    /// Why the attempt failed.
    pub error: &'a Error,
}

/// A callback told about each retry (see [`crate::ClientBuilder::on_retry`]).
pub type RetryHook = std::sync::Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

/// The time source and sleeper behind retries, injectable so tests of
/// backoff and `Retry-After` take no real time.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time (for `x-ratelimit-reset`).
    fn now(&self) -> SystemTime;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// The real clock: `SystemTime::now` and `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default()
            .jitter(false)
            .initial_backoff(Duration::from_secs(1))
            .max_backoff(Duration::from_secs(5));
        let waits: Vec<u64> = (1..=5).map(|n| p.backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 5, 5]);
    }

    #[test]
    fn jitter_stays_within_half_and_whole() {
        let p = RetryPolicy::default().initial_backoff(Duration::from_secs(8));
        for _ in 0..100 {
            let d = p.backoff(1);
            assert!(
                d >= Duration::from_secs(4) && d <= Duration::from_secs(8),
                "{d:?}"
            );
        }
    }
}
