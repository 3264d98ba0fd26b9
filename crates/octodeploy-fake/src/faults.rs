//! Fault injection, and the primary rate-limit window it manipulates.
//!
//! A [`Faults`] handle (from [`crate::FakeGitHub::faults`]) switches faults on
//! and off while the server runs. Each request goes through them in this
//! order:
//!
//! 1. **latency** — the request waits ([`tokio::time::sleep`], so tests with
//!    paused time don't wait in real time);
//! 2. **bad gateway** — a 502 with an HTML body, as GitHub's front end sends
//!    when the application behind it fails (before authentication);
//! 3. authentication (401 `Bad credentials`), outside this module;
//! 4. **secondary rate limit** — 403 (or 429) with `retry-after`; does not
//!    use up the primary quota;
//! 5. **primary rate limit** — every admitted request takes one unit of the
//!    window's quota (limit 5000, like an authenticated user); at 0 the
//!    request gets 403 with `x-ratelimit-remaining: 0`.
//!
//! Counted faults (`times`) fire on that many requests and then stop by
//! themselves, which is what retry tests need. The window refills when its
//! wall-clock reset time passes, or at once through
//! [`Faults::reset_rate_limit`] / [`Faults::clear`]; an armed primary limit
//! puts the reset time [`RATE_LIMIT_FAULT_RESET`] ahead.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Requests per window (GitHub's limit for an authenticated user).
pub const RATE_LIMIT: u32 = 5000;
/// Length of a natural rate-limit window.
pub const RATE_LIMIT_WINDOW: Duration = Duration::from_secs(3600);
/// How far ahead `x-ratelimit-reset` is put when a primary-limit fault is
/// armed.
pub const RATE_LIMIT_FAULT_RESET: Duration = Duration::from_secs(60);

/// The rate-limit values sent as `x-ratelimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateSnapshot {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    pub(crate) used: u32,
    /// Epoch seconds.
    pub(crate) reset: i64,
}

/// What a request runs into after authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Go on to the handler.
    Admitted(RateSnapshot),
    /// A secondary rate limit: `status` is 403 or 429.
    Secondary {
        rate: RateSnapshot,
        status: u16,
        /// `None`: no `retry-after` header (GitHub does not always send one).
        retry_after: Option<u64>,
    },
    /// The primary quota is used up.
    Primary(RateSnapshot),
}

#[derive(Debug, Clone, Copy)]
struct Secondary {
    status: u16,
    retry_after: Option<u64>,
    times: u32,
}

#[derive(Debug)]
struct FaultState {
    latency: Duration,
    /// `None`: every request; `Some(n)`: the next `n` requests.
    latency_times: Option<u32>,
    bad_gateway: u32,
    secondary: Option<Secondary>,
    remaining: u32,
    reset: i64,
    /// `Some(n)`: after `n` limited responses the window refills.
    primary_times: Option<u32>,
}

fn now_epoch() -> i64 {
    chrono::Utc::now().timestamp()
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

impl FaultState {
    fn new() -> FaultState {
        FaultState {
            latency: Duration::ZERO,
            latency_times: None,
            bad_gateway: 0,
            secondary: None,
            remaining: RATE_LIMIT,
            reset: now_epoch().saturating_add(secs(RATE_LIMIT_WINDOW)),
            primary_times: None,
        }
    }

    fn refill(&mut self, now: i64) {
        self.remaining = RATE_LIMIT;
        self.reset = now.saturating_add(secs(RATE_LIMIT_WINDOW));
        self.primary_times = None;
    }

    fn snapshot(&self) -> RateSnapshot {
        RateSnapshot {
            limit: RATE_LIMIT,
            remaining: self.remaining,
            used: RATE_LIMIT - self.remaining,
            reset: self.reset,
        }
    }
}

/// Switches faults on a running fake. Cheap to clone; all clones act on the
/// same server.
#[derive(Debug, Clone)]
pub struct Faults {
    inner: Arc<Mutex<FaultState>>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults::new()
    }
}

impl Faults {
    pub(crate) fn new() -> Faults {
        Faults {
            inner: Arc::new(Mutex::new(FaultState::new())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, FaultState> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Delays every request by `delay` until changed; `Duration::ZERO` turns
    /// latency off.
    pub fn latency(&self, delay: Duration) -> &Self {
        let mut state = self.lock();
        state.latency = delay;
        state.latency_times = None;
        self
    }

    /// Delays only the next `times` requests by `delay`.
    pub fn latency_for(&self, delay: Duration, times: u32) -> &Self {
        let mut state = self.lock();
        state.latency = delay;
        state.latency_times = Some(times);
        self
    }

    /// Answers the next `times` requests with `502 Bad Gateway` and an HTML
    /// body.
    pub fn bad_gateway(&self, times: u32) -> &Self {
        self.lock().bad_gateway = times;
        self
    }

    /// Answers the next `times` requests with GitHub's secondary rate limit:
    /// `403`, `retry-after: retry_after_secs`.
    pub fn secondary_rate_limit(&self, retry_after_secs: u64, times: u32) -> &Self {
        self.lock().secondary = Some(Secondary {
            status: 403,
            retry_after: Some(retry_after_secs),
            times,
        });
        self
    }

    /// Like [`Faults::secondary_rate_limit`] but with status `429 Too Many
    /// Requests`, which GitHub also uses for secondary limits.
    pub fn secondary_rate_limit_429(&self, retry_after_secs: u64, times: u32) -> &Self {
        self.lock().secondary = Some(Secondary {
            status: 429,
            retry_after: Some(retry_after_secs),
            times,
        });
        self
    }

    /// A secondary rate limit with no `retry-after` header, as GitHub
    /// sometimes answers (its documentation then says to wait at least a
    /// minute): `status` 403 or 429, for the next `times` requests.
    pub fn secondary_rate_limit_without_retry_after(&self, status: u16, times: u32) -> &Self {
        self.lock().secondary = Some(Secondary {
            status: if status == 429 { 429 } else { 403 },
            retry_after: None,
            times,
        });
        self
    }

    /// Leaves `after` requests in the primary quota: they succeed with
    /// `x-ratelimit-remaining` counting down to 0, and every request after
    /// them gets the primary rate-limit 403 until the reset time
    /// ([`RATE_LIMIT_FAULT_RESET`] from now) passes or the limit is reset.
    pub fn rate_limit_after(&self, after: u32) -> &Self {
        let mut state = self.lock();
        state.remaining = after.min(RATE_LIMIT);
        state.reset = now_epoch().saturating_add(secs(RATE_LIMIT_FAULT_RESET));
        state.primary_times = None;
        self
    }

    /// Like [`Faults::rate_limit_after`], but the window refills by itself
    /// after `times` limited responses (as if the reset time had come).
    pub fn rate_limit_after_then_reset(&self, after: u32, times: u32) -> &Self {
        self.rate_limit_after(after);
        self.lock().primary_times = Some(times);
        self
    }

    /// Refills the primary quota (5000) and starts a new hour-long window.
    pub fn reset_rate_limit(&self) -> &Self {
        self.lock().refill(now_epoch());
        self
    }

    /// Turns every fault off and refills the primary quota.
    pub fn clear(&self) -> &Self {
        let mut state = self.lock();
        *state = FaultState::new();
        self
    }

    /// The delay for this request, if any (counts down `latency_for`).
    pub(crate) fn take_latency(&self) -> Option<Duration> {
        let mut state = self.lock();
        if state.latency.is_zero() {
            return None;
        }
        match state.latency_times {
            None => Some(state.latency),
            Some(0) => None,
            Some(n) => {
                state.latency_times = Some(n - 1);
                Some(state.latency)
            }
        }
    }

    /// Whether this request gets a 502 (counts down).
    pub(crate) fn take_bad_gateway(&self) -> bool {
        let mut state = self.lock();
        if state.bad_gateway > 0 {
            state.bad_gateway -= 1;
            true
        } else {
            false
        }
    }

    /// The current window, without using any quota (for responses that
    /// are refused before admission).
    pub(crate) fn peek(&self) -> RateSnapshot {
        let mut state = self.lock();
        let now = now_epoch();
        if now >= state.reset {
            state.refill(now);
        }
        state.snapshot()
    }

    /// Admits an authenticated request: secondary limit first, then one unit
    /// of primary quota.
    pub(crate) fn admit(&self) -> Admission {
        let mut state = self.lock();
        let now = now_epoch();
        if now >= state.reset {
            state.refill(now);
        }
        if let Some(secondary) = state.secondary.as_mut()
            && secondary.times > 0
        {
            secondary.times -= 1;
            let (status, retry_after) = (secondary.status, secondary.retry_after);
            if secondary.times == 0 {
                state.secondary = None;
            }
            return Admission::Secondary {
                rate: state.snapshot(),
                status,
                retry_after,
            };
        }
        if state.remaining == 0 {
            match state.primary_times {
                Some(0) => state.refill(now),
                Some(n) => {
                    let limited = state.snapshot();
                    if n == 1 {
                        state.refill(now);
                    } else {
                        state.primary_times = Some(n - 1);
                    }
                    return Admission::Primary(limited);
                }
                None => return Admission::Primary(state.snapshot()),
            }
        }
        state.remaining -= 1;
        Admission::Admitted(state.snapshot())
    }

    /// Gives one unit back (a `304 Not Modified` does not count against the
    /// limit on GitHub).
    pub(crate) fn refund(&self) {
        let mut state = self.lock();
        state.remaining = (state.remaining + 1).min(RATE_LIMIT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remaining(admission: Admission) -> Option<u32> {
        match admission {
            Admission::Admitted(rate) => Some(rate.remaining),
            _ => None,
        }
    }

    #[test]
    fn quota_counts_down() {
        let faults = Faults::new();
        assert_eq!(remaining(faults.admit()), Some(4999));
        assert_eq!(remaining(faults.admit()), Some(4998));
        faults.refund();
        assert_eq!(faults.peek().remaining, 4999);
        assert_eq!(faults.peek().used, 1);
    }

    #[test]
    fn primary_limit_sticks_until_reset() {
        let faults = Faults::new();
        faults.rate_limit_after(2);
        assert_eq!(remaining(faults.admit()), Some(1));
        assert_eq!(remaining(faults.admit()), Some(0));
        for _ in 0..3 {
            assert!(
                matches!(faults.admit(), Admission::Primary(r) if r.remaining == 0 && r.used == RATE_LIMIT)
            );
        }
        faults.reset_rate_limit();
        assert_eq!(remaining(faults.admit()), Some(4999));
    }

    #[test]
    fn primary_limit_with_times_clears_itself() {
        let faults = Faults::new();
        faults.rate_limit_after_then_reset(1, 2);
        assert_eq!(remaining(faults.admit()), Some(0));
        assert!(matches!(faults.admit(), Admission::Primary(_)));
        assert!(matches!(faults.admit(), Admission::Primary(_)));
        assert_eq!(remaining(faults.admit()), Some(4999));
    }

    #[test]
    fn counted_faults_stop() {
        let faults = Faults::new();
        faults.bad_gateway(2).secondary_rate_limit_429(7, 1);
        assert!(faults.take_bad_gateway());
        assert!(faults.take_bad_gateway());
        assert!(!faults.take_bad_gateway());
        assert!(matches!(
            faults.admit(),
            Admission::Secondary {
                status: 429,
                retry_after: Some(7),
                ..
            }
        ));
        assert!(matches!(faults.admit(), Admission::Admitted(_)));
        faults.latency_for(Duration::from_secs(1), 1);
        assert_eq!(faults.take_latency(), Some(Duration::from_secs(1)));
        assert_eq!(faults.take_latency(), None);
        faults.latency(Duration::from_secs(2));
        assert_eq!(faults.take_latency(), Some(Duration::from_secs(2)));
        assert_eq!(faults.take_latency(), Some(Duration::from_secs(2)));
        faults.clear();
        assert_eq!(faults.take_latency(), None);
    }
}
