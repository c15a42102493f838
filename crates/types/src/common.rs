//! Sub-objects that appear inside responses (spec §2.2-§2.10, §2.14).
//!
//! Like every response type they are lenient: unknown fields are ignored, every field the API can
//! return as `null` is an `Option`, and serialization writes every field (`null` when unset) in the
//! documented order. Their request-side counterparts are in [`crate::requests`] (suffix `Input`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::enums::{
    AddressRestrictionType, CheckoutMode, ConstraintId, Currency, FrequencyUnit, PaymentIntent,
    ReasonCode, SpecialRestriction,
};
use crate::ids::BuyerId;
use crate::money::Price;
use crate::timestamp::Timestamp;

/// A postal address in a response: `shippingAddress`, `billingAddress` (spec §2.2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// `name`: addressee (≤ 50 characters).
    pub name: Option<String>,
    /// `addressLine1` (≤ 180 characters).
    pub address_line1: Option<String>,
    /// `addressLine2` (≤ 60 characters).
    pub address_line2: Option<String>,
    /// `addressLine3` (≤ 60 characters).
    pub address_line3: Option<String>,
    /// `city` (≤ 50 characters).
    pub city: Option<String>,
    /// `county` (≤ 50 characters).
    pub county: Option<String>,
    /// `district` (≤ 50 characters).
    pub district: Option<String>,
    /// `stateOrRegion`: a 2-character code for US and CA addresses.
    pub state_or_region: Option<String>,
    /// `postalCode`.
    pub postal_code: Option<String>,
    /// `countryCode`: ISO 3166-1 alpha-2.
    pub country_code: Option<String>,
    /// `phoneNumber`.
    pub phone_number: Option<String>,
}

/// The `buyer` object inside a Checkout Session or Charge Permission (spec §2.3).
///
/// Get Buyer returns the larger [`crate::Buyer`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuyerDetails {
    /// `buyerId`: the buyer's Amazon account id.
    pub buyer_id: Option<BuyerId>,
    /// `name`.
    pub name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `phoneNumber`.
    pub phone_number: Option<String>,
    /// `primeMembershipTypes`: null when not allow-listed, `[]` when none (e.g. `PRIME_GENERAL`).
    pub prime_membership_types: Option<Vec<String>>,
}

/// `webCheckoutDetails` in a response (spec §2.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebCheckoutDetails {
    /// `checkoutReviewReturnUrl`: where the buyer lands after choosing address and instrument.
    pub checkout_review_return_url: Option<String>,
    /// `checkoutResultReturnUrl`: where the buyer lands after Amazon processed the payment.
    pub checkout_result_return_url: Option<String>,
    /// `checkoutCancelUrl`: where Amazon sends a buyer who cancels.
    pub checkout_cancel_url: Option<String>,
    /// `amazonPayRedirectUrl`: the payment step; null until `constraints` is empty.
    pub amazon_pay_redirect_url: Option<String>,
    /// `checkoutMode`: `ProcessOrder` for the Additional Payment Button.
    pub checkout_mode: Option<CheckoutMode>,
}

/// `paymentDetails` in a response (spec §2.5), keys in the order of the GA sample.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetails {
    /// `paymentIntent`: what Complete does (`Confirm`, `Authorize`, `AuthorizeWithCapture`).
    pub payment_intent: Option<PaymentIntent>,
    /// `canHandlePendingAuthorization`: whether asynchronous authorization is allowed.
    pub can_handle_pending_authorization: Option<bool>,
    /// `chargeAmount`: the amount processed at checkout.
    pub charge_amount: Option<Price>,
    /// `totalOrderAmount`: the full order amount when more is charged later.
    pub total_order_amount: Option<Price>,
    /// `softDescriptor`: statement text (≤ 16 characters, `AuthorizeWithCapture` only).
    pub soft_descriptor: Option<String>,
    /// `presentmentCurrency`: the currency shown to the buyer.
    pub presentment_currency: Option<Currency>,
    /// `allowOvercharge`: invite-only; raises the permission's `amountLimit`.
    pub allow_overcharge: Option<bool>,
    /// `extendExpiration`: invite-only; a OneTime permission lives 13 months.
    pub extend_expiration: Option<bool>,
}

/// `merchantMetadata` in a response (spec §2.6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantMetadata {
    /// `merchantReferenceId`: the merchant's order id (≤ 256 characters).
    pub merchant_reference_id: Option<String>,
    /// `merchantStoreName`: overrides the store name shown to the buyer (≤ 50 characters).
    pub merchant_store_name: Option<String>,
    /// `noteToBuyer`: appears in buyer emails (≤ 255 characters).
    pub note_to_buyer: Option<String>,
    /// `customInformation`: never shown to the buyer (≤ 4096 characters).
    pub custom_information: Option<String>,
}

/// `statusDetails` of a Checkout Session, Charge or Refund (spec §2.7), generic over the state enum.
///
/// Use the aliases [`CheckoutSessionStatusDetails`], [`ChargeStatusDetails`] and
/// [`RefundStatusDetails`]. A Charge Permission has its own shape, [`ChargePermissionStatusDetails`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDetails<S> {
    /// `state`.
    pub state: S,
    /// `reasonCode`: why the object is in this state, when the state has reasons.
    pub reason_code: Option<ReasonCode>,
    /// `reasonDescription`: human-readable text for `reasonCode`.
    pub reason_description: Option<String>,
    /// `lastUpdatedTimestamp`: when the state last changed.
    pub last_updated_timestamp: Option<Timestamp>,
}

impl<S> StatusDetails<S> {
    /// A status with no reason, last updated at `at`.
    pub fn new(state: S, at: Timestamp) -> Self {
        Self {
            state,
            reason_code: None,
            reason_description: None,
            last_updated_timestamp: Some(at),
        }
    }

    /// The same status with a reason code and description.
    pub fn with_reason(mut self, code: ReasonCode, description: impl Into<String>) -> Self {
        self.reason_code = Some(code);
        self.reason_description = Some(description.into());
        self
    }
}

/// `statusDetails` of a Checkout Session.
pub type CheckoutSessionStatusDetails = StatusDetails<crate::enums::CheckoutSessionState>;
/// `statusDetails` of a Charge.
pub type ChargeStatusDetails = StatusDetails<crate::enums::ChargeState>;
/// `statusDetails` of a Refund.
pub type RefundStatusDetails = StatusDetails<crate::enums::RefundState>;

/// `statusDetails` of a Charge Permission (spec §2.7): several reasons can hold at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargePermissionStatusDetails {
    /// `state`.
    pub state: crate::enums::ChargePermissionState,
    /// `reasons`: why the permission is `NonChargeable` or `Closed`; null when there is none.
    pub reasons: Option<Vec<StatusReason>>,
    /// `lastUpdatedTimestamp`: when the state last changed.
    pub last_updated_timestamp: Option<Timestamp>,
}

impl ChargePermissionStatusDetails {
    /// A status with no reasons, last updated at `at`.
    pub fn new(state: crate::enums::ChargePermissionState, at: Timestamp) -> Self {
        Self {
            state,
            reasons: None,
            last_updated_timestamp: Some(at),
        }
    }
}

/// One entry of a Charge Permission's `statusDetails.reasons`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReason {
    /// `reasonCode`.
    pub reason_code: ReasonCode,
    /// `reasonDescription`.
    pub reason_description: Option<String>,
}

/// `recurringMetadata` in a response (spec §2.8).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecurringMetadata {
    /// `frequency`: how often the merchant charges.
    pub frequency: Option<Frequency>,
    /// `amount`: the amount charged each period.
    pub amount: Option<Price>,
}

/// `recurringMetadata.frequency`: `{unit, value}` (spec §2.8).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Frequency {
    /// `unit`: `Year`, `Month`, `Week`, `Day` or `Variable`.
    pub unit: Option<FrequencyUnit>,
    /// `value`: the number of units between charges. Read from a string or an integer (`"1"` or
    /// `1`), written as a string (`"1"`).
    #[serde(
        default,
        deserialize_with = "crate::serde_helpers::opt_string_or_number"
    )]
    pub value: Option<String>,
}

impl Frequency {
    /// `{unit, value}` with the value written as a string.
    pub fn new(unit: FrequencyUnit, value: u32) -> Self {
        Self {
            unit: Some(unit),
            value: Some(value.to_string()),
        }
    }
}

/// `paymentMethodOnFileMetadata` in a response: `{ "setupOnly": bool }` (spec §2.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethodOnFileMetadata {
    /// `setupOnly`: save the wallet without charging.
    pub setup_only: Option<bool>,
}

/// One entry of `constraints`: what still blocks the payment step (spec §2.9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Constraint {
    /// `constraintId`.
    pub constraint_id: ConstraintId,
    /// `description`: the API's explanation, e.g. `chargeAmount is not set.`.
    pub description: Option<String>,
}

/// `deliverySpecifications` (spec §2.10).
///
/// The one sub-object shared by requests and responses: the API only stores and echoes it, so it
/// omits unset fields in both directions and ignores unknown fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliverySpecifications {
    /// `specialRestrictions`: `RestrictPOBoxes`, `RestrictPackstations`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub special_restrictions: Option<Vec<SpecialRestriction>>,
    /// `addressRestrictions`: which regions the address picker allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_restrictions: Option<AddressRestrictions>,
}

/// `deliverySpecifications.addressRestrictions` (spec §2.10).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressRestrictions {
    /// `type`: `Allowed` (only the listed regions) or `NotAllowed` (all but the listed regions).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub restriction_type: Option<AddressRestrictionType>,
    /// `restrictions`: per ISO country code, the listed states/regions and zip codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restrictions: Option<BTreeMap<String, Restriction>>,
}

/// One country's entry in `addressRestrictions.restrictions` (spec §2.10).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Restriction {
    /// `statesOrRegions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub states_or_regions: Option<Vec<String>>,
    /// `zipCodes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_codes: Option<Vec<String>>,
}

/// `limits` of a Charge Permission (spec §2.14).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// `amountLimit`: the most that may be charged in total.
    pub amount_limit: Option<Price>,
    /// `amountBalance`: what is left to charge.
    pub amount_balance: Option<Price>,
}

/// One entry of `paymentPreferences` (spec §2.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPreference {
    /// `paymentDescriptor`: human label of the selected instrument.
    pub payment_descriptor: Option<String>,
}

/// `providerMetadata` in a response (spec §2.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderMetadata {
    /// `providerReferenceId`: the payment service provider's reference.
    pub provider_reference_id: Option<String>,
}
