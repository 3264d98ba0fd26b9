//! GitHub's descriptions from the npm registry: `@octokit/openapi` at a
//! pinned version, fetched with the machine's `npm pack` (the registry's
//! ordinary client), checked by sha256 (the tarball and each file used),
//! and cached under `target/`. This is how drift runs on a clone without
//! `../shared`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;
use crate::provenance::sha256_hex;

/// The package.
pub const PACKAGE: &str = "@octokit/openapi";

/// The pinned version.
pub const VERSION: &str = "23.0.2";

/// sha256 of the pinned version's tarball (`npm pack` output).
pub const TARBALL_SHA256: &str = "71a18407dd5e8464f4e0525daf03deabbe65abd9287d6adc7b5d98f516cd0d0c";

/// The files CI compares against, as (path in the package, sha256). The
/// same bytes as `../shared/upstream/octokit-openapi-23.0.2/`.
pub const FILES: [(&str, &str); 2] = [
    (
        "package/generated/ghes-3.19.json",
        "8c852cf1bde4d40ee19dffd9cdd18650bfad09f9dd0cd5039b9d775056104139",
    ),
    (
        "package/generated/api.github.com.json",
        "829b4bebb19a53133289f7b0bc819f4f1118115821db2ca9f25e9ee995a7da2a",
    ),
];

/// The cache directory under the workspace's `target/`.
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join("target")
        .join(format!("octokit-openapi-{VERSION}"))
}

/// The cached copy of a package file (by its file name, e.g.
/// `ghes-3.19.json`), if it is there with the pinned sha256.
pub fn cached(root: &Path, file_name: &str) -> Option<PathBuf> {
    let (_, sha) = FILES
        .iter()
        .find(|(p, _)| p.ends_with(&format!("/{file_name}")))?;
    let path = cache_dir(root).join(file_name);
    let bytes = std::fs::read(&path).ok()?;
    (sha256_hex(&bytes) == *sha).then_some(path)
}

/// Makes every file of [`FILES`] available in the cache: fetches the
/// tarball with `npm pack` and extracts it with `tar` when needed, and
/// refuses anything whose sha256 is not the pinned one.
pub fn fetch(root: &Path) -> Result<PathBuf, Error> {
    let dir = cache_dir(root);
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_owned();
    if FILES.iter().all(|(p, _)| cached(root, &name(p)).is_some()) {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating", &dir, e))?;
    let spec = format!("{PACKAGE}@{VERSION}");
    let out = Command::new("npm")
        .args(["pack", &spec, "--silent", "--pack-destination"])
        .arg(&dir)
        .output()
        .map_err(|e| Error::Fetch(format!("cannot run `npm pack {spec}`: {e}")))?;
    if !out.status.success() {
        return Err(Error::Fetch(format!(
            "`npm pack {spec}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let tarball = dir.join(format!("octokit-openapi-{VERSION}.tgz"));
    let bytes = std::fs::read(&tarball).map_err(|e| Error::io("reading", &tarball, e))?;
    let actual = sha256_hex(&bytes);
    if actual != TARBALL_SHA256 {
        return Err(Error::Fetch(format!(
            "{} has sha256 {actual}, not the pinned {TARBALL_SHA256}",
            tarball.display()
        )));
    }
    let mut tar = Command::new("tar");
    tar.arg("-xzf").arg(&tarball).arg("-C").arg(&dir);
    tar.args(FILES.iter().map(|(p, _)| *p));
    let status = tar
        .status()
        .map_err(|e| Error::Fetch(format!("cannot run tar: {e}")))?;
    if !status.success() {
        return Err(Error::Fetch(format!("tar failed on {}", tarball.display())));
    }
    for (inner, sha) in FILES {
        let from = dir.join(inner);
        let to = dir.join(name(inner));
        std::fs::rename(&from, &to).map_err(|e| Error::io("moving", &from, e))?;
        let bytes = std::fs::read(&to).map_err(|e| Error::io("reading", &to, e))?;
        if sha256_hex(&bytes) != sha {
            return Err(Error::Fetch(format!(
                "{} does not have the pinned sha256 {sha}",
                to.display()
            )));
        }
    }
    let _ = std::fs::remove_file(&tarball);
    let _ = std::fs::remove_dir_all(dir.join("package"));
    Ok(dir)
}
