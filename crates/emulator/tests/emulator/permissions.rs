//! Charge Permissions (every operation in every state, update and close rules, buyer events),
//! delivery trackers and Get Buyer.

use serde_json::{Value, json};

use crate::flows::*;
use crate::helpers::*;

const PERMISSION_STATES: &[&str] = &[
    "Chargeable",
    "NonChargeable/ChargeInProgress",
    "NonChargeable/PaymentMethodInvalid",
    "NonChargeable/PaymentMethodDeleted",
    "NonChargeable/BillingAddressDeleted",
    "NonChargeable/PaymentMethodExpired",
    "NonChargeable/PaymentMethodNotAllowed",
    "NonChargeable/PaymentMethodNotSet",
    "NonChargeable/MFAFailed",
    "Closed/MerchantClosed",
    "Closed/BuyerClosed",
    "Closed/AmazonCanceled",
    "Closed/AmazonClosed",
    "Closed/Expired",
];

/// A OneTime permission of 100.00 USD in `state`, reached through the API and buyer events.
async fn permission_in(app: &TestApp, m: &Merchant, state: &str) -> Completed {
    let c = match state {
        "NonChargeable/ChargeInProgress" => app.checkout(m, "Authorize", "100.00").await,
        "Closed/AmazonClosed" => app.checkout(m, "AuthorizeWithCapture", "100.00").await,
        _ => app.deferred(m, "100.00").await,
    };
    let p = &c.permission_id;
    match state {
        "NonChargeable/PaymentMethodInvalid" => {
            app.create_charge(m, p, "1.00", json!({}), Some("HardDeclined"))
                .await
                .expect_error(422, "HardDeclined");
        }
        "Closed/MerchantClosed" => {
            app.close_permission(m, p).await.expect(200);
        }
        "Closed/BuyerClosed" => {
            app.permission_event(p, "BuyerClosed").await.expect(200);
        }
        "Closed/AmazonCanceled" => {
            app.permission_event(p, "AmazonCanceled").await.expect(200);
        }
        "Closed/Expired" => {
            app.advance_clock(m, "180d").await;
        }
        s if s.starts_with("NonChargeable/") && s != "NonChargeable/ChargeInProgress" => {
            let reason = s.trim_start_matches("NonChargeable/");
            app.permission_event(p, reason).await.expect(200);
        }
        _ => {}
    }
    let got = app.permission(m, p).await;
    assert_eq!(permission_state_of(&got), state, "{got}");
    c
}

#[derive(Clone, Copy, Debug)]
enum PermissionOp {
    Charge,
    UpdateEmptyField,
    UpdateSetField,
    Close,
}

impl PermissionOp {
    /// A charge is a new object (201); updates and close change the permission (200).
    fn success_status(self) -> u16 {
        match self {
            PermissionOp::Charge => 201,
            PermissionOp::UpdateEmptyField | PermissionOp::UpdateSetField | PermissionOp::Close => {
                200
            }
        }
    }
}

fn expected(state: &str, op: PermissionOp) -> Result<&'static str, (u16, &'static str)> {
    let closed = state.starts_with("Closed/");
    match op {
        // A 1.00 authorization of a 100.00 permission leaves it Chargeable (issue 17 item 1).
        PermissionOp::Charge if state == "Chargeable" => Ok("Chargeable"),
        PermissionOp::Charge => Err((422, "InvalidChargePermissionStatus")),
        PermissionOp::UpdateEmptyField => Ok("unchanged"),
        PermissionOp::UpdateSetField if closed => Err((422, "ChargePermissionNotModifiable")),
        PermissionOp::UpdateSetField => Ok("unchanged"),
        PermissionOp::Close if closed => Err((422, "InvalidChargePermissionStatus")),
        PermissionOp::Close => Ok("Closed/MerchantClosed"),
    }
}

async fn run_op(app: &TestApp, m: &Merchant, op: PermissionOp, p: &str) -> Resp {
    let path = format!("/v2/chargePermissions/{p}");
    match op {
        PermissionOp::Charge => app.create_charge(m, p, "1.00", json!({}), None).await,
        // The session set merchantReferenceId (below); noteToBuyer is still empty.
        PermissionOp::UpdateEmptyField => {
            app.patch(
                m,
                &path,
                json!({"merchantMetadata": {"noteToBuyer": "Shipped"}}),
            )
            .await
        }
        PermissionOp::UpdateSetField => {
            app.patch(
                m,
                &path,
                json!({"merchantMetadata": {"merchantReferenceId": "order-2"}}),
            )
            .await
        }
        PermissionOp::Close => app.close_permission(m, p).await,
    }
}

#[tokio::test]
async fn every_permission_operation_in_every_permission_state_is_allowed_or_refused_without_a_change()
 {
    let app = spawn_app().await;
    let mut checked = 0;
    for state in PERMISSION_STATES {
        for op in [
            PermissionOp::Charge,
            PermissionOp::UpdateEmptyField,
            PermissionOp::UpdateSetField,
            PermissionOp::Close,
        ] {
            // A merchant per cell: the 180-day expiry moves the merchant's clock.
            let m = app.merchant().await;
            let c = permission_in(&app, &m, state).await;
            app.patch(
                &m,
                &c.permission_path(),
                json!({"merchantMetadata": {"merchantReferenceId": "order-1"}}),
            )
            .await;
            let before = app.permission(&m, &c.permission_id).await;
            let r = run_op(&app, &m, op, &c.permission_id).await;
            match expected(state, op) {
                Ok(after) => {
                    r.expect(op.success_status());
                    let now = app.permission(&m, &c.permission_id).await;
                    let want = if after == "unchanged" { *state } else { after };
                    assert_eq!(permission_state_of(&now), want, "{state} {op:?}");
                }
                Err((status, reason)) => {
                    r.expect_error_for(status, reason, &format!("{state} {op:?}"));
                    assert_eq!(
                        app.permission(&m, &c.permission_id).await,
                        before,
                        "{state} {op:?}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, PERMISSION_STATES.len() * 4);
}

#[tokio::test]
async fn update_merges_metadata_and_keeps_recurring_metadata_updatable() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let mut body = session_body(
        &m,
        Some(json!({"paymentIntent": "Confirm", "chargeAmount": usd("9.99")})),
    );
    body["chargePermissionType"] = json!("Recurring");
    body["recurringMetadata"] =
        json!({"frequency": {"unit": "Month", "value": "1"}, "amount": usd("9.99")});
    let c = app.checkout_with(&m, body, "1111").await;
    let path = c.permission_path();
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(p["chargePermissionType"], "Recurring");
    assert_eq!(p["recurringMetadata"]["frequency"]["unit"], "Month");
    let r = app
        .patch(
            &m,
            &path,
            json!({
                "merchantMetadata": {"merchantReferenceId": "sub-1", "customInformation": "gold"},
                "recurringMetadata": {"frequency": {"unit": "Year", "value": 1}}
            }),
        )
        .await;
    let p = r.expect(200).clone();
    assert_eq!(p["merchantMetadata"]["merchantReferenceId"], "sub-1");
    assert_eq!(p["merchantMetadata"]["customInformation"], "gold");
    assert_eq!(p["recurringMetadata"]["frequency"]["unit"], "Year");
    assert_eq!(p["recurringMetadata"]["frequency"]["value"], "1");
    assert_eq!(p["recurringMetadata"]["amount"], usd("9.99"), "merged");
    let p = app
        .patch(
            &m,
            &path,
            json!({"merchantMetadata": {"noteToBuyer": "Thanks"}}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(p["merchantMetadata"]["merchantReferenceId"], "sub-1");
    // Recurring permissions refuse updates once closed; OneTime ones refuse recurringMetadata.
    app.close_permission(&m, &c.permission_id).await.expect(200);
    app.patch(
        &m,
        &path,
        json!({"merchantMetadata": {"merchantStoreName": "Shop"}}),
    )
    .await
    .expect_error(422, "ChargePermissionNotModifiable");
    let one_time = app.deferred(&m, "5.00").await;
    app.patch(
        &m,
        &one_time.permission_path(),
        json!({"recurringMetadata": {"frequency": {"unit": "Month", "value": "1"}}}),
    )
    .await
    .expect_error(400, "InvalidParameterValue");
    app.patch(
        &m,
        &one_time.permission_path(),
        json!({"merchantMetadata": {"noteToBuyer": "x".repeat(256)}}),
    )
    .await
    .expect_error(400, "InvalidParameterValue");
    app.patch(
        &m,
        &one_time.permission_path(),
        json!({"statusDetails": {}}),
    )
    .await
    .expect_error(400, "UnrecognizedField");
}

#[tokio::test]
async fn close_cancels_pending_charges_only_when_asked() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let keep = app.checkout(&m, "Authorize", "10.00").await;
    let p = app
        .close_permission(&m, &keep.permission_id)
        .await
        .expect(200)
        .clone();
    assert_eq!(permission_state_of(&p), "Closed/MerchantClosed");
    assert_eq!(
        p["statusDetails"]["reasons"][0]["reasonDescription"],
        "Order complete"
    );
    // The open authorization survives and can still be captured.
    assert_eq!(
        state_of(&app.charge_state(&m, keep.charge()).await),
        "Authorized"
    );
    app.capture(&m, keep.charge(), "10.00", None)
        .await
        .expect(200);

    let cancel = app.checkout(&m, "Authorize", "10.00").await;
    let r = app
        .send(
            &m,
            "DELETE",
            &format!("/v2/chargePermissions/{}/close", cancel.permission_id),
            Some(json!({"closureReason": "Canceled order", "cancelPendingCharges": true})),
            None,
        )
        .await;
    r.expect(200);
    assert_eq!(
        state_of(&app.charge_state(&m, cancel.charge()).await),
        "Canceled/ChargePermissionCanceled"
    );
    // closureReason is required and at most 255 characters.
    let open = app.deferred(&m, "1.00").await;
    let close = format!("/v2/chargePermissions/{}/close", open.permission_id);
    app.send(&m, "DELETE", &close, Some(json!({})), None)
        .await
        .expect_error(400, "MissingParameterValue");
    app.send(
        &m,
        "DELETE",
        &close,
        Some(json!({"closureReason": "x".repeat(256)})),
        None,
    )
    .await
    .expect_error(400, "InvalidParameterValue");
    assert_eq!(
        permission_state_of(&app.permission(&m, &open.permission_id).await),
        "Chargeable"
    );
}

#[tokio::test]
async fn buyer_events_stack_reasons_and_a_fixed_instrument_makes_the_permission_chargeable_again() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.checkout(&m, "Authorize", "10.00").await;
    let p = &c.permission_id;
    let r = app.permission_event(p, "PaymentMethodExpired").await;
    assert_eq!(
        permission_state_of(r.expect(200)),
        "NonChargeable/ChargeInProgress+PaymentMethodExpired"
    );
    app.cancel_charge(&m, c.charge()).await.expect(200);
    assert_eq!(
        permission_state_of(&app.permission(&m, p).await),
        "NonChargeable/PaymentMethodExpired"
    );
    app.permission_event(p, "PaymentMethodUpdated")
        .await
        .expect(200);
    assert_eq!(
        permission_state_of(&app.permission(&m, p).await),
        "Chargeable"
    );
    app.permission_event(p, "ChargeInProgress")
        .await
        .expect_error(400, "InvalidParameterValue");
    app.permission_event("S01-0000000-0000000", "BuyerClosed")
        .await
        .expect_error(404, "ResourceNotFound");
}

#[tokio::test]
async fn a_delivery_tracker_is_accepted_once_per_merchant_and_echoed() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.checkout(&m, "AuthorizeWithCapture", "10.00").await;
    let tracker = |p: &str, number: &str, carrier: &str| {
        json!({
            "chargePermissionId": p,
            "deliveryDetails": [{"trackingNumber": number, "carrierCode": carrier}]
        })
    };
    let body = tracker(&c.permission_id, "1Z999AA10123456784", "UPS");
    let r = app
        .send(&m, "POST", "/v2/deliveryTrackers", Some(body.clone()), None)
        .await;
    let echoed = r.expect(200).clone();
    assert_eq!(
        echoed,
        json!({
            "chargePermissionId": c.permission_id,
            "amazonOrderReferenceId": null,
            "deliveryDetails": [{"trackingNumber": "1Z999AA10123456784", "carrierCode": "UPS"}]
        })
    );
    // The same number again, on this or another permission of the merchant, in any case.
    app.send(&m, "POST", "/v2/deliveryTrackers", Some(body), None)
        .await
        .expect_error(400, "InvalidParameterValue");
    let second = app.deferred(&m, "5.00").await;
    app.send(
        &m,
        "POST",
        "/v2/deliveryTrackers",
        Some(tracker(&second.permission_id, "1z999aa10123456784", "UPS")),
        None,
    )
    .await
    .expect_error(400, "InvalidParameterValue");
    // Another merchant may use the number; but not this merchant's permission.
    let other = app.merchant().await;
    let theirs = app.deferred(&other, "5.00").await;
    app.send(
        &other,
        "POST",
        "/v2/deliveryTrackers",
        Some(tracker(&theirs.permission_id, "1Z999AA10123456784", "UPS")),
        None,
    )
    .await
    .expect(200);
    app.send(
        &other,
        "POST",
        "/v2/deliveryTrackers",
        Some(tracker(&c.permission_id, "NEW123", "UPS")),
        None,
    )
    .await
    .expect_error(400, "InvalidParameterValue");
    // Amazon documents no shape for either field: only blank values and control characters
    // are refused.
    for (number, carrier) in [
        ("", "UPS"),
        ("  ", "UPS"),
        ("OK123", ""),
        ("OK\u{0}123", "UPS"),
        ("OK123", "U\nPS"),
    ] {
        app.send(
            &m,
            "POST",
            "/v2/deliveryTrackers",
            Some(tracker(&second.permission_id, number, carrier)),
            None,
        )
        .await
        .expect_error(400, "InvalidParameterValue");
    }
    let empty = json!({"chargePermissionId": second.permission_id, "deliveryDetails": []});
    app.send(&m, "POST", "/v2/deliveryTrackers", Some(empty), None)
        .await
        .expect_error(400, "MissingParameterValue");
    let v1 = json!({"amazonOrderReferenceId": "S01-0000000-0000000", "deliveryDetails": [{"trackingNumber": "A1", "carrierCode": "UPS"}]});
    app.send(&m, "POST", "/v2/deliveryTrackers", Some(v1), None)
        .await
        .expect_error(400, "InvalidParameterValue");
    let both = json!({
        "chargePermissionId": second.permission_id,
        "amazonOrderReferenceId": second.permission_id,
        "deliveryDetails": [{"trackingNumber": "BOTH-1", "carrierCode": "UPS"}]
    });
    app.send(&m, "POST", "/v2/deliveryTrackers", Some(both), None)
        .await
        .expect_error(400, "InvalidParameterValue");
    // Two shipments at once; a rejected request stores neither.
    let two = json!({
        "chargePermissionId": second.permission_id,
        "deliveryDetails": [
            {"trackingNumber": "TWO-1", "carrierCode": "USPS"},
            {"trackingNumber": "TWO-1", "carrierCode": "USPS"}
        ]
    });
    app.send(&m, "POST", "/v2/deliveryTrackers", Some(two), None)
        .await
        .expect_error(400, "InvalidParameterValue");
    app.send(
        &m,
        "POST",
        "/v2/deliveryTrackers",
        Some(tracker(&second.permission_id, "TWO-1", "USPS")),
        None,
    )
    .await
    .expect(200);
}

/// The Delivery Tracker reference takes "amazonOrderReferenceId - or - chargePermissionId" and
/// documents no shape for `trackingNumber` or `carrierCode`, nor a number of shipments
/// (developer.amazon.com/docs/amazon-pay-api-v2/delivery-tracker.html).
#[tokio::test]
async fn a_delivery_tracker_takes_an_order_reference_id_and_any_carrier_and_number() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.checkout(&m, "AuthorizeWithCapture", "10.00").await;
    let details: Vec<Value> = (0..12)
        .map(|i| json!({"trackingNumber": format!("JP 1234 5678 {i:02}"), "carrierCode": "Yamato Transport"}))
        .collect();
    let body = json!({"amazonOrderReferenceId": c.permission_id, "deliveryDetails": details});
    let r = app
        .send(&m, "POST", "/v2/deliveryTrackers", Some(body), None)
        .await;
    let echoed = r.expect(200).clone();
    assert_eq!(echoed["amazonOrderReferenceId"], c.permission_id.as_str());
    assert_eq!(echoed["chargePermissionId"], Value::Null);
    assert_eq!(echoed["deliveryDetails"].as_array().unwrap().len(), 12);
    assert_eq!(
        echoed["deliveryDetails"][11],
        json!({"trackingNumber": "JP 1234 5678 11", "carrierCode": "Yamato Transport"})
    );
    // The numbers are used now, whichever field named the order.
    let again = json!({
        "chargePermissionId": c.permission_id,
        "deliveryDetails": [{"trackingNumber": "jp 1234 5678 00", "carrierCode": "UPS"}]
    });
    let r = app
        .send(&m, "POST", "/v2/deliveryTrackers", Some(again), None)
        .await;
    r.expect_error(400, "InvalidParameterValue");
    // An unknown order reference names its field.
    let unknown = json!({"amazonOrderReferenceId": "P01-0000000-0000000", "deliveryDetails": [{"trackingNumber": "X1", "carrierCode": "UPS"}]});
    let r = app
        .send(&m, "POST", "/v2/deliveryTrackers", Some(unknown), None)
        .await;
    r.expect_error(400, "InvalidParameterValue");
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("amazonOrderReferenceId")
    );
}

#[tokio::test]
async fn get_buyer_reads_the_token_of_a_sign_in_for_its_merchant_only() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let r = app
        .admin(
            axum::http::Method::POST,
            &format!("/__admin/merchants/{}/sign-in", m.merchant_id),
            Some(json!({
                "name": "Ada Buyer",
                "email": "ada@example.com",
                "scopes": ["name", "email", "postalCode", "shippingAddress"],
                "signInReturnUrl": "https://shop.example/signed-in?x=1"
            })),
        )
        .await;
    let signed_in = r.expect(200).clone();
    let token = signed_in["buyerToken"].as_str().unwrap();
    assert_eq!(
        signed_in["redirectUrl"],
        format!("https://shop.example/signed-in?x=1&buyerToken={token}")
    );
    let buyer = app.get(&m, &format!("/v2/buyers/{token}")).await;
    let buyer = buyer.expect(200).clone();
    assert_eq!(buyer["buyerId"], signed_in["buyerId"]);
    assert!(
        buyer["buyerId"]
            .as_str()
            .unwrap()
            .starts_with("amzn1.account.")
    );
    assert_eq!(buyer["name"], "Ada Buyer");
    assert_eq!(buyer["email"], "ada@example.com");
    assert_eq!(buyer["postalCode"], "98109");
    assert_eq!(buyer["countryCode"], "US");
    assert_eq!(buyer["shippingAddress"]["city"], "Seattle");
    assert_eq!(buyer["billingAddress"], Value::Null);
    assert_eq!(buyer["phoneNumber"], Value::Null);
    let keys: Vec<&String> = buyer.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "buyerId",
            "name",
            "email",
            "postalCode",
            "countryCode",
            "phoneNumber",
            "shippingAddress",
            "billingAddress",
            "primeMembershipTypes"
        ]
    );
    let other = app.merchant().await;
    app.get(&other, &format!("/v2/buyers/{token}"))
        .await
        .expect_error(404, "ResourceNotFound");
    app.get(&m, "/v2/buyers/not-a-token")
        .await
        .expect_error(404, "ResourceNotFound");
}

/// EU and UK merchants change a subscription by closing the permission and checking out again
/// (developer.amazon.com/docs/amazon-pay-checkout/advanced-subscription-use-cases.html,
/// "Changing subscription plans"), so Update Charge Permission refuses their recurringMetadata.
#[tokio::test]
async fn eu_merchants_cannot_update_recurring_metadata_but_can_update_merchant_metadata() {
    let app = spawn_app().await;
    let m = app.merchant_with(json!({"region": "eu"})).await;
    let eur = json!({"amount": "9.99", "currencyCode": "EUR"});
    let mut body = session_body(
        &m,
        Some(json!({"paymentIntent": "Confirm", "chargeAmount": eur})),
    );
    body["chargePermissionType"] = json!("Recurring");
    body["recurringMetadata"] =
        json!({"frequency": {"unit": "Month", "value": "1"}, "amount": eur});
    let c = app.checkout_with(&m, body, "1111").await;
    let path = c.permission_path();
    let before = app.permission(&m, &c.permission_id).await;
    let r = app
        .patch(
            &m,
            &path,
            json!({"recurringMetadata": {"frequency": {"unit": "Year", "value": "1"}}}),
        )
        .await;
    r.expect_error(422, "ChargePermissionNotModifiable");
    assert_eq!(
        app.permission(&m, &c.permission_id).await,
        before,
        "nothing changed"
    );
    let p = app
        .patch(
            &m,
            &path,
            json!({"merchantMetadata": {"merchantReferenceId": "sub-1"}}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(p["merchantMetadata"]["merchantReferenceId"], "sub-1");
    assert_eq!(p["recurringMetadata"]["frequency"]["unit"], "Month");
}

#[tokio::test]
async fn a_buyer_token_expires_24_hours_after_the_sign_in() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    app.freeze_clock(&m).await;
    let r = app
        .admin(
            axum::http::Method::POST,
            &format!("/__admin/merchants/{}/sign-in", m.merchant_id),
            Some(json!({})),
        )
        .await;
    let token = r.expect(200)["buyerToken"].as_str().unwrap().to_owned();
    app.advance_clock(&m, "23h").await;
    app.get(&m, &format!("/v2/buyers/{token}"))
        .await
        .expect(200);

    app.advance_clock(&m, "1h").await;

    app.get(&m, &format!("/v2/buyers/{token}"))
        .await
        .expect_error(404, "ResourceNotFound");
}
