//! Retries: which failures are retried, how often, how long apart, and with which key.

use std::time::Duration;

use amzpay::Error;
use amzpay::retry::RetryPolicy;
use amzpay::transport::{HttpResponse, TransportError};
use amzpay::types::{
    CreateChargeRequest, CreateDeliveryTrackerRequest, Currency, DeliveryDetail, Price,
};

use crate::helpers::{
    assert_signature_verifies, charge_json, client, client_with, config_builder, error_json,
};

fn create_charge_body() -> CreateChargeRequest {
    CreateChargeRequest::new(
        "S01-1234567-1234567".into(),
        Price::parse("10.00", Currency::Usd).unwrap(),
    )
}

#[tokio::test]
async fn each_retryable_status_is_retried_and_the_retry_succeeds() {
    for status in [408, 425, 429, 500, 502, 503, 504] {
        // Arrange
        let (client, transport) = client();
        transport.respond(status, error_json("ServiceUnavailable"));
        transport.respond(200, charge_json("C1", "Authorized", "10.00"));

        // Act
        let response = client.get_charge("C1").await;

        // Assert
        let response = response.unwrap_or_else(|e| panic!("status {status}: {e}"));
        assert_eq!(response.attempts(), 2, "status {status}");
        assert_eq!(transport.requests().len(), 2, "status {status}");
    }
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 405, 409, 422] {
        let (client, transport) = client();
        transport.respond(status, error_json("InvalidParameterValue"));
        transport.respond(200, charge_json("C1", "Authorized", "10.00"));

        let error = client.get_charge("C1").await.unwrap_err();

        assert_eq!(error.as_api().map(|e| e.status()), Some(status));
        assert_eq!(error.attempts(), 1);
        assert_eq!(transport.requests().len(), 1, "status {status}");
    }
}

#[tokio::test]
async fn retries_stop_at_the_attempt_limit_with_the_last_answer() {
    let (client, transport) =
        client_with(config_builder().retry_policy(crate::helpers::fast_retries(3)));
    for _ in 0..5 {
        transport.respond(503, error_json("ServiceUnavailable"));
    }

    let error = client.get_charge("C1").await.unwrap_err();

    let api = error.as_api().expect("an API error");
    assert_eq!(api.status(), 503);
    assert_eq!(api.attempts(), 3);
    assert_eq!(transport.requests().len(), 3);
}

#[tokio::test]
async fn every_attempt_is_signed_and_carries_the_same_generated_idempotency_key() {
    let (client, transport) = client();
    transport.respond(503, error_json("ServiceUnavailable"));
    transport.respond(500, error_json("InternalServerError"));
    transport.respond(201, charge_json("C1", "Authorized", "10.00"));

    let response = client.create_charge(&create_charge_body()).await.unwrap();

    let requests = transport.requests();
    assert_eq!(requests.len(), 3);
    let keys: Vec<_> = requests
        .iter()
        .map(|r| r.header("x-amz-pay-idempotency-key").unwrap().to_owned())
        .collect();
    assert_eq!(keys[0].len(), 32);
    assert!(keys.iter().all(|k| k == &keys[0]));
    assert_eq!(response.idempotency_key(), Some(keys[0].as_str()));
    // Each attempt has its own signature (PSS is randomised, and the date is taken per attempt).
    let signatures: std::collections::HashSet<_> = requests
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(signatures.len(), 3);
    for request in &requests {
        assert_signature_verifies(request);
        assert_eq!(
            request.body, requests[0].body,
            "the body bytes are the same on every attempt"
        );
    }
}

#[tokio::test]
async fn a_retry_after_a_pause_is_signed_with_a_fresh_date() {
    // Real time: the date has one-second resolution, so wait for it to change.
    let (client, transport) = client();
    transport.respond_with(HttpResponse::new(
        503,
        [("retry-after", "2"), ("content-type", "application/json")],
        error_json("ServiceUnavailable"),
    ));
    transport.respond(201, charge_json("C1", "Authorized", "10.00"));

    client.create_charge(&create_charge_body()).await.unwrap();

    let requests = transport.requests();
    let first = assert_signature_verifies(&requests[0]);
    let second = assert_signature_verifies(&requests[1]);
    assert_ne!(first, second);
    assert_eq!(
        requests[0].header("x-amz-pay-idempotency-key"),
        requests[1].header("x-amz-pay-idempotency-key")
    );
}

#[tokio::test]
async fn a_supplied_idempotency_key_is_sent_on_every_attempt() {
    let (client, transport) = client();
    transport.respond(429, error_json("TooManyRequests"));
    transport.respond(201, charge_json("C1", "Authorized", "10.00"));

    client
        .create_charge(&create_charge_body())
        .idempotency_key("order-1234-charge-1")
        .await
        .unwrap();

    for request in transport.requests() {
        assert_eq!(
            request.header("x-amz-pay-idempotency-key"),
            Some("order-1234-charge-1")
        );
    }
}

#[tokio::test]
async fn a_post_without_an_idempotency_key_is_never_retried() {
    let (client, transport) = client();
    transport.respond(503, error_json("ServiceUnavailable"));
    transport.fail(TransportError::not_sent("refused"));
    let body = CreateDeliveryTrackerRequest::new(
        "S01-1234567-1234567".into(),
        vec![DeliveryDetail::new("1Z999", "UPS")],
    );

    let error = client.create_delivery_tracker(&body).await.unwrap_err();

    assert_eq!(error.as_api().unwrap().status(), 503);
    assert_eq!(transport.requests().len(), 1);
    assert!(
        transport.requests()[0]
            .header("x-amz-pay-idempotency-key")
            .is_none()
    );
}

#[tokio::test]
async fn a_post_with_a_supplied_key_is_retried_even_when_the_operation_needs_none() {
    let (client, transport) = client();
    transport.respond(503, error_json("ServiceUnavailable"));
    transport.respond(200, r#"{"chargePermissionId":"S01-1234567-1234567","amazonOrderReferenceId":null,"deliveryDetails":[]}"#);
    let body = CreateDeliveryTrackerRequest::new("S01-1234567-1234567".into(), vec![]);

    let response = client
        .create_delivery_tracker(&body)
        .idempotency_key("track-1")
        .await
        .unwrap();

    assert_eq!(response.attempts(), 2);
}

#[tokio::test]
async fn connection_failures_are_retried() {
    let (client, transport) = client();
    transport.fail(TransportError::not_sent("connection refused"));
    transport.fail(TransportError::outcome_unknown("connection reset"));
    transport.respond(200, charge_json("C1", "Authorized", "10.00"));

    let response = client.get_charge("C1").await.unwrap();

    assert_eq!(response.attempts(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_hint_wins_over_the_backoff() {
    let (client, transport) = client_with(config_builder().retry_policy(RetryPolicy::default()));
    transport.respond_with(HttpResponse::new(
        429,
        [("retry-after", "7")],
        error_json("TooManyRequests"),
    ));
    transport.respond(200, charge_json("C1", "Authorized", "10.00"));
    let started = tokio::time::Instant::now();

    client.get_charge("C1").await.unwrap();

    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(8),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_hint_longer_than_the_limit_stops_the_retries() {
    let (client, transport) = client_with(config_builder().retry_policy(RetryPolicy::default()));
    transport.respond_with(HttpResponse::new(
        503,
        [("retry-after", "3600")],
        error_json("ServiceUnavailable"),
    ));
    transport.respond(200, charge_json("C1", "Authorized", "10.00"));

    let error = client.get_charge("C1").await.unwrap_err();

    assert_eq!(
        error.as_api().unwrap().retry_after(),
        Some(Duration::from_secs(3600))
    );
    assert_eq!(transport.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_total_backoff_stays_within_the_jittered_bounds() {
    // Default policy: delays drawn from [0.5, 1], [1, 2] and [2, 4] seconds.
    let (client, transport) = client_with(config_builder().retry_policy(RetryPolicy::default()));
    for _ in 0..3 {
        transport.respond(503, error_json("ServiceUnavailable"));
    }
    transport.respond(200, charge_json("C1", "Authorized", "10.00"));
    let started = tokio::time::Instant::now();

    let response = client.get_charge("C1").await.unwrap();

    let waited = started.elapsed();
    assert_eq!(response.attempts(), 4);
    assert!(
        waited >= Duration::from_millis(3500) && waited <= Duration::from_millis(7100),
        "{waited:?}"
    );
}

#[test]
fn the_backoff_doubles_up_to_the_cap() {
    let policy = RetryPolicy::default()
        .with_base_delay(Duration::from_secs(1))
        .with_max_delay(Duration::from_secs(8));
    let ceilings: Vec<_> = (1..=6).map(|n| policy.backoff(n, 1.0)).collect();
    let floors: Vec<_> = (1..=6).map(|n| policy.backoff(n, 0.0)).collect();
    assert_eq!(
        ceilings,
        [1, 2, 4, 8, 8, 8].map(Duration::from_secs).to_vec()
    );
    assert_eq!(
        floors,
        [500, 1000, 2000, 4000, 4000, 4000]
            .map(Duration::from_millis)
            .to_vec()
    );
}

#[tokio::test(start_paused = true)]
async fn a_request_that_gets_no_answer_times_out_as_outcome_unknown() {
    let (client, transport) = client_with(
        config_builder()
            .timeout(Duration::from_millis(200))
            .retry_policy(crate::helpers::fast_retries(2)),
    );
    transport.hang();
    transport.hang();

    let error = client.get_charge("C1").await.unwrap_err();

    match &error {
        Error::Timeout(timeout) => {
            assert!(timeout.outcome_unknown());
            assert_eq!(timeout.attempts(), 2);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(error.outcome_unknown());
}

#[tokio::test]
async fn a_timeout_before_sending_is_reported_as_not_sent() {
    let (client, transport) = client_with(config_builder().max_attempts(1));
    transport.fail(TransportError::timeout(false));

    let error = client.get_charge("C1").await.unwrap_err();

    let Error::Timeout(timeout) = &error else {
        panic!("expected a timeout, got {error:?}")
    };
    assert!(!timeout.outcome_unknown());
    assert!(!error.outcome_unknown());
    assert_eq!(error.to_string(), "timed out before the request was sent");
}

#[tokio::test(start_paused = true)]
async fn a_post_without_a_key_that_times_out_is_not_retried_and_its_outcome_is_unknown() {
    let (client, transport) = client_with(config_builder().timeout(Duration::from_millis(200)));
    transport.hang();
    let body = CreateDeliveryTrackerRequest::new("S01-1234567-1234567".into(), vec![]);

    let error = client.create_delivery_tracker(&body).await.unwrap_err();

    assert!(error.outcome_unknown());
    assert_eq!(error.attempts(), 1);
    assert_eq!(transport.requests().len(), 1);
}

#[tokio::test]
async fn a_broken_connection_after_sending_is_outcome_unknown() {
    let (client, transport) = client_with(config_builder().max_attempts(1));
    transport.fail(TransportError::outcome_unknown("connection reset by peer"));

    let error = client.get_charge("C1").await.unwrap_err();

    assert!(matches!(error, Error::Transport(_)));
    assert!(error.outcome_unknown());
    // Display does not repeat the source; the chain carries it.
    let source = std::error::Error::source(&error).map(|s| s.to_string());
    assert!(!error.to_string().contains("reset"));
    assert!(source.is_some());
}

#[tokio::test]
async fn a_spent_retry_budget_stops_retries_until_successes_refill_it() {
    // A budget of 10 tokens pays for two retries (5 each), shared by every call of the client.
    let (client, transport) = client_with(
        config_builder().retry_policy(crate::helpers::fast_retries(4).with_retry_budget(10)),
    );
    for _ in 0..3 {
        transport.respond(503, error_json("ServiceUnavailable"));
    }
    transport.respond(503, error_json("ServiceUnavailable"));

    let first = client.get_charge("C1").await.unwrap_err();
    let second = client.get_charge("C1").await.unwrap_err();

    assert_eq!(first.attempts(), 3, "two retries, then the budget is spent");
    assert_eq!(second.attempts(), 1, "no retry without budget");
    assert_eq!(transport.requests().len(), 4);
}
