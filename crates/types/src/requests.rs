//! Request bodies (spec §2.11-§2.19) and the request-side sub-objects (suffix `Input`).
//!
//! Every type here is strict and sparse:
//! - `#[serde(deny_unknown_fields)]`: an unknown key is a deserialization error (the emulator
//!   answers it with `UnrecognizedField`), and a missing required key is one too (the emulator
//!   answers `MissingParameterValue`);
//! - optional fields are `Option` and are omitted when `None`, so the SDK sends only what is set.
//!
//! Bodies whose required fields all have a sensible default derive `Default` (write
//! `CreateCheckoutSessionRequest { store_id, web_checkout_details, ..Default::default() }`);
//! the others have a `new` with the required fields (write
//! `CreateChargeRequest { capture_now: Some(true), ..CreateChargeRequest::new(id, amount) }`).
//!
//! `Input` types exist because the same objects follow different rules in responses (lenient, every
//! key written) and requests (strict, only set keys written), and because some response fields are
//! read-only (`amazonPayRedirectUrl`).

use serde::{Deserialize, Serialize};

use crate::common::DeliverySpecifications;
use crate::delivery_tracker::DeliveryDetail;
use crate::enums::{
    Channel, ChargeInitiator, ChargePermissionType, CheckoutMode, Currency, FrequencyUnit,
    PaymentIntent, Scope,
};
use crate::ids::{ChargeId, ChargePermissionId, StoreId};
use crate::money::Price;

/// `webCheckoutDetails` in a request (spec §2.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebCheckoutDetailsInput {
    /// `checkoutReviewReturnUrl`: required on create unless `checkoutMode` is `ProcessOrder`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_review_return_url: Option<String>,
    /// `checkoutResultReturnUrl`: where the buyer lands after the payment step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_result_return_url: Option<String>,
    /// `checkoutCancelUrl`: where Amazon sends a buyer who cancels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_cancel_url: Option<String>,
    /// `checkoutMode`: `ProcessOrder` for the Additional Payment Button.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_mode: Option<CheckoutMode>,
}

/// `paymentDetails` in a request (spec §2.5).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentDetailsInput {
    /// `paymentIntent`: `Confirm`, `Authorize` or `AuthorizeWithCapture`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_intent: Option<PaymentIntent>,
    /// `canHandlePendingAuthorization`: allow asynchronous authorization (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_handle_pending_authorization: Option<bool>,
    /// `chargeAmount`: the amount processed at checkout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_amount: Option<Price>,
    /// `totalOrderAmount`: the full order amount when more is charged later.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_order_amount: Option<Price>,
    /// `softDescriptor`: statement text, ≤ 16 characters, `AuthorizeWithCapture` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soft_descriptor: Option<String>,
    /// `presentmentCurrency`: creation time only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentment_currency: Option<Currency>,
    /// `allowOvercharge`: invite-only, creation time only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_overcharge: Option<bool>,
    /// `extendExpiration`: invite-only, creation time only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extend_expiration: Option<bool>,
    /// `estimateOrderTotal`: modelled by SDK-dotnet, undocumented; accepted so its requests parse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate_order_total: Option<Price>,
}

/// `merchantMetadata` in a request (spec §2.6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MerchantMetadataInput {
    /// `merchantReferenceId` (≤ 256 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_reference_id: Option<String>,
    /// `merchantStoreName` (≤ 50 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_store_name: Option<String>,
    /// `noteToBuyer` (≤ 255 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_to_buyer: Option<String>,
    /// `customInformation` (≤ 4096 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_information: Option<String>,
}

/// `recurringMetadata` in a request (spec §2.8).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecurringMetadataInput {
    /// `frequency`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<FrequencyInput>,
    /// `amount`: the amount charged each period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Price>,
}

/// `recurringMetadata.frequency` in a request (spec §2.8).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FrequencyInput {
    /// `unit`: `Year`, `Month`, `Week`, `Day` or `Variable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<FrequencyUnit>,
    /// `value`: read from a string or an integer, written as a string.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_helpers::opt_string_or_number"
    )]
    pub value: Option<String>,
}

impl FrequencyInput {
    /// `{unit, value}` with the value written as a string.
    pub fn new(unit: FrequencyUnit, value: u32) -> Self {
        Self {
            unit: Some(unit),
            value: Some(value.to_string()),
        }
    }
}

/// `providerMetadata` in a request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderMetadataInput {
    /// `providerReferenceId`: the payment service provider's reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_reference_id: Option<String>,
}

/// `paymentMethodOnFileMetadata` in a request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentMethodOnFileMetadataInput {
    /// `setupOnly`: save the wallet without charging.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_only: Option<bool>,
}

/// `addressDetails` on Create Checkout Session with `ProcessOrder` and `PayAndShip` (spec §2.2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressDetails {
    /// `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `addressLine1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    /// `addressLine2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    /// `addressLine3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<String>,
    /// `city`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// `districtOrCounty`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district_or_county: Option<String>,
    /// `stateOrRegion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_or_region: Option<String>,
    /// `postalCode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// `countryCode`: ISO 3166-1 alpha-2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// `phoneNumber`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// An address in a request with the response [`crate::Address`] shape: Finalize's
/// `shippingAddress` and `billingAddress` (spec §2.13).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressInput {
    /// `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `addressLine1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    /// `addressLine2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    /// `addressLine3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<String>,
    /// `city`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// `county`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    /// `district`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// `stateOrRegion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_or_region: Option<String>,
    /// `postalCode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// `countryCode`: ISO 3166-1 alpha-2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// `phoneNumber`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// One entry of `multiAddressesCheckoutMetadata` on Update Checkout Session (spec §2.12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MultiAddressCheckoutMetadata {
    /// `addressId`: an id from `shippingAddressList`.
    pub address_id: String,
    /// `price`: the amount shipped to that address.
    pub price: Price,
}

/// Body of Create Checkout Session, and of the button payload (spec §2.11).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCheckoutSessionRequest {
    /// `webCheckoutDetails` (required).
    pub web_checkout_details: WebCheckoutDetailsInput,
    /// `storeId` (required).
    pub store_id: StoreId,
    /// `scopes`: buyer data the merchant asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<Scope>>,
    /// `chargePermissionType`: `OneTime` (default), `Recurring` or `PaymentMethodOnFile`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_permission_type: Option<ChargePermissionType>,
    /// `recurringMetadata`: required for `Recurring`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurring_metadata: Option<RecurringMetadataInput>,
    /// `paymentMethodOnFileMetadata`: `{setupOnly}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method_on_file_metadata: Option<PaymentMethodOnFileMetadataInput>,
    /// `paymentDetails`: required with `checkoutMode` `ProcessOrder`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_details: Option<PaymentDetailsInput>,
    /// `merchantMetadata`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_metadata: Option<MerchantMetadataInput>,
    /// `supplementaryData`: free text echoed back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplementary_data: Option<String>,
    /// `platformId`: solution-provider id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_id: Option<String>,
    /// `providerMetadata`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_metadata: Option<ProviderMetadataInput>,
    /// `deliverySpecifications`: address restrictions for the hosted picker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_specifications: Option<DeliverySpecifications>,
    /// `addressDetails`: required with `ProcessOrder` and `PayAndShip`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_details: Option<AddressDetails>,
    /// `chargePermissionId`: reuse an existing `PaymentMethodOnFile` permission (saved wallet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_permission_id: Option<ChargePermissionId>,
}

/// Body of Update Checkout Session (spec §2.12): only the supplied children change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateCheckoutSessionRequest {
    /// `webCheckoutDetails`: result and cancel URLs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_checkout_details: Option<WebCheckoutDetailsInput>,
    /// `paymentDetails`: intent and amounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_details: Option<PaymentDetailsInput>,
    /// `merchantMetadata`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_metadata: Option<MerchantMetadataInput>,
    /// `supplementaryData`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplementary_data: Option<String>,
    /// `platformId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_id: Option<String>,
    /// `providerMetadata`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_metadata: Option<ProviderMetadataInput>,
    /// `chargePermissionType`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_permission_type: Option<ChargePermissionType>,
    /// `recurringMetadata`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurring_metadata: Option<RecurringMetadataInput>,
    /// `multiAddressesCheckoutMetadata`: per-address amounts for multi-address checkout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_addresses_checkout_metadata: Option<Vec<MultiAddressCheckoutMetadata>>,
}

/// Body of Complete Checkout Session (spec §2.13, design.md §3).
///
/// Both fields are optional on the wire: setup-only and `Confirm`-with-`recurringMetadata` sessions
/// complete with `{}`. The server decides when they are required.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompleteCheckoutSessionRequest {
    /// `chargeAmount`: must equal the session's `paymentDetails.chargeAmount`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_amount: Option<Price>,
    /// `totalOrderAmount`: must equal the session's, when the session has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_order_amount: Option<Price>,
}

impl CompleteCheckoutSessionRequest {
    /// `{chargeAmount}`.
    pub fn new(charge_amount: Price) -> Self {
        Self {
            charge_amount: Some(charge_amount),
            total_order_amount: None,
        }
    }
}

/// Body of Finalize Checkout Session (spec §2.13).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FinalizeCheckoutSessionRequest {
    /// `paymentIntent` (required).
    pub payment_intent: PaymentIntent,
    /// `chargeAmount` (required).
    pub charge_amount: Price,
    /// `totalOrderAmount`: must be repeated if the session has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_order_amount: Option<Price>,
    /// `canHandlePendingAuthorization`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_handle_pending_authorization: Option<bool>,
    /// `supplementaryData`: must match the session's if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplementary_data: Option<String>,
    /// `shippingAddress`: required for `PayAndShip`; must equal Amazon's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<AddressInput>,
    /// `billingAddress`: required for `PayOnly`; must equal Amazon's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<AddressInput>,
}

impl FinalizeCheckoutSessionRequest {
    /// A body with the required fields and nothing else.
    pub fn new(payment_intent: PaymentIntent, charge_amount: Price) -> Self {
        Self {
            payment_intent,
            charge_amount,
            total_order_amount: None,
            can_handle_pending_authorization: None,
            supplementary_data: None,
            shipping_address: None,
            billing_address: None,
        }
    }
}

/// Body of Update Charge Permission (spec §2.17).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateChargePermissionRequest {
    /// `merchantMetadata`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_metadata: Option<MerchantMetadataInput>,
    /// `recurringMetadata`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurring_metadata: Option<RecurringMetadataInput>,
}

/// Body of Close Charge Permission (spec §2.17), sent with `DELETE`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloseChargePermissionRequest {
    /// `closureReason` (required, ≤ 255 characters).
    pub closure_reason: String,
    /// `cancelPendingCharges`: also cancel charges still `AuthorizationInitiated`/`Authorized`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_pending_charges: Option<bool>,
}

impl CloseChargePermissionRequest {
    /// `{closureReason}`.
    pub fn new(closure_reason: impl Into<String>) -> Self {
        Self {
            closure_reason: closure_reason.into(),
            cancel_pending_charges: None,
        }
    }
}

/// Body of Create Charge (spec §2.15).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateChargeRequest {
    /// `chargePermissionId` (required): must be `Chargeable`.
    pub charge_permission_id: ChargePermissionId,
    /// `chargeAmount` (required).
    pub charge_amount: Price,
    /// `captureNow`: capture immediately (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture_now: Option<bool>,
    /// `softDescriptor`: ≤ 16 characters; only meaningful with `captureNow`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soft_descriptor: Option<String>,
    /// `canHandlePendingAuthorization` (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_handle_pending_authorization: Option<bool>,
    /// `merchantMetadata`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_metadata: Option<MerchantMetadataInput>,
    /// `platformId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_id: Option<String>,
    /// `providerMetadata`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_metadata: Option<ProviderMetadataInput>,
    /// `chargeInitiator`: `CITU`, `MITU`, `CITR`, `MITR`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_initiator: Option<ChargeInitiator>,
    /// `channel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// `webCheckoutDetails`: `checkoutResultReturnUrl` for saved-wallet flows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_checkout_details: Option<WebCheckoutDetailsInput>,
}

impl CreateChargeRequest {
    /// A body with the required fields and nothing else.
    pub fn new(charge_permission_id: ChargePermissionId, charge_amount: Price) -> Self {
        Self {
            charge_permission_id,
            charge_amount,
            capture_now: None,
            soft_descriptor: None,
            can_handle_pending_authorization: None,
            merchant_metadata: None,
            platform_id: None,
            provider_metadata: None,
            charge_initiator: None,
            channel: None,
            web_checkout_details: None,
        }
    }
}

/// Body of Capture Charge (spec §2.15).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaptureChargeRequest {
    /// `captureAmount` (required).
    pub capture_amount: Price,
    /// `softDescriptor`: ≤ 16 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soft_descriptor: Option<String>,
}

impl CaptureChargeRequest {
    /// `{captureAmount}`.
    pub fn new(capture_amount: Price) -> Self {
        Self {
            capture_amount,
            soft_descriptor: None,
        }
    }
}

/// Body of Cancel Charge (spec §2.15), sent with `DELETE`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelChargeRequest {
    /// `cancellationReason` (required, ≤ 255 characters).
    pub cancellation_reason: String,
}

impl CancelChargeRequest {
    /// `{cancellationReason}`.
    pub fn new(cancellation_reason: impl Into<String>) -> Self {
        Self {
            cancellation_reason: cancellation_reason.into(),
        }
    }
}

/// Body of Create Refund (spec §2.16).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRefundRequest {
    /// `chargeId` (required): must be `Captured`.
    pub charge_id: ChargeId,
    /// `refundAmount` (required).
    pub refund_amount: Price,
    /// `softDescriptor`: ≤ 16 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soft_descriptor: Option<String>,
}

impl CreateRefundRequest {
    /// `{chargeId, refundAmount}`.
    pub fn new(charge_id: ChargeId, refund_amount: Price) -> Self {
        Self {
            charge_id,
            refund_amount,
            soft_descriptor: None,
        }
    }
}

/// Body of Create Delivery Tracker (spec §2.19).
///
/// Exactly one of `chargePermissionId` and `amazonOrderReferenceId` should be set; the server checks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDeliveryTrackerRequest {
    /// `chargePermissionId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_permission_id: Option<ChargePermissionId>,
    /// `amazonOrderReferenceId`: the v1 alternative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amazon_order_reference_id: Option<String>,
    /// `deliveryDetails` (required): the shipments.
    pub delivery_details: Vec<DeliveryDetail>,
}

impl CreateDeliveryTrackerRequest {
    /// Tracking for a Charge Permission.
    pub fn new(
        charge_permission_id: ChargePermissionId,
        delivery_details: Vec<DeliveryDetail>,
    ) -> Self {
        Self {
            charge_permission_id: Some(charge_permission_id),
            amazon_order_reference_id: None,
            delivery_details,
        }
    }
}
