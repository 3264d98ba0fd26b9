//! A generator setting progenitor lacks: the `schemars::JsonSchema` derive
//! on generated types made optional, behind the generated crate's
//! `schemars` feature.
//!
//! Why: a schema is for tests and tooling (holding a payload type against
//! the contract); deriving it on every type makes every user of the client
//! build schemars and expand its derives. progenitor 0.15 adds derives
//! unconditionally (`with_derive`), so its `#[derive(..., schemars::JsonSchema)]`
//! is rewritten here into `#[derive(...)]` plus
//! `#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]`.

use syn::punctuated::Punctuated;

/// Rewrites every derive of `schemars::JsonSchema` in `items` (recursively).
pub fn apply(items: &mut [syn::Item]) {
    for item in items {
        match item {
            syn::Item::Struct(s) => rewrite(&mut s.attrs),
            syn::Item::Enum(e) => rewrite(&mut e.attrs),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    apply(inner);
                }
            }
            _ => {}
        }
    }
}

fn is_json_schema(path: &syn::Path) -> bool {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    names == ["schemars", "JsonSchema"]
}

fn rewrite(attrs: &mut Vec<syn::Attribute>) {
    let mut found = false;
    for attr in attrs.iter_mut() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) =
            attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        if !paths.iter().any(is_json_schema) {
            continue;
        }
        found = true;
        let kept: Vec<&syn::Path> = paths.iter().filter(|p| !is_json_schema(p)).collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
    if found {
        attrs.push(syn::parse_quote!(
            #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schemars_derive_moves_behind_the_feature() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone, Debug, schemars::JsonSchema)]
                #[serde(deny_unknown_fields)]
                pub struct A { pub x: i64 }
                #[derive(Clone, Debug)]
                pub enum B { X }
            }
        };
        apply(&mut file.items);
        let text = quote::ToTokens::to_token_stream(&file).to_string();
        assert!(
            text.contains(
                "# [derive (:: serde :: Deserialize , Clone , Debug)] # [serde (deny_unknown_fields)] \
                 # [cfg_attr (feature = \"schemars\" , derive (schemars :: JsonSchema))] pub struct A"
            ),
            "{text}"
        );
        assert!(
            text.contains("# [derive (Clone , Debug)] pub enum B"),
            "{text}"
        );
        assert_eq!(text.matches("schemars").count(), 2, "{text}");
    }
}
