//! Fuzzes reading an error answer: the first two bytes pick the status
//! (400–599), the rest up to a NUL is a `content-type`, then the body.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, rest) = match data {
        [a, b, rest @ ..] => (400 + u16::from_le_bytes([*a, *b]) % 200, rest),
        _ => return,
    };
    let (ct, body) = match rest.iter().position(|b| *b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&rest[..0], rest),
    };
    let headers = [(b"content-type".to_vec(), ct.to_vec())];
    let _ = octodeploy::fuzzing::decode_error(status, &headers, body);
});
