//! One HTTP exchange as the generated client's `exec` hook runs it:
//! redirects followed only within the configured origin and only where they
//! keep the method, and the response body read once, under a size cap.
//!
//! What the generated client cannot be told (a refused redirect, a body
//! over the cap, a body that could not be read) is recorded in the call's
//! context ([`crate::transport::record`]); the generated client gets a
//! bodiless stand-in answer, and the retry loop returns the recorded error
//! instead of whatever was made of the stand-in.

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Method, ResponseBuilderExt, StatusCode};
use url::Url;

use crate::error::Error;
use crate::response::request_id;
use crate::transport::{record, transport_error};

/// At most this many redirects are followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// The default response-body cap: far above any real page (100 deployment
/// statuses are about 200 KiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// Sends `request` with `client`, following permitted redirects, and reads
/// the answer's body under `max_body` bytes.
pub(crate) async fn run(
    client: &reqwest::Client,
    origin: &url::Origin,
    max_body: u64,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let mut request = request;
    let mut visited = vec![request.url().clone()];
    let response = loop {
        let again = request.try_clone();
        let sent = request.url().clone();
        let method = request.method().clone();
        let response = client.execute(request).await?;
        let status = response.status();
        if response.url() != &sent {
            // A caller-supplied client that follows redirects itself: the
            // hop already happened, so all that is left is to refuse what
            // this crate would not have done.
            let reason = if response.url().origin() != *origin {
                Some(
                    "another origin (the HTTP client followed it itself; build it with `redirect::Policy::none()`)",
                )
            } else if method != Method::GET {
                Some(
                    "the HTTP client followed it itself and may have changed the method; build it with `redirect::Policy::none()`",
                )
            } else {
                None
            };
            if let Some(reason) = reason {
                return Ok(refuse(
                    status,
                    response.headers(),
                    response.url().as_str(),
                    reason,
                ));
            }
        }
        if !is_redirect(status) {
            break response;
        }
        let location = response
            .headers()
            .get(LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let shown = location.clone().unwrap_or_default();
        let target = match location.as_deref().map(|l| response.url().join(l.trim())) {
            None => Err("no `Location` header".to_owned()),
            Some(Err(e)) => Err(format!("the `Location` does not parse ({e})")),
            Some(Ok(target)) => check_hop(&method, status, &target, origin, &visited),
        };
        let next = target.and_then(|target| {
            let mut next =
                again.ok_or_else(|| "the request body cannot be sent again".to_owned())?;
            *next.url_mut() = target.clone();
            visited.push(target);
            Ok(next)
        });
        match next {
            Ok(next) => request = next,
            Err(reason) => return Ok(refuse(status, response.headers(), &shown, &reason)),
        }
    };
    read_capped(response, max_body).await
}

/// The statuses that redirect (300 and 304 are answers, not redirects).
fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Whether one more hop to `target` is allowed, and if not, why.
fn check_hop(
    method: &Method,
    status: StatusCode,
    target: &Url,
    origin: &url::Origin,
    visited: &[Url],
) -> Result<Url, String> {
    if target.origin() != *origin {
        return Err(format!(
            "another origin than the configured {} (the token and body are not sent there)",
            origin.ascii_serialization()
        ));
    }
    if *method != Method::GET && !matches!(status.as_u16(), 307 | 308) {
        return Err(format!(
            "HTTP {} would turn the {method} into a GET; only 307 and 308 keep it",
            status.as_u16()
        ));
    }
    if visited.contains(target) {
        return Err("a redirect loop (the location was already requested)".to_owned());
    }
    if visited.len() > MAX_REDIRECTS {
        return Err(format!("more than {MAX_REDIRECTS} redirects"));
    }
    Ok(target.clone())
}

/// Records a refused redirect and returns the stand-in answer.
fn refuse(
    status: StatusCode,
    headers: &HeaderMap,
    location: &str,
    reason: &str,
) -> reqwest::Response {
    let request_id = request_id(headers);
    record(|seen| {
        seen.request_id = request_id;
        seen.failure = Some(Error::Redirect {
            status: status.as_u16(),
            location: location.to_owned(),
            reason: reason.to_owned(),
        });
    });
    stand_in(status, headers.clone(), None, Vec::new())
}

/// Reads the body once, under `max_body` bytes, and rebuilds the response
/// around it; records the answer's facts (and any failure) for the call.
async fn read_capped(
    mut response: reqwest::Response,
    max_body: u64,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let headers = response.headers().clone();
    let url = response.url().clone();
    let id = request_id(&headers);
    record(|seen| {
        seen.request_id = id.clone();
        seen.url = Some(url.clone());
        seen.answer = Some((status, headers.clone()));
    });
    let too_large = || Error::ResponseTooLarge {
        status: status.as_u16(),
        limit: max_body,
        request_id: id.clone(),
    };
    // The chunks as they came (no copy); joined once at the end, or handed
    // on as they are when the body came in one piece.
    let mut chunks = Vec::new();
    let mut read: u64 = 0;
    let failure = if response.content_length().is_some_and(|n| n > max_body) {
        Some(too_large())
    } else {
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    read = read.saturating_add(chunk.len() as u64);
                    if read > max_body {
                        break Some(too_large());
                    }
                    chunks.push(chunk);
                }
                Ok(None) => break None,
                Err(e) => break Some(transport_error(e)),
            }
        }
    };
    if let Some(failure) = failure {
        record(|seen| seen.failure = Some(failure));
        return Ok(stand_in(status, headers, Some(url), Vec::new()));
    }
    Ok(match chunks.len() {
        1 => stand_in(status, headers, Some(url), chunks.swap_remove(0)),
        _ => stand_in(status, headers, Some(url), chunks.concat()),
    })
}

/// A response with `status`, `headers` and `body`, for the generated client.
fn stand_in<B: Into<reqwest::Body>>(
    status: StatusCode,
    headers: HeaderMap,
    url: Option<Url>,
    body: B,
) -> reqwest::Response {
    let mut builder = http::Response::builder().status(status);
    if let Some(url) = url {
        builder = builder.url(url);
    }
    let mut response = match builder.body(body.into()) {
        Ok(r) => r,
        // Unreachable: the status came from a parsed response.
        Err(_) => http::Response::new(reqwest::Body::from(Vec::new())),
    };
    *response.headers_mut() = headers;
    reqwest::Response::from(response)
}
