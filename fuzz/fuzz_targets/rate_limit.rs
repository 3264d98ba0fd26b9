//! Fuzzes the rate-limit and `Retry-After` headers: NUL-separated values
//! for x-ratelimit-limit, -remaining, -used, -reset, -resource, retry-after.
#![no_main]
use libfuzzer_sys::fuzz_target;

const NAMES: [&[u8]; 6] = [
    b"x-ratelimit-limit",
    b"x-ratelimit-remaining",
    b"x-ratelimit-used",
    b"x-ratelimit-reset",
    b"x-ratelimit-resource",
    b"retry-after",
];

fuzz_target!(|data: &[u8]| {
    let headers: Vec<(Vec<u8>, Vec<u8>)> = NAMES
        .iter()
        .zip(data.split(|b| *b == 0))
        .map(|(n, v)| (n.to_vec(), v.to_vec()))
        .collect();
    let _ = octodeploy::fuzzing::rate_limit(&headers);
});
