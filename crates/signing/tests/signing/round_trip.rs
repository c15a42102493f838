//! Sign then verify with the test key pair, in both key formats and from many threads.

use amzpay_signing::{
    Algorithm, AuthorizationHeader, Diagnostics, PrivateKey, PublicKey, ReceivedRequest,
    SignableRequest, SigningErrorKind, SigningParams, Verified, VerifyError, sign, verify,
};
use time::macros::datetime;

use crate::helpers::{
    COMPLETE_BODY, COMPLETE_HEADERS, COMPLETE_PATH, KEY_ID, VECTOR_TIME, Wire, complete_request,
    openssl, path_str, sign_with_test_key, test_keys, vectors_dir,
};

fn received<'a>(wire: &'a Wire, body: &'a [u8]) -> ReceivedRequest<'a> {
    wire.apply(ReceivedRequest::new("POST", COMPLETE_PATH).body(body))
}

#[test]
fn a_signed_request_verifies_with_both_algorithms() {
    for algorithm in Algorithm::ALL {
        let output = sign_with_test_key(&complete_request(COMPLETE_BODY), algorithm);
        let wire = Wire::of(&COMPLETE_HEADERS, &output);
        let request = received(&wire, COMPLETE_BODY);
        let header = request.authorization().expect("parses");
        assert_eq!(header.algorithm(), algorithm);
        assert_eq!(header.public_key_id(), KEY_ID);
        let verified = verify(&request, &header, &test_keys().1).expect("verifies");
        assert_eq!(verified.date(), VECTOR_TIME);
        assert_eq!(
            verified.diagnostics(),
            &output.diagnostics,
            "both sides computed the same thing"
        );
    }
}

#[test]
fn the_output_has_the_date_and_authorization_headers() {
    let output = sign_with_test_key(
        &complete_request(COMPLETE_BODY),
        Algorithm::AmznPayRsassaPssV2,
    );
    let names: Vec<&str> = output.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["x-amz-pay-date", "authorization"]);
    assert_eq!(output.date(), "20180524T223710Z");
    let header: AuthorizationHeader = output.authorization().parse().expect("parses");
    assert_eq!(
        header.signed_headers(),
        [
            "accept",
            "content-type",
            "x-amz-pay-date",
            "x-amz-pay-host",
            "x-amz-pay-idempotency-key",
            "x-amz-pay-region"
        ]
    );
    assert_eq!(header.signature().len(), 256);
    assert_eq!(
        output.diagnostics.signed_headers(),
        header.signed_headers().join(";")
    );
}

#[test]
fn diagnostics_display_every_line_of_what_was_signed() {
    let output = sign_with_test_key(
        &SignableRequest::new("GET", "/v2/charges/C1"),
        Algorithm::AmznPayRsassaPss,
    );
    let shown = output.diagnostics.to_string();
    let expected_start = "algorithm: AMZN-PAY-RSASSA-PSS\n\
                          signed headers: x-amz-pay-date\n\
                          canonical request:\n  | GET\n  | /v2/charges/C1\n  |\n  | x-amz-pay-date:20180524T223710Z\n  |\n  | x-amz-pay-date\n  | e3b0c442";
    assert!(shown.starts_with(expected_start), "{shown}");
    assert!(
        shown.contains("string to sign:\n  | AMZN-PAY-RSASSA-PSS\n  | "),
        "{shown}"
    );
    assert!(shown.ends_with(output.authorization()), "{shown}");
}

#[test]
fn a_pkcs8_copy_of_the_test_key_signs_identically_verifiable_requests() {
    // Convert with the crate, and independently with the openssl CLI.
    let (private, public) = test_keys();
    let ours = PrivateKey::from_pem(&private.to_pkcs8_pem().expect("exports")).expect("reloads");
    let dir = tempfile::tempdir().expect("temp dir");
    let pkcs8 = path_str(&dir, "pkcs8.pem");
    let source = vectors_dir().join("test-key-private.pem");
    openssl(&[
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-in",
        source.to_str().expect("utf-8"),
        "-out",
        &pkcs8,
    ]);
    let text = std::fs::read_to_string(&pkcs8).expect("reads");
    assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"));
    let theirs = PrivateKey::from_pem(&text).expect("loads PKCS#8");

    for key in [ours, theirs] {
        assert_eq!(key.public_key(), public);
        assert_eq!(key.bits(), 2048);
        let params = SigningParams::new(&key, KEY_ID, VECTOR_TIME);
        let output = sign(&complete_request(COMPLETE_BODY), &params).expect("signs");
        let wire = Wire::of(&COMPLETE_HEADERS, &output);
        let request = received(&wire, COMPLETE_BODY);
        verify(&request, &request.authorization().expect("parses"), public).expect("verifies");
    }
}

#[test]
fn a_generated_key_signs_and_its_exported_public_key_verifies() {
    let key = PrivateKey::generate(2048).expect("generates");
    let public = PublicKey::from_pem(&key.public_key().to_pem()).expect("reloads");
    assert_eq!(&public, key.public_key());
    assert_eq!(public.bits(), 2048);
    let output = sign(
        &complete_request(COMPLETE_BODY),
        &SigningParams::new(&key, "LIVE-X", VECTOR_TIME),
    )
    .expect("signs");
    let wire = Wire::of(&COMPLETE_HEADERS, &output);
    let request = received(&wire, COMPLETE_BODY);
    let header = request.authorization().expect("parses");
    verify(&request, &header, &public).expect("verifies");
    assert!(matches!(
        verify(&request, &header, &test_keys().1),
        Err(VerifyError::BadSignature(_))
    ));
}

#[test]
fn query_strings_verify_however_the_client_encoded_them() {
    let request = SignableRequest::new("GET", "/v2/reports")
        .query_param(
            "reportTypes",
            "_GET_FLAT_FILE_OFFAMAZONPAYMENTS_ORDER_REFERENCE_DATA_",
        )
        .query_param("createdSince", "20240101T000000Z")
        .query_param("note", "a b*c~")
        .header("x-amz-pay-host", "pay-api.amazon.com");
    let output = sign_with_test_key(&request, Algorithm::AmznPayRsassaPssV2);
    let wire = Wire::of(&[("x-amz-pay-host", "pay-api.amazon.com")], &output);
    // Our canonical form, a Node-style encodeURIComponent form, and lower-case hex in another order.
    for raw in [
        request.canonical_query().as_str().to_owned(),
        "reportTypes=_GET_FLAT_FILE_OFFAMAZONPAYMENTS_ORDER_REFERENCE_DATA_&createdSince=20240101T000000Z&note=a%20b*c~".to_owned(),
        "note=a%20b%2ac%7e&createdSince=20240101T000000Z&reportTypes=_GET_FLAT_FILE_OFFAMAZONPAYMENTS_ORDER_REFERENCE_DATA_".to_owned(),
    ] {
        let target = format!("/v2/reports?{raw}");
        let received = wire.apply(ReceivedRequest::from_target("GET", &target));
        verify(&received, &received.authorization().expect("parses"), &test_keys().1)
            .unwrap_or_else(|e| panic!("{raw}: {e}"));
    }
}

#[test]
fn repeated_and_oddly_spaced_headers_verify() {
    let request = SignableRequest::new("POST", "/v2/charges")
        .header("x-amz-pay-host", "pay-api.amazon.com")
        .header("x-custom", "a")
        .header("X-Custom", "b  c")
        .body(b"{}");
    let output = sign_with_test_key(&request, Algorithm::AmznPayRsassaPss);
    assert!(
        output
            .diagnostics
            .canonical_request()
            .contains("\nx-custom:a,b c\n")
    );
    let received = ReceivedRequest::new("POST", "/v2/charges")
        .header("X-Amz-Pay-Host", " pay-api.amazon.com ")
        .header("x-custom", "a")
        .header("x-amz-pay-date", output.date())
        .header("x-custom", "b \t c")
        .header("authorization", output.authorization())
        .body(b"{}");
    verify(
        &received,
        &received.authorization().expect("parses"),
        &test_keys().1,
    )
    .expect("verifies");
}

#[test]
fn node_style_requests_with_extended_dates_and_uncollapsed_values_verify() {
    // The Node.js SDK signs `2018-05-24T22:37:10Z` and values as they are. Build its canonical
    // request by hand and sign its string to sign (a button signature of the canonical request is
    // exactly that).
    let user_agent = "amazon-pay-api-sdk-nodejs/2.3.3  (JS/v20.1.0; linux)";
    let canonical = "GET\n/v2/checkoutSessions/abc\n\n\
                     user-agent:amazon-pay-api-sdk-nodejs/2.3.3  (JS/v20.1.0; linux)\n\
                     x-amz-pay-date:2018-05-24T22:37:10Z\nx-amz-pay-host:pay-api.amazon.com\n\n\
                     user-agent;x-amz-pay-date;x-amz-pay-host\n\
                     e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let algorithm = Algorithm::AmznPayRsassaPss;
    let signature =
        amzpay_signing::sign_button_payload(canonical, &test_keys().0, algorithm).expect("signs");
    let header = format!(
        "{algorithm} PublicKeyId={KEY_ID}, SignedHeaders=user-agent;x-amz-pay-date;x-amz-pay-host, Signature={signature}"
    );
    let received = ReceivedRequest::new("GET", "/v2/checkoutSessions/abc")
        .header("user-agent", user_agent)
        .header("x-amz-pay-date", "2018-05-24T22:37:10Z")
        .header("x-amz-pay-host", "pay-api.amazon.com")
        .header("authorization", &header);
    let verified: Verified = verify(
        &received,
        &received.authorization().expect("parses"),
        &test_keys().1,
    )
    .expect("verifies");
    assert_eq!(verified.date(), datetime!(2018-05-24 22:37:10 UTC));
    assert_eq!(verified.diagnostics().canonical_request(), canonical);
}

#[test]
fn a_trailing_slash_is_part_of_the_signed_path() {
    let output = sign_with_test_key(
        &SignableRequest::new("GET", "/v2/refunds/R1/").header("x-amz-pay-host", "h"),
        Algorithm::AmznPayRsassaPssV2,
    );
    let wire = Wire::of(&[("x-amz-pay-host", "h")], &output);
    let with_slash = wire.apply(ReceivedRequest::new("GET", "/v2/refunds/R1/"));
    let header = with_slash.authorization().expect("parses");
    verify(&with_slash, &header, &test_keys().1).expect("verifies as received");
    let without = wire.apply(ReceivedRequest::new("GET", "/v2/refunds/R1"));
    assert!(matches!(
        verify(&without, &header, &test_keys().1),
        Err(VerifyError::BadSignature(_))
    ));
}

#[test]
fn one_key_verifies_on_many_threads_at_once() {
    let output = sign_with_test_key(
        &complete_request(COMPLETE_BODY),
        Algorithm::AmznPayRsassaPssV2,
    );
    let wire = Wire::of(&COMPLETE_HEADERS, &output);
    let public = test_keys().1.clone();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                let request = received(&wire, COMPLETE_BODY);
                let header = request.authorization().expect("parses");
                for _ in 0..50 {
                    verify(&request, &header, &public).expect("verifies");
                }
                let tampered = received(&wire, b"{}");
                assert!(verify(&tampered, &header, &public).is_err());
            });
        }
    });
}

#[test]
fn the_signer_refuses_what_it_cannot_sign() {
    let key = &test_keys().0;
    let params = SigningParams::new(key, KEY_ID, VECTOR_TIME);
    let cases = [
        (
            SignableRequest::new("GE T", "/"),
            params,
            SigningErrorKind::InvalidMethod,
        ),
        (
            SignableRequest::new("GET", "/").header("x-amz-pay-date", "x"),
            params,
            SigningErrorKind::ReservedHeader,
        ),
        (
            SignableRequest::new("GET", "/").header("Authorization", "x"),
            params,
            SigningErrorKind::ReservedHeader,
        ),
        (
            SignableRequest::new("GET", "/").header("bad name", "x"),
            params,
            SigningErrorKind::InvalidHeader,
        ),
        (
            SignableRequest::new("GET", "/").header("x-a", "1\r\nx-b: 2"),
            params,
            SigningErrorKind::InvalidHeader,
        ),
        (
            SignableRequest::new("GET", "/"),
            SigningParams::new(key, "", VECTOR_TIME),
            SigningErrorKind::InvalidPublicKeyId,
        ),
        (
            SignableRequest::new("GET", "/"),
            SigningParams::new(key, "A B", VECTOR_TIME),
            SigningErrorKind::InvalidPublicKeyId,
        ),
        (
            SignableRequest::new("GET", "/"),
            SigningParams::new(key, KEY_ID, datetime!(-0001-01-01 00:00 UTC)),
            SigningErrorKind::InvalidTime,
        ),
    ];
    for (request, params, kind) in cases {
        let err = sign(&request, &params).expect_err("refused");
        assert_eq!(err.kind(), kind, "{err}");
    }
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PrivateKey>();
    assert_send_sync::<PublicKey>();
    assert_send_sync::<AuthorizationHeader>();
    assert_send_sync::<Diagnostics>();
    assert_send_sync::<Verified>();
    assert_send_sync::<VerifyError>();
    assert_send_sync::<amzpay_signing::SigningError>();
    assert_send_sync::<amzpay_signing::KeyError>();
    assert_send_sync::<amzpay_signing::SigningOutput>();
    assert_send_sync::<SigningParams<'static>>();
    assert_send_sync::<SignableRequest<'static>>();
    assert_send_sync::<ReceivedRequest<'static>>();
}
