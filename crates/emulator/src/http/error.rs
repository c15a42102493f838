//! The HTTP face of [`ApiError`]: its rendering (`crate::error`) as an axum response, and the
//! middleware that logs every 5xx once with its cause chain.

use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use crate::error::{ApiError, Reason};

/// The logged form of a 5xx, put into the response extensions by [`ApiError::into_response`].
#[derive(Clone, Debug)]
pub(crate) struct LoggedError(pub(crate) Arc<anyhow::Error>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            self.body(),
        )
            .into_response();
        match self {
            ApiError::Internal(e) => {
                response.extensions_mut().insert(LoggedError(Arc::new(e)));
            }
            ApiError::Unavailable(e) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
                response.extensions_mut().insert(LoggedError(Arc::new(e)));
            }
            ApiError::Amazon { .. } | ApiError::Injected { .. } => {}
        }
        response
    }
}

/// Middleware: logs every 5xx once, with its cause chain, and gives an error status that a
/// layer answered without a body (the time limit's 408) Amazon's `{"reasonCode", "message"}` body.
pub(crate) async fn log_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    if let Some(LoggedError(e)) = response.extensions().get::<LoggedError>() {
        tracing::error!(error.cause_chain = ?e, error.message = %e, "request failed");
    }
    with_error_body(response)
}

/// Fills in Amazon's error body when an error status has an empty body.
fn with_error_body(response: Response) -> Response {
    use axum::body::HttpBody;
    let status = response.status();
    let empty = response.body().size_hint().exact() == Some(0);
    if !(status.is_client_error() || status.is_server_error()) || !empty {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(
        parts,
        axum::body::Body::from(crate::error::bare_status_body(status.as_u16())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_empty_408_gets_amazons_request_timeout_body() {
        let bare = StatusCode::REQUEST_TIMEOUT.into_response();
        let filled = with_error_body(bare);
        assert_eq!(filled.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(filled.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(filled.into_body(), 1024)
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["reasonCode"], "RequestTimeout");
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    #[tokio::test]
    async fn an_error_with_a_body_and_a_success_are_left_alone() {
        let amazon = ApiError::new(Reason::AmountMismatch, "x").into_response();
        let kept = with_error_body(amazon);
        let body = axum::body::to_bytes(kept.into_body(), 1024).await.unwrap();
        assert!(body.starts_with(b"{\"reasonCode\":\"AmountMismatch\""));
        let no_content = with_error_body(StatusCode::NO_CONTENT.into_response());
        assert_eq!(no_content.status(), StatusCode::NO_CONTENT);
    }
}
