//! The harness as a merchant's test suite uses it: whole checkouts through the SDK against
//! emulators started in process.

use std::time::Duration;

use amzpay::completion::{CompletionOutcome, NotCompletedReason};
use amzpay::types::{
    ApiErrorCode, ChargeState, CompleteCheckoutSessionRequest, CreateCheckoutSessionRequest,
    Currency, PaymentDetailsInput, PaymentIntent, Price, UpdateCheckoutSessionRequest,
    WebCheckoutDetailsInput,
};
use amzpay::{Client, Region};
use amzpay_emulator_testing::{Emulator, Error, Instrument, Merchant};

mod faults;
mod notifications;

fn usd(amount: &str) -> Price {
    Price::parse(amount, Currency::Usd).expect("a price")
}

/// A session ready for the buyer: created, then updated with the result URL and the amount.
/// A Create Checkout Session body for `merchant`'s store with a review URL.
fn session_request(merchant: &Merchant) -> CreateCheckoutSessionRequest {
    CreateCheckoutSessionRequest {
        web_checkout_details: WebCheckoutDetailsInput {
            checkout_review_return_url: Some("https://shop.example/review".into()),
            ..Default::default()
        },
        store_id: merchant.store_id().into(),
        ..Default::default()
    }
}

async fn ready_session(
    client: &Client,
    merchant: &Merchant,
    intent: PaymentIntent,
    amount: &str,
) -> String {
    let session = client
        .create_checkout_session(&session_request(merchant))
        .await
        .expect("create checkout session");
    let id = session.checkout_session_id.to_string();
    client
        .update_checkout_session(
            &id,
            &UpdateCheckoutSessionRequest {
                web_checkout_details: Some(WebCheckoutDetailsInput {
                    checkout_result_return_url: Some("https://shop.example/result".into()),
                    ..Default::default()
                }),
                payment_details: Some(PaymentDetailsInput {
                    payment_intent: Some(intent),
                    can_handle_pending_authorization: Some(true),
                    charge_amount: Some(usd(amount)),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .expect("update checkout session");
    id
}

#[tokio::test]
async fn a_paid_checkout_completes_with_one_captured_charge() {
    let emu = Emulator::start().await.unwrap();
    let merchant = emu.merchant().await.unwrap();
    let client = merchant.client().unwrap();
    let id = ready_session(
        &client,
        &merchant,
        PaymentIntent::AuthorizeWithCapture,
        "14.00",
    )
    .await;

    let signed_in = emu.buyer(&id).sign_in(Instrument::Success).await.unwrap();
    assert_eq!(signed_in.state, "Open");
    let paid = emu.buyer(&id).pay().await.unwrap();
    assert!(
        paid.redirect_url
            .starts_with("https://shop.example/result?amazonCheckoutSessionId="),
        "{paid:?}"
    );

    let outcome = client
        .complete_checkout(&id, usd("14.00"), None)
        .await
        .unwrap();
    let CompletionOutcome::Completed(done) = outcome else {
        panic!("not completed: {outcome:?}");
    };
    assert!(!done.authorization_pending);
    let charge = done.charge.expect("AuthorizeWithCapture creates a charge");
    assert_eq!(charge.state, Some(ChargeState::Captured));
    let permission = client
        .get_charge_permission(done.charge_permission_id.as_str())
        .await
        .unwrap();
    assert_eq!(permission.charge_permission_id, done.charge_permission_id);
}

#[tokio::test]
async fn a_declined_buyer_is_sent_back_with_a_message() {
    let emu = Emulator::start().await.unwrap();
    let merchant = emu.merchant().await.unwrap();
    let client = merchant.client().unwrap();
    let id = ready_session(&client, &merchant, PaymentIntent::Authorize, "20.00").await;

    emu.buyer(&id).sign_in(Instrument::Declined).await.unwrap();
    let paid = emu.buyer(&id).pay().await.unwrap();
    assert_eq!(
        (paid.state.as_str(), paid.reason_code.as_deref()),
        ("Canceled", Some("Declined"))
    );

    let outcome = client
        .complete_checkout(&id, usd("20.00"), None)
        .await
        .unwrap();
    let CompletionOutcome::NotCompleted(not) = outcome else {
        panic!("a declined checkout completed: {outcome:?}");
    };
    assert_eq!(not.reason, NotCompletedReason::Declined);
    assert!(!not.buyer_message.is_empty());
}

/// The emulator records a refusal under its key, as Amazon does, and never a status the SDK
/// retries: a refused Complete is one attempt, and the same call with the key is the same
/// refusal, again in one attempt, even after the buyer paid.
#[tokio::test]
async fn a_refused_call_with_a_key_is_final_for_the_sdk_and_replayed() {
    // Arrange
    let emu = Emulator::start().await.unwrap();
    let merchant = emu.merchant().await.unwrap();
    let client = merchant.client().unwrap();
    let id = ready_session(&client, &merchant, PaymentIntent::Authorize, "14.00").await;
    let body = CompleteCheckoutSessionRequest::new(usd("14.00"));
    let early = client
        .complete_checkout_session(&id, &body)
        .idempotency_key("complete-too-early")
        .await
        .expect_err("the buyer has not paid");
    emu.buyer(&id).sign_in(Instrument::Success).await.unwrap();
    emu.buyer(&id).pay().await.unwrap();

    // Act
    let again = client
        .complete_checkout_session(&id, &body)
        .idempotency_key("complete-too-early")
        .await
        .expect_err("the refusal is replayed");

    // Assert
    for e in [&early, &again] {
        let api = e.as_api().expect("an API error");
        assert_eq!(
            (api.status(), api.reason_code(), api.attempts()),
            (422, Some(&ApiErrorCode::InvalidCheckoutSessionStatus), 1)
        );
    }
    assert_eq!(
        early.as_api().unwrap().body(),
        again.as_api().unwrap().body()
    );
    let done = client
        .complete_checkout_session(&id, &body)
        .await
        .expect("a new key completes");
    assert_eq!(done.status(), 200);
}

#[tokio::test]
async fn the_virtual_clock_resolves_a_pending_authorization_without_waiting() {
    let emu = Emulator::start().await.unwrap();
    let merchant = emu.merchant().await.unwrap();
    let client = merchant.client().unwrap();
    let id = ready_session(&client, &merchant, PaymentIntent::Authorize, "30.00").await;
    let clock = emu.clock(&merchant);
    clock.freeze().await.unwrap();

    emu.buyer(&id)
        .sign_in(Instrument::PendingThenAuthorized)
        .await
        .unwrap();
    emu.buyer(&id).pay().await.unwrap();
    let outcome = client
        .complete_checkout(&id, usd("30.00"), None)
        .await
        .unwrap();
    let done = outcome.completed().expect("completed").clone();
    assert!(done.authorization_pending);
    let charge_id = done.charge.expect("a charge").charge_id;

    let early = clock.advance(Duration::from_secs(29)).await.unwrap();
    assert_eq!(early.applied_timers, 0);
    let charge = client.get_charge(charge_id.as_str()).await.unwrap();
    assert_eq!(
        charge.status_details.state,
        ChargeState::AuthorizationInitiated
    );

    let due = clock.advance(Duration::from_secs(1)).await.unwrap();
    assert_eq!(due.applied_timers, 1);
    let charge = client.get_charge(charge_id.as_str()).await.unwrap();
    assert_eq!(charge.status_details.state, ChargeState::Authorized);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulators_in_parallel_share_nothing() {
    let emulators = futures_join_all((0..6).map(|_| Emulator::start())).await;
    let emulators: Vec<Emulator> = emulators.into_iter().map(Result::unwrap).collect();
    let mut urls: Vec<&str> = emulators.iter().map(Emulator::base_url).collect();
    urls.sort_unstable();
    urls.dedup();
    assert_eq!(
        urls.len(),
        emulators.len(),
        "each emulator has its own port"
    );

    // A merchant of the first emulator is unknown to the second: its signed call is refused.
    let merchant = emulators[0].merchant().await.unwrap();
    let elsewhere = merchant
        .config_builder()
        .unwrap()
        .endpoint(emulators[1].base_url())
        .unwrap()
        .max_attempts(1)
        .build()
        .unwrap();
    let error = Client::new(elsewhere)
        .unwrap()
        .get_checkout_session("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    let amzpay::Error::Api(api) = &error else {
        panic!("not an API error: {error:?}");
    };
    assert_eq!(api.status(), 401, "{error:?}");
    for emu in emulators {
        emu.stop().await.unwrap();
    }
}

/// Starts every future at once and waits for all (a tiny `join_all`, to keep dependencies few).
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("a task"));
    }
    out
}

#[tokio::test]
async fn https_mode_is_trusted_by_the_merchants_client() {
    let emu = Emulator::builder().https(true).start().await.unwrap();
    assert!(emu.base_url().starts_with("https://127.0.0.1:"));
    assert!(emu.ca_pem().is_some());
    let merchant = emu.merchant_in(Region::Eu).await.unwrap();
    let client = merchant.client().unwrap();
    let session = client
        .create_checkout_session(&session_request(&merchant))
        .await
        .unwrap();
    assert_eq!(session.status(), 201);
}

#[tokio::test]
async fn buyer_actions_on_an_unknown_session_are_typed_errors() {
    let emu = Emulator::start().await.unwrap();
    let error = emu
        .buyer("00000000-0000-4000-8000-000000000000")
        .pay()
        .await
        .unwrap_err();
    match error {
        Error::Admin { status, body } => {
            assert_eq!(status, 404, "{body}");
            assert!(body.contains("reasonCode"), "{body}");
        }
        other => panic!("not an admin error: {other:?}"),
    }
}

#[tokio::test]
async fn a_stopped_emulator_refuses_connections_and_deletes_its_files() {
    let emu = Emulator::start().await.unwrap();
    let url = emu.base_url().to_owned();
    let dir = emu.data_dir();
    assert!(dir.join("emulator.db").exists());
    emu.stop().await.unwrap();
    let addr = url.trim_start_matches("http://");
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still listening on {addr}"
    );
    assert!(!dir.exists(), "{} was not deleted", dir.display());
}
