//! Each way verification fails produces its own `VerifyError`, saying why.

use amzpay_signing::{
    Algorithm, AuthorizationHeader, ReceivedRequest, SignableRequest, VerifyError, verify,
};

use crate::helpers::{
    COMPLETE_BODY, COMPLETE_HEADERS, COMPLETE_PATH, Wire, complete_request, sign_with_test_key,
    test_keys,
};

/// A correctly signed Complete request as received.
fn signed_wire(algorithm: Algorithm) -> Wire {
    Wire::of(
        &COMPLETE_HEADERS,
        &sign_with_test_key(&complete_request(COMPLETE_BODY), algorithm),
    )
}

/// Parses the authorization header and verifies, as a server would.
fn check(wire: &Wire, body: &[u8]) -> Result<(), VerifyError> {
    let request = wire.apply(ReceivedRequest::new("POST", COMPLETE_PATH).body(body));
    let header = request.authorization()?;
    verify(&request, &header, &test_keys().1).map(|_| ())
}

#[test]
fn a_request_without_authorization_is_reported() {
    let err = check(
        &signed_wire(Algorithm::default()).without("authorization"),
        COMPLETE_BODY,
    )
    .unwrap_err();
    let VerifyError::MissingAuthorization(missing) = &err else {
        panic!("{err:?}")
    };
    assert!(!missing.is_repeated());
    assert_eq!(err.to_string(), "the request has no authorization header");
}

#[test]
fn a_request_with_two_authorization_headers_is_reported() {
    let mut wire = signed_wire(Algorithm::default());
    let authorization = wire
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .cloned()
        .expect("signed");
    wire.headers.push(authorization);
    let err = check(&wire, COMPLETE_BODY).unwrap_err();
    assert!(
        matches!(&err, VerifyError::MissingAuthorization(m) if m.is_repeated()),
        "{err:?}"
    );
}

#[test]
fn an_unknown_algorithm_is_reported_by_name() {
    let wire = signed_wire(Algorithm::default());
    let value = wire
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .expect("signed")
        .1
        .replace("-V2 ", "-V3 ");
    let err = check(&wire.replace("authorization", &value), COMPLETE_BODY).unwrap_err();
    let VerifyError::UnknownAlgorithm(unknown) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(unknown.name(), "AMZN-PAY-RSASSA-PSS-V3");
}

#[test]
fn a_malformed_authorization_header_says_what_is_wrong() {
    let wire = signed_wire(Algorithm::default())
        .replace("authorization", "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId=X");
    let err = check(&wire, COMPLETE_BODY).unwrap_err();
    assert!(
        matches!(err, VerifyError::MalformedAuthorization(_)),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("SignedHeaders= is missing"),
        "{err}"
    );
}

#[test]
fn a_declared_header_missing_from_the_request_is_named() {
    let err = check(
        &signed_wire(Algorithm::default()).without("x-amz-pay-idempotency-key"),
        COMPLETE_BODY,
    )
    .unwrap_err();
    let VerifyError::MissingSignedHeader(missing) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(missing.name(), "x-amz-pay-idempotency-key");
}

#[test]
fn an_unsigned_host_header_is_refused_even_with_a_valid_signature() {
    let request =
        SignableRequest::new("GET", "/v2/charges/C1").header("accept", "application/json");
    let output = sign_with_test_key(&request, Algorithm::default());
    let wire = Wire::of(
        &[
            ("accept", "application/json"),
            ("x-amz-pay-host", "pay-api.amazon.com"),
        ],
        &output,
    );
    let received = wire.apply(ReceivedRequest::new("GET", "/v2/charges/C1"));
    let err = verify(
        &received,
        &received.authorization().expect("parses"),
        &test_keys().1,
    )
    .unwrap_err();
    let VerifyError::RequiredHeaderNotSigned(unsigned) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(unsigned.name(), "x-amz-pay-host");
}

#[test]
fn an_unsigned_date_header_is_refused() {
    let header =
        AuthorizationHeader::new(Algorithm::default(), "K", ["x-amz-pay-host"], vec![1; 256])
            .expect("valid");
    let received = ReceivedRequest::new("GET", "/")
        .header("x-amz-pay-host", "h")
        .header("x-amz-pay-date", "20180524T223710Z");
    let err = verify(&received, &header, &test_keys().1).unwrap_err();
    assert!(
        matches!(&err, VerifyError::RequiredHeaderNotSigned(u) if u.name() == "x-amz-pay-date"),
        "{err:?}"
    );
}

#[test]
fn an_unparseable_date_is_reported_with_its_value() {
    let err = check(
        &signed_wire(Algorithm::default())
            .replace("x-amz-pay-date", "Thu, 24 May 2018 22:37:10 GMT"),
        COMPLETE_BODY,
    )
    .unwrap_err();
    let VerifyError::InvalidDate(invalid) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(invalid.value(), "Thu, 24 May 2018 22:37:10 GMT");
    assert!(
        std::error::Error::source(&err).is_some(),
        "the parse error is the source"
    );
}

#[test]
fn a_tampered_body_is_a_bad_signature_with_the_servers_canonical_request() {
    let err = check(
        &signed_wire(Algorithm::default()),
        br#"{"chargeAmount":{"amount":"1.00","currencyCode":"USD"}}"#,
    )
    .unwrap_err();
    let VerifyError::BadSignature(bad) = &err else {
        panic!("{err:?}")
    };
    let canonical = bad.diagnostics().canonical_request();
    assert!(
        canonical.starts_with(&format!(
            "POST\n{COMPLETE_PATH}\n\naccept:application/json\n"
        )),
        "{canonical}"
    );
    assert!(
        bad.diagnostics()
            .to_string()
            .contains("canonical request:\n  | POST")
    );
    assert!(err.to_string().contains("does not match"), "{err}");
}

#[test]
fn a_signature_with_the_wrong_salt_length_for_its_declared_algorithm_is_bad() {
    let wire = signed_wire(Algorithm::AmznPayRsassaPss);
    let value = wire
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .expect("signed")
        .1
        .replace("-PSS ", "-PSS-V2 ");
    let err = check(&wire.replace("authorization", &value), COMPLETE_BODY).unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature(_)), "{err:?}");
}

#[test]
fn a_truncated_signature_is_bad_not_a_crash() {
    let header = signed_wire(Algorithm::default())
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .expect("signed")
        .1
        .clone();
    let parsed: AuthorizationHeader = header.parse().expect("parses");
    let short = AuthorizationHeader::new(
        parsed.algorithm(),
        parsed.public_key_id(),
        parsed.signed_headers(),
        parsed.signature()[..255].to_vec(),
    )
    .expect("valid");
    let err = check(
        &signed_wire(Algorithm::default()).replace("authorization", &short.to_string()),
        COMPLETE_BODY,
    )
    .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature(_)), "{err:?}");
}
