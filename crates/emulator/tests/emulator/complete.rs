//! Complete Checkout Session: every rule of design.md §3, and what it creates.

use amzpay_emulator_store::ObjectKind;
use serde_json::{Value, json};

use crate::helpers::*;

async fn completed(app: &TestApp, m: &Merchant, payment: Value) -> Value {
    let id = app.paid_session(m, payment.clone()).await;
    let mut body = json!({"chargeAmount": payment["chargeAmount"]});
    if !payment["totalOrderAmount"].is_null() {
        body["totalOrderAmount"] = payment["totalOrderAmount"].clone();
    }
    app.complete(m, &id, body).await.expect(200).clone()
}

#[tokio::test]
async fn complete_creates_the_charge_and_permission_each_payment_intent_calls_for() {
    // (paymentIntent, charge state or none, permission state, permission reason)
    let cases = [
        ("Confirm", None, "Chargeable", None),
        (
            "Authorize",
            Some("Authorized"),
            "NonChargeable",
            Some("ChargeInProgress"),
        ),
        (
            "AuthorizeWithCapture",
            Some("Captured"),
            "Closed",
            Some("AmazonClosed"),
        ),
    ];
    let app = spawn_app().await;
    for (intent, charge_state, permission_state, reason) in cases {
        let m = app.merchant().await;
        let s = completed(
            &app,
            &m,
            json!({"paymentIntent": intent, "chargeAmount": usd("14.00")}),
        )
        .await;
        assert_eq!(s["statusDetails"]["state"], "Completed", "{intent}");
        let permission_id = s["chargePermissionId"].as_str().unwrap();
        assert!(permission_id.starts_with("S01-"), "{permission_id}");
        let p = app
            .get(&m, &format!("/v2/chargePermissions/{permission_id}"))
            .await
            .expect(200)
            .clone();
        assert_eq!(p["statusDetails"]["state"], permission_state, "{intent}");
        assert_eq!(
            p["statusDetails"]["reasons"][0]["reasonCode"].as_str(),
            reason,
            "{intent}"
        );
        assert_eq!(p["chargePermissionType"], "OneTime");
        assert_eq!(p["limits"]["amountLimit"], usd("14.00"));
        assert_eq!(p["buyer"]["email"], "buyer@example.com");
        assert_eq!(p["releaseEnvironment"], "Sandbox");
        match charge_state {
            None => assert_eq!(s["chargeId"], Value::Null, "{intent}"),
            Some(state) => {
                let charge_id = s["chargeId"].as_str().unwrap();
                assert!(
                    charge_id.starts_with(&format!("{permission_id}-C")),
                    "{charge_id}"
                );
                let c = app
                    .get(&m, &format!("/v2/charges/{charge_id}"))
                    .await
                    .expect(200)
                    .clone();
                assert_eq!(c["statusDetails"]["state"], state, "{intent}");
                assert_eq!(c["chargeAmount"], usd("14.00"));
                assert_eq!(c["chargePermissionId"], permission_id);
            }
        }
    }
}

#[tokio::test]
async fn a_completed_session_no_longer_returns_buyer_addresses_payment_details_or_metadata() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let s = completed(&app, &m, authorize("14.00")).await;
    for key in [
        "buyer",
        "billingAddress",
        "shippingAddress",
        "paymentDetails",
        "merchantMetadata",
        "expirationTimestamp",
    ] {
        assert_eq!(s[key], Value::Null, "{key}");
    }
    assert_eq!(s["constraints"], json!([]));
    assert_eq!(s["statusDetails"]["reasonCode"], Value::Null);
}

#[tokio::test]
async fn amounts_compare_numerically_and_by_currency() {
    let app = spawn_app().await;
    let cases = [
        (json!({"amount": "14", "currencyCode": "USD"}), 200, ""),
        (json!({"amount": 14.0, "currencyCode": "USD"}), 200, ""),
        (
            json!({"amount": "14.01", "currencyCode": "USD"}),
            409,
            "AmountMismatch",
        ),
        (
            json!({"amount": "14.00", "currencyCode": "EUR"}),
            409,
            "AmountMismatch",
        ),
        (
            json!({"amount": "14.001", "currencyCode": "USD"}),
            400,
            "InvalidParameterValue",
        ),
    ];
    for (amount, status, reason) in cases {
        let m = app.merchant().await;
        let id = app.paid_session(&m, authorize("14.00")).await;
        let r = app.complete(&m, &id, json!({"chargeAmount": amount})).await;
        if status == 200 {
            r.expect(200);
        } else {
            r.expect_error(status, reason);
        }
    }
}

#[tokio::test]
async fn an_eu_merchant_sending_another_currency_gets_amount_mismatch() {
    let app = spawn_app().await;
    let m = app.merchant_with(json!({"region": "eu"})).await;
    let id = app
        .paid_session(&m, json!({"paymentIntent": "Authorize", "chargeAmount": {"amount": "14.00", "currencyCode": "EUR"}})).await;
    app.complete(
        &m,
        &id,
        json!({"chargeAmount": {"amount": "14.00", "currencyCode": "GBP"}}),
    )
    .await
    .expect_error(409, "AmountMismatch");
}

#[tokio::test]
async fn total_order_amount_must_be_repeated_and_equal() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let payment = json!({
        "paymentIntent": "AuthorizeWithCapture",
        "chargeAmount": usd("10.00"),
        "totalOrderAmount": usd("25.00")
    });
    let id = app.paid_session(&m, payment).await;
    app.complete(&m, &id, json!({"chargeAmount": usd("10.00")}))
        .await
        .expect_error(400, "MissingParameterValue");
    app.complete(
        &m,
        &id,
        json!({"chargeAmount": usd("10.00"), "totalOrderAmount": usd("26.00")}),
    )
    .await
    .expect_error(409, "AmountMismatch");
    let s = app
        .complete(
            &m,
            &id,
            json!({"chargeAmount": usd("10.00"), "totalOrderAmount": usd("25")}),
        )
        .await
        .expect(200)
        .clone();
    let p = app
        .get(
            &m,
            &format!(
                "/v2/chargePermissions/{}",
                s["chargePermissionId"].as_str().unwrap()
            ),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(p["statusDetails"]["state"], "Chargeable");
    assert_eq!(
        p["limits"],
        json!({"amountLimit": usd("25.00"), "amountBalance": usd("15.00")})
    );
}

#[tokio::test]
async fn an_empty_body_is_refused_when_the_session_has_an_amount() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.paid_session(&m, authorize("14.00")).await;
    for body in [&b"{}"[..], &b""[..]] {
        app.call(&m, complete_call(&id).body(body))
            .await
            .expect_error(400, "MissingParameterValue");
    }
}

#[tokio::test]
async fn an_empty_body_completes_a_recurring_confirm_session_without_amount() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let mut body = session_body(&m, Some(json!({"paymentIntent": "Confirm"})));
    body["chargePermissionType"] = json!("Recurring");
    body["recurringMetadata"] =
        json!({"frequency": {"unit": "Month", "value": "1"}, "amount": usd("9.99")});
    let s = app.create_session(&m, body).await;
    assert_eq!(
        s["constraints"].as_array().unwrap().len(),
        1,
        "only BuyerNotAssociated: {s}"
    );
    let id = s["checkoutSessionId"].as_str().unwrap();
    app.pay(id, "1111").await.expect(200);
    let r = app.call(&m, complete_call(id)).await;
    let s = r.expect(200);
    assert_eq!(s["chargeId"], Value::Null);
    assert_eq!(s["chargePermissionType"], "Recurring");
}

#[tokio::test]
async fn a_setup_only_payment_method_on_file_session_completes_with_an_empty_body() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let mut body = session_body(&m, Some(json!({"paymentIntent": "Confirm"})));
    body["chargePermissionType"] = json!("PaymentMethodOnFile");
    body["paymentMethodOnFileMetadata"] = json!({"setupOnly": true});
    let id = app.create_session(&m, body).await["checkoutSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    app.pay(&id, "1111").await.expect(200);
    let s = app.complete(&m, &id, json!({})).await.expect(200).clone();
    let pid = s["chargePermissionId"].as_str().unwrap();
    assert!(pid.starts_with("BA01-"), "{pid}");
    assert_eq!(s["chargeId"], Value::Null);
    let p = app
        .get(&m, &format!("/v2/chargePermissions/{pid}"))
        .await
        .expect(200)
        .clone();
    assert_eq!(p["statusDetails"]["state"], "Chargeable");
    assert_eq!(p["expirationTimestamp"], Value::Null);
    assert_eq!(p["chargePermissionType"], "PaymentMethodOnFile");
}

#[tokio::test]
async fn complete_before_the_payment_step_is_an_invalid_status() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.ready_session(&m, authorize("14.00")).await;
    app.complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
        .await
        .expect_error(422, "InvalidCheckoutSessionStatus");
    app.buyer(&id, "sign-in", json!({})).await.expect(200);
    app.complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
        .await
        .expect_error(422, "InvalidCheckoutSessionStatus");
}

#[tokio::test]
async fn a_second_complete_is_an_invalid_status_unless_it_repeats_the_key() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.paid_session(&m, authorize("14.00")).await;
    let body = json!({"chargeAmount": usd("14.00")});
    let with_key = |key: &str| complete_call(&id).json(body.clone()).idempotency_key(key);
    let first = app.call(&m, with_key("k1")).await;
    first.expect(200);
    let replay = app.call(&m, with_key("k1")).await;
    replay.expect(200);
    assert_eq!(replay.raw, first.raw);
    app.call(&m, with_key("k2"))
        .await
        .expect_error(422, "InvalidCheckoutSessionStatus");
    app.complete(&m, &id, body)
        .await
        .expect_error(422, "InvalidCheckoutSessionStatus");
}

#[tokio::test]
async fn canceled_and_declined_sessions_answer_checkout_session_canceled() {
    let app = spawn_app().await;
    // (how the buyer ends the hosted step, the session's reason code)
    let cases = [
        ("3064", "BuyerCanceled"),
        ("declined", "Declined"),
        ("cancel-action", "BuyerCanceled"),
    ];
    for (how, reason) in cases {
        let m = app.merchant().await;
        let id = app.ready_session(&m, authorize("14.00")).await;
        let r = if how == "cancel-action" {
            app.buyer(&id, "sign-in", json!({})).await.expect(200);
            app.buyer(&id, "cancel", json!({})).await
        } else {
            app.pay(&id, how).await
        };
        assert_eq!(r.expect(200)["reasonCode"], reason, "{how}");
        app.complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
            .await
            .expect_error(422, "CheckoutSessionCanceled");
        let s = app.session(&m, &id).await;
        assert_eq!(s["statusDetails"]["state"], "Canceled");
        assert_eq!(s["statusDetails"]["reasonCode"], reason);
    }
}

#[tokio::test]
async fn a_pending_authorization_answers_202_with_a_pending_charge() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app
        .ready_session(&m, json!({"paymentIntent": "Authorize", "canHandlePendingAuthorization": true, "chargeAmount": usd("14.00")}))
        .await;
    app.pay(&id, "pending-then-authorized").await.expect(200);
    let r = app
        .complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
        .await;
    let s = r.expect(202).clone();
    assert_eq!(s["statusDetails"]["state"], "Completed");
    let charge_path = format!("/v2/charges/{}", s["chargeId"].as_str().unwrap());
    let c = app.get(&m, &charge_path).await.expect(200).clone();
    assert_eq!(c["statusDetails"]["state"], "AuthorizationInitiated");
    app.advance_clock(&m, "30s").await;
    let c = app.get(&m, &charge_path).await.expect(200).clone();
    assert_eq!(c["statusDetails"]["state"], "Authorized");
}

#[tokio::test]
async fn finalize_checks_intent_amount_and_address_then_completes() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.paid_session(&m, authorize("14.00")).await;
    let path = format!("/v2/checkoutSessions/{id}/finalize");
    let address = json!({
        "name": "Test Buyer", "addressLine1": "410 Terry Ave N", "city": "Seattle",
        "stateOrRegion": "WA", "postalCode": "98109", "countryCode": "US", "phoneNumber": "800-000-0000"
    });
    let base = json!({"paymentIntent": "Authorize", "chargeAmount": usd("14.00"), "shippingAddress": address});
    let mut wrong_intent = base.clone();
    wrong_intent["paymentIntent"] = json!("Confirm");
    app.call(&m, Call::new("POST", &path).json(wrong_intent))
        .await
        .expect_error(400, "InvalidParameterValue");
    let mut no_address = base.clone();
    no_address
        .as_object_mut()
        .unwrap()
        .remove("shippingAddress");
    app.call(&m, Call::new("POST", &path).json(no_address))
        .await
        .expect_error(400, "MissingParameterValue");
    let mut wrong_amount = base.clone();
    wrong_amount["chargeAmount"] = usd("1.00");
    app.call(&m, Call::new("POST", &path).json(wrong_amount))
        .await
        .expect_error(409, "AmountMismatch");
    let s = app
        .call(&m, Call::new("POST", &path).json(base))
        .await
        .expect(200)
        .clone();
    assert_eq!(s["statusDetails"]["state"], "Completed");
    assert!(s["chargeId"].is_string());
}

/// Finalize answers what Complete does plus the payment details, the buyer and the billing address
/// (mobile-app "Finalize Checkout Session": "normal finalizeCS + paymentDetails, billingAddress,
/// and buyerDetails"); Complete's answer keeps them null (design.md §3).
#[tokio::test]
async fn finalize_answers_the_payment_details_the_buyer_and_the_billing_address() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let finalized = app.paid_session(&m, authorize("14.00")).await;
    let completed = app.paid_session(&m, authorize("14.00")).await;
    let open = app.session(&m, &finalized).await;
    let shipping = open["shippingAddress"].clone();
    let body = json!({"paymentIntent": "Authorize", "chargeAmount": usd("14.00"), "shippingAddress": shipping});
    let call = Call::new(
        "POST",
        &format!("/v2/checkoutSessions/{finalized}/finalize"),
    )
    .json(body)
    .idempotency_key("finalize-view");

    // Act
    let f = app.call(&m, call.clone()).await;
    let c = app
        .complete(&m, &completed, json!({"chargeAmount": usd("14.00")}))
        .await;

    // Assert
    let f = f.expect(200).clone();
    assert_eq!(f["statusDetails"]["state"], "Completed");
    assert!(f["chargePermissionId"].is_string());
    assert_eq!(f["paymentDetails"]["paymentIntent"], "Authorize");
    assert_eq!(f["paymentDetails"]["chargeAmount"], usd("14.00"));
    assert_eq!(f["buyer"], open["buyer"]);
    assert!(f["buyer"]["buyerId"].is_string());
    assert_eq!(f["billingAddress"], open["billingAddress"]);
    assert!(f["billingAddress"].is_object());
    assert_eq!(f["paymentPreferences"], open["paymentPreferences"]);
    assert!(f["paymentPreferences"][0]["paymentDescriptor"].is_string());
    assert!(f["shippingAddress"].is_null());
    assert!(f["merchantMetadata"].is_null());
    let c = c.expect(200).clone();
    for field in [
        "paymentDetails",
        "buyer",
        "billingAddress",
        "paymentPreferences",
    ] {
        assert!(c[field].is_null(), "{field}: {}", c[field]);
    }
    // A replay answers the same Finalize view; a later Get the completed session's.
    let replay = app.call(&m, call).await;
    assert_eq!(replay.expect(200), &f);
    assert!(app.session(&m, &finalized).await["buyer"].is_null());
}

async fn complete_concurrently(app: &TestApp, m: &Merchant, id: &str, same_key: bool) -> Vec<Resp> {
    let mut tasks = Vec::new();
    for i in 0..64 {
        let key = if same_key {
            "one-key".to_owned()
        } else {
            format!("key-{i}")
        };
        let request = complete_call(id)
            .json(json!({"chargeAmount": usd("14.00")}))
            .idempotency_key(&key)
            .signed(m);
        let router = app.router.clone();
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let response = router.oneshot(request).await.unwrap();
            Resp::read(response).await
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_completes_with_one_key_execute_once_and_replay_the_answer() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.paid_session(&m, authorize_with_capture("14.00")).await;
    let answers = complete_concurrently(&app, &m, &id, true).await;
    let first = &answers[0];
    for a in &answers {
        a.expect(200);
        assert_eq!(a.raw, first.raw, "every caller gets the one answer");
    }
    let replays = answers
        .iter()
        .filter(|a| a.headers.contains_key("x-amzpay-emulator-replayed"))
        .count();
    assert_eq!(replays, 63);
    assert_eq!(app.count(&m, ObjectKind::ChargePermission).await, 1);
    assert_eq!(app.count(&m, ObjectKind::Charge).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_completes_with_distinct_keys_complete_once() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.paid_session(&m, authorize("14.00")).await;
    let answers = complete_concurrently(&app, &m, &id, false).await;
    let ok = answers.iter().filter(|a| a.status == 200).count();
    let refused = answers
        .iter()
        .filter(|a| a.status == 422 && a.reason() == "InvalidCheckoutSessionStatus")
        .count();
    assert_eq!((ok, refused), (1, 63));
    assert_eq!(app.count(&m, ObjectKind::ChargePermission).await, 1);
    assert!(app.count(&m, ObjectKind::Charge).await <= 1);
}

/// Complete and Finalize of a session that is not Open, by how it ended: the hosted step's
/// cancellations answer `CheckoutSessionCanceled` (the guides' "buyer canceled checkout or was
/// unable to provide a valid payment instrument"), an expired or completed session
/// `InvalidCheckoutSessionStatus` (the FAQ). Both 422, and nothing changes.
#[tokio::test]
async fn completing_a_session_that_is_not_open_answers_by_how_it_ended() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let amount = json!({"chargeAmount": usd("14.00")});
    let cases = [
        ("BuyerCanceled", "CheckoutSessionCanceled"),
        ("Declined", "CheckoutSessionCanceled"),
        ("AmazonCanceled", "CheckoutSessionCanceled"),
        ("Expired", "InvalidCheckoutSessionStatus"),
        ("Completed", "InvalidCheckoutSessionStatus"),
    ];
    for (ended, reason) in cases {
        let id = app.paid_session(&m, authorize("14.00")).await;
        match ended {
            "Expired" => {
                app.advance_clock(&m, "24h").await;
            }
            "Completed" => {
                app.complete(&m, &id, amount.clone()).await.expect(200);
            }
            code => {
                let call = complete_call(&id)
                    .json(amount.clone())
                    .header("x-amz-pay-simulation-code", code);
                app.call(&m, call).await;
            }
        }
        let before = app.session(&m, &id).await;
        app.complete(&m, &id, amount.clone())
            .await
            .expect_error_for(422, reason, ended);
        assert_eq!(
            app.session(&m, &id).await,
            before,
            "{ended}: nothing changed"
        );
    }
}

/// A session created with `scopes`, paid and read: the Get before Complete, Complete's answer,
/// the Get after it and the permission.
async fn scoped_checkout(app: &TestApp, m: &Merchant, scopes: Value) -> [Value; 4] {
    let mut body = session_body(m, Some(authorize("14.00")));
    body["scopes"] = scopes;
    let s = app.create_session(m, body).await;
    let id = s["checkoutSessionId"].as_str().unwrap().to_owned();
    app.pay(&id, "1111").await.expect(200);
    let path = format!("/v2/checkoutSessions/{id}");
    let open = app.get(m, &path).await.expect(200).clone();
    let done = app
        .complete(m, &id, json!({"chargeAmount": usd("14.00")}))
        .await
        .expect(200)
        .clone();
    let after = app.get(m, &path).await.expect(200).clone();
    let p = done["chargePermissionId"].as_str().unwrap();
    let permission = app
        .get(m, &format!("/v2/chargePermissions/{p}"))
        .await
        .expect(200)
        .clone();
    [open, done, after, permission]
}

/// `scopes` on Create Checkout Session name the buyer data the merchant gets, on every read of
/// the session and its permission, and Complete adds the billing address when it is asked for
/// (developer.amazon.com/docs/amazon-pay-api-v2/checkout-session.html, Create Checkout Session
/// `scopes` and Complete Checkout Session; issue 17 item 3).
#[tokio::test]
async fn scopes_release_only_the_buyer_data_they_name_on_every_read() {
    let app = spawn_app().await;
    let m = app.merchant().await;

    // Only the email: no name, phone number or billing address anywhere.
    let [open, done, after, permission] = scoped_checkout(&app, &m, json!(["email"])).await;
    for (what, v) in [("open session", &open), ("permission", &permission)] {
        assert!(v["buyer"]["buyerId"].is_string(), "{what}: {v}");
        assert!(v["buyer"]["email"].is_string(), "{what}: {v}");
        assert_eq!(v["buyer"]["name"], Value::Null, "{what}");
        assert_eq!(v["buyer"]["phoneNumber"], Value::Null, "{what}");
        assert_eq!(v["billingAddress"], Value::Null, "{what}");
        // The shipping address follows the product type (PayAndShip), not the scopes.
        assert!(v["shippingAddress"].is_object(), "{what}: {v}");
    }
    assert_eq!(done["billingAddress"], Value::Null);
    assert_eq!(after["billingAddress"], Value::Null);

    // The name and the billing address: Complete's answer carries the billing address.
    let [open, done, after, permission] =
        scoped_checkout(&app, &m, json!(["name", "billingAddress"])).await;
    for (what, v) in [("open session", &open), ("permission", &permission)] {
        assert!(v["buyer"]["name"].is_string(), "{what}: {v}");
        assert_eq!(v["buyer"]["email"], Value::Null, "{what}");
        assert_eq!(v["buyer"]["phoneNumber"], Value::Null, "{what}");
        assert!(v["billingAddress"].is_object(), "{what}: {v}");
    }
    assert_eq!(done["statusDetails"]["state"], "Completed");
    assert_eq!(done["billingAddress"], open["billingAddress"]);
    assert_eq!(done["buyer"], Value::Null);
    assert_eq!(
        after["billingAddress"],
        Value::Null,
        "a later Get is reduced"
    );

    // No scopes: everything, as before; Complete's answer stays reduced.
    let [open, done, _, permission] = scoped_checkout(&app, &m, Value::Null).await;
    for v in [&open, &permission] {
        assert!(v["buyer"]["name"].is_string());
        assert!(v["buyer"]["email"].is_string());
        assert!(v["buyer"]["phoneNumber"].is_string());
        assert!(v["billingAddress"].is_object());
    }
    assert_eq!(done["billingAddress"], Value::Null);
}
