//! Fuzzes decoding a page of deployment statuses from a response body.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = octodeploy::fuzzing::decode_statuses(data);
});
