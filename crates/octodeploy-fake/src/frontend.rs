//! GitHub's front end, as middleware around every request: request ids,
//! latency and 502 faults, authentication, the primary and secondary rate
//! limits, common headers, `etag`/`If-None-Match` (a 304 does not use
//! quota), the access log and the request log.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::faults::Admission;
use crate::headers::{self, HTML_CONTENT_TYPE};
use crate::records::RecordedRequest;
use crate::render::{self, Urls, docs};
use crate::respond::json_response;
use crate::routes::{App, Ctx, GHES_PREFIX, Shared};

/// Request bodies larger than this are refused with 413.
const MAX_BODY_BYTES: usize = 1024 * 1024;

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

fn secondary_limited(request_id: &str, status: u16, retry_after: Option<u64>) -> Response {
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
    if let Some(Ok(value)) = retry_after.map(|secs| HeaderValue::from_str(&secs.to_string())) {
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

/// A query as the request log keeps it: an `access_token` parameter
/// (GitHub's long-removed way of sending a token) keeps its name, never its
/// value, as `authorization` keeps only its scheme.
fn logged_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("access_token") => {
                format!("{name}=<redacted>")
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The front end: every request passes through here.
pub(crate) async fn github(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let started = tokio::time::Instant::now();
    let request_id = app.ids.next();
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    // For the log and the access log only (routing reads the URI).
    let query = parts.uri.query().map(logged_query);
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
        let denied = match &app.github_app {
            Some(github_app) => {
                github_app.authenticate(&path, &parts.headers, app.token.as_deref())
            }
            None => (!authorized(&app, &parts.headers)).then(|| {
                json_response(
                    StatusCode::UNAUTHORIZED,
                    &render::basic_error("Bad credentials", docs::REST, 401),
                )
            }),
        };
        let (mut response, rate) = if let Some(response) = denied {
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
        if let Some(github_app) = &app.github_app {
            headers::set_date(response.headers_mut(), github_app.now());
        }
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
    app.requests.push(RecordedRequest {
        request_id,
        method: method.to_string(),
        path,
        query,
        headers: recorded_headers,
        body: recorded_body,
        body_truncated: false,
        status,
    });
    response
}
