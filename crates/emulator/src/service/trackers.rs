//! Create Delivery Tracker (spec §2.19) and Get Buyer (spec §2.18).
//!
//! A tracking number is accepted once per merchant: the tracker is stored in the permission's
//! checkout aggregate and its number is indexed as `{merchantId}/{TRACKING NUMBER}` (compared
//! without regard to case), so the unique id index refuses a second use from any checkout of the
//! same merchant, even two racing requests. Every refusal is 400 `InvalidParameterValue`, the
//! code Amazon documents for a bad `chargePermissionId`, `trackingNumber` or `carrierCode`
//! (developer.amazon.com/ja/docs/amazon-pay-api-v2/delivery-tracker.html, error codes);
//! an unknown or another merchant's `chargePermissionId` is refused the same way, so existence
//! is not revealed. `amazonOrderReferenceId` names the permission with that id.

use amzpay_emulator_core::checkout::Command;
use amzpay_emulator_core::ids::ChargePermissionId;
use amzpay_emulator_core::input::Shipment;
use amzpay_emulator_store::{IdempotencyRequest, ObjectRef, StoreError, Target, TrackingKey};

use crate::buyer_token;
use crate::convert::{OrderField, to_json, tracker_view};
use crate::error::{ApiError, Reason};
use crate::secret::Secret;
use crate::service::auth::Caller;
use crate::service::write::{Answer, Written, apply_simulated, execute};
use crate::state::AppState;

/// 400 for a `chargePermissionId` (or `amazonOrderReferenceId`) that is malformed, unknown or
/// another merchant's.
pub(crate) fn bad_permission(field: OrderField) -> ApiError {
    ApiError::new(
        Reason::InvalidParameterValue,
        format!(
            "The value provided for {} is invalid: there is no such order.",
            field.name()
        ),
    )
}

fn used(number: &str) -> ApiError {
    ApiError::new(
        Reason::InvalidParameterValue,
        format!(
            "The value provided for trackingNumber is invalid: {number} was already used; a tracking number is accepted once."
        ),
    )
}

/// Create Delivery Tracker: records `shipments` on the permission's checkout.
pub(crate) async fn create_tracker(
    state: &AppState,
    caller: &Caller,
    idempotency: Option<IdempotencyRequest>,
    pid: ChargePermissionId,
    field: OrderField,
    shipments: Vec<Shipment>,
) -> Result<Written, ApiError> {
    let (tenant, now) = (caller.tenant.clone(), caller.now);
    // Numbers already used in another checkout of this merchant (the index also catches races).
    for s in &shipments {
        let key = TrackingKey::new(&tenant.merchant_id, &s.tracking_number);
        if state
            .store()
            .checkout(&tenant, &ObjectRef::DeliveryTracker(key))
            .await?
            .is_some()
        {
            return Err(used(&s.tracking_number));
        }
    }
    let numbers: Vec<String> = shipments
        .iter()
        .map(|s| s.tracking_number.clone())
        .collect();
    let target = Target::Existing(ObjectRef::ChargePermission(pid.clone()));
    let result = execute(state, tenant, target, idempotency, move |loaded| {
        let body = to_json(&tracker_view(&pid, field, &shipments));
        let (c, _, _) = apply_simulated(
            loaded,
            Command::TrackDelivery(shipments),
            None,
            now,
            "Charge Permission",
            pid.as_str(),
        )
        .map_err(|e| match e {
            ApiError::Amazon {
                reason: Reason::ResourceNotFound,
                ..
            } => bad_permission(field),
            other => other,
        })?;
        Ok((c, Answer::ok(body)))
    })
    .await;
    match result {
        Err(ApiError::Internal(e))
            if matches!(
                e.downcast_ref::<StoreError>(),
                Some(StoreError::Conflict(_))
            ) =>
        {
            Err(used(&numbers.join(", ")))
        }
        other => other,
    }
}

/// Get Buyer: the buyer behind a token issued to this merchant in this environment, as JSON.
pub(crate) fn get_buyer(
    secret: &Secret,
    caller: &Caller,
    token: &str,
) -> Result<Vec<u8>, ApiError> {
    let environment = caller.tenant.environment;
    let buyer = buyer_token::open(secret, token, &caller.merchant, environment, caller.now)
        .ok_or_else(|| {
            ApiError::new(
                Reason::ResourceNotFound,
                "The buyer token is unknown, expired, or was issued to another merchant.",
            )
        })?;
    Ok(to_json(&buyer))
}
