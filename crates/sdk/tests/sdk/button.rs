//! Button payload signatures.

use amzpay::ButtonSignature;
use amzpay::signing::{Algorithm, verify_button_signature};
use amzpay::types::{CreateCheckoutSessionRequest, WebCheckoutDetailsInput};

use crate::helpers::{client, config_builder, read, shared_vectors_dir, test_public_key, vector};

#[test]
fn the_own_button_payload_is_signed_byte_for_byte_with_both_algorithms() {
    signs_byte_for_byte(&vector("button-payload.json"));
}

#[test]
fn the_shared_button_payload_is_signed_byte_for_byte_with_both_algorithms() {
    if let Some(dir) = shared_vectors_dir() {
        signs_byte_for_byte(&read(&dir.join("button-payload.json")));
    }
}

fn signs_byte_for_byte(payload: &str) {
    let payload = payload.to_owned();
    for algorithm in [Algorithm::AmznPayRsassaPss, Algorithm::AmznPayRsassaPssV2] {
        let config = config_builder().algorithm(algorithm).build().unwrap();

        let button = ButtonSignature::sign_str(&config, payload.clone()).unwrap();

        assert_eq!(button.payload(), payload);
        assert_eq!(button.algorithm(), algorithm);
        assert_eq!(button.public_key_id(), crate::helpers::KEY_ID);
        verify_button_signature(&payload, button.signature(), &test_public_key(), algorithm)
            .expect("the signature verifies");
    }
}

#[test]
fn a_typed_payload_is_serialized_once_and_the_signed_bytes_are_the_page_bytes() {
    let (client, _) = client();
    let payload = CreateCheckoutSessionRequest {
        web_checkout_details: WebCheckoutDetailsInput {
            checkout_review_return_url: Some("https://shop.example/review?x=1&y=\"2\"".into()),
            ..Default::default()
        },
        store_id: "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef".into(),
        ..Default::default()
    };

    let button = client.sign_button_payload(&payload).unwrap();

    assert_eq!(button.payload(), serde_json::to_string(&payload).unwrap());
    let config = button.create_checkout_session_config();
    // What the page hands to checkout.js, once the JSON is parsed, is the signed string.
    let round_trip: serde_json::Value = serde_json::from_str(&config.to_string()).unwrap();
    assert_eq!(round_trip["payloadJSON"].as_str(), Some(button.payload()));
    assert_eq!(round_trip["algorithm"], "AMZN-PAY-RSASSA-PSS-V2");
    verify_button_signature(
        round_trip["payloadJSON"].as_str().unwrap(),
        round_trip["signature"].as_str().unwrap(),
        &test_public_key(),
        Algorithm::AmznPayRsassaPssV2,
    )
    .unwrap();
}
