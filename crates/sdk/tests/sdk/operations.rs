//! Every operation: method, path, idempotency key, body, and signed headers.

use amzpay::types::{
    CancelChargeRequest, CaptureChargeRequest, CloseChargePermissionRequest,
    CompleteCheckoutSessionRequest, CreateChargeRequest, CreateCheckoutSessionRequest,
    CreateDeliveryTrackerRequest, CreateRefundRequest, Currency, DeliveryDetail,
    FinalizeCheckoutSessionRequest, PaymentIntent, Price, UpdateChargePermissionRequest,
    UpdateCheckoutSessionRequest,
};
use amzpay::{Call, Environment, Region};
use expect_test::{Expect, expect};

use crate::helpers::{assert_signature_verifies, client, client_with, config_builder, target_of};

fn usd(amount: &str) -> Price {
    Price::parse(amount, Currency::Usd).unwrap()
}

/// Sends every operation once and describes each captured request on one line:
/// `METHOD target key=<yes|no> body`.
async fn check_all_operations(expect: Expect) {
    let (client, transport) = client();
    let mut lines = Vec::new();
    macro_rules! send {
        ($call:expr) => {{
            transport.respond(200, "{}");
            let call: Call<'_, serde_json::Value> = $call.into_json();
            call.await.expect("the scripted call succeeds");
            let request = transport.requests().pop().unwrap();
            assert_signature_verifies(&request);
            let key = request
                .header("x-amz-pay-idempotency-key")
                .map_or("no", |k| {
                    assert_eq!(k.len(), 32);
                    "yes"
                });
            lines.push(format!(
                "{} {} key={} {}",
                request.method,
                target_of(&request.url),
                key,
                String::from_utf8_lossy(&request.body)
            ));
        }};
    }
    let session = "d6b6b33b-0b1c-4a1c-9e0f-3c6b8e8b9f10";
    let permission = "S01-1234567-1234567";
    let charge = "S01-1234567-1234567-C123456";
    send!(
        client.create_checkout_session(&CreateCheckoutSessionRequest {
            store_id: "amzn1.application-oa2-client.0123".into(),
            ..Default::default()
        })
    );
    send!(client.get_checkout_session(session));
    send!(client.update_checkout_session(
        session,
        &UpdateCheckoutSessionRequest {
            supplementary_data: Some("x".into()),
            ..Default::default()
        }
    ));
    send!(
        client.complete_checkout_session(session, &CompleteCheckoutSessionRequest::new(usd("14")))
    );
    send!(client.finalize_checkout_session(
        session,
        &FinalizeCheckoutSessionRequest::new(PaymentIntent::Authorize, usd("14.00"))
    ));
    send!(client.get_charge_permission(permission));
    send!(client.update_charge_permission(permission, &UpdateChargePermissionRequest::default()));
    send!(client.close_charge_permission(permission, &CloseChargePermissionRequest::new("done")));
    send!(client.create_charge(&CreateChargeRequest::new(permission.into(), usd("1.50"))));
    send!(client.get_charge(charge));
    send!(client.capture_charge(charge, &CaptureChargeRequest::new(usd("1.50"))));
    send!(client.cancel_charge(charge, &CancelChargeRequest::new("oops")));
    send!(client.create_refund(&CreateRefundRequest::new(charge.into(), usd("0.50"))));
    send!(client.get_refund("S01-1234567-1234567-R123456"));
    send!(client.get_buyer("buyer token/with odd chars"));
    send!(
        client.create_delivery_tracker(&CreateDeliveryTrackerRequest::new(
            permission.into(),
            vec![DeliveryDetail::new("1Z999", "UPS")]
        ))
    );
    expect.assert_eq(&lines.join("\n"));
}

#[tokio::test]
async fn every_operation_sends_its_method_path_key_and_body() {
    check_all_operations(expect![[r#"
        POST /v2/checkoutSessions key=yes {"webCheckoutDetails":{},"storeId":"amzn1.application-oa2-client.0123"}
        GET /v2/checkoutSessions/d6b6b33b-0b1c-4a1c-9e0f-3c6b8e8b9f10 key=no 
        PATCH /v2/checkoutSessions/d6b6b33b-0b1c-4a1c-9e0f-3c6b8e8b9f10 key=no {"supplementaryData":"x"}
        POST /v2/checkoutSessions/d6b6b33b-0b1c-4a1c-9e0f-3c6b8e8b9f10/complete key=yes {"chargeAmount":{"amount":"14.00","currencyCode":"USD"}}
        POST /v2/checkoutSessions/d6b6b33b-0b1c-4a1c-9e0f-3c6b8e8b9f10/finalize key=yes {"paymentIntent":"Authorize","chargeAmount":{"amount":"14.00","currencyCode":"USD"}}
        GET /v2/chargePermissions/S01-1234567-1234567 key=no 
        PATCH /v2/chargePermissions/S01-1234567-1234567 key=no {}
        DELETE /v2/chargePermissions/S01-1234567-1234567/close key=no {"closureReason":"done"}
        POST /v2/charges key=yes {"chargePermissionId":"S01-1234567-1234567","chargeAmount":{"amount":"1.50","currencyCode":"USD"}}
        GET /v2/charges/S01-1234567-1234567-C123456 key=no 
        POST /v2/charges/S01-1234567-1234567-C123456/capture key=yes {"captureAmount":{"amount":"1.50","currencyCode":"USD"}}
        DELETE /v2/charges/S01-1234567-1234567-C123456/cancel key=no {"cancellationReason":"oops"}
        POST /v2/refunds key=yes {"chargeId":"S01-1234567-1234567-C123456","refundAmount":{"amount":"0.50","currencyCode":"USD"}}
        GET /v2/refunds/S01-1234567-1234567-R123456 key=no 
        GET /v2/buyers/buyer%20token%2Fwith%20odd%20chars key=no 
        POST /v2/deliveryTrackers key=no {"chargePermissionId":"S01-1234567-1234567","deliveryDetails":[{"trackingNumber":"1Z999","carrierCode":"UPS"}]}"#]])
    .await;
}

#[tokio::test]
async fn the_fixed_headers_are_signed_and_user_agent_is_sent() {
    let (client, transport) = client();
    transport.respond(200, "{}");

    client.get_charge("C1").into_json().await.unwrap();

    let request = &transport.requests()[0];
    assert_eq!(request.url, "https://pay-api.amazon.com/v2/charges/C1");
    assert_eq!(request.header("x-amz-pay-host"), Some("pay-api.amazon.com"));
    assert_eq!(request.header("x-amz-pay-region"), Some("na"));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert!(
        request
            .header("user-agent")
            .unwrap()
            .starts_with("amzpay-rust/")
    );
    let authorization = request.header("authorization").unwrap();
    assert!(
        authorization.starts_with(
            "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId=SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B, SignedHeaders=accept;content-type;x-amz-pay-date;x-amz-pay-host;x-amz-pay-region, Signature="
        ),
        "{authorization}"
    );
}

#[tokio::test]
async fn simulation_code_and_extra_headers_are_sent_and_signed() {
    let (client, transport) = client();
    transport.respond(200, "{}");

    client
        .get_charge("C1")
        .simulation_code("SoftDeclined")
        .header("X-Amz-Pay-Integrator-Id", "shop-42")
        .into_json()
        .await
        .unwrap();

    let request = &transport.requests()[0];
    assert_eq!(
        request.header("x-amz-pay-simulation-code"),
        Some("SoftDeclined")
    );
    assert_eq!(request.header("x-amz-pay-integrator-id"), Some("shop-42"));
    let authorization = request.header("authorization").unwrap();
    assert!(
        authorization.contains("x-amz-pay-integrator-id;"),
        "{authorization}"
    );
    assert!(
        authorization.contains("x-amz-pay-simulation-code"),
        "{authorization}"
    );
    assert_signature_verifies(request);
}

#[tokio::test]
async fn a_legacy_key_puts_the_environment_in_the_path() {
    let (client, transport) = client_with(
        config_builder()
            .public_key_id("ABCDEF0000000000000")
            .environment(Environment::Live)
            .region(Region::Jp),
    );
    transport.respond(200, "{}");

    client.get_charge("C1").into_json().await.unwrap();

    let request = &transport.requests()[0];
    assert_eq!(request.url, "https://pay-api.amazon.jp/live/v2/charges/C1");
    assert_eq!(request.header("x-amz-pay-region"), Some("jp"));
    assert_signature_verifies(request);
}

#[tokio::test]
async fn an_endpoint_override_is_used_for_the_url_and_the_host_header() {
    let (client, transport) = client_with(
        config_builder()
            .region(Region::Eu)
            .endpoint("https://127.0.0.1:8443")
            .unwrap(),
    );
    transport.respond(200, "{}");

    client.get_charge("C1").into_json().await.unwrap();

    let request = &transport.requests()[0];
    assert_eq!(request.url, "https://127.0.0.1:8443/v2/charges/C1");
    // The official Node.js SDK sends its `overrideServiceUrl` (host:port) as x-amz-pay-host.
    assert_eq!(request.header("x-amz-pay-host"), Some("127.0.0.1:8443"));
    assert_eq!(request.header("x-amz-pay-region"), Some("eu"));
    assert_signature_verifies(request);
}

#[tokio::test]
async fn the_salt_20_algorithm_is_used_when_configured() {
    let (client, transport) =
        client_with(config_builder().algorithm(amzpay::signing::Algorithm::AmznPayRsassaPss));
    transport.respond(200, "{}");

    client.get_charge("C1").into_json().await.unwrap();

    let request = &transport.requests()[0];
    assert!(
        request
            .header("authorization")
            .unwrap()
            .starts_with("AMZN-PAY-RSASSA-PSS PublicKeyId=")
    );
    assert_signature_verifies(request);
}
