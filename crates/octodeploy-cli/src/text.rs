//! Making text a server sent safe to print: no control character (newline,
//! escape sequence, C1 control) or bidirectional override reaches the
//! terminal, so a server can neither forge a `hint:` line nor move the
//! cursor or recolour the screen.

/// `text` on one line: whitespace controls (`\n`, `\r`, `\t`) become
/// spaces; other control characters and bidirectional formatting
/// characters become U+FFFD.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() || is_bidi_control(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Unicode's explicit directional formatting characters (the "Trojan
/// Source" set): they reorder what follows on screen.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_line_breaks_are_neutralised() {
        assert_eq!(
            one_line("Not Found\nhint: run rm -rf\r\x1b[2J\x07\u{9b}31m\u{202e}x\ty"),
            "Not Found hint: run rm -rf \u{FFFD}[2J\u{FFFD}\u{FFFD}31m\u{FFFD}x y"
        );
        assert_eq!(one_line("本番 ok — fine"), "本番 ok — fine");
    }
}
