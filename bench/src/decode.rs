//! The decode micro-benchmark: one 100-status page into the public
//! `octodeploy::DeploymentStatus` (as the library decodes it), against
//! serde_json into the floor's plain structs. In-process, alternating
//! batches, the median of the per-round ratios.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::{fixture, floor};

/// A page body into the public statuses, as the library decodes it (its
/// `Deserialize` impl, tolerant reading included).
pub fn ours(body: &[u8]) -> Result<Vec<octodeploy::DeploymentStatus>, serde_json::Error> {
    serde_json::from_slice(body)
}

/// The floor's decode.
pub fn floor(body: &[u8]) -> Result<Vec<floor::Status>, serde_json::Error> {
    serde_json::from_slice(body)
}

fn batch<T, E: std::fmt::Debug>(
    iters: u32,
    body: &[u8],
    f: fn(&[u8]) -> Result<Vec<T>, E>,
) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        match f(black_box(body)) {
            Ok(v) => drop(black_box(v)),
            Err(e) => panic!("the fixture does not decode: {e:?}"),
        }
    }
    start.elapsed()
}

/// Per-page times (µs) of floor and ours, and the median ratio.
pub fn run(rounds: u32, iters: u32) -> (f64, f64, f64) {
    let body = fixture::page(1, 100);
    let body = body.as_bytes();
    batch(iters, body, floor);
    batch(iters, body, ours);
    let (mut a, mut b, mut r) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (tf, to) = if round % 2 == 0 {
            let tf = batch(iters, body, floor);
            (tf, batch(iters, body, ours))
        } else {
            let to = batch(iters, body, ours);
            (batch(iters, body, floor), to)
        };
        a.push(tf.as_secs_f64() * 1e6 / f64::from(iters));
        b.push(to.as_secs_f64() * 1e6 / f64::from(iters));
        r.push(to.as_secs_f64() / tf.as_secs_f64());
    }
    (median(&mut a), median(&mut b), median(&mut r))
}

pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|x, y| x.total_cmp(y));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
