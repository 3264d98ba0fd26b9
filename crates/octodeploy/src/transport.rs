//! Sending: GitHub's headers on every request (through the generated
//! client's hooks), the per-call context those hooks read and write, the
//! retry loop, and the tracing span of each attempt. The exchange itself
//! (redirects within the origin, the body cap) is in [`crate::exchange`].

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use octodeploy_api::ResponseValue;
use octodeploy_api::hooks::{ExecFuture, RequestHooks};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::auth::CredentialProvider;
use crate::decode;
use crate::error::{Error, TransportError};
use crate::exchange;
use crate::response::{Meta, request_id};
use crate::retry::{Clock, RetryEvent, RetryHook, RetryPolicy};

/// What a [`crate::Client`] shares with its clones: the generated client, the
/// base URL, the retry policy, the clock and the credentials. It lives with
/// the transport (which is what reads it), so the client depends on the
/// transport and not the other way round.
pub(crate) struct Inner {
    pub(crate) api: octodeploy_api::Client,
    pub(crate) base: Url,
    pub(crate) retry: RetryPolicy,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) on_retry: Option<RetryHook>,
    /// Asked for the token before each request; `None` sends none.
    pub(crate) credentials: Option<Arc<dyn CredentialProvider>>,
    /// A non-empty token or a credential provider was configured.
    pub(crate) authenticated: bool,
    pub(crate) max_pages: u32,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("clock", &self.clock)
            .field("on_retry", &self.on_retry.is_some())
            .finish_non_exhaustive()
    }
}

/// `Accept` for the deployment-status operations: GHES 3.0 needs the
/// ant-man preview for `inactive`, `log_url`, `environment_url`,
/// `auto_inactive`, and flash for `in_progress`, `queued`, `environment`;
/// newer servers ignore both.
pub(crate) const ACCEPT_STATUSES: &str = "application/vnd.github+json, \
application/vnd.github.ant-man-preview+json, application/vnd.github.flash-preview+json";

static API_VERSION_HEADER: HeaderName = HeaderName::from_static("x-github-api-version");

/// The operations, with what the retry policy and the spans need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    CreateDeployment,
    ListDeployments,
    GetDeployment,
    DeleteDeployment,
    ListStatuses,
    CreateStatus,
    GetStatus,
    Dispatch,
    CreateInstallationToken,
    GetRepoInstallation,
}

impl Op {
    fn method(self) -> &'static str {
        match self {
            Op::DeleteDeployment => "DELETE",
            Op::ListDeployments
            | Op::GetDeployment
            | Op::ListStatuses
            | Op::GetStatus
            | Op::GetRepoInstallation => "GET",
            Op::CreateDeployment
            | Op::CreateStatus
            | Op::Dispatch
            | Op::CreateInstallationToken => "POST",
        }
    }

    fn path_template(self) -> &'static str {
        match self {
            Op::CreateDeployment | Op::ListDeployments => "/repos/{owner}/{repo}/deployments",
            Op::GetDeployment | Op::DeleteDeployment => {
                "/repos/{owner}/{repo}/deployments/{deployment_id}"
            }
            Op::ListStatuses | Op::CreateStatus => {
                "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses"
            }
            Op::GetStatus => {
                "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}"
            }
            Op::Dispatch => "/repos/{owner}/{repo}/dispatches",
            Op::CreateInstallationToken => "/app/installations/{installation_id}/access_tokens",
            Op::GetRepoInstallation => "/repos/{owner}/{repo}/installation",
        }
    }

    /// What the operation does, for messages.
    fn name(self) -> &'static str {
        match self {
            Op::CreateDeployment => "create a deployment",
            Op::ListDeployments => "list deployments",
            Op::GetDeployment => "get a deployment",
            Op::DeleteDeployment => "delete a deployment",
            Op::ListStatuses => "list deployment statuses",
            Op::CreateStatus => "create a deployment status",
            Op::GetStatus => "get a deployment status",
            Op::Dispatch => "create a repository dispatch event",
            Op::CreateInstallationToken => "create a GitHub App installation token",
            Op::GetRepoInstallation => "get a repository's App installation",
        }
    }

    /// How to find out whether the operation took effect after an
    /// ambiguous failure (`Error::OutcomeUnknown`'s `check`).
    fn check(self) -> &'static str {
        match self {
            Op::CreateDeployment => {
                "check (list the repository's deployments for that ref and environment) before sending it again"
            }
            Op::CreateStatus => "check (list the deployment's statuses) before sending it again",
            Op::Dispatch => {
                "check (look for the workflow runs it would have started) before sending it again"
            }
            Op::CreateInstallationToken => {
                "a token it may have issued expires on its own within the hour, so asking for another one is safe"
            }
            Op::ListDeployments
            | Op::GetDeployment
            | Op::DeleteDeployment
            | Op::ListStatuses
            | Op::GetStatus
            | Op::GetRepoInstallation => "sending it again is safe",
        }
    }

    fn idempotent(self) -> bool {
        !matches!(
            self,
            Op::CreateDeployment | Op::CreateStatus | Op::Dispatch | Op::CreateInstallationToken
        )
    }

    /// What a successful answer carries, for [`Error::EmptyResponse`].
    fn returns(self) -> &'static str {
        match self {
            Op::ListStatuses => "a list of deployment statuses",
            Op::CreateStatus | Op::GetStatus => "a deployment status",
            Op::CreateInstallationToken => "an installation token",
            Op::GetRepoInstallation => "an installation",
            Op::CreateDeployment | Op::GetDeployment => "a deployment",
            Op::ListDeployments => "a list of deployments",
            Op::DeleteDeployment | Op::Dispatch => "nothing",
        }
    }
}

/// Whether a generated operationId needs the deployment previews (GHES
/// 3.0: ant-man for transient/production environments on deployments).
fn wants_previews(operation_id: &str) -> bool {
    matches!(
        operation_id,
        "repos_create_deployment"
            | "repos_list_deployments"
            | "repos_get_deployment"
            | "repos_list_deployment_statuses"
            | "repos_create_deployment_status"
            | "repos_get_deployment_status"
    )
}

tokio::task_local! {
    static CALL: Arc<CallContext>;
}

/// What one attempt tells the hooks, and what they record.
#[derive(Debug, Default)]
pub(crate) struct CallContext {
    /// Send to this URL instead (a pagination link).
    url: Option<Url>,
    /// The `Authorization` header of this attempt (none when `None`).
    authorization: Option<HeaderValue>,
    /// Headers this call adds (`If-None-Match` of a conditional poll).
    headers: HeaderMap,
    /// What the response said before it was decoded.
    seen: Mutex<Seen>,
}

/// Response facts the hooks keep for after decoding.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// `X-GitHub-Request-Id`, for decode errors.
    pub(crate) request_id: Option<String>,
    /// The URL that answered (after redirects), to resolve relative links.
    pub(crate) url: Option<Url>,
    /// The status and headers of the final answer (to rebuild a value the
    /// generated client could not decode).
    pub(crate) answer: Option<(reqwest::StatusCode, HeaderMap)>,
    /// A failure the exchange found that the generated client cannot
    /// express (a refused redirect, an oversized or unreadable body): it
    /// replaces whatever the generated client made of the stand-in answer.
    pub(crate) failure: Option<Error>,
}

/// Runs `f` on the current call's [`Seen`], if there is a call.
pub(crate) fn record(f: impl FnOnce(&mut Seen)) {
    let _ = CALL.try_with(|c| {
        if let Ok(mut seen) = c.seen.lock() {
            f(&mut seen);
        }
    });
}

/// The headers every request gets, built once per client.
#[derive(Debug)]
pub(crate) struct GitHubHooks {
    pub(crate) origin: url::Origin,
    /// For calls made through [`crate::Client::api`] directly (outside
    /// [`execute`], which sets each attempt's header from the provider): a
    /// fixed token's header.
    pub(crate) authorization: Option<HeaderValue>,
    pub(crate) api_version: Option<HeaderValue>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) accept_statuses: HeaderValue,
    /// The response-body cap, in bytes.
    pub(crate) max_body: u64,
}

impl RequestHooks for GitHubHooks {
    fn before_send(&self, operation_id: &'static str, request: &mut reqwest::Request) {
        let call = CALL.try_with(|c| (c.url.clone(), c.authorization.clone(), c.headers.clone()));
        let (authorization, extra) = match call {
            Ok((url, authorization, extra)) => {
                if let Some(url) = url {
                    *request.url_mut() = url;
                }
                (authorization, extra)
            }
            Err(_) => (self.authorization.clone(), HeaderMap::new()),
        };
        let same_origin = request.url().origin() == self.origin;
        let headers = request.headers_mut();
        for (name, value) in &extra {
            headers.insert(name.clone(), value.clone());
        }
        if wants_previews(operation_id) {
            headers.insert(ACCEPT, self.accept_statuses.clone());
        }
        if let Some(v) = &self.api_version {
            headers.insert(API_VERSION_HEADER.clone(), v.clone());
        }
        headers.insert(USER_AGENT, self.user_agent.clone());
        match authorization {
            Some(auth) if same_origin => {
                headers.insert(AUTHORIZATION, auth);
            }
            _ => {
                headers.remove(AUTHORIZATION);
            }
        }
    }

    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        _: &'static str,
        request: reqwest::Request,
    ) -> ExecFuture<'a> {
        Box::pin(exchange::run(client, &self.origin, self.max_body, request))
    }

    fn after_send(&self, _: &'static str, result: &reqwest::Result<reqwest::Response>) {
        if let Ok(response) = result {
            record(|seen| {
                if seen.request_id.is_none() {
                    seen.request_id = request_id(response.headers());
                }
            });
        }
    }
}

/// Which credential a call sends.
#[derive(Debug, Clone)]
pub(crate) enum Credential {
    /// The client's provider, asked before each attempt.
    Client,
    /// This header (the App's JWT), or none.
    Fixed(Option<HeaderValue>),
}

/// The retry loop around one generated-client call, authenticated by the
/// client's credential provider.
pub(crate) async fn execute<R, F, Fut>(
    inner: &Inner,
    op: Op,
    url: Option<Url>,
    call: F,
) -> Result<(ResponseValue<R>, Meta), Error>
where
    R: DeserializeOwned,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<ResponseValue<R>, octodeploy_api::Error<()>>>,
{
    execute_as(inner, op, url, Credential::Client, call).await
}

/// [`execute`] with the credential chosen by the caller.
pub(crate) async fn execute_as<R, F, Fut>(
    inner: &Inner,
    op: Op,
    url: Option<Url>,
    credential: Credential,
    call: F,
) -> Result<(ResponseValue<R>, Meta), Error>
where
    R: DeserializeOwned,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<ResponseValue<R>, octodeploy_api::Error<()>>>,
{
    run(inner, op, url, credential, HeaderMap::new(), call).await
}

/// [`execute`] with extra request headers (`If-None-Match`).
pub(crate) async fn execute_with_headers<R, F, Fut>(
    inner: &Inner,
    op: Op,
    url: Option<Url>,
    headers: HeaderMap,
    call: F,
) -> Result<(ResponseValue<R>, Meta), Error>
where
    R: DeserializeOwned,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<ResponseValue<R>, octodeploy_api::Error<()>>>,
{
    run(inner, op, url, Credential::Client, headers, call).await
}

async fn run<R, F, Fut>(
    inner: &Inner,
    op: Op,
    url: Option<Url>,
    credential: Credential,
    headers: HeaderMap,
    mut call: F,
) -> Result<(ResponseValue<R>, Meta), Error>
where
    R: DeserializeOwned,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<ResponseValue<R>, octodeploy_api::Error<()>>>,
{
    let mut attempt: u32 = 1;
    let mut refreshed = false;
    let mut waited = Duration::ZERO;
    loop {
        let (token, authorization) = match &credential {
            Credential::Client => crate::auth::for_request(inner).await?,
            Credential::Fixed(header) => (None, header.clone()),
        };
        let span = tracing::info_span!(
            "github.request",
            method = op.method(),
            path = op.path_template(),
            attempt,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let context = Arc::new(CallContext {
            url: url.clone(),
            authorization,
            headers: headers.clone(),
            seen: Mutex::default(),
        });
        let result = CALL
            .scope(context.clone(), call().instrument(span.clone()))
            .await;
        let mut seen = match context.seen.lock() {
            Ok(mut s) => std::mem::take(&mut *s),
            Err(_) => Seen::default(),
        };
        let result = match seen.failure.take() {
            Some(failure) => Err(failure),
            None => match result {
                Ok(value) => Ok(value),
                Err(e) => recover::<R>(e, op, &mut seen, inner.clock.now()).await,
            },
        };
        let error = match result {
            Ok(value) => {
                let mut meta =
                    Meta::from_headers(value.status().as_u16(), value.headers(), attempt);
                meta.url = seen.url.take();
                span.record("status", meta.status);
                if let Some(id) = &meta.request_id {
                    span.record("request_id", id.as_str());
                }
                span.in_scope(|| tracing::debug!("response"));
                return Ok((value, meta));
            }
            Err(error) => error,
        };
        if let Some(status) = error.status() {
            span.record("status", status);
        }
        if let Some(id) = error.request_id() {
            span.record("request_id", id);
        }
        if !refreshed && crate::auth::retry_with_fresh(inner, &error, token.as_ref()) {
            // A 401 means GitHub did not process the request: repeating it
            // (a POST too) with a fresh token duplicates nothing.
            span.in_scope(|| tracing::info!("credential rejected; retrying with a fresh one"));
            refreshed = true;
            attempt += 1;
            continue;
        }
        let Some(wait) =
            inner
                .retry
                .decide(&error, op.idempotent(), attempt, waited, inner.clock.now())
        else {
            let error = if !op.idempotent() && error.is_ambiguous() {
                Error::OutcomeUnknown {
                    request_id: error.request_id().map(str::to_owned),
                    source: Box::new(error),
                    method: op.method(),
                    path: op.path_template(),
                    operation: op.name(),
                    check: op.check(),
                }
            } else {
                error
            };
            span.in_scope(|| tracing::debug!(error = %error, "request failed"));
            return Err(error);
        };
        span.in_scope(
            || tracing::info!(error = %error, wait_ms = wait.as_millis() as u64, "retrying"),
        );
        if let Some(notify) = &inner.on_retry {
            notify(&RetryEvent {
                method: op.method(),
                path: op.path_template(),
                attempt,
                wait,
                error: &error,
            });
        }
        inner.clock.sleep(wait).await;
        waited = waited.saturating_add(wait);
        attempt += 1;
    }
}

/// For operations without a body: any 2xx is success (a proxy or an older
/// server may answer 200 or 202 where the contract says 204).
#[allow(clippy::result_large_err)] // the generated client's error type, passed through
pub(crate) fn unit_success(
    result: Result<ResponseValue<()>, octodeploy_api::Error<()>>,
) -> Result<ResponseValue<()>, octodeploy_api::Error<()>> {
    match result {
        Err(octodeploy_api::Error::UnexpectedResponse(r)) if r.status().is_success() => {
            Ok(ResponseValue::new((), r.status(), r.headers().clone()))
        }
        other => other,
    }
}

/// [`unit_success`] of a call still to be made.
pub(crate) async fn unit_success_after(
    call: impl Future<Output = Result<ResponseValue<()>, octodeploy_api::Error<()>>>,
) -> Result<ResponseValue<()>, octodeploy_api::Error<()>> {
    unit_success(call.await)
}

/// Maps the generated client's error to ours, or recovers the value where
/// the generated client was stricter than GitHub's contract needs: a body
/// with `null` where a field may be absent, a 2xx other than the documented
/// one.
async fn recover<R: DeserializeOwned>(
    error: octodeploy_api::Error<()>,
    op: Op,
    seen: &mut Seen,
    now: std::time::SystemTime,
) -> Result<ResponseValue<R>, Error> {
    use octodeploy_api::Error as E;
    let request_id = seen.request_id.clone();
    match error {
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
            Err(transport_error(e))
        }
        E::InvalidResponsePayload(body, e) => match (decode::tolerant::<R>(&body), &seen.answer) {
            (Ok(value), Some((status, headers))) => {
                Ok(ResponseValue::new(value, *status, headers.clone()))
            }
            _ => Err(decode::decode_error::<R>(&body, e, request_id)),
        },
        E::UnexpectedResponse(response) if response.status().is_success() => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(transport_error)?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Err(Error::EmptyResponse {
                    status: status.as_u16(),
                    expected: op.returns(),
                    request_id,
                });
            }
            match decode::tolerant::<R>(&body) {
                Ok(value) => Ok(ResponseValue::new(value, status, headers)),
                Err(e) => Err(decode::decode_error::<R>(&body, e, request_id)),
            }
        }
        E::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(transport_error)?;
            Err(decode::error_from_parts(status, &headers, &body, now))
        }
        E::ErrorResponse(rv) => Err(decode::error_from_parts(
            rv.status().as_u16(),
            rv.headers(),
            &[],
            now,
        )),
        E::InvalidRequest(message) | E::Custom(message) => Err(Error::Invalid(
            crate::error::ValidationError::new("request", message),
        )),
    }
}

/// A transport failure as ours: a timeout (other than connecting, which
/// never reached the server) is [`Error::Timeout`], the rest
/// [`Error::Transport`].
pub(crate) fn transport_error(e: reqwest::Error) -> Error {
    if e.is_timeout() && !e.is_connect() {
        Error::Timeout(TransportError::new(e))
    } else {
        Error::Transport(TransportError::new(e))
    }
}
