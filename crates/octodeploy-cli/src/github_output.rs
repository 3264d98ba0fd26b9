//! `$GITHUB_OUTPUT`: in GitHub Actions, commands append `name=value` lines
//! to the file it names (`deployment create` writes `deployment_id=N`,
//! `status create` writes `status_id=N`), so the next step reads
//! `steps.<id>.outputs.deployment_id` without parsing JSON. Outside Actions
//! (the variable unset or empty) nothing is written.

use std::fs::OpenOptions;
use std::io::{self, Write};

/// The variable Actions sets.
pub(crate) const VARIABLE: &str = "GITHUB_OUTPUT";

/// Appends `name=value` lines to `$GITHUB_OUTPUT`, if it is set. Names
/// must be plain identifiers and values one line (they are ids here);
/// anything else is refused rather than written in a way Actions would
/// misread.
pub(crate) fn write(pairs: &[(&str, String)]) -> io::Result<()> {
    write_to(std::env::var_os(VARIABLE), pairs)
}

fn write_to(target: Option<std::ffi::OsString>, pairs: &[(&str, String)]) -> io::Result<()> {
    let Some(path) = target.filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut text = String::new();
    for (name, value) in pairs {
        let plain_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !plain_name || value.contains(['\n', '\r']) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write output `{name}` to ${VARIABLE}"),
            ));
        }
        text.push_str(&format!("{name}={value}\n"));
    }
    let mut file = OpenOptions::new().append(true).create(true).open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_lines_and_is_off_without_the_variable() {
        let dir = std::env::temp_dir().join(format!("octodeploy-gh-output-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("out");
        std::fs::write(&file, "earlier=1\n").unwrap();
        write_to(Some(file.clone().into()), &[("deployment_id", "42".into())]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "earlier=1\ndeployment_id=42\n"
        );
        write_to(None, &[("deployment_id", "43".into())]).unwrap();
        write_to(Some("".into()), &[("deployment_id", "43".into())]).unwrap();
        assert!(write_to(Some(file.clone().into()), &[("a\nb", "1".into())]).is_err());
        assert!(write_to(Some(file.clone().into()), &[("a", "1\n2".into())]).is_err());
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "earlier=1\ndeployment_id=42\n"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
