//! The API token, in a type that never prints itself.

use std::fmt;

/// A GitHub token (personal access token, app installation token, Actions'
/// `GITHUB_TOKEN`...).
///
/// `Debug` shows `Token(<redacted>)` and `Display` `<redacted>`; there is no
/// `Serialize`.
/// The value leaves this type only to build the `Authorization` header,
/// which is marked sensitive and only sent to the configured API origin.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token. Surrounding whitespace (a trailing newline from a file
    /// or a secret store) is trimmed.
    pub fn new(token: impl Into<String>) -> Self {
        let token = token.into();
        let trimmed = token.trim();
        if trimmed.len() == token.len() {
            Token(token)
        } else {
            Token(trimmed.to_owned())
        }
    }

    /// The token itself, for building a header. Keep it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the token is empty (an unset secret in CI often is).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Token {
    fn from(s: String) -> Self {
        Token::new(s)
    }
}

impl From<&str> for Token {
    fn from(s: &str) -> Self {
        Token::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_itself() {
        let t = Token::new("ghp_supersecret\n");
        assert_eq!(format!("{t:?}"), "Token(<redacted>)");
        assert_eq!(format!("{t}"), "<redacted>");
        assert_eq!(t.expose(), "ghp_supersecret");
    }
}
