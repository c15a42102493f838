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
            ApiError::Amazon { .. } => {}
        }
        response
    }
}

/// Middleware: logs every 5xx once, with its cause chain.
pub(crate) async fn log_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    if let Some(LoggedError(e)) = response.extensions().get::<LoggedError>() {
        tracing::error!(error.cause_chain = ?e, error.message = %e, "request failed");
    }
    response
}
