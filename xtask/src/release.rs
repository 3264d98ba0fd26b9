//! What `cargo xtask ci` checks about releasing: the published crates package
//! and build from their packaged sources alone (offline, each verified against
//! the others through cargo's local registry), and the README's library example
//! builds as a crate of its own (`examples/readme`, outside the workspace).
//! Before packaging it clears what earlier runs left in cargo's home from
//! that local registry ([`clear_stale_extractions`]).

use std::path::{Path, PathBuf};

/// The crates published to the crate registry, in publishing order (each after
/// what it depends on). Every other workspace member has `publish = false`;
/// the tidy test holds the two together.
pub(crate) const PUBLISHED: &[&str] = &[
    "octodeploy-api",
    "octodeploy-fake",
    "octodeploy",
    "octodeploy-cli",
];

/// The README example crate's manifest, relative to the workspace root.
pub(crate) const README_EXAMPLE: &str = "examples/readme/Cargo.toml";

/// `cargo package` arguments for every published crate. `--allow-dirty` so a
/// local run before committing works; CI runs on a clean checkout anyway.
pub(crate) fn package_args() -> Vec<&'static str> {
    let mut args = vec!["package", "--locked", "--offline", "--allow-dirty"];
    for name in PUBLISHED {
        args.extend(["-p", name]);
    }
    args
}

/// `cargo build` arguments for the README example, sharing the workspace's
/// target directory so dependencies are not built twice. Not `--locked`: the
/// example keeps no lock file and resolves as a user's fresh crate would (from
/// what is already downloaded: `--offline`).
pub(crate) fn readme_example_args(root: &Path) -> Vec<String> {
    vec![
        "build".into(),
        "--offline".into(),
        "--manifest-path".into(),
        root.join(README_EXAMPLE).display().to_string(),
        "--target-dir".into(),
        root.join("target").display().to_string(),
    ]
}

/// Cargo's home directory: `CARGO_HOME`, else `.cargo` in the user's home.
pub(crate) fn cargo_home() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return Some(home.into());
    }
    ["HOME", "USERPROFILE"]
        .iter()
        .find_map(std::env::var_os)
        .map(|home| PathBuf::from(home).join(".cargo"))
}

/// Removes the copies of our published crates that earlier `cargo package`
/// runs extracted from cargo's temporary local registry, and returns what it
/// removed.
///
/// Packaging several workspace crates at once verifies each against the others
/// through a local registry under `target/package/`. Cargo extracts those
/// `.crate` files into `$CARGO_HOME/registry/src/-<hash of that path>/` and,
/// when a directory for `name-version` is already there (with its `.cargo-ok`
/// marker), builds what is there instead of the tarball it just packed. A
/// checkout at the same path as an earlier run (every CI run) therefore
/// verified the *old* sources: once the `schemars` derive became optional, the
/// new `octodeploy` manifest met a stale `octodeploy-api` whose code derived
/// it unconditionally, and the check failed on code no longer in the
/// repository. Directories of registries with a host (the crate registry's is
/// named after its host) are never touched: only the host-less `-<hash>` ones
/// cargo makes for local registries, and in them only directories named
/// `<published crate>-<version>`.
pub(crate) fn clear_stale_extractions(cargo_home: &Path) -> std::io::Result<Vec<PathBuf>> {
    let src = cargo_home.join("registry").join("src");
    let registries = match std::fs::read_dir(&src) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut removed = Vec::new();
    for registry in registries {
        let registry = registry?;
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for extracted in std::fs::read_dir(registry.path())? {
            let extracted = extracted?;
            let name = extracted.file_name();
            if is_published_extraction(&name.to_string_lossy()) {
                std::fs::remove_dir_all(extracted.path())?;
                removed.push(extracted.path());
            }
        }
    }
    removed.sort();
    Ok(removed)
}

/// `octodeploy-api-0.1.0` is; `octodeploy-apis-0.1.0` and `serde-1.0.0` are
/// not.
fn is_published_extraction(dir: &str) -> bool {
    PUBLISHED.iter().any(|name| {
        dir.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(path: &Path) {
        std::fs::create_dir_all(path).unwrap();
        std::fs::write(path.join(".cargo-ok"), "{\"v\":1}").unwrap();
    }

    #[test]
    fn stale_extractions_of_our_crates_go_and_nothing_else_does() {
        let home = tempfile::tempdir().unwrap();
        let src = home.path().join("registry/src");
        let local = src.join("-22c3805da5a543b4");
        let other_local = src.join("-207c49312c16eabf");
        let registry = src.join("registry.example-1949cf8c6b5b557f");
        for path in [
            local.join("octodeploy-api-0.1.0"),
            local.join("octodeploy-0.1.0"),
            other_local.join("octodeploy-cli-0.2.0-rc.1"),
            local.join("octodeploy-apis-0.1.0"),
            local.join("serde-1.0.228"),
            registry.join("octodeploy-api-0.1.0"),
        ] {
            dir(&path);
        }
        let removed = clear_stale_extractions(home.path()).unwrap();
        assert_eq!(
            removed,
            vec![
                other_local.join("octodeploy-cli-0.2.0-rc.1"),
                local.join("octodeploy-0.1.0"),
                local.join("octodeploy-api-0.1.0"),
            ]
        );
        for kept in [
            local.join("octodeploy-apis-0.1.0"),
            local.join("serde-1.0.228"),
            registry.join("octodeploy-api-0.1.0"),
        ] {
            assert!(kept.is_dir(), "{} was removed", kept.display());
        }
        assert_eq!(
            clear_stale_extractions(home.path()).unwrap(),
            Vec::<PathBuf>::new()
        );
    }

    #[test]
    fn a_cargo_home_without_a_registry_is_nothing_to_clear() {
        let home = tempfile::tempdir().unwrap();
        assert!(clear_stale_extractions(home.path()).unwrap().is_empty());
    }
}
