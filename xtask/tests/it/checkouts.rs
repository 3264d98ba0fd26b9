//! Two checkouts, one xtask binary (what a shared or cached target dir
//! gives): each run reads and writes the checkout it runs in, never the
//! one the binary was compiled in.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A minimal checkout: `Cargo.toml`, the operation list and the fragment.
pub(crate) fn checkout(dir: &Path) -> PathBuf {
    let real = codegen::Workspace::from_build();
    std::fs::create_dir_all(dir.join("openapi/drift")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\n").unwrap();
    for file in [real.operations(), real.fragment()] {
        let rel = file.strip_prefix(real.root()).unwrap();
        std::fs::copy(&file, dir.join(rel)).unwrap();
    }
    dir.to_path_buf()
}

pub(crate) fn xtask(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.current_dir(cwd).env_remove("CARGO_MANIFEST_DIR");
    cmd
}

#[test]
fn each_checkout_is_found_at_run_time() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (a, b) = (checkout(a.path()), checkout(b.path()));
    std::fs::create_dir_all(b.join("crates/octodeploy-api/src/sub")).unwrap();

    // Run from a subdirectory of B: B's generated crate is written...
    let out = xtask(&b.join("crates/octodeploy-api/src/sub"))
        .arg("regen")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = b.join("crates/octodeploy-api/src/lib.rs");
    assert!(
        std::fs::read_to_string(&generated)
            .unwrap()
            .starts_with("// @generated")
    );
    // ...and neither A nor the checkout the binary was built in is touched.
    assert!(!a.join("crates/octodeploy-api/src/lib.rs").exists());

    // Blessing from A writes A's snapshot only.
    let against = a.join("openapi/fragment.json");
    let out = xtask(&a)
        .args(["drift", "--snapshot", "self", "--bless", "--against"])
        .arg(&against)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(a.join("openapi/drift/self.txt").exists());
    assert!(!b.join("openapi/drift/self.txt").exists());
}

#[test]
fn outside_any_checkout_it_says_so() {
    let empty = tempfile::tempdir().unwrap();
    let out = xtask(empty.path()).arg("regen").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no octodeploy checkout at or above"),
        "{stderr}"
    );
}
