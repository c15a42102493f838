//! The `x-amz-pay-simulation-code` header: every code on its operation, signed or unsigned;
//! unknown, inapplicable and live-key codes refused.

use serde_json::{Value, json};

use crate::flows::*;
use crate::helpers::*;

#[tokio::test]
async fn create_charge_declines_are_error_answers_that_move_the_permission() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let cases = [
        ("SoftDeclined", 422, "SoftDeclined", "Chargeable"),
        (
            "TransactionTimedOut",
            422,
            "TransactionTimedOut",
            "Chargeable",
        ),
        (
            "HardDeclined",
            422,
            "HardDeclined",
            "NonChargeable/PaymentMethodInvalid",
        ),
        (
            "Emulator:PaymentMethodNotAllowed",
            422,
            "PaymentMethodNotAllowed",
            "NonChargeable/PaymentMethodNotAllowed",
        ),
        (
            "Emulator:MFANotCompleted",
            422,
            "MFANotCompleted",
            "NonChargeable/MFAFailed",
        ),
        (
            "AmazonRejected",
            422,
            "AmazonRejected",
            "Closed/AmazonCanceled",
        ),
        (
            "Emulator:ProcessingFailure",
            500,
            "ProcessingFailure",
            "Chargeable",
        ),
    ];
    for (code, status, reason, permission_after) in cases {
        let c = app.deferred(&m, "50.00").await;
        let r = app
            .create_charge(&m, &c.permission_id, "10.00", json!({}), Some(code))
            .await;
        r.expect_error(status, reason);
        let p = app.permission(&m, &c.permission_id).await;
        assert_eq!(permission_state_of(&p), permission_after, "{code}");
        assert_eq!(p["limits"]["amountBalance"], usd("50.00"), "{code}");
    }
}

#[tokio::test]
async fn pending_and_asynchronous_create_charge_codes_resolve_after_30_seconds() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let pending = json!({"canHandlePendingAuthorization": true});
    let cases = [
        (
            "Emulator:PendingThenAuthorized",
            pending.clone(),
            "Authorized",
        ),
        (
            "Emulator:PendingThenSoftDeclined",
            pending.clone(),
            "Declined/SoftDeclined",
        ),
        (
            "Emulator:PendingThenHardDeclined",
            pending.clone(),
            "Declined/HardDeclined",
        ),
        (
            "Emulator:PendingThenTimedOut",
            pending,
            "Declined/TransactionTimedOut",
        ),
        ("CaptureInitiated", json!({"captureNow": true}), "Captured"),
    ];
    for (code, extra, after) in cases {
        let c = app.deferred(&m, "50.00").await;
        let r = app
            .create_charge(&m, &c.permission_id, "10.00", extra, Some(code))
            .await;
        let charge = r.expect(201).clone();
        let first = if code == "CaptureInitiated" {
            "CaptureInitiated"
        } else {
            "AuthorizationInitiated"
        };
        assert_eq!(state_of(&charge), first, "{code}");
        let id = charge["chargeId"].as_str().unwrap();
        app.advance_clock(&m, "30s").await;
        assert_eq!(state_of(&app.charge_state(&m, id).await), after, "{code}");
    }
    // Pending codes need canHandlePendingAuthorization; CaptureInitiated needs captureNow.
    let c = app.deferred(&m, "50.00").await;
    for code in ["Emulator:PendingThenAuthorized", "CaptureInitiated"] {
        app.create_charge(&m, &c.permission_id, "1.00", json!({}), Some(code))
            .await
            .expect_error(400, "InvalidSandboxSimulationSpecified");
    }
}

#[tokio::test]
async fn capture_codes_make_the_capture_asynchronous_declined_or_failed() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let cases = [
        (
            "Emulator:CaptureInitiated",
            200,
            "CaptureInitiated",
            "Captured",
        ),
        (
            "Emulator:CaptureDeclined",
            200,
            "CaptureInitiated",
            "Declined/ProcessingFailure",
        ),
        (
            "Emulator:CaptureAmazonRejected",
            422,
            "Declined/AmazonRejected",
            "Declined/AmazonRejected",
        ),
        (
            "Emulator:ProcessingFailure",
            500,
            "Authorized",
            "Authorized",
        ),
    ];
    for (code, status, right_after, later) in cases {
        let c = app.checkout(&m, "Authorize", "10.00").await;
        let id = c.charge();
        let r = app.capture(&m, id, "10.00", Some(code)).await;
        assert_eq!(
            r.status.as_u16(),
            status,
            "{code}: {}",
            String::from_utf8_lossy(&r.raw)
        );
        assert_eq!(
            state_of(&app.charge_state(&m, id).await),
            right_after,
            "{code}"
        );
        app.advance_clock(&m, "30s").await;
        assert_eq!(state_of(&app.charge_state(&m, id).await), later, "{code}");
    }
}

/// Complete Checkout Session for 14.00 USD with simulation code `code`.
fn complete_with_code(id: &str, code: &str) -> Call {
    complete_call(id)
        .json(json!({"chargeAmount": usd("14.00")}))
        .header("x-amz-pay-simulation-code", code)
}

#[tokio::test]
async fn complete_codes_cancel_the_session_or_leave_the_authorization_pending() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    for (code, reason) in [
        ("BuyerCanceled", "BuyerCanceled"),
        ("AmazonCanceled", "AmazonCanceled"),
        ("Declined", "Declined"),
    ] {
        let id = app.paid_session(&m, authorize("14.00")).await;
        let r = app.call(&m, complete_with_code(&id, code)).await;
        r.expect_error(422, "CheckoutSessionCanceled");
        let s = app.session(&m, &id).await;
        assert_eq!(s["statusDetails"]["state"], "Canceled", "{code}");
        assert_eq!(s["statusDetails"]["reasonCode"], reason, "{code}");
    }
    let pending = |intent: &str| json!({"paymentIntent": intent, "chargeAmount": usd("14.00"), "canHandlePendingAuthorization": true});
    let id = app.paid_session(&m, pending("Authorize")).await;
    let complete =
        complete_with_code(&id, "AuthorizationInitiated").unsigned("x-amz-pay-simulation-code");
    let r = app.call(&m, complete).await;
    let s = r.expect(202).clone();
    let charge = s["chargeId"].as_str().unwrap();
    assert_eq!(
        state_of(&app.charge_state(&m, charge).await),
        "AuthorizationInitiated"
    );
    app.advance_clock(&m, "30s").await;
    assert_eq!(state_of(&app.charge_state(&m, charge).await), "Authorized");
}

/// AuthorizationInitiated forces what the pending instruments do, so it has their prerequisite:
/// paymentIntent Authorize and canHandlePendingAuthorization true on the Checkout Session
/// (developer.amazon.com/docs/amazon-pay-checkout/sandbox-simulations.html, "Using simulated
/// payment methods", cards 0701 and 4354).
#[tokio::test]
async fn authorization_initiated_on_complete_needs_authorize_and_pending_support() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let with_capture = json!({
        "paymentIntent": "AuthorizeWithCapture",
        "chargeAmount": usd("14.00"),
        "canHandlePendingAuthorization": true
    });
    for (what, details) in [
        ("Authorize without the flag", authorize("14.00")),
        ("AuthorizeWithCapture with the flag", with_capture),
    ] {
        let id = app.paid_session(&m, details).await;
        let r = app
            .call(&m, complete_with_code(&id, "AuthorizationInitiated"))
            .await;
        r.expect_error_for(400, "InvalidSandboxSimulationSpecified", what);
        let s = app.session(&m, &id).await;
        assert_eq!(
            s["statusDetails"]["state"], "Open",
            "{what}: nothing changed"
        );
        // Without the code the same session completes.
        let r = app
            .call(
                &m,
                complete_call(&id).json(json!({"chargeAmount": usd("14.00")})),
            )
            .await;
        r.expect(200);
    }
}

#[tokio::test]
async fn close_with_amazon_closed_and_refund_codes_apply() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.deferred(&m, "5.00").await;
    let r = app
        .send(
            &m,
            "DELETE",
            &format!("/v2/chargePermissions/{}/close", c.permission_id),
            Some(json!({"closureReason": "done"})),
            Some("AmazonClosed"),
        )
        .await;
    assert_eq!(permission_state_of(r.expect(200)), "Closed/AmazonClosed");
}

#[tokio::test]
async fn unknown_inapplicable_and_live_codes_are_invalid_and_change_nothing() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.checkout(&m, "Authorize", "10.00").await;
    let id = c.charge();
    let before = app.charge_state(&m, id).await;
    let cases: Vec<(&str, &str, Option<Value>, &str)> = vec![
        (
            "POST",
            "capture",
            Some(json!({"captureAmount": usd("10.00")})),
            "NoSuchCode",
        ),
        (
            "POST",
            "capture",
            Some(json!({"captureAmount": usd("10.00")})),
            "HardDeclined",
        ),
        (
            "POST",
            "capture",
            Some(json!({"captureAmount": usd("10.00")})),
            "emulator:capturedeclined",
        ),
        (
            "DELETE",
            "cancel",
            Some(json!({"cancellationReason": "x"})),
            "SoftDeclined",
        ),
        ("GET", "", None, "HardDeclined"),
    ];
    for (method, action, body, code) in cases {
        let path = if action.is_empty() {
            format!("/v2/charges/{id}")
        } else {
            format!("/v2/charges/{id}/{action}")
        };
        app.send(&m, method, &path, body, Some(code))
            .await
            .expect_error(400, "InvalidSandboxSimulationSpecified");
    }
    app.refund(&m, id, "1.00", Some("Emulator:CaptureDeclined"))
        .await
        .expect_error(400, "InvalidSandboxSimulationSpecified");
    app.send(&m, "GET", &c.permission_path(), None, Some("AmazonClosed"))
        .await
        .expect_error(400, "InvalidSandboxSimulationSpecified");
    assert_eq!(app.charge_state(&m, id).await, before);

    // Live keys: no simulations at all.
    let live = app.merchant_with(json!({"environment": "live"})).await;
    let r = app
        .call(
            &live,
            Call::new("POST", "/v2/checkoutSessions")
                .json(session_body(&live, None))
                .idempotency_key(&new_key())
                .header("x-amz-pay-simulation-code", "Declined"),
        )
        .await;
    r.expect_error(400, "InvalidSandboxSimulationSpecified");
}
