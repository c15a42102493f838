//! Idempotency (design.md §4): replay, conflicts, scope, restarts.

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

#[tokio::test]
async fn a_rejected_request_records_nothing_so_a_corrected_retry_executes() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let bad = json!({"storeId": "amzn1.application-oa2-client.0000", "webCheckoutDetails": {"checkoutReviewReturnUrl": "https://a.example"}});
    app.call(&m, create(&bad, "retry"))
        .await
        .expect_error(400, "InvalidParameterValue");
    app.call(&m, create(&bad, "retry"))
        .await
        .expect_error(400, "InvalidParameterValue");
    assert_eq!(app.sessions(&m).await, 0);
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
