//! The button signature vectors (spec §6.7): OpenSSL-made signatures verify with the test key.

use amzpay_signing::{
    Algorithm, ButtonSignatureError, button_string_to_sign, sign_button_payload,
    verify_button_signature,
};

use crate::helpers::{test_keys, vector_file};

const PAYLOAD_SHA256: &str = "8dec52d799607be40f82d5c8e7ecb6c171e6591c41b1111a576b16076c89381c";

fn signature_file(algorithm: Algorithm) -> String {
    vector_file(&format!(
        "button-signature-salt{}.b64",
        algorithm.salt_len()
    ))
}

#[test]
fn the_string_to_sign_matches_the_documented_hash() {
    let payload = vector_file("button-payload.json");
    for algorithm in Algorithm::ALL {
        assert_eq!(
            button_string_to_sign(algorithm, &payload),
            format!("{algorithm}\n{PAYLOAD_SHA256}")
        );
    }
}

#[test]
fn openssl_made_button_signatures_verify_for_both_salt_lengths() {
    let payload = vector_file("button-payload.json");
    for algorithm in Algorithm::ALL {
        let signature = signature_file(algorithm);
        assert_eq!(
            verify_button_signature(&payload, &signature, &test_keys().1, algorithm),
            Ok(()),
            "{algorithm}"
        );
    }
}

#[test]
fn a_button_signature_does_not_verify_with_the_other_salt_length() {
    let payload = vector_file("button-payload.json");
    let salt20 = signature_file(Algorithm::AmznPayRsassaPss);
    let result = verify_button_signature(
        &payload,
        &salt20,
        &test_keys().1,
        Algorithm::AmznPayRsassaPssV2,
    );
    assert_eq!(result, Err(ButtonSignatureError::Mismatch));
}

#[test]
fn a_tampered_payload_fails() {
    let payload = vector_file("button-payload.json");
    let tampered = payload.replace("CheckoutResult", "CheckoutResulT");
    // An escaped slash is a different string, as the emulator must hash what the browser sends.
    let escaped = payload.replace("https://", "https:\\/\\/");
    for algorithm in Algorithm::ALL {
        let signature = signature_file(algorithm);
        for bad in [&tampered, &escaped, &format!("{payload}\n")] {
            let result = verify_button_signature(bad, &signature, &test_keys().1, algorithm);
            assert_eq!(result, Err(ButtonSignatureError::Mismatch), "{algorithm}");
        }
    }
}

#[test]
fn a_signature_that_is_not_base64_is_malformed() {
    let result = verify_button_signature("{}", "not base64!", &test_keys().1, Algorithm::default());
    assert_eq!(result, Err(ButtonSignatureError::Malformed));
}

#[test]
fn our_button_signatures_verify_and_are_randomized() {
    let payload = vector_file("button-payload.json");
    for algorithm in Algorithm::ALL {
        let first = sign_button_payload(&payload, &test_keys().0, algorithm).expect("signs");
        let second = sign_button_payload(&payload, &test_keys().0, algorithm).expect("signs");
        assert_ne!(first, second, "PSS uses a random salt");
        for signature in [first, second] {
            assert_eq!(
                verify_button_signature(&payload, &signature, &test_keys().1, algorithm),
                Ok(())
            );
        }
    }
}
