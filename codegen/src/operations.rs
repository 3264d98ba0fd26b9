//! The operation list: which GitHub operations octodeploy binds. It is
//! configuration (`openapi/operations.json`), not code: `extract` cuts
//! exactly these out of an upstream description, provenance records them,
//! and drift compares every operation the fragment holds.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::{Error, workspace};

/// The contents of `openapi/operations.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "$comment", default)]
    _comment: Option<String>,
    operations: Vec<Entry>,
}

/// One operation of the list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(rename = "operationId")]
    operation_id: String,
    /// What in octodeploy uses it (documentation only).
    #[serde(rename = "for", default)]
    _used_for: Option<String>,
}

/// Reads the operationIds from an operation-list file, in file order.
///
/// Fails on an empty list, a repeated operationId or a file that is not
/// the documented shape (unknown keys included), naming the file.
pub fn read(path: &Path) -> Result<Vec<String>, Error> {
    let text = workspace::read_text(path)?;
    let file: File = serde_json::from_str(&text).map_err(|source| Error::Json {
        path: path.to_owned(),
        source,
    })?;
    let mut ids: Vec<String> = Vec::with_capacity(file.operations.len());
    for entry in file.operations {
        if ids.contains(&entry.operation_id) {
            return Err(Error::Extract(format!(
                "{} lists operation {} twice",
                path.display(),
                entry.operation_id
            )));
        }
        ids.push(entry.operation_id);
    }
    if ids.is_empty() {
        return Err(Error::Extract(format!(
            "{} lists no operations",
            path.display()
        )));
    }
    Ok(ids)
}

/// The operationIds a description holds, in document order (paths as
/// listed, methods in OpenAPI's order).
pub fn in_description(spec: &Value) -> Vec<String> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    paths
        .values()
        .flat_map(|item| METHODS.iter().filter_map(move |m| item.get(*m)))
        .filter_map(|op| op.get("operationId").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read_str(text: &str) -> Result<Vec<String>, Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("operations.json");
        std::fs::write(&path, text).unwrap();
        read(&path)
    }

    #[test]
    fn reads_in_file_order() {
        let ids = read_str(
            r#"{"operations": [{"operationId": "b/x", "for": "x"}, {"operationId": "a/y"}]}"#,
        )
        .unwrap();
        assert_eq!(ids, ["b/x", "a/y"]);
    }

    #[test]
    fn refuses_duplicates_empty_lists_and_unknown_keys() {
        let dup = read_str(r#"{"operations": [{"operationId": "a"}, {"operationId": "a"}]}"#);
        assert!(
            dup.unwrap_err()
                .to_string()
                .contains("lists operation a twice")
        );
        let empty = read_str(r#"{"operations": []}"#);
        assert!(
            empty
                .unwrap_err()
                .to_string()
                .contains("lists no operations")
        );
        let typo = read_str(r#"{"operations": [{"operationid": "a"}]}"#);
        assert!(typo.unwrap_err().to_string().contains("operations.json"));
    }

    #[test]
    fn the_checked_in_list_is_the_fragments() {
        let ws = crate::Workspace::from_build();
        let mut listed = read(&ws.operations()).unwrap();
        let mut held = in_description(&ws.read_fragment().unwrap());
        listed.sort();
        held.sort();
        assert_eq!(listed, held);
    }
}
