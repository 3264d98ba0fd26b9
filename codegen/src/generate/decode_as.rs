//! A generator addition: for every operation that decodes a JSON success
//! body, a sibling `<operation>_as::<T>()` that sends the same request
//! (same URL, parameters, hooks and status handling) and decodes the body
//! into the caller's `T` instead of the generated type.
//!
//! Why: the ergonomic crate has its own tolerant types. Decoding into the
//! generated type first and converting costs an allocation per field the
//! ergonomic type drops (a `simple-user` carries a dozen URL strings) and a
//! second pass over every item: measured at 1.36× the CPU of a hand-written
//! reqwest + serde loop for the generated client alone, against the floor's
//! 1× (issue 9, `cargo xtask bench`). progenitor 0.15 has no setting for a
//! caller-chosen response type, so the siblings are derived from its output
//! here: each is the original method with one type parameter more.

use quote::format_ident;
use syn::visit::Visit;

/// Adds the `_as` siblings to every inherent `impl Client` block of `file`.
pub fn add(file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() || !is_client(&block.self_ty) {
            continue;
        }
        let siblings: Vec<syn::ImplItem> = block
            .items
            .iter()
            .filter_map(|i| match i {
                syn::ImplItem::Fn(f) => sibling(f).map(syn::ImplItem::Fn),
                _ => None,
            })
            .collect();
        block.items.extend(siblings);
    }
}

fn is_client(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.is_ident("Client"))
}

/// The `_as` version of an operation method, when every success arm of it
/// decodes a JSON body (`ResponseValue::from_response`).
fn sibling(f: &syn::ImplItemFn) -> Option<syn::ImplItemFn> {
    f.sig.asyncness?;
    let mut calls = Calls::default();
    calls.visit_block(&f.block);
    if calls.from_response == 0 || calls.other > 0 {
        return None;
    }
    let mut out = f.clone();
    let name = &f.sig.ident;
    out.sig.ident = format_ident!("{}_as", name);
    out.sig
        .generics
        .params
        .push(syn::parse_quote!(T: ::serde::de::DeserializeOwned));
    let syn::ReturnType::Type(_, ty) = &mut out.sig.output else {
        return None;
    };
    *response_value_arg(ty)? = syn::parse_quote!(T);
    let doc = format!(
        " As [`Client::{name}`], decoding the success body into the caller's `T` \
         instead of the generated type."
    );
    out.attrs.retain(|a| !a.path().is_ident("doc"));
    out.attrs.insert(0, syn::parse_quote!(#[doc = #doc]));
    Some(out)
}

/// In `Result<ResponseValue<X>, E>`, the `X`.
fn response_value_arg(ty: &mut syn::Type) -> Option<&mut syn::Type> {
    let syn::Type::Path(result) = ty else {
        return None;
    };
    let last = result.path.segments.last_mut()?;
    let syn::PathArguments::AngleBracketed(args) = &mut last.arguments else {
        return None;
    };
    let Some(syn::GenericArgument::Type(syn::Type::Path(rv))) = args.args.first_mut() else {
        return None;
    };
    let rv = rv.path.segments.last_mut()?;
    if rv.ident != "ResponseValue" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(inner) = &mut rv.arguments else {
        return None;
    };
    match inner.args.first_mut() {
        Some(syn::GenericArgument::Type(t)) => Some(t),
        _ => None,
    }
}

/// Counts the `ResponseValue::…` constructors a method body calls.
#[derive(Default)]
struct Calls {
    from_response: usize,
    other: usize,
}

impl<'ast> Visit<'ast> for Calls {
    fn visit_expr_path(&mut self, e: &'ast syn::ExprPath) {
        let segments: Vec<String> = e
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if let [.., ty, method] = segments.as_slice()
            && ty == "ResponseValue"
        {
            if method == "from_response" {
                self.from_response += 1;
            } else {
                self.other += 1;
            }
        }
        syn::visit::visit_expr_path(self, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(tokens: proc_macro2::TokenStream) -> syn::File {
        let mut file: syn::File = syn::parse2(tokens).unwrap();
        add(&mut file);
        file
    }

    fn methods(file: &syn::File) -> Vec<String> {
        file.items
            .iter()
            .filter_map(|i| match i {
                syn::Item::Impl(b) => Some(b),
                _ => None,
            })
            .flat_map(|b| &b.items)
            .filter_map(|i| match i {
                syn::ImplItem::Fn(f) => Some(quote::ToTokens::to_token_stream(&f.sig).to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn json_operations_get_a_generic_sibling() {
        let file = client(quote::quote! {
            impl Client {
                pub async fn list<'a>(&'a self, page: Option<i64>) -> Result<ResponseValue<Vec<types::Item>>, Error<()>> {
                    match response.status().as_u16() {
                        200u16 => ResponseValue::from_response(response).await,
                        _ => Err(Error::UnexpectedResponse(response)),
                    }
                }
                pub async fn delete<'a>(&'a self) -> Result<ResponseValue<()>, Error<()>> {
                    match response.status().as_u16() {
                        204u16 => Ok(ResponseValue::empty(response)),
                        _ => Err(Error::UnexpectedResponse(response)),
                    }
                }
                pub fn new(baseurl: &str) -> Self { todo!() }
            }
            impl ClientInfo for Client {
                async fn other(&self) -> Result<ResponseValue<X>, Error<()>> { ResponseValue::from_response(r).await }
            }
        });
        let m = methods(&file);
        assert_eq!(m.len(), 5, "{m:#?}");
        let sibling = &m[3];
        assert!(sibling.contains("list_as"), "{sibling}");
        assert!(
            sibling.contains("T : :: serde :: de :: DeserializeOwned"),
            "{sibling}"
        );
        assert!(
            sibling.contains("Result < ResponseValue < T > , Error < () > >"),
            "{sibling}"
        );
        assert!(
            !m.iter()
                .any(|s| s.contains("delete_as") || s.contains("other_as")),
            "{m:#?}"
        );
    }
}
