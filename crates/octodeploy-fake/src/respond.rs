//! Turning outcomes into GitHub's responses: JSON with GitHub's
//! `content-type`, and one status code and body per [`ApiError`].

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::api_error::ApiError;
use crate::headers::JSON_CONTENT_TYPE;
use crate::render::{self, docs};

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    response
}

pub(crate) fn not_found(documentation_url: &str) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        &render::basic_error("Not Found", documentation_url, 404),
    )
}

pub(crate) fn api_error(error: ApiError, documentation_url: &str) -> Response {
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
        ApiError::InvalidRequest(problems) => json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &render::basic_error(
                &format!("Invalid request.\n\n{}", problems.join("\n")),
                documentation_url,
                422,
            ),
        ),
        ApiError::NoRef(git_ref) => json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &render::basic_error(
                &format!("No ref found for: {git_ref}"),
                documentation_url,
                422,
            ),
        ),
        ApiError::MergeConflict { base, head } => json_response(
            StatusCode::CONFLICT,
            &render::basic_error(
                &format!("Conflict merging {base} into {head}."),
                documentation_url,
                409,
            ),
        ),
        ApiError::ChecksFailed { head, contexts } => json_response(
            StatusCode::CONFLICT,
            &render::checks_failed(&head, &contexts, documentation_url),
        ),
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
