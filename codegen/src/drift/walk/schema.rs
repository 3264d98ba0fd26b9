//! Schema comparison for the walk: the keywords of one schema pair at one
//! location (composition, nullability, type, format, enum, bounds,
//! `default`, properties, `items`, `additionalProperties`), descending into
//! sub-schemas with `$ref`s resolved and recursion cut off.
//!
//! Before two schemas are compared, the spellings of "nullable X" are
//! folded into (X, nullable) so that equivalent forms compare equal and the
//! walk goes on beneath them: a `$ref` to a component with `nullable: true`;
//! OpenAPI 3.0's `nullable: true` + `allOf: [X]`; `allOf`/`anyOf`/`oneOf`
//! of a single schema; 3.1's `anyOf`/`oneOf` with a `{type: "null"}`
//! branch; and `type: [X, "null"]`. Null branches of a larger `anyOf`/
//! `oneOf` count as nullability, not as members, and so does a nullable
//! alternative: it makes the whole composition nullable, which is where it
//! is compared (GHES 2.22 marks `simple-user` itself nullable).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Loc, Walker, entries, flag};
use crate::drift::DriftError;
use crate::drift::classify::{ChangeKind, Effect, Side, format_effect};

/// Composition keywords, in the order they are compared.
const COMPOSITIONS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

/// Bounds for which a larger value accepts more.
const UPPER_BOUNDS: [&str; 4] = ["maxLength", "maxItems", "maxProperties", "maximum"];

/// Bounds for which a larger value accepts less.
const LOWER_BOUNDS: [&str; 4] = ["minLength", "minItems", "minProperties", "minimum"];

/// Restrictions whose presence narrows and whose change is incomparable.
const RESTRICTIONS: [&str; 5] = [
    "pattern",
    "multipleOf",
    "uniqueItems",
    "exclusiveMaximum",
    "exclusiveMinimum",
];

/// Schema keywords interpreted by [`Walker::schema_body`] (besides the
/// bound lists above).
const SCHEMA_KEYWORDS: [&str; 13] = [
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "nullable",
    "type",
    "format",
    "enum",
    "default",
    "properties",
    "required",
    "items",
    "additionalProperties",
];

/// Schemas nested deeper than this are not descended into.
const MAX_DEPTH: usize = 64;

impl<'a> Walker<'a> {
    /// Compares an optional schema-valued keyword; a schema appearing or
    /// disappearing is reported as [`ChangeKind::KeywordChanged`].
    pub(super) fn schema_slot(
        &mut self,
        loc: &Loc,
        side: Side,
        keyword: &str,
        a: Option<&'a Value>,
        b: Option<&'a Value>,
    ) -> Result<(), DriftError> {
        match (a, b) {
            (Some(a), Some(b)) => self.schema(loc, side, a, b),
            (None, None) => Ok(()),
            (a, b) => {
                let kind = ChangeKind::KeywordChanged {
                    keyword: keyword.to_owned(),
                };
                self.push(loc, side, kind, a.cloned(), b.cloned());
                Ok(())
            }
        }
    }

    /// Compares two schemas at `loc`, resolving references and guarding
    /// against recursion.
    fn schema(
        &mut self,
        loc: &Loc,
        side: Side,
        a: &'a Value,
        b: &'a Value,
    ) -> Result<(), DriftError> {
        let a = normalize(self.base, a)?;
        let b = normalize(self.other, b)?;
        self.normalized(loc, side, a, b)
    }

    /// [`Walker::schema`] for schemas [`normalize`]d already (or whose
    /// nullability the caller decided).
    fn normalized(
        &mut self,
        loc: &Loc,
        side: Side,
        a: Normalized<'a>,
        b: Normalized<'a>,
    ) -> Result<(), DriftError> {
        let seen = self
            .stack
            .iter()
            .any(|(x, y)| std::ptr::eq(*x, a.0) && std::ptr::eq(*y, b.0));
        if seen || self.stack.len() >= MAX_DEPTH {
            return Ok(());
        }
        if !(a.0.is_object() && b.0.is_object()) {
            // Boolean schemas (`true`/`false`) or garbage: compare as values.
            if a.0 != b.0 {
                let kind = ChangeKind::KeywordChanged {
                    keyword: "schema".to_owned(),
                };
                self.push(loc, side, kind, Some(a.0.clone()), Some(b.0.clone()));
            }
            return Ok(());
        }
        self.stack.push((a.0, b.0));
        let result = self.schema_body(loc, side, a, b);
        self.stack.pop();
        result
    }

    fn schema_body(
        &mut self,
        loc: &Loc,
        side: Side,
        (a, a_name, a_null): Normalized<'a>,
        (b, b_name, b_null): Normalized<'a>,
    ) -> Result<(), DriftError> {
        // A nullable alternative makes the whole `anyOf`/`oneOf` nullable:
        // its nullability is the composition's, compared here, not the
        // member's (`nullable: true, anyOf: [simple-user, enterprise]`
        // stays the same when `simple-user` itself turns nullable).
        let a_null = a_null || alternatives_nullable(self.base, a)?;
        let b_null = b_null || alternatives_nullable(self.other, b)?;
        let composed = |s: &Value| -> Vec<&str> {
            COMPOSITIONS
                .into_iter()
                .filter(|keyword| s.get(keyword).is_some())
                .collect()
        };
        let keywords = composed(a);
        if keywords != composed(b) {
            // One side is an alternative of the other (`oneOf [X, Y]` vs
            // `X`): alternatives removed or added, and X walked beneath.
            let (a, b) = ((a, a_name, a_null), (b, b_name, b_null));
            if let Some(done) = self.one_alternative(loc, side, a, b)? {
                return Ok(done);
            }
            let (old, new) = (describe(a.0, a_name), describe(b.0, b_name));
            let kind = ChangeKind::CompositionChanged;
            self.push(loc, side, kind, Some(old.into()), Some(new.into()));
            return Ok(());
        }
        for keyword in keywords {
            self.members(loc, side, keyword, a, b)?;
        }

        match (a_null, b_null) {
            (false, true) => self.push(loc, side, ChangeKind::NullableAdded, None, None),
            (true, false) => self.push(loc, side, ChangeKind::NullableRemoved, None, None),
            _ => {}
        }

        let (old_types, new_types) = (types(a), types(b));
        if old_types != new_types {
            let effect = type_effect(old_types.as_ref(), new_types.as_ref());
            let kind = ChangeKind::TypeChanged { effect };
            self.push(
                loc,
                side,
                kind,
                a.get("type").cloned(),
                b.get("type").cloned(),
            );
        }

        let (old_format, new_format) = (a.get("format"), b.get("format"));
        if old_format != new_format {
            let effect = format_effect(
                single_type(b).or_else(|| single_type(a)),
                old_format.and_then(Value::as_str),
                new_format.and_then(Value::as_str),
            );
            let kind = ChangeKind::FormatChanged { effect };
            self.push(loc, side, kind, old_format.cloned(), new_format.cloned());
        }

        self.enums(loc, side, a.get("enum"), b.get("enum"));
        self.bounds(loc, side, a, b);

        let (old_default, new_default) = (a.get("default"), b.get("default"));
        if old_default != new_default {
            let kind = ChangeKind::DefaultChanged;
            self.push(loc, side, kind, old_default.cloned(), new_default.cloned());
        }

        self.properties(loc, side, a, b)?;
        self.schema_slot(
            &loc.child("[]"),
            side,
            "items",
            a.get("items"),
            b.get("items"),
        )?;
        self.additional_properties(loc, side, a, b)?;

        let handled: [&[&str]; 4] = [
            &SCHEMA_KEYWORDS,
            &UPPER_BOUNDS,
            &LOWER_BOUNDS,
            &RESTRICTIONS,
        ];
        self.rest(loc, side, a, b, &handled);
        Ok(())
    }

    /// When exactly one side is a `oneOf`/`anyOf` and the other side is one
    /// of its alternatives (same component name or title), reports the
    /// other alternatives as removed (narrowed) or added (widened) and
    /// compares the matching pair, with the composition's nullability as
    /// the alternative's; `None` when the shapes do not match so.
    fn one_alternative(
        &mut self,
        loc: &Loc,
        side: Side,
        (a, a_name, a_null): Normalized<'a>,
        (b, b_name, b_null): Normalized<'a>,
    ) -> Result<Option<()>, DriftError> {
        let alternatives = |s: &Value| -> Option<&'static str> {
            let present: Vec<&str> = COMPOSITIONS
                .into_iter()
                .filter(|k| s.get(k).is_some())
                .collect();
            match present.as_slice() {
                [k @ ("oneOf" | "anyOf")] => Some(k),
                _ => None,
            }
        };
        let (composed, composed_null, keyword, single, removed) =
            match (alternatives(a), alternatives(b)) {
                (Some(k), None) if composed_keywords(b).is_empty() => {
                    (a, a_null, k, (b, b_name, b_null), true)
                }
                (None, Some(k)) if composed_keywords(a).is_empty() => {
                    (b, b_null, k, (a, a_name, a_null), false)
                }
                _ => return Ok(None),
            };
        let (single, single_name, _) = single;
        let doc = if removed { self.base } else { self.other };
        let members = non_null_members(composed, keyword);
        let identity = |schema: &Value, name: Option<&str>| -> Vec<String> {
            let mut ids: Vec<String> = name
                .map(|n| n.trim_start_matches("nullable-").to_owned())
                .into_iter()
                .collect();
            if let Some(title) = schema.get("title").and_then(Value::as_str) {
                ids.push(title.to_ascii_lowercase());
            }
            if ids.is_empty()
                && let Some(ty) = single_type(schema)
            {
                ids.push(format!("type {ty}"));
            }
            ids
        };
        let wanted = identity(single, single_name);
        let mut matched = None;
        for (index, member) in members.iter().enumerate() {
            let (resolved, name) = doc.resolve(member)?;
            let ids = identity(resolved, name);
            if ids.iter().any(|id| wanted.contains(id)) {
                matched = Some(index);
                break;
            }
        }
        let Some(index) = matched else {
            return Ok(None);
        };
        for (other, member) in members.iter().enumerate().filter(|(i, _)| *i != index) {
            let member_loc = loc.child(&format!("|{keyword}[{other}]"));
            let label = Some(Value::String(member_label(member)));
            if removed {
                let kind = ChangeKind::MemberRemoved {
                    effect: Effect::Narrowed,
                };
                self.push(&member_loc, side, kind, label, None);
            } else {
                let kind = ChangeKind::MemberAdded {
                    effect: Effect::Widened,
                };
                self.push(&member_loc, side, kind, None, label);
            }
        }
        let (member, member_name, _) = normalize(doc, members[index])?;
        let alternative = (member, member_name, composed_null);
        let single = (single, single_name, if removed { b_null } else { a_null });
        let (x, y) = if removed {
            (alternative, single)
        } else {
            (single, alternative)
        };
        self.normalized(loc, side, x, y)?;
        Ok(Some(()))
    }

    /// Compares `oneOf`/`anyOf`/`allOf` members by position.
    fn members(
        &mut self,
        loc: &Loc,
        side: Side,
        keyword: &str,
        a: &'a Value,
        b: &'a Value,
    ) -> Result<(), DriftError> {
        let (old, new) = (non_null_members(a, keyword), non_null_members(b, keyword));
        // Another `allOf` member restricts further; another alternative widens.
        let (on_add, on_remove) = if keyword == "allOf" {
            (Effect::Narrowed, Effect::Widened)
        } else {
            (Effect::Widened, Effect::Narrowed)
        };
        for index in 0..old.len().max(new.len()) {
            let member_loc = loc.child(&format!("|{keyword}[{index}]"));
            let label = |member: &Value| Some(Value::String(member_label(member)));
            match (old.get(index), new.get(index)) {
                (Some(x), Some(y)) if keyword == "allOf" => self.schema(&member_loc, side, x, y)?,
                (Some(x), Some(y)) => {
                    // An alternative's nullability is the composition's
                    // (see `schema_body`), so it is not compared here.
                    let (x, x_name, _) = normalize(self.base, x)?;
                    let (y, y_name, _) = normalize(self.other, y)?;
                    self.normalized(&member_loc, side, (x, x_name, false), (y, y_name, false))?;
                }
                (None, Some(y)) => {
                    let kind = ChangeKind::MemberAdded { effect: on_add };
                    self.push(&member_loc, side, kind, None, label(y));
                }
                (Some(x), None) => {
                    let kind = ChangeKind::MemberRemoved { effect: on_remove };
                    self.push(&member_loc, side, kind, label(x), None);
                }
                (None, None) => {}
            }
        }
        Ok(())
    }

    /// Compares `enum`s. A `null` among the values is not compared: it is
    /// how OpenAPI 3.1 (and a careful 3.0 description) lets a nullable enum
    /// hold null, and nullability is compared from `type`/`nullable`.
    fn enums(&mut self, loc: &Loc, side: Side, a: Option<&Value>, b: Option<&Value>) {
        let values = |v: Option<&Value>| -> Option<Vec<Value>> {
            let list = v.and_then(Value::as_array)?;
            Some(list.iter().filter(|x| !x.is_null()).cloned().collect())
        };
        match (values(a), values(b)) {
            (Some(old), Some(new)) => {
                for value in old.iter().filter(|value| !new.contains(value)) {
                    let kind = ChangeKind::EnumValueRemoved;
                    self.push(loc, side, kind, Some(value.clone()), None);
                }
                for value in new.iter().filter(|value| !old.contains(value)) {
                    let kind = ChangeKind::EnumValueAdded;
                    self.push(loc, side, kind, None, Some(value.clone()));
                }
            }
            (None, Some(_)) => self.push(loc, side, ChangeKind::EnumAdded, None, b.cloned()),
            (Some(_), None) => self.push(loc, side, ChangeKind::EnumRemoved, a.cloned(), None),
            (None, None) => {}
        }
    }

    /// Compares length, size and range bounds and other restrictions.
    fn bounds(&mut self, loc: &Loc, side: Side, a: &Value, b: &Value) {
        for keyword in UPPER_BOUNDS
            .into_iter()
            .chain(LOWER_BOUNDS)
            .chain(RESTRICTIONS)
        {
            let (old, new) = (a.get(keyword), b.get(keyword));
            let effect = match (old, new) {
                _ if old == new => continue,
                (None, _) => Effect::Narrowed,
                (_, None) => Effect::Widened,
                (Some(x), Some(y)) => bound_effect(keyword, x, y),
            };
            let kind = ChangeKind::ConstraintChanged {
                keyword: keyword.to_owned(),
                effect,
            };
            self.push(loc, side, kind, old.cloned(), new.cloned());
        }
    }

    /// Compares `properties` and `required`.
    fn properties(
        &mut self,
        loc: &Loc,
        side: Side,
        a: &'a Value,
        b: &'a Value,
    ) -> Result<(), DriftError> {
        let properties = |s: &'a Value| entries(s.get("properties"));
        let required = |s: &'a Value| -> BTreeSet<&'a str> {
            s.get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect()
        };
        let (old, new) = (properties(a), properties(b));
        let (old_required, new_required) = (required(a), required(b));
        let names: BTreeSet<&str> = [&old, &new]
            .into_iter()
            .flat_map(BTreeMap::keys)
            .chain(old_required.iter().chain(&new_required))
            .copied()
            .collect();
        for name in names {
            let child = loc.child(&format!(".{name}"));
            let (was_required, is_required) =
                (old_required.contains(name), new_required.contains(name));
            let (x, y) = (old.get(name).copied(), new.get(name).copied());
            let (in_old, in_new) = (x.is_some() || was_required, y.is_some() || is_required);
            if in_old && in_new {
                self.required_flag(&child, side, was_required, is_required);
                self.schema_slot(&child, side, "schema", x, y)?;
            } else if in_new {
                let kind = ChangeKind::PropertyAdded {
                    required: is_required,
                };
                self.push(&child, side, kind, None, None);
            } else if in_old {
                let kind = ChangeKind::PropertyRemoved {
                    required: was_required,
                };
                self.push(&child, side, kind, None, None);
            }
        }
        Ok(())
    }

    /// Compares `additionalProperties`: absent or `true` accepts any value,
    /// a schema accepts some, `false` none.
    fn additional_properties(
        &mut self,
        loc: &Loc,
        side: Side,
        a: &'a Value,
        b: &'a Value,
    ) -> Result<(), DriftError> {
        const KEYWORD: &str = "additionalProperties";
        let (old, new) = (a.get(KEYWORD), b.get(KEYWORD));
        if let (Some(x @ Value::Object(_)), Some(y @ Value::Object(_))) = (old, new) {
            return self.schema(&loc.child("{}"), side, x, y);
        }
        // How much is accepted: 2 anything, 1 what a schema allows, 0 nothing.
        let openness = |value: Option<&Value>| match value {
            None | Some(Value::Bool(true)) => 2,
            Some(Value::Bool(false)) => 0,
            Some(_) => 1,
        };
        let (from, to) = (openness(old), openness(new));
        if from != to {
            let kind = ChangeKind::ConstraintChanged {
                keyword: KEYWORD.to_owned(),
                effect: from.cmp(&to).into(),
            };
            self.push(loc, side, kind, old.cloned(), new.cloned());
        }
        Ok(())
    }
}

/// How moving `keyword` from `old` to `new` moves accepted values: a
/// larger upper bound or a smaller lower bound widens; a changed restriction
/// (`pattern`, …) is incomparable.
fn bound_effect(keyword: &str, old: &Value, new: &Value) -> Effect {
    let order = match (old.as_f64(), new.as_f64()) {
        (Some(old), Some(new)) => old.partial_cmp(&new),
        _ => None,
    };
    match order {
        Some(order) if UPPER_BOUNDS.contains(&keyword) => order.into(),
        Some(order) if LOWER_BOUNDS.contains(&keyword) => order.reverse().into(),
        _ => Effect::Incomparable,
    }
}

/// The composition keywords a schema uses.
fn composed_keywords(schema: &Value) -> Vec<&'static str> {
    COMPOSITIONS
        .into_iter()
        .filter(|k| schema.get(k).is_some())
        .collect()
}

/// `nullable: true` (3.0), `"null"` in a `type` array (3.1), or a null
/// branch of `anyOf`/`oneOf`.
fn nullable(schema: &Value) -> bool {
    flag(schema, "nullable")
        || schema
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|types| types.iter().any(|t| t == "null"))
        || ["anyOf", "oneOf"].into_iter().any(|keyword| {
            schema
                .get(keyword)
                .and_then(Value::as_array)
                .is_some_and(|members| members.iter().any(is_null_schema))
        })
}

/// `{type: "null"}` or `{enum: [null]}` (documentation beside is fine).
fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").is_some_and(|t| t == "null")
        || schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| values.len() == 1 && values[0].is_null())
}

/// The members of a composition keyword, null branches left out.
fn non_null_members<'a>(schema: &'a Value, keyword: &str) -> Vec<&'a Value> {
    schema
        .get(keyword)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|member| keyword == "allOf" || !is_null_schema(member))
        .collect()
}

/// A schema after [`normalize`]: the schema, the last component name met
/// on the way, and whether it is nullable.
type Normalized<'a> = (&'a Value, Option<&'a str>, bool);

/// Whether an alternative (a non-null member of `anyOf`/`oneOf`) of
/// `schema` is nullable, however it spells it.
fn alternatives_nullable(doc: super::Doc<'_>, schema: &Value) -> Result<bool, DriftError> {
    for keyword in ["anyOf", "oneOf"] {
        for member in non_null_members(schema, keyword) {
            if normalize(doc, member)?.2 {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Resolves `node` and folds the nullable spellings (module docs) into the
/// schema they wrap: returns that schema, the last component name met, and
/// whether any layer was nullable.
fn normalize<'a>(doc: super::Doc<'a>, node: &'a Value) -> Result<Normalized<'a>, DriftError> {
    let (mut schema, mut name) = doc.resolve(node)?;
    let mut null = nullable(schema);
    for _ in 0..MAX_DEPTH {
        let Some(inner) = wrapped(schema) else {
            break;
        };
        let (next, next_name) = doc.resolve(inner)?;
        schema = next;
        name = next_name.or(name);
        null |= nullable(schema);
    }
    Ok((schema, name, null))
}

/// The one schema a wrapper stands for: a single (non-null) member of
/// `allOf`/`anyOf`/`oneOf`, when nothing beside it constrains (only
/// `nullable`, documentation and extensions).
fn wrapped(schema: &Value) -> Option<&Value> {
    let object = schema.as_object()?;
    let mut keywords = COMPOSITIONS.into_iter().filter(|k| object.contains_key(*k));
    let keyword = keywords.next()?;
    if keywords.next().is_some() {
        return None;
    }
    let only_wrapping = object.keys().all(|key| {
        key == keyword
            || key == "nullable"
            || key.starts_with("x-")
            || super::DOC_KEYWORDS.contains(&key.as_str())
    });
    if !only_wrapping {
        return None;
    }
    match non_null_members(schema, keyword).as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

/// The set of non-null types; `None` when `type` is absent (any type).
fn types(schema: &Value) -> Option<BTreeSet<&str>> {
    match schema.get("type")? {
        Value::String(single) => Some(BTreeSet::from([single.as_str()])),
        Value::Array(list) => Some(
            list.iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect(),
        ),
        _ => Some(BTreeSet::new()),
    }
}

/// The schema's type when there is exactly one non-null type.
fn single_type(schema: &Value) -> Option<&str> {
    let types = types(schema)?;
    let mut iter = types.into_iter();
    match (iter.next(), iter.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// How replacing the type set `old` by `new` moves accepted values; an
/// absent type accepts anything, and `number` includes `integer`.
fn type_effect(old: Option<&BTreeSet<&str>>, new: Option<&BTreeSet<&str>>) -> Effect {
    let covers = |outer: &BTreeSet<&str>, inner: &BTreeSet<&str>| {
        inner
            .iter()
            .all(|t| outer.contains(t) || (*t == "integer" && outer.contains("number")))
    };
    match (old, new) {
        (None, None) => Effect::Same,
        (None, Some(_)) => Effect::Narrowed,
        (Some(_), None) => Effect::Widened,
        (Some(old), Some(new)) => match (covers(old, new), covers(new, old)) {
            (true, true) => Effect::Same,
            (true, false) => Effect::Narrowed,
            (false, true) => Effect::Widened,
            (false, false) => Effect::Incomparable,
        },
    }
}

/// A short name for a composition member: its component name, else its
/// `title` as GitHub names components (`Simple User` → `simple-user`, so a
/// dereferenced description reads like a bundled one), else its type.
fn member_label(member: &Value) -> String {
    if let Some(reference) = member.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    if let Some(title) = member.get("title").and_then(Value::as_str) {
        let slug: Vec<String> = title
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        if !slug.is_empty() {
            return slug.join("-");
        }
    }
    match member.get("type") {
        Some(Value::String(ty)) => ty.clone(),
        Some(other) => other.to_string(),
        None => "schema".to_owned(),
    }
}

/// A short description of a schema's shape, e.g. `nullable-simple-user` or
/// `oneOf[simple-user, enterprise]`.
fn describe(schema: &Value, name: Option<&str>) -> String {
    let parts: Vec<String> = COMPOSITIONS
        .into_iter()
        .filter_map(|keyword| {
            schema.get(keyword)?;
            let members = non_null_members(schema, keyword);
            let labels: Vec<String> = members.into_iter().map(member_label).collect();
            Some(format!("{keyword}[{}]", labels.join(", ")))
        })
        .collect();
    match (parts.is_empty(), name) {
        (false, _) => parts.join(" + "),
        (true, Some(name)) => name.to_owned(),
        (true, None) => member_label(schema),
    }
}
