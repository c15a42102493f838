//! After Complete: Charge Permission, Charge and Refund operations (spec §1.4 #6 to #12, #14,
//! #15).
//!
//! A Charge Permission made by Complete lives in its checkout's aggregate together with its
//! charges and refunds, so every operation here loads that one aggregate through the id index:
//! Create Charge by the `chargePermissionId` of its body, Create Refund by the `chargeId`.

use amzpay_emulator_core::checkout::{Checkout, Command, Effect};
use amzpay_emulator_core::ids::{ChargeId, ChargePermissionId, RefundId};
use amzpay_emulator_core::input::{NewCharge, NewRefund};
use amzpay_emulator_core::{Simulation, Timestamp};
use amzpay_emulator_store::{IdempotencyRequest, ObjectRef, Target, Tenant};

use crate::convert::{charge_view, permission_view, refund_view, to_json};
use crate::error::ApiError;
use crate::service::auth::Caller;
use crate::service::write::{Answer, Written, apply_simulated, execute, read};
use crate::state::AppState;

const PERMISSION: &str = "Charge Permission";
const CHARGE: &str = "Charge";
const REFUND: &str = "Refund";

/// Who writes, when, with which key and simulation code.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) tenant: Tenant,
    pub(crate) now: Timestamp,
    pub(crate) idempotency: Option<IdempotencyRequest>,
    pub(crate) simulation: Option<Simulation>,
}

/// How a successful command is answered, from the new aggregate and the effects.
type Render = Box<dyn FnOnce(&Checkout, &[Effect]) -> Result<Answer, ApiError> + Send>;

/// One write on the aggregate holding `object`: the command with its simulation code, then
/// `render` (or the decline's error answer, with the decline's state change kept).
async fn write(
    state: &AppState,
    call: Call,
    (object, what): (ObjectRef, &'static str),
    command: Command,
    render: Render,
) -> Result<Written, ApiError> {
    let Call {
        tenant,
        now,
        idempotency,
        simulation,
    } = call;
    let id = object.id().to_owned();
    let target = Target::Existing(object);
    execute(state, tenant, target, idempotency, move |loaded| {
        let (c, effects, refusal) = apply_simulated(loaded, command, simulation, now, what, &id)?;
        if let Some(answer) = refusal {
            return Ok((c, answer));
        }
        let answer = render(&c, &effects)?;
        Ok((c, answer))
    })
    .await
}

/// The id of the object a create made, from its effects (its absence is a bug: a 500).
fn created<T>(
    effects: &[Effect],
    what: &str,
    pick: impl Fn(&Effect) -> Option<T>,
) -> Result<T, ApiError> {
    effects
        .iter()
        .find_map(pick)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no {what} was created")))
}

fn charge_answer(created: bool, id: ChargeId) -> Render {
    Box::new(move |c, _| {
        let charge = c
            .charge(&id)
            .ok_or_else(|| ApiError::not_found(CHARGE, id.as_str()))?;
        let body = to_json(&charge_view(c, charge));
        Ok(if created {
            Answer::created(body)
        } else {
            Answer::ok(body)
        })
    })
}

fn permission_answer(id: String, now: Timestamp) -> Render {
    Box::new(move |c, _| {
        let view = permission_view(c, now).ok_or_else(|| ApiError::not_found(PERMISSION, &id))?;
        Ok(Answer::ok(to_json(&view)))
    })
}

fn permission(id: &ChargePermissionId) -> (ObjectRef, &'static str) {
    (ObjectRef::ChargePermission(id.clone()), PERMISSION)
}

fn charge(id: &ChargeId) -> (ObjectRef, &'static str) {
    (ObjectRef::Charge(id.clone()), CHARGE)
}

/// Get Charge Permission: the permission's JSON.
pub(crate) async fn get_charge_permission(
    state: &AppState,
    caller: &Caller,
    id: &ChargePermissionId,
) -> Result<Vec<u8>, ApiError> {
    let now = caller.now;
    let view = read(
        state,
        &caller.tenant,
        &ObjectRef::ChargePermission(id.clone()),
        now,
    )
    .await?
    .and_then(|c| permission_view(&c, now))
    .ok_or_else(|| ApiError::not_found(PERMISSION, id.as_str()))?;
    Ok(to_json(&view))
}

/// Update or Close Charge Permission: a command on the permission, answered with it.
pub(crate) async fn on_permission(
    state: &AppState,
    call: Call,
    id: &ChargePermissionId,
    command: Command,
) -> Result<Written, ApiError> {
    let render = permission_answer(id.to_string(), call.now);
    write(state, call, permission(id), command, render).await
}

/// Create Charge on a permission.
pub(crate) async fn create_charge(
    state: &AppState,
    call: Call,
    permission_id: &ChargePermissionId,
    request: NewCharge,
) -> Result<Written, ApiError> {
    let render: Render = Box::new(|c, effects| {
        let id = created(effects, "charge", |e| match e {
            Effect::ChargeCreated(id) => Some(id.clone()),
            _ => None,
        })?;
        charge_answer(true, id)(c, effects)
    });
    let target = permission(permission_id);
    write(state, call, target, Command::CreateCharge(request), render).await
}

/// Get Charge: the charge's JSON.
pub(crate) async fn get_charge(
    state: &AppState,
    caller: &Caller,
    id: &ChargeId,
) -> Result<Vec<u8>, ApiError> {
    let c = read(
        state,
        &caller.tenant,
        &ObjectRef::Charge(id.clone()),
        caller.now,
    )
    .await?
    .ok_or_else(|| ApiError::not_found(CHARGE, id.as_str()))?;
    let charge = c
        .charge(id)
        .ok_or_else(|| ApiError::not_found(CHARGE, id.as_str()))?;
    Ok(to_json(&charge_view(&c, charge)))
}

/// Capture or Cancel Charge: a command on the charge, answered with it.
pub(crate) async fn on_charge(
    state: &AppState,
    call: Call,
    id: &ChargeId,
    command: Command,
) -> Result<Written, ApiError> {
    let render = charge_answer(false, id.clone());
    write(state, call, charge(id), command, render).await
}

/// Create Refund on a charge.
pub(crate) async fn create_refund(
    state: &AppState,
    call: Call,
    charge_id: &ChargeId,
    refund: NewRefund,
) -> Result<Written, ApiError> {
    let render: Render = Box::new(|c, effects| {
        let id = created(effects, "refund", |e| match e {
            Effect::RefundCreated(id) => Some(id.clone()),
            _ => None,
        })?;
        let refund = c
            .refund(&id)
            .ok_or_else(|| ApiError::not_found(REFUND, id.as_str()))?;
        Ok(Answer::created(to_json(&refund_view(c, refund))))
    });
    let command = Command::CreateRefund {
        charge_id: charge_id.clone(),
        refund,
    };
    write(state, call, charge(charge_id), command, render).await
}

/// Get Refund: the refund's JSON.
pub(crate) async fn get_refund(
    state: &AppState,
    caller: &Caller,
    id: &RefundId,
) -> Result<Vec<u8>, ApiError> {
    let c = read(
        state,
        &caller.tenant,
        &ObjectRef::Refund(id.clone()),
        caller.now,
    )
    .await?
    .ok_or_else(|| ApiError::not_found(REFUND, id.as_str()))?;
    let refund = c
        .refund(id)
        .ok_or_else(|| ApiError::not_found(REFUND, id.as_str()))?;
    Ok(to_json(&refund_view(&c, refund)))
}
