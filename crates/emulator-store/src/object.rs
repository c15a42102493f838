//! The id index's vocabulary: a typed reference to one object of a checkout aggregate
//! ([`ObjectRef`]), the kind of object an id names ([`ObjectKind`]) and the key a tracking
//! number is indexed under ([`TrackingKey`]).
//!
//! Callers hand the store typed ids; the store alone turns them into the `(id, kind)` text of
//! `checkout_objects`. The core knows nothing of this index: the store lists an aggregate's
//! objects from the aggregate's own fields ([`object_refs`]).

use amzpay_emulator_core::checkout::Checkout;
use amzpay_emulator_core::ids::{
    ChargeId, ChargePermissionId, CheckoutSessionId, MerchantId, RefundId,
};

/// Which kind of object an id names (the `kind` column of the id index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// A Checkout Session id.
    CheckoutSession,
    /// A Charge Permission id.
    ChargePermission,
    /// A Charge id.
    Charge,
    /// A Refund id.
    Refund,
    /// A delivery tracker's tracking number, scoped to the merchant (see [`TrackingKey`]).
    DeliveryTracker,
}

impl ObjectKind {
    /// The stored form.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ObjectKind::CheckoutSession => "checkout_session",
            ObjectKind::ChargePermission => "charge_permission",
            ObjectKind::Charge => "charge",
            ObjectKind::Refund => "refund",
            ObjectKind::DeliveryTracker => "delivery_tracker",
        }
    }
}

/// The id-index key of a tracking number: accepted once per merchant, compared without regard
/// to case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TrackingKey(String);

impl TrackingKey {
    /// The key of `tracking_number` for `merchant`.
    pub fn new(merchant: &MerchantId, tracking_number: &str) -> TrackingKey {
        TrackingKey(format!(
            "{merchant}/{}",
            tracking_number.to_ascii_uppercase()
        ))
    }

    /// The indexed text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One object of a checkout aggregate, by its typed id: what the store looks a checkout up by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ObjectRef {
    /// A Checkout Session.
    CheckoutSession(CheckoutSessionId),
    /// A Charge Permission.
    ChargePermission(ChargePermissionId),
    /// A Charge.
    Charge(ChargeId),
    /// A Refund.
    Refund(RefundId),
    /// A delivery tracker, by its merchant-scoped tracking number.
    DeliveryTracker(TrackingKey),
}

impl ObjectRef {
    /// The object's kind.
    pub fn kind(&self) -> ObjectKind {
        match self {
            ObjectRef::CheckoutSession(_) => ObjectKind::CheckoutSession,
            ObjectRef::ChargePermission(_) => ObjectKind::ChargePermission,
            ObjectRef::Charge(_) => ObjectKind::Charge,
            ObjectRef::Refund(_) => ObjectKind::Refund,
            ObjectRef::DeliveryTracker(_) => ObjectKind::DeliveryTracker,
        }
    }

    /// The indexed text of the id.
    pub fn id(&self) -> &str {
        match self {
            ObjectRef::CheckoutSession(id) => id.as_str(),
            ObjectRef::ChargePermission(id) => id.as_str(),
            ObjectRef::Charge(id) => id.as_str(),
            ObjectRef::Refund(id) => id.as_str(),
            ObjectRef::DeliveryTracker(key) => key.as_str(),
        }
    }
}

/// Every object of the aggregate, session first (the rows of the id index).
pub fn object_refs(c: &Checkout) -> Vec<ObjectRef> {
    let mut out = vec![ObjectRef::CheckoutSession(c.session.id.clone())];
    out.extend(
        c.permission
            .iter()
            .map(|p| ObjectRef::ChargePermission(p.id.clone())),
    );
    out.extend(c.charges.iter().map(|ch| ObjectRef::Charge(ch.id.clone())));
    out.extend(c.refunds.iter().map(|r| ObjectRef::Refund(r.id.clone())));
    out.extend(
        c.delivery_trackers.iter().map(|t| {
            ObjectRef::DeliveryTracker(TrackingKey::new(&c.merchant_id, &t.tracking_number))
        }),
    );
    out
}
