//! The completion helper: every outcome of design.md §3, and the recovery paths.

use std::time::Duration;

use amzpay::Error;
use amzpay::completion::{
    CHECKOUT_FAILED, CompletionOutcome, NotCompletedReason, PAYMENT_NOT_SUCCESSFUL, Retention,
};
use amzpay::transport::TransportError;
use amzpay::types::{ChargePermissionType, ChargeState, Currency, Price, ReasonCode};
use serde_json::json;

use crate::helpers::{
    charge_json, client, client_with, config_builder, error_json, session_json, target_of,
};

const SESSION: &str = "d6b6b33b-0b1c-4a1c-9e0f-3c6b8e8b9f10";
const CHARGE: &str = "S01-1234567-1234567-C123456";

fn usd(amount: &str) -> Price {
    Price::parse(amount, Currency::Usd).unwrap()
}

fn completed_session(extra: serde_json::Value) -> String {
    let mut fields = json!({"chargePermissionId": "S01-1234567-1234567", "chargeId": CHARGE});
    if let (Some(map), serde_json::Value::Object(extra)) = (fields.as_object_mut(), extra) {
        map.extend(extra);
    }
    session_json("Completed", fields)
}

fn canceled_session(reason: &str) -> String {
    let mut session: serde_json::Value =
        serde_json::from_str(&session_json("Canceled", json!({}))).unwrap();
    session["statusDetails"]["reasonCode"] = json!(reason);
    session.to_string()
}

fn unwrap_completed(outcome: CompletionOutcome) -> amzpay::completion::Completed {
    match outcome {
        CompletionOutcome::Completed(done) => done,
        other => panic!("expected Completed, got {other:?}"),
    }
}

fn unwrap_not_completed(outcome: CompletionOutcome) -> amzpay::completion::NotCompleted {
    match outcome {
        CompletionOutcome::NotCompleted(failed) => failed,
        other => panic!("expected NotCompleted, got {other:?}"),
    }
}

#[tokio::test]
async fn authorize_with_capture_completes_with_a_captured_charge_and_one_time_retention() {
    // Arrange
    let (client, transport) = client();
    transport.respond(200, completed_session(json!({})));
    transport.respond(200, charge_json(CHARGE, "Captured", "14.00"));

    // Act
    let outcome = client
        .complete_checkout(SESSION, usd("14"), None)
        .await
        .unwrap();

    // Assert
    let done = unwrap_completed(outcome);
    assert_eq!(done.charge_permission_id.as_str(), "S01-1234567-1234567");
    assert_eq!(done.charge_permission_type, ChargePermissionType::OneTime);
    let charge = done.charge.expect("a charge");
    assert_eq!(charge.charge_id.as_str(), CHARGE);
    assert_eq!(charge.state, Some(ChargeState::Captured));
    assert!(!done.authorization_pending);
    assert!(!done.recovered);
    assert!(done.retention.must_persist_buyer_data());
    let Retention::OneTime {
        buyer_data_readable_until,
    } = done.retention
    else {
        panic!()
    };
    assert_eq!(
        buyer_data_readable_until.unwrap().to_string(),
        "20240131T120000Z"
    );
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        target_of(&requests[0].url),
        format!("/v2/checkoutSessions/{SESSION}/complete")
    );
    assert_eq!(
        String::from_utf8_lossy(&requests[0].body),
        r#"{"chargeAmount":{"amount":"14.00","currencyCode":"USD"}}"#
    );
    assert!(requests[0].header("x-amz-pay-idempotency-key").is_some());
    assert_eq!(target_of(&requests[1].url), format!("/v2/charges/{CHARGE}"));
}

#[tokio::test]
async fn a_202_answer_reports_the_authorization_as_pending() {
    let (client, transport) = client();
    transport.respond(202, completed_session(json!({})));
    transport.respond(200, charge_json(CHARGE, "AuthorizationInitiated", "14.00"));

    let done = unwrap_completed(
        client
            .complete_checkout(SESSION, usd("14.00"), None)
            .await
            .unwrap(),
    );

    assert!(done.authorization_pending);
    assert_eq!(
        done.charge.unwrap().state,
        Some(ChargeState::AuthorizationInitiated)
    );
}

#[tokio::test]
async fn confirm_completes_without_a_charge() {
    let (client, transport) = client();
    transport.respond(
        200,
        session_json(
            "Completed",
            json!({"chargePermissionId": "S01-1234567-1234567", "chargeId": null}),
        ),
    );

    let done = unwrap_completed(
        client
            .complete_checkout(SESSION, usd("14.00"), Some(usd("20.00")))
            .await
            .unwrap(),
    );

    assert!(done.charge.is_none());
    assert_eq!(transport.requests().len(), 1, "no charge to read");
    assert_eq!(
        String::from_utf8_lossy(&transport.requests()[0].body),
        r#"{"chargeAmount":{"amount":"14.00","currencyCode":"USD"},"totalOrderAmount":{"amount":"20.00","currencyCode":"USD"}}"#
    );
}

#[tokio::test]
async fn a_setup_only_payment_method_on_file_session_completes_with_an_empty_body() {
    let (client, transport) = client();
    transport.respond(
        200,
        session_json(
            "Completed",
            json!({"chargePermissionId": "BA01-5105180-3221187", "chargeId": null, "chargePermissionType": "PaymentMethodOnFile"}),
        ),
    );

    let done = unwrap_completed(client.complete_checkout(SESSION, None, None).await.unwrap());

    assert_eq!(String::from_utf8_lossy(&transport.requests()[0].body), "{}");
    assert_eq!(done.retention, Retention::PaymentMethodOnFile);
    assert!(!done.retention.must_persist_buyer_data());
    assert_eq!(done.charge_permission_id.as_str(), "BA01-5105180-3221187");
}

#[tokio::test]
async fn a_recurring_session_reports_recurring_retention() {
    let (client, transport) = client();
    transport.respond(
        200,
        session_json("Completed", json!({"chargePermissionId": "S01-1", "chargeId": null, "chargePermissionType": "Recurring"})),
    );

    let done = unwrap_completed(
        client
            .complete_checkout(SESSION, usd("5.00"), None)
            .await
            .unwrap(),
    );

    assert_eq!(done.retention, Retention::Recurring);
}

#[tokio::test]
async fn a_canceled_session_says_why_from_its_status_reason() {
    let cases = [
        ("BuyerCanceled", NotCompletedReason::BuyerCanceled),
        ("Declined", NotCompletedReason::Declined),
        ("Expired", NotCompletedReason::Expired),
        ("AmazonCanceled", NotCompletedReason::AmazonCanceled),
        (
            "SomethingNew",
            NotCompletedReason::Canceled(Some(ReasonCode::Unknown("SomethingNew".into()))),
        ),
    ];
    for (reason_code, expected) in cases {
        let (client, transport) = client();
        transport.respond(422, error_json("CheckoutSessionCanceled"));
        transport.respond(200, canceled_session(reason_code));

        let failed = unwrap_not_completed(
            client
                .complete_checkout(SESSION, usd("14.00"), None)
                .await
                .unwrap(),
        );

        assert_eq!(failed.reason, expected, "{reason_code}");
        assert!(failed.reason.is_buyer_facing());
        assert_eq!(failed.buyer_message, PAYMENT_NOT_SUCCESSFUL);
        assert_eq!(
            failed
                .error
                .as_ref()
                .and_then(|e| e.reason_code())
                .map(|c| c.as_str()),
            Some("CheckoutSessionCanceled")
        );
        assert_eq!(transport.requests().len(), 2);
    }
}

#[tokio::test]
async fn a_canceled_session_whose_reason_cannot_be_read_is_still_not_completed() {
    let (client, transport) = client_with(config_builder().max_attempts(1));
    transport.respond(422, error_json("CheckoutSessionCanceled"));
    transport.respond(503, error_json("ServiceUnavailable"));

    let failed = unwrap_not_completed(
        client
            .complete_checkout(SESSION, usd("14.00"), None)
            .await
            .unwrap(),
    );

    assert_eq!(failed.reason, NotCompletedReason::Canceled(None));
    assert_eq!(failed.buyer_message, PAYMENT_NOT_SUCCESSFUL);
}

#[tokio::test]
async fn an_amount_mismatch_is_not_completed_and_not_blamed_on_the_buyer() {
    let (client, transport) = client();
    transport.respond(409, error_json("AmountMismatch"));

    let failed = unwrap_not_completed(
        client
            .complete_checkout(SESSION, usd("15.00"), None)
            .await
            .unwrap(),
    );

    assert_eq!(failed.reason, NotCompletedReason::AmountMismatch);
    assert!(!failed.reason.is_buyer_facing());
    assert_eq!(failed.buyer_message, CHECKOUT_FAILED);
}

#[tokio::test]
async fn an_unknown_session_is_not_found() {
    let (client, transport) = client();
    transport.respond(404, error_json("ResourceNotFound"));

    let failed = unwrap_not_completed(
        client
            .complete_checkout(SESSION, usd("14.00"), None)
            .await
            .unwrap(),
    );

    assert_eq!(failed.reason, NotCompletedReason::NotFound);
}

#[tokio::test]
async fn a_session_already_completed_for_the_same_amount_is_reported_completed() {
    // The first Complete went through but its answer was lost; this second one is refused.
    let (client, transport) = client();
    transport.respond(422, error_json("InvalidCheckoutSessionStatus"));
    // Amazon no longer returns paymentDetails once the session is completed...
    transport.respond(200, completed_session(json!({"paymentDetails": null})));
    // ...so the amount is checked on the charge ("14" equals "14.00"), read once.
    transport.respond(200, charge_json(CHARGE, "Captured", "14.00"));

    let done = unwrap_completed(
        client
            .complete_checkout(SESSION, usd("14"), None)
            .await
            .unwrap(),
    );

    assert!(done.recovered);
    assert_eq!(done.charge.unwrap().state, Some(ChargeState::Captured));
    let targets: Vec<_> = transport
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, target_of(&r.url)))
        .collect();
    assert_eq!(
        targets,
        [
            format!("POST /v2/checkoutSessions/{SESSION}/complete"),
            format!("GET /v2/checkoutSessions/{SESSION}"),
            format!("GET /v2/charges/{CHARGE}"),
        ]
    );
}

#[tokio::test]
async fn a_session_completed_for_another_amount_is_not_reported_completed() {
    let (client, transport) = client();
    transport.respond(422, error_json("InvalidCheckoutSessionStatus"));
    transport.respond(
        200,
        completed_session(
            json!({"paymentDetails": {"chargeAmount": {"amount": "20.00", "currencyCode": "USD"}}}),
        ),
    );

    let failed = unwrap_not_completed(
        client
            .complete_checkout(SESSION, usd("14.00"), None)
            .await
            .unwrap(),
    );

    assert_eq!(
        failed.reason,
        NotCompletedReason::CompletedWithDifferentAmount {
            actual: usd("20.00")
        }
    );
    assert!(!failed.reason.is_buyer_facing());
}

#[tokio::test]
async fn a_session_still_open_has_not_been_through_the_payment_step() {
    let (client, transport) = client();
    transport.respond(422, error_json("InvalidCheckoutSessionStatus"));
    transport.respond(200, session_json("Open", json!({})));

    let failed = unwrap_not_completed(
        client
            .complete_checkout(SESSION, usd("14.00"), None)
            .await
            .unwrap(),
    );

    assert_eq!(failed.reason, NotCompletedReason::PaymentStepNotDone);
}

#[tokio::test]
async fn a_retried_complete_reuses_its_idempotency_key() {
    let (client, transport) = client();
    transport.respond(503, error_json("ServiceUnavailable"));
    transport.respond(200, completed_session(json!({})));
    transport.respond(200, charge_json(CHARGE, "Captured", "14.00"));

    unwrap_completed(
        client
            .complete_checkout(SESSION, usd("14.00"), None)
            .await
            .unwrap(),
    );

    let requests = transport.requests();
    let key = requests[0].header("x-amz-pay-idempotency-key").unwrap();
    assert_eq!(requests[1].header("x-amz-pay-idempotency-key"), Some(key));
    assert_eq!(key.len(), 32);
}

#[tokio::test(start_paused = true)]
async fn a_complete_whose_answers_are_lost_is_recovered_from_the_session() {
    // Every attempt times out after sending; the session shows it was completed.
    let (client, transport) = client_with(
        config_builder()
            .timeout(Duration::from_millis(500))
            .retry_policy(crate::helpers::fast_retries(2)),
    );
    transport.hang();
    transport.hang();
    transport.respond(
        200,
        completed_session(
            json!({"paymentDetails": {"chargeAmount": {"amount": "14.00", "currencyCode": "USD"}}}),
        ),
    );
    transport.respond(200, charge_json(CHARGE, "Captured", "14.00"));

    let done = unwrap_completed(
        client
            .complete_checkout(SESSION, usd("14.00"), None)
            .await
            .unwrap(),
    );

    assert!(done.recovered);
    assert_eq!(done.charge_permission_id.as_str(), "S01-1234567-1234567");
}

#[tokio::test]
async fn a_lost_answer_on_a_session_still_open_is_reported_as_an_unknown_outcome() {
    let (client, transport) = client_with(config_builder().max_attempts(1));
    transport.fail(TransportError::outcome_unknown("connection reset"));
    transport.respond(200, session_json("Open", json!({})));

    let error = client
        .complete_checkout(SESSION, usd("14.00"), None)
        .await
        .unwrap_err();

    assert!(error.outcome_unknown());
}

#[tokio::test]
async fn a_lost_answer_and_an_unreadable_session_return_the_original_error() {
    let (client, transport) = client_with(config_builder().max_attempts(1));
    transport.fail(TransportError::not_sent("connection refused"));
    transport.fail(TransportError::not_sent("connection refused"));

    let error = client
        .complete_checkout(SESSION, usd("14.00"), None)
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Transport(_)));
    assert!(!error.outcome_unknown());
}

#[tokio::test]
async fn a_merchant_side_error_is_returned_as_an_error() {
    let (client, transport) = client();
    transport.respond(400, error_json("MissingParameterValue"));

    let error = client
        .complete_checkout(SESSION, usd("14.00"), None)
        .await
        .unwrap_err();

    assert_eq!(
        error.reason_code().map(|c| c.as_str()),
        Some("MissingParameterValue")
    );
}

#[tokio::test]
async fn a_charge_that_cannot_be_read_does_not_undo_the_completion() {
    let (client, transport) = client_with(config_builder().max_attempts(1));
    transport.respond(200, completed_session(json!({})));
    transport.respond(500, error_json("InternalServerError"));

    let done = unwrap_completed(
        client
            .complete_checkout(SESSION, usd("14.00"), None)
            .await
            .unwrap(),
    );

    let charge = done.charge.unwrap();
    assert_eq!(charge.charge_id.as_str(), CHARGE);
    assert_eq!(charge.state, None);
}
