//! The hosted page behind `amazonPayRedirectUrl`: visiting it runs the payment step and
//! redirects to the merchant's result URL, exactly like the admin API's `pay` action.

use amzpay_emulator_core::checkout::Command;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::admin_api::BuyerActionResult;
use crate::http::admin::buyer_action;
use crate::http::error::{ApiError, Reason};
use crate::service;
use crate::state::AppState;

/// The hosted routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/checkout/processing", get(processing))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Processing {
    amazon_checkout_session_id: Option<String>,
}

async fn processing(
    State(state): State<AppState>,
    Query(q): Query<Processing>,
) -> Result<Response, ApiError> {
    let id = q.amazon_checkout_session_id.ok_or_else(|| {
        ApiError::new(
            Reason::MissingParameterValue,
            "Value is missing for the required parameter amazonCheckoutSessionId.",
        )
    })?;
    let stored = buyer_action(&state, &id, Command::RunPaymentStep).await?;
    if stored.status != 200 {
        return Ok(service::respond(stored));
    }
    let result: BuyerActionResult =
        serde_json::from_slice(&stored.body).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, result.redirect_url)],
    )
        .into_response())
}
