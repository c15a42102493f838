//! Charge Permission, Charge and Refund APIs (spec §1.4 #6 to #12, #14, #15): everything a
//! merchant does after Complete.
//!
//! A Charge Permission made by Complete lives in its checkout's aggregate together with its
//! charges and refunds, so every operation here loads that one aggregate through the id index:
//! Create Charge by the `chargePermissionId` of its body, Create Refund by the `chargeId`.

use amzpay_emulator_core::checkout::{Checkout, Command, Effect};
use amzpay_emulator_core::ids::{ChargeId, RefundId};
use amzpay_emulator_core::{ObjectKind, Operation, Simulation, Timestamp};
use amzpay_emulator_store::{IdempotencyRequest, StoredResponse, Target};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};

use crate::convert::{self, charge_view, permission_view, refund_view, to_json};
use crate::http::error::ApiError;
use crate::http::extract::Signed;
use crate::service::{self, Answer, apply_simulated};
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

fn ok(body: Vec<u8>) -> Response {
    service::respond(StoredResponse { status: 200, body })
}

/// How a successful command is answered, from the new aggregate and the effects.
type Render = Box<dyn FnOnce(&Checkout, &[Effect]) -> Result<Answer, ApiError> + Send>;

/// One write on the aggregate holding object `id` of `kind`: the command with its simulation
/// code, then `render` (or the decline's error answer, with the decline's state change kept).
struct Write {
    kind: ObjectKind,
    id: String,
    what: &'static str,
    idempotency: Option<IdempotencyRequest>,
    simulation: Option<Simulation>,
    command: Command,
    render: Render,
}

async fn write(state: &AppState, signed: Signed, w: Write) -> Result<Response, ApiError> {
    let now: Timestamp = signed.now;
    let target = Target::Existing {
        kind: w.kind,
        id: w.id.clone(),
    };
    let Write {
        id,
        what,
        simulation,
        command,
        render,
        idempotency,
        ..
    } = w;
    service::mutate(state, signed.tenant, target, idempotency, move |loaded| {
        let (c, effects, refusal) = apply_simulated(loaded, command, simulation, now, what, &id)?;
        if let Some(answer) = refusal {
            return Ok((c, answer));
        }
        let answer = render(&c, &effects)?;
        Ok((c, answer))
    })
    .await
}

fn charge_answer(status: StatusCode, id: ChargeId) -> Render {
    Box::new(move |c, _| {
        let charge = c
            .charge(&id)
            .ok_or_else(|| ApiError::not_found(CHARGE, id.as_str()))?;
        Ok(Answer::json(status, to_json(&charge_view(c, charge))))
    })
}

fn permission_answer(id: String, now: Timestamp) -> Render {
    Box::new(move |c, _| {
        let view = permission_view(c, now).ok_or_else(|| ApiError::not_found(PERMISSION, &id))?;
        Ok(Answer::json(StatusCode::OK, to_json(&view)))
    })
}

async fn get_charge_permission(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let pid = convert::permission_id(&id, PERMISSION)?;
    let view = service::read(
        &state,
        &signed.tenant,
        ObjectKind::ChargePermission,
        pid.as_str(),
        signed.now,
    )
    .await?
    .and_then(|c| permission_view(&c, signed.now))
    .ok_or_else(|| ApiError::not_found(PERMISSION, &id))?;
    Ok(ok(to_json(&view)))
}

async fn update_charge_permission(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let simulation = signed.simulation(None)?;
    let pid = convert::permission_id(&id, PERMISSION)?;
    let update = convert::permission_update(signed.json(false)?)?;
    let now = signed.now;
    let w = Write {
        kind: ObjectKind::ChargePermission,
        id: pid.to_string(),
        what: PERMISSION,
        idempotency: None,
        simulation,
        command: Command::UpdatePermission(update),
        render: permission_answer(id, now),
    };
    write(&state, signed, w).await
}

async fn close_charge_permission(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let simulation = signed.simulation(Some(Operation::CloseChargePermission))?;
    let pid = convert::permission_id(&id, PERMISSION)?;
    let request = convert::close(signed.json(false)?)?;
    let now = signed.now;
    let w = Write {
        kind: ObjectKind::ChargePermission,
        id: pid.to_string(),
        what: PERMISSION,
        idempotency: None,
        simulation,
        command: Command::ClosePermission(request),
        render: permission_answer(id, now),
    };
    write(&state, signed, w).await
}

async fn create_charge(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let simulation = signed.simulation(Some(Operation::CreateCharge))?;
    let idempotency = signed.idempotency(true)?;
    let (permission, charge) = convert::new_charge(signed.json(false)?)?;
    let pid = convert::permission_id(&permission, PERMISSION)?;
    let w = Write {
        kind: ObjectKind::ChargePermission,
        id: pid.to_string(),
        what: PERMISSION,
        idempotency,
        simulation,
        command: Command::CreateCharge(charge),
        render: Box::new(|c, effects| {
            let id = effects
                .iter()
                .find_map(|e| match e {
                    Effect::ChargeCreated(id) => Some(id.clone()),
                    _ => None,
                })
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no charge was created")))?;
            charge_answer(StatusCode::CREATED, id)(c, effects)
        }),
    };
    write(&state, signed, w).await
}

async fn get_charge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let cid = convert::charge_id(&id, CHARGE)?;
    let c = service::read(
        &state,
        &signed.tenant,
        ObjectKind::Charge,
        cid.as_str(),
        signed.now,
    )
    .await?
    .ok_or_else(|| ApiError::not_found(CHARGE, &id))?;
    let charge = c
        .charge(&cid)
        .ok_or_else(|| ApiError::not_found(CHARGE, &id))?;
    Ok(ok(to_json(&charge_view(&c, charge))))
}

async fn capture_charge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let simulation = signed.simulation(Some(Operation::CaptureCharge))?;
    let idempotency = signed.idempotency(true)?;
    let cid = convert::charge_id(&id, CHARGE)?;
    let request = convert::capture(signed.json(false)?)?;
    let w = Write {
        kind: ObjectKind::Charge,
        id: cid.to_string(),
        what: CHARGE,
        idempotency,
        simulation,
        command: Command::CaptureCharge {
            charge_id: cid.clone(),
            request,
        },
        render: charge_answer(StatusCode::OK, cid),
    };
    write(&state, signed, w).await
}

async fn cancel_charge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let simulation = signed.simulation(None)?;
    let cid = convert::charge_id(&id, CHARGE)?;
    let request: amzpay_types::CancelChargeRequest = signed.json(false)?;
    let w = Write {
        kind: ObjectKind::Charge,
        id: cid.to_string(),
        what: CHARGE,
        idempotency: None,
        simulation,
        command: Command::CancelCharge {
            charge_id: cid.clone(),
            reason: request.cancellation_reason,
        },
        render: charge_answer(StatusCode::OK, cid),
    };
    write(&state, signed, w).await
}

async fn create_refund(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let simulation = signed.simulation(Some(Operation::CreateRefund))?;
    let idempotency = signed.idempotency(true)?;
    let (charge, refund) = convert::new_refund(signed.json(false)?)?;
    let cid = convert::charge_id(&charge, CHARGE)?;
    let w = Write {
        kind: ObjectKind::Charge,
        id: cid.to_string(),
        what: CHARGE,
        idempotency,
        simulation,
        command: Command::CreateRefund {
            charge_id: cid,
            refund,
        },
        render: Box::new(|c, effects| {
            let id = effects
                .iter()
                .find_map(|e| match e {
                    Effect::RefundCreated(id) => Some(id.clone()),
                    _ => None,
                })
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no refund was created")))?;
            let refund = c
                .refund(&id)
                .ok_or_else(|| ApiError::not_found(REFUND, id.as_str()))?;
            Ok(Answer::json(
                StatusCode::CREATED,
                to_json(&refund_view(c, refund)),
            ))
        }),
    };
    write(&state, signed, w).await
}

async fn get_refund(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let rid = RefundId::parse(&id).ok_or_else(|| ApiError::not_found(REFUND, &id))?;
    let c = service::read(
        &state,
        &signed.tenant,
        ObjectKind::Refund,
        rid.as_str(),
        signed.now,
    )
    .await?
    .ok_or_else(|| ApiError::not_found(REFUND, &id))?;
    let refund = c
        .refund(&rid)
        .ok_or_else(|| ApiError::not_found(REFUND, &id))?;
    Ok(ok(to_json(&refund_view(&c, refund))))
}
