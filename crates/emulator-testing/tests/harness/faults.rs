//! The SDK against injected faults, over HTTP: retries reuse their idempotency key and change
//! state once, non-retryable faults are typed errors, a lost Complete answer still completes,
//! and timeouts fire on time.

use std::time::{Duration, Instant};

use amzpay::completion::CompletionOutcome;
use amzpay::retry::RetryPolicy;
use amzpay::types::{ApiErrorCode, PaymentIntent};
use amzpay::{Client, Error};
use amzpay_emulator_testing::{AddFault, Emulator, FaultSpec, Instrument, Merchant};

use crate::{ready_session, session_request, usd};

/// A client that retries quickly (milliseconds, not the default seconds) with `attempts` in all.
fn quick_client(merchant: &Merchant, attempts: u32, timeout: Duration) -> Client {
    let policy = RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_base_delay(Duration::from_millis(5))
        .with_max_delay(Duration::from_millis(20));
    let config = merchant
        .config_builder()
        .unwrap()
        .retry_policy(policy)
        .timeout(timeout)
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

fn error(status: u16) -> FaultSpec {
    FaultSpec::Error {
        status: Some(status),
        reason_code: None,
        message: None,
    }
}

#[tokio::test]
async fn each_retryable_fault_is_retried_with_the_same_key_and_changes_state_once() {
    let cases = [
        ("500", error(500)),
        ("503", error(503)),
        ("429", error(429)),
        ("reset", FaultSpec::Reset),
        ("lost answer", FaultSpec::LostAnswer),
    ];
    for (what, fault) in cases {
        // Arrange
        let emu = Emulator::start().await.unwrap();
        let merchant = emu.merchant().await.unwrap();
        let client = quick_client(&merchant, 3, Duration::from_secs(10));
        let rule = emu
            .faults()
            .add(
                AddFault::new(fault)
                    .merchant(merchant.merchant_id())
                    .operation("CreateCheckoutSession")
                    .count(1),
            )
            .await
            .unwrap();

        // Act
        let created = client
            .create_checkout_session(&session_request(&merchant))
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));

        // Assert: two attempts, one key, one session (a second key would have made a second
        // session after the lost answer).
        assert_eq!(created.attempts(), 2, "{what}");
        assert!(created.idempotency_key().is_some(), "{what}");
        let counts = emu.object_counts(&merchant).await.unwrap();
        assert_eq!(counts.checkout_sessions, 1, "{what}");
        let rule = emu.faults().get(&rule.id).await.unwrap().unwrap();
        assert_eq!((rule.matched, rule.hits), (1, 1), "{what}");
        let id = created.into_inner().checkout_session_id;
        client.get_checkout_session(id.as_str()).await.unwrap();
    }
}

#[tokio::test]
async fn a_non_retryable_fault_surfaces_as_the_typed_api_error() {
    // Arrange
    let emu = Emulator::start().await.unwrap();
    let merchant = emu.merchant().await.unwrap();
    let client = quick_client(&merchant, 3, Duration::from_secs(10));
    emu.faults()
        .add(
            AddFault::new(FaultSpec::Error {
                status: Some(400),
                reason_code: Some("InvalidParameterValue".into()),
                message: None,
            })
            .operation("CreateCheckoutSession"),
        )
        .await
        .unwrap();

    // Act
    let err = client
        .create_checkout_session(&session_request(&merchant))
        .await
        .unwrap_err();

    // Assert
    let Error::Api(api) = &err else {
        panic!("not an API error: {err:?}");
    };
    assert_eq!(api.status(), 400);
    assert_eq!(
        api.reason_code(),
        Some(&ApiErrorCode::InvalidParameterValue)
    );
    assert_eq!(api.attempts(), 1);
    assert_eq!(
        emu.object_counts(&merchant)
            .await
            .unwrap()
            .checkout_sessions,
        0
    );
}

#[tokio::test]
async fn a_retryable_fault_that_outlasts_the_retries_is_the_last_answer() {
    // Arrange
    let emu = Emulator::start().await.unwrap();
    let merchant = emu.merchant().await.unwrap();
    let client = quick_client(&merchant, 3, Duration::from_secs(10));
    let rule = emu
        .faults()
        .add(AddFault::new(error(429)).operation("CreateCheckoutSession"))
        .await
        .unwrap();

    // Act
    let err = client
        .create_checkout_session(&session_request(&merchant))
        .await
        .unwrap_err();

    // Assert
    let api = err.as_api().expect("an API error");
    assert_eq!(api.status(), 429);
    assert_eq!(api.reason_code(), Some(&ApiErrorCode::TooManyRequests));
    assert_eq!(api.attempts(), 3);
    assert_eq!(emu.faults().get(&rule.id).await.unwrap().unwrap().hits, 3);
    assert_eq!(
        emu.object_counts(&merchant)
            .await
            .unwrap()
            .checkout_sessions,
        0
    );
}

#[tokio::test]
async fn complete_checkout_under_a_lost_answer_completes_with_the_same_ids_and_one_charge() {
    // Arrange
    let emu = Emulator::start().await.unwrap();
    let merchant = emu.merchant().await.unwrap();
    let client = quick_client(&merchant, 3, Duration::from_secs(10));
    let id = ready_session(
        &client,
        &merchant,
        PaymentIntent::AuthorizeWithCapture,
        "14.00",
    )
    .await;
    emu.buyer(&id).sign_in(Instrument::Success).await.unwrap();
    emu.buyer(&id).pay().await.unwrap();
    let rule = emu
        .faults()
        .add(
            AddFault::new(FaultSpec::LostAnswer)
                .merchant(merchant.merchant_id())
                .operation("CompleteCheckoutSession")
                .count(1),
        )
        .await
        .unwrap();

    // Act
    let outcome = client
        .complete_checkout(&id, usd("14.00"), None)
        .await
        .unwrap();

    // Assert
    let CompletionOutcome::Completed(done) = outcome else {
        panic!("not completed: {outcome:?}");
    };
    assert_eq!(done.checkout_session_id.as_str(), id);
    let session = client.get_checkout_session(&id).await.unwrap().into_inner();
    assert_eq!(
        session.charge_permission_id.as_ref().map(|p| p.as_str()),
        Some(done.charge_permission_id.as_str())
    );
    let charge = done.charge.expect("a charge");
    assert_eq!(
        session.charge_id.as_ref().map(|c| c.as_str()),
        Some(charge.charge_id.as_str())
    );
    let counts = emu.object_counts(&merchant).await.unwrap();
    assert_eq!((counts.charge_permissions, counts.charges), (1, 1));
    assert_eq!(emu.faults().get(&rule.id).await.unwrap().unwrap().hits, 1);
}

#[tokio::test]
async fn a_timeout_fires_at_the_configured_time_and_the_retry_succeeds() {
    // Arrange: the first Get Checkout Session waits 30 s; the client gives up after 150 ms.
    let emu = Emulator::start().await.unwrap();
    let merchant = emu.merchant().await.unwrap();
    let patient = quick_client(&merchant, 1, Duration::from_secs(10));
    let id = patient
        .create_checkout_session(&session_request(&merchant))
        .await
        .unwrap()
        .into_inner()
        .checkout_session_id;
    emu.faults()
        .add(
            AddFault::new(FaultSpec::Latency {
                ms: 30_000,
                max_ms: None,
            })
            .operation("GetCheckoutSession")
            .count(1),
        )
        .await
        .unwrap();
    let once = quick_client(&merchant, 1, Duration::from_millis(150));
    let twice = quick_client(&merchant, 2, Duration::from_millis(150));

    // Act
    let started = Instant::now();
    let timed_out = once.get_checkout_session(id.as_str()).await.unwrap_err();
    let waited = started.elapsed();
    let retried = twice.get_checkout_session(id.as_str()).await.unwrap();

    // Assert
    assert!(matches!(timed_out, Error::Timeout(_)), "{timed_out:?}");
    assert!(
        waited >= Duration::from_millis(150) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert_eq!(retried.attempts(), 1, "the latency rule was used up");
}
