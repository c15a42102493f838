//! Response bodies: an aggregate (or one object of it) in its wire form.

use amzpay_emulator_core::checkout::{Checkout, with_session_id};
use amzpay_emulator_core::ids::ChargePermissionId;
use amzpay_emulator_core::input::Shipment;
use amzpay_emulator_core::model::{
    Address, Buyer, BuyerScope, Charge, ChargePermissionType, CheckoutSession, MerchantMetadata,
    PermissionClosedReason, PermissionState, RecurringMetadata, Refund, SessionCancelReason,
    SessionState,
};
use amzpay_emulator_core::{Money, Timestamp};
use amzpay_types as wire;

use super::enums::{WireEnum, charge_state, permission_state, refund_state, session_state};

fn ts(t: Timestamp) -> Option<wire::Timestamp> {
    wire::Timestamp::from_unix_timestamp(t.unix()).ok()
}

fn price(m: Money) -> Option<wire::Price> {
    wire::Price::from_minor_units(m.minor(), m.currency().to_wire()).ok()
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

/// The buyer as the session's `scopes` release it (`CheckoutSession::releases`): `buyerId`
/// always, the name, email and phone number only when asked for.
fn buyer_out(b: &Buyer, s: &CheckoutSession) -> wire::BuyerDetails {
    wire::BuyerDetails {
        buyer_id: Some(b.buyer_id.as_str().into()),
        name: s.releases(BuyerScope::Name).then(|| b.name.clone()),
        email: s.releases(BuyerScope::Email).then(|| b.email.clone()),
        phone_number: b
            .phone_number
            .clone()
            .filter(|_| s.releases(BuyerScope::PhoneNumber)),
        prime_membership_types: None,
    }
}

/// The buyer's billing address, if the session's `scopes` release it.
fn billing_out(a: Option<&Address>, s: &CheckoutSession) -> Option<wire::Address> {
    a.filter(|_| s.releases(BuyerScope::BillingAddress))
        .map(address_out)
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
            unit: Some(f.unit.to_wire()),
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
    let (state, reason) = session_state(&s.state);
    let mut status = wire::StatusDetails::new(
        state,
        ts(s.updated_at).unwrap_or_else(unreachable_timestamp),
    );
    if let Some(r) = reason {
        status = status.with_reason(r.to_wire(), cancel_description(r));
    }
    let w = &s.web_checkout_details;
    let mut view = wire::CheckoutSession::new(s.id.as_str().into(), status);
    view.web_checkout_details = Some(wire::WebCheckoutDetails {
        checkout_review_return_url: w.checkout_review_return_url.clone(),
        checkout_result_return_url: w.checkout_result_return_url.clone(),
        checkout_cancel_url: w.checkout_cancel_url.clone(),
        amazon_pay_redirect_url: c
            .redirect_url_ready()
            .then(|| payment_page_url(base_url, c)),
        checkout_mode: w.checkout_mode.map(WireEnum::to_wire),
    });
    view.product_type = Some(s.product_type.to_wire());
    // Once completed or canceled, buyer data, addresses, payment details and merchant metadata
    // are no longer returned (design.md §3).
    if open {
        add_payment_and_buyer(&mut view, c);
        view.merchant_metadata = Some(metadata_out(&s.merchant_metadata));
        if let Some(sel) = &s.buyer {
            view.shipping_address = sel.shipping_address.as_ref().map(address_out);
        }
    }
    view.charge_permission_type = Some(s.charge_permission_type.to_wire());
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
                constraint_id: k.to_wire(),
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
    view.release_environment = Some(c.environment.to_wire());
    view.delivery_specifications = s
        .delivery_specifications
        .as_ref()
        .and_then(|d| serde_json::from_str(&d.0).ok());
    view
}

/// The answer to Finalize Checkout Session: the completed session with what Finalize returns
/// besides it. Amazon: "The response will be normal finalizeCS + paymentDetails, billingAddress,
/// and buyerDetails", and the merchant calls it to "get chargePermissionId, buyer details,
/// paymentDescriptor and billingAddress" (developer.amazon.com, mobile-app "Finalize Checkout
/// Session"; mobile-app-onetime-eoc "Call finalizeCheckoutSession API").
pub(crate) fn finalize_view(c: &Checkout, base_url: &str) -> wire::CheckoutSession {
    let mut view = session_view(c, base_url);
    add_payment_and_buyer(&mut view, c);
    view
}

/// The answer to Complete Checkout Session: the completed session, plus the billing address
/// when the session's `scopes` ask for `billingAddress` (checkout-session reference, Complete
/// Checkout Session; `CheckoutSession::billing_address_on_complete`). A later Get shows the
/// completed session without it.
pub(crate) fn complete_view(c: &Checkout, base_url: &str) -> wire::CheckoutSession {
    let mut view = session_view(c, base_url);
    let s = &c.session;
    if matches!(s.state, SessionState::Completed { .. }) && s.billing_address_on_complete() {
        view.billing_address = s
            .buyer
            .as_ref()
            .and_then(|b| billing_out(b.billing_address.as_ref(), s));
    }
    view
}

/// `paymentDetails`, `buyer`, `billingAddress` and `paymentPreferences` (the instrument's
/// `paymentDescriptor`), whatever the session's state.
fn add_payment_and_buyer(view: &mut wire::CheckoutSession, c: &Checkout) {
    let p = &c.session.payment_details;
    view.payment_details = Some(wire::PaymentDetails {
        payment_intent: p.payment_intent.map(WireEnum::to_wire),
        can_handle_pending_authorization: Some(p.can_handle_pending_authorization),
        charge_amount: p.charge_amount.and_then(price),
        total_order_amount: p.total_order_amount.and_then(price),
        soft_descriptor: p.soft_descriptor.clone(),
        presentment_currency: p.presentment_currency.map(WireEnum::to_wire),
        allow_overcharge: p.allow_overcharge,
        extend_expiration: p.extend_expiration,
    });
    let s = &c.session;
    if let Some(sel) = &s.buyer {
        view.buyer = Some(buyer_out(&sel.buyer, s));
        view.billing_address = billing_out(sel.billing_address.as_ref(), s);
        view.payment_preferences = Some(vec![wire::PaymentPreference {
            payment_descriptor: Some(sel.instrument.descriptor()),
        }]);
    }
}

fn unreachable_timestamp() -> wire::Timestamp {
    // 0 is always representable; this only satisfies the types.
    wire::Timestamp::parse("19700101T000000Z").expect("epoch parses")
}

fn cancel_description(r: SessionCancelReason) -> &'static str {
    use SessionCancelReason as C;
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
                    reason_code: r.to_wire(),
                    reason_description: Some(r.description().to_owned()),
                })
                .collect(),
        ),
        PermissionState::Closed(r) => Some(vec![wire::StatusReason {
            reason_code: r.to_wire(),
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
        buyer: p
            .buyer
            .as_ref()
            .filter(|_| visible)
            .map(|b| buyer_out(b, &c.session)),
        shipping_address: p
            .shipping_address
            .as_ref()
            .filter(|_| visible)
            .map(address_out),
        billing_address: billing_out(p.billing_address.as_ref().filter(|_| visible), &c.session),
        payment_preferences: Some(vec![wire::PaymentPreference {
            payment_descriptor: p.payment_descriptor.clone().filter(|_| visible),
        }]),
        status_details: wire::ChargePermissionStatusDetails {
            state: permission_state(&p.state),
            reasons,
            last_updated_timestamp: ts(p.updated_at),
        },
        creation_timestamp: ts(p.created_at),
        expiration_timestamp: p.expires_at.and_then(ts),
        merchant_metadata: Some(metadata_out(&p.merchant_metadata)),
        release_environment: Some(c.environment.to_wire()),
        limits: Some(wire::Limits {
            amount_limit: p.amount_limit.filter(|_| one_time).and_then(price),
            amount_balance: if one_time {
                c.amount_balance().and_then(price)
            } else {
                None
            },
        }),
        charge_permission_type: Some(p.charge_permission_type.to_wire()),
        recurring_metadata: recurring_out(&p.recurring_metadata),
        presentment_currency: Some(p.presentment_currency.to_wire()),
        payment_method_on_file_metadata: setup_only_out(p.setup_only),
    })
}

/// The Charge response body.
pub(crate) fn charge_view(c: &Checkout, ch: &Charge) -> wire::Charge {
    let (state, reason) = charge_state(&ch.state);
    let mut status = wire::StatusDetails::new(
        state,
        ts(ch.updated_at).unwrap_or_else(unreachable_timestamp),
    );
    if let Some(reason) = reason {
        let description = match &ch.cancellation_reason {
            Some(text) if reason == wire::enums::ReasonCode::MerchantCanceled => text.clone(),
            _ => charge_reason_description(reason.as_str()),
        };
        status = status.with_reason(reason, description);
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
        channel: ch.channel.map(WireEnum::to_wire),
        charge_initiator: ch.charge_initiator.map(WireEnum::to_wire),
        status_details: status,
        creation_timestamp: ts(ch.created_at),
        expiration_timestamp: ts(ch.expires_at),
        release_environment: Some(c.environment.to_wire()),
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

fn closed_description(r: PermissionClosedReason, closure_reason: Option<&str>) -> String {
    use PermissionClosedReason as C;
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
    let (state, reason) = refund_state(&r.state);
    let mut status = wire::StatusDetails::new(
        state,
        ts(r.updated_at).unwrap_or_else(unreachable_timestamp),
    );
    if let Some(reason) = reason {
        let description = match reason {
            wire::enums::ReasonCode::AmazonRejected => {
                "Amazon declined the refund (for example, a negative balance)."
            }
            _ => "The refund could not be processed.",
        };
        status = status.with_reason(reason, description);
    }
    wire::Refund {
        creation_timestamp: ts(r.created_at),
        refund_amount: price(r.refund_amount),
        soft_descriptor: r.soft_descriptor.clone(),
        release_environment: Some(c.environment.to_wire()),
        ..wire::Refund::new(r.id.as_str().into(), r.charge_id.as_str().into(), status)
    }
}

/// The Create Delivery Tracker response body: the request echoed, the order under the field
/// that named it.
pub(crate) fn tracker_view(
    permission: &ChargePermissionId,
    field: super::OrderField,
    shipments: &[Shipment],
) -> wire::DeliveryTracker {
    let by_reference = field == super::OrderField::AmazonOrderReferenceId;
    wire::DeliveryTracker {
        charge_permission_id: (!by_reference).then(|| permission.as_str().into()),
        amazon_order_reference_id: by_reference.then(|| permission.as_str().to_owned()),
        delivery_details: Some(
            shipments
                .iter()
                .map(|s| wire::DeliveryDetail::new(&s.tracking_number, &s.carrier_code))
                .collect(),
        ),
    }
}
