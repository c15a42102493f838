//! The HTTP surface: [`app`] builds the whole router (Amazon's API, the admin API, the hosted
//! payment page, the OpenAPI document) with its middleware. Each resource module exposes `router()`.

pub mod error;

pub(crate) mod admin;
mod checkout_sessions;
mod dashboard;
pub(crate) mod extract;
pub(crate) mod faults;
mod hosted;
mod journal;
pub(crate) mod notifications;
mod objects;
mod openapi;
mod trackers_buyers;

use std::time::Duration;

use amzpay_emulator_store::StoredResponse;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::http::error::{ApiError, Reason};
use crate::service::Written;
use crate::state::AppState;

/// A stored answer (status and JSON body) as an HTTP response.
pub(crate) fn respond(r: StoredResponse) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], r.body).into_response()
}

/// A 200 with a JSON body (the answer of a read).
pub(crate) fn ok(body: Vec<u8>) -> Response {
    respond(StoredResponse { status: 200, body })
}

/// A write's answer; an idempotent replay is marked with `x-amzpay-emulator-replayed: true`.
pub(crate) fn reply(w: Written) -> Response {
    let mut response = respond(w.answer);
    if w.replayed {
        response.headers_mut().insert(
            "x-amzpay-emulator-replayed",
            HeaderValue::from_static("true"),
        );
    }
    response
}

pub use faults::FAULT_HEADER;

/// The response header carrying the request id.
pub const REQUEST_ID: &str = "x-amz-pay-request-id";

/// The emulator as one router: every route, path normalization, request ids, tracing, timeouts.
pub fn app(state: AppState) -> Router {
    let journal = axum::middleware::from_fn_with_state(state.clone(), journal::record);
    let routes = Router::new()
        .merge(checkout_sessions::router())
        .merge(objects::router())
        .merge(trackers_buyers::router())
        .merge(hosted::router())
        .merge(openapi::router())
        .merge(notifications::public_routes())
        .merge(admin::router(state.clone()))
        .merge(dashboard::router(state.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    let request_id = HeaderName::from_static(REQUEST_ID);
    // Path normalization must run before routing, so it wraps the router as a service.
    let normalized = ServiceBuilder::new()
        .map_request(extract::normalize_path)
        .service(routes);
    Router::new().fallback_service(normalized).layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
                    let id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
                }),
            )
            .layer(PropagateRequestIdLayer::new(request_id))
            .layer(axum::middleware::from_fn(error::log_errors))
            .layer(TimeoutLayer::with_status_code(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs(30),
            ))
            .layer(axum::middleware::from_fn(faults::carry_out))
            .layer(journal),
    )
    .layer(axum::middleware::map_response(no_sniffing))
}

/// Every answer carries `X-Content-Type-Options: nosniff`: a browser must not run a JSON body or
/// an error text as script or HTML whatever it looks like.
async fn no_sniffing(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn not_found() -> Response {
    ApiError::new(
        Reason::ResourceNotFound,
        "The requested resource was not found.",
    )
    .into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        Reason::RequestNotSupported,
        "The HTTP method is not supported for this resource.",
    )
    .into_response()
}
