//! Unified diffs for check failures, so a failing check shows what changed.

use similar::TextDiff;

/// A unified diff from `old` (checked in) to `new` (expected), with three
/// lines of context, or an empty string when they are equal.
pub fn unified(old_name: &str, new_name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a", "b", "x\n", "x\n"), "");
    }

    #[test]
    fn changed_line_is_shown() {
        let d = unified("a", "b", "x\ny\n", "x\nz\n");
        assert!(d.contains("-y") && d.contains("+z"), "{d}");
    }
}
