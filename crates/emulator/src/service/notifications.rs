//! Instant Payment Notifications: what a change notifies, a merchant's IPN settings, and the
//! admin operations on deliveries (list, show, redeliver, simulate a chargeback).
//!
//! **What is sent when** (developer.amazon.com, amazon-pay-checkout "Set up Instant Payment
//! Notifications": `ObjectType` is one of `CHARGE_PERMISSION`, `CHARGE`, `REFUND`,
//! `CHARGEBACK`, `NotificationType` `STATE_CHANGE` or `ATTRIBUTE_CHANGE`; the notification
//! carries no state, the receiver GETs the object). Amazon does not list every trigger, so the
//! emulator's choice (docs/notifications.md) is: a `STATE_CHANGE` whenever a Charge, Refund or
//! Charge Permission enters a state (its first state included) or changes its reason code, and a
//! `CHARGEBACK` `STATE_CHANGE` from the chargeback simulation. No `ATTRIBUTE_CHANGE` is sent:
//! no operation of the emulator changes a permission's buyer details, addresses or payment
//! descriptor after it is created. [`between`] computes them from the aggregate before and after a change, inside
//! the write's transaction, so they commit with the change (`write::execute` and the worker's
//! timers both call it): a rolled-back change sends nothing.

use amzpay_emulator_core::checkout::Checkout;
use amzpay_emulator_core::ids::MerchantId;
use amzpay_emulator_core::model::{Environment, PermissionState};
use amzpay_emulator_store::{IpnEndpoint, IpnSettings, NewNotification, NotificationRecord};
use rand::Rng;
use serde::Serialize;

use crate::error::{ApiError, Reason};
use crate::state::AppState;

/// The most endpoints a merchant may have per environment. Amazon's pages do not state a
/// limit; five is the emulator's choice (docs/notifications.md).
pub(crate) const MAX_ENDPOINTS: usize = 5;

/// What a checkout looked like before a change, as far as notifications are concerned.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    permission: Option<PermissionState>,
    charges: Vec<(String, &'static str, Option<&'static str>)>,
    refunds: Vec<(String, &'static str, Option<&'static str>)>,
}

impl Snapshot {
    /// The parts of `c` a notification reports on.
    pub(crate) fn of(c: &Checkout) -> Snapshot {
        Snapshot {
            permission: c.permission.as_ref().map(|p| p.state.clone()),
            charges: c
                .charges
                .iter()
                .map(|ch| (ch.id.to_string(), ch.state.as_str(), ch.state.reason_code()))
                .collect(),
            refunds: c
                .refunds
                .iter()
                .map(|r| (r.id.to_string(), r.state.as_str(), r.state.reason_code()))
                .collect(),
        }
    }
}

/// One notification's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Notice {
    pub(crate) object_type: &'static str,
    pub(crate) object_id: String,
    pub(crate) notification_type: &'static str,
}

/// The notifications of the change from `before` to `after`, in the order they happened:
/// the permission first, then charges, then refunds.
pub(crate) fn notices(before: Option<&Snapshot>, after: &Checkout) -> Vec<Notice> {
    let empty = Snapshot::default();
    let before = before.unwrap_or(&empty);
    let mut out = Vec::new();
    if let Some(p) = &after.permission {
        if before.permission.as_ref() != Some(&p.state) {
            out.push(state_change("CHARGE_PERMISSION", p.id.to_string()));
        }
    }
    for ch in &after.charges {
        let id = ch.id.to_string();
        let now = (ch.state.as_str(), ch.state.reason_code());
        if !before
            .charges
            .iter()
            .any(|(i, s, r)| *i == id && (*s, *r) == now)
        {
            out.push(state_change("CHARGE", id));
        }
    }
    for r in &after.refunds {
        let id = r.id.to_string();
        let now = (r.state.as_str(), r.state.reason_code());
        if !before
            .refunds
            .iter()
            .any(|(i, s, c)| *i == id && (*s, *c) == now)
        {
            out.push(state_change("REFUND", id));
        }
    }
    out
}

fn state_change(object_type: &'static str, object_id: String) -> Notice {
    Notice {
        object_type,
        object_id,
        notification_type: "STATE_CHANGE",
    }
}

/// Amazon's notification message, in the documented field order.
#[derive(Serialize)]
struct Message<'a> {
    #[serde(rename = "MerchantID")]
    merchant_id: &'a str,
    #[serde(rename = "ObjectType")]
    object_type: &'a str,
    #[serde(rename = "ObjectId")]
    object_id: &'a str,
    #[serde(rename = "ChargePermissionId")]
    charge_permission_id: &'a str,
    #[serde(rename = "NotificationType")]
    notification_type: &'a str,
    #[serde(rename = "NotificationId")]
    notification_id: &'a str,
    #[serde(rename = "NotificationVersion")]
    notification_version: &'a str,
}

/// The outbox rows of `notices` about `checkout`, published at real time `now_ms`. A checkout
/// without a charge permission notifies nothing (every documented object belongs to one).
pub(crate) fn records(
    checkout: &Checkout,
    notices: Vec<Notice>,
    now_ms: i64,
) -> Vec<NewNotification> {
    let Some(permission) = &checkout.permission else {
        return Vec::new();
    };
    let permission_id = permission.id.to_string();
    let mut rng = rand::thread_rng();
    notices
        .into_iter()
        .map(|n| {
            let notification_id = random_uuid(&mut rng);
            let message = serde_json::to_string(&Message {
                merchant_id: checkout.merchant_id.as_str(),
                object_type: n.object_type,
                object_id: &n.object_id,
                charge_permission_id: &permission_id,
                notification_type: n.notification_type,
                notification_id: &notification_id,
                notification_version: "V2",
            })
            .unwrap_or_default();
            NewNotification {
                message_id: random_uuid(&mut rng),
                notification_id,
                charge_permission_id: permission_id.clone(),
                object_type: n.object_type.to_owned(),
                object_id: n.object_id,
                notification_type: n.notification_type.to_owned(),
                message,
                created_at_ms: now_ms,
            }
        })
        .collect()
}

/// The notifications of a change, ready for the outbox.
pub(crate) fn between(
    before: Option<&Snapshot>,
    after: &Checkout,
    now_ms: i64,
) -> Vec<NewNotification> {
    records(after, notices(before, after), now_ms)
}

/// A random UUID (version 4) in its usual text form, as SNS message ids are.
fn random_uuid(rng: &mut impl Rng) -> String {
    uuid::Builder::from_random_bytes(rng.r#gen())
        .into_uuid()
        .to_string()
}

/// The real time in unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Checks one endpoint URL: `https://`, or `http://` on a loopback host only (local
/// development; Amazon posts over HTTPS only).
pub(crate) fn check_endpoint(url: &str) -> Result<(), ApiError> {
    let bad = |why: &str| {
        ApiError::new(
            Reason::InvalidParameterValue,
            format!("The IPN endpoint {url:?} {why}."),
        )
    };
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("is not an absolute URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.rsplit_once('@') {
        Some((_, h)) => h,
        None => authority,
    };
    let host = if let Some(inner) = host.strip_prefix('[') {
        inner.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        })
    };
    if host.is_empty() || url.len() > 2048 || url.chars().any(char::is_whitespace) {
        return Err(bad("is not a valid URL"));
    }
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(bad(
            "uses http:// on a host that is not loopback; use https:// (plain http:// is accepted for localhost, 127.0.0.1 and ::1 only)",
        )),
        _ => Err(bad("must use https://")),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// New settings of a merchant, as the admin API and the CLI give them.
#[derive(Debug, Default)]
pub(crate) struct SettingsUpdate {
    /// Replace the endpoints of these environments (an empty list removes them).
    pub(crate) endpoints: Vec<(Environment, Vec<String>)>,
    pub(crate) signature_version: Option<u8>,
    /// `Some(None)` removes the CA.
    pub(crate) ca_pem: Option<Option<String>>,
}

/// Applies `update` to a merchant's settings and returns the result.
pub(crate) async fn update_settings(
    state: &AppState,
    merchant: &MerchantId,
    update: SettingsUpdate,
) -> Result<IpnSettings, ApiError> {
    validate(&update)?;
    if state.store().merchant(merchant).await?.is_none() {
        return Err(ApiError::not_found("Merchant", merchant.as_str()));
    }
    let mut settings = state.store().ipn_settings(merchant).await?;
    for (environment, urls) in update.endpoints {
        settings.endpoints.retain(|e| e.environment != environment);
        settings
            .endpoints
            .extend(urls.into_iter().map(|url| IpnEndpoint { environment, url }));
    }
    if let Some(v) = update.signature_version {
        settings.signature_version = v;
    }
    if let Some(ca) = update.ca_pem {
        settings.ca_pem = ca;
    }
    settings.endpoints.sort_by_key(|e| e.environment.as_str());
    state.store().set_ipn_settings(merchant, &settings).await?;
    if !settings.endpoints.is_empty() {
        state.dispatch().enable();
    }
    Ok(settings)
}

/// Checks an update without applying it (a merchant is created only when its settings are
/// valid).
pub(crate) fn validate(update: &SettingsUpdate) -> Result<(), ApiError> {
    for (_, urls) in &update.endpoints {
        if urls.len() > MAX_ENDPOINTS {
            return Err(ApiError::new(
                Reason::InvalidParameterValue,
                format!("At most {MAX_ENDPOINTS} IPN endpoints per environment are allowed."),
            ));
        }
        for url in urls {
            check_endpoint(url)?;
        }
    }
    if let Some(v) = update.signature_version {
        if !matches!(v, 1 | 2) {
            return Err(ApiError::new(
                Reason::InvalidParameterValue,
                "The SNS signature version must be 1 (SHA1withRSA) or 2 (SHA256withRSA).",
            ));
        }
    }
    if let Some(Some(pem)) = &update.ca_pem {
        let parsed = rustls_pemfile::certs(&mut pem.as_bytes()).collect::<Result<Vec<_>, _>>();
        if !matches!(parsed, Ok(certs) if !certs.is_empty()) {
            return Err(ApiError::new(
                Reason::InvalidParameterValue,
                "The IPN CA is not a PEM certificate.",
            ));
        }
    }
    Ok(())
}

/// Deliveries, newest first.
pub(crate) async fn list(
    state: &AppState,
    merchant: Option<&MerchantId>,
    limit: u32,
) -> Result<Vec<NotificationRecord>, ApiError> {
    Ok(state
        .store()
        .notifications(merchant, limit.clamp(1, 1000))
        .await?)
}

/// Sends a delivery again now, whatever its state.
pub(crate) async fn redeliver(state: &AppState, seq: u64) -> Result<(), ApiError> {
    if !state.store().redeliver_notification(seq, now_ms()).await? {
        return Err(ApiError::not_found("Notification", &seq.to_string()));
    }
    state.notify_dispatcher();
    Ok(())
}

/// Simulates a chargeback on a captured charge: a `CHARGEBACK` `STATE_CHANGE` notification with
/// a new chargeback id, enqueued like any other. The charge keeps its state: Amazon's Charge
/// states have no chargeback state (amazon-pay-api-v2 "Charge", states and reason codes), and
/// Checkout v2 has no operation to read a chargeback, so the notification is what a merchant's
/// test observes. Answers `{"chargebackId", "chargeId", "chargePermissionId"}`, or the stored
/// error (404, `InvalidChargeStatus`).
pub(crate) async fn chargeback(
    state: &AppState,
    charge_id: amzpay_emulator_core::ids::ChargeId,
) -> Result<amzpay_emulator_store::StoredResponse, ApiError> {
    use amzpay_emulator_core::model::ChargeState;
    use amzpay_emulator_store::{ObjectRef, Target};

    let object = ObjectRef::Charge(charge_id.clone());
    let id = charge_id.to_string();
    let tenant = state
        .store()
        .locate(&object)
        .await?
        .ok_or_else(|| ApiError::not_found("Charge", &id))?;
    let chargeback_id = format!("{id}-CB{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let written = crate::service::write::execute_noting(
        state,
        tenant,
        Target::Existing(object),
        None,
        move |loaded| {
            let c = loaded.ok_or_else(|| ApiError::not_found("Charge", &id))?;
            let charge = c
                .charge(&charge_id)
                .ok_or_else(|| ApiError::not_found("Charge", &id))?;
            if charge.state != ChargeState::Captured {
                return Err(ApiError::new(
                    Reason::InvalidChargeStatus,
                    format!(
                        "Only a Captured charge can have a chargeback; {id} is {}.",
                        charge.state.as_str()
                    ),
                ));
            }
            let body = serde_json::json!({
                "chargebackId": chargeback_id,
                "chargeId": id,
                "chargePermissionId": c.permission.as_ref().map(|p| p.id.to_string()),
            });
            let notice = Notice {
                object_type: "CHARGEBACK",
                object_id: chargeback_id,
                notification_type: "STATE_CHANGE",
            };
            let answer = crate::service::write::Answer::ok(body.to_string().into_bytes());
            Ok((c, answer, vec![notice]))
        },
    )
    .await?;
    Ok(written.answer)
}
