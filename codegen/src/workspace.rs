//! Where the pipeline's files live in the repository, and reading/writing them.

use std::path::{Path, PathBuf};

use crate::Error;

/// The repository's root and the well-known files under it.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// The workspace this `codegen` crate was built from.
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
