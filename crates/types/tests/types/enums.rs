//! Wire enums: known values map to variants, unknown values survive a round trip.

use amzpay_types::{
    ApiErrorCode, ChargeInitiator, ChargePermissionState, ChargePermissionType, ChargeState,
    CheckoutSessionState, Currency, ErrorResponse, PaymentIntent, Price, ReasonCode, Refund,
    RefundState, ReleaseEnvironment, Scope,
};

use crate::helpers::assert_round_trip;

#[test]
fn every_known_value_round_trips_through_its_wire_string() {
    fn check<T>(known: &[T])
    where
        T: std::fmt::Debug
            + PartialEq
            + From<String>
            + serde::Serialize
            + serde::de::DeserializeOwned,
        T: AsRef<str>,
    {
        for value in known {
            let json = serde_json::to_string(value).unwrap();
            assert_eq!(json, format!("\"{}\"", value.as_ref()));
            assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value);
            assert_eq!(&T::from(value.as_ref().to_owned()), value);
        }
    }
    check(CheckoutSessionState::KNOWN);
    check(ChargePermissionState::KNOWN);
    check(ChargeState::KNOWN);
    check(RefundState::KNOWN);
    check(ReasonCode::KNOWN);
    check(PaymentIntent::KNOWN);
    check(ChargePermissionType::KNOWN);
    check(ChargeInitiator::KNOWN);
    check(ReleaseEnvironment::KNOWN);
    check(Currency::KNOWN);
    check(Scope::KNOWN);
    check(ApiErrorCode::KNOWN);
}

#[test]
fn wire_names_that_differ_from_variant_names_are_spelled_as_on_the_wire() {
    assert_eq!(ReasonCode::MfaFailed.as_str(), "MFAFailed");
    assert_eq!(
        ApiErrorCode::InvalidApiVersion.as_str(),
        "InvalidAPIVersion"
    );
    assert_eq!(ApiErrorCode::MfaNotCompleted.as_str(), "MFANotCompleted");
    assert_eq!(
        ApiErrorCode::TlsVersionNotSupported.as_str(),
        "TLSVersionNotSupported"
    );
    assert_eq!(ChargeInitiator::Citu.as_str(), "CITU");
    assert_eq!(Scope::PostalCode.as_str(), "postalCode");
    assert_eq!(Currency::Usd.to_string(), "USD");
}

#[test]
fn unknown_values_parse_infallibly_and_are_kept_verbatim() {
    let state: ChargeState = "Frozen".parse().unwrap();

    assert_eq!(state, ChargeState::Unknown("Frozen".into()));
    assert!(state.is_unknown());
    assert_eq!(state.as_str(), "Frozen");
    // Matching is case-sensitive, as on the wire.
    assert_eq!(
        ChargeState::from("captured"),
        ChargeState::Unknown("captured".into())
    );
}

#[test]
fn unknown_enum_values_survive_a_round_trip_inside_a_response() {
    let json = r#"{"refundId":"R","chargeId":"C","creationTimestamp":null,"refundAmount":{"amount":"14.00","currencyCode":"SGD"},"statusDetails":{"state":"RefundPaused","reasonCode":"NewReason","reasonDescription":null,"lastUpdatedTimestamp":null},"softDescriptor":null,"releaseEnvironment":"Staging"}"#;

    let refund = assert_round_trip::<Refund>(json);

    assert_eq!(refund.state(), &RefundState::Unknown("RefundPaused".into()));
    assert_eq!(
        refund.status_details.reason_code,
        Some(ReasonCode::Unknown("NewReason".into()))
    );
    assert_eq!(
        refund.release_environment,
        Some(ReleaseEnvironment::Unknown("Staging".into()))
    );
    assert_eq!(
        refund.refund_amount,
        Some(Price::parse("14", Currency::Unknown("SGD".into())).unwrap())
    );
}

#[test]
fn unknown_error_codes_survive_a_round_trip() {
    let error =
        assert_round_trip::<ErrorResponse>(r#"{"reasonCode":"BrandNewError","message":"m"}"#);

    assert_eq!(
        error.reason_code,
        ApiErrorCode::Unknown("BrandNewError".into())
    );
    assert_eq!(error.to_string(), "BrandNewError: m");
}

#[test]
fn an_error_body_without_a_message_still_parses() {
    let error: ErrorResponse =
        serde_json::from_str(r#"{"reasonCode":"CheckoutSessionCanceled"}"#).unwrap();

    assert_eq!(error.reason_code, ApiErrorCode::CheckoutSessionCanceled);
    assert_eq!(error.message, "");
}

#[test]
fn unknown_currencies_use_their_iso_exponent_or_two() {
    assert_eq!(Currency::from("KRW").exponent(), 0);
    assert_eq!(Currency::from("KWD").exponent(), 3);
    assert_eq!(Currency::from("SGD").exponent(), 2);
}
