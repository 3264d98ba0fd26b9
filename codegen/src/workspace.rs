//! Where the pipeline's files live in the repository, and reading/writing them.

use std::path::{Path, PathBuf};

use crate::Error;

/// The repository's root and the well-known files under it.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// Finds the repository at run time: the nearest directory, from the
    /// current one upwards, that holds `openapi/operations.json` and a
    /// `Cargo.toml`; failing that, the parent of the `CARGO_MANIFEST_DIR`
    /// cargo sets for `cargo run` (the xtask package's directory).
    ///
    /// Never the path the binary was compiled in: with a shared or cached
    /// target dir, one xtask binary serves several checkouts, and each
    /// must read and write its own.
    pub fn discover() -> Result<Self, Error> {
        let cwd = std::env::current_dir().map_err(|e| Error::io("reading", ".", e))?;
        if let Some(root) = Self::find_upwards(&cwd) {
            return Ok(Self::at(root));
        }
        if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR")
            && let Some(root) = Self::find_upwards(Path::new(&dir))
        {
            return Ok(Self::at(root));
        }
        Err(Error::NoWorkspace { searched: cwd })
    }

    /// The nearest of `start` and its ancestors that is a repository root.
    pub fn find_upwards(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .find(|dir| {
                dir.join("openapi/operations.json").is_file() && dir.join("Cargo.toml").is_file()
            })
            .map(Path::to_path_buf)
    }

    /// The workspace this `codegen` crate was compiled from: for this
    /// repository's own tests (compiled in the checkout they test). Tools
    /// use [`Workspace::discover`].
    pub fn from_build() -> Self {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        Self::at(here.parent().unwrap_or(here))
    }

    /// A workspace rooted at `root` (tests use temporary copies).
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The repository root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `openapi/fragment.json`: GitHub's contract for the listed operations, verbatim.
    pub fn fragment(&self) -> PathBuf {
        self.root.join("openapi/fragment.json")
    }

    /// `openapi/operations.json`: the operations octodeploy binds.
    pub fn operations(&self) -> PathBuf {
        self.root.join("openapi/operations.json")
    }

    /// Reads the operation list (see [`crate::operations`]).
    pub fn read_operations(&self) -> Result<Vec<String>, Error> {
        crate::operations::read(&self.operations())
    }

    /// `openapi/provenance.json`: which upstream file the fragment came from.
    pub fn provenance(&self) -> PathBuf {
        self.root.join("openapi/provenance.json")
    }

    /// `openapi/drift/`: acknowledged drift snapshots.
    pub fn drift_dir(&self) -> PathBuf {
        self.root.join("openapi/drift")
    }

    /// The generated crate's single source file.
    pub fn generated(&self) -> PathBuf {
        self.root.join("crates/octodeploy-api/src/lib.rs")
    }

    /// The pinned upstream description, as laid out beside the repository.
    pub fn default_upstream(&self) -> PathBuf {
        let beside = self.root.parent().unwrap_or(&self.root);
        beside.join("shared/upstream/ghes-3.0.json")
    }

    /// Reads the fragment as JSON.
    pub fn read_fragment(&self) -> Result<serde_json::Value, Error> {
        read_json(&self.fragment())
    }
}

/// Reads a whole file as text.
pub fn read_text(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))
}

/// Reads and parses a JSON file.
pub fn read_json(path: &Path) -> Result<serde_json::Value, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
    serde_json::from_slice(&bytes).map_err(|source| Error::Json {
        path: path.to_owned(),
        source,
    })
}

/// Writes a file, creating its directory, only when its content changes.
pub fn write_if_changed(path: &Path, content: &str) -> Result<bool, Error> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
    }
    std::fs::write(path, content).map_err(|e| Error::io("writing", path, e))?;
    Ok(true)
}
