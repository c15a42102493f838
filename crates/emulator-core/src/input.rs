//! Command inputs (what a request means, already converted from the wire DTO) and the field
//! rules of spec §4.1 that apply to a whole Checkout Session.
//!
//! The edge converts amounts with [`crate::Money::parse_decimal`] and enums with their `parse`
//! functions; everything that depends on more than one field, on the merchant or on the state
//! is checked here.

use crate::error::FieldError;
use crate::ids::StoreId;
use crate::limits::own;
use crate::model::{
    Address, BuyerScope, Channel, ChargeInitiator, ChargePermissionType, CheckoutMode,
    CheckoutSession, Environment, Instrument, MerchantMetadata, OpaqueJson, PaymentIntent,
    ProductType, RecurringMetadata, Region, WebCheckoutDetails,
};
use crate::money::{Currency, Money};

/// The merchant a command runs for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantContext {
    /// The merchant id.
    pub merchant_id: crate::ids::MerchantId,
    /// The merchant's store.
    pub store_id: StoreId,
    /// Region.
    pub region: Region,
    /// Environment of the key (and of the request).
    pub environment: Environment,
}

/// `paymentDetails` of Create, or the supplied children of Update.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentDetailsInput {
    /// `paymentIntent`.
    pub payment_intent: Option<PaymentIntent>,
    /// `canHandlePendingAuthorization`.
    pub can_handle_pending_authorization: Option<bool>,
    /// `chargeAmount`.
    pub charge_amount: Option<Money>,
    /// `totalOrderAmount`.
    pub total_order_amount: Option<Money>,
    /// `presentmentCurrency` (creation only).
    pub presentment_currency: Option<Currency>,
    /// `softDescriptor`.
    pub soft_descriptor: Option<String>,
    /// `allowOvercharge` (creation only).
    pub allow_overcharge: Option<bool>,
    /// `extendExpiration` (creation only).
    pub extend_expiration: Option<bool>,
}

/// Create Checkout Session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewCheckoutSession {
    /// `storeId` (must be the merchant's).
    pub store_id: String,
    /// `webCheckoutDetails`.
    pub web_checkout_details: WebCheckoutDetails,
    /// `productType` (default `PayAndShip`).
    pub product_type: Option<ProductType>,
    /// `paymentDetails`.
    pub payment_details: Option<PaymentDetailsInput>,
    /// `chargePermissionType` (default `OneTime`).
    pub charge_permission_type: Option<ChargePermissionType>,
    /// `recurringMetadata`.
    pub recurring_metadata: Option<RecurringMetadata>,
    /// `paymentMethodOnFileMetadata.setupOnly`.
    pub setup_only: Option<bool>,
    /// `merchantMetadata`.
    pub merchant_metadata: Option<MerchantMetadata>,
    /// `supplementaryData`.
    pub supplementary_data: Option<String>,
    /// `platformId`.
    pub platform_id: Option<String>,
    /// `providerMetadata.providerReferenceId`.
    pub provider_reference_id: Option<String>,
    /// `deliverySpecifications`.
    pub delivery_specifications: Option<OpaqueJson>,
    /// `scopes`.
    pub scopes: Option<Vec<BuyerScope>>,
    /// `addressDetails`.
    pub address_details: Option<Address>,
    /// `chargePermissionId` (saved-wallet checkout; not supported yet).
    pub charge_permission_id: Option<String>,
}

/// Update Checkout Session: only the supplied (non-null) children change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionUpdate {
    /// `webCheckoutDetails` children.
    pub web_checkout_details: Option<WebCheckoutDetails>,
    /// `paymentDetails` children.
    pub payment_details: Option<PaymentDetailsInput>,
    /// `merchantMetadata` children.
    pub merchant_metadata: Option<MerchantMetadata>,
    /// `supplementaryData`.
    pub supplementary_data: Option<String>,
    /// `platformId`.
    pub platform_id: Option<String>,
    /// `providerMetadata.providerReferenceId`.
    pub provider_reference_id: Option<String>,
    /// `chargePermissionType`.
    pub charge_permission_type: Option<ChargePermissionType>,
    /// `recurringMetadata`.
    pub recurring_metadata: Option<RecurringMetadata>,
}

/// Complete Checkout Session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompleteRequest {
    /// `chargeAmount`.
    pub charge_amount: Option<Money>,
    /// `totalOrderAmount`.
    pub total_order_amount: Option<Money>,
}

/// Finalize Checkout Session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinalizeRequest {
    /// `paymentIntent` (required).
    pub payment_intent: PaymentIntent,
    /// `chargeAmount` (required).
    pub charge_amount: Money,
    /// `totalOrderAmount`.
    pub total_order_amount: Option<Money>,
    /// `canHandlePendingAuthorization`.
    pub can_handle_pending_authorization: Option<bool>,
    /// `supplementaryData` (must repeat the session's).
    pub supplementary_data: Option<String>,
    /// `shippingAddress` (PayAndShip: required, must equal the buyer's choice).
    pub shipping_address: Option<Address>,
    /// `billingAddress` (PayOnly: required, must equal the buyer's choice).
    pub billing_address: Option<Address>,
}

/// A test buyer signing in on the hosted page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignIn {
    /// Buyer name.
    pub name: String,
    /// Buyer email.
    pub email: String,
    /// Buyer phone.
    pub phone_number: Option<String>,
    /// Shipping address (used for `PayAndShip`).
    pub shipping_address: Address,
    /// Billing address.
    pub billing_address: Address,
    /// The instrument (default: the success card `1111`).
    pub instrument: Option<Instrument>,
}

impl SignIn {
    /// The default test buyer: Test Buyer in Seattle.
    pub fn test_buyer() -> SignIn {
        let address = Address {
            name: Some("Test Buyer".to_owned()),
            address_line1: Some("410 Terry Ave N".to_owned()),
            city: Some("Seattle".to_owned()),
            state_or_region: Some("WA".to_owned()),
            postal_code: Some("98109".to_owned()),
            country_code: Some("US".to_owned()),
            phone_number: Some("800-000-0000".to_owned()),
            ..Address::default()
        };
        SignIn {
            name: "Test Buyer".to_owned(),
            email: "buyer@example.com".to_owned(),
            phone_number: Some("800-000-0000".to_owned()),
            shipping_address: address.clone(),
            billing_address: address,
            instrument: None,
        }
    }
}

/// The buyer changes the instrument and/or the shipping address on the hosted page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choose {
    /// New instrument.
    pub instrument: Option<Instrument>,
    /// New shipping address.
    pub shipping_address: Option<Address>,
}

/// Create Charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCharge {
    /// `chargeAmount`.
    pub charge_amount: Money,
    /// `captureNow` (default false).
    pub capture_now: bool,
    /// `canHandlePendingAuthorization` (default false).
    pub can_handle_pending_authorization: bool,
    /// `softDescriptor` (≤ 16).
    pub soft_descriptor: Option<String>,
    /// `merchantMetadata`.
    pub merchant_metadata: MerchantMetadata,
    /// `platformId`.
    pub platform_id: Option<String>,
    /// `providerMetadata.providerReferenceId`.
    pub provider_reference_id: Option<String>,
    /// `chargeInitiator`.
    pub charge_initiator: Option<ChargeInitiator>,
    /// `channel`.
    pub channel: Option<Channel>,
}

impl NewCharge {
    /// A charge of `amount` with every option at its default.
    pub fn of(amount: Money) -> NewCharge {
        NewCharge {
            charge_amount: amount,
            capture_now: false,
            can_handle_pending_authorization: false,
            soft_descriptor: None,
            merchant_metadata: MerchantMetadata::default(),
            platform_id: None,
            provider_reference_id: None,
            charge_initiator: None,
            channel: None,
        }
    }
}

/// Capture Charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureRequest {
    /// `captureAmount`.
    pub capture_amount: Money,
    /// `softDescriptor` (≤ 16).
    pub soft_descriptor: Option<String>,
}

/// Create Refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRefund {
    /// `refundAmount`.
    pub refund_amount: Money,
    /// `softDescriptor` (≤ 16).
    pub soft_descriptor: Option<String>,
}

/// Update Charge Permission: only the supplied children change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PermissionUpdate {
    /// `merchantMetadata` children.
    pub merchant_metadata: Option<MerchantMetadata>,
    /// `recurringMetadata` children.
    pub recurring_metadata: Option<RecurringMetadata>,
}

/// Close Charge Permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseRequest {
    /// `closureReason` (≤ 255).
    pub closure_reason: String,
    /// `cancelPendingCharges` (default false).
    pub cancel_pending_charges: bool,
}

/// One shipment of Create Delivery Tracker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shipment {
    /// `trackingNumber`.
    pub tracking_number: String,
    /// `carrierCode`.
    pub carrier_code: String,
}

/// Checks a free-text field's length (characters).
pub fn check_text(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    check_len(field, &Some(value.to_owned()), max)
}

/// Checks `merchantMetadata` lengths (spec §2.6).
pub fn check_metadata(m: &MerchantMetadata) -> Result<(), FieldError> {
    check_len(
        "merchantMetadata.merchantReferenceId",
        &m.merchant_reference_id,
        256,
    )?;
    check_len(
        "merchantMetadata.merchantStoreName",
        &m.merchant_store_name,
        50,
    )?;
    check_len("merchantMetadata.noteToBuyer", &m.note_to_buyer, 255)?;
    check_len(
        "merchantMetadata.customInformation",
        &m.custom_information,
        4096,
    )
}

/// Checks `recurringMetadata.frequency.value`: a positive whole number, kept as the wire's
/// decimal string. Create, Update Checkout Session and Update Charge Permission share it.
pub(crate) fn check_frequency(r: &RecurringMetadata) -> Result<(), FieldError> {
    match &r.frequency {
        Some(freq) if !freq.value.parse::<u32>().is_ok_and(|v| v > 0) => Err(FieldError::invalid(
            "recurringMetadata.frequency.value",
            "must be a positive whole number",
        )),
        _ => Ok(()),
    }
}

const URL_MAX: usize = 512;

/// Checks a merchant return URL: absolute `http(s)`, at most 512 characters, HTTPS in live.
pub fn check_url(field: &str, url: &str, environment: Environment) -> Result<(), FieldError> {
    if url.len() > URL_MAX {
        return Err(FieldError::invalid(field, "is longer than 512 characters"));
    }
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        if environment == Environment::Live {
            return Err(FieldError::invalid(
                field,
                "must use HTTPS in the live environment",
            ));
        }
        rest
    } else {
        return Err(FieldError::invalid(
            field,
            "must be an absolute http or https URL",
        ));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(FieldError::invalid(field, "is not a valid URL"));
    }
    Ok(())
}

fn check_len(field: &str, value: &Option<String>, max: usize) -> Result<(), FieldError> {
    match value {
        Some(v) if v.chars().count() > max => Err(FieldError::invalid(
            field,
            format!("is longer than {max} characters"),
        )),
        _ => Ok(()),
    }
}

fn check_amount(field: &str, m: Money, region: Region) -> Result<(), FieldError> {
    if !region.allows_currency(m.currency()) {
        return Err(FieldError::invalid(
            format!("{field}.currencyCode"),
            format!("{} is not supported in this region", m.currency()),
        ));
    }
    if m.minor() > m.currency().max_transaction() {
        return Err(FieldError::invalid(
            format!("{field}.amount"),
            "exceeds the maximum amount of a transaction",
        ));
    }
    Ok(())
}

/// Checks an address against the documented lengths (spec §2.2: the Buyer reference's address
/// table gives `name`, the address lines, `city`, `county` and `district`), and the emulator's
/// own limits for the three fields Amazon gives none for (`limits::own`).
pub fn check_address(field: &str, a: &Address) -> Result<(), FieldError> {
    let f = |name: &str| format!("{field}.{name}");
    check_len(&f("name"), &a.name, 50)?;
    check_len(&f("addressLine1"), &a.address_line1, 180)?;
    check_len(&f("addressLine2"), &a.address_line2, 60)?;
    check_len(&f("addressLine3"), &a.address_line3, 60)?;
    check_len(&f("city"), &a.city, 50)?;
    check_len(&f("county"), &a.county, 50)?;
    check_len(&f("district"), &a.district, 50)?;
    check_len(
        &f("stateOrRegion"),
        &a.state_or_region,
        own::STATE_OR_REGION_MAX,
    )?;
    check_len(&f("postalCode"), &a.postal_code, own::POSTAL_CODE_MAX)?;
    check_len(&f("phoneNumber"), &a.phone_number, own::PHONE_NUMBER_MAX)?;
    if let Some(cc) = &a.country_code
        && !(cc.len() == 2 && cc.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Err(FieldError::invalid(
            f("countryCode"),
            "is not an ISO 3166 country code",
        ));
    }
    Ok(())
}

/// Required `addressDetails` fields for an APB `PayAndShip` session (address-formatting doc).
fn check_address_details_complete(a: &Address) -> Result<(), FieldError> {
    let f = |name: &str| format!("addressDetails.{name}");
    let required = [
        ("name", &a.name),
        ("addressLine1", &a.address_line1),
        ("postalCode", &a.postal_code),
        ("countryCode", &a.country_code),
        ("phoneNumber", &a.phone_number),
    ];
    for (name, value) in required {
        if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            return Err(FieldError::missing(f(name)));
        }
    }
    let country = a.country_code.as_deref().unwrap_or("").to_ascii_uppercase();
    if country != "JP" && a.city.as_deref().is_none_or(str::is_empty) {
        return Err(FieldError::missing(f("city")));
    }
    if matches!(country.as_str(), "US" | "JP") && a.state_or_region.is_none() {
        return Err(FieldError::missing(f("stateOrRegion")));
    }
    if matches!(country.as_str(), "UK" | "GB" | "SG" | "AE" | "MX") && a.state_or_region.is_some() {
        return Err(FieldError::invalid(
            f("stateOrRegion"),
            "is not supported for this country",
        ));
    }
    Ok(())
}

/// Checks the rules that hold for a Checkout Session after Create or Update (spec §4.1).
pub fn check_session(
    s: &CheckoutSession,
    environment: Environment,
    region: Region,
) -> Result<(), FieldError> {
    let w = &s.web_checkout_details;
    let process_order = w.checkout_mode == Some(CheckoutMode::ProcessOrder);
    match &w.checkout_review_return_url {
        Some(url) => check_url(
            "webCheckoutDetails.checkoutReviewReturnUrl",
            url,
            environment,
        )?,
        None if !process_order => {
            return Err(FieldError::missing(
                "webCheckoutDetails.checkoutReviewReturnUrl",
            ));
        }
        None => {}
    }
    if let Some(url) = &w.checkout_result_return_url {
        check_url(
            "webCheckoutDetails.checkoutResultReturnUrl",
            url,
            environment,
        )?;
    }
    if let Some(url) = &w.checkout_cancel_url {
        check_url("webCheckoutDetails.checkoutCancelUrl", url, environment)?;
    }

    let p = &s.payment_details;
    if let Some(m) = p.charge_amount {
        check_amount("paymentDetails.chargeAmount", m, region)?;
    }
    if let Some(t) = p.total_order_amount {
        check_amount("paymentDetails.totalOrderAmount", t, region)?;
        if let Some(c) = p.charge_amount {
            if c.currency() != t.currency() {
                return Err(FieldError::currency_mismatch(
                    "paymentDetails.totalOrderAmount",
                ));
            }
            if c.minor() > t.minor() {
                return Err(FieldError::invalid(
                    "paymentDetails.chargeAmount",
                    "is greater than totalOrderAmount",
                ));
            }
        }
    }
    if let (Some(pc), Some(c)) = (p.presentment_currency, p.charge_amount)
        && pc != c.currency()
    {
        return Err(FieldError::currency_mismatch(
            "paymentDetails.chargeAmount.currencyCode",
        ));
    }
    if let Some(pc) = p.presentment_currency
        && !region.allows_currency(pc)
    {
        return Err(FieldError::invalid(
            "paymentDetails.presentmentCurrency",
            format!("{pc} is not supported in this region"),
        ));
    }
    if let Some(d) = &p.soft_descriptor {
        check_len("paymentDetails.softDescriptor", &Some(d.clone()), 16)?;
        if p.payment_intent
            .is_some_and(|i| i != PaymentIntent::AuthorizeWithCapture)
        {
            return Err(FieldError::invalid(
                "paymentDetails.softDescriptor",
                "is only allowed with paymentIntent AuthorizeWithCapture",
            ));
        }
        if region == Region::Jp {
            return Err(FieldError::invalid(
                "paymentDetails.softDescriptor",
                "is not available in Japan",
            ));
        }
    }

    if let Some(r) = &s.recurring_metadata {
        check_frequency(r)?;
        if let Some(a) = r.amount {
            check_amount("recurringMetadata.amount", a, region)?;
        }
    }
    if s.setup_only == Some(true) {
        if s.charge_permission_type != ChargePermissionType::PaymentMethodOnFile {
            return Err(FieldError::invalid(
                "paymentMethodOnFileMetadata.setupOnly",
                "requires chargePermissionType PaymentMethodOnFile",
            ));
        }
        if p.payment_intent
            .is_some_and(|i| i != PaymentIntent::Confirm)
        {
            return Err(FieldError::invalid(
                "paymentDetails.paymentIntent",
                "must be Confirm for a setup-only session",
            ));
        }
    }

    check_metadata(&s.merchant_metadata)?;
    check_len(
        "supplementaryData",
        &s.supplementary_data,
        own::SUPPLEMENTARY_DATA_MAX,
    )?;
    check_len("platformId", &s.platform_id, own::PLATFORM_ID_MAX)?;
    check_len(
        "providerMetadata.providerReferenceId",
        &s.provider_reference_id,
        own::PROVIDER_REFERENCE_ID_MAX,
    )?;

    if process_order {
        if p.payment_intent.is_none() {
            return Err(FieldError::missing("paymentDetails.paymentIntent"));
        }
        if p.charge_amount.is_none() && s.setup_only != Some(true) {
            return Err(FieldError::missing("paymentDetails.chargeAmount"));
        }
        if w.checkout_result_return_url.is_none() {
            return Err(FieldError::missing(
                "webCheckoutDetails.checkoutResultReturnUrl",
            ));
        }
        if s.product_type == ProductType::PayAndShip {
            match &s.address_details {
                Some(a) => check_address_details_complete(a)?,
                None => return Err(FieldError::missing("addressDetails")),
            }
        }
    }
    if let Some(a) = &s.address_details {
        check_address("addressDetails", a)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_absolute_and_https_in_live() {
        let e = Environment::Sandbox;
        assert!(check_url("u", "https://shop.example/review", e).is_ok());
        assert!(check_url("u", "http://localhost:3000/x?a=b", e).is_ok());
        assert!(check_url("u", "http://localhost/x", Environment::Live).is_err());
        assert!(check_url("u", "ftp://x", e).is_err());
        assert!(check_url("u", "https:///nohost", e).is_err());
        assert!(check_url("u", "https://a b", e).is_err());
        let long = format!("https://a.example/{}", "x".repeat(600));
        assert!(check_url("u", &long, e).is_err());
    }
}
