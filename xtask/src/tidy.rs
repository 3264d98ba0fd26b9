//! Tidy checks over the repository's own files, as plain `#[test]`s run by
//! `cargo test` (in the manner of rust-analyzer's `xtask/src/tidy.rs`):
//! every hand-written `.rs` file says what it owns in a `//!` doc and stays
//! under [`MAX_LINES`]; binary crates export nothing (`pub(crate)`, not
//! `pub`); integration tests live in each package's one `tests/it/` binary;
//! the published crates are exactly [`release::PUBLISHED`]; the README's
//! library example is `examples/readme`, with the same dependencies; and no
//! file names a package registry's host. (The CLI's exit codes have one
//! source, `exit::CODES` in the CLI, whose own tests hold `--help` and the
//! README's table to it.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

use std::path::{Path, PathBuf};

use crate::release;

/// The longest a hand-written `.rs` file may be.
const MAX_LINES: usize = 800;

/// Files written by a tool, not by hand: exempt from the rules for hand-written files.
const GENERATED: &[&str] = &["crates/octodeploy-api/src/lib.rs"];

/// Hand-written files allowed over [`MAX_LINES`] for now, each with the reason.
/// An entry that is no longer needed fails the test, so the list only shrinks.
const TOO_LONG: &[(&str, &str)] = &[];

/// Binary-only packages: nothing in them is reachable from outside, so an item
/// is `pub(crate)` at most (a `pub` would claim an API that does not exist).
const BINARY_CRATES: &[&str] = &["crates/octodeploy-cli/src", "xtask/src"];

/// Host names of package registries, which files must not name.
const REGISTRY_HOSTS: &[&str] = &["crates.io", "npmjs.org", "npmjs.com", "pypi.org"];

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `path` relative to the root, with `/` separators.
fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// Every file under `dir` (recursively), skipping build output and VCS data.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "target" && name != ".git" {
                    stack.push(path);
                }
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Every hand-written `.rs` file, relative path and text.
fn hand_written_rust() -> Vec<(String, String)> {
    files(&root())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| (rel(&p), std::fs::read_to_string(&p).unwrap()))
        .filter(|(path, _)| !GENERATED.contains(&path.as_str()))
        .collect()
}

#[test]
fn every_hand_written_rust_file_starts_with_a_module_doc() {
    let missing: Vec<String> = hand_written_rust()
        .into_iter()
        .filter(|(_, text)| !text.starts_with("//!"))
        .map(|(path, _)| path)
        .collect();
    assert!(
        missing.is_empty(),
        "these files do not start with a `//!` doc saying what they own:\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_hand_written_rust_file_is_over_the_line_limit() {
    let mut problems = Vec::new();
    let sources = hand_written_rust();
    for (path, text) in &sources {
        let lines = text.lines().count();
        let excepted = TOO_LONG.iter().any(|(p, _)| p == path);
        if lines > MAX_LINES && !excepted {
            problems.push(format!(
                "{path}: {lines} lines (over {MAX_LINES}): split it into modules that each do one thing"
            ));
        }
        if lines <= MAX_LINES && excepted {
            problems.push(format!(
                "{path}: {lines} lines now: remove it from TOO_LONG in xtask/src/tidy.rs"
            ));
        }
    }
    for (path, _) in TOO_LONG {
        if !sources.iter().any(|(p, _)| p == path) {
            problems.push(format!(
                "{path} is gone: remove it from TOO_LONG in xtask/src/tidy.rs"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The `pub` items and fields of `text` (not `pub(crate)` or `pub(super)`),
/// as `line: text`; comments are skipped.
fn public_items(text: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.trim_start();
            !code.starts_with("//") && (code.starts_with("pub ") || code.contains(" pub "))
        })
        .map(|(n, line)| format!("{}: {}", n + 1, line.trim()))
        .collect()
}

#[test]
fn binary_crates_export_nothing() {
    let mut found = Vec::new();
    for dir in BINARY_CRATES {
        for path in files(&root().join(dir)) {
            // This file's own tests spell `pub` items inside strings.
            if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("xtask/src/tidy.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for item in public_items(&text) {
                    found.push(format!("{}:{item}", rel(&path)));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "a binary crate has no API: make these pub(crate):\n{}",
        found.join("\n")
    );
}

#[test]
fn public_items_are_found_and_restricted_ones_are_not() {
    let text = "pub fn a() {}\npub(crate) fn b() {}\n    pub name: String,\n// pub fn c\n    pub(super) x: u8,\nstruct S { pub y: u8 }\n";
    assert_eq!(
        public_items(text),
        [
            "1: pub fn a() {}",
            "3: pub name: String,",
            "6: struct S { pub y: u8 }"
        ]
    );
}

/// The workspace members, as listed in the root manifest.
fn members() -> Vec<String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let list = manifest
        .split_once("members = [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(list, _)| list)
        .expect("the root Cargo.toml lists its members");
    list.split(',')
        .map(|m| m.trim().trim_matches('"').to_owned())
        .filter(|m| !m.is_empty())
        .collect()
}

/// A manifest's `[package]` name and whether it says `publish = false`.
fn package(member: &str) -> (String, bool) {
    let manifest = std::fs::read_to_string(root().join(member).join("Cargo.toml")).unwrap();
    let name = manifest
        .lines()
        .find_map(|l| l.strip_prefix("name = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or_else(|| panic!("{member}/Cargo.toml has no name"))
        .to_owned();
    let private = manifest.lines().any(|l| l.trim() == "publish = false");
    (name, private)
}

#[test]
fn the_published_crates_are_those_without_publish_false() {
    let mut public: Vec<String> = members()
        .iter()
        .map(|m| package(m))
        .filter(|(_, private)| !private)
        .map(|(name, _)| name)
        .collect();
    public.sort();
    let mut listed: Vec<String> = release::PUBLISHED.iter().map(|s| (*s).to_owned()).collect();
    listed.sort();
    assert_eq!(
        public, listed,
        "xtask/src/release.rs PUBLISHED and the manifests' `publish = false` disagree"
    );
}

#[test]
fn integration_tests_live_in_one_tests_it_binary_per_package() {
    let mut stray = Vec::new();
    for member in members() {
        // The recorded-traffic package is rooted at `tests/` itself.
        let tests = if member == "tests" {
            root().join("tests")
        } else {
            root().join(&member).join("tests")
        };
        if !tests.is_dir() {
            continue;
        }
        for path in files(&tests) {
            let inside = path.strip_prefix(&tests).unwrap();
            let allowed = inside.starts_with("it")
                || (member == "tests"
                    && ["src", "cassettes", "Cargo.toml", "README.md"]
                        .iter()
                        .any(|p| inside.starts_with(p)));
            if !allowed {
                stray.push(rel(&path));
            }
        }
        let manifest = std::fs::read_to_string(root().join(&member).join("Cargo.toml")).unwrap();
        let targets = manifest.matches("[[test]]").count();
        if targets > usize::from(member == "tests") {
            stray.push(format!("{member}/Cargo.toml: {targets} [[test]] targets"));
        }
    }
    assert!(
        stray.is_empty(),
        "integration tests belong in the package's tests/it/ (a `mod` in tests/it/main.rs):\n{}",
        stray.join("\n")
    );
}

/// The first fenced block of `kind` after `heading` in the README.
fn readme_block(readme: &str, heading: &str, kind: &str) -> String {
    let section = readme
        .split_once(heading)
        .unwrap_or_else(|| panic!("README has no {heading:?}"))
        .1;
    let fence = format!("```{kind}\n");
    let body = section
        .split_once(&fence)
        .unwrap_or_else(|| panic!("no ```{kind} block under {heading:?}"))
        .1;
    body.split_once("```")
        .expect("the block is closed")
        .0
        .to_owned()
}

/// `[dependencies]` of a manifest as lines, with `path = …` dropped from a
/// `{ version = "V", path = "P" }` entry (`name = "V"`, as a user writes it).
fn dependencies(manifest: &str) -> Vec<String> {
    let table = manifest
        .split_once("[dependencies]\n")
        .expect("a [dependencies] table")
        .1;
    table
        .lines()
        .take_while(|l| !l.starts_with('['))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(" = { version = ") {
            Some((name, rest)) if rest.contains(", path = ") => {
                let version = rest.split_once(", path = ").unwrap().0;
                format!("{name} = {version}")
            }
            _ => l.to_owned(),
        })
        .collect()
}

#[test]
fn the_readme_library_example_is_the_examples_crate() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let example = root().join("examples/readme");
    let toml = readme_block(&readme, "## The library", "toml");
    let code = readme_block(&readme, "## The library", "rust,no_run");
    let manifest = std::fs::read_to_string(example.join("Cargo.toml")).unwrap();
    assert_eq!(
        dependencies(&toml),
        dependencies(&manifest),
        "the README's [dependencies] and examples/readme/Cargo.toml differ"
    );
    let main = std::fs::read_to_string(example.join("src/main.rs")).unwrap();
    let body = main
        .split_once("\n\n")
        .filter(|(doc, _)| doc.lines().all(|l| l.starts_with("//!")))
        .map(|(_, body)| body)
        .expect("examples/readme/src/main.rs is a `//!` doc, a blank line, then the README's code");
    assert_eq!(
        body, code,
        "examples/readme/src/main.rs is not the README's library example"
    );
    assert!(
        release::README_EXAMPLE.starts_with("examples/readme/"),
        "cargo xtask ci builds this crate"
    );
}

#[test]
fn dependency_lines_compare_as_a_user_writes_them() {
    let manifest = "[package]\nname = \"x\"\n\n[dependencies]\n# c\na = { version = \"0.1\", path = \"../a\" }\nb = \"1\"\n\n[dev-dependencies]\nc = \"2\"\n";
    assert_eq!(dependencies(manifest), ["a = \"0.1\"", "b = \"1\""]);
}

#[test]
fn no_file_names_a_package_registry_host() {
    let mut found = Vec::new();
    for path in files(&root()) {
        let name = rel(&path);
        // Cargo writes the registry's source URL into the lock files itself.
        if name.ends_with("Cargo.lock") || name == "xtask/src/tidy.rs" {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // not text
        };
        for host in REGISTRY_HOSTS {
            if text.contains(host) {
                found.push(format!("{name}: {host}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "say \"the crate registry\" (or the package's name) instead of a registry's host:\n{}",
        found.join("\n")
    );
}

/// `"1.88"` or `"1.88.1"` as numbers, for comparing.
fn version(text: &str) -> Vec<u64> {
    text.split('.').map(|p| p.parse().unwrap()).collect()
}

#[test]
fn no_locked_dependency_needs_a_newer_rust_than_the_declared_msrv() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let msrv = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("the workspace declares rust-version");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let newer: Vec<String> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version(needs) > version(msrv))
                .then(|| format!("{} {} needs {needs}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        newer.is_empty(),
        "rust-version {msrv} is claimed, but the lock file holds:\n{}\n(raise rust-version, \
         or keep the older dependency: see \"Minimum supported Rust version\" in the README)",
        newer.join("\n")
    );
}
