//! GitHub's descriptions from the npm registry: `@octokit/openapi` at
//! pinned versions, fetched with the machine's `npm pack` (the registry's
//! ordinary client), checked by sha256 (the tarball and each file used),
//! and cached under `target/`. This is how drift runs on a clone without
//! `../shared`, and against GHES 2.22, which only an old version ships.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;
use crate::provenance::sha256_hex;

/// The package.
pub const PACKAGE: &str = "@octokit/openapi";

/// One pinned version of [`PACKAGE`] and the files CI compares against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// The version.
    pub version: &'static str,
    /// sha256 of its tarball (`npm pack` output).
    pub tarball_sha256: &'static str,
    /// The files used, as (path in the package, sha256).
    pub files: &'static [(&'static str, &'static str)],
}

/// The pinned versions: 23.0.2 for today's GHES and github.com (the same
/// bytes as `../shared/upstream/octokit-openapi-23.0.2/`), 2.2.1 for GHES
/// 2.22, an older server than the fragment's GHES 3.0.
pub const RELEASES: [Release; 2] = [
    Release {
        version: "23.0.2",
        tarball_sha256: "71a18407dd5e8464f4e0525daf03deabbe65abd9287d6adc7b5d98f516cd0d0c",
        files: &[
            (
                "package/generated/ghes-3.19.json",
                "8c852cf1bde4d40ee19dffd9cdd18650bfad09f9dd0cd5039b9d775056104139",
            ),
            (
                "package/generated/api.github.com.json",
                "829b4bebb19a53133289f7b0bc819f4f1118115821db2ca9f25e9ee995a7da2a",
            ),
        ],
    },
    Release {
        version: "2.2.1",
        tarball_sha256: "02b443cfd721fecdcd4becc9982fc9428acf81f3a0606ab36707944b212d3e3c",
        files: &[(
            "package/generated/ghes-2.22.json",
            "7c11ac40185da5259584308be16688e732a19e40d732f878822f2bf4838ffed5",
        )],
    },
];

impl Release {
    /// `@octokit/openapi@VERSION`.
    pub fn spec(&self) -> String {
        format!("{PACKAGE}@{}", self.version)
    }

    /// Its cache directory under the workspace's `target/`.
    pub fn cache_dir(&self, root: &Path) -> PathBuf {
        root.join("target")
            .join(format!("octokit-openapi-{}", self.version))
    }

    /// The sha256 of one of its files, by file name (`ghes-3.19.json`).
    fn sha256_of(&self, file_name: &str) -> Option<&'static str> {
        self.files
            .iter()
            .find(|(p, _)| base_name(p) == file_name)
            .map(|(_, sha)| *sha)
    }
}

/// The pinned release holding `file_name` (e.g. `ghes-2.22.json`).
pub fn release_of(file_name: &str) -> Option<&'static Release> {
    RELEASES.iter().find(|r| r.sha256_of(file_name).is_some())
}

/// Where `file_name` is (or will be) cached, if a pinned release holds it.
pub fn cache_path(root: &Path, file_name: &str) -> Option<PathBuf> {
    Some(release_of(file_name)?.cache_dir(root).join(file_name))
}

/// The cached copy of a package file (by its file name, e.g.
/// `ghes-3.19.json`), if it is there with the pinned sha256.
pub fn cached(root: &Path, file_name: &str) -> Option<PathBuf> {
    let sha = release_of(file_name)?.sha256_of(file_name)?;
    let path = cache_path(root, file_name)?;
    let bytes = std::fs::read(&path).ok()?;
    (sha256_hex(&bytes) == sha).then_some(path)
}

/// Makes every file of every pinned release available in the cache (see
/// [`fetch_release`]).
pub fn fetch(root: &Path) -> Result<Vec<PathBuf>, Error> {
    RELEASES.iter().map(|r| fetch_release(root, r)).collect()
}

/// Makes every file of `release` available in its cache directory: fetches
/// the tarball with `npm pack` and extracts it with `tar` when needed, and
/// refuses anything whose sha256 is not the pinned one.
pub fn fetch_release(root: &Path, release: &Release) -> Result<PathBuf, Error> {
    let dir = release.cache_dir(root);
    if release
        .files
        .iter()
        .all(|(p, _)| cached(root, base_name(p)).is_some())
    {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating", &dir, e))?;
    let spec = release.spec();
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
    let tarball = dir.join(format!("octokit-openapi-{}.tgz", release.version));
    let bytes = std::fs::read(&tarball).map_err(|e| Error::io("reading", &tarball, e))?;
    let actual = sha256_hex(&bytes);
    if actual != release.tarball_sha256 {
        return Err(Error::Fetch(format!(
            "{} has sha256 {actual}, not the pinned {}",
            tarball.display(),
            release.tarball_sha256
        )));
    }
    let mut tar = Command::new("tar");
    tar.arg("-xzf").arg(&tarball).arg("-C").arg(&dir);
    tar.args(release.files.iter().map(|(p, _)| *p));
    let status = tar
        .status()
        .map_err(|e| Error::Fetch(format!("cannot run tar: {e}")))?;
    if !status.success() {
        return Err(Error::Fetch(format!("tar failed on {}", tarball.display())));
    }
    for (inner, sha) in release.files {
        let from = dir.join(inner);
        let to = dir.join(base_name(inner));
        std::fs::rename(&from, &to).map_err(|e| Error::io("moving", &from, e))?;
        let bytes = std::fs::read(&to).map_err(|e| Error::io("reading", &to, e))?;
        if sha256_hex(&bytes) != *sha {
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

/// A path's last segment.
fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each file is found in exactly one release and cached in its folder.
    #[test]
    fn each_file_has_one_release_and_its_own_folder() {
        let root = Path::new("/repo");
        assert_eq!(
            release_of("ghes-2.22.json").map(|r| r.version),
            Some("2.2.1")
        );
        assert_eq!(
            release_of("ghes-3.19.json").map(|r| r.version),
            Some("23.0.2")
        );
        assert_eq!(release_of("ghes-9.99.json"), None);
        assert_eq!(
            cache_path(root, "ghes-2.22.json"),
            Some(PathBuf::from(
                "/repo/target/octokit-openapi-2.2.1/ghes-2.22.json"
            ))
        );
        let mut names: Vec<&str> = RELEASES
            .iter()
            .flat_map(|r| r.files.iter().map(|(p, _)| base_name(p)))
            .collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all, "a file name in two releases");
    }
}
