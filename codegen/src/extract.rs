//! `cargo xtask extract`: cut the listed operations (`openapi/operations.json`)
//! and every component they reference, transitively, out of a full GitHub
//! OpenAPI description; write the fragment with its provenance, or check it.
//!
//! Values are copied unchanged. Only the order of map entries that the
//! extraction itself chooses is normalised (paths, methods, component
//! sections and names are sorted); every object copied from upstream keeps
//! upstream's key order, so the fragment reads like the original.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::{Map, Value};

use crate::{Error, Workspace, diff, workspace};

/// HTTP methods in the order OpenAPI lists them in a path item.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Document-level keys carried over verbatim (metadata, not operations).
/// Top-level `tags` are left out: they describe the whole API's sections,
/// and no operation references them.
const HEADER_KEYS: [&str; 4] = ["openapi", "info", "servers", "externalDocs"];

/// Keys that are not GitHub's, added by redistributors: removed from what
/// is copied, and recorded (`x-octodeploy-stripped` in the fragment,
/// `stripped` in provenance).
pub const VENDOR_KEYS: [&str; 1] = ["x-octokit"];

/// The fragment key that says which vendor keys were stripped, and how often.
pub const STRIPPED_KEY: &str = "x-octodeploy-stripped";

/// Extracts the fragment for `operation_ids` from `upstream`: GitHub's
/// words verbatim, minus [`VENDOR_KEYS`] (named under [`STRIPPED_KEY`]
/// when any were found). An OpenAPI 3.1 description is refused with the
/// first 3.1-only construct and where it is ([`check_openapi_30`]).
pub fn extract(upstream: &Value, operation_ids: &[&str]) -> Result<Value, Error> {
    let mut fragment = extract_verbatim(upstream, operation_ids)?;
    let mut counts = BTreeMap::new();
    strip_vendor_keys(&mut fragment, &mut counts);
    if !counts.is_empty()
        && let Some(object) = fragment.as_object_mut()
    {
        let stripped: Map<String, Value> = counts
            .into_iter()
            .map(|(k, n)| (k, Value::from(n)))
            .collect();
        object.insert(STRIPPED_KEY.to_owned(), Value::Object(stripped));
    }
    check_openapi_30(&fragment)?;
    Ok(fragment)
}

/// Removes [`VENDOR_KEYS`] anywhere under `value`, counting them.
fn strip_vendor_keys(value: &mut Value, counts: &mut BTreeMap<String, u64>) {
    match value {
        Value::Object(map) => {
            for key in VENDOR_KEYS {
                if map.shift_remove(key).is_some() {
                    *counts.entry(key.to_owned()).or_default() += 1;
                }
            }
            map.values_mut().for_each(|v| strip_vendor_keys(v, counts));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| strip_vendor_keys(v, counts)),
        _ => {}
    }
}

/// Fails with [`Error::Unsupported`] when `spec` is OpenAPI 3.1 (progenitor
/// 0.15 reads 3.0 only), naming the first 3.1-only construct found and its
/// JSON pointer: a `type` list, `const`, a schema `examples` list,
/// `$schema`, or else the `openapi` version itself. `cargo xtask drift`
/// reads 3.1 descriptions as they are.
pub fn check_openapi_30(spec: &Value) -> Result<(), Error> {
    let version = spec
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !version.starts_with("3.1") {
        return Ok(());
    }
    let (construct, location) = first_31_construct(spec, String::new())
        .unwrap_or_else(|| (format!("openapi: {version}"), "/openapi".to_owned()));
    Err(Error::Unsupported {
        construct,
        location,
        version: version.to_owned(),
    })
}

fn first_31_construct(value: &Value, at: String) -> Option<(String, String)> {
    match value {
        Value::Object(map) => {
            if let Some(types @ Value::Array(_)) = map.get("type") {
                return Some((format!("type list {types}"), format!("{at}/type")));
            }
            for key in ["const", "$schema"] {
                if map.contains_key(key) {
                    return Some((format!("`{key}`"), format!("{at}/{key}")));
                }
            }
            if map.contains_key("type") && map.get("examples").is_some_and(Value::is_array) {
                return Some((
                    "schema `examples` list".to_owned(),
                    format!("{at}/examples"),
                ));
            }
            map.iter().find_map(|(k, v)| {
                first_31_construct(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                )
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_31_construct(v, format!("{at}/{i}"))),
        _ => None,
    }
}

/// [`extract`] without stripping or checks: the operations and their
/// closure, copied.
fn extract_verbatim(upstream: &Value, operation_ids: &[&str]) -> Result<Value, Error> {
    let paths = upstream
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::Extract("the description has no `paths` object".into()))?;

    // path -> method -> operation
    let mut found: BTreeMap<&str, BTreeMap<usize, (&str, &Value)>> = BTreeMap::new();
    let mut missing: BTreeSet<&str> = operation_ids.iter().copied().collect();
    for (path, item) in paths {
        for (rank, method) in METHODS.iter().enumerate() {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            if missing.remove(id) {
                found.entry(path).or_default().insert(rank, (method, op));
            } else if operation_ids.contains(&id) {
                return Err(Error::Extract(format!("operationId {id} appears twice")));
            }
        }
        if let (true, Some(shared)) = (found.contains_key(path.as_str()), item.get("parameters")) {
            return Err(Error::Extract(format!(
                "path {path} has path-level parameters ({shared}); extraction keeps \
                 operations only, so it would lose them"
            )));
        }
    }
    if !missing.is_empty() {
        return Err(Error::Extract(format!(
            "operations not found in the description: {}",
            missing.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }

    let mut out = Map::new();
    for key in HEADER_KEYS {
        if let Some(v) = upstream.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }

    let mut out_paths = Map::new();
    for (path, methods) in &found {
        let item = methods
            .values()
            .map(|(method, op)| ((*method).to_owned(), (*op).clone()))
            .collect();
        out_paths.insert((*path).to_owned(), Value::Object(item));
    }
    let out_paths = Value::Object(out_paths);
    let components = referenced_components(upstream, &out_paths)?;
    out.insert("paths".into(), out_paths);
    if !components.is_empty() {
        out.insert("components".into(), Value::Object(components));
    }
    Ok(Value::Object(out))
}

/// Every `#/components/<section>/<name>` reachable from `root`, copied from
/// `upstream`, sections and names sorted.
fn referenced_components(upstream: &Value, root: &Value) -> Result<Map<String, Value>, Error> {
    let mut seen: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    collect_refs(root, &mut queue);
    while let Some(reference) = queue.pop_front() {
        let (section, name) = split_ref(&reference)?;
        if seen.contains_key(&(section.clone(), name.clone())) {
            continue;
        }
        let value = upstream
            .get("components")
            .and_then(|c| c.get(&section))
            .and_then(|s| s.get(&name))
            .ok_or_else(|| Error::Extract(format!("unresolvable reference {reference}")))?;
        collect_refs(value, &mut queue);
        seen.insert((section, name), value.clone());
    }
    let mut sections: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for ((section, name), value) in seen {
        sections.entry(section).or_default().insert(name, value);
    }
    Ok(sections
        .into_iter()
        .map(|(k, v)| (k, Value::Object(v)))
        .collect())
}

/// Splits `#/components/schemas/foo` into (`schemas`, `foo`), unescaping
/// JSON Pointer tokens.
fn split_ref(reference: &str) -> Result<(String, String), Error> {
    let rest = reference.strip_prefix("#/components/").ok_or_else(|| {
        Error::Extract(format!(
            "reference {reference} is not local to #/components; extraction only follows those"
        ))
    })?;
    let mut parts = rest.splitn(2, '/');
    match (parts.next(), parts.next()) {
        (Some(section), Some(name)) if !name.contains('/') => {
            Ok((unescape(section), unescape(name)))
        }
        _ => Err(Error::Extract(format!("unsupported reference {reference}"))),
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Pushes every `$ref` string found anywhere under `value`.
fn collect_refs(value: &Value, out: &mut VecDeque<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push_back(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The fragment's canonical text: two-space pretty JSON and a final newline.
pub fn to_text(fragment: &Value) -> String {
    let mut s = serde_json::to_string_pretty(fragment).unwrap_or_default();
    s.push('\n');
    s
}

/// Re-extracts the fragment from `upstream` and fails when it, or the
/// upstream's digest, differs from what is recorded.
pub fn check_fragment(ws: &Workspace, upstream: &std::path::Path) -> Result<(), Error> {
    let (fragment, provenance) = extract_from(ws, upstream)?;
    let recorded = crate::provenance::Provenance::read(&ws.provenance())?;
    if recorded.sha256 != provenance.sha256 {
        return Err(Error::UpstreamChanged {
            path: upstream.to_owned(),
            expected: recorded.sha256,
            actual: provenance.sha256,
        });
    }
    let fix = format!("cargo xtask extract --upstream {}", upstream.display());
    for (path, expected) in [
        (ws.fragment(), to_text(&fragment)),
        (ws.provenance(), provenance.to_text()),
    ] {
        let actual = crate::generate::read_or_empty(&path)?;
        let diff = diff::unified("checked in", "extracted", &actual, &expected);
        if !diff.is_empty() {
            return Err(Error::OutOfDate {
                path,
                diff,
                fix: fix.clone(),
            });
        }
    }
    Ok(())
}

/// Extracts the fragment from `upstream` and writes it with its provenance.
pub fn write_fragment(ws: &Workspace, upstream: &std::path::Path) -> Result<bool, Error> {
    let (fragment, provenance) = extract_from(ws, upstream)?;
    let a = workspace::write_if_changed(&ws.fragment(), &to_text(&fragment))?;
    let b = workspace::write_if_changed(&ws.provenance(), &provenance.to_text())?;
    Ok(a || b)
}

fn extract_from(
    ws: &Workspace,
    upstream: &std::path::Path,
) -> Result<(serde_json::Value, crate::provenance::Provenance), Error> {
    let bytes = std::fs::read(upstream).map_err(|e| Error::io("reading", upstream, e))?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|source| Error::Json {
            path: upstream.to_owned(),
            source,
        })?;
    let operations = ws.read_operations()?;
    let ids: Vec<&str> = operations.iter().map(String::as_str).collect();
    let fragment = extract(&value, &ids)?;
    let stripped = fragment
        .get(STRIPPED_KEY)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(key, n)| format!("{key} ({n} occurrences)"))
        .collect();
    let provenance =
        crate::provenance::Provenance::describe(upstream, &bytes, &value, &ids, stripped);
    Ok((fragment, provenance))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "tags": [{"name": "a"}],
            "paths": {
                "/b": {"get": {"operationId": "op/b", "tags": ["a"], "responses": {"200": {"$ref": "#/components/responses/ok"}}}},
                "/a": {
                    "post": {"operationId": "op/a", "parameters": [{"$ref": "#/components/parameters/p"}], "responses": {}},
                    "get": {"operationId": "op/other", "responses": {}}
                }
            },
            "components": {
                "responses": {"ok": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/x"}}}}},
                "parameters": {"p": {"name": "p", "in": "query", "schema": {"type": "string"}}},
                "schemas": {
                    "x": {"properties": {"y": {"$ref": "#/components/schemas/y"}, "self": {"$ref": "#/components/schemas/x"}}},
                    "y": {"type": "string"},
                    "z": {"type": "string"}
                },
                "examples": {"unused": {"value": 1}}
            }
        })
    }

    #[test]
    fn closure_is_exact() {
        let out = extract(&spec(), &["op/a", "op/b"]).unwrap();
        let c = &out["components"];
        let names: Vec<String> = c
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(s, m)| {
                m.as_object()
                    .unwrap()
                    .keys()
                    .map(move |n| format!("{s}/{n}"))
            })
            .collect();
        assert_eq!(
            names,
            ["parameters/p", "responses/ok", "schemas/x", "schemas/y"]
        );
        assert!(
            out["paths"]["/a"].get("get").is_none(),
            "unrelated operation copied"
        );
        assert!(
            out.get("tags").is_none(),
            "document-level tags are not part of the closure"
        );
        let paths: Vec<&String> = out["paths"].as_object().unwrap().keys().collect();
        assert_eq!(paths, ["/a", "/b"]);
    }

    #[test]
    fn missing_operation_is_named() {
        let err = extract(&spec(), &["op/a", "op/nope"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("op/nope"), "{err}");
    }

    #[test]
    fn dangling_reference_is_an_error() {
        let mut s = spec();
        s["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .remove("y");
        let err = extract(&s, &["op/b"]).unwrap_err().to_string();
        assert!(err.contains("#/components/schemas/y"), "{err}");
    }

    #[test]
    fn text_is_deterministic() {
        let a = to_text(&extract(&spec(), &["op/a", "op/b"]).unwrap());
        let b = to_text(&extract(&spec(), &["op/b", "op/a"]).unwrap());
        assert_eq!(a, b);
        assert!(a.ends_with("}\n"));
    }
}
