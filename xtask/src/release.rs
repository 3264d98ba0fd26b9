//! What `cargo xtask ci` checks about releasing: the published crates package
//! and build from their packaged sources alone (offline, each verified against
//! the others through cargo's local registry), and the README's library example
//! builds as a crate of its own (`examples/readme`, outside the workspace).

use std::path::Path;

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
