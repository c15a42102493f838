//! [`CheckoutSession`]: the response of Create, Get, Update, Complete and Finalize Checkout Session.

use serde::{Deserialize, Serialize};

use crate::common::{
    Address, BuyerDetails, CheckoutSessionStatusDetails, Constraint, DeliverySpecifications,
    MerchantMetadata, PaymentDetails, PaymentMethodOnFileMetadata, PaymentPreference,
    ProviderMetadata, RecurringMetadata, WebCheckoutDetails,
};
use crate::enums::{ChargePermissionType, ProductType, ReleaseEnvironment};
use crate::ids::{ChargeId, ChargePermissionId, CheckoutSessionId, StoreId};
use crate::timestamp::Timestamp;

/// A Checkout Session (spec §2.3).
///
/// Fields are declared, and therefore serialized, in exactly the key order the live API returns and
/// SDK-node asserts ([`CheckoutSession::KEYS`]). Every field is written, `null` when unset.
/// Keys Amazon returns only for other products (`cartDetails` on Finalize, `shippingAddressList`,
/// `multiAddressesCheckoutMetadata`) are ignored when read.
/// Build one with [`CheckoutSession::new`] and struct update syntax.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSession {
    /// `checkoutSessionId`.
    pub checkout_session_id: CheckoutSessionId,
    /// `webCheckoutDetails`: return URLs and the payment-step redirect.
    pub web_checkout_details: Option<WebCheckoutDetails>,
    /// `productType`: `PayAndShip` or `PayOnly`.
    pub product_type: Option<ProductType>,
    /// `paymentDetails`: intent and amounts.
    pub payment_details: Option<PaymentDetails>,
    /// `chargePermissionType`: `OneTime`, `Recurring` or `PaymentMethodOnFile`.
    pub charge_permission_type: Option<ChargePermissionType>,
    /// `orderType`: undocumented (spec §13.12), kept as raw JSON.
    pub order_type: Option<serde_json::Value>,
    /// `recurringMetadata`: frequency and amount of a Recurring session.
    pub recurring_metadata: Option<RecurringMetadata>,
    /// `paymentMethodOnFileMetadata`: `{setupOnly}`.
    pub payment_method_on_file_metadata: Option<PaymentMethodOnFileMetadata>,
    /// `merchantDetails`: undocumented (spec §13.12), kept as raw JSON.
    pub merchant_details: Option<serde_json::Value>,
    /// `merchantMetadata`: the merchant's order reference and notes.
    pub merchant_metadata: Option<MerchantMetadata>,
    /// `supplementaryData`: free text echoed back; must be repeated in Finalize if set.
    pub supplementary_data: Option<String>,
    /// `buyer`: only returned while the session is `Open`.
    pub buyer: Option<BuyerDetails>,
    /// `billingAddress`.
    pub billing_address: Option<Address>,
    /// `paymentPreferences`: the selected instrument's label.
    pub payment_preferences: Option<Vec<PaymentPreference>>,
    /// `statusDetails`: state and reason.
    pub status_details: CheckoutSessionStatusDetails,
    /// `shippingAddress`: null for `PayOnly`.
    pub shipping_address: Option<Address>,
    /// `platformId`: solution-provider id.
    pub platform_id: Option<String>,
    /// `chargePermissionId`: set after Complete/Finalize.
    pub charge_permission_id: Option<ChargePermissionId>,
    /// `chargeId`: set after Complete/Finalize when a charge was created.
    pub charge_id: Option<ChargeId>,
    /// `constraints`: what still blocks the payment step; `[]` when nothing does.
    pub constraints: Option<Vec<Constraint>>,
    /// `creationTimestamp`.
    pub creation_timestamp: Option<Timestamp>,
    /// `expirationTimestamp`: creation + 24 h.
    pub expiration_timestamp: Option<Timestamp>,
    /// `storeId`.
    pub store_id: Option<StoreId>,
    /// `providerMetadata`: `{providerReferenceId}`.
    pub provider_metadata: Option<ProviderMetadata>,
    /// `releaseEnvironment`: `Sandbox` or `Live`.
    pub release_environment: Option<ReleaseEnvironment>,
    /// `checkoutButtonText`: undocumented (spec §13.12).
    pub checkout_button_text: Option<String>,
    /// `deliverySpecifications`: address restrictions for the hosted picker.
    pub delivery_specifications: Option<DeliverySpecifications>,
    /// `tokens`: undocumented (spec §13.12), kept as raw JSON.
    pub tokens: Option<serde_json::Value>,
}

impl CheckoutSession {
    /// The response's keys in the order the API returns them (spec §2.3).
    pub const KEYS: &'static [&'static str] = &[
        "checkoutSessionId",
        "webCheckoutDetails",
        "productType",
        "paymentDetails",
        "chargePermissionType",
        "orderType",
        "recurringMetadata",
        "paymentMethodOnFileMetadata",
        "merchantDetails",
        "merchantMetadata",
        "supplementaryData",
        "buyer",
        "billingAddress",
        "paymentPreferences",
        "statusDetails",
        "shippingAddress",
        "platformId",
        "chargePermissionId",
        "chargeId",
        "constraints",
        "creationTimestamp",
        "expirationTimestamp",
        "storeId",
        "providerMetadata",
        "releaseEnvironment",
        "checkoutButtonText",
        "deliverySpecifications",
        "tokens",
    ];

    /// A session with the given id and status and every other field unset.
    pub fn new(id: CheckoutSessionId, status_details: CheckoutSessionStatusDetails) -> Self {
        Self {
            checkout_session_id: id,
            web_checkout_details: None,
            product_type: None,
            payment_details: None,
            charge_permission_type: None,
            order_type: None,
            recurring_metadata: None,
            payment_method_on_file_metadata: None,
            merchant_details: None,
            merchant_metadata: None,
            supplementary_data: None,
            buyer: None,
            billing_address: None,
            payment_preferences: None,
            status_details,
            shipping_address: None,
            platform_id: None,
            charge_permission_id: None,
            charge_id: None,
            constraints: None,
            creation_timestamp: None,
            expiration_timestamp: None,
            store_id: None,
            provider_metadata: None,
            release_environment: None,
            checkout_button_text: None,
            delivery_specifications: None,
            tokens: None,
        }
    }

    /// Shorthand for `status_details.state`.
    pub fn state(&self) -> &crate::enums::CheckoutSessionState {
        &self.status_details.state
    }

    /// `webCheckoutDetails.amazonPayRedirectUrl`, when set.
    pub fn amazon_pay_redirect_url(&self) -> Option<&str> {
        self.web_checkout_details
            .as_ref()?
            .amazon_pay_redirect_url
            .as_deref()
    }
}
