//! The Checkout Session, its fields and its states (spec §3.1).

use super::{Address, BuyerSelection, PendingResolution};
use crate::clock::Timestamp;
use crate::ids::{CheckoutSessionId, StoreId};
use crate::money::{Currency, Money};

str_enum! {
    /// `productType`.
    pub enum ProductType { PayAndShip = "PayAndShip", PayOnly = "PayOnly", }
}

str_enum! {
    /// `paymentDetails.paymentIntent`.
    pub enum PaymentIntent { Confirm = "Confirm", Authorize = "Authorize", AuthorizeWithCapture = "AuthorizeWithCapture", }
}

str_enum! {
    /// `chargePermissionType`.
    pub enum ChargePermissionType { OneTime = "OneTime", Recurring = "Recurring", PaymentMethodOnFile = "PaymentMethodOnFile", }
}

str_enum! {
    /// `webCheckoutDetails.checkoutMode`.
    pub enum CheckoutMode { ProcessOrder = "ProcessOrder", }
}

str_enum! {
    /// `recurringMetadata.frequency.unit`.
    pub enum FrequencyUnit { Year = "Year", Month = "Month", Week = "Week", Day = "Day", Variable = "Variable", }
}

str_enum! {
    /// Buyer data scopes of Create Checkout Session.
    pub enum BuyerScope {
        Name = "name", Email = "email", PostalCode = "postalCode", ShippingAddress = "shippingAddress",
        PhoneNumber = "phoneNumber", PrimeStatus = "primeStatus", BillingAddress = "billingAddress",
    }
}

/// `merchantMetadata`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MerchantMetadata {
    /// `merchantReferenceId` (≤ 256).
    pub merchant_reference_id: Option<String>,
    /// `merchantStoreName` (≤ 50).
    pub merchant_store_name: Option<String>,
    /// `noteToBuyer` (≤ 255).
    pub note_to_buyer: Option<String>,
    /// `customInformation` (≤ 4096).
    pub custom_information: Option<String>,
}

/// `webCheckoutDetails` as the merchant set it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebCheckoutDetails {
    /// `checkoutReviewReturnUrl`.
    pub checkout_review_return_url: Option<String>,
    /// `checkoutResultReturnUrl`.
    pub checkout_result_return_url: Option<String>,
    /// `checkoutCancelUrl`.
    pub checkout_cancel_url: Option<String>,
    /// `checkoutMode`.
    pub checkout_mode: Option<CheckoutMode>,
}

impl WebCheckoutDetails {
    /// Where a buyer who leaves Amazon's pages without paying goes: `checkoutCancelUrl`, else
    /// back to the merchant's review page (`checkoutReviewReturnUrl`).
    pub fn cancel_target(&self) -> Option<&str> {
        self.checkout_cancel_url
            .as_deref()
            .or(self.checkout_review_return_url.as_deref())
    }
}

/// `paymentDetails`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentDetails {
    /// `paymentIntent`.
    pub payment_intent: Option<PaymentIntent>,
    /// `canHandlePendingAuthorization` (default false).
    pub can_handle_pending_authorization: bool,
    /// `chargeAmount`.
    pub charge_amount: Option<Money>,
    /// `totalOrderAmount`.
    pub total_order_amount: Option<Money>,
    /// `presentmentCurrency`.
    pub presentment_currency: Option<Currency>,
    /// `softDescriptor` (≤ 16, only with `AuthorizeWithCapture`).
    pub soft_descriptor: Option<String>,
    /// `allowOvercharge` (creation only).
    pub allow_overcharge: Option<bool>,
    /// `extendExpiration` (creation only).
    pub extend_expiration: Option<bool>,
}

/// `recurringMetadata.frequency`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frequency {
    /// `unit`.
    pub unit: FrequencyUnit,
    /// `value` (kept as the decimal string; the wire sends strings or numbers).
    pub value: String,
}

/// `recurringMetadata`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecurringMetadata {
    /// `frequency`.
    pub frequency: Option<Frequency>,
    /// `amount`.
    pub amount: Option<Money>,
}

/// A JSON value the emulator stores and echoes without interpreting it (e.g.
/// `deliverySpecifications`), kept as its compact JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpaqueJson(pub String);

/// What the payment step (the page behind `amazonPayRedirectUrl`) left behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentStep {
    /// The buyer has not been through the payment step (or the merchant changed the payment
    /// details afterwards, which requires a new one).
    NotRun,
    /// The payment step ran and the session can be completed.
    Ran {
        /// When.
        at: Timestamp,
        /// The authorization it made.
        authorization: StepAuthorization,
    },
}

/// The authorization the payment step made, which Complete turns into a Charge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepAuthorization {
    /// `Confirm`: nothing was authorized.
    NotNeeded,
    /// Authorized synchronously.
    Approved,
    /// Pending; the Charge will start in `AuthorizationInitiated` and resolve after 30 s.
    Pending {
        /// How it will resolve.
        resolves_to: PendingResolution,
    },
    /// Canceled because the session expired before Complete.
    Canceled,
}

str_enum! {
    /// Why a Checkout Session is `Canceled`.
    pub enum SessionCancelReason {
        BuyerCanceled = "BuyerCanceled", Declined = "Declined", AmazonCanceled = "AmazonCanceled", Expired = "Expired",
    }
}

/// The Checkout Session state (spec §3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// `Open`.
    Open,
    /// `Completed` by Complete or Finalize.
    Completed {
        /// When.
        at: Timestamp,
    },
    /// `Canceled`.
    Canceled {
        /// When.
        at: Timestamp,
        /// Why.
        reason: SessionCancelReason,
    },
}

impl SessionState {
    /// `statusDetails.state`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SessionState::Open => "Open",
            SessionState::Completed { .. } => "Completed",
            SessionState::Canceled { .. } => "Canceled",
        }
    }
}

/// A Checkout Session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutSession {
    /// `checkoutSessionId`.
    pub id: CheckoutSessionId,
    /// `storeId`.
    pub store_id: StoreId,
    /// `webCheckoutDetails` (without the computed `amazonPayRedirectUrl`).
    pub web_checkout_details: WebCheckoutDetails,
    /// `productType`.
    pub product_type: ProductType,
    /// `paymentDetails`.
    pub payment_details: PaymentDetails,
    /// `chargePermissionType`.
    pub charge_permission_type: ChargePermissionType,
    /// `recurringMetadata`.
    pub recurring_metadata: Option<RecurringMetadata>,
    /// `paymentMethodOnFileMetadata.setupOnly`.
    pub setup_only: Option<bool>,
    /// `merchantMetadata`.
    pub merchant_metadata: MerchantMetadata,
    /// `supplementaryData`.
    pub supplementary_data: Option<String>,
    /// `platformId`.
    pub platform_id: Option<String>,
    /// `providerMetadata.providerReferenceId`.
    pub provider_reference_id: Option<String>,
    /// `deliverySpecifications`, echoed.
    pub delivery_specifications: Option<OpaqueJson>,
    /// `scopes` requested at creation.
    pub scopes: Option<Vec<BuyerScope>>,
    /// `addressDetails` (APB `ProcessOrder` with `PayAndShip`).
    pub address_details: Option<Address>,
    /// The buyer's sign-in and selections, once signed in.
    pub buyer: Option<BuyerSelection>,
    /// The payment step's result.
    pub payment_step: PaymentStep,
    /// The state.
    pub state: SessionState,
    /// `creationTimestamp`.
    pub created_at: Timestamp,
    /// `statusDetails.lastUpdatedTimestamp`.
    pub updated_at: Timestamp,
}

impl CheckoutSession {
    /// Whether the session's `scopes` release `scope` of the buyer's data to the merchant, on
    /// every read of the session, its Charge Permission and Finalize's answer.
    ///
    /// `scopes` lists "the buyer details that you're requesting access to" (checkout-session
    /// reference, Create Checkout Session, `scopes`; the Amazon Pay onboarding site's `scopes`
    /// page: `name`, `email`, `phoneNumber` for the buyer's default billing phone number,
    /// `billingAddress`); `buyerId` is always returned, and the shipping address follows the
    /// `productType`, not the scopes. Without scopes (or with an empty list) everything is
    /// released: the onboarding site gives a narrower default for `PayAndShip` (name and email
    /// only), which the emulator does not follow (docs/fidelity.md).
    pub fn releases(&self, scope: BuyerScope) -> bool {
        match &self.scopes {
            Some(list) if !list.is_empty() => list.contains(&scope),
            _ => true,
        }
    }

    /// Whether Complete's answer carries the billing address: only when `scopes` asks for
    /// `billingAddress` (checkout-session reference, Complete Checkout Session response).
    pub fn billing_address_on_complete(&self) -> bool {
        self.scopes
            .as_ref()
            .is_some_and(|l| l.contains(&BuyerScope::BillingAddress))
    }
}
