//! The authorization header the signer writes is exactly spec §6.4's format.

use amzpay_signing::{Algorithm, AuthorizationHeader};

use crate::helpers::{COMPLETE_BODY, KEY_ID, complete_request, sign_with_test_key};

#[test]
fn the_signer_writes_the_documented_format() {
    let output = sign_with_test_key(
        &complete_request(COMPLETE_BODY),
        Algorithm::AmznPayRsassaPssV2,
    );
    let value = output.authorization();
    let prefix = format!(
        "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId={KEY_ID}, SignedHeaders=accept;content-type;x-amz-pay-date;x-amz-pay-host;x-amz-pay-idempotency-key;x-amz-pay-region, Signature="
    );
    assert!(value.starts_with(&prefix), "{value}");
    let header: AuthorizationHeader = value.parse().expect("parses");
    assert_eq!(
        header.to_string(),
        value,
        "parse then display gives the same text"
    );
    assert_eq!(header.signature_base64(), value[prefix.len()..]);
}

#[test]
fn building_a_header_checks_its_parts() {
    let ok = AuthorizationHeader::new(
        Algorithm::AmznPayRsassaPss,
        "K",
        ["X-Amz-Pay-Date"],
        vec![1],
    )
    .expect("valid");
    assert_eq!(
        ok.signed_headers(),
        ["x-amz-pay-date"],
        "names are lower-cased"
    );
    assert!(ok.is_signed("x-amz-pay-date"));
    assert!(
        AuthorizationHeader::new(Algorithm::default(), "K", Vec::<&str>::new(), vec![1]).is_err()
    );
    assert!(AuthorizationHeader::new(Algorithm::default(), "K", ["a"], vec![]).is_err());
    assert!(AuthorizationHeader::new(Algorithm::default(), "K,", ["a"], vec![1]).is_err());
    assert!(AuthorizationHeader::new(Algorithm::default(), "K", ["a", "A"], vec![1]).is_err());
}
