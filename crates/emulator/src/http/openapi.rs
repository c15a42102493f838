//! `GET /__openapi.json`: the OpenAPI description of the API as emulated (`docs/openapi.json`,
//! embedded at build time so the binary serves the document it was built with).

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

/// The committed document; `assets/openapi.json` is a link to `docs/openapi.json`, so there is
/// one file to edit and the published crate still carries its own copy.
const DOCUMENT: &str = include_str!("../../assets/openapi.json");

/// The route of the document.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/__openapi.json", get(document))
}

async fn document() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        DOCUMENT,
    )
        .into_response()
}
