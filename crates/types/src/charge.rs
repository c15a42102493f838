//! [`Charge`]: the response of Create, Get, Capture and Cancel Charge.

use serde::{Deserialize, Serialize};

use crate::common::{ChargeStatusDetails, MerchantMetadata, ProviderMetadata, WebCheckoutDetails};
use crate::enums::{Channel, ChargeInitiator, ReleaseEnvironment};
use crate::ids::{ChargeId, ChargePermissionId};
use crate::money::Price;
use crate::timestamp::Timestamp;

/// A Charge (spec §2.15).
///
/// Fields follow SDK-node's documented key order ([`Charge::KEYS`]); every field is written, `null`
/// when unset. `captureNow` and `canHandlePendingAuthorization`, which SDK-dotnet models but
/// responses may omit, are not part of the documented list and are ignored when read.
/// Build one with [`Charge::new`] and struct update syntax.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Charge {
    /// `chargeId`.
    pub charge_id: ChargeId,
    /// `chargeAmount`: the authorized amount.
    pub charge_amount: Option<Price>,
    /// `chargePermissionId`: the permission that funds this charge.
    pub charge_permission_id: ChargePermissionId,
    /// `captureAmount`: total captured so far.
    pub capture_amount: Option<Price>,
    /// `refundedAmount`: total refunded so far.
    pub refunded_amount: Option<Price>,
    /// `softDescriptor`: statement text.
    pub soft_descriptor: Option<String>,
    /// `providerMetadata`: `{providerReferenceId}`.
    pub provider_metadata: Option<ProviderMetadata>,
    /// `convertedAmount`: the amount in the ledger currency (multi-currency).
    pub converted_amount: Option<Price>,
    /// `conversionRate`: presentment-to-ledger rate, kept as exact decimal text (read from a string
    /// or a number, written as a string).
    #[serde(
        default,
        deserialize_with = "crate::serde_helpers::opt_string_or_number"
    )]
    pub conversion_rate: Option<String>,
    /// `channel`.
    pub channel: Option<Channel>,
    /// `chargeInitiator`: `CITU`, `MITU`, `CITR`, `MITR`.
    pub charge_initiator: Option<ChargeInitiator>,
    /// `statusDetails`: state and reason.
    pub status_details: ChargeStatusDetails,
    /// `creationTimestamp`.
    pub creation_timestamp: Option<Timestamp>,
    /// `expirationTimestamp`: when an uncaptured authorization expires (30 days).
    pub expiration_timestamp: Option<Timestamp>,
    /// `releaseEnvironment`: `Sandbox` or `Live`.
    pub release_environment: Option<ReleaseEnvironment>,
    /// `merchantMetadata`.
    pub merchant_metadata: Option<MerchantMetadata>,
    /// `platformId`: solution-provider id.
    pub platform_id: Option<String>,
    /// `webCheckoutDetails`: result URL for saved-wallet flows.
    pub web_checkout_details: Option<WebCheckoutDetails>,
}

impl Charge {
    /// The response's keys in the documented order (spec §2.15).
    pub const KEYS: &'static [&'static str] = &[
        "chargeId",
        "chargeAmount",
        "chargePermissionId",
        "captureAmount",
        "refundedAmount",
        "softDescriptor",
        "providerMetadata",
        "convertedAmount",
        "conversionRate",
        "channel",
        "chargeInitiator",
        "statusDetails",
        "creationTimestamp",
        "expirationTimestamp",
        "releaseEnvironment",
        "merchantMetadata",
        "platformId",
        "webCheckoutDetails",
    ];

    /// A charge with the given ids and status and every other field unset.
    pub fn new(
        id: ChargeId,
        charge_permission_id: ChargePermissionId,
        status_details: ChargeStatusDetails,
    ) -> Self {
        Self {
            charge_id: id,
            charge_amount: None,
            charge_permission_id,
            capture_amount: None,
            refunded_amount: None,
            soft_descriptor: None,
            provider_metadata: None,
            converted_amount: None,
            conversion_rate: None,
            channel: None,
            charge_initiator: None,
            status_details,
            creation_timestamp: None,
            expiration_timestamp: None,
            release_environment: None,
            merchant_metadata: None,
            platform_id: None,
            web_checkout_details: None,
        }
    }

    /// Shorthand for `status_details.state`.
    pub fn state(&self) -> &crate::enums::ChargeState {
        &self.status_details.state
    }
}
