//! Errors: API errors keep everything worth acting on; other failures stay distinct.

use amzpay::Error;
use amzpay::transport::HttpResponse;
use amzpay::types::ApiErrorCode;

use crate::helpers::{charge_json, client, client_with, config_builder, error_json};

#[tokio::test]
async fn an_api_error_carries_status_reason_message_request_id_and_attempts() {
    let (client, transport) = client();
    transport.respond(422, error_json("InvalidChargeStatus"));

    let error = client.get_charge("C1").await.unwrap_err();

    let api = error.as_api().expect("an API error");
    assert_eq!(api.status(), 422);
    assert_eq!(api.reason_code(), Some(&ApiErrorCode::InvalidChargeStatus));
    assert_eq!(api.message(), Some("InvalidChargeStatus happened"));
    assert_eq!(api.request_id(), Some("req-1"));
    assert_eq!(api.attempts(), 1);
    assert_eq!(
        error.to_string(),
        "Amazon Pay answered HTTP 422 InvalidChargeStatus: InvalidChargeStatus happened (request id req-1)"
    );
}

#[tokio::test]
async fn an_unknown_reason_code_is_kept_verbatim() {
    let (client, transport) = client();
    transport.respond(422, error_json("SomethingAmazonAddsTomorrow"));

    let error = client.get_charge("C1").await.unwrap_err();

    assert_eq!(
        error.reason_code(),
        Some(&ApiErrorCode::Unknown("SomethingAmazonAddsTomorrow".into()))
    );
}

#[tokio::test]
async fn a_non_json_error_page_is_kept_as_the_raw_body() {
    let (client, transport) = client_with(config_builder().max_attempts(1));
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    transport.respond_with(HttpResponse::new(
        502,
        [("content-type", "text/html")],
        page,
    ));

    let error = client.get_charge("C1").await.unwrap_err();

    let api = error.as_api().expect("an API error");
    assert_eq!(api.status(), 502);
    assert_eq!(api.reason_code(), None);
    assert_eq!(api.message(), None);
    assert_eq!(api.body(), page.as_bytes());
    assert!(
        error.to_string().contains("non-JSON body: <html>"),
        "{error}"
    );
}

#[tokio::test]
async fn a_success_body_that_does_not_decode_is_a_decode_error_with_the_body() {
    let (client, transport) = client();
    transport.respond(200, r#"{"chargeId": 42}"#);

    let error = client.get_charge("C1").await.unwrap_err();

    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}")
    };
    assert_eq!(decode.status(), 200);
    assert_eq!(decode.request_id(), Some("req-1"));
    assert_eq!(decode.body(), br#"{"chargeId": 42}"#);
    assert!(std::error::Error::source(&error).is_some());
}

#[tokio::test]
async fn a_success_response_exposes_request_id_attempts_status_and_duration() {
    let (client, transport) = client();
    transport.respond(200, charge_json("C1", "Captured", "10.00"));

    let response = client.get_charge("C1").await.unwrap();

    assert_eq!(response.request_id(), Some("req-1"));
    assert_eq!(response.attempts(), 1);
    assert_eq!(response.status(), 200);
    assert!(response.duration() < std::time::Duration::from_secs(10));
    assert_eq!(response.charge_id.as_str(), "C1");
}

#[tokio::test]
async fn an_invalid_idempotency_key_is_refused_before_anything_is_sent() {
    let (client, transport) = client();
    let body = amzpay::types::CaptureChargeRequest::new(
        amzpay::types::Price::parse("1.00", amzpay::types::Currency::Usd).unwrap(),
    );

    let error = client
        .capture_charge("C1", &body)
        .idempotency_key("has spaces")
        .await
        .unwrap_err();

    assert!(matches!(error, Error::InvalidRequest(_)));
    assert_eq!(error.attempts(), 0);
    assert!(transport.requests().is_empty());
}

#[tokio::test]
async fn raw_json_output_keeps_fields_the_models_do_not_know() {
    let (client, transport) = client();
    transport.respond(200, r#"{"chargeId":"C1","brandNewField":[1,2,3]}"#);

    let response = client.get_charge("C1").into_json().await.unwrap();

    assert_eq!(response["brandNewField"], serde_json::json!([1, 2, 3]));
}
