//! [`Refund`]: the response of Create and Get Refund.

use serde::{Deserialize, Serialize};

use crate::common::RefundStatusDetails;
use crate::enums::ReleaseEnvironment;
use crate::ids::{ChargeId, RefundId};
use crate::money::Price;
use crate::timestamp::Timestamp;

/// A Refund (spec §2.16).
///
/// Fields follow the documented key order ([`Refund::KEYS`]), which differs from the order of the
/// documentation's sample; every field is written, `null` when unset.
/// Build one with [`Refund::new`] and struct update syntax.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    /// `refundId`.
    pub refund_id: RefundId,
    /// `chargeId`: the refunded charge.
    pub charge_id: ChargeId,
    /// `creationTimestamp`.
    pub creation_timestamp: Option<Timestamp>,
    /// `refundAmount`.
    pub refund_amount: Option<Price>,
    /// `statusDetails`: state and reason.
    pub status_details: RefundStatusDetails,
    /// `softDescriptor`: statement text.
    pub soft_descriptor: Option<String>,
    /// `releaseEnvironment`: `Sandbox` or `Live`.
    pub release_environment: Option<ReleaseEnvironment>,
}

impl Refund {
    /// The response's keys in the documented order (spec §2.16).
    pub const KEYS: &'static [&'static str] = &[
        "refundId",
        "chargeId",
        "creationTimestamp",
        "refundAmount",
        "statusDetails",
        "softDescriptor",
        "releaseEnvironment",
    ];

    /// A refund with the given ids and status and every other field unset.
    pub fn new(id: RefundId, charge_id: ChargeId, status_details: RefundStatusDetails) -> Self {
        Self {
            refund_id: id,
            charge_id,
            creation_timestamp: None,
            refund_amount: None,
            status_details,
            soft_descriptor: None,
            release_environment: None,
        }
    }

    /// Shorthand for `status_details.state`.
    pub fn state(&self) -> &crate::enums::RefundState {
        &self.status_details.state
    }
}
