//! Instant Payment Notifications as stored: a merchant's IPN settings (endpoints per
//! environment, signature version, trusted CA) and the outbox of deliveries with their attempts.
//!
//! The emulator's service layer decides what a notification says (its `message`, Amazon's JSON)
//! and how it is signed and sent; the store keeps the columns the dispatcher filters and orders
//! on, and makes the two things that must be atomic atomic:
//!
//! - **Enqueueing** happens inside the write of the state change that causes it
//!   ([`crate::Applied::Write`]'s `notifications`), one `INSERT ... SELECT` over the merchant's
//!   endpoints: the change and its deliveries commit together or not at all, and a merchant
//!   without endpoints gets no rows.
//! - **Claiming** ([`crate::Store::claim_notification`]) is one statement that picks the oldest
//!   due delivery whose charge permission has no earlier pending delivery to the same endpoint
//!   (deliveries of one permission go out in order) and sets its lease; PostgreSQL adds
//!   `FOR UPDATE SKIP LOCKED`, so instances sharing a database never claim the same delivery
//!   while its lease lives.

use amzpay_emulator_core::ids::MerchantId;
use amzpay_emulator_core::model::Environment;
use sqlx::FromRow;

use crate::StoreError;

/// A merchant's IPN settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpnSettings {
    /// The endpoints, in the order notifications are enqueued for them.
    pub endpoints: Vec<IpnEndpoint>,
    /// The SNS `SignatureVersion` of the merchant's notifications: 1 (SHA1withRSA) or 2
    /// (SHA256withRSA).
    pub signature_version: u8,
    /// A CA certificate (PEM) trusted, beside the public roots, for the merchant's https
    /// endpoints.
    pub ca_pem: Option<String>,
}

impl Default for IpnSettings {
    fn default() -> Self {
        IpnSettings {
            endpoints: Vec::new(),
            signature_version: 2,
            ca_pem: None,
        }
    }
}

/// One endpoint of one environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpnEndpoint {
    /// The environment whose changes it receives.
    pub environment: Environment,
    /// The URL posted to.
    pub url: String,
}

/// A notification to enqueue with a state change, once per endpoint of the change's tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNotification {
    /// Amazon's `NotificationId` (the same for every endpoint).
    pub notification_id: String,
    /// The SNS `MessageId` (the same for every endpoint, as one SNS publish to a topic).
    pub message_id: String,
    /// The charge permission it is about; deliveries of one permission are ordered.
    pub charge_permission_id: String,
    /// `ObjectType` (`CHARGE_PERMISSION`, `CHARGE`, `REFUND`, `CHARGEBACK`).
    pub object_type: String,
    /// `ObjectId`.
    pub object_id: String,
    /// `NotificationType` (`STATE_CHANGE`, `ATTRIBUTE_CHANGE`).
    pub notification_type: String,
    /// The SNS `Message`: Amazon's notification JSON.
    pub message: String,
    /// When it was published (real time, unix milliseconds): the SNS `Timestamp`.
    pub created_at_ms: i64,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not delivered yet; tried again at `next_attempt_at_ms`.
    Pending,
    /// An endpoint answered 2xx.
    Delivered,
    /// Every retry failed; only a redelivery sends it again.
    Failed,
}

impl DeliveryState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    /// The state of a stored name.
    pub fn parse(s: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Failed,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

/// A stored delivery: one notification to one endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationRecord {
    /// The delivery's number (its order).
    pub seq: u64,
    /// Its owner.
    pub merchant_id: MerchantId,
    /// Its environment.
    pub environment: Environment,
    /// The URL it goes to.
    pub endpoint: String,
    /// What was enqueued.
    pub notification: NewNotification,
    /// Where it stands.
    pub state: DeliveryState,
    /// How many attempts were made.
    pub attempts: u32,
    /// When it is tried next, while pending (unix milliseconds).
    pub next_attempt_at_ms: i64,
    /// When an endpoint accepted it (unix milliseconds).
    pub delivered_at_ms: Option<i64>,
}

/// One delivery attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptRecord {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When it started (unix milliseconds).
    pub started_at_ms: i64,
    /// How long it took until the answer's head and the first bytes, or the failure.
    pub latency_ms: i64,
    /// The endpoint's HTTP status, when it answered.
    pub status: Option<u16>,
    /// The transport error (refused, timeout, TLS), when it did not.
    pub error: Option<String>,
    /// The first bytes of the answer's body.
    pub response_head: Option<String>,
}

/// What to record after an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinishedAttempt {
    /// The delivery.
    pub seq: u64,
    /// The attempt.
    pub record: AttemptRecord,
    /// What happens next.
    pub next: AfterAttempt,
}

/// The delivery's state after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterAttempt {
    /// Accepted.
    Delivered,
    /// Try again at this instant (unix milliseconds).
    RetryAt(i64),
    /// No more attempts.
    GiveUp,
}

/// A row of `notifications`.
#[derive(Debug, FromRow)]
pub(crate) struct NotificationRow {
    seq: i64,
    notification_id: String,
    message_id: String,
    merchant_id: String,
    environment: String,
    endpoint: String,
    charge_permission_id: String,
    object_type: String,
    object_id: String,
    notification_type: String,
    message: String,
    created_at: i64,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    delivered_at: Option<i64>,
}

impl TryFrom<NotificationRow> for NotificationRecord {
    type Error = StoreError;

    fn try_from(r: NotificationRow) -> Result<NotificationRecord, StoreError> {
        let bad = |what: &str| StoreError::Corrupt(format!("bad {what} in a notification row"));
        Ok(NotificationRecord {
            seq: u64::try_from(r.seq).map_err(|_| bad("seq"))?,
            merchant_id: MerchantId::parse(&r.merchant_id).ok_or_else(|| bad("merchant id"))?,
            environment: Environment::parse(&r.environment).ok_or_else(|| bad("environment"))?,
            endpoint: r.endpoint,
            notification: NewNotification {
                notification_id: r.notification_id,
                message_id: r.message_id,
                charge_permission_id: r.charge_permission_id,
                object_type: r.object_type,
                object_id: r.object_id,
                notification_type: r.notification_type,
                message: r.message,
                created_at_ms: r.created_at,
            },
            state: DeliveryState::parse(&r.state).ok_or_else(|| bad("state"))?,
            attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
            next_attempt_at_ms: r.next_attempt_at,
            delivered_at_ms: r.delivered_at,
        })
    }
}

/// A row of `notification_attempts`.
#[derive(Debug, FromRow)]
pub(crate) struct AttemptRow {
    attempt: i64,
    started_at: i64,
    latency_ms: i64,
    status: Option<i64>,
    error: Option<String>,
    response_head: Option<String>,
}

impl From<AttemptRow> for AttemptRecord {
    fn from(r: AttemptRow) -> AttemptRecord {
        AttemptRecord {
            attempt: u32::try_from(r.attempt).unwrap_or(u32::MAX),
            started_at_ms: r.started_at,
            latency_ms: r.latency_ms,
            status: r.status.and_then(|s| u16::try_from(s).ok()),
            error: r.error,
            response_head: r.response_head,
        }
    }
}

/// A row of `ipn_endpoints`: `(environment, url)`.
#[derive(Debug, FromRow)]
pub(crate) struct EndpointRow {
    environment: String,
    url: String,
}

impl TryFrom<EndpointRow> for IpnEndpoint {
    type Error = StoreError;

    fn try_from(r: EndpointRow) -> Result<IpnEndpoint, StoreError> {
        Ok(IpnEndpoint {
            environment: Environment::parse(&r.environment)
                .ok_or_else(|| StoreError::Corrupt("bad environment of an IPN endpoint".into()))?,
            url: r.url,
        })
    }
}

/// A backend's SQL for notifications. Placeholders are bound in the order each field gives.
#[derive(Debug)]
pub(crate) struct NotificationSql {
    /// `(signature_version, ca_pem)` of `(merchant_id)`.
    pub(crate) settings: &'static str,
    /// `(environment, url)` of `(merchant_id)`, in order.
    pub(crate) endpoints: &'static str,
    /// Deletes the endpoints of `(merchant_id)`.
    pub(crate) delete_endpoints: &'static str,
    /// Inserts `(merchant_id, environment, position, url)`.
    pub(crate) insert_endpoint: &'static str,
    /// Inserts or replaces `(merchant_id, signature_version, ca_pem)`.
    pub(crate) upsert_settings: &'static str,
    /// Claims one due delivery at `(now ms)` for `(lease ms)`, returning its `seq`.
    pub(crate) claim: &'static str,
    /// The delivery `(seq)`; columns of [`NotificationRow`].
    pub(crate) get: &'static str,
    /// At most `(limit)` deliveries of `(merchant_id or NULL)`, newest first.
    pub(crate) list: &'static str,
    /// The attempts of `(seq)`, in order; columns of [`AttemptRow`].
    pub(crate) attempts: &'static str,
    /// Inserts `(seq, attempt, started_at, latency_ms, status, error, response_head)`.
    pub(crate) insert_attempt: &'static str,
    /// Sets `(attempts, state, next_attempt_at, delivered_at)` of `(seq)` and drops its lease.
    pub(crate) finish: &'static str,
    /// Makes `(seq)` pending again, due at `(now ms)`, returning its `seq`.
    pub(crate) redeliver: &'static str,
}
