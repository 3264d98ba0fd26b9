//! Where the `Authorization` header comes from: the [`CredentialProvider`]
//! the client asks before every request, its fixed-token implementation
//! ([`StaticToken`], the client's behaviour with [`crate::ClientBuilder::token`]),
//! and [`AuthError`], what goes wrong while getting a credential. The GitHub
//! App provider lives in [`crate::GitHubApp`].
//!
//! Whatever a provider returns is a [`Token`]: it never prints, and the
//! client only sends it to the configured API origin (a request to any other
//! origin — a redirect, a pagination link — goes without it).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use reqwest::header::HeaderValue;

use crate::error::Error;
use crate::secret::Token;
use crate::transport::Inner;

/// The future a [`CredentialProvider`] returns.
pub type CredentialFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Token>, Error>> + Send + 'a>>;

/// Supplies the token for each request (see [`crate::ClientBuilder::credentials`]).
///
/// The client calls [`Self::credential`] before every attempt of every
/// request and sends the result as `Authorization: Bearer …` (no header for
/// `None`), to the API origin only. Implement it for a token that changes:
/// one fetched from a vault, rotated by another process, or minted on
/// demand. Cache inside the provider: it is asked often.
///
/// ```
/// use octodeploy::{AuthContext, CredentialFuture, CredentialProvider, Token};
///
/// #[derive(Debug)]
/// struct FromFile(std::path::PathBuf);
///
/// impl CredentialProvider for FromFile {
///     fn credential<'a>(&'a self, _: &'a AuthContext<'a>) -> CredentialFuture<'a> {
///         Box::pin(async move {
///             let text = std::fs::read_to_string(&self.0)
///                 .map_err(|e| octodeploy::AuthError::provider(e))?;
///             Ok(Some(Token::new(text)))
///         })
///     }
/// }
///
/// let client = octodeploy::Client::builder()
///     .credentials(FromFile("/run/secrets/github-token".into()))
///     .build()?;
/// # Ok::<(), octodeploy::Error>(())
/// ```
pub trait CredentialProvider: Send + Sync + fmt::Debug + 'static {
    /// The token for the next request, or `None` to send none.
    ///
    /// An error stops the request before anything is sent; return
    /// [`AuthError::provider`] (or any [`Error`]) to say why.
    fn credential<'a>(&'a self, context: &'a AuthContext<'a>) -> CredentialFuture<'a>;

    /// GitHub answered `401` to a request that carried `token`. Return `true`
    /// when a fresh token may be accepted (the provider has dropped `token`
    /// from its cache): the client then asks [`Self::credential`] again and
    /// repeats the request once. That is safe for POSTs too: a 401 means
    /// GitHub did not process the request. The default, `false`, returns
    /// the 401 as it is.
    fn rejected(&self, token: &Token) -> bool {
        let _ = token;
        false
    }
}

/// A shared provider (keep a handle to it, share it between clients).
impl<P: CredentialProvider + ?Sized> CredentialProvider for std::sync::Arc<P> {
    fn credential<'a>(&'a self, context: &'a AuthContext<'a>) -> CredentialFuture<'a> {
        (**self).credential(context)
    }

    fn rejected(&self, token: &Token) -> bool {
        (**self).rejected(token)
    }
}

/// What the client tells a [`CredentialProvider`]: the time on the client's
/// [`crate::Clock`], and (for the built-in providers) the client itself, to
/// make the requests a credential needs.
pub struct AuthContext<'a> {
    pub(crate) inner: &'a Inner,
}

impl AuthContext<'_> {
    /// The current time on the client's clock (the injected one in tests).
    pub fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }
}

impl fmt::Debug for AuthContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthContext").finish_non_exhaustive()
    }
}

/// A token that never changes: a personal access token, Actions'
/// `GITHUB_TOKEN`, an installation token minted elsewhere. An empty token
/// means no `Authorization` header.
#[derive(Debug, Clone)]
pub struct StaticToken(Token);

impl StaticToken {
    /// Wraps `token`.
    pub fn new(token: impl Into<Token>) -> Self {
        StaticToken(token.into())
    }
}

impl CredentialProvider for StaticToken {
    fn credential<'a>(&'a self, _: &'a AuthContext<'a>) -> CredentialFuture<'a> {
        let token = (!self.0.is_empty()).then(|| self.0.clone());
        Box::pin(std::future::ready(Ok(token)))
    }
}

/// Getting a credential failed; nothing was sent with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The GitHub App private key is unusable.
    #[error("the GitHub App private key does not parse: {reason}")]
    Key {
        /// What is wrong with it (never any of its content).
        reason: String,
    },
    /// The GitHub App is not installed on the repository (GitHub answered
    /// 404 to `GET /repos/{owner}/{repo}/installation`).
    #[error(
        "the GitHub App is not installed on {owner}/{repo} (or the repository does not exist): \
         install it, or give the installation id"
    )]
    NotInstalled {
        /// The repository's owner.
        owner: String,
        /// The repository's name.
        repo: String,
    },
    /// GitHub refused the App's JWT because of its `iat`/`exp` claims: this
    /// machine's clock is probably off.
    #[error(
        "GitHub refused the App's JWT: {message} — this machine's clock is probably wrong \
         (check it is synchronised, e.g. with NTP)"
    )]
    ClockSkew {
        /// GitHub's message.
        message: String,
    },
    /// GitHub refused the App's JWT for another reason (wrong App id or
    /// key).
    #[error(
        "GitHub refused the App's JWT: {message} (check the App id and that the key belongs to it)"
    )]
    AppRejected {
        /// GitHub's message.
        message: String,
    },
    /// An installation token request failed.
    #[error("could not get an installation token: {0}")]
    InstallationToken(#[source] Box<Error>),
    /// Finding the installation of a repository failed.
    #[error("could not find the App's installation on {owner}/{repo}: {source}")]
    Installation {
        /// The repository's owner.
        owner: String,
        /// The repository's name.
        repo: String,
        /// Why.
        #[source]
        source: Box<Error>,
    },
    /// GitHub's answer to a token request does not make sense (no token, or
    /// an expiry that does not parse).
    #[error("unexpected installation token response: {reason}")]
    BadTokenResponse {
        /// What is wrong.
        reason: String,
    },
    /// The token has characters an HTTP header cannot carry.
    #[error("the credential is not a valid HTTP header value")]
    InvalidToken,
    /// No RS256 signer is available (see [`crate::GitHubApp`] on the crypto
    /// provider).
    #[error("cannot sign the App's JWT: {reason}")]
    Crypto {
        /// What is missing.
        reason: String,
    },
    /// A caller's [`CredentialProvider`] failed.
    #[error("the credential provider failed: {0}")]
    Provider(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AuthError {
    /// Wraps a caller's provider failure.
    pub fn provider(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AuthError::Provider(error.into())
    }
}

/// The `Authorization` header for `token`, marked sensitive so that HTTP
/// debug output never shows it.
pub(crate) fn bearer(token: &Token) -> Result<HeaderValue, AuthError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| AuthError::InvalidToken)?;
    value.set_sensitive(true);
    Ok(value)
}

/// Asks the client's provider for this attempt's credential: the token (to
/// hand back to [`CredentialProvider::rejected`] on a 401) and its header.
pub(crate) async fn for_request(
    inner: &Inner,
) -> Result<(Option<Token>, Option<HeaderValue>), Error> {
    let Some(provider) = &inner.credentials else {
        return Ok((None, None));
    };
    let context = AuthContext { inner };
    match provider.credential(&context).await? {
        Some(token) if !token.is_empty() => {
            let header = bearer(&token)?;
            Ok((Some(token), Some(header)))
        }
        _ => Ok((None, None)),
    }
}

/// Whether `error` is a 401 to `token` that the provider says a fresh token
/// may cure.
pub(crate) fn retry_with_fresh(inner: &Inner, error: &Error, token: Option<&Token>) -> bool {
    match (&inner.credentials, token) {
        (Some(provider), Some(token)) if error.status() == Some(401) => provider.rejected(token),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a panic is how a test fails
mod tests {
    use super::*;

    #[test]
    fn bearer_is_sensitive_and_refuses_newlines() {
        let v = bearer(&Token::new("abc")).unwrap();
        assert!(v.is_sensitive());
        assert_eq!(v.to_str().unwrap(), "Bearer abc");
        assert!(matches!(
            bearer(&Token::new("a\nb")),
            Err(AuthError::InvalidToken)
        ));
    }
}
