//! After Complete: Charge Permission, Charge and Refund operations (spec §1.4 #6 to #12, #14,
//! #15).
//!
//! A Charge Permission made by Complete lives in its checkout's aggregate together with its
//! charges and refunds, so every operation here loads that one aggregate through the id index:
//! Create Charge by the `chargePermissionId` of its body, Create Refund by the `chargeId`.

use amzpay_emulator_core::Timestamp;
use amzpay_emulator_core::checkout::{Command, Effect};
use amzpay_emulator_core::ids::{ChargeId, ChargePermissionId, RefundId};
use amzpay_emulator_core::input::{NewCharge, NewRefund};
use amzpay_emulator_store::ObjectRef;

use crate::convert::{charge_view, permission_view, refund_view, to_json};
use crate::error::ApiError;
use crate::service::auth::Caller;
use crate::service::write::{Answer, Call, Render, Written, read, run_command};
use crate::state::AppState;

const PERMISSION: &str = "Charge Permission";
const CHARGE: &str = "Charge";
const REFUND: &str = "Refund";

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
    run_command(state, call, permission(id), command, render).await
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
    run_command(state, call, target, Command::CreateCharge(request), render).await
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
    run_command(state, call, charge(id), command, render).await
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
    run_command(state, call, charge(charge_id), command, render).await
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
