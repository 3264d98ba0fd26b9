//! Acknowledged drift: the snapshot file `<dir>/<description-file-stem>.txt`
//! holds the accepted text report. The check passes iff the current report
//! equals it (line endings normalised); otherwise the error carries a
//! unified diff, snapshot → current. Blessing overwrites the snapshot
//! (see [`super::run`]).
//!
//! Documentation-only changes are part of the snapshot, so the file reviews
//! all drift; their lines carry a short hash of long texts so a later edit to
//! the same text is noticed too.

use std::io;
use std::path::{Path, PathBuf};

use super::DriftError;

/// The snapshot acknowledging drift against `against`:
/// `snapshot_dir/<file stem of against>.txt`.
pub fn snapshot_path(snapshot_dir: &Path, against: &Path) -> Result<PathBuf, DriftError> {
    let stem = against.file_stem().ok_or_else(|| DriftError::NoFileStem {
        path: against.to_owned(),
    })?;
    let mut name = stem.to_owned();
    name.push(".txt");
    Ok(snapshot_dir.join(name))
}

/// Fails with [`DriftError::Unacknowledged`] unless the snapshot holds
/// exactly `current`; a missing snapshot acknowledges nothing. `output` is
/// what the caller would print (the text or JSON report), kept in the error.
pub(crate) fn check(
    snapshot: &Path,
    against: &Path,
    current: &str,
    output: &str,
) -> Result<(), DriftError> {
    let acknowledged = match std::fs::read_to_string(snapshot) {
        Ok(text) => text.replace("\r\n", "\n"),
        Err(err) if err.kind() == io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(crate::Error::io("reading", snapshot, err).into()),
    };
    if acknowledged == current {
        return Ok(());
    }
    let snapshot_name = snapshot.display().to_string();
    Err(DriftError::Unacknowledged {
        against: against.to_owned(),
        snapshot: snapshot.to_owned(),
        diff: crate::diff::unified(&snapshot_name, "current", &acknowledged, current),
        output: output.to_owned(),
    })
}
