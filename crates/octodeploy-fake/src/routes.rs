//! The HTTP layer: the axum router for the operations (served at the root
//! and under `/api/v3`) and their handlers, each reading the request,
//! calling the store and rendering GitHub's answer. What GitHub's front end
//! does for every request is in [`crate::frontend`].

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::deployer;
use crate::faults::Faults;
use crate::headers::RequestIds;
use crate::pagination::{PageRequest, link_header, page_count};
use crate::records::{DispatchEvent, RequestLog};
use crate::render::{self, Urls, docs};
use crate::request::{DeploymentFilter, NewDeployment, NewDispatch, NewStatus};
use crate::respond::{api_error, json_response, not_found};
use crate::state::{Created, State as Model, User};

/// The prefix GitHub Enterprise Server serves its REST API under.
pub const GHES_PREFIX: &str = "/api/v3";

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) state: Mutex<Model>,
    pub(crate) faults: Faults,
    pub(crate) requests: RequestLog,
    pub(crate) dispatches: Mutex<Vec<DispatchEvent>>,
    pub(crate) token: Option<String>,
    pub(crate) user: User,
    /// `http://127.0.0.1:PORT`.
    pub(crate) origin: String,
    pub(crate) ids: RequestIds,
    pub(crate) access_log: bool,
    /// The scripted deployer, when one runs.
    pub(crate) deployer: deployer::Hub,
    /// The GitHub App, when one is configured.
    pub(crate) github_app: Option<crate::app::AppState>,
}

/// Locks a mutex, ignoring poisoning (the data stays consistent: no
/// critical section can panic halfway through an update on valid input).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Per-request context the middleware hands to the handlers.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) urls: Urls,
}

pub(crate) type Shared = Arc<App>;

/// The whole application.
pub(crate) fn router(app: Shared) -> Router {
    let api = || {
        Router::new()
            .route(
                "/repos/{owner}/{repo}/deployments",
                get(list_deployments).post(create_deployment),
            )
            .route(
                "/repos/{owner}/{repo}/deployments/{deployment_id}",
                get(get_deployment).delete(delete_deployment),
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
            .merge(crate::app::routes())
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
        .layer(middleware::from_fn_with_state(app, crate::frontend::github))
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
    let url = format!(
        "{}/statuses",
        render::deployment_url(&ctx.urls, &page.owner, &page.repo, deployment_id)
    );
    with_links(
        json_response(StatusCode::OK, &body),
        &url,
        query.as_deref(),
        request,
        page.total,
    )
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

/// Adds GitHub's `Link` header for `page` of a list at `url`.
fn with_links(
    mut response: Response,
    url: &str,
    query: Option<&str>,
    request: PageRequest,
    total: usize,
) -> Response {
    let pages = page_count(total, request.per_page);
    if let Some(link) = link_header(url, query, request.page, pages)
        && let Ok(value) = HeaderValue::from_str(&link)
    {
        response.headers_mut().insert(header::LINK, value);
    }
    response
}

async fn create_deployment(
    State(app): State<Shared>,
    Extension(ctx): Extension<Ctx>,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Bytes,
) -> Response {
    let doc = docs::CREATE_DEPLOYMENT;
    let Ok(Path((owner, repo))) = path else {
        return not_found(doc);
    };
    if let Err(error) = lock(&app.state).dispatch_target(&owner, &repo) {
        return api_error(error, doc);
    }
    let json = match parse_body(&body, doc) {
        Ok(json) => json,
        Err(response) => return *response,
    };
    let new = match NewDeployment::from_json(&json) {
        Ok(new) => new,
        Err(error) => return api_error(error, doc),
    };
    let created =
        lock(&app.state).create_deployment(&owner, &repo, new, &app.user, chrono::Utc::now());
    match created {
        Ok(Created::Deployment(view)) => {
            deployer::created(&app, view.deployment.id);
            let mut response = json_response(
                StatusCode::CREATED,
                &render::deployment_json(&view, &ctx.urls),
            );
            let url =
                render::deployment_url(&ctx.urls, &view.owner, &view.repo, view.deployment.id);
            if let Ok(location) = HeaderValue::from_str(&url) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Ok(Created::AutoMerged(message)) => {
            json_response(StatusCode::ACCEPTED, &json!({ "message": message }))
        }
        Err(error) => api_error(error, doc),
    }
}

async fn list_deployments(
    State(app): State<Shared>,
    Extension(ctx): Extension<Ctx>,
    RawQuery(query): RawQuery,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let doc = docs::LIST_DEPLOYMENTS;
    let Ok(Path((owner, repo))) = path else {
        return not_found(doc);
    };
    let request = PageRequest::from_query(query.as_deref());
    let filter = DeploymentFilter::from_query(query.as_deref());
    let page = match lock(&app.state).list_deployments(
        &owner,
        &repo,
        &filter,
        request.per_page,
        request.page,
    ) {
        Ok(page) => page,
        Err(error) => return api_error(error, doc),
    };
    let body = Value::Array(
        page.items
            .iter()
            .map(|view| render::deployment_json(view, &ctx.urls))
            .collect(),
    );
    let url = format!(
        "{}/deployments",
        render::repository_url(&ctx.urls, &page.owner, &page.repo)
    );
    with_links(
        json_response(StatusCode::OK, &body),
        &url,
        query.as_deref(),
        request,
        page.total,
    )
}

async fn get_deployment(
    State(app): State<Shared>,
    Extension(ctx): Extension<Ctx>,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Response {
    let doc = docs::GET_DEPLOYMENT;
    let Ok(Path((owner, repo, deployment))) = path else {
        return not_found(doc);
    };
    let Some(deployment_id) = parse_id(&deployment) else {
        return not_found(doc);
    };
    match lock(&app.state).get_deployment(&owner, &repo, deployment_id) {
        Ok(view) => json_response(StatusCode::OK, &render::deployment_json(&view, &ctx.urls)),
        Err(error) => api_error(error, doc),
    }
}
