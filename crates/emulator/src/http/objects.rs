//! Charge Permission, Charge and Refund APIs (spec §1.4 #6 to #12, #14, #15): parse the
//! request, call `service::payments`, answer.

use amzpay_emulator_core::Operation;
use amzpay_emulator_core::checkout::Command;
use amzpay_emulator_core::ids::RefundId;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, post};

use crate::convert;
use crate::http::error::ApiError;
use crate::http::extract::Signed;
use crate::http::{ok, reply};
use crate::service::payments;
use crate::service::write::Call;
use crate::state::AppState;

const PERMISSION: &str = "Charge Permission";
const CHARGE: &str = "Charge";
const REFUND: &str = "Refund";

/// The routes of these resources.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v2/chargePermissions/{id}",
            get(get_charge_permission).patch(update_charge_permission),
        )
        .route(
            "/v2/chargePermissions/{id}/close",
            delete(close_charge_permission),
        )
        .route("/v2/charges", post(create_charge))
        .route("/v2/charges/{id}", get(get_charge))
        .route("/v2/charges/{id}/capture", post(capture_charge))
        .route("/v2/charges/{id}/cancel", delete(cancel_charge))
        .route("/v2/refunds", post(create_refund))
        .route("/v2/refunds/{id}", get(get_refund))
}

/// The write context of a signed request: its tenant, virtual now, key and simulation code
/// for `operation` (checked here, before the body is read).
fn call(
    signed: &Signed,
    operation: Option<Operation>,
    key_required: Option<bool>,
) -> Result<Call, ApiError> {
    let simulation = signed.simulation(operation)?;
    let idempotency = match key_required {
        Some(required) => signed.idempotency(required)?,
        None => None,
    };
    Ok(Call {
        tenant: signed.caller.tenant.clone(),
        now: signed.caller.now,
        idempotency,
        simulation,
    })
}

async fn get_charge_permission(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let pid = convert::permission_id(&id, PERMISSION)?;
    let body = payments::get_charge_permission(&state, &signed.caller, &pid).await?;
    Ok(ok(body))
}

async fn update_charge_permission(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let call = call(&signed, None, None)?;
    let pid = convert::permission_id(&id, PERMISSION)?;
    let update = convert::permission_update(signed.json(false)?)?;
    payments::on_permission(&state, call, &pid, Command::UpdatePermission(update))
        .await
        .map(reply)
}

async fn close_charge_permission(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let call = call(&signed, Some(Operation::CloseChargePermission), None)?;
    let pid = convert::permission_id(&id, PERMISSION)?;
    let request = convert::close(signed.json(false)?)?;
    payments::on_permission(&state, call, &pid, Command::ClosePermission(request))
        .await
        .map(reply)
}

async fn create_charge(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let call = call(&signed, Some(Operation::CreateCharge), Some(true))?;
    let (permission, charge) = convert::new_charge(signed.json(false)?)?;
    let pid = convert::permission_id(&permission, PERMISSION)?;
    payments::create_charge(&state, call, &pid, charge)
        .await
        .map(reply)
}

async fn get_charge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let cid = convert::charge_id(&id, CHARGE)?;
    Ok(ok(payments::get_charge(&state, &signed.caller, &cid).await?))
}

async fn capture_charge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let call = call(&signed, Some(Operation::CaptureCharge), Some(true))?;
    let cid = convert::charge_id(&id, CHARGE)?;
    let request = convert::capture(signed.json(false)?)?;
    let command = Command::CaptureCharge {
        charge_id: cid.clone(),
        request,
    };
    payments::on_charge(&state, call, &cid, command)
        .await
        .map(reply)
}

async fn cancel_charge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let call = call(&signed, None, None)?;
    let cid = convert::charge_id(&id, CHARGE)?;
    let request: amzpay_types::CancelChargeRequest = signed.json(false)?;
    let command = Command::CancelCharge {
        charge_id: cid.clone(),
        reason: request.cancellation_reason,
    };
    payments::on_charge(&state, call, &cid, command)
        .await
        .map(reply)
}

async fn create_refund(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let call = call(&signed, Some(Operation::CreateRefund), Some(true))?;
    let (charge, refund) = convert::new_refund(signed.json(false)?)?;
    let cid = convert::charge_id(&charge, CHARGE)?;
    payments::create_refund(&state, call, &cid, refund)
        .await
        .map(reply)
}

async fn get_refund(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let rid = RefundId::parse(&id).ok_or_else(|| ApiError::not_found(REFUND, &id))?;
    Ok(ok(payments::get_refund(&state, &signed.caller, &rid).await?))
}
