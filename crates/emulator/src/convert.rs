//! Conversions between wire DTOs (`amzpay-types`) and domain values (`amzpay-emulator-core`),
//! written by hand: requests become command inputs, aggregates become response bodies.

use amzpay_emulator_core::checkout::{Checkout, with_session_id};
use amzpay_emulator_core::ids::{ChargeId, ChargePermissionId};
use amzpay_emulator_core::input::{
    CaptureRequest, CloseRequest, CompleteRequest, FinalizeRequest, NewCharge, NewCheckoutSession,
    NewRefund, PaymentDetailsInput, PermissionUpdate, SessionUpdate, Shipment,
};
use amzpay_emulator_core::model::{
    Address, BuyerScope, Channel, Charge, ChargeInitiator, ChargePermissionType, CheckoutMode,
    Frequency, FrequencyUnit, MerchantMetadata, OpaqueJson, PaymentIntent, PermissionState,
    RecurringMetadata, Refund, SessionState, WebCheckoutDetails,
};
use amzpay_emulator_core::{Currency, Money, Timestamp};
use amzpay_types as wire;

use crate::error::{ApiError, Reason};

type R<T> = Result<T, ApiError>;

fn invalid(field: &str, why: &str) -> ApiError {
    ApiError::new(
        Reason::InvalidParameterValue,
        format!("The value provided for {field} is invalid: {why}."),
    )
}

fn known<T>(field: &str, value: &str, parse: fn(&str) -> Option<T>) -> R<T> {
    parse(value).ok_or_else(|| invalid(field, &format!("{value:?} is not an accepted value")))
}

/// A wire price as domain money.
pub(crate) fn money(p: &wire::Price, field: &str) -> R<Money> {
    let currency = Currency::parse(p.currency().as_str()).ok_or_else(|| {
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
            .map(|m| {
                known(
                    "webCheckoutDetails.checkoutMode",
                    m.as_str(),
                    CheckoutMode::parse,
                )
            })
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
            .map(|i| {
                known(
                    "paymentDetails.paymentIntent",
                    i.as_str(),
                    PaymentIntent::parse,
                )
            })
            .transpose()?,
        can_handle_pending_authorization: p.can_handle_pending_authorization,
        charge_amount: money_opt(&p.charge_amount, "paymentDetails.chargeAmount")?,
        total_order_amount: money_opt(&p.total_order_amount, "paymentDetails.totalOrderAmount")?,
        presentment_currency: p
            .presentment_currency
            .map(|c| {
                known(
                    "paymentDetails.presentmentCurrency",
                    c.as_str(),
                    Currency::parse,
                )
            })
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
                unit: known(
                    "recurringMetadata.frequency.unit",
                    unit.as_str(),
                    FrequencyUnit::parse,
                )?,
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
pub(crate) fn normalize_address(mut a: Address) -> Address {
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
        store_id: Some(r.store_id.as_str().to_owned()),
        web_checkout_details: Some(web(r.web_checkout_details)?),
        product_type: None,
        payment_details: r.payment_details.map(payment).transpose()?,
        charge_permission_type: r
            .charge_permission_type
            .map(|t| {
                known(
                    "chargePermissionType",
                    t.as_str(),
                    ChargePermissionType::parse,
                )
            })
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
            .map(|v| {
                v.iter()
                    .map(|s| known("scopes", s.as_str(), BuyerScope::parse))
                    .collect::<R<Vec<_>>>()
            })
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
            .map(|t| {
                known(
                    "chargePermissionType",
                    t.as_str(),
                    ChargePermissionType::parse,
                )
            })
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
        payment_intent: Some(known(
            "paymentIntent",
            r.payment_intent.as_str(),
            PaymentIntent::parse,
        )?),
        charge_amount: Some(money(&r.charge_amount, "chargeAmount")?),
        total_order_amount: money_opt(&r.total_order_amount, "totalOrderAmount")?,
        can_handle_pending_authorization: r.can_handle_pending_authorization,
        supplementary_data: r.supplementary_data,
        shipping_address: r.shipping_address.map(address_input).map(normalize_address),
        billing_address: r.billing_address.map(address_input).map(normalize_address),
    })
}

fn ts(t: Timestamp) -> Option<wire::Timestamp> {
    wire::Timestamp::from_unix_timestamp(t.unix()).ok()
}

fn price(m: Money) -> Option<wire::Price> {
    wire::Price::from_minor_units(m.minor(), m.currency().code().into()).ok()
}

/// A stored address in its wire form (Get Checkout Session, Get Buyer, the buyer token).
pub(crate) fn address_out(a: &Address) -> wire::Address {
    wire::Address {
        name: a.name.clone(),
        address_line1: a.address_line1.clone(),
        address_line2: a.address_line2.clone(),
        address_line3: a.address_line3.clone(),
        city: a.city.clone(),
        county: a.county.clone(),
        district: a.district.clone(),
        state_or_region: a.state_or_region.clone(),
        postal_code: a.postal_code.clone(),
        country_code: a.country_code.clone(),
        phone_number: a.phone_number.clone(),
    }
}

fn buyer_out(b: &amzpay_emulator_core::model::Buyer) -> wire::BuyerDetails {
    wire::BuyerDetails {
        buyer_id: Some(b.buyer_id.as_str().into()),
        name: Some(b.name.clone()),
        email: Some(b.email.clone()),
        phone_number: b.phone_number.clone(),
        prime_membership_types: None,
    }
}

fn metadata_out(m: &MerchantMetadata) -> wire::MerchantMetadata {
    wire::MerchantMetadata {
        merchant_reference_id: m.merchant_reference_id.clone(),
        merchant_store_name: m.merchant_store_name.clone(),
        note_to_buyer: m.note_to_buyer.clone(),
        custom_information: m.custom_information.clone(),
    }
}

fn recurring_out(r: &Option<RecurringMetadata>) -> Option<wire::RecurringMetadata> {
    r.as_ref().map(|r| wire::RecurringMetadata {
        frequency: r.frequency.as_ref().map(|f| wire::Frequency {
            unit: Some(f.unit.as_str().into()),
            value: Some(f.value.clone()),
        }),
        amount: r.amount.and_then(price),
    })
}

fn setup_only_out(s: Option<bool>) -> Option<wire::PaymentMethodOnFileMetadata> {
    s.map(|s| wire::PaymentMethodOnFileMetadata {
        setup_only: Some(s),
    })
}

/// The URL of the payment step for a session (`amazonPayRedirectUrl`).
pub(crate) fn payment_page_url(base_url: &str, c: &Checkout) -> String {
    with_session_id(&format!("{base_url}/checkout/processing"), &c.session.id)
}

/// The Checkout Session response body.
pub(crate) fn session_view(c: &Checkout, base_url: &str) -> wire::CheckoutSession {
    let s = &c.session;
    let open = s.state == SessionState::Open;
    let (state, reason) = match &s.state {
        SessionState::Open => ("Open", None),
        SessionState::Completed { .. } => ("Completed", None),
        SessionState::Canceled { reason, .. } => ("Canceled", Some(*reason)),
    };
    let mut status = wire::StatusDetails::new(
        wire::enums::CheckoutSessionState::from(state),
        ts(s.updated_at).unwrap_or_else(unreachable_timestamp),
    );
    if let Some(r) = reason {
        status = status.with_reason(r.as_str().into(), cancel_description(r));
    }
    let w = &s.web_checkout_details;
    let p = &s.payment_details;
    let mut view = wire::CheckoutSession::new(s.id.as_str().into(), status);
    view.web_checkout_details = Some(wire::WebCheckoutDetails {
        checkout_review_return_url: w.checkout_review_return_url.clone(),
        checkout_result_return_url: w.checkout_result_return_url.clone(),
        checkout_cancel_url: w.checkout_cancel_url.clone(),
        amazon_pay_redirect_url: c
            .redirect_url_ready()
            .then(|| payment_page_url(base_url, c)),
        checkout_mode: w.checkout_mode.map(|m| m.as_str().into()),
    });
    view.product_type = Some(s.product_type.as_str().into());
    // Once completed or canceled, buyer data, addresses, payment details and merchant metadata
    // are no longer returned (design.md §3).
    if open {
        view.payment_details = Some(wire::PaymentDetails {
            payment_intent: p.payment_intent.map(|i| i.as_str().into()),
            can_handle_pending_authorization: Some(p.can_handle_pending_authorization),
            charge_amount: p.charge_amount.and_then(price),
            total_order_amount: p.total_order_amount.and_then(price),
            soft_descriptor: p.soft_descriptor.clone(),
            presentment_currency: p.presentment_currency.map(|c| c.code().into()),
            allow_overcharge: p.allow_overcharge,
            extend_expiration: p.extend_expiration,
        });
        view.merchant_metadata = Some(metadata_out(&s.merchant_metadata));
        if let Some(sel) = &s.buyer {
            view.buyer = Some(buyer_out(&sel.buyer));
            view.billing_address = sel.billing_address.as_ref().map(address_out);
            view.shipping_address = sel.shipping_address.as_ref().map(address_out);
            view.payment_preferences = Some(vec![wire::PaymentPreference {
                payment_descriptor: Some(sel.instrument.descriptor()),
            }]);
        }
    }
    view.charge_permission_type = Some(s.charge_permission_type.as_str().into());
    view.recurring_metadata = recurring_out(&s.recurring_metadata);
    view.payment_method_on_file_metadata = setup_only_out(s.setup_only);
    view.supplementary_data = s.supplementary_data.clone();
    view.platform_id = s.platform_id.clone();
    if let SessionState::Completed { .. } = s.state {
        view.charge_permission_id = c.charge_permission_id().map(|i| i.as_str().into());
        view.charge_id = c.completion_charge_id().map(|i| i.as_str().into());
    }
    view.constraints = Some(
        c.constraints()
            .into_iter()
            .map(|k| wire::Constraint {
                constraint_id: k.id().into(),
                description: Some(k.description().to_owned()),
            })
            .collect(),
    );
    view.creation_timestamp = ts(s.created_at);
    view.expiration_timestamp = match s.state {
        SessionState::Completed { .. } => None,
        _ => ts(s
            .created_at
            .plus(amzpay_emulator_core::checkout::SESSION_EXPIRY_SECS)),
    };
    view.store_id = Some(s.store_id.as_str().into());
    view.provider_metadata = Some(wire::ProviderMetadata {
        provider_reference_id: s.provider_reference_id.clone(),
    });
    view.release_environment = Some(c.environment.release_environment().into());
    view.delivery_specifications = s
        .delivery_specifications
        .as_ref()
        .and_then(|d| serde_json::from_str(&d.0).ok());
    view
}

fn unreachable_timestamp() -> wire::Timestamp {
    // 0 is always representable; this only satisfies the types.
    wire::Timestamp::parse("19700101T000000Z").expect("epoch parses")
}

fn cancel_description(r: amzpay_emulator_core::model::SessionCancelReason) -> &'static str {
    use amzpay_emulator_core::model::SessionCancelReason as C;
    match r {
        C::BuyerCanceled => "The buyer canceled the checkout.",
        C::Declined => "The buyer's payment was declined.",
        C::AmazonCanceled => "Amazon canceled the checkout.",
        C::Expired => {
            "The Checkout Session expired 24 hours after creation without being completed."
        }
    }
}

/// The Charge Permission response body.
pub(crate) fn permission_view(c: &Checkout, now: Timestamp) -> Option<wire::ChargePermission> {
    let p = c.permission.as_ref()?;
    let reasons = match &p.state {
        PermissionState::Chargeable => None,
        PermissionState::NonChargeable(rs) => Some(
            rs.iter()
                .map(|r| wire::StatusReason {
                    reason_code: r.as_str().into(),
                    reason_description: Some(r.description().to_owned()),
                })
                .collect(),
        ),
        PermissionState::Closed(r) => Some(vec![wire::StatusReason {
            reason_code: r.as_str().into(),
            reason_description: Some(closed_description(*r, p.closure_reason.as_deref())),
        }]),
    };
    let visible = c.permission_buyer_visible(now);
    let one_time = p.charge_permission_type == ChargePermissionType::OneTime;
    Some(wire::ChargePermission {
        charge_permission_id: p.id.as_str().into(),
        amazon_pay_token: None,
        charge_permission_reference_id: None,
        platform_id: p.platform_id.clone(),
        buyer: p.buyer.as_ref().filter(|_| visible).map(buyer_out),
        shipping_address: p
            .shipping_address
            .as_ref()
            .filter(|_| visible)
            .map(address_out),
        billing_address: p
            .billing_address
            .as_ref()
            .filter(|_| visible)
            .map(address_out),
        payment_preferences: Some(vec![wire::PaymentPreference {
            payment_descriptor: p.payment_descriptor.clone().filter(|_| visible),
        }]),
        status_details: wire::ChargePermissionStatusDetails {
            state: p.state.as_str().into(),
            reasons,
            last_updated_timestamp: ts(p.updated_at),
        },
        creation_timestamp: ts(p.created_at),
        expiration_timestamp: p.expires_at.and_then(ts),
        merchant_metadata: Some(metadata_out(&p.merchant_metadata)),
        release_environment: Some(c.environment.release_environment().into()),
        limits: Some(wire::Limits {
            amount_limit: p.amount_limit.filter(|_| one_time).and_then(price),
            amount_balance: if one_time {
                c.amount_balance().and_then(price)
            } else {
                None
            },
        }),
        charge_permission_type: Some(p.charge_permission_type.as_str().into()),
        recurring_metadata: recurring_out(&p.recurring_metadata),
        presentment_currency: Some(p.presentment_currency.code().into()),
        payment_method_on_file_metadata: setup_only_out(p.setup_only),
    })
}

/// The Charge response body.
pub(crate) fn charge_view(c: &Checkout, ch: &Charge) -> wire::Charge {
    let mut status = wire::StatusDetails::new(
        wire::enums::ChargeState::from(ch.state.as_str()),
        ts(ch.updated_at).unwrap_or_else(unreachable_timestamp),
    );
    if let Some(reason) = ch.state.reason_code() {
        let description = match &ch.cancellation_reason {
            Some(text) if reason == "MerchantCanceled" => text.clone(),
            _ => charge_reason_description(reason),
        };
        status = status.with_reason(reason.into(), description);
    }
    wire::Charge {
        charge_id: ch.id.as_str().into(),
        charge_amount: price(ch.charge_amount),
        charge_permission_id: ch.charge_permission_id.as_str().into(),
        capture_amount: ch.capture_amount.and_then(price),
        refunded_amount: c.refunded_amount(ch).and_then(price),
        soft_descriptor: ch.soft_descriptor.clone(),
        provider_metadata: Some(wire::ProviderMetadata {
            provider_reference_id: ch.provider_reference_id.clone(),
        }),
        converted_amount: None,
        conversion_rate: None,
        channel: ch.channel.map(|x| x.as_str().into()),
        charge_initiator: ch.charge_initiator.map(|x| x.as_str().into()),
        status_details: status,
        creation_timestamp: ts(ch.created_at),
        expiration_timestamp: ts(ch.expires_at),
        release_environment: Some(c.environment.release_environment().into()),
        merchant_metadata: Some(metadata_out(&ch.merchant_metadata)),
        platform_id: ch.platform_id.clone(),
        web_checkout_details: None,
    }
}

fn charge_reason_description(code: &str) -> String {
    let text = match code {
        "HardDeclined" => {
            "The authorization was declined; the buyer must choose another payment method."
        }
        "SoftDeclined" => "The authorization was declined; a retry may succeed.",
        "AmazonRejected" => "Amazon declined the transaction.",
        "ProcessingFailure" => "The transaction could not be processed.",
        "TransactionTimedOut" => "The authorization could not be decided in time.",
        "ExpiredUnused" => "The authorization expired 30 days after creation without a capture.",
        "AmazonCanceled" => "Amazon canceled the charge.",
        "MerchantCanceled" => "The merchant canceled the charge.",
        "ChargePermissionCanceled" => "The Charge Permission was closed with cancelPendingCharges.",
        "BuyerCanceled" => "The buyer canceled the charge.",
        other => return format!("The charge is {other}."),
    };
    text.to_owned()
}

fn closed_description(
    r: amzpay_emulator_core::model::PermissionClosedReason,
    closure_reason: Option<&str>,
) -> String {
    use amzpay_emulator_core::model::PermissionClosedReason as C;
    match r {
        C::MerchantClosed => closure_reason
            .unwrap_or("The merchant closed the Charge Permission.")
            .to_owned(),
        C::BuyerClosed => "The buyer closed the Charge Permission.".to_owned(),
        C::AmazonCanceled => "Amazon canceled the Charge Permission.".to_owned(),
        C::AmazonClosed => {
            "Amazon closed the Charge Permission: nothing is left to charge.".to_owned()
        }
        C::Expired => "The Charge Permission expired.".to_owned(),
    }
}

/// The Refund response body.
pub(crate) fn refund_view(c: &Checkout, r: &Refund) -> wire::Refund {
    let mut status = wire::StatusDetails::new(
        wire::enums::RefundState::from(r.state.as_str()),
        ts(r.updated_at).unwrap_or_else(unreachable_timestamp),
    );
    if let Some(reason) = r.state.reason_code() {
        let description = match reason {
            "AmazonRejected" => "Amazon declined the refund (for example, a negative balance).",
            _ => "The refund could not be processed.",
        };
        status = status.with_reason(reason.into(), description);
    }
    wire::Refund {
        creation_timestamp: ts(r.created_at),
        refund_amount: price(r.refund_amount),
        soft_descriptor: r.soft_descriptor.clone(),
        release_environment: Some(c.environment.release_environment().into()),
        ..wire::Refund::new(r.id.as_str().into(), r.charge_id.as_str().into(), status)
    }
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
            .map(|i| known("chargeInitiator", i.as_str(), ChargeInitiator::parse))
            .transpose()?,
        channel: r
            .channel
            .map(|c| known("channel", c.as_str(), Channel::parse))
            .transpose()?,
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

/// Create Delivery Tracker body → the permission id and the shipments.
pub(crate) fn delivery_tracker(
    r: wire::CreateDeliveryTrackerRequest,
) -> R<(String, Vec<Shipment>)> {
    let id = match (r.charge_permission_id, r.amazon_order_reference_id) {
        (Some(id), None) => id.into_string(),
        (None, Some(_)) => {
            return Err(invalid(
                "amazonOrderReferenceId",
                "v1 order references are not supported by this emulator; send chargePermissionId",
            ));
        }
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
    Ok((id, shipments))
}

/// The Create Delivery Tracker response body: the request echoed.
pub(crate) fn tracker_view(
    permission: &ChargePermissionId,
    shipments: &[Shipment],
) -> wire::DeliveryTracker {
    wire::DeliveryTracker {
        charge_permission_id: Some(permission.as_str().into()),
        amazon_order_reference_id: None,
        delivery_details: Some(
            shipments
                .iter()
                .map(|s| wire::DeliveryDetail::new(&s.tracking_number, &s.carrier_code))
                .collect(),
        ),
    }
}

/// A charge id from a path or body (a malformed one reads as unknown).
pub(crate) fn charge_id(id: &str, what: &str) -> R<ChargeId> {
    ChargeId::parse(id).ok_or_else(|| ApiError::not_found(what, id))
}

/// Serializes a response body (plain structs of strings cannot fail to serialize).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}
