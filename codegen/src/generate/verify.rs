//! What regen checks before it writes anything: the generated file parses
//! (it is built as a `syn::File`), and no module defines the same item name
//! twice (typify names types from component names *and* titles, so two
//! schemas can produce one name; rustc would refuse the crate). A duplicate
//! is named with the schemas it may have come from.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Error;

/// One item name defined more than once in one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The module path inside the generated file (`generated::types`).
    pub module: String,
    /// The item's name.
    pub name: String,
    /// How often it is defined.
    pub count: usize,
    /// The schemas whose component name or `title` gives that name.
    pub schemas: Vec<String>,
}

impl std::fmt::Display for Duplicate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}::{}` defined {} times",
            self.module, self.name, self.count
        )?;
        if !self.schemas.is_empty() {
            write!(f, " (from {})", self.schemas.join(", "))?;
        }
        Ok(())
    }
}

/// Fails with [`Error::DuplicateItems`] when `file` defines a type-namespace
/// item twice in one module; `spec` (the fixed-up fragment) names the
/// schemas behind each duplicate.
pub fn no_duplicate_items(file: &syn::File, spec: &Value) -> Result<(), Error> {
    let mut duplicates = Vec::new();
    walk(&file.items, "crate", &mut duplicates);
    if duplicates.is_empty() {
        return Ok(());
    }
    for duplicate in &mut duplicates {
        duplicate.schemas = schemas_named(spec, &duplicate.name);
    }
    Err(Error::DuplicateItems(duplicates))
}

fn walk(items: &[syn::Item], module: &str, out: &mut Vec<Duplicate>) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for item in items {
        let name = match item {
            syn::Item::Struct(i) => i.ident.to_string(),
            syn::Item::Enum(i) => i.ident.to_string(),
            syn::Item::Type(i) => i.ident.to_string(),
            syn::Item::Trait(i) => i.ident.to_string(),
            syn::Item::Union(i) => i.ident.to_string(),
            syn::Item::Fn(i) => format!("fn {}", i.sig.ident),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    walk(inner, &format!("{module}::{}", m.ident), out);
                }
                format!("mod {}", m.ident)
            }
            _ => continue,
        };
        *counts.entry(name).or_default() += 1;
    }
    for (name, count) in counts {
        if count > 1 {
            out.push(Duplicate {
                module: module.to_owned(),
                name,
                count,
                schemas: Vec::new(),
            });
        }
    }
}

/// `simple-user` → `SimpleUser`, `GitHub app` → `GitHubApp` (typify's rule
/// for the names it derives, close enough to find the schema).
fn pascal(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The components (by name or title) typify would name `name`.
fn schemas_named(spec: &Value, name: &str) -> Vec<String> {
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (component, schema) in schemas {
        if pascal(component) == name {
            out.push(format!("#/components/schemas/{component}"));
        }
        if let Some(title) = schema.get("title").and_then(Value::as_str)
            && pascal(title) == name
        {
            out.push(format!(
                "#/components/schemas/{component} (title {title:?})"
            ));
        }
    }
    out
}
