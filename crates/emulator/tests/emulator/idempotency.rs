//! Idempotency (design.md §4): replay (refusals included), conflicts, scope, restarts.

use serde_json::json;

use crate::helpers::*;

fn create(body: &serde_json::Value, key: &str) -> Call {
    Call::new("POST", "/v2/checkoutSessions")
        .json(body.clone())
        .idempotency_key(key)
}

#[tokio::test]
async fn a_repeated_create_replays_the_first_answer() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let body = session_body(&m, Some(authorize("14.00")));
    let first = app.call(&m, create(&body, "create-1")).await;
    first.expect(201);
    let again = app.call(&m, create(&body, "create-1")).await;
    again.expect(201);
    assert_eq!(again.raw, first.raw);
    // The same JSON with its keys in another order and other whitespace is the same request.
    let reordered = br#"{ "webCheckoutDetails": {"checkoutCancelUrl":"https://shop.example/cancel","checkoutResultReturnUrl":"https://shop.example/result","checkoutReviewReturnUrl":"https://shop.example/review"},
        "paymentDetails": {"chargeAmount": {"currencyCode":"USD","amount":"14.00"}, "paymentIntent":"Authorize"}, "storeId": "STORE" }"#;
    let reordered = String::from_utf8_lossy(reordered).replace("STORE", &m.store_id);
    let r = app
        .call(
            &m,
            Call::new("POST", "/v2/checkoutSessions")
                .body(reordered.as_bytes())
                .idempotency_key("create-1"),
        )
        .await;
    r.expect(201);
    assert_eq!(r.raw, first.raw);
    assert_eq!(app.sessions(&m).await, 1);
}

#[tokio::test]
async fn a_key_reused_for_another_request_is_a_duplicate_idempotency_key() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let body = session_body(&m, Some(authorize("14.00")));
    let s = app.call(&m, create(&body, "dup")).await.expect(201).clone();
    let other = session_body(&m, Some(authorize("15.00")));
    app.call(&m, create(&other, "dup"))
        .await
        .expect_error(400, "DuplicateIdempotencyKey");
    // Another path with the key is another request too.
    let id = s["checkoutSessionId"].as_str().unwrap();
    app.pay(id, "1111").await.expect(200);
    app.call(
        &m,
        complete_call(id)
            .json(json!({"chargeAmount": usd("14.00")}))
            .idempotency_key("dup"),
    )
    .await
    .expect_error(400, "DuplicateIdempotencyKey");
    assert_eq!(app.sessions(&m).await, 1);
}

#[tokio::test]
async fn keys_are_scoped_per_merchant() {
    let app = spawn_app().await;
    let a = app.merchant().await;
    let b = app.merchant().await;
    let ra = app
        .call(&a, create(&session_body(&a, None), "shared"))
        .await
        .expect(201)
        .clone();
    let rb = app
        .call(&b, create(&session_body(&b, None), "shared"))
        .await
        .expect(201)
        .clone();
    assert_ne!(ra["checkoutSessionId"], rb["checkoutSessionId"]);
}

/// Amazon "saves the response to the first request made with an idempotency key" (amazon-pay-api-v2
/// "Idempotency", Idempotency overview), errors included: a refusal is replayed to the same
/// request with the key even after the state would let it succeed, and the key stays bound to
/// that request.
#[tokio::test]
async fn a_refused_request_is_replayed_with_its_key_even_when_it_would_now_succeed() {
    // Arrange: Complete before the buyer paid is 422 InvalidCheckoutSessionStatus.
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.ready_session(&m, authorize("14.00")).await;
    let body = json!({"chargeAmount": usd("14.00")});
    let early = complete_call(&id)
        .json(body.clone())
        .idempotency_key("early");
    let first = app.call(&m, early.clone()).await;
    first.expect_error(422, "InvalidCheckoutSessionStatus");
    assert!(!first.headers.contains_key("x-amzpay-emulator-replayed"));
    app.pay(&id, "1111").await.expect(200);

    // Act
    let again = app.call(&m, early).await;

    // Assert: the refusal, replayed; the session is still Open; the key is bound to the request.
    again.expect_error(422, "InvalidCheckoutSessionStatus");
    assert_eq!(again.raw, first.raw);
    assert_eq!(again.headers["x-amzpay-emulator-replayed"], "true");
    assert_eq!(app.session(&m, &id).await["statusDetails"]["state"], "Open");
    app.call(
        &m,
        complete_call(&id)
            .json(json!({"chargeAmount": usd("15.00")}))
            .idempotency_key("early"),
    )
    .await
    .expect_error(400, "DuplicateIdempotencyKey");
    app.call(&m, complete_call(&id).json(body).idempotency_key("later"))
        .await
        .expect(200);
}

/// A 5xx (and 429) invites a retry with the same key (amazon-pay-api-v2 "Manage errors": 500 and
/// 503 are retryable; the SDKs retry 408, 425, 429 and 5xx with the same key): it is not
/// recorded, so the retry runs again.
#[tokio::test]
async fn a_retryable_refusal_is_not_recorded_so_the_retry_executes() {
    // Arrange: a simulated 500 ProcessingFailure changes nothing.
    let app = spawn_app().await;
    let m = app.merchant().await;
    let c = app.deferred(&m, "50.00").await;
    let body = json!({"chargePermissionId": c.permission_id, "chargeAmount": usd("10.00")});
    let charge = |simulation: Option<&str>| {
        let call = Call::new("POST", "/v2/charges")
            .json(body.clone())
            .idempotency_key("charge-retry");
        match simulation {
            Some(code) => call.header("x-amz-pay-simulation-code", code),
            None => call,
        }
    };
    app.call(&m, charge(Some("Emulator:ProcessingFailure")))
        .await
        .expect_error(500, "ProcessingFailure");

    // Act: the same request with the same key, now without the failure.
    let retry = app.call(&m, charge(None)).await;

    // Assert: it executed, and is recorded in its turn.
    retry.expect(201);
    assert!(!retry.headers.contains_key("x-amzpay-emulator-replayed"));
    let replay = app.call(&m, charge(None)).await;
    replay.expect(201);
    assert_eq!(replay.raw, retry.raw);
    assert_eq!(replay.headers["x-amzpay-emulator-replayed"], "true");
}

#[tokio::test]
async fn replays_survive_a_restart() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let body = session_body(&m, Some(authorize("14.00")));
    let first = app.call(&m, create(&body, "durable")).await;
    first.expect(201);
    let id = first.body["checkoutSessionId"].as_str().unwrap().to_owned();
    app.pay(&id, "1111").await.expect(200);
    let complete = complete_call(&id)
        .json(json!({"chargeAmount": usd("14.00")}))
        .idempotency_key("complete-durable");
    let completed = app.call(&m, complete.clone()).await;
    completed.expect(200);

    let app = app.restart().await;
    let again = app.call(&m, create(&body, "durable")).await;
    assert_eq!((again.status.as_u16(), &again.raw), (201, &first.raw));
    let again = app.call(&m, complete).await;
    assert_eq!((again.status.as_u16(), &again.raw), (200, &completed.raw));
    app.get(&m, &format!("/v2/checkoutSessions/{id}"))
        .await
        .expect(200);
}

#[tokio::test]
async fn a_key_is_forgotten_30_days_after_its_request() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let body = session_body(&m, Some(authorize("14.00")));
    let first = app.call(&m, create(&body, "kept-30-days")).await;
    first.expect(201);
    let store = app.state.store().clone();
    let now = amzpay_emulator::state::real_now();
    let day = 24 * 60 * 60;
    let early = amzpay_emulator::worker::forget_idempotency_keys(&store, now.plus(29 * day))
        .await
        .unwrap();
    assert_eq!(early, 0, "kept for 30 days");

    let forgotten =
        amzpay_emulator::worker::forget_idempotency_keys(&store, now.plus(30 * day + 60))
            .await
            .unwrap();

    assert_eq!(forgotten, 1);
    let again = app.call(&m, create(&body, "kept-30-days")).await;
    again.expect(201);
    assert_ne!(again.raw, first.raw, "a new session, not a replay");
    assert_eq!(app.sessions(&m).await, 2);
}
