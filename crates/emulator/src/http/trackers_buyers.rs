//! Create Delivery Tracker (spec §2.19) and Get Buyer (spec §2.18).
//!
//! A tracking number is accepted once per merchant: the tracker is stored in the permission's
//! checkout aggregate and its number is indexed as `{merchantId}/{TRACKING NUMBER}` (compared
//! without regard to case), so the unique id index refuses a second use from any checkout of the
//! same merchant, even two racing requests. Every refusal is 400 `InvalidParameterValue`, the
//! code Amazon documents for a bad `chargePermissionId`, `trackingNumber` or `carrierCode`;
//! an unknown or another merchant's `chargePermissionId` is refused the same way, so existence
//! is not revealed.

use amzpay_emulator_core::ObjectKind;
use amzpay_emulator_core::checkout::{Command, tracking_key};
use amzpay_emulator_core::ids::ChargePermissionId;
use amzpay_emulator_store::{StoreError, StoredResponse, Target};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use crate::buyer_token;
use crate::convert::{self, to_json, tracker_view};
use crate::http::error::{ApiError, Reason};
use crate::http::extract::Signed;
use crate::service::{self, Answer, apply_simulated};
use crate::state::AppState;

/// The routes of these resources.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/deliveryTrackers", post(create_tracker))
        .route("/v2/buyers/{token}", get(get_buyer))
}

fn bad_permission() -> ApiError {
    ApiError::new(
        Reason::InvalidParameterValue,
        "The value provided for chargePermissionId is invalid: there is no such Charge Permission.",
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

async fn create_tracker(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let idempotency = signed.idempotency(false)?;
    let (permission, shipments) = convert::delivery_tracker(signed.json(false)?)?;
    let pid = ChargePermissionId::parse(&permission).ok_or_else(bad_permission)?;
    // Numbers already used in another checkout of this merchant (the index also catches races).
    for s in &shipments {
        let key = tracking_key(&signed.tenant.merchant_id, &s.tracking_number);
        if state
            .store()
            .checkout(&signed.tenant, ObjectKind::DeliveryTracker, &key)
            .await?
            .is_some()
        {
            return Err(used(&s.tracking_number));
        }
    }
    let now = signed.now;
    let numbers: Vec<String> = shipments
        .iter()
        .map(|s| s.tracking_number.clone())
        .collect();
    let result = service::mutate(
        &state,
        signed.tenant,
        Target::Existing {
            kind: ObjectKind::ChargePermission,
            id: pid.to_string(),
        },
        idempotency,
        move |loaded| {
            let body = to_json(&tracker_view(&pid, &shipments));
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
                } => bad_permission(),
                other => other,
            })?;
            Ok((c, Answer::json(StatusCode::OK, body)))
        },
    )
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

async fn get_buyer(
    State(_state): State<AppState>,
    Path(token): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let buyer = buyer_token::open(&token, &signed.merchant, signed.tenant.environment).ok_or_else(
        || {
            ApiError::new(
                Reason::ResourceNotFound,
                "The buyer token is unknown, expired, or was issued to another merchant.",
            )
        },
    )?;
    Ok(service::respond(StoredResponse {
        status: 200,
        body: to_json(&buyer),
    }))
}
