//! The fuzz targets' bodies (`fuzz/`, through `octodeploy::fuzzing`) run on
//! stable over generated inputs: hostile `Link` headers, response and error
//! bodies, rate-limit headers. A panic, or a broken invariant the entry
//! points check, fails the test.

use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Bytes that look like a `Link` value more often than random ones do.
fn link_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..80),
        (
            "[a-z/?=&%.:]{0,30}",
            "(next|last|prev|first|Next)",
            any::<u8>()
        )
            .prop_map(|(path, rel, byte)| {
                let mut v = format!("</api/v3/{path}>; rel=\"{rel}\", <https://x/").into_bytes();
                v.push(byte);
                v.extend_from_slice(b">; rel=next");
                v
            }),
    ]
}

/// JSON-ish bodies: random bytes, or a status page with fields replaced.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let field = prop_oneof![
        Just("null".to_owned()),
        Just("\"\"".to_owned()),
        Just("1".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        "\"[^\"\\\\]{0,8}\"",
    ];
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        (field.clone(), field.clone(), field).prop_map(|(a, b, c)| {
            format!(
                r#"[{{"id":1,"url":{a},"state":"success","description":{b},"environment":{c},
                "created_at":"2025-06-01T12:00:00Z","updated_at":"2025-06-01T12:00:00Z",
                "deployment_url":"u","repository_url":"r","creator":{b}}}]"#
            )
            .into_bytes()
        }),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn links_never_panic(values in proptest::collection::vec(link_value(), 0..4)) {
        let _ = octodeploy::fuzzing::links(&values);
    }

    #[test]
    fn status_pages_never_panic(body in body()) {
        let _ = octodeploy::fuzzing::decode_statuses(&body);
    }

    #[test]
    fn error_answers_never_panic(
        status in 400u16..600,
        content_type in proptest::collection::vec(any::<u8>(), 0..20),
        body in body(),
    ) {
        let headers = [(b"content-type".to_vec(), content_type)];
        let _ = octodeploy::fuzzing::decode_error(status, &headers, &body);
    }

    #[test]
    fn rate_limit_headers_never_panic(
        values in proptest::collection::vec(
            prop_oneof![
                "[0-9]{0,25}",
                "-?[0-9]{1,5}",
                Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
                "[ -~]{0,30}",
            ],
            6,
        )
    ) {
        let names = [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-used",
            "x-ratelimit-reset",
            "x-ratelimit-resource",
            "retry-after",
        ];
        let headers: Vec<(Vec<u8>, Vec<u8>)> = names
            .iter()
            .zip(values)
            .map(|(n, v)| (n.as_bytes().to_vec(), v.into_bytes()))
            .collect();
        let _ = octodeploy::fuzzing::rate_limit(&headers);
    }
}
