//! The id-index vocabulary: which kind of object an id names and the key a tracking number is
//! indexed under. Storage uses it to find the checkout an id belongs to; the core only lists the
//! ids ([`Checkout::object_ids`]).

use super::Checkout;
use crate::ids::MerchantId;

/// Which kind of object an id names (storage's id index).
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
    /// A delivery tracker's tracking number, scoped to the merchant (see [`tracking_key`]).
    DeliveryTracker,
}

impl ObjectKind {
    /// Storage string.
    pub fn as_str(self) -> &'static str {
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
pub fn tracking_key(merchant: &MerchantId, tracking_number: &str) -> String {
    format!("{merchant}/{}", tracking_number.to_ascii_uppercase())
}

impl Checkout {
    /// Every object id of the aggregate with its kind (for storage's id index).
    pub fn object_ids(&self) -> Vec<(ObjectKind, String)> {
        let mut out = vec![(ObjectKind::CheckoutSession, self.session.id.to_string())];
        if let Some(p) = &self.permission {
            out.push((ObjectKind::ChargePermission, p.id.to_string()));
        }
        out.extend(
            self.charges
                .iter()
                .map(|c| (ObjectKind::Charge, c.id.to_string())),
        );
        out.extend(
            self.refunds
                .iter()
                .map(|r| (ObjectKind::Refund, r.id.to_string())),
        );
        out.extend(self.delivery_trackers.iter().map(|t| {
            (
                ObjectKind::DeliveryTracker,
                tracking_key(&self.merchant_id, &t.tracking_number),
            )
        }));
        out
    }
}
