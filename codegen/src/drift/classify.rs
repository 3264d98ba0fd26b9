//! What a change *means* for octodeploy: the change vocabulary ([`ChangeKind`],
//! [`Side`], [`Effect`]) and the one rule table ([`classify`]) that turns a
//! kind of change on one side of the exchange into a [`Class`].
//!
//! The client *sends* requests (parameters, request bodies) and *decodes*
//! responses (status codes, bodies, headers) with types generated from the
//! fragment. A change is judged by one question: does the client built from
//! the fragment keep working against a server described by the other
//! description, without being regenerated?
//!
//! Most schema changes reduce to whether the set of valid values grew
//! ([`Effect::Widened`]) or shrank ([`Effect::Narrowed`]). The two sides have
//! opposite variance: a narrower request rejects values we may send; a wider
//! response yields values we may fail to decode.

use serde::Serialize;

/// How a change affects this client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// The client as generated from the fragment may fail: a request it
    /// builds may be rejected or mean something else, or a response may fail
    /// to decode or break an assumption the generated types make.
    Breaking,
    /// A semantic change the client tolerates: requests it builds stay valid
    /// and responses still decode. Mostly additions (regenerating picks them
    /// up), but also relaxed request rules and optional response data that
    /// is no longer sent.
    Additive,
    /// Text and metadata only (descriptions, examples, docs links, `x-github`);
    /// nothing on the wire changes.
    Docs,
}

impl Class {
    /// The lowercase label used in reports: `breaking`, `additive`, `docs`.
    pub fn label(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
            Class::Docs => "docs",
        }
    }
}

/// Which part of the exchange a change is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The operation itself: its existence, path, method, docs and extensions.
    Operation,
    /// What the client sends in the request body.
    Request,
    /// What the client sends as a path, query, header or cookie parameter:
    /// text, or nothing (never a JSON `null`).
    Parameter,
    /// What the client decodes: status codes, response bodies and headers.
    Response,
    /// A redirect (`3XX`) response: the transport follows it (same origin)
    /// or refuses it by its status and `Location` header; the client never
    /// decodes its body.
    Redirect,
}

/// How a change moves the set of values a schema (or keyword) accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Same values, different spelling (e.g. integer format none → `int64`,
    /// both decoded as `i64`).
    Same,
    /// More values are valid than before (a bound relaxed, a type or format
    /// dropped, a `oneOf` member added).
    Widened,
    /// Fewer values are valid than before (a bound tightened, a format added).
    Narrowed,
    /// Neither a superset nor a subset (e.g. `string` → `integer`).
    Incomparable,
}

/// The kind of a change. Data carried here is exactly what [`classify`]
/// needs; old and new values live on the change itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// The operation is missing from the other description.
    OperationRemoved,
    /// The operation moved to another path.
    PathChanged,
    /// The operation moved to another HTTP method.
    MethodChanged,
    /// A parameter (keyed by `in` and `name`) appeared.
    ParameterAdded {
        /// Whether the new parameter is required.
        required: bool,
    },
    /// A parameter disappeared.
    ParameterRemoved,
    /// The operation gained a request body.
    RequestBodyAdded {
        /// Whether the new body is required.
        required: bool,
    },
    /// The operation lost its request body.
    RequestBodyRemoved,
    /// A parameter, request body, header or property became required.
    MadeRequired,
    /// A parameter, request body, header or property became optional.
    MadeOptional,
    /// A response status code appeared.
    StatusAdded {
        /// Whether it is a success code (`2XX`).
        success: bool,
    },
    /// A response status code disappeared.
    StatusRemoved {
        /// Whether it was a success code (`2XX`).
        success: bool,
    },
    /// A request or response media type appeared.
    MediaTypeAdded,
    /// A request or response media type disappeared.
    MediaTypeRemoved,
    /// A response header appeared.
    HeaderAdded,
    /// A response header disappeared.
    HeaderRemoved,
    /// An object property appeared.
    PropertyAdded {
        /// Whether it is required in the other description.
        required: bool,
    },
    /// An object property disappeared.
    PropertyRemoved {
        /// Whether it was required in the base description.
        required: bool,
    },
    /// A schema became nullable.
    NullableAdded,
    /// A schema is no longer nullable.
    NullableRemoved,
    /// `type` changed.
    TypeChanged {
        /// How the accepted values moved.
        effect: Effect,
    },
    /// `format` changed (judged against what the client decodes, see
    /// [`format_effect`]).
    FormatChanged {
        /// How the accepted values moved.
        effect: Effect,
    },
    /// A schema gained an `enum` (a restriction introduced).
    EnumAdded,
    /// A schema lost its `enum` (the restriction lifted).
    EnumRemoved,
    /// A value was added to an `enum`.
    EnumValueAdded,
    /// A value was removed from an `enum`.
    EnumValueRemoved,
    /// A bound (`maxLength`, `minimum`, `pattern`, …) or `additionalProperties`
    /// changed.
    ConstraintChanged {
        /// The keyword.
        keyword: String,
        /// How the accepted values moved.
        effect: Effect,
    },
    /// The composition changed shape (e.g. a plain `$ref` became
    /// `oneOf [simple-user, enterprise]`); the walk does not descend further.
    CompositionChanged,
    /// A `oneOf`/`anyOf`/`allOf` member appeared.
    MemberAdded {
        /// How the accepted values moved.
        effect: Effect,
    },
    /// A `oneOf`/`anyOf`/`allOf` member disappeared.
    MemberRemoved {
        /// How the accepted values moved.
        effect: Effect,
    },
    /// `default` appeared, disappeared or changed.
    DefaultChanged,
    /// A documentation keyword changed: `description`, `summary`, `title`,
    /// `tags`, `externalDocs`, `example(s)`, `deprecated`, `xml`.
    Documentation {
        /// The keyword.
        keyword: String,
    },
    /// A vendor extension (`x-*`, except the ignored `x-octokit`) changed.
    Extension {
        /// The keyword.
        keyword: String,
    },
    /// A keyword the checker does not interpret (`readOnly`, `not`,
    /// `security`, `style`, …) changed; a person has to judge it.
    KeywordChanged {
        /// The keyword.
        keyword: String,
    },
}

impl ChangeKind {
    /// A stable kebab-case code for the kind, used as a sort key and in JSON.
    pub fn code(&self) -> &'static str {
        match self {
            ChangeKind::OperationRemoved => "operation-removed",
            ChangeKind::PathChanged => "path-changed",
            ChangeKind::MethodChanged => "method-changed",
            ChangeKind::ParameterAdded { .. } => "parameter-added",
            ChangeKind::ParameterRemoved => "parameter-removed",
            ChangeKind::RequestBodyAdded { .. } => "request-body-added",
            ChangeKind::RequestBodyRemoved => "request-body-removed",
            ChangeKind::MadeRequired => "made-required",
            ChangeKind::MadeOptional => "made-optional",
            ChangeKind::StatusAdded { .. } => "status-added",
            ChangeKind::StatusRemoved { .. } => "status-removed",
            ChangeKind::MediaTypeAdded => "media-type-added",
            ChangeKind::MediaTypeRemoved => "media-type-removed",
            ChangeKind::HeaderAdded => "header-added",
            ChangeKind::HeaderRemoved => "header-removed",
            ChangeKind::PropertyAdded { .. } => "property-added",
            ChangeKind::PropertyRemoved { .. } => "property-removed",
            ChangeKind::NullableAdded => "nullable-added",
            ChangeKind::NullableRemoved => "nullable-removed",
            ChangeKind::TypeChanged { .. } => "type-changed",
            ChangeKind::FormatChanged { .. } => "format-changed",
            ChangeKind::EnumAdded => "enum-added",
            ChangeKind::EnumRemoved => "enum-removed",
            ChangeKind::EnumValueAdded => "enum-value-added",
            ChangeKind::EnumValueRemoved => "enum-value-removed",
            ChangeKind::ConstraintChanged { .. } => "constraint-changed",
            ChangeKind::CompositionChanged => "composition-changed",
            ChangeKind::MemberAdded { .. } => "member-added",
            ChangeKind::MemberRemoved { .. } => "member-removed",
            ChangeKind::DefaultChanged => "default-changed",
            ChangeKind::Documentation { .. } => "documentation",
            ChangeKind::Extension { .. } => "extension",
            ChangeKind::KeywordChanged { .. } => "keyword-changed",
        }
    }
}

/// The rule table: how a kind of change on one side of the exchange affects
/// this client. This is the only place that decides a [`Class`].
///
/// | change | request (we send) | response (we decode) |
/// | --- | --- | --- |
/// | operation removed, path or method changed | breaking | — |
/// | parameter added | breaking if required, else additive | — |
/// | parameter removed (we may still send it) | breaking | — |
/// | request body added | breaking if required, else additive | — |
/// | request body removed | breaking | — |
/// | made required | breaking | additive (more is guaranteed) |
/// | made optional | additive | breaking (we may assume presence) |
/// | status code added: `2XX` | — | breaking (a success we cannot decode) |
/// | status code added: other, `default` | — | additive (already an error to us) |
/// | status code removed: `2XX` | — | breaking (the success we decode is gone) |
/// | status code removed: other | — | additive (we handle any error) |
/// | media type added | additive (we keep sending ours) | additive (we ask for JSON) |
/// | media type removed | breaking | breaking |
/// | header added | — | additive |
/// | header removed | — | breaking (e.g. `Link` for paging) |
/// | property added | breaking if required, else additive | additive (unknown fields are ignored) |
/// | property removed | breaking (we may send it) | breaking if it was required, else additive (decodes as `None`) |
/// | made nullable | additive | breaking |
/// | no longer nullable | breaking | additive |
/// | `enum` added (restriction introduced) | breaking | additive |
/// | `enum` removed (restriction lifted) | additive | breaking (free text into a closed Rust enum) |
/// | enum value added | additive | breaking (generated enums are closed: no catch-all variant) |
/// | enum value removed | breaking (we may send it) | additive |
/// | type, format, bound, `additionalProperties`, `oneOf`/`anyOf`/`allOf` member: [`Effect`] | see below | see below |
/// | composition changed shape | breaking | breaking |
/// | `default` changed | breaking (omitting the field now means something else) | additive (only fills in absent fields) |
/// | documentation keyword | docs | docs |
/// | extension (`x-github`, …) | docs | docs |
/// | uninterpreted keyword | breaking (a person must judge) | breaking |
///
/// A parameter ([`Side::Parameter`]) is judged as a request, except that
/// its nullability is not breaking either way: the client sends a parameter
/// as text or leaves it out, never as `null`.
///
/// A redirect (`3XX`, [`Side::Redirect`]) is followed or refused by the
/// transport from its status and `Location` header and its body is never
/// decoded, so every change of a redirect response is additive (docs stay
/// docs) except a header removed (the transport needs `Location`).
///
/// By [`Effect`]: `Same` is additive; `Widened` is additive for requests and
/// breaking for responses; `Narrowed` is breaking for requests and additive
/// for responses; `Incomparable` is breaking. (Bounds matter on responses
/// too: the generated types validate `maxLength` and friends on decode.)
///
/// Kinds that cannot occur on a side (a status code on the request side)
/// are classified breaking, the conservative choice.
pub fn classify(kind: &ChangeKind, side: Side) -> Class {
    use Class::{Additive, Breaking, Docs};
    use Side::{Request, Response};
    let unless = |breaking: bool| if breaking { Breaking } else { Additive };
    match (kind, side) {
        (ChangeKind::Documentation { .. } | ChangeKind::Extension { .. }, _) => Docs,
        (ChangeKind::HeaderRemoved, Side::Redirect) => Breaking,
        (_, Side::Redirect) => Additive,
        (ChangeKind::NullableAdded | ChangeKind::NullableRemoved, Side::Parameter) => Additive,
        (_, Side::Parameter) => classify(kind, Request),
        (ChangeKind::OperationRemoved | ChangeKind::PathChanged | ChangeKind::MethodChanged, _) => {
            Breaking
        }
        (ChangeKind::ParameterAdded { required }, _) => unless(*required),
        (ChangeKind::ParameterRemoved, _) => Breaking,
        (ChangeKind::RequestBodyAdded { required }, _) => unless(*required),
        (ChangeKind::RequestBodyRemoved, _) => Breaking,
        (ChangeKind::MadeRequired, Response) => Additive,
        (ChangeKind::MadeOptional, Request) => Additive,
        (ChangeKind::MadeRequired | ChangeKind::MadeOptional, _) => Breaking,
        (ChangeKind::StatusAdded { success } | ChangeKind::StatusRemoved { success }, _) => {
            unless(*success)
        }
        (ChangeKind::MediaTypeAdded, _) => Additive,
        (ChangeKind::MediaTypeRemoved, _) => Breaking,
        (ChangeKind::HeaderAdded, _) => Additive,
        (ChangeKind::HeaderRemoved, _) => Breaking,
        (ChangeKind::PropertyAdded { required }, Request) => unless(*required),
        (ChangeKind::PropertyAdded { .. }, Response) => Additive,
        (ChangeKind::PropertyRemoved { required }, Response) => unless(*required),
        (ChangeKind::NullableAdded | ChangeKind::EnumRemoved | ChangeKind::EnumValueAdded, _) => {
            by_effect(Effect::Widened, side)
        }
        (ChangeKind::NullableRemoved | ChangeKind::EnumAdded | ChangeKind::EnumValueRemoved, _) => {
            by_effect(Effect::Narrowed, side)
        }
        (
            ChangeKind::TypeChanged { effect }
            | ChangeKind::FormatChanged { effect }
            | ChangeKind::ConstraintChanged { effect, .. }
            | ChangeKind::MemberAdded { effect }
            | ChangeKind::MemberRemoved { effect },
            _,
        ) => by_effect(*effect, side),
        (ChangeKind::DefaultChanged, Response) => Additive,
        (
            ChangeKind::PropertyAdded { .. }
            | ChangeKind::PropertyRemoved { .. }
            | ChangeKind::CompositionChanged
            | ChangeKind::DefaultChanged
            | ChangeKind::KeywordChanged { .. },
            _,
        ) => Breaking,
    }
}

/// Why [`classify`] finds a change harmless *because of where it is*, when
/// it would not be elsewhere (shown after the change in reports).
pub fn reason(kind: &ChangeKind, side: Side) -> Option<&'static str> {
    match (kind, side) {
        (ChangeKind::Documentation { .. } | ChangeKind::Extension { .. }, _) => None,
        (ChangeKind::HeaderRemoved, Side::Redirect) => None,
        (_, Side::Redirect) => Some("a redirect: handled by the transport, its body never decoded"),
        (ChangeKind::NullableAdded | ChangeKind::NullableRemoved, Side::Parameter) => {
            Some("a parameter is sent as text or left out, never as null")
        }
        _ => None,
    }
}

/// The variance rule behind [`classify`]: requests must not narrow,
/// responses must not widen.
fn by_effect(effect: Effect, side: Side) -> Class {
    match (effect, side) {
        (Effect::Same, _) => Class::Additive,
        (Effect::Widened, Side::Request) | (Effect::Narrowed, Side::Response) => Class::Additive,
        _ => Class::Breaking,
    }
}

/// How a `format` change moves what the client sends or decodes, given the
/// schema's `type` (in the other description).
///
/// Generated code decodes `integer` without a format, and `int64`, as `i64`
/// and `int32` as `i32`; `number` without a format, and `double`, as `f64`
/// and `float` as `f32`. So for numbers the change is measured in bits:
/// none → `int64` is [`Effect::Same`], `int32` → `int64` widens, `int64` →
/// `int32` narrows. Unknown numeric formats, and any change between two
/// string formats (`uri` → `date-time`), are incomparable. For other types a
/// format added narrows (it is a restriction) and a format removed widens.
pub fn format_effect(ty: Option<&str>, old: Option<&str>, new: Option<&str>) -> Effect {
    let bits = |format: Option<&str>| match (ty, format) {
        (Some("integer"), None | Some("int64")) | (Some("number"), None | Some("double")) => {
            Some(64)
        }
        (Some("integer"), Some("int32")) | (Some("number"), Some("float")) => Some(32),
        _ => None,
    };
    if let (Some(old_bits), Some(new_bits)) = (bits(old), bits(new)) {
        return old_bits.cmp(&new_bits).into();
    }
    match (old, new) {
        (None, Some(_)) => Effect::Narrowed,
        (Some(_), None) => Effect::Widened,
        _ if old == new => Effect::Same,
        _ => Effect::Incomparable,
    }
}

/// Comparing the old size of a value set with the new one.
impl From<std::cmp::Ordering> for Effect {
    fn from(old_vs_new: std::cmp::Ordering) -> Self {
        match old_vs_new {
            std::cmp::Ordering::Less => Effect::Widened,
            std::cmp::Ordering::Equal => Effect::Same,
            std::cmp::Ordering::Greater => Effect::Narrowed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_is_opposite_on_the_two_sides() {
        let widened = ChangeKind::ConstraintChanged {
            keyword: "maxLength".into(),
            effect: Effect::Widened,
        };
        assert_eq!(classify(&widened, Side::Request), Class::Additive);
        assert_eq!(classify(&widened, Side::Response), Class::Breaking);
        assert_eq!(
            classify(&ChangeKind::EnumValueAdded, Side::Request),
            Class::Additive
        );
        assert_eq!(
            classify(&ChangeKind::EnumValueAdded, Side::Response),
            Class::Breaking
        );
        assert_eq!(
            classify(&ChangeKind::EnumRemoved, Side::Request),
            Class::Additive
        );
        assert_eq!(
            classify(&ChangeKind::MadeOptional, Side::Response),
            Class::Breaking
        );
    }

    #[test]
    fn status_codes_split_on_success() {
        let added = |success| ChangeKind::StatusAdded { success };
        assert_eq!(classify(&added(true), Side::Response), Class::Breaking);
        assert_eq!(classify(&added(false), Side::Response), Class::Additive);
    }

    /// A parameter is a request, but never null.
    #[test]
    fn a_parameter_is_a_request_that_is_never_null() {
        let parameter = Side::Parameter;
        for kind in [ChangeKind::NullableAdded, ChangeKind::NullableRemoved] {
            assert_eq!(classify(&kind, parameter), Class::Additive);
            assert!(reason(&kind, parameter).is_some());
        }
        assert_eq!(
            classify(&ChangeKind::NullableRemoved, Side::Request),
            Class::Breaking
        );
        assert_eq!(
            classify(&ChangeKind::EnumValueRemoved, parameter),
            Class::Breaking
        );
        assert_eq!(reason(&ChangeKind::EnumValueRemoved, parameter), None);
    }

    /// A redirect's body is never decoded; its `Location` header is read.
    #[test]
    fn a_redirect_breaks_only_by_losing_a_header() {
        let redirect = Side::Redirect;
        assert_eq!(
            classify(&ChangeKind::MediaTypeRemoved, redirect),
            Class::Additive
        );
        assert_eq!(
            classify(&ChangeKind::NullableAdded, redirect),
            Class::Additive
        );
        assert_eq!(
            classify(&ChangeKind::HeaderRemoved, redirect),
            Class::Breaking
        );
        let docs = ChangeKind::Documentation {
            keyword: "description".into(),
        };
        assert_eq!(classify(&docs, redirect), Class::Docs);
        assert_eq!(
            classify(&ChangeKind::MediaTypeRemoved, Side::Response),
            Class::Breaking
        );
    }

    #[test]
    fn integer_formats_are_measured_in_bits() {
        let int = Some("integer");
        assert_eq!(format_effect(int, None, Some("int64")), Effect::Same);
        assert_eq!(
            format_effect(int, Some("int32"), Some("int64")),
            Effect::Widened
        );
        assert_eq!(format_effect(int, None, Some("int32")), Effect::Narrowed);
        assert_eq!(
            format_effect(Some("string"), None, Some("uri")),
            Effect::Narrowed
        );
        assert_eq!(
            format_effect(Some("string"), Some("uri"), Some("date-time")),
            Effect::Incomparable
        );
    }
}
