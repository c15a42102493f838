//! Wire models for Amazon Pay Checkout v2, shared by the `amzpay` SDK (client) and the emulator
//! (server).
//!
//! This crate is serde only: no I/O, no HTTP, no clocks. Every type mirrors a JSON object or value of
//! the API (`spec/amazon-pay-v2.md` §2), and everything is re-exported at the crate root.
//!
//! # Layout
//!
//! Read [`money`] first: [`Price`] and [`Amount`] carry the rules most likely to bite (exact
//! decimals, per-currency scale). Then:
//! - [`checkout_session`], [`charge_permission`], [`charge`], [`refund`], [`buyer`],
//!   [`delivery_tracker`]: the response objects, with their sub-objects in [`common`];
//! - [`requests`]: the request bodies and their `…Input` sub-objects;
//! - [`enums`]: forward-compatible wire enums, including the error vocabulary [`ApiErrorCode`];
//! - [`error`]: the error body [`ErrorResponse`];
//! - [`timestamp`]: [`Timestamp`], written `yyyyMMddTHHmmssZ`;
//! - [`ids`]: lenient id newtypes.
//!
//! # Conventions
//!
//! - **Responses are lenient and complete.** Unknown fields are ignored; every field the API can
//!   return as `null` is an `Option`; serialization writes every field (`null` when unset) in the
//!   documented key order (e.g. [`CheckoutSession::KEYS`]).
//! - **Requests are strict and sparse.** `deny_unknown_fields`; optional fields are `Option` and are
//!   left out when `None`.
//! - **Enums never fail to parse.** Each is `#[non_exhaustive]` with an `Unknown(String)` variant
//!   that keeps the wire value, so a value Amazon adds tomorrow round-trips unchanged.
//! - **No floating point.** Amounts are read from JSON strings or numbers by their exact text.
//!
//! # Decisions where the spec is silent
//!
//! - **Required response fields.** A response object's own id (and a Charge's
//!   `chargePermissionId`, a Refund's `chargeId`, Get Buyer's `buyerId`) and its `statusDetails`
//!   (with `state`) are not `Option`: the API always returns them. Every other response field is.
//!   Build responses with `new(id, status)` and struct update syntax.
//! - **One [`ReasonCode`] enum** serves all four objects, because their vocabularies overlap;
//!   [`StatusDetails`] is generic over the state enum ([`CheckoutSessionStatusDetails`],
//!   [`ChargeStatusDetails`], [`RefundStatusDetails`]).
//! - **Charge Permission key order** follows the GA sample: `amazonPayToken` second,
//!   `paymentMethodOnFileMetadata` (absent from the sample) last ([`ChargePermission::KEYS`]).
//!   [`Refund::KEYS`] follows the documented list, not the sample's order.
//! - **Charge** has only the documented keys; `captureNow` and `canHandlePendingAuthorization`
//!   (SDK-dotnet only) are ignored when read.
//! - **Undocumented Checkout Session keys** `orderType`, `merchantDetails` and `tokens` are kept as
//!   raw `serde_json::Value`; `cartDetails`, `shippingAddressList` and
//!   `multiAddressesCheckoutMetadata` are ignored when read.
//! - **Request-side sub-objects** are separate `…Input` types (strict, sparse), except
//!   [`DeliverySpecifications`] and [`DeliveryDetail`], which the API only echoes: they are shared,
//!   lenient, and omit unset fields. [`Price`] is shared too and ignores unknown keys.
//! - **Amounts**: exponents (`1e2`) are rejected; decimal places are counted as written, so
//!   `"705.00"` JPY is an error; zero is allowed, negatives are not; minor units must fit `i64`.
//!   An unknown currency's exponent comes from ISO 4217 (0 for KRW, 3 for KWD), else 2.
//! - **`frequency.value` and `conversionRate`** are kept as exact text (`Option<String>`), read from
//!   a string or a number and written as a string.
//! - **`closureReason` and `cancellationReason`** are required; Complete's `chargeAmount` is not (the
//!   server decides when it is needed).
//! - **Unknown enum values** log a `tracing::warn!` when deserialized, not when built in code.
//! - **[`ApiErrorCode`]** has no HTTP status method: mapping codes to statuses is the server's job
//!   (style rule 15); the statuses are in each variant's docs.
//!
//! # Examples
//!
//! Build a request body:
//!
//! ```
//! use amzpay_types::{
//!     CreateCheckoutSessionRequest, Currency, PaymentDetailsInput, PaymentIntent, Price,
//!     WebCheckoutDetailsInput,
//! };
//!
//! let request = CreateCheckoutSessionRequest {
//!     store_id: "amzn1.application-oa2-client.8b5e45312b5248b69eeaStoreId".into(),
//!     web_checkout_details: WebCheckoutDetailsInput {
//!         checkout_review_return_url: Some("https://shop.example/review".into()),
//!         ..Default::default()
//!     },
//!     payment_details: Some(PaymentDetailsInput {
//!         payment_intent: Some(PaymentIntent::Authorize),
//!         charge_amount: Some(Price::from_minor_units(1400, Currency::Usd)?),
//!         ..Default::default()
//!     }),
//!     ..Default::default()
//! };
//!
//! // Only what is set is sent, and amounts are strings with the currency's scale.
//! assert_eq!(
//!     serde_json::to_string(&request)?,
//!     r#"{"webCheckoutDetails":{"checkoutReviewReturnUrl":"https://shop.example/review"},"storeId":"amzn1.application-oa2-client.8b5e45312b5248b69eeaStoreId","paymentDetails":{"paymentIntent":"Authorize","chargeAmount":{"amount":"14.00","currencyCode":"USD"}}}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Parse a response:
//!
//! ```
//! use amzpay_types::{CheckoutSession, CheckoutSessionState, ChargePermissionType, ReasonCode};
//!
//! let body = r#"{
//!     "checkoutSessionId": "bd504926-f659-4ad7-a1a9-9a747aaf5275",
//!     "statusDetails": {
//!         "state": "Completed",
//!         "reasonCode": null,
//!         "reasonDescription": null,
//!         "lastUpdatedTimestamp": "20191015T204327Z"
//!     },
//!     "chargePermissionType": "PaymentMethodOnFile",
//!     "chargePermissionId": "BA01-5105180-3221187",
//!     "chargeId": null,
//!     "someFieldFromTheFuture": 42
//! }"#;
//!
//! let session: CheckoutSession = serde_json::from_str(body)?;
//! assert_eq!(session.state(), &CheckoutSessionState::Completed);
//! assert_eq!(session.charge_permission_type, Some(ChargePermissionType::PaymentMethodOnFile));
//! assert_eq!(session.charge_permission_id.as_ref().map(|id| id.as_str()), Some("BA01-5105180-3221187"));
//! assert!(session.charge_id.is_none());
//!
//! // Unknown enum values are kept, not rejected.
//! assert_eq!(ReasonCode::from("SomethingNew"), ReasonCode::Unknown("SomethingNew".into()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[macro_use]
mod macros;

pub mod buyer;
pub mod charge;
pub mod charge_permission;
pub mod checkout_session;
pub mod common;
pub mod delivery_tracker;
pub mod enums;
pub mod error;
pub mod ids;
pub mod money;
pub mod refund;
pub mod requests;
mod serde_helpers;
pub mod timestamp;

pub use buyer::Buyer;
pub use charge::Charge;
pub use charge_permission::ChargePermission;
pub use checkout_session::CheckoutSession;
pub use common::{
    Address, AddressRestrictions, BuyerDetails, ChargePermissionStatusDetails, ChargeStatusDetails,
    CheckoutSessionStatusDetails, Constraint, DeliverySpecifications, Frequency, Limits,
    MerchantMetadata, PaymentDetails, PaymentMethodOnFileMetadata, PaymentPreference,
    ProviderMetadata, RecurringMetadata, RefundStatusDetails, Restriction, StatusDetails,
    StatusReason, WebCheckoutDetails,
};
pub use delivery_tracker::{DeliveryDetail, DeliveryTracker};
pub use enums::{
    AddressRestrictionType, ApiErrorCode, Channel, ChargeInitiator, ChargePermissionState,
    ChargePermissionType, ChargeState, CheckoutMode, CheckoutSessionState, ConstraintId, Currency,
    FrequencyUnit, PaymentIntent, ProductType, ReasonCode, RefundState, ReleaseEnvironment, Scope,
    SpecialRestriction,
};
pub use error::ErrorResponse;
pub use ids::{
    BuyerId, BuyerToken, ChargeId, ChargePermissionId, CheckoutSessionId, MerchantId, RefundId,
    StoreId,
};
pub use money::{Amount, AmountError, Price};
pub use refund::Refund;
pub use requests::{
    AddressDetails, AddressInput, CancelChargeRequest, CaptureChargeRequest,
    CloseChargePermissionRequest, CompleteCheckoutSessionRequest, CreateChargeRequest,
    CreateCheckoutSessionRequest, CreateDeliveryTrackerRequest, CreateRefundRequest,
    FinalizeCheckoutSessionRequest, FrequencyInput, MerchantMetadataInput,
    MultiAddressCheckoutMetadata, PaymentDetailsInput, PaymentMethodOnFileMetadataInput,
    ProviderMetadataInput, RecurringMetadataInput, UpdateChargePermissionRequest,
    UpdateCheckoutSessionRequest, WebCheckoutDetailsInput,
};
pub use timestamp::{Timestamp, TimestampError};
