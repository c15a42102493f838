//! Conversions between wire DTOs (`amzpay-types`) and domain values (`amzpay-emulator-core`),
//! written by hand: requests become command inputs, aggregates become response bodies.
//!
//! - `mod.rs` (this file): request bodies to command inputs; a bad value is a 400 naming the field.
//! - `views`: aggregates to response bodies.
//! - `enums`: every enum's wire form, one exhaustive list per enum.

mod enums;
mod views;

use amzpay_emulator_core::Currency;
use amzpay_emulator_core::Money;
use amzpay_emulator_core::ids::{ChargeId, ChargePermissionId};
use amzpay_emulator_core::input::{
    CaptureRequest, CloseRequest, CompleteRequest, FinalizeRequest, NewCharge, NewCheckoutSession,
    NewRefund, PaymentDetailsInput, PermissionUpdate, SessionUpdate, Shipment,
};
use amzpay_emulator_core::model::{
    Address, Frequency, MerchantMetadata, OpaqueJson, RecurringMetadata, WebCheckoutDetails,
};
use amzpay_types as wire;

use crate::error::{ApiError, Reason};
use enums::{WireEnum, known};
pub(crate) use views::{
    address_out, charge_view, complete_view, finalize_view, payment_page_url, permission_view,
    refund_view, session_view, tracker_view,
};

type R<T> = Result<T, ApiError>;

fn invalid(field: &str, why: &str) -> ApiError {
    ApiError::new(
        Reason::InvalidParameterValue,
        format!("The value provided for {field} is invalid: {why}."),
    )
}

/// A wire price as domain money.
pub(crate) fn money(p: &wire::Price, field: &str) -> R<Money> {
    let currency = Currency::from_wire(p.currency()).ok_or_else(|| {
        invalid(
            &format!("{field}.currencyCode"),
            &format!("{} is not a supported currency", p.currency()),
        )
    })?;
    Money::parse_decimal(&p.amount_string(), currency)
        .map_err(|e| invalid(&format!("{field}.amount"), &e.to_string()))
}

fn money_opt(p: &Option<wire::Price>, field: &str) -> R<Option<Money>> {
    p.as_ref().map(|p| money(p, field)).transpose()
}

fn web(w: wire::WebCheckoutDetailsInput) -> R<WebCheckoutDetails> {
    Ok(WebCheckoutDetails {
        checkout_review_return_url: w.checkout_review_return_url,
        checkout_result_return_url: w.checkout_result_return_url,
        checkout_cancel_url: w.checkout_cancel_url,
        checkout_mode: w
            .checkout_mode
            .map(|m| known("webCheckoutDetails.checkoutMode", &m))
            .transpose()?,
    })
}

fn payment(p: wire::PaymentDetailsInput) -> R<PaymentDetailsInput> {
    if p.estimate_order_total.is_some() {
        return Err(ApiError::new(
            Reason::UnrecognizedField,
            "The field paymentDetails.estimateOrderTotal is not recognized.",
        ));
    }
    Ok(PaymentDetailsInput {
        payment_intent: p
            .payment_intent
            .map(|i| known("paymentDetails.paymentIntent", &i))
            .transpose()?,
        can_handle_pending_authorization: p.can_handle_pending_authorization,
        charge_amount: money_opt(&p.charge_amount, "paymentDetails.chargeAmount")?,
        total_order_amount: money_opt(&p.total_order_amount, "paymentDetails.totalOrderAmount")?,
        presentment_currency: p
            .presentment_currency
            .map(|c| known("paymentDetails.presentmentCurrency", &c))
            .transpose()?,
        soft_descriptor: p.soft_descriptor,
        allow_overcharge: p.allow_overcharge,
        extend_expiration: p.extend_expiration,
    })
}

fn metadata(m: wire::MerchantMetadataInput) -> MerchantMetadata {
    MerchantMetadata {
        merchant_reference_id: m.merchant_reference_id,
        merchant_store_name: m.merchant_store_name,
        note_to_buyer: m.note_to_buyer,
        custom_information: m.custom_information,
    }
}

fn recurring(r: wire::RecurringMetadataInput) -> R<RecurringMetadata> {
    let frequency = match r.frequency {
        None => None,
        Some(f) => {
            let unit = f
                .unit
                .ok_or_else(|| missing("recurringMetadata.frequency.unit"))?;
            let value = f
                .value
                .ok_or_else(|| missing("recurringMetadata.frequency.value"))?;
            Some(Frequency {
                unit: known("recurringMetadata.frequency.unit", &unit)?,
                value,
            })
        }
    };
    Ok(RecurringMetadata {
        frequency,
        amount: money_opt(&r.amount, "recurringMetadata.amount")?,
    })
}

fn missing(field: &str) -> ApiError {
    ApiError::new(
        Reason::MissingParameterValue,
        format!("Value is missing for the required parameter {field}."),
    )
}

/// A request address (Finalize, the admin API's buyer actions), normalized as Amazon does.
pub(crate) fn address(a: wire::AddressInput) -> Address {
    normalize_address(address_input(a))
}

fn address_input(a: wire::AddressInput) -> Address {
    Address {
        name: a.name,
        address_line1: a.address_line1,
        address_line2: a.address_line2,
        address_line3: a.address_line3,
        city: a.city,
        county: a.county,
        district: a.district,
        state_or_region: a.state_or_region,
        postal_code: a.postal_code,
        country_code: a.country_code,
        phone_number: a.phone_number,
    }
}

/// Amazon normalizes addresses: trims whitespace, upper-cases postal and country codes.
fn normalize_address(mut a: Address) -> Address {
    for f in [
        &mut a.name,
        &mut a.address_line1,
        &mut a.address_line2,
        &mut a.address_line3,
        &mut a.city,
        &mut a.county,
        &mut a.district,
        &mut a.state_or_region,
        &mut a.postal_code,
        &mut a.country_code,
        &mut a.phone_number,
    ] {
        if let Some(v) = f.as_mut() {
            *v = v.trim().to_owned();
        }
    }
    a.postal_code = a.postal_code.map(|v| v.to_uppercase());
    a.country_code = a.country_code.map(|v| v.to_uppercase());
    a
}

/// Create Checkout Session body → domain input.
pub(crate) fn new_session(r: wire::CreateCheckoutSessionRequest) -> R<NewCheckoutSession> {
    Ok(NewCheckoutSession {
        store_id: r.store_id.as_str().to_owned(),
        web_checkout_details: web(r.web_checkout_details)?,
        product_type: None,
        payment_details: r.payment_details.map(payment).transpose()?,
        charge_permission_type: r
            .charge_permission_type
            .map(|t| known("chargePermissionType", &t))
            .transpose()?,
        recurring_metadata: r.recurring_metadata.map(recurring).transpose()?,
        setup_only: r.payment_method_on_file_metadata.and_then(|m| m.setup_only),
        merchant_metadata: r.merchant_metadata.map(metadata),
        supplementary_data: r.supplementary_data,
        platform_id: r.platform_id,
        provider_reference_id: r.provider_metadata.and_then(|p| p.provider_reference_id),
        delivery_specifications: r
            .delivery_specifications
            .map(|d| OpaqueJson(serde_json::to_string(&d).unwrap_or_default())),
        scopes: r
            .scopes
            .map(|v| v.iter().map(|s| known("scopes", s)).collect::<R<Vec<_>>>())
            .transpose()?,
        address_details: r.address_details.map(|a| {
            normalize_address(Address {
                name: a.name,
                address_line1: a.address_line1,
                address_line2: a.address_line2,
                address_line3: a.address_line3,
                city: a.city,
                county: a.district_or_county,
                district: None,
                state_or_region: a.state_or_region,
                postal_code: a.postal_code,
                country_code: a.country_code,
                phone_number: a.phone_number,
            })
        }),
        charge_permission_id: r.charge_permission_id.map(|c| c.as_str().to_owned()),
    })
}

/// Update Checkout Session body → domain input.
pub(crate) fn session_update(r: wire::UpdateCheckoutSessionRequest) -> R<SessionUpdate> {
    if r.multi_addresses_checkout_metadata.is_some() {
        return Err(invalid(
            "multiAddressesCheckoutMetadata",
            "multi-address checkout is not supported by this emulator",
        ));
    }
    Ok(SessionUpdate {
        web_checkout_details: r.web_checkout_details.map(web).transpose()?,
        payment_details: r.payment_details.map(payment).transpose()?,
        merchant_metadata: r.merchant_metadata.map(metadata),
        supplementary_data: r.supplementary_data,
        platform_id: r.platform_id,
        provider_reference_id: r.provider_metadata.and_then(|p| p.provider_reference_id),
        charge_permission_type: r
            .charge_permission_type
            .map(|t| known("chargePermissionType", &t))
            .transpose()?,
        recurring_metadata: r.recurring_metadata.map(recurring).transpose()?,
    })
}

/// Complete Checkout Session body → domain input.
pub(crate) fn complete(r: wire::CompleteCheckoutSessionRequest) -> R<CompleteRequest> {
    Ok(CompleteRequest {
        charge_amount: money_opt(&r.charge_amount, "chargeAmount")?,
        total_order_amount: money_opt(&r.total_order_amount, "totalOrderAmount")?,
    })
}

/// Finalize Checkout Session body → domain input.
pub(crate) fn finalize(r: wire::FinalizeCheckoutSessionRequest) -> R<FinalizeRequest> {
    Ok(FinalizeRequest {
        payment_intent: known("paymentIntent", &r.payment_intent)?,
        charge_amount: money(&r.charge_amount, "chargeAmount")?,
        total_order_amount: money_opt(&r.total_order_amount, "totalOrderAmount")?,
        can_handle_pending_authorization: r.can_handle_pending_authorization,
        supplementary_data: r.supplementary_data,
        shipping_address: r.shipping_address.map(address),
        billing_address: r.billing_address.map(address),
    })
}

/// A path id that does not have the emulator's format reads as unknown.
pub(crate) fn permission_id(id: &str, what: &str) -> R<ChargePermissionId> {
    ChargePermissionId::parse(id).ok_or_else(|| ApiError::not_found(what, id))
}

fn text_field(field: &str, value: Option<String>, max: usize) -> R<Option<String>> {
    match value {
        Some(v) if v.chars().count() > max => Err(invalid(
            field,
            &format!("it is longer than {max} characters"),
        )),
        other => Ok(other),
    }
}

/// Create Charge body → the permission it charges and the domain input.
pub(crate) fn new_charge(r: wire::CreateChargeRequest) -> R<(String, NewCharge)> {
    if let Some(w) = &r.web_checkout_details
        && let Some(url) = &w.checkout_result_return_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(invalid(
            "webCheckoutDetails.checkoutResultReturnUrl",
            "it must be an absolute http or https URL",
        ));
    }
    let charge = NewCharge {
        charge_amount: money(&r.charge_amount, "chargeAmount")?,
        capture_now: r.capture_now.unwrap_or(false),
        can_handle_pending_authorization: r.can_handle_pending_authorization.unwrap_or(false),
        soft_descriptor: r.soft_descriptor,
        merchant_metadata: r.merchant_metadata.map(metadata).unwrap_or_default(),
        platform_id: r.platform_id,
        provider_reference_id: r.provider_metadata.and_then(|p| p.provider_reference_id),
        charge_initiator: r
            .charge_initiator
            .map(|i| known("chargeInitiator", &i))
            .transpose()?,
        channel: r.channel.map(|c| known("channel", &c)).transpose()?,
    };
    Ok((r.charge_permission_id.into_string(), charge))
}

/// Capture Charge body → domain input.
pub(crate) fn capture(r: wire::CaptureChargeRequest) -> R<CaptureRequest> {
    Ok(CaptureRequest {
        capture_amount: money(&r.capture_amount, "captureAmount")?,
        soft_descriptor: r.soft_descriptor,
    })
}

/// Create Refund body → the refunded charge id and the domain input.
pub(crate) fn new_refund(r: wire::CreateRefundRequest) -> R<(String, NewRefund)> {
    let refund = NewRefund {
        refund_amount: money(&r.refund_amount, "refundAmount")?,
        soft_descriptor: r.soft_descriptor,
    };
    Ok((r.charge_id.into_string(), refund))
}

/// Update Charge Permission body → domain input.
pub(crate) fn permission_update(r: wire::UpdateChargePermissionRequest) -> R<PermissionUpdate> {
    Ok(PermissionUpdate {
        merchant_metadata: r.merchant_metadata.map(metadata),
        recurring_metadata: r.recurring_metadata.map(recurring).transpose()?,
    })
}

/// Close Charge Permission body → domain input.
pub(crate) fn close(r: wire::CloseChargePermissionRequest) -> R<CloseRequest> {
    Ok(CloseRequest {
        closure_reason: text_field("closureReason", Some(r.closure_reason), 255)?
            .unwrap_or_default(),
        cancel_pending_charges: r.cancel_pending_charges.unwrap_or(false),
    })
}

/// The field of Create Delivery Tracker that names the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OrderField {
    /// `chargePermissionId`.
    ChargePermissionId,
    /// `amazonOrderReferenceId`.
    AmazonOrderReferenceId,
}

impl OrderField {
    /// The wire name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            OrderField::ChargePermissionId => "chargePermissionId",
            OrderField::AmazonOrderReferenceId => "amazonOrderReferenceId",
        }
    }
}

/// Create Delivery Tracker body → the order id, the field that named it, and the shipments.
///
/// The Delivery Tracker reference takes "amazonOrderReferenceId - or - chargePermissionId"
/// (developer.amazon.com/docs/amazon-pay-api-v2/delivery-tracker.html, Create Delivery
/// Tracker, request parameters). The emulator has no v1 order references; an Amazon order
/// reference id has the shape of a Charge Permission id, so it names the permission with that
/// id (docs/fidelity.md). Giving both is refused: the reference asks for one.
pub(crate) fn delivery_tracker(
    r: wire::CreateDeliveryTrackerRequest,
) -> R<(String, OrderField, Vec<Shipment>)> {
    let (id, field) = match (r.charge_permission_id, r.amazon_order_reference_id) {
        (Some(id), None) => (id.into_string(), OrderField::ChargePermissionId),
        (None, Some(id)) => (id, OrderField::AmazonOrderReferenceId),
        (Some(_), Some(_)) => {
            return Err(invalid(
                "amazonOrderReferenceId",
                "give either chargePermissionId or amazonOrderReferenceId, not both",
            ));
        }
        (None, None) => return Err(missing("chargePermissionId")),
    };
    let shipments = r
        .delivery_details
        .into_iter()
        .map(|d| Shipment {
            tracking_number: d.tracking_number,
            carrier_code: d.carrier_code,
        })
        .collect();
    Ok((id, field, shipments))
}

/// A charge id from a path or body (a malformed one reads as unknown).
pub(crate) fn charge_id(id: &str, what: &str) -> R<ChargeId> {
    ChargeId::parse(id).ok_or_else(|| ApiError::not_found(what, id))
}

/// Serializes a response body (plain structs of strings cannot fail to serialize).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}
