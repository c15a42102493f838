//! [`ChargePermission`]: the response of Get, Update and Close Charge Permission.

use serde::{Deserialize, Serialize};

use crate::common::{
    Address, BuyerDetails, ChargePermissionStatusDetails, Limits, MerchantMetadata,
    PaymentMethodOnFileMetadata, PaymentPreference, RecurringMetadata,
};
use crate::enums::{ChargePermissionType, Currency, ReleaseEnvironment};
use crate::ids::ChargePermissionId;
use crate::timestamp::Timestamp;

/// A Charge Permission (spec §2.14): the buyer's consent that funds Charges.
///
/// Key order ([`ChargePermission::KEYS`]) follows the GA sample (SDK-dotnet's test): SDK-node's
/// documented list, with `amazonPayToken` second, as the sample shows it, and
/// `paymentMethodOnFileMetadata` (absent from the sample) last. Every field is written, `null` when
/// unset. Build one with [`ChargePermission::new`] and struct update syntax.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargePermission {
    /// `chargePermissionId`.
    pub charge_permission_id: ChargePermissionId,
    /// `amazonPayToken`: an opaque token seen in GA responses.
    pub amazon_pay_token: Option<String>,
    /// `chargePermissionReferenceId`.
    pub charge_permission_reference_id: Option<String>,
    /// `platformId`: solution-provider id.
    pub platform_id: Option<String>,
    /// `buyer`: null once buyer data is no longer visible (OneTime: 30 days after creation).
    pub buyer: Option<BuyerDetails>,
    /// `shippingAddress`.
    pub shipping_address: Option<Address>,
    /// `billingAddress`.
    pub billing_address: Option<Address>,
    /// `paymentPreferences`: the instrument's label.
    pub payment_preferences: Option<Vec<PaymentPreference>>,
    /// `statusDetails`: state and the list of reasons.
    pub status_details: ChargePermissionStatusDetails,
    /// `creationTimestamp`.
    pub creation_timestamp: Option<Timestamp>,
    /// `expirationTimestamp`: null for permissions that do not expire.
    pub expiration_timestamp: Option<Timestamp>,
    /// `merchantMetadata`.
    pub merchant_metadata: Option<MerchantMetadata>,
    /// `releaseEnvironment`: `Sandbox` or `Live`.
    pub release_environment: Option<ReleaseEnvironment>,
    /// `limits`: `{amountLimit, amountBalance}`.
    pub limits: Option<Limits>,
    /// `chargePermissionType`: `OneTime`, `Recurring` or `PaymentMethodOnFile`.
    pub charge_permission_type: Option<ChargePermissionType>,
    /// `recurringMetadata`: frequency and amount of a Recurring permission.
    pub recurring_metadata: Option<RecurringMetadata>,
    /// `presentmentCurrency`: the currency charges must use.
    pub presentment_currency: Option<Currency>,
    /// `paymentMethodOnFileMetadata`: `{setupOnly}`.
    pub payment_method_on_file_metadata: Option<PaymentMethodOnFileMetadata>,
}

impl ChargePermission {
    /// The response's keys in the order this crate writes them (see the type docs).
    pub const KEYS: &'static [&'static str] = &[
        "chargePermissionId",
        "amazonPayToken",
        "chargePermissionReferenceId",
        "platformId",
        "buyer",
        "shippingAddress",
        "billingAddress",
        "paymentPreferences",
        "statusDetails",
        "creationTimestamp",
        "expirationTimestamp",
        "merchantMetadata",
        "releaseEnvironment",
        "limits",
        "chargePermissionType",
        "recurringMetadata",
        "presentmentCurrency",
        "paymentMethodOnFileMetadata",
    ];

    /// A permission with the given id and status and every other field unset.
    pub fn new(id: ChargePermissionId, status_details: ChargePermissionStatusDetails) -> Self {
        Self {
            charge_permission_id: id,
            amazon_pay_token: None,
            charge_permission_reference_id: None,
            platform_id: None,
            buyer: None,
            shipping_address: None,
            billing_address: None,
            payment_preferences: None,
            status_details,
            creation_timestamp: None,
            expiration_timestamp: None,
            merchant_metadata: None,
            release_environment: None,
            limits: None,
            charge_permission_type: None,
            recurring_metadata: None,
            presentment_currency: None,
            payment_method_on_file_metadata: None,
        }
    }

    /// Shorthand for `status_details.state`.
    pub fn state(&self) -> &crate::enums::ChargePermissionState {
        &self.status_details.state
    }
}
