//! The Charge Permission, its states, the buyer's events on it and its delivery trackers
//! (spec §3.2).

use super::{Address, Buyer, ChargePermissionType, MerchantMetadata, RecurringMetadata};
use crate::clock::Timestamp;
use crate::ids::ChargePermissionId;
use crate::money::{Currency, Money};

str_enum! {
    /// Why a Charge Permission is `NonChargeable`.
    pub enum NonChargeableReason {
        PaymentMethodInvalid = "PaymentMethodInvalid", PaymentMethodDeleted = "PaymentMethodDeleted",
        BillingAddressDeleted = "BillingAddressDeleted", PaymentMethodExpired = "PaymentMethodExpired",
        PaymentMethodNotAllowed = "PaymentMethodNotAllowed", PaymentMethodNotSet = "PaymentMethodNotSet",
        ChargeInProgress = "ChargeInProgress", MfaFailed = "MFAFailed",
    }
}

impl NonChargeableReason {
    /// The `reasonDescription` Amazon returns with the reason.
    pub fn description(self) -> &'static str {
        match self {
            NonChargeableReason::ChargeInProgress => {
                "A charge is already in progress. You cannot initiate a new charge unless previous charge is canceled."
            }
            NonChargeableReason::PaymentMethodInvalid => {
                "The previous charge was declined. Ask the buyer to update the payment method."
            }
            NonChargeableReason::PaymentMethodDeleted => {
                "The buyer has deleted the selected payment method."
            }
            NonChargeableReason::BillingAddressDeleted => {
                "The buyer has deleted the billing address of the selected payment method."
            }
            NonChargeableReason::PaymentMethodExpired => "The selected payment method has expired.",
            NonChargeableReason::PaymentMethodNotAllowed => {
                "The payment method selected by the buyer is not allowed for this Charge Permission."
            }
            NonChargeableReason::PaymentMethodNotSet => {
                "There is no payment method associated with charge permission."
            }
            NonChargeableReason::MfaFailed => {
                "Buyer did not verify the transaction. Charge cannot be initiated unless buyer verifies the amount on the transaction."
            }
        }
    }
}

str_enum! {
    /// Why a Charge Permission is `Closed`.
    pub enum PermissionClosedReason {
        MerchantClosed = "MerchantClosed", BuyerClosed = "BuyerClosed", AmazonCanceled = "AmazonCanceled",
        AmazonClosed = "AmazonClosed", Expired = "Expired",
    }
}

/// The Charge Permission state (spec §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PermissionState {
    /// `Chargeable`.
    Chargeable,
    /// `NonChargeable` with one or more reasons.
    NonChargeable(Vec<NonChargeableReason>),
    /// `Closed`.
    Closed(PermissionClosedReason),
}

impl PermissionState {
    /// `statusDetails.state`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PermissionState::Chargeable => "Chargeable",
            PermissionState::NonChargeable(_) => "NonChargeable",
            PermissionState::Closed(_) => "Closed",
        }
    }
}

/// A Charge Permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargePermission {
    /// `chargePermissionId`.
    pub id: ChargePermissionId,
    /// `chargePermissionType`.
    pub charge_permission_type: ChargePermissionType,
    /// `buyer`.
    pub buyer: Option<Buyer>,
    /// `shippingAddress`.
    pub shipping_address: Option<Address>,
    /// `billingAddress`.
    pub billing_address: Option<Address>,
    /// `paymentPreferences[0].paymentDescriptor`.
    pub payment_descriptor: Option<String>,
    /// The state.
    pub state: PermissionState,
    /// `merchantMetadata`.
    pub merchant_metadata: MerchantMetadata,
    /// `platformId`.
    pub platform_id: Option<String>,
    /// `limits.amountLimit` (`None` for Recurring and PaymentMethodOnFile).
    pub amount_limit: Option<Money>,
    /// `recurringMetadata`.
    pub recurring_metadata: Option<RecurringMetadata>,
    /// `presentmentCurrency`.
    pub presentment_currency: Currency,
    /// `paymentMethodOnFileMetadata.setupOnly`.
    pub setup_only: Option<bool>,
    /// `creationTimestamp`.
    pub created_at: Timestamp,
    /// `statusDetails.lastUpdatedTimestamp`.
    pub updated_at: Timestamp,
    /// `expirationTimestamp`.
    pub expires_at: Option<Timestamp>,
    /// A problem with the buyer's instrument that keeps the permission `NonChargeable` until the
    /// buyer fixes it (a hard decline, a deleted or expired instrument, failed MFA, ...).
    pub instrument_issue: Option<NonChargeableReason>,
    /// The `closureReason` of Close Charge Permission.
    pub closure_reason: Option<String>,
}

/// A shipment reported with Create Delivery Tracker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryTracker {
    /// `trackingNumber` (accepted once per merchant).
    pub tracking_number: String,
    /// `carrierCode`.
    pub carrier_code: String,
    /// When it was reported.
    pub created_at: Timestamp,
}

/// Something the buyer (or Amazon) does to a Charge Permission outside the merchant's API:
/// the emulator's admin API offers these so every state of spec §3.2 can be reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PermissionEvent {
    /// The instrument has a problem: `NonChargeable` with this reason until fixed.
    InstrumentIssue(NonChargeableReason),
    /// The buyer fixed the instrument (clears the issue).
    InstrumentFixed,
    /// The buyer closed the permission (`Closed`/`BuyerClosed`, open charges `BuyerCanceled`).
    BuyerClosed,
    /// Amazon canceled the permission (`Closed`/`AmazonCanceled`, open charges `AmazonCanceled`).
    AmazonCanceled,
}
