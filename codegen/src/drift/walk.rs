//! Walking two descriptions side by side: find each operation, follow
//! `$ref`s into `#/components/...`, and record every difference at its
//! *location* (where a value sits in a request or response), never at a
//! component name. A renamed component or an inline schema moved behind a
//! `$ref` therefore compares equal.
//!
//! Only the requested operations and what they reference are visited, so a
//! 13 MB description costs one parse and a few thousand node visits.
//! Schemas are compared in the `schema` child module; recursion is cut off
//! when the same pair of nodes is met again on the current path (and
//! nesting is capped at 64 levels). `$ref` siblings are ignored (OpenAPI 3.0
//! rules) and only local references (`#/...`) are supported.
//!
//! Location syntax: `operation`, `parameter <in> <name>`, `request <media>`,
//! `response <code>`, `response <code> <media>`, `response <code> header
//! <Name>`, followed for schemas by a path of `.property`, `[]` (array
//! items), `{}` (`additionalProperties`) and `|oneOf[i]` (composition
//! members).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

mod schema;

use super::DriftError;
use super::classify::{ChangeKind, Side};
use super::report::Change;

/// HTTP methods an OpenAPI path item can hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keywords that only document (see [`ChangeKind::Documentation`]).
const DOC_KEYWORDS: [&str; 9] = [
    "description",
    "summary",
    "title",
    "tags",
    "externalDocs",
    "example",
    "examples",
    "deprecated",
    "xml",
];

/// Added by `@octokit/openapi` to every operation; not part of GitHub's API.
const IGNORED_EXTENSION: &str = "x-octokit";

/// A `$ref` chain longer than this is treated as unresolvable (cyclic).
const MAX_REF_HOPS: usize = 32;

/// Compares `operations` between `base` and `other` and returns the
/// classified changes, unsorted.
pub(crate) fn compare(
    base: &Value,
    other: &Value,
    operations: &[&str],
) -> Result<Vec<Change>, DriftError> {
    let base_doc = Doc {
        root: base,
        label: "base",
    };
    let other_doc = Doc {
        root: other,
        label: "other",
    };
    let base_ops = base_doc.find_operations(operations)?;
    let other_ops = other_doc.find_operations(operations)?;
    let mut walker = Walker {
        base: base_doc,
        other: other_doc,
        operation: "",
        changes: Vec::new(),
        stack: Vec::new(),
    };
    for &id in operations {
        let Some(a) = base_ops.get(id) else {
            return Err(DriftError::OperationNotInBase {
                operation: id.to_owned(),
            });
        };
        walker.operation = id;
        match other_ops.get(id) {
            Some(b) => walker.operation_pair(a, b)?,
            None => walker.push(
                &Loc::new("operation"),
                Side::Operation,
                ChangeKind::OperationRemoved,
                Some(Value::String(a.endpoint())),
                None,
            ),
        }
    }
    Ok(walker.changes)
}

/// One description, with what is needed to resolve its references.
#[derive(Debug, Clone, Copy)]
struct Doc<'a> {
    root: &'a Value,
    /// `base` or `other`, for error messages.
    label: &'static str,
}

/// An operation and where it was found.
#[derive(Debug, Clone, Copy)]
struct Operation<'a> {
    path: &'a str,
    method: &'a str,
    path_item: &'a Value,
    op: &'a Value,
}

impl Operation<'_> {
    /// `METHOD /path`.
    fn endpoint(&self) -> String {
        format!("{} {}", self.method.to_ascii_uppercase(), self.path)
    }
}

impl<'a> Doc<'a> {
    /// Follows `$ref` chains; returns the target and the last referenced
    /// component's name.
    fn resolve(self, mut node: &'a Value) -> Result<(&'a Value, Option<&'a str>), DriftError> {
        let mut name = None;
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
                return Ok((node, name));
            };
            node = reference
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer))
                .ok_or_else(|| self.unresolved(reference))?;
            name = reference.rsplit('/').next();
        }
        Err(self.unresolved(node.get("$ref").and_then(Value::as_str).unwrap_or_default()))
    }

    fn unresolved(self, reference: &str) -> DriftError {
        DriftError::UnresolvedRef {
            document: self.label,
            reference: reference.to_owned(),
        }
    }

    /// Finds the wanted operations by `operationId` (the first occurrence wins).
    fn find_operations(
        self,
        wanted: &[&str],
    ) -> Result<BTreeMap<&'a str, Operation<'a>>, DriftError> {
        let mut found = BTreeMap::new();
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else {
            return Ok(found);
        };
        for (path, item) in paths {
            let (path_item, _) = self.resolve(item)?;
            for method in METHODS {
                let Some(op) = path_item.get(method) else {
                    continue;
                };
                let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                if wanted.contains(&id) && !found.contains_key(id) {
                    found.insert(
                        id,
                        Operation {
                            path,
                            method,
                            path_item,
                            op,
                        },
                    );
                }
            }
        }
        Ok(found)
    }

    /// Path-level and operation-level parameters, keyed by (`in`, `name`);
    /// operation-level ones override.
    fn parameters(
        self,
        operation: &Operation<'a>,
    ) -> Result<BTreeMap<(&'a str, &'a str), &'a Value>, DriftError> {
        let mut parameters = BTreeMap::new();
        let lists = [operation.path_item, operation.op]
            .into_iter()
            .filter_map(|holder| holder.get("parameters").and_then(Value::as_array));
        for parameter in lists.flatten() {
            let (parameter, _) = self.resolve(parameter)?;
            let field = |key: &str| {
                parameter
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            };
            parameters.insert((field("in"), field("name")), parameter);
        }
        Ok(parameters)
    }
}

/// Where a change is: a section prefix and a schema path within it.
#[derive(Debug, Clone)]
struct Loc {
    prefix: String,
    path: String,
}

impl Loc {
    fn new(prefix: impl Into<String>) -> Self {
        Loc {
            prefix: prefix.into(),
            path: String::new(),
        }
    }

    fn child(&self, segment: &str) -> Self {
        Loc {
            prefix: self.prefix.clone(),
            path: format!("{}{segment}", self.path),
        }
    }

    fn render(&self) -> String {
        if self.path.is_empty() {
            self.prefix.clone()
        } else {
            format!("{} {}", self.prefix, self.path)
        }
    }
}

/// The state of one comparison.
#[derive(Debug)]
struct Walker<'a> {
    base: Doc<'a>,
    other: Doc<'a>,
    /// The operation being walked.
    operation: &'a str,
    changes: Vec<Change>,
    /// Schema node pairs on the current path, to cut off recursion.
    stack: Vec<(&'a Value, &'a Value)>,
}

impl<'a> Walker<'a> {
    fn push(
        &mut self,
        loc: &Loc,
        side: Side,
        kind: ChangeKind,
        old: Option<Value>,
        new: Option<Value>,
    ) {
        self.changes.push(Change::new(
            self.operation,
            loc.render(),
            side,
            kind,
            old,
            new,
        ));
    }

    /// Pushes `MadeRequired`/`MadeOptional` when the flag differs.
    fn required_flag(&mut self, loc: &Loc, side: Side, old: bool, new: bool) {
        match (old, new) {
            (false, true) => self.push(loc, side, ChangeKind::MadeRequired, None, None),
            (true, false) => self.push(loc, side, ChangeKind::MadeOptional, None, None),
            _ => {}
        }
    }

    /// Compares the keys of `a` and `b` not in one of the `handled` lists:
    /// documentation, extensions, and (as [`ChangeKind::KeywordChanged`])
    /// anything else.
    fn rest(&mut self, loc: &Loc, side: Side, a: &Value, b: &Value, handled: &[&[&str]]) {
        let keys: BTreeSet<&str> = [a, b]
            .into_iter()
            .filter_map(Value::as_object)
            .flat_map(Map::keys)
            .map(String::as_str)
            .filter(|key| {
                *key != IGNORED_EXTENSION && !handled.iter().any(|list| list.contains(key))
            })
            .collect();
        let (old_examples, new_examples) = (examples(self.base, a), examples(self.other, b));
        if old_examples != new_examples {
            // One change for the example values, however each side spells them.
            let values = |v: Vec<&Value>| (!v.is_empty()).then(|| v.into_iter().cloned().collect());
            let kind = ChangeKind::Documentation {
                keyword: "examples".to_owned(),
            };
            self.push(loc, side, kind, values(old_examples), values(new_examples));
        }
        for key in keys {
            let (old, new) = (a.get(key), b.get(key));
            if old == new || key == "example" || key == "examples" {
                continue;
            }
            let keyword = key.to_owned();
            let kind = if DOC_KEYWORDS.contains(&key) {
                ChangeKind::Documentation { keyword }
            } else if key.starts_with("x-") {
                ChangeKind::Extension { keyword }
            } else {
                ChangeKind::KeywordChanged { keyword }
            };
            self.push(loc, side, kind, old.cloned(), new.cloned());
        }
    }

    fn operation_pair(&mut self, a: &Operation<'a>, b: &Operation<'a>) -> Result<(), DriftError> {
        let loc = Loc::new("operation");
        let string = |s: &str| Some(Value::String(s.to_owned()));
        if a.path != b.path {
            self.push(
                &loc,
                Side::Operation,
                ChangeKind::PathChanged,
                string(a.path),
                string(b.path),
            );
        }
        if a.method != b.method {
            let kind = ChangeKind::MethodChanged;
            self.push(
                &loc,
                Side::Operation,
                kind,
                string(a.method),
                string(b.method),
            );
        }
        self.parameters(a, b)?;
        self.request_body(a.op.get("requestBody"), b.op.get("requestBody"))?;
        self.responses(a.op.get("responses"), b.op.get("responses"))?;
        let handled = ["operationId", "parameters", "requestBody", "responses"];
        self.rest(&loc, Side::Operation, a.op, b.op, &[&handled]);
        Ok(())
    }

    fn parameters(&mut self, a: &Operation<'a>, b: &Operation<'a>) -> Result<(), DriftError> {
        let (old, new) = (self.base.parameters(a)?, self.other.parameters(b)?);
        let required =
            |p: &Value| p.get("in").and_then(Value::as_str) == Some("path") || flag(p, "required");
        let keys: BTreeSet<_> = old.keys().chain(new.keys()).copied().collect();
        for key @ (location, name) in keys {
            let loc = Loc::new(format!("parameter {location} {name}"));
            let side = Side::Parameter;
            match (old.get(&key).copied(), new.get(&key).copied()) {
                (Some(p), Some(q)) => {
                    self.required_flag(&loc, side, required(p), required(q));
                    self.schema_slot(&loc, side, "schema", p.get("schema"), q.get("schema"))?;
                    self.rest(&loc, side, p, q, &[&["name", "in", "required", "schema"]]);
                }
                (None, Some(q)) => {
                    let kind = ChangeKind::ParameterAdded {
                        required: required(q),
                    };
                    self.push(&loc, side, kind, None, None);
                }
                (Some(_), None) => self.push(&loc, side, ChangeKind::ParameterRemoved, None, None),
                (None, None) => {}
            }
        }
        Ok(())
    }

    fn request_body(
        &mut self,
        a: Option<&'a Value>,
        b: Option<&'a Value>,
    ) -> Result<(), DriftError> {
        let loc = Loc::new("request");
        let side = Side::Request;
        match (a, b) {
            (Some(a), Some(b)) => {
                let (a, _) = self.base.resolve(a)?;
                let (b, _) = self.other.resolve(b)?;
                self.required_flag(&loc, side, flag(a, "required"), flag(b, "required"));
                self.content("request", side, a.get("content"), b.get("content"))?;
                self.rest(&loc, side, a, b, &[&["required", "content"]]);
            }
            (None, Some(b)) => {
                let (b, _) = self.other.resolve(b)?;
                let kind = ChangeKind::RequestBodyAdded {
                    required: flag(b, "required"),
                };
                self.push(&loc, side, kind, None, None);
            }
            (Some(_), None) => self.push(&loc, side, ChangeKind::RequestBodyRemoved, None, None),
            (None, None) => {}
        }
        Ok(())
    }

    /// Compares two `content` maps (media type → media type object).
    fn content(
        &mut self,
        prefix: &str,
        side: Side,
        a: Option<&'a Value>,
        b: Option<&'a Value>,
    ) -> Result<(), DriftError> {
        let (a, b) = (entries(a), entries(b));
        let media_types: BTreeSet<&str> = a.keys().chain(b.keys()).copied().collect();
        for media_type in media_types {
            let loc = Loc::new(format!("{prefix} {media_type}"));
            match (a.get(media_type).copied(), b.get(media_type).copied()) {
                (Some(x), Some(y)) => {
                    self.schema_slot(&loc, side, "schema", x.get("schema"), y.get("schema"))?;
                    self.rest(&loc, side, x, y, &[&["schema"]]);
                }
                (None, Some(_)) => self.push(&loc, side, ChangeKind::MediaTypeAdded, None, None),
                (Some(_), None) => self.push(&loc, side, ChangeKind::MediaTypeRemoved, None, None),
                (None, None) => {}
            }
        }
        Ok(())
    }

    fn responses(&mut self, a: Option<&'a Value>, b: Option<&'a Value>) -> Result<(), DriftError> {
        let (a, b) = (entries(a), entries(b));
        let codes: BTreeSet<&str> = a.keys().chain(b.keys()).copied().collect();
        for code in codes {
            let side = if code.starts_with('3') {
                Side::Redirect
            } else {
                Side::Response
            };
            let prefix = format!("response {code}");
            let loc = Loc::new(prefix.as_str());
            let success = code.starts_with('2');
            match (a.get(code).copied(), b.get(code).copied()) {
                (Some(x), Some(y)) => {
                    let (x, _) = self.base.resolve(x)?;
                    let (y, _) = self.other.resolve(y)?;
                    self.content(&prefix, side, x.get("content"), y.get("content"))?;
                    self.headers(&prefix, side, x.get("headers"), y.get("headers"))?;
                    self.rest(&loc, side, x, y, &[&["content", "headers"]]);
                }
                (None, Some(_)) => {
                    self.push(&loc, side, ChangeKind::StatusAdded { success }, None, None);
                }
                (Some(_), None) => {
                    self.push(
                        &loc,
                        side,
                        ChangeKind::StatusRemoved { success },
                        None,
                        None,
                    );
                }
                (None, None) => {}
            }
        }
        Ok(())
    }

    /// Compares response headers; names are case-insensitive.
    fn headers(
        &mut self,
        prefix: &str,
        side: Side,
        a: Option<&'a Value>,
        b: Option<&'a Value>,
    ) -> Result<(), DriftError> {
        let by_lowercase = |headers: Option<&'a Value>| -> BTreeMap<String, (&'a str, &'a Value)> {
            entries(headers)
                .into_iter()
                .map(|(name, header)| (name.to_ascii_lowercase(), (name, header)))
                .collect()
        };
        let (a, b) = (by_lowercase(a), by_lowercase(b));
        let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for name in names {
            let (old, new) = (a.get(name).copied(), b.get(name).copied());
            let Some((display, _)) = old.or(new) else {
                continue;
            };
            let loc = Loc::new(format!("{prefix} header {display}"));
            match (old, new) {
                (Some((_, x)), Some((_, y))) => {
                    let (x, _) = self.base.resolve(x)?;
                    let (y, _) = self.other.resolve(y)?;
                    self.required_flag(&loc, side, flag(x, "required"), flag(y, "required"));
                    self.schema_slot(&loc, side, "schema", x.get("schema"), y.get("schema"))?;
                    self.rest(&loc, side, x, y, &[&["required", "schema"]]);
                }
                (None, Some(_)) => self.push(&loc, side, ChangeKind::HeaderAdded, None, None),
                (Some(_), None) => self.push(&loc, side, ChangeKind::HeaderRemoved, None, None),
                (None, None) => {}
            }
        }
        Ok(())
    }
}

/// A JSON object's entries (empty when absent or not an object), sorted.
fn entries(value: Option<&Value>) -> BTreeMap<&str, &Value> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(key, value)| (key.as_str(), value))
        .collect()
}

/// A boolean keyword, `false` when absent.
fn flag(value: &Value, keyword: &str) -> bool {
    value.get(keyword).and_then(Value::as_bool).unwrap_or(false)
}

/// The example values of a schema, parameter or media type, however they
/// are spelled: `example: v` (3.0), `examples: [v, ...]` (3.1 schemas),
/// `examples: {name: {value: v}}` (media types and parameters; an entry
/// that is a `$ref` is resolved, so a bundled and a dereferenced
/// description compare equal). `example` → `examples` alone is therefore
/// no change.
fn examples<'a>(doc: Doc<'a>, value: &'a Value) -> Vec<&'a Value> {
    let mut out: Vec<&Value> = value.get("example").into_iter().collect();
    match value.get("examples") {
        Some(Value::Array(items)) => out.extend(items),
        Some(Value::Object(named)) => {
            out.extend(named.values().map(|entry| {
                let entry = doc.resolve(entry).map_or(entry, |(resolved, _)| resolved);
                entry.get("value").unwrap_or(entry)
            }));
        }
        Some(other) => out.push(other),
        None => {}
    }
    out
}
