//! Create Delivery Tracker (spec §2.19) and Get Buyer (spec §2.18): parse, call
//! `service::trackers`, answer.

use amzpay_emulator_core::ids::ChargePermissionId;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use crate::convert;
use crate::http::error::ApiError;
use crate::http::extract::Signed;
use crate::http::{ok, reply};
use crate::service::trackers::{self, bad_permission};
use crate::state::AppState;

/// The routes of these resources.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/deliveryTrackers", post(create_tracker))
        .route("/v2/buyers/{token}", get(get_buyer))
}

async fn create_tracker(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let idempotency = signed.idempotency(false)?;
    let (permission, field, shipments) = convert::delivery_tracker(signed.json(false)?)?;
    let pid = ChargePermissionId::parse(&permission).ok_or_else(|| bad_permission(field))?;
    trackers::create_tracker(&state, &signed.caller, idempotency, pid, field, shipments)
        .await
        .map(reply)
}

async fn get_buyer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let secret = &state.settings().secret;
    Ok(ok(trackers::get_buyer(secret, &signed.caller, &token)?))
}
