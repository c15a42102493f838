//! Get Charge Permission and Get Charge (their full lifecycles come with the next issue).

use amzpay_emulator_core::ObjectKind;
use amzpay_emulator_core::ids::{ChargeId, ChargePermissionId};
use amzpay_emulator_store::StoredResponse;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

use crate::convert::{charge_view, permission_view, to_json};
use crate::http::error::ApiError;
use crate::http::extract::Signed;
use crate::service;
use crate::state::AppState;

/// The routes of this resource.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/chargePermissions/{id}", get(get_charge_permission))
        .route("/v2/charges/{id}", get(get_charge))
}

fn ok(body: Vec<u8>) -> Response {
    service::respond(StoredResponse { status: 200, body })
}

async fn get_charge_permission(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    const WHAT: &str = "Charge Permission";
    let pid = ChargePermissionId::parse(&id).ok_or_else(|| ApiError::not_found(WHAT, &id))?;
    let view = service::read(
        &state,
        &signed.tenant,
        ObjectKind::ChargePermission,
        pid.as_str(),
        signed.now,
    )
    .await?
    .and_then(|c| permission_view(&c, signed.now))
    .ok_or_else(|| ApiError::not_found(WHAT, &id))?;
    Ok(ok(to_json(&view)))
}

async fn get_charge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    const WHAT: &str = "Charge";
    let cid = ChargeId::parse(&id).ok_or_else(|| ApiError::not_found(WHAT, &id))?;
    let c = service::read(
        &state,
        &signed.tenant,
        ObjectKind::Charge,
        cid.as_str(),
        signed.now,
    )
    .await?
    .ok_or_else(|| ApiError::not_found(WHAT, &id))?;
    let charge = c
        .charges
        .iter()
        .find(|ch| ch.id == cid)
        .ok_or_else(|| ApiError::not_found(WHAT, &id))?;
    Ok(ok(to_json(&charge_view(&c, charge))))
}
