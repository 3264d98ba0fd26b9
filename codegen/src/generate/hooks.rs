//! The `hooks` module and `ClientHooks` implementation emitted into the
//! generated crate: GitHub's header conventions, and the extension point the
//! ergonomic crate uses to see every request and response.

use proc_macro2::TokenStream;
use quote::quote;

/// Tokens appended to progenitor's output, inside the generated module.
pub fn tokens() -> TokenStream {
    quote! {
        /// GitHub's request conventions and the extension point for them.
        pub mod hooks {
            use std::future::Future;
            use std::pin::Pin;
            use std::sync::Arc;

            /// The future [`RequestHooks::exec`] returns.
            pub type ExecFuture<'a> =
                Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

            /// The media type GitHub recommends in `Accept`; every request
            /// carries it unless a [`RequestHooks`] implementation says otherwise.
            pub const GITHUB_JSON: &str = "application/vnd.github+json";

            /// Sees every request before it is sent and every result after.
            ///
            /// The ergonomic `octodeploy` crate implements this to add
            /// authentication, preview media types, the API version header and
            /// to keep response metadata.
            pub trait RequestHooks: Send + Sync + 'static {
                /// Called with the operationId before the request is sent; may
                /// change anything about it.
                fn before_send(&self, operation_id: &'static str, request: &mut reqwest::Request);

                /// Sends the request with `client` and returns the response
                /// the generated code decodes. The default sends it once; an
                /// implementation may follow redirects itself, read and cap
                /// the body, or answer without sending.
                fn exec<'a>(
                    &'a self,
                    client: &'a reqwest::Client,
                    operation_id: &'static str,
                    request: reqwest::Request,
                ) -> ExecFuture<'a> {
                    let _ = operation_id;
                    Box::pin(client.execute(request))
                }

                /// Called with the operationId once the server answered (or
                /// the transport failed), before the response is decoded.
                fn after_send(
                    &self,
                    operation_id: &'static str,
                    result: &reqwest::Result<reqwest::Response>,
                ) {
                    let _ = (operation_id, result);
                }
            }

            /// The client's optional [`RequestHooks`]; `Hooks::default()` has none.
            #[derive(Clone, Default)]
            pub struct Hooks(Option<Arc<dyn RequestHooks>>);

            impl Hooks {
                /// Hooks that call `hooks` around every request.
                pub fn new(hooks: Arc<dyn RequestHooks>) -> Self {
                    Self(Some(hooks))
                }

                pub(crate) fn get(&self) -> Option<&dyn RequestHooks> {
                    self.0.as_deref()
                }
            }

            impl std::fmt::Debug for Hooks {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(if self.0.is_some() { "Hooks(installed)" } else { "Hooks(none)" })
                }
            }
        }

        impl ClientHooks<hooks::Hooks> for Client {
            /// Replaces progenitor's `Accept: application/json` and drops its
            /// `api-version` header (GitHub uses `X-GitHub-Api-Version`), then
            /// runs the installed hooks.
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> std::result::Result<(), Error<E>> {
                let headers = request.headers_mut();
                headers.remove("api-version");
                headers.insert(
                    reqwest::header::ACCEPT,
                    reqwest::header::HeaderValue::from_static(hooks::GITHUB_JSON),
                );
                if let Some(hooks) = self.inner.get() {
                    hooks.before_send(info.operation_id, request);
                }
                Ok(())
            }

            /// Sends through the installed hooks' [`hooks::RequestHooks::exec`].
            async fn exec(
                &self,
                request: reqwest::Request,
                info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                match self.inner.get() {
                    Some(hooks) => hooks.exec(&self.client, info.operation_id, request).await,
                    None => self.client.execute(request).await,
                }
            }

            async fn post<E>(
                &self,
                result: &reqwest::Result<reqwest::Response>,
                info: &OperationInfo,
            ) -> std::result::Result<(), Error<E>> {
                if let Some(hooks) = self.inner.get() {
                    hooks.after_send(info.operation_id, result);
                }
                Ok(())
            }
        }
    }
}
