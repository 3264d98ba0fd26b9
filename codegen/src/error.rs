//! The codegen library's error type.

use std::path::PathBuf;

/// Everything that can go wrong while extracting, fixing up, generating or
/// checking. Check failures carry the diff and the command that fixes them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("reading", "writing").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not the JSON it should be.
    #[error("{} is not valid JSON: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// The upstream description does not have what extraction needs.
    #[error("extraction failed: {0}")]
    Extract(String),
    /// The description uses a construct the generator cannot read.
    #[error(
        "OpenAPI {version} is not supported by extract/regen (progenitor reads OpenAPI 3.0): \
         {construct} at {location}; drift reads 3.1 descriptions as they are"
    )]
    Unsupported {
        /// What was found, e.g. `type list ["string","null"]`.
        construct: String,
        /// Its JSON pointer in the description.
        location: String,
        /// The description's `openapi` version.
        version: String,
    },
    /// A fixup no longer applies: the spec changed under it.
    #[error("fixup {name} no longer applies: {reason}")]
    StaleFixup {
        /// The fixup's function name.
        name: &'static str,
        /// What it looked for and did not find.
        reason: String,
    },
    /// Several fixups no longer apply (every one found in the run).
    #[error("{} fixups no longer apply:{}", .0.len(), list_stale(.0))]
    StaleFixups(Vec<(&'static str, String)>),
    /// The fixed-up fragment is not an OpenAPI document openapiv3 can read.
    #[error("the fixed-up fragment is not a valid OpenAPI 3.0 document: {0}")]
    Spec(#[source] serde_json::Error),
    /// progenitor refused the spec.
    #[error("progenitor failed: {0}")]
    Progenitor(#[from] progenitor_impl::Error),
    /// progenitor panicked (it asserts on some specs instead of failing).
    #[error("progenitor panicked: {0} (see codegen/src/fixups/generator_workarounds.rs)")]
    ProgenitorPanicked(String),
    /// The generated code defines an item twice: rustc would refuse it.
    #[error("generated code would not compile, nothing written: {}", list_duplicates(.0))]
    DuplicateItems(Vec<crate::generate::verify::Duplicate>),
    /// progenitor produced tokens that are not a Rust file.
    #[error("generated code does not parse: {0}")]
    Syntax(#[from] syn::Error),
    /// The upstream file's sha256 is not the one recorded in provenance.
    #[error(
        "{} has sha256 {actual}, but openapi/provenance.json records {expected}.\n\
         If the upstream really changed, run `cargo xtask extract --upstream {}` and review the diff.",
        path.display(), path.display()
    )]
    UpstreamChanged {
        /// The upstream file.
        path: PathBuf,
        /// The recorded digest.
        expected: String,
        /// The digest of the file as it is.
        actual: String,
    },
    /// A checked-in file differs from what the pipeline produces.
    #[error("{} is out of date; run `{fix}` to update it.\n{diff}", path.display())]
    OutOfDate {
        /// The checked-in file.
        path: PathBuf,
        /// A unified diff, checked-in → expected.
        diff: String,
        /// The command that brings the file up to date.
        fix: String,
    },
    /// No repository found from the current directory.
    #[error(
        "no octodeploy checkout at or above {} (looked for openapi/operations.json and Cargo.toml); \
         run from inside the repository",
        searched.display()
    )]
    NoWorkspace {
        /// Where the search started.
        searched: PathBuf,
    },
    /// A description could not be fetched from the npm registry.
    #[error("fetching from the npm registry: {0}")]
    Fetch(String),
    /// A schema lookup in the contract failed.
    #[error("contract: {0}")]
    Contract(String),
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

fn list_stale(stale: &[(&'static str, String)]) -> String {
    stale
        .iter()
        .map(|(name, reason)| format!("\n  - fixup {name}: {reason}"))
        .collect()
}

fn list_duplicates(duplicates: &[crate::generate::verify::Duplicate]) -> String {
    duplicates
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
