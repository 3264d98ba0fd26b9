//! The HTTP layer: the axum router for the five operations (served at the
//! root and under `/api/v3`), and the middleware that does what GitHub's
//! front end does for every request — request ids, faults, authentication,
//! rate limiting, common headers, `etag`/`If-None-Match`, the request log.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Extension, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::Value;

use crate::faults::{Admission, Faults};
use crate::headers::{self, HTML_CONTENT_TYPE, JSON_CONTENT_TYPE, RequestIds};
use crate::pagination::{PageRequest, link_header, page_count};
use crate::records::{DispatchEvent, RecordedRequest};
use crate::render::{self, Urls, docs};
use crate::state::{ApiError, NewDispatch, NewStatus, State as Model, User};

/// The prefix GitHub Enterprise Server serves its REST API under.
pub const GHES_PREFIX: &str = "/api/v3";

/// Request bodies larger than this are refused with 413.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) state: Mutex<Model>,
    pub(crate) faults: Faults,
    pub(crate) requests: Mutex<Vec<RecordedRequest>>,
    pub(crate) dispatches: Mutex<Vec<DispatchEvent>>,
    pub(crate) token: Option<String>,
    pub(crate) user: User,
    /// `http://127.0.0.1:PORT`.
    pub(crate) origin: String,
    pub(crate) ids: RequestIds,
    pub(crate) access_log: bool,
}

/// Locks a mutex, ignoring poisoning (the data stays consistent: no
/// critical section can panic halfway through an update on valid input).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Per-request context the middleware hands to the handlers.
#[derive(Debug, Clone)]
struct Ctx {
    urls: Urls,
}

type Shared = Arc<App>;

/// The whole application.
pub(crate) fn router(app: Shared) -> Router {
    let api = || {
        Router::new()
            .route(
                "/repos/{owner}/{repo}/deployments/{deployment_id}",
                delete(delete_deployment),
            )
            .route(
                "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
                get(list_statuses).post(create_status),
            )
            .route(
                "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}",
                get(get_status),
            )
            .route("/repos/{owner}/{repo}/dispatches", post(dispatch))
            .method_not_allowed_fallback(unknown_route)
    };
    let routes = Router::new()
        .merge(api())
        .nest(GHES_PREFIX, api())
        .fallback(unknown_route)
        .with_state(Arc::clone(&app));
    // The front end wraps the whole router (not each route), so that it
    // sees — and can fix up — every response, including axum's own 405s.
    Router::new()
        .fallback_service(routes)
        .layer(middleware::from_fn_with_state(app, github))
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    response
}

fn not_found(documentation_url: &str) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        &render::basic_error("Not Found", documentation_url, 404),
    )
}

fn api_error(error: ApiError, documentation_url: &str) -> Response {
    match error {
        ApiError::NotFound => not_found(documentation_url),
        ApiError::Validation(errors) => json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &render::validation_error(&errors, documentation_url),
        ),
        ApiError::NotAnObject(body) => {
            let mut shown: String = body.chars().take(200).collect();
            if shown.len() < body.len() {
                shown.push('…');
            }
            json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &render::basic_error(
                    &format!("Invalid request.\n\nFor 'links/0/schema', {shown} is not an object."),
                    documentation_url,
                    422,
                ),
            )
        }
        ApiError::ActiveDeployment => json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &render::basic_error(
                "We cannot delete an active deployment unless it is the only deployment in a given environment.",
                docs::DELETE_DEPLOYMENT,
                422,
            ),
        ),
    }
}

/// Parses a body as JSON; an empty body is `{}` (so missing fields are
/// reported as such). `Err` is GitHub's 400 `Problems parsing JSON`.
fn parse_body(body: &[u8], documentation_url: &str) -> Result<Value, Box<Response>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    serde_json::from_slice(body).map_err(|_| {
        Box::new(json_response(
            StatusCode::BAD_REQUEST,
            &render::basic_error("Problems parsing JSON", documentation_url, 400),
        ))
    })
}

/// Ids in paths: decimal digits only (anything else is a 404, as on
/// GitHub).
fn parse_id(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

async fn unknown_route() -> Response {
    not_found(docs::REST)
}

async fn delete_deployment(
    State(app): State<Shared>,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Response {
    let doc = docs::DELETE_DEPLOYMENT;
    let Ok(Path((owner, repo, deployment))) = path else {
        return not_found(doc);
    };
    let Some(deployment_id) = parse_id(&deployment) else {
        return not_found(doc);
    };
    match lock(&app.state).delete_deployment(&owner, &repo, deployment_id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => api_error(error, doc),
    }
}

async fn list_statuses(
    State(app): State<Shared>,
    Extension(ctx): Extension<Ctx>,
    RawQuery(query): RawQuery,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Response {
    let doc = docs::LIST_STATUSES;
    let Ok(Path((owner, repo, deployment))) = path else {
        return not_found(doc);
    };
    let Some(deployment_id) = parse_id(&deployment) else {
        return not_found(doc);
    };
    let request = PageRequest::from_query(query.as_deref());
    let page = match lock(&app.state).list_statuses(
        &owner,
        &repo,
        deployment_id,
        request.per_page,
        request.page,
    ) {
        Ok(page) => page,
        Err(error) => return api_error(error, doc),
    };
    let body = Value::Array(
        page.items
            .iter()
            .map(|view| render::status_json(view, &ctx.urls))
            .collect(),
    );
    let mut response = json_response(StatusCode::OK, &body);
    let url = format!(
        "{}/statuses",
        render::deployment_url(&ctx.urls, &page.owner, &page.repo, deployment_id)
    );
    let pages = page_count(page.total, request.per_page);
    if let Some(link) = link_header(&url, query.as_deref(), request.page, pages)
        && let Ok(value) = HeaderValue::from_str(&link)
    {
        response.headers_mut().insert(header::LINK, value);
    }
    response
}

async fn get_status(
    State(app): State<Shared>,
    Extension(ctx): Extension<Ctx>,
    path: Result<Path<(String, String, String, String)>, PathRejection>,
) -> Response {
    let doc = docs::GET_STATUS;
    let Ok(Path((owner, repo, deployment, status))) = path else {
        return not_found(doc);
    };
    let (Some(deployment_id), Some(status_id)) = (parse_id(&deployment), parse_id(&status)) else {
        return not_found(doc);
    };
    match lock(&app.state).get_status(&owner, &repo, deployment_id, status_id) {
        Ok(view) => json_response(StatusCode::OK, &render::status_json(&view, &ctx.urls)),
        Err(error) => api_error(error, doc),
    }
}

async fn create_status(
    State(app): State<Shared>,
    Extension(ctx): Extension<Ctx>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    body: Bytes,
) -> Response {
    let doc = docs::CREATE_STATUS;
    let Ok(Path((owner, repo, deployment))) = path else {
        return not_found(doc);
    };
    let Some(deployment_id) = parse_id(&deployment) else {
        return not_found(doc);
    };
    if !lock(&app.state).has_deployment(&owner, &repo, deployment_id) {
        return not_found(doc);
    }
    let json = match parse_body(&body, doc) {
        Ok(json) => json,
        Err(response) => return *response,
    };
    let new = match NewStatus::from_json(&json) {
        Ok(new) => new,
        Err(error) => return api_error(error, doc),
    };
    let created = lock(&app.state).create_status(
        &owner,
        &repo,
        deployment_id,
        new,
        &app.user,
        chrono::Utc::now(),
    );
    match created {
        Ok(view) => {
            let mut response =
                json_response(StatusCode::CREATED, &render::status_json(&view, &ctx.urls));
            if let Ok(location) = HeaderValue::from_str(&render::status_url(&ctx.urls, &view)) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Err(error) => api_error(error, doc),
    }
}

async fn dispatch(
    State(app): State<Shared>,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Bytes,
) -> Response {
    let doc = docs::DISPATCH;
    let Ok(Path((owner, repo))) = path else {
        return not_found(doc);
    };
    let (owner, repo) = match lock(&app.state).dispatch_target(&owner, &repo) {
        Ok(target) => target,
        Err(error) => return api_error(error, doc),
    };
    let json = match parse_body(&body, doc) {
        Ok(json) => json,
        Err(response) => return *response,
    };
    match NewDispatch::from_json(&json) {
        Ok(new) => {
            lock(&app.dispatches).push(DispatchEvent {
                owner,
                repo,
                event_type: new.event_type,
                client_payload: new.client_payload,
                received_at: chrono::Utc::now(),
            });
            StatusCode::NO_CONTENT.into_response()
        }
        Err(error) => api_error(error, doc),
    }
}

/// Whether the request carries the required token (`Bearer` or `token`
/// scheme, case-insensitive).
fn authorized(app: &App, headers: &HeaderMap) -> bool {
    let Some(expected) = &app.token else {
        return true;
    };
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, credential)) = value.trim().split_once(' ') else {
        return false;
    };
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        && credential.trim() == expected
}

fn bad_gateway(request_id: &str) -> Response {
    let body = "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>Unicorn! &middot; GitHub</title></head>\n<body>\n<h1>502 Bad Gateway</h1>\n<p>We had issues producing the response to your request. Sorry about that. Please try refreshing and contact us if the problem persists.</p>\n</body>\n</html>\n";
    let mut response = (StatusCode::BAD_GATEWAY, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(HTML_CONTENT_TYPE),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert(HeaderName::from_static("x-github-request-id"), id);
    }
    response
}

fn rate_limited(
    app: &App,
    request_id: &str,
    client: Option<SocketAddr>,
    authenticated: bool,
) -> Response {
    let who = if authenticated {
        format!("user ID {}", app.user.id)
    } else {
        let ip = client.map_or_else(|| "127.0.0.1".to_owned(), |addr| addr.ip().to_string());
        format!(
            "{ip}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
        )
    };
    let separator = if authenticated { "." } else { "" };
    json_response(
        StatusCode::FORBIDDEN,
        &render::basic_error(
            &format!(
                "API rate limit exceeded for {who}{separator} If you reach out to GitHub Support for help, please include the request ID {request_id}."
            ),
            docs::PRIMARY_RATE_LIMIT,
            403,
        ),
    )
}

fn secondary_limited(request_id: &str, status: u16, retry_after: u64) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
    let mut response = json_response(
        code,
        &render::basic_error(
            &format!(
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID {request_id}."
            ),
            docs::SECONDARY_RATE_LIMIT,
            code.as_u16(),
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Adds `etag` to a successful GET, and turns it into `304 Not Modified`
/// when `If-None-Match` matches (refunding the request's quota, as GitHub
/// does not count 304s).
async fn conditional(app: &App, response: Response, if_none_match: Option<&str>) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let tag = headers::etag(&bytes);
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, value);
    }
    if let Some(wanted) = if_none_match
        && headers::etag_matches(wanted, &tag)
    {
        app.faults.refund();
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::LINK);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The front end: every request passes through here.
async fn github(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let started = tokio::time::Instant::now();
    let request_id = app.ids.next();
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let recorded_headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let text = String::from_utf8_lossy(value.as_bytes());
            // Keep the scheme, never the credential: the log is printable.
            let text = if name == axum::http::header::AUTHORIZATION {
                match text.split_once(' ') {
                    Some((scheme, _)) => format!("{scheme} <redacted>"),
                    None => "<redacted>".to_owned(),
                }
            } else {
                text.into_owned()
            };
            (name.as_str().to_owned(), text)
        })
        .collect();
    let api_version = parts.headers.get("x-github-api-version").cloned();
    let if_none_match = parts
        .headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await;

    if let Some(delay) = app.faults.take_latency() {
        tokio::time::sleep(delay).await;
    }

    let urls = Urls {
        api: if path == GHES_PREFIX || path.starts_with("/api/v3/") {
            format!("{}{GHES_PREFIX}", app.origin)
        } else {
            app.origin.clone()
        },
        web: app.origin.clone(),
    };

    let recorded_body = body
        .as_ref()
        .ok()
        .filter(|bytes| !bytes.is_empty())
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned());

    let response = if app.faults.take_bad_gateway() {
        bad_gateway(&request_id)
    } else {
        let (mut response, rate) = if !authorized(&app, &parts.headers) {
            let response = json_response(
                StatusCode::UNAUTHORIZED,
                &render::basic_error("Bad credentials", docs::REST, 401),
            );
            (response, app.faults.peek())
        } else {
            match app.faults.admit() {
                Admission::Secondary {
                    rate,
                    status,
                    retry_after,
                } => (secondary_limited(&request_id, status, retry_after), rate),
                Admission::Primary(rate) => {
                    let authenticated = parts.headers.contains_key(header::AUTHORIZATION);
                    (rate_limited(&app, &request_id, client, authenticated), rate)
                }
                Admission::Admitted(rate) => match body {
                    Err(_) => (
                        json_response(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            &render::basic_error("Payload Too Large", docs::REST, 413),
                        ),
                        rate,
                    ),
                    Ok(bytes) => {
                        let mut request = Request::from_parts(parts, Body::from(bytes));
                        request.extensions_mut().insert(Ctx { urls });
                        let mut response = next.run(request).await;
                        let mut rate = rate;
                        if method == Method::GET && response.status() == StatusCode::OK {
                            response = conditional(&app, response, if_none_match.as_deref()).await;
                            if response.status() == StatusCode::NOT_MODIFIED {
                                rate.remaining = (rate.remaining + 1).min(rate.limit);
                                rate.used = rate.limit - rate.remaining;
                            }
                        }
                        (response, rate)
                    }
                },
            }
        };
        let status = response.status();
        // axum's 405 fallback adds `allow`; GitHub answers a plain 404.
        if status == StatusCode::NOT_FOUND {
            response.headers_mut().remove(header::ALLOW);
        }
        let has_body = status != StatusCode::NO_CONTENT && status != StatusCode::NOT_MODIFIED;
        headers::apply_common(
            response.headers_mut(),
            &request_id,
            api_version.as_ref(),
            rate,
            has_body,
        );
        response
    };

    let status = response.status().as_u16();
    if app.access_log {
        let query_text = query
            .as_deref()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        eprintln!(
            "{method} {path}{query_text} -> {status} ({} ms) [{request_id}]",
            started.elapsed().as_millis()
        );
    }
    tracing::debug!(%method, %path, status, %request_id, "octodeploy-fake request");
    lock(&app.requests).push(RecordedRequest {
        request_id,
        method: method.to_string(),
        path,
        query,
        headers: recorded_headers,
        body: recorded_body,
        status,
    });
    response
}
