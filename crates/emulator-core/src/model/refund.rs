//! The Refund and its states (spec §3.4).

use crate::clock::Timestamp;
use crate::ids::{ChargeId, RefundId};
use crate::money::Money;

str_enum! {
    /// Why a Refund is `Declined`.
    pub enum RefundDeclinedReason { AmazonRejected = "AmazonRejected", ProcessingFailure = "ProcessingFailure", }
}

/// How a refund completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundResolution {
    /// Becomes `Refunded`.
    Refunded,
    /// Becomes `Declined` with the reason.
    Declined(RefundDeclinedReason),
}

/// The Refund state (spec §3.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundState {
    /// `RefundInitiated`, resolving at `resolves_at`.
    RefundInitiated {
        /// When the refund completes.
        resolves_at: Timestamp,
        /// How.
        resolves_to: RefundResolution,
    },
    /// `Refunded`.
    Refunded,
    /// `Declined`.
    Declined(RefundDeclinedReason),
}

impl RefundState {
    /// `statusDetails.state`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RefundState::RefundInitiated { .. } => "RefundInitiated",
            RefundState::Refunded => "Refunded",
            RefundState::Declined(_) => "Declined",
        }
    }

    /// `statusDetails.reasonCode`.
    pub fn reason_code(&self) -> Option<&'static str> {
        match self {
            RefundState::Declined(r) => Some(r.as_str()),
            _ => None,
        }
    }

    /// Whether the refund counts against the charge's refundable amount (not declined).
    pub fn counts(&self) -> bool {
        !matches!(self, RefundState::Declined(_))
    }
}

/// A Refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    /// `refundId`.
    pub id: RefundId,
    /// `chargeId`.
    pub charge_id: ChargeId,
    /// `refundAmount`.
    pub refund_amount: Money,
    /// `softDescriptor`.
    pub soft_descriptor: Option<String>,
    /// The state.
    pub state: RefundState,
    /// `creationTimestamp`.
    pub created_at: Timestamp,
    /// `statusDetails.lastUpdatedTimestamp`.
    pub updated_at: Timestamp,
}
