//! `POST /ipn`: Amazon Pay's Instant Payment Notifications, acted on as the back office's
//! "Refresh from Amazon Pay" would be, without anyone pressing it.
//!
//! 1. The body is verified with the SDK's [`Verifier`](amzpay::notifications::Verifier): the
//!    Amazon SNS signature, with the certificate downloaded from an Amazon SNS host or from the
//!    emulator's host with its CA (see `startup::notification_verifier`). A notification that
//!    fails is answered 400, logged, and changes nothing; one whose certificate could not be
//!    downloaded is answered 503 so that it comes again.
//! 2. A `NotificationId` the shop has acted on before is answered 200 and ignored: Amazon SNS
//!    delivers at least once.
//! 3. The order is found by its charge permission id; a notification for an order this shop
//!    does not have (another shop on the same merchant account, or one that arrives before the
//!    checkout is stored) is answered 200 with a log line: there is nothing to do.
//! 4. The object named is read (Get Charge, Get Refund or Get Charge Permission: a notification
//!    carries no state) and stored in the order by the same functions as the refresh button.
//! 5. The notification id and a history line ("Amazon Pay notified: CHARGE S01-… STATE_CHANGE;
//!    charge is now Authorized.") are written in one transaction, then the answer is 200. When
//!    Amazon Pay cannot be read the answer is 503 and nothing is recorded, so the redelivery
//!    does the work.

use amzpay::notifications::{Notification, ObjectType};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;

use crate::AppState;
use crate::admin::{Synced, sync_charge, sync_refund};
use crate::db::{IpnRecord, Order};

/// The notification route.
pub fn router() -> Router<AppState> {
    Router::new().route("/ipn", post(receive))
}

async fn receive(State(state): State<AppState>, body: String) -> StatusCode {
    let verified = match state.verifier().verify(&body).await {
        Ok(verified) => verified,
        Err(e) if e.is_transient() => {
            tracing::warn!(error = %e, "cannot verify a notification yet");
            return StatusCode::SERVICE_UNAVAILABLE;
        }
        Err(e) => {
            tracing::warn!(kind = %e.kind(), error = %e, "refused a notification");
            return StatusCode::BAD_REQUEST;
        }
    };
    match act_on(&state, &verified.notification).await {
        Ok(status) => status,
        Err(e) => {
            tracing::error!(error.cause_chain = ?e, error.message = %e, "acting on a notification failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// What reading the object named by a notification found.
enum Read {
    /// The order was updated; the text ends the history line.
    Updated(String),
    /// Amazon Pay could not be read.
    Failed(amzpay::Error),
}

async fn act_on(state: &AppState, n: &Notification) -> anyhow::Result<StatusCode> {
    let id = n.notification_id.as_str();
    if state.db().notification_seen(id).await? {
        tracing::info!(notification_id = %id, "a notification acted on before: ignored");
        return Ok(StatusCode::OK);
    }
    let Some(permission) = n.charge_permission() else {
        tracing::info!(notification_id = %id, object_type = %n.object_type.as_str(), "a notification without a charge permission: nothing to do");
        return Ok(StatusCode::OK);
    };
    let Some(order) = state
        .db()
        .order_by_charge_permission(permission.as_str())
        .await?
    else {
        tracing::info!(notification_id = %id, charge_permission_id = %permission, "a notification for no order of this shop: nothing to do");
        return Ok(StatusCode::OK);
    };
    let read = match &n.object_type {
        ObjectType::Charge => read_charge(state, &order, &n.object_id).await?,
        ObjectType::Refund => read_refund(state, &order, &n.object_id).await?,
        ObjectType::ChargePermission => read_permission(state, &order).await?,
        // A chargeback (or a kind of object this SDK does not know yet) changes the order's
        // charge: read that.
        _ => match order.charge_id.clone() {
            Some(charge_id) => read_charge(state, &order, &charge_id).await?,
            None => Read::Updated("nothing to read".to_owned()),
        },
    };
    let what = match read {
        Read::Updated(what) => what,
        Read::Failed(e) => {
            tracing::warn!(error = %e, notification_id = %id, reference = %order.reference, "cannot read the object of a notification; it will come again");
            return Ok(StatusCode::SERVICE_UNAVAILABLE);
        }
    };
    let record = IpnRecord {
        notification_id: id,
        object_type: n.object_type.as_str(),
        object_id: &n.object_id,
        notification_type: n.notification_type.as_str(),
    };
    let event = format!(
        "Amazon Pay notified: {} {} {}; {what}.",
        record.object_type, record.object_id, record.notification_type
    );
    if state
        .db()
        .record_notification(order.id, &record, &event)
        .await?
    {
        tracing::info!(notification_id = %id, reference = %order.reference, "{event}");
    }
    Ok(StatusCode::OK)
}

/// Reads a charge; the order stores it unless it holds another charge (an older charge's news
/// must not replace the current one).
async fn read_charge(state: &AppState, o: &Order, charge_id: &str) -> anyhow::Result<Read> {
    if o.charge_id.as_deref().is_some_and(|c| c != charge_id) {
        return Ok(match state.client().get_charge(charge_id).await {
            Ok(c) => Read::Updated(format!(
                "charge {charge_id}, not this order's current one, is {}",
                c.status_details.state.as_str()
            )),
            Err(e) => Read::Failed(e),
        });
    }
    Ok(synced("charge", sync_charge(state, o, charge_id).await?))
}

/// Reads a refund; as with charges, only the order's last refund (or its first) is stored.
async fn read_refund(state: &AppState, o: &Order, refund_id: &str) -> anyhow::Result<Read> {
    if o.refund_id.as_deref().is_some_and(|r| r != refund_id) {
        return Ok(match state.client().get_refund(refund_id).await {
            Ok(r) => Read::Updated(format!(
                "refund {refund_id}, not this order's last one, is {}",
                r.status_details.state.as_str()
            )),
            Err(e) => Read::Failed(e),
        });
    }
    Ok(synced("refund", sync_refund(state, o, refund_id).await?))
}

fn synced(what: &str, read: Result<Synced, amzpay::Error>) -> Read {
    match read {
        Ok(s) => Read::Updated(format!("{what} is now {}", s.describe())),
        Err(e) => Read::Failed(e),
    }
}

/// Reads the charge permission; a closed one is marked closed in the order (it can no longer be
/// charged or closed from the back office).
async fn read_permission(state: &AppState, o: &Order) -> anyhow::Result<Read> {
    let p = match state
        .client()
        .get_charge_permission(&o.charge_permission_id)
        .await
    {
        Ok(p) => p.into_inner(),
        Err(e) => return Ok(Read::Failed(e)),
    };
    let st = p.status_details.state.as_str().to_owned();
    if st == "Closed" && !o.permission_closed {
        state.db().set_permission_closed(o.id).await?;
    }
    Ok(Read::Updated(format!("charge permission is now {st}")))
}
