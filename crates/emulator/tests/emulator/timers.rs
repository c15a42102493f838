//! Timers on the virtual clock: 24 h expiry, 30-day deletion, OneTime buyer data visibility.

use amzpay_emulator::worker::ExecutionOutcome;
use amzpay_emulator_core::ids::CheckoutSessionId;
use amzpay_emulator_store::ObjectRef;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn an_open_session_expires_24_hours_after_creation() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.paid_session(&m, authorize("14.00")).await;
    let path = format!("/v2/checkoutSessions/{id}");
    app.advance_clock(&m, "23h59m").await;
    assert_eq!(
        app.get(&m, &path).await.expect(200)["statusDetails"]["state"],
        "Open"
    );
    let clock = app.advance_clock(&m, "1m").await;
    assert_eq!(
        clock["appliedTimers"], 1,
        "advancing applied the expiry: {clock}"
    );
    let s = app.get(&m, &path).await.expect(200).clone();
    assert_eq!(s["statusDetails"]["state"], "Canceled");
    assert_eq!(s["statusDetails"]["reasonCode"], "Expired");
    app.complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
        .await
        .expect_error(422, "InvalidCheckoutSessionStatus");
    // The expiry is stored, not only computed on read.
    let stored = app
        .stored(
            &m,
            ObjectRef::CheckoutSession(CheckoutSessionId::parse(&id).unwrap()),
        )
        .await;
    assert_eq!(stored.session.state.as_str(), "Canceled");
    assert_eq!(stored.next_due(), None);
}

#[tokio::test]
async fn reads_show_the_expiry_even_before_the_background_step_runs() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.ready_session(&m, authorize("14.00")).await;
    // Setting the clock (not advancing through the admin API's timer run) still shows Expired.
    app.set_clock(&m, "2099-01-01T00:00:00Z").await;
    let r = app.get(&m, &format!("/v2/checkoutSessions/{id}")).await;
    assert_eq!(
        r.status.as_u16(),
        404,
        "2099 is more than 30 days later: the session is gone"
    );
}

#[tokio::test]
async fn sessions_are_gone_30_days_after_creation_but_their_permission_and_charge_remain() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.paid_session(&m, authorize_with_capture("14.00")).await;
    let s = app
        .complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
        .await
        .expect(200)
        .clone();
    let permission = format!(
        "/v2/chargePermissions/{}",
        s["chargePermissionId"].as_str().unwrap()
    );
    let charge = format!("/v2/charges/{}", s["chargeId"].as_str().unwrap());
    app.advance_clock(&m, "29d23h").await;
    app.get(&m, &format!("/v2/checkoutSessions/{id}"))
        .await
        .expect(200);
    assert_eq!(
        app.get(&m, &permission).await.expect(200)["buyer"]["name"],
        "Test Buyer"
    );
    app.advance_clock(&m, "1h").await;
    app.get(&m, &format!("/v2/checkoutSessions/{id}"))
        .await
        .expect_error(404, "ResourceNotFound");
    let p = app.get(&m, &permission).await.expect(200).clone();
    // OneTime: buyer details are shown for 30 days only.
    assert_eq!(p["buyer"], Value::Null);
    assert_eq!(p["shippingAddress"], Value::Null);
    assert_eq!(p["statusDetails"]["state"], "Closed");
    app.get(&m, &charge).await.expect(200);
}

#[tokio::test]
async fn each_merchant_has_its_own_clock() {
    let app = spawn_app().await;
    let a = app.merchant().await;
    let b = app.merchant().await;
    let ida = app.ready_session(&a, authorize("1.00")).await;
    let idb = app.ready_session(&b, authorize("1.00")).await;
    app.advance_clock(&a, "25h").await;
    assert_eq!(
        app.get(&a, &format!("/v2/checkoutSessions/{ida}"))
            .await
            .expect(200)["statusDetails"]["state"],
        "Canceled"
    );
    assert_eq!(
        app.get(&b, &format!("/v2/checkoutSessions/{idb}"))
            .await
            .expect(200)["statusDetails"]["state"],
        "Open"
    );
}

#[tokio::test]
async fn the_background_step_applies_due_timers() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.ready_session(&m, authorize("1.00")).await;
    app.set_clock(&m, "2099-01-01T00:00:00Z").await;
    // Nothing left to do: setting the clock ran the step already.
    let r = app
        .admin(
            axum::http::Method::POST,
            "/__admin/timers/run",
            Some(json!({})),
        )
        .await;
    assert_eq!(r.expect(200)["applied"], 0);
    assert_eq!(
        app.run_background_step().await,
        ExecutionOutcome::EmptyQueue
    );
    let _ = id;
}

#[tokio::test]
async fn an_abandoned_checkout_is_deleted_30_days_after_creation_and_a_completed_one_is_kept() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    app.freeze_clock(&m).await;
    let abandoned = app.ready_session(&m, authorize("14.00")).await;
    let completed = app.paid_session(&m, authorize("14.00")).await;
    app.complete(&m, &completed, json!({"chargeAmount": usd("14.00")}))
        .await
        .expect(200);
    app.advance_clock(&m, "29d").await;
    assert_eq!(app.sessions(&m).await, 2);

    app.advance_clock(&m, "1d").await;

    assert_eq!(
        app.sessions(&m).await,
        1,
        "the abandoned checkout is deleted"
    );
    let kept = app
        .stored(
            &m,
            ObjectRef::CheckoutSession(CheckoutSessionId::parse(&completed).unwrap()),
        )
        .await;
    assert!(kept.permission.is_some());
    app.get(&m, &format!("/v2/checkoutSessions/{abandoned}"))
        .await
        .expect_error(404, "ResourceNotFound");
    assert_eq!(
        app.run_background_step().await,
        ExecutionOutcome::EmptyQueue
    );
}
