//! Whole stories on the virtual clock: deferred payment, the 31st day of a OneTime permission,
//! the 180th. No sleeps: the clock advances and the background step runs.

use amzpay_emulator_core::ids::ChargePermissionId;
use amzpay_emulator_store::ObjectRef;
use serde_json::{Value, json};

use crate::flows::*;
use crate::helpers::*;

#[tokio::test]
async fn deferred_payment_confirm_then_charge_days_later_capture_and_partial_refunds() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    // Checkout with Confirm: nothing is charged yet.
    let mut body = session_body(
        &m,
        Some(json!({"paymentIntent": "Confirm", "chargeAmount": usd("80.00")})),
    );
    body["merchantMetadata"] = json!({"merchantReferenceId": "order-7"});
    let c = app.checkout_with(&m, body, "1111").await;
    assert_eq!(c.charge_id, None);
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Chargeable");
    assert_eq!(p["limits"]["amountLimit"], usd("80.00"));
    assert_eq!(p["limits"]["amountBalance"], usd("80.00"));

    // Three days later the goods ship: authorize, then capture on the same day.
    app.advance_clock(&m, "3d").await;
    let charge = app
        .create_charge(&m, &c.permission_id, "80.00", json!({}), None)
        .await
        .expect(201)
        .clone();
    let id = charge["chargeId"].as_str().unwrap().to_owned();
    assert_eq!(state_of(&charge), "Authorized");
    let captured = app
        .capture(&m, &id, "80.00", None)
        .await
        .expect(200)
        .clone();
    assert_eq!(state_of(&captured), "Captured");
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Closed/AmazonClosed");
    assert_eq!(p["limits"]["amountBalance"], usd("0.00"));

    // Tracking, then two partial refunds a week apart.
    app.send(
        &m,
        "POST",
        "/v2/deliveryTrackers",
        Some(json!({
            "chargePermissionId": c.permission_id,
            "deliveryDetails": [{"trackingNumber": "9400111899223197428490", "carrierCode": "USPS"}]
        })),
        None,
    )
    .await
    .expect(200);
    app.advance_clock(&m, "7d").await;
    app.refund(&m, &id, "20.00", None).await.expect(201);
    app.advance_clock(&m, "7d").await;
    app.refund(&m, &id, "15.50", None).await.expect(201);
    let charge = app.charge_state(&m, &id).await;
    assert_eq!(
        charge["refundedAmount"],
        usd("20.00"),
        "the second is pending"
    );
    app.advance_clock(&m, "30s").await;
    let charge = app.charge_state(&m, &id).await;
    assert_eq!(charge["refundedAmount"], usd("35.50"));
    assert_eq!(charge["captureAmount"], usd("80.00"));
    assert_eq!(state_of(&charge), "Captured");
}

#[tokio::test]
async fn on_day_31_one_time_buyer_data_is_gone_and_an_unused_authorization_has_expired() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.checkout(&m, "Authorize", "25.00").await;
    let id = c.charge().to_owned();
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(p["buyer"]["name"], "Test Buyer");
    assert_eq!(p["shippingAddress"]["city"], "Seattle");
    let charge = app.charge_state(&m, &id).await;
    let expires = charge["expirationTimestamp"].as_str().unwrap().to_owned();
    assert_eq!(
        expires,
        charge["creationTimestamp"]
            .as_str()
            .map(|t| {
                let t = amzpay_emulator_core::Timestamp::parse(t).unwrap();
                t.plus(30 * 86_400).to_compact()
            })
            .unwrap()
    );

    let clock = app.advance_clock(&m, "31d").await;
    assert!(clock["appliedTimers"].as_u64().unwrap() >= 1, "{clock}");
    let charge = app.charge_state(&m, &id).await;
    assert_eq!(state_of(&charge), "Canceled/ExpiredUnused");
    app.capture(&m, &id, "25.00", None)
        .await
        .expect_error(422, "InvalidChargeStatus");
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(p["buyer"], Value::Null);
    assert_eq!(p["shippingAddress"], Value::Null);
    assert_eq!(p["billingAddress"], Value::Null);
    assert_eq!(p["paymentPreferences"][0]["paymentDescriptor"], Value::Null);
    // The authorization's amount is back in the balance and the permission can charge again.
    assert_eq!(permission_state_of(&p), "Chargeable");
    assert_eq!(p["limits"]["amountBalance"], usd("25.00"));
    app.create_charge(
        &m,
        &c.permission_id,
        "25.00",
        json!({"captureNow": true}),
        None,
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn a_one_time_permission_expires_after_180_days_and_saved_wallets_never_do() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.deferred(&m, "10.00").await;
    let w = app.saved_wallet(&m).await;
    let p = app.permission(&m, &c.permission_id).await;
    let created =
        amzpay_emulator_core::Timestamp::parse(p["creationTimestamp"].as_str().unwrap()).unwrap();
    assert_eq!(
        p["expirationTimestamp"],
        created.plus(180 * 86_400).to_compact()
    );
    app.advance_clock(&m, "179d23h59m").await;
    assert_eq!(
        permission_state_of(&app.permission(&m, &c.permission_id).await),
        "Chargeable"
    );
    app.advance_clock(&m, "1m").await;
    assert_eq!(
        permission_state_of(&app.permission(&m, &c.permission_id).await),
        "Closed/Expired"
    );
    app.create_charge(&m, &c.permission_id, "1.00", json!({}), None)
        .await
        .expect_error(422, "InvalidChargePermissionStatus");
    let wallet = app.permission(&m, &w.permission_id).await;
    assert_eq!(permission_state_of(&wallet), "Chargeable");
    assert_eq!(
        wallet["buyer"]["name"], "Test Buyer",
        "saved wallets keep buyer data"
    );
    // The expiry is stored by the background step, not only computed on read.
    assert_eq!(
        app.run_background_step().await,
        amzpay_emulator::worker::ExecutionOutcome::EmptyQueue
    );
}

#[tokio::test]
async fn the_background_step_resolves_pending_authorizations_captures_and_refunds() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    app.set_clock(&m, "2030-01-01T00:00:00Z").await;
    let c = app.checkout(&m, "AuthorizeWithCapture", "10.00").await;
    app.refund(&m, c.charge(), "1.00", None).await.expect(201);
    // Move the frozen clock without running timers (set it, not advance): nothing is stored yet.
    app.state
        .store()
        .set_clock(
            &tenant(&m).merchant_id,
            amzpay_emulator_core::VirtualClock::Frozen {
                at: amzpay_emulator_core::Timestamp::parse("20300101T000100Z").unwrap(),
            },
        )
        .await
        .unwrap();
    let stored = app
        .stored(
            &m,
            ObjectRef::ChargePermission(ChargePermissionId::parse(&c.permission_id).unwrap()),
        )
        .await;
    assert_eq!(stored.refunds[0].state.as_str(), "RefundInitiated");
    assert!(matches!(
        app.run_background_step().await,
        amzpay_emulator::worker::ExecutionOutcome::TaskCompleted { .. }
    ));
    let stored = app
        .stored(
            &m,
            ObjectRef::ChargePermission(ChargePermissionId::parse(&c.permission_id).unwrap()),
        )
        .await;
    assert_eq!(stored.refunds[0].state.as_str(), "Refunded");
    assert_eq!(
        stored.charges[0]
            .refunded_amount
            .map(|m| m.to_decimal_string()),
        Some("1.00".to_owned())
    );
}
