//! Request bodies: strict on input (unknown fields rejected), sparse on output (no nulls).

use amzpay_types::{
    CancelChargeRequest, CaptureChargeRequest, ChargePermissionId, CloseChargePermissionRequest,
    CompleteCheckoutSessionRequest, CreateChargeRequest, CreateCheckoutSessionRequest,
    CreateDeliveryTrackerRequest, CreateRefundRequest, Currency, DeliveryDetail,
    FinalizeCheckoutSessionRequest, FrequencyInput, FrequencyUnit, PaymentDetailsInput,
    PaymentIntent, Price, RecurringMetadataInput, UpdateChargePermissionRequest,
    UpdateCheckoutSessionRequest, WebCheckoutDetailsInput,
};
use expect_test::{Expect, expect};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::helpers::parse_outcome;

fn usd(amount: &str) -> Price {
    Price::parse(amount, Currency::Usd).unwrap()
}

/// Serializes a request and snapshots its JSON.
fn check_json<T: Serialize>(request: &T, expect: Expect) {
    expect.assert_eq(&serde_json::to_string(request).unwrap());
}

/// Parses a request body and snapshots the re-serialized JSON or the error.
fn check_parse<T: DeserializeOwned + Serialize>(json: &str, expect: Expect) {
    expect.assert_eq(&parse_outcome::<T>(json));
}

#[test]
fn requests_serialize_only_the_fields_that_are_set() {
    check_json(&UpdateCheckoutSessionRequest::default(), expect!["{}"]);
    check_json(&CompleteCheckoutSessionRequest::default(), expect!["{}"]);
    check_json(&UpdateChargePermissionRequest::default(), expect!["{}"]);
    check_json(
        &CompleteCheckoutSessionRequest::new(usd("14")),
        expect![[r#"{"chargeAmount":{"amount":"14.00","currencyCode":"USD"}}"#]],
    );
    check_json(
        &CreateCheckoutSessionRequest {
            store_id: "amzn1.application-oa2-client.000".into(),
            web_checkout_details: WebCheckoutDetailsInput {
                checkout_review_return_url: Some("https://shop.example/review".into()),
                ..Default::default()
            },
            ..Default::default()
        },
        expect![[
            r#"{"webCheckoutDetails":{"checkoutReviewReturnUrl":"https://shop.example/review"},"storeId":"amzn1.application-oa2-client.000"}"#
        ]],
    );
    check_json(
        &UpdateCheckoutSessionRequest {
            payment_details: Some(PaymentDetailsInput {
                payment_intent: Some(PaymentIntent::AuthorizeWithCapture),
                charge_amount: Some(Price::parse("500", Currency::Jpy).unwrap()),
                ..Default::default()
            }),
            recurring_metadata: Some(RecurringMetadataInput {
                frequency: Some(FrequencyInput::new(FrequencyUnit::Month, 1)),
                amount: None,
            }),
            ..Default::default()
        },
        expect![[
            r#"{"paymentDetails":{"paymentIntent":"AuthorizeWithCapture","chargeAmount":{"amount":"500","currencyCode":"JPY"}},"recurringMetadata":{"frequency":{"unit":"Month","value":"1"}}}"#
        ]],
    );
    check_json(
        &FinalizeCheckoutSessionRequest::new(PaymentIntent::Authorize, usd("1.4")),
        expect![[
            r#"{"paymentIntent":"Authorize","chargeAmount":{"amount":"1.40","currencyCode":"USD"}}"#
        ]],
    );
    check_json(
        &CloseChargePermissionRequest::new("No more charges"),
        expect![[r#"{"closureReason":"No more charges"}"#]],
    );
    check_json(
        &CreateChargeRequest {
            capture_now: Some(true),
            ..CreateChargeRequest::new("S01-5105180-3221187".into(), usd("14"))
        },
        expect![[
            r#"{"chargePermissionId":"S01-5105180-3221187","chargeAmount":{"amount":"14.00","currencyCode":"USD"},"captureNow":true}"#
        ]],
    );
    check_json(
        &CaptureChargeRequest::new(usd("14")),
        expect![[r#"{"captureAmount":{"amount":"14.00","currencyCode":"USD"}}"#]],
    );
    check_json(
        &CancelChargeRequest::new("REASON"),
        expect![[r#"{"cancellationReason":"REASON"}"#]],
    );
    check_json(
        &CreateRefundRequest::new("S01-5105180-3221187-C056351".into(), usd("14")),
        expect![[
            r#"{"chargeId":"S01-5105180-3221187-C056351","refundAmount":{"amount":"14.00","currencyCode":"USD"}}"#
        ]],
    );
    check_json(
        &CreateDeliveryTrackerRequest::new(
            ChargePermissionId::from("S01-5105180-3221187"),
            vec![DeliveryDetail::new("1Z999AA10123456784", "UPS")],
        ),
        expect![[
            r#"{"chargePermissionId":"S01-5105180-3221187","deliveryDetails":[{"trackingNumber":"1Z999AA10123456784","carrierCode":"UPS"}]}"#
        ]],
    );
}

#[test]
fn requests_reject_unknown_fields_at_every_level() {
    check_parse::<CompleteCheckoutSessionRequest>(
        r#"{"chargeAmount":{"amount":"14.00","currencyCode":"USD"},"foo":1}"#,
        expect![
            "error: unknown field `foo`, expected `chargeAmount` or `totalOrderAmount` at line 1 column 61"
        ],
    );
    check_parse::<CreateCheckoutSessionRequest>(
        r#"{"storeId":"s","webCheckoutDetails":{"checkoutReviewReturnUrl":"u","amazonPayRedirectUrl":"x"}}"#,
        expect![
            "error: unknown field `amazonPayRedirectUrl`, expected one of `checkoutReviewReturnUrl`, `checkoutResultReturnUrl`, `checkoutCancelUrl`, `checkoutMode` at line 1 column 89"
        ],
    );
    check_parse::<UpdateCheckoutSessionRequest>(
        r#"{"paymentDetail":{}}"#,
        expect![[
            r#"error: unknown field `paymentDetail`, expected one of `webCheckoutDetails`, `paymentDetails`, `merchantMetadata`, `supplementaryData`, `platformId`, `providerMetadata`, `chargePermissionType`, `recurringMetadata`, `multiAddressesCheckoutMetadata` at line 1 column 16"#
        ]],
    );
    check_parse::<CreateChargeRequest>(
        r#"{"chargePermissionId":"S","chargeAmount":{"amount":1,"currencyCode":"USD"},"captureNOW":true}"#,
        expect![[
            r#"error: unknown field `captureNOW`, expected one of `chargePermissionId`, `chargeAmount`, `captureNow`, `softDescriptor`, `canHandlePendingAuthorization`, `merchantMetadata`, `platformId`, `providerMetadata`, `chargeInitiator`, `channel`, `webCheckoutDetails` at line 1 column 87"#
        ]],
    );
    check_parse::<CancelChargeRequest>(
        r#"{"cancellationReason":"r","x":null}"#,
        expect![[r#"error: unknown field `x`, expected `cancellationReason` at line 1 column 29"#]],
    );
    check_parse::<CreateRefundRequest>(
        r#"{"chargeId":"C","refundAmount":{"amount":"1","currencyCode":"USD"},"reason":"r"}"#,
        expect![[
            r#"error: unknown field `reason`, expected one of `chargeId`, `refundAmount`, `softDescriptor` at line 1 column 75"#
        ]],
    );
}

#[test]
fn requests_report_missing_required_fields() {
    check_parse::<CreateChargeRequest>(
        r#"{"chargeAmount":{"amount":"1.00","currencyCode":"USD"}}"#,
        expect![[r#"error: missing field `chargePermissionId` at line 1 column 55"#]],
    );
    check_parse::<CreateCheckoutSessionRequest>(
        r#"{"webCheckoutDetails":{}}"#,
        expect![[r#"error: missing field `storeId` at line 1 column 25"#]],
    );
}

#[test]
fn requests_accept_amounts_as_numbers_and_nulls_for_optional_fields() {
    check_parse::<CompleteCheckoutSessionRequest>(
        r#"{"chargeAmount":{"amount":12.99,"currencyCode":"USD"},"totalOrderAmount":null}"#,
        expect![[r#"{"chargeAmount":{"amount":"12.99","currencyCode":"USD"}}"#]],
    );
    check_parse::<CompleteCheckoutSessionRequest>("{}", expect!["{}"]);
    check_parse::<CreateCheckoutSessionRequest>(
        r#"{"storeId":"s","webCheckoutDetails":{"checkoutReviewReturnUrl":"u"},"chargePermissionType":"Recurring","recurringMetadata":{"frequency":{"unit":"Month","value":1},"amount":{"amount":50,"currencyCode":"USD"}},"scopes":["name","email","primeStatus"]}"#,
        expect![[
            r#"{"webCheckoutDetails":{"checkoutReviewReturnUrl":"u"},"storeId":"s","scopes":["name","email","primeStatus"],"chargePermissionType":"Recurring","recurringMetadata":{"frequency":{"unit":"Month","value":"1"},"amount":{"amount":"50.00","currencyCode":"USD"}}}"#
        ]],
    );
}

#[test]
fn the_node_sdk_create_checkout_session_payload_parses() {
    let json = r#"{
        "webCheckoutDetails": {
            "checkoutReviewReturnUrl": "https://localhost/store/checkout_review",
            "checkoutResultReturnUrl": "https://localhost/store/checkout_result"
        },
        "storeId": "amzn1.application-oa2-client.000000000000000000000000000000000",
        "chargePermissionType": "OneTime",
        "paymentDetails": {
            "paymentIntent": "Authorize",
            "canHandlePendingAuthorization": false,
            "chargeAmount": {"amount": 50, "currencyCode": "USD"},
            "softDescriptor": "Descriptor",
            "presentmentCurrency": "USD"
        },
        "merchantMetadata": {
            "merchantReferenceId": "0000-0000-0000",
            "merchantStoreName": "Test Store",
            "noteToBuyer": "Thank you",
            "customInformation": "custom"
        },
        "deliverySpecifications": {
            "specialRestrictions": ["RestrictPOBoxes"],
            "addressRestrictions": {"type": "Allowed", "restrictions": {"US": {"statesOrRegions": ["WA"]}}}
        }
    }"#;

    let request: CreateCheckoutSessionRequest = serde_json::from_str(json).unwrap();

    let charge_amount = request.payment_details.unwrap().charge_amount.unwrap();
    assert_eq!(charge_amount.amount_string(), "50.00");
}
