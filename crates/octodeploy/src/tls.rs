//! The TLS backend the crate's features chose: `rustls-ring` (the default),
//! `rustls-aws-lc-rs` or `native-tls`. With none of them, only `http://`
//! (loopback) base URLs work.

/// Makes the chosen backend usable before a `reqwest::Client` is built.
///
/// With `rustls-ring` (and not `rustls-aws-lc-rs`, which reqwest installs
/// itself), reqwest asks rustls for the process's default crypto provider:
/// ring becomes it unless the application installed one first, which is
/// then used (installing fails harmlessly).
pub(crate) fn prepare() {
    #[cfg(all(feature = "rustls-ring", not(feature = "rustls-aws-lc-rs")))]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    #[cfg(all(feature = "rustls-ring", not(feature = "rustls-aws-lc-rs")))]
    #[test]
    fn an_https_client_builds_with_ring() {
        super::prepare();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
        let client = crate::Client::builder()
            .base_url("https://ghe.example.com")
            .token("t")
            .build();
        assert!(client.is_ok(), "{:?}", client.err());
    }
}
