//! Charges and refunds: every operation in every charge state, amounts and limits.

use serde_json::{Value, json};

use crate::flows::*;
use crate::helpers::*;

const CHARGE_STATES: &[&str] = &[
    "AuthorizationInitiated",
    "Authorized",
    "CaptureInitiated",
    "Captured",
    "Canceled",
    "Declined",
];

/// A deferred (Confirm) permission of 100.00 USD with one 10.00 USD charge in `state`.
async fn charge_in(app: &TestApp, m: &Merchant, state: &str) -> (Completed, String) {
    let c = app.deferred(m, "100.00").await;
    let pending = json!({"canHandlePendingAuthorization": true});
    let create = |extra: Value, sim: Option<&'static str>| {
        let p = c.permission_id.clone();
        async move { app.create_charge(m, &p, "10.00", extra, sim).await }
    };
    let r = match state {
        "AuthorizationInitiated" => create(pending, Some("Emulator:PendingThenAuthorized")).await,
        "Declined" => create(pending, Some("Emulator:PendingThenHardDeclined")).await,
        _ => create(json!({}), None).await,
    };
    let id = r.expect(201)["chargeId"].as_str().unwrap().to_owned();
    match state {
        "CaptureInitiated" => {
            app.capture(m, &id, "10.00", Some("Emulator:CaptureInitiated"))
                .await
                .expect(200);
        }
        "Captured" => {
            app.capture(m, &id, "10.00", None).await.expect(200);
        }
        "Canceled" => {
            app.cancel_charge(m, &id).await.expect(200);
        }
        "Declined" => {
            app.advance_clock(m, "30s").await;
        }
        _ => {}
    }
    let got = app.charge_state(m, &id).await;
    assert_eq!(got["statusDetails"]["state"], state, "{got}");
    (c, id)
}

#[derive(Clone, Copy, Debug)]
enum ChargeOp {
    Capture,
    Cancel,
    Refund,
}

impl ChargeOp {
    /// A refund is a new object (201); capture and cancel change the charge (200).
    fn success_status(self) -> u16 {
        match self {
            ChargeOp::Refund => 201,
            ChargeOp::Capture | ChargeOp::Cancel => 200,
        }
    }
}

async fn run_op(app: &TestApp, m: &Merchant, op: ChargeOp, id: &str) -> Resp {
    match op {
        ChargeOp::Capture => app.capture(m, id, "10.00", None).await,
        ChargeOp::Cancel => app.cancel_charge(m, id).await,
        ChargeOp::Refund => app.refund(m, id, "1.00", None).await,
    }
}

/// What each operation does in each state: `Ok(state after)` or `Err((status, reasonCode))`.
fn expected(state: &str, op: ChargeOp) -> Result<&'static str, (u16, &'static str)> {
    const BAD: Result<&str, (u16, &str)> = Err((422, "InvalidChargeStatus"));
    match (state, op) {
        ("Authorized", ChargeOp::Capture) => Ok("Captured"),
        ("AuthorizationInitiated" | "Authorized", ChargeOp::Cancel) => {
            Ok("Canceled/MerchantCanceled")
        }
        ("Captured", ChargeOp::Refund) => Ok("Captured"),
        _ => BAD,
    }
}

#[tokio::test]
async fn every_charge_operation_in_every_charge_state_is_allowed_or_refused_without_a_change() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let mut checked = 0;
    for state in CHARGE_STATES {
        for op in [ChargeOp::Capture, ChargeOp::Cancel, ChargeOp::Refund] {
            let (c, id) = charge_in(&app, &m, state).await;
            let before = app.charge_state(&m, &id).await;
            let permission_before = app.permission(&m, &c.permission_id).await;
            let r = run_op(&app, &m, op, &id).await;
            match expected(state, op) {
                Ok(after) => {
                    r.expect(op.success_status());
                    assert_eq!(
                        state_of(&app.charge_state(&m, &id).await),
                        after,
                        "{state} {op:?}"
                    );
                }
                Err((status, reason)) => {
                    r.expect_error_for(status, reason, &format!("{state} {op:?}"));
                    assert_eq!(app.charge_state(&m, &id).await, before, "{state} {op:?}");
                    assert_eq!(
                        app.permission(&m, &c.permission_id).await,
                        permission_before,
                        "{state} {op:?}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 18);
}

#[tokio::test]
async fn a_charge_is_created_with_every_field_and_holds_its_amount_until_captured() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.deferred(&m, "100.00").await;
    let r = app
        .create_charge(
            &m,
            &c.permission_id,
            "40.00",
            json!({
                "merchantMetadata": {"merchantReferenceId": "order-1"},
                "chargeInitiator": "CITU",
                "channel": "Web",
                "providerMetadata": {"providerReferenceId": "psp-1"}
            }),
            None,
        )
        .await;
    let charge = r.expect(201).clone();
    assert_eq!(charge["statusDetails"]["state"], "Authorized");
    assert_eq!(charge["chargeAmount"], usd("40.00"));
    assert_eq!(charge["captureAmount"], Value::Null);
    assert_eq!(charge["chargeInitiator"], "CITU");
    assert_eq!(charge["channel"], "Web");
    assert_eq!(charge["softDescriptor"], Value::Null);
    assert_eq!(charge["merchantMetadata"]["merchantReferenceId"], "order-1");
    assert_eq!(charge["providerMetadata"]["providerReferenceId"], "psp-1");
    let id = charge["chargeId"].as_str().unwrap();
    assert!(id.starts_with(&format!("{}-C", c.permission_id)), "{id}");
    // The open authorization holds its amount; the rest stays chargeable (issue 17 item 1).
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Chargeable");
    assert_eq!(p["limits"]["amountBalance"], usd("60.00"));
    // A partial capture releases the rest of the authorization.
    let captured = app.capture(&m, id, "30.00", None).await.expect(200).clone();
    assert_eq!(captured["captureAmount"], usd("30.00"));
    assert_eq!(captured["refundedAmount"], usd("0.00"));
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Chargeable");
    assert_eq!(p["limits"]["amountBalance"], usd("70.00"));
    assert_eq!(p["limits"]["amountLimit"], usd("100.00"));
}

/// The Charge reference (developer.amazon.com/docs/amazon-pay-api-v2/charge.html, Create Charge,
/// `softDescriptor`): "You can only use this parameter if CaptureNow is set to true".
#[tokio::test]
async fn a_soft_descriptor_needs_capture_now_and_is_echoed_on_the_captured_charge() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.deferred(&m, "100.00").await;
    let p = &c.permission_id;
    let before = app.permission(&m, p).await;
    for extra in [
        json!({"softDescriptor": "SHOP*ORDER 1"}),
        json!({"softDescriptor": "SHOP*ORDER 1", "captureNow": false}),
    ] {
        let r = app.create_charge(&m, p, "10.00", extra, None).await;
        r.expect_error(400, "InvalidParameterValue");
        assert!(
            r.body["message"]
                .as_str()
                .unwrap()
                .contains("softDescriptor"),
            "{}",
            r.body
        );
    }
    assert_eq!(app.permission(&m, p).await, before, "nothing changed");
    let r = app
        .create_charge(
            &m,
            p,
            "10.00",
            json!({"softDescriptor": "SHOP*ORDER 1", "captureNow": true}),
            None,
        )
        .await;
    let charge = r.expect(201);
    assert_eq!(charge["statusDetails"]["state"], "Captured");
    assert_eq!(charge["softDescriptor"], "SHOP*ORDER 1");
}

#[tokio::test]
async fn capture_now_charges_are_captured_and_use_up_the_balance_until_amazon_closes_the_permission()
 {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.deferred(&m, "25.00").await;
    for amount in ["10.00", "15.00"] {
        let r = app
            .create_charge(
                &m,
                &c.permission_id,
                amount,
                json!({"captureNow": true}),
                None,
            )
            .await;
        let charge = r.expect(201);
        assert_eq!(charge["statusDetails"]["state"], "Captured");
        assert_eq!(charge["captureAmount"], usd(amount));
    }
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Closed/AmazonClosed");
    assert_eq!(p["limits"]["amountBalance"], usd("0.00"));
    app.create_charge(&m, &c.permission_id, "0.01", json!({}), None)
        .await
        .expect_error(422, "InvalidChargePermissionStatus");
}

#[tokio::test]
async fn charge_amounts_are_checked_against_currency_balance_and_the_per_transaction_maximum() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.deferred(&m, "100.00").await;
    let p = &c.permission_id;
    let before = app.permission(&m, p).await;
    let eur =
        json!({"chargePermissionId": p, "chargeAmount": {"amount": "1.00", "currencyCode": "EUR"}});
    app.send(&m, "POST", "/v2/charges", Some(eur), None)
        .await
        .expect_error(400, "CurrencyMismatch");
    app.create_charge(&m, p, "100.01", json!({}), None)
        .await
        .expect_error(400, "TransactionAmountExceeded");
    app.create_charge(&m, p, "0.00", json!({}), None)
        .await
        .expect_error(400, "InvalidParameterValue");
    app.create_charge(&m, p, "1.001", json!({}), None)
        .await
        .expect_error(400, "InvalidParameterValue");
    app.create_charge(
        &m,
        p,
        "1.00",
        json!({"softDescriptor": "x".repeat(17)}),
        None,
    )
    .await
    .expect_error(400, "InvalidParameterValue");
    app.create_charge(&m, p, "1.00", json!({"channel": "Fax"}), None)
        .await
        .expect_error(400, "InvalidParameterValue");
    assert_eq!(app.permission(&m, p).await, before, "nothing changed");
    // Saved wallets have no balance but the per-transaction maximum.
    let w = app.saved_wallet(&m).await;
    app.create_charge(&m, &w.permission_id, "150000.01", json!({}), None)
        .await
        .expect_error(400, "TransactionAmountExceeded");
    // Unknown, malformed and other merchants' permissions are not found.
    let other = app.merchant().await;
    app.create_charge(&other, p, "1.00", json!({}), None)
        .await
        .expect_error(404, "ResourceNotFound");
    app.create_charge(&m, "S01-0000000-0000000", "1.00", json!({}), None)
        .await
        .expect_error(404, "ResourceNotFound");
    // Create Charge needs an idempotency key.
    let body = json!({"chargePermissionId": p, "chargeAmount": usd("1.00")});
    app.call(&m, Call::new("POST", "/v2/charges").json(body))
        .await
        .expect_error(400, "MissingHeader");
}

#[tokio::test]
async fn a_one_time_permission_allows_25_charges() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.deferred(&m, "100.00").await;
    for _ in 0..25 {
        app.create_charge(
            &m,
            &c.permission_id,
            "1.00",
            json!({"captureNow": true}),
            None,
        )
        .await
        .expect(201);
    }
    app.create_charge(&m, &c.permission_id, "1.00", json!({}), None)
        .await
        .expect_error(422, "TransactionCountExceeded");
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(p["limits"]["amountBalance"], usd("75.00"));
}

#[tokio::test]
async fn saved_wallet_charges_are_capped_per_calendar_month() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    // Start at the beginning of a month so the test does not straddle a month end.
    app.admin(
        axum::http::Method::PUT,
        &format!("/__admin/merchants/{}/clock", m.merchant_id),
        Some(json!({"now": "2030-03-01T00:00:00Z", "frozen": true})),
    )
    .await
    .expect(200);
    let w = app.saved_wallet(&m).await;
    let p = app.permission(&m, &w.permission_id).await;
    assert_eq!(p["expirationTimestamp"], Value::Null);
    assert_eq!(p["limits"]["amountLimit"], Value::Null);
    assert!(w.permission_id.starts_with("BA01-"), "{}", w.permission_id);
    let capture_now = json!({"captureNow": true});
    app.create_charge(&m, &w.permission_id, "10000.00", capture_now.clone(), None)
        .await
        .expect(201);
    app.create_charge(&m, &w.permission_id, "5000.00", capture_now.clone(), None)
        .await
        .expect(201);
    app.create_charge(&m, &w.permission_id, "0.01", capture_now.clone(), None)
        .await
        .expect_error(400, "PeriodicAmountExceeded");
    app.advance_clock(&m, "31d").await;
    app.create_charge(&m, &w.permission_id, "15000.00", capture_now, None)
        .await
        .expect(201);
}

#[tokio::test]
async fn a_capture_is_at_most_the_charge_amount_once_in_its_currency() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.checkout(&m, "Authorize", "20.00").await;
    let id = c.charge();
    let before = app.charge_state(&m, id).await;
    app.capture(&m, id, "20.01", None)
        .await
        .expect_error(400, "TransactionAmountExceeded");
    let eur = json!({"captureAmount": {"amount": "1.00", "currencyCode": "EUR"}});
    app.send(
        &m,
        "POST",
        &format!("/v2/charges/{id}/capture"),
        Some(eur),
        None,
    )
    .await
    .expect_error(400, "CurrencyMismatch");
    app.send(
        &m,
        "POST",
        &format!("/v2/charges/{id}/capture"),
        Some(json!({"captureAmount": usd("1.00"), "softDescriptor": "seventeen chars!!"})),
        None,
    )
    .await
    .expect_error(400, "InvalidParameterValue");
    let path = format!("/v2/charges/{id}/capture");
    app.call(
        &m,
        Call::new("POST", &path).json(json!({"captureAmount": usd("1.00")})),
    )
    .await
    .expect_error(400, "MissingHeader");
    assert_eq!(app.charge_state(&m, id).await, before);
    let captured = app.capture(&m, id, "20.00", None).await.expect(200).clone();
    assert_eq!(state_of(&captured), "Captured");
    app.capture(&m, id, "1.00", None)
        .await
        .expect_error(422, "InvalidChargeStatus");
    // OneTime, everything captured: Amazon closes the permission.
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Closed/AmazonClosed");
}

/// The split shipment of Amazon's one-time-payment-scenarios guide ("Partial authorization or
/// capture at checkout", developer.amazon.com/docs/amazon-pay-checkout/
/// one-time-payment-scenarios.html): the checkout authorizes the first shipment of an order,
/// and each later shipment is a new charge on the same OneTime permission, made while the first
/// authorization is still open, within `amountLimit` and up to 25 charges. The permission is
/// `NonChargeable`/`ChargeInProgress` only while open charges hold everything left.
#[tokio::test]
async fn a_split_shipment_charges_again_while_the_first_authorization_is_open() {
    // Arrange: 10.00 of a 30.00 order authorized at checkout.
    let app = spawn_app().await;
    let m = app.merchant().await;
    let body = session_body(
        &m,
        Some(json!({
            "paymentIntent": "Authorize",
            "chargeAmount": usd("10.00"),
            "totalOrderAmount": usd("30.00")
        })),
    );
    let c = app.checkout_with(&m, body, "1111").await;
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Chargeable");
    assert_eq!(
        p["limits"],
        json!({"amountLimit": usd("30.00"), "amountBalance": usd("20.00")})
    );

    // Act: the second shipment's charge, the first still Authorized.
    let second = app
        .create_charge(&m, &c.permission_id, "15.00", json!({}), None)
        .await
        .expect(201)
        .clone();

    // Assert
    assert_eq!(state_of(&second), "Authorized");
    assert_eq!(
        state_of(&app.charge_state(&m, c.charge()).await),
        "Authorized"
    );
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Chargeable");
    assert_eq!(p["limits"]["amountBalance"], usd("5.00"));
    // Beyond amountBalance, open authorizations counted.
    app.create_charge(&m, &c.permission_id, "5.01", json!({}), None)
        .await
        .expect_error(400, "TransactionAmountExceeded");
    // The last shipment takes the rest: nothing is left but what open charges hold.
    let third = app
        .create_charge(&m, &c.permission_id, "5.00", json!({}), None)
        .await
        .expect(201)
        .clone();
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "NonChargeable/ChargeInProgress");
    assert_eq!(p["limits"]["amountBalance"], usd("0.00"));
    app.create_charge(&m, &c.permission_id, "1.00", json!({}), None)
        .await
        .expect_error(422, "InvalidChargePermissionStatus");
    // Canceling one frees its amount again.
    let third_id = third["chargeId"].as_str().unwrap();
    app.cancel_charge(&m, third_id).await.expect(200);
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Chargeable");
    assert_eq!(p["limits"]["amountBalance"], usd("5.00"));
    // Capturing everything permitted closes the permission.
    let third = app
        .create_charge(
            &m,
            &c.permission_id,
            "5.00",
            json!({"captureNow": true}),
            None,
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(state_of(&third), "Captured");
    let second_id = second["chargeId"].as_str().unwrap();
    app.capture(&m, c.charge(), "10.00", None).await.expect(200);
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "NonChargeable/ChargeInProgress");
    app.capture(&m, second_id, "15.00", None).await.expect(200);
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Closed/AmazonClosed");
}

#[tokio::test]
async fn a_one_time_permission_allows_25_open_authorizations_within_its_limit() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.deferred(&m, "100.00").await;
    for _ in 0..25 {
        app.create_charge(&m, &c.permission_id, "2.00", json!({}), None)
            .await
            .expect(201);
    }
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Chargeable");
    assert_eq!(p["limits"]["amountBalance"], usd("50.00"));
    app.create_charge(&m, &c.permission_id, "2.00", json!({}), None)
        .await
        .expect_error(422, "TransactionCountExceeded");
}

#[tokio::test]
async fn a_capture_more_than_7_days_after_authorization_is_asynchronous() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.checkout(&m, "Authorize", "20.00").await;
    let id = c.charge();
    app.advance_clock(&m, "7d1s").await;
    let r = app.capture(&m, id, "20.00", None).await.expect(200).clone();
    assert_eq!(state_of(&r), "CaptureInitiated");
    assert_eq!(r["captureAmount"], Value::Null);
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "NonChargeable/ChargeInProgress");
    let clock = app.advance_clock(&m, "30s").await;
    assert_eq!(clock["appliedTimers"], 1);
    let got = app.charge_state(&m, id).await;
    assert_eq!(state_of(&got), "Captured");
    assert_eq!(got["captureAmount"], usd("20.00"));
}

#[tokio::test]
async fn refunds_start_initiated_resolve_after_30_seconds_and_keep_refunded_amount_exact() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.checkout(&m, "AuthorizeWithCapture", "100.00").await;
    let id = c.charge();
    // The refund resolves 30 s after its creation: real time must not move the clock past 29 s.
    app.freeze_clock(&m).await;
    let r = app.refund(&m, id, "10.10", None).await.expect(201).clone();
    assert_eq!(state_of(&r), "RefundInitiated");
    assert_eq!(r["refundAmount"], usd("10.10"));
    assert_eq!(r["chargeId"], *id);
    let refund_id = r["refundId"].as_str().unwrap().to_owned();
    assert!(refund_id.starts_with(&format!("{}-R", c.permission_id)));
    assert_eq!(
        app.charge_state(&m, id).await["refundedAmount"],
        usd("0.00")
    );
    app.advance_clock(&m, "29s").await;
    let got = app.get(&m, &format!("/v2/refunds/{refund_id}")).await;
    assert_eq!(state_of(got.expect(200)), "RefundInitiated");
    app.advance_clock(&m, "1s").await;
    let got = app.get(&m, &format!("/v2/refunds/{refund_id}")).await;
    assert_eq!(state_of(got.expect(200)), "Refunded");
    assert_eq!(
        app.charge_state(&m, id).await["refundedAmount"],
        usd("10.10")
    );
    // Total refunds: captured 100.00 + the lesser of 15 % (15.00) or 75.00 = 115.00.
    app.refund(&m, id, "104.91", None)
        .await
        .expect_error(400, "TransactionAmountExceeded");
    app.refund(&m, id, "104.90", None).await.expect(201);
    app.refund(&m, id, "0.01", None)
        .await
        .expect_error(400, "TransactionAmountExceeded");
    app.advance_clock(&m, "30s").await;
    assert_eq!(
        app.charge_state(&m, id).await["refundedAmount"],
        usd("115.00")
    );
    // Other merchants see nothing.
    let other = app.merchant().await;
    app.get(&other, &format!("/v2/refunds/{refund_id}"))
        .await
        .expect_error(404, "ResourceNotFound");
    app.refund(&other, id, "1.00", None)
        .await
        .expect_error(404, "ResourceNotFound");
}

#[tokio::test]
async fn the_refund_overage_is_capped_at_75_for_large_captures_and_refunds_are_counted() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.checkout(&m, "AuthorizeWithCapture", "1000.00").await;
    let id = c.charge();
    app.refund(&m, id, "1075.01", None)
        .await
        .expect_error(400, "TransactionAmountExceeded");
    let eur = json!({"chargeId": id, "refundAmount": {"amount": "1.00", "currencyCode": "EUR"}});
    app.send(&m, "POST", "/v2/refunds", Some(eur), None)
        .await
        .expect_error(400, "CurrencyMismatch");
    for _ in 0..10 {
        app.refund(&m, id, "1.00", None).await.expect(201);
    }
    app.refund(&m, id, "1.00", None)
        .await
        .expect_error(422, "TransactionCountExceeded");
    let body = json!({"chargeId": id, "refundAmount": usd("1.00")});
    app.call(&m, Call::new("POST", "/v2/refunds").json(body))
        .await
        .expect_error(400, "MissingHeader");
}

#[tokio::test]
async fn every_refund_state_reads_back_with_its_reason() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.checkout(&m, "AuthorizeWithCapture", "50.00").await;
    let id = c.charge();
    let mut ids = Vec::new();
    for sim in [
        None,
        Some("Emulator:RefundDeclined"),
        Some("Emulator:RefundProcessingFailure"),
    ] {
        let r = app.refund(&m, id, "5.00", sim).await.expect(201).clone();
        ids.push(r["refundId"].as_str().unwrap().to_owned());
    }
    for rid in &ids {
        let r = app.get(&m, &format!("/v2/refunds/{rid}")).await;
        assert_eq!(state_of(r.expect(200)), "RefundInitiated");
    }
    app.advance_clock(&m, "30s").await;
    let states: Vec<String> = {
        let mut out = Vec::new();
        for rid in &ids {
            let r = app.get(&m, &format!("/v2/refunds/{rid}")).await;
            out.push(state_of(r.expect(200)));
        }
        out
    };
    assert_eq!(
        states,
        [
            "Refunded",
            "Declined/AmazonRejected",
            "Declined/ProcessingFailure"
        ]
    );
    // Declined refunds do not count.
    assert_eq!(
        app.charge_state(&m, id).await["refundedAmount"],
        usd("5.00")
    );
    let refund = app.get(&m, &format!("/v2/refunds/{}", ids[0])).await;
    let keys: Vec<&String> = refund.body.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "refundId",
            "chargeId",
            "creationTimestamp",
            "refundAmount",
            "statusDetails",
            "softDescriptor",
            "releaseEnvironment"
        ]
    );
}

#[tokio::test]
async fn jpy_amounts_have_no_decimals_and_the_jpy_overage_cap_is_8400() {
    let app = spawn_app().await;
    let m = app.merchant_with(json!({"region": "jp"})).await;
    let jpy = |a: &str| json!({"amount": a, "currencyCode": "JPY"});
    let body = session_body(
        &m,
        Some(json!({"paymentIntent": "AuthorizeWithCapture", "chargeAmount": jpy("100000")})),
    );
    let c = app.checkout_with(&m, body, "1111").await;
    let id = c.charge();
    let charge = app.charge_state(&m, id).await;
    assert_eq!(charge["captureAmount"], jpy("100000"));
    let refund = |amount: &str| json!({"chargeId": id, "refundAmount": {"amount": amount, "currencyCode": "JPY"}});
    app.send(&m, "POST", "/v2/refunds", Some(refund("108401")), None)
        .await
        .expect_error(400, "TransactionAmountExceeded");
    let r = app
        .send(&m, "POST", "/v2/refunds", Some(refund("108400")), None)
        .await;
    assert_eq!(r.expect(201)["refundAmount"], jpy("108400"));
}

/// With `allowOvercharge`, Amazon raises the OneTime permission's `amountLimit` to the greater
/// of 900 % of the order amount and 500 USD/GBP/EUR or 70,000 JPY
/// (developer.amazon.com/docs/amazon-pay-checkout/advanced-one-time-payment-options.html,
/// "Charging more than the original order amount").
#[tokio::test]
async fn allow_overcharge_raises_the_amount_limit_to_nine_times_the_order_or_the_floor() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let overcharge = |amount: &str| json!({"paymentIntent": "AuthorizeWithCapture", "chargeAmount": usd(amount), "allowOvercharge": true});
    // 900 % of 10.00 is 90.00, below the 500.00 floor.
    let c = app
        .checkout_with(&m, session_body(&m, Some(overcharge("10.00"))), "1111")
        .await;
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(p["limits"]["amountLimit"], usd("500.00"));
    assert_eq!(p["limits"]["amountBalance"], usd("490.00"));
    assert_eq!(permission_state_of(&p), "Chargeable");
    app.create_charge(
        &m,
        &c.permission_id,
        "490.01",
        json!({"captureNow": true}),
        None,
    )
    .await
    .expect_error(400, "TransactionAmountExceeded");
    app.create_charge(
        &m,
        &c.permission_id,
        "490.00",
        json!({"captureNow": true}),
        None,
    )
    .await
    .expect(201);
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(permission_state_of(&p), "Closed/AmazonClosed");
    // 900 % of 100.00 is 900.00, above the floor.
    let c = app
        .checkout_with(&m, session_body(&m, Some(overcharge("100.00"))), "1111")
        .await;
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(p["limits"]["amountLimit"], usd("900.00"));
    // Without the flag the limit is the order amount.
    let c = app
        .checkout_with(
            &m,
            session_body(&m, Some(authorize_with_capture("100.00"))),
            "1111",
        )
        .await;
    let p = app.permission(&m, &c.permission_id).await;
    assert_eq!(p["limits"]["amountLimit"], usd("100.00"));
    // JPY: the floor is 70,000.
    let jp = app.merchant_with(json!({"region": "jp"})).await;
    let jpy = json!({"paymentIntent": "AuthorizeWithCapture", "chargeAmount": {"amount": "1000", "currencyCode": "JPY"}, "allowOvercharge": true});
    let c = app
        .checkout_with(&jp, session_body(&jp, Some(jpy)), "1111")
        .await;
    let p = app.permission(&jp, &c.permission_id).await;
    assert_eq!(
        p["limits"]["amountLimit"],
        json!({"amount": "70000", "currencyCode": "JPY"})
    );
}
