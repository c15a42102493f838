//! Every sample object of the spec and design.md deserializes and re-serializes unchanged, and full
//! responses are written in the documented key order.

use amzpay_types::{
    Charge, ChargePermission, ChargePermissionStatusDetails, CheckoutSession, Constraint,
    DeliverySpecifications, ErrorResponse, PaymentDetails, RecurringMetadata, Refund,
};
use amzpay_types::{
    ChargePermissionState, ChargePermissionType, ChargeState, CheckoutSessionState, ConstraintId,
    Currency, FrequencyUnit, PaymentIntent, Price, ReasonCode, RefundState, ReleaseEnvironment,
};

use crate::helpers::{
    assert_round_trip, assert_round_trip_in_order, keys, keys_of_text, reserialize,
};

/// design.md §3: the Complete response Amazon documents for a `PaymentMethodOnFile` session.
const COMPLETE_RESPONSE: &str = r#"{
    "checkoutSessionId": "bd504926-f659-4ad7-a1a9-9a747aaf5275",
    "webCheckoutDetails": null,
    "productType": null,
    "paymentDetails": null,
    "chargePermissionType": "PaymentMethodOnFile",
    "orderType": null,
    "recurringMetadata": null,
    "paymentMethodOnFileMetadata": null,
    "merchantDetails": null,
    "merchantMetadata": null,
    "supplementaryData": null,
    "buyer": null,
    "billingAddress": null,
    "paymentPreferences": null,
    "statusDetails": {
        "state": "Completed",
        "reasonCode": null,
        "reasonDescription": null,
        "lastUpdatedTimestamp": "20191015T204327Z"
    },
    "shippingAddress": null,
    "platformId": null,
    "chargePermissionId": "BA01-5105180-3221187",
    "chargeId": null,
    "constraints": null,
    "creationTimestamp": "20191015T204313Z",
    "expirationTimestamp": null,
    "storeId": null,
    "providerMetadata": null,
    "releaseEnvironment": null,
    "checkoutButtonText": null,
    "deliverySpecifications": null,
    "tokens": null
}"#;

/// Spec §2.3: the SDK-dotnet GA sample (an Open session after the buyer returned), completed with
/// plausible values for the parts the spec trims.
const OPEN_SESSION: &str = r#"{
    "checkoutSessionId": "7efe55c3-38c7-4a1b-944d-aded27032b9a",
    "webCheckoutDetails": {
        "checkoutReviewReturnUrl": "https://example.com/review",
        "checkoutResultReturnUrl": "https://example.com/result",
        "checkoutCancelUrl": null,
        "amazonPayRedirectUrl": "https://apay-us.amazon.com/checkout/processing?amazonCheckoutSessionId=7efe55c3-38c7-4a1b-944d-aded27032b9a",
        "checkoutMode": null
    },
    "productType": "PayAndShip",
    "paymentDetails": {
        "paymentIntent": "Authorize",
        "canHandlePendingAuthorization": false,
        "chargeAmount": {"amount": "1.40", "currencyCode": "USD"},
        "totalOrderAmount": null,
        "softDescriptor": null,
        "presentmentCurrency": "USD",
        "allowOvercharge": null,
        "extendExpiration": null
    },
    "chargePermissionType": "OneTime",
    "orderType": null,
    "recurringMetadata": null,
    "paymentMethodOnFileMetadata": null,
    "merchantDetails": null,
    "merchantMetadata": {
        "merchantReferenceId": "Merchant reference ID",
        "merchantStoreName": "Merchant store name",
        "noteToBuyer": "Note to buyer",
        "customInformation": "Custom information"
    },
    "supplementaryData": null,
    "buyer": {
        "buyerId": "amzn1.account.AH3ZKBWZTJ2BCMEEADZFVTKBCDUA",
        "name": "Test Buyer SBX",
        "email": "testbuyer@example.com",
        "phoneNumber": "1234567890",
        "primeMembershipTypes": null
    },
    "billingAddress": {
        "name": "Test Buyer SBX",
        "addressLine1": "440 Terry Ave N",
        "addressLine2": null,
        "addressLine3": null,
        "city": "Seattle",
        "county": null,
        "district": null,
        "stateOrRegion": "WA",
        "postalCode": "98109",
        "countryCode": "US",
        "phoneNumber": "1234567890"
    },
    "paymentPreferences": [{"paymentDescriptor": "Your selected Amazon payment method"}],
    "statusDetails": {
        "state": "Open",
        "reasonCode": null,
        "reasonDescription": null,
        "lastUpdatedTimestamp": "20201023T211909Z"
    },
    "shippingAddress": {
        "name": "Test Buyer SBX",
        "addressLine1": "440 Terry Ave N",
        "addressLine2": null,
        "addressLine3": null,
        "city": "Seattle",
        "county": null,
        "district": null,
        "stateOrRegion": "WA",
        "postalCode": "98109",
        "countryCode": "US",
        "phoneNumber": "1234567890"
    },
    "platformId": null,
    "chargePermissionId": null,
    "chargeId": null,
    "constraints": [],
    "creationTimestamp": "20201023T211909Z",
    "expirationTimestamp": "20201024T211909Z",
    "storeId": "amzn1.application-oa2-client.8b5e45312b5248b69eeaa8b5c5d1f3a1",
    "providerMetadata": {"providerReferenceId": null},
    "releaseEnvironment": "Sandbox",
    "checkoutButtonText": null,
    "deliverySpecifications": null,
    "tokens": null
}"#;

/// Spec §2.14: the GA Charge Permission sample (SDK-dotnet test), with the elided values filled in.
const GA_CHARGE_PERMISSION: &str = r#"{"chargePermissionId":"S00-0000000-0000000","amazonPayToken":"000000000000AMZN","chargePermissionReferenceId":null,"platformId":null,"buyer":{"name":"Test Buyer SBX","email":"testbuyer@example.com","buyerId":"amzn1.account.AAAAAAAAAAAAAAAAAAAAAAAAAAAA","primeMembershipTypes":null,"phoneNumber":"1234567890"},"shippingAddress":null,"billingAddress":{"name":"Test Buyer SBX","addressLine1":"440 Terry Ave N","addressLine2":null,"addressLine3":null,"city":"Seattle","county":null,"district":null,"stateOrRegion":"WA","postalCode":"98109","countryCode":"US","phoneNumber":"1234567890"},"paymentPreferences":[{"paymentDescriptor":null}],"statusDetails":{"state":"Chargeable","reasons":null,"lastUpdatedTimestamp":"20211215T152829Z"},"creationTimestamp":"20211215T152829Z","expirationTimestamp":null,"merchantMetadata":{"merchantReferenceId":"Order-1","merchantStoreName":"Store","noteToBuyer":null,"customInformation":null},"releaseEnvironment":"Sandbox","limits":{"amountLimit":null,"amountBalance":null},"chargePermissionType":"OneTime","recurringMetadata":{"frequency":null,"amount":null},"presentmentCurrency":"USD"}"#;

/// Spec §2.16: the Refund sample.
const REFUND: &str = r#"{"refundId":"S01-5105180-3221187-R022311","chargeId":"S01-5105180-3221187-C056351","refundAmount":{"amount":"14.00","currencyCode":"USD"},"softDescriptor":"Descriptor","creationTimestamp":"20190714T155300Z","statusDetails":{"state":"RefundInitiated","reasonCode":null,"reasonDescription":null,"lastUpdatedTimestamp":"20190714T155300Z"},"releaseEnvironment":"Sandbox"}"#;

/// Spec §2.15: a Charge with every documented key.
const CHARGE: &str = r#"{
    "chargeId": "S01-5105180-3221187-C056351",
    "chargeAmount": {"amount": "14.00", "currencyCode": "USD"},
    "chargePermissionId": "S01-5105180-3221187",
    "captureAmount": {"amount": "14.00", "currencyCode": "USD"},
    "refundedAmount": {"amount": "0.00", "currencyCode": "USD"},
    "softDescriptor": "Descriptor",
    "providerMetadata": {"providerReferenceId": null},
    "convertedAmount": {"amount": "12.34", "currencyCode": "EUR"},
    "conversionRate": "1.1345",
    "channel": "Web",
    "chargeInitiator": "CITU",
    "statusDetails": {
        "state": "Captured",
        "reasonCode": null,
        "reasonDescription": null,
        "lastUpdatedTimestamp": "20190714T155300Z"
    },
    "creationTimestamp": "20190714T155300Z",
    "expirationTimestamp": "20190813T155300Z",
    "releaseEnvironment": "Sandbox",
    "merchantMetadata": {
        "merchantReferenceId": "Order-1",
        "merchantStoreName": null,
        "noteToBuyer": null,
        "customInformation": null
    },
    "platformId": null,
    "webCheckoutDetails": null
}"#;

#[test]
fn the_complete_response_of_design_section_3_round_trips_in_key_order() {
    // Arrange: the sample lists every key in the documented order.
    assert_eq!(keys_of_text(COMPLETE_RESPONSE), CheckoutSession::KEYS);

    // Act
    let session =
        assert_round_trip_in_order::<CheckoutSession>(COMPLETE_RESPONSE, CheckoutSession::KEYS);

    // Assert
    assert_eq!(session.state(), &CheckoutSessionState::Completed);
    assert_eq!(
        session.charge_permission_type,
        Some(ChargePermissionType::PaymentMethodOnFile)
    );
    assert_eq!(
        session.charge_permission_id.unwrap().as_str(),
        "BA01-5105180-3221187"
    );
    assert_eq!(session.charge_id, None);
    assert_eq!(
        session.creation_timestamp.unwrap().to_string(),
        "20191015T204313Z"
    );
}

#[test]
fn the_open_session_sample_of_section_2_3_round_trips_in_key_order() {
    let session =
        assert_round_trip_in_order::<CheckoutSession>(OPEN_SESSION, CheckoutSession::KEYS);

    assert_eq!(session.constraints, Some(vec![]));
    assert!(
        session
            .amazon_pay_redirect_url()
            .unwrap()
            .starts_with("https://apay-us.amazon.com/")
    );
    let payment = session.payment_details.unwrap();
    assert_eq!(payment.payment_intent, Some(PaymentIntent::Authorize));
    assert_eq!(
        payment.charge_amount,
        Some(Price::from_minor_units(140, Currency::Usd).unwrap())
    );
}

#[test]
fn the_payment_details_of_the_ga_sample_round_trip() {
    let details = assert_round_trip::<PaymentDetails>(
        r#"{"paymentIntent":"Authorize","canHandlePendingAuthorization":false,"chargeAmount":{"amount":"1.40","currencyCode":"USD"},"totalOrderAmount":null,"softDescriptor":null,"presentmentCurrency":"USD","allowOvercharge":null,"extendExpiration":null}"#,
    );
    assert_eq!(details.presentment_currency, Some(Currency::Usd));
}

#[test]
fn an_empty_checkout_session_serializes_every_key_as_null_in_order() {
    let session = CheckoutSession::new(
        "7efe55c3-38c7-4a1b-944d-aded27032b9a".into(),
        amzpay_types::StatusDetails::new(
            CheckoutSessionState::Open,
            "20201023T211909Z".parse().unwrap(),
        ),
    );

    let written = serde_json::to_value(&session).unwrap();

    assert_eq!(keys(&written), CheckoutSession::KEYS);
    let nulls = written
        .as_object()
        .unwrap()
        .values()
        .filter(|v| v.is_null())
        .count();
    assert_eq!(nulls, CheckoutSession::KEYS.len() - 2);
}

#[test]
fn the_ga_charge_permission_sample_round_trips_with_payment_method_on_file_metadata_appended() {
    // Arrange: the sample's order is ours minus `paymentMethodOnFileMetadata`, which it lacks.
    let sample_keys = keys_of_text(GA_CHARGE_PERMISSION);
    assert_eq!(
        sample_keys,
        ChargePermission::KEYS[..ChargePermission::KEYS.len() - 1]
    );

    // Act
    let (permission, written) = reserialize::<ChargePermission>(GA_CHARGE_PERMISSION);

    // Assert
    let mut expected: serde_json::Value = serde_json::from_str(GA_CHARGE_PERMISSION).unwrap();
    expected["paymentMethodOnFileMetadata"] = serde_json::Value::Null;
    assert_eq!(written, expected);
    assert_eq!(keys(&written), ChargePermission::KEYS);
    assert_eq!(permission.state(), &ChargePermissionState::Chargeable);
    assert_eq!(permission.expiration_timestamp, None);
    assert_eq!(
        permission.amazon_pay_token.as_deref(),
        Some("000000000000AMZN")
    );
    assert_eq!(
        permission.recurring_metadata,
        Some(RecurringMetadata::default())
    );
}

#[test]
fn the_refund_sample_round_trips_and_is_written_in_the_documented_order() {
    let refund = assert_round_trip_in_order::<Refund>(REFUND, Refund::KEYS);

    assert_eq!(refund.state(), &RefundState::RefundInitiated);
    assert_eq!(refund.refund_amount.unwrap().minor_units(), 1400);
}

#[test]
fn a_charge_with_every_documented_key_round_trips_in_order() {
    assert_eq!(keys_of_text(CHARGE), Charge::KEYS);

    let charge = assert_round_trip_in_order::<Charge>(CHARGE, Charge::KEYS);

    assert_eq!(charge.state(), &ChargeState::Captured);
    assert_eq!(charge.conversion_rate.as_deref(), Some("1.1345"));
}

#[test]
fn a_numeric_conversion_rate_is_kept_exactly_and_written_as_a_string() {
    let json = CHARGE.replace(
        r#""conversionRate": "1.1345""#,
        r#""conversionRate": 1.13450000000000000001"#,
    );

    let (charge, written) = reserialize::<Charge>(&json);

    assert_eq!(
        charge.conversion_rate.as_deref(),
        Some("1.13450000000000000001")
    );
    assert_eq!(written["conversionRate"], "1.13450000000000000001");
}

#[test]
fn the_charge_permission_reasons_example_of_section_2_7_round_trips() {
    let json = r#"{"state":"NonChargeable","reasons":[{"reasonCode":"ChargeInProgress","reasonDescription":"A charge is already in progress. You cannot initiate a new charge unless previous charge is canceled."}]}"#;

    let status: ChargePermissionStatusDetails = serde_json::from_str(json).unwrap();
    let written = serde_json::to_value(&status).unwrap();

    assert_eq!(status.state, ChargePermissionState::NonChargeable);
    assert_eq!(
        status.reasons.as_ref().unwrap()[0].reason_code,
        ReasonCode::ChargeInProgress
    );
    // The example has no `lastUpdatedTimestamp`; it is written as null.
    let mut expected: serde_json::Value = serde_json::from_str(json).unwrap();
    expected["lastUpdatedTimestamp"] = serde_json::Value::Null;
    assert_eq!(written, expected);
}

#[test]
fn the_constraints_of_a_fresh_session_round_trip() {
    let json = r#"[
        {"constraintId":"BuyerNotAssociated","description":"There is no buyer associated with the Checkout Session. Return the checkout session id to the Amazon Pay Button to allow buyer to login."},
        {"constraintId":"ChargeAmountNotSet","description":"chargeAmount is not set."},
        {"constraintId":"CheckoutResultReturnUrlNotSet","description":"checkoutResultReturnUrl is not set."},
        {"constraintId":"PaymentIntentNotSet","description":"paymentIntent is not set."}
    ]"#;

    let constraints = assert_round_trip::<Vec<Constraint>>(json);

    let ids: Vec<_> = constraints.into_iter().map(|c| c.constraint_id).collect();
    assert_eq!(
        ids,
        [
            ConstraintId::BuyerNotAssociated,
            ConstraintId::ChargeAmountNotSet,
            ConstraintId::CheckoutResultReturnUrlNotSet,
            ConstraintId::PaymentIntentNotSet,
        ]
    );
}

#[test]
fn recurring_metadata_reads_the_frequency_value_as_string_or_integer_and_writes_a_string() {
    let as_string = r#"{"frequency":{"unit":"Month","value":"1"},"amount":{"amount":"9.99","currencyCode":"USD"}}"#;
    let as_integer = r#"{"frequency":{"unit":"Month","value":1},"amount":{"amount":"9.99","currencyCode":"USD"}}"#;

    let from_string = assert_round_trip::<RecurringMetadata>(as_string);
    let from_integer: RecurringMetadata = serde_json::from_str(as_integer).unwrap();

    assert_eq!(from_string, from_integer);
    assert_eq!(
        from_integer.frequency,
        Some(amzpay_types::Frequency::new(FrequencyUnit::Month, 1))
    );
    assert_eq!(serde_json::to_string(&from_integer).unwrap(), as_string);
}

#[test]
fn the_delivery_specifications_example_round_trips() {
    let json = r#"{"specialRestrictions":["RestrictPOBoxes"],"addressRestrictions":{"type":"Allowed","restrictions":{"US":{"statesOrRegions":["WA"],"zipCodes":["95050","93405"]},"GB":{"zipCodes":["72046","72047"]}}}}"#;

    let specs = assert_round_trip::<DeliverySpecifications>(json);

    assert_eq!(
        specs
            .address_restrictions
            .unwrap()
            .restrictions
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn the_error_body_of_section_5_round_trips() {
    let json = r#"{"reasonCode":"InvalidParameterValue","message":"The value provided for [Parameter] is invalid."}"#;

    let error = assert_round_trip::<ErrorResponse>(json);

    assert_eq!(
        error.reason_code,
        amzpay_types::ApiErrorCode::InvalidParameterValue
    );
}

#[test]
fn responses_ignore_unknown_fields() {
    let json = REFUND.replace(
        r#""releaseEnvironment":"Sandbox""#,
        r#""releaseEnvironment":"Sandbox","newField":{"x":1}"#,
    );

    let refund: Refund = serde_json::from_str(&json).unwrap();

    assert_eq!(
        refund.release_environment,
        Some(ReleaseEnvironment::Sandbox)
    );
}

#[test]
fn a_get_buyer_response_round_trips() {
    let json = r#"{"buyerId":"amzn1.account.AH3ZKBWZTJ2BCMEEADZFVTKBCDUA","name":"Test Buyer","email":"buyer@example.com","postalCode":"98109","countryCode":"US","phoneNumber":null,"shippingAddress":null,"billingAddress":null,"primeMembershipTypes":[]}"#;

    let buyer = assert_round_trip::<amzpay_types::Buyer>(json);

    assert_eq!(buyer.prime_membership_types, Some(vec![]));
}
