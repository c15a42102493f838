//! The button signature vectors (spec §6.7): the committed signatures verify with their folder's
//! test key (the own ones are made by our signer and checked by OpenSSL and Node.js in
//! `openssl_cli.rs` and `nodejs.rs`; the shared ones were made by OpenSSL).

use amzpay_signing::{
    Algorithm, ButtonSignatureError, button_string_to_sign, sign_button_payload,
    verify_button_signature,
};

use crate::helpers::{Vectors, test_keys, vector_file};

/// SHA-256 of the shared folder's button payload (its README).
const SHARED_PAYLOAD_SHA256: &str =
    "8dec52d799607be40f82d5c8e7ecb6c171e6591c41b1111a576b16076c89381c";
/// SHA-256 of the own button payload (`tests/vectors/README.md`).
const OWN_PAYLOAD_SHA256: &str = "8c18ca52bb1db0b805408fae1c225b77068d0a9a038ee2ac48965931df5d2b6d";

fn signature_file(folder: &Vectors, algorithm: Algorithm) -> String {
    folder.file(&format!(
        "button-signature-salt{}.b64",
        algorithm.salt_len()
    ))
}

#[test]
fn the_string_to_sign_matches_the_documented_hash() {
    let own = Vectors::own();
    assert!(
        own.file("README.md").contains(OWN_PAYLOAD_SHA256),
        "tests/vectors/README.md documents the payload's hash"
    );
    let folders = std::iter::once((own, OWN_PAYLOAD_SHA256))
        .chain(Vectors::shared().map(|shared| (shared, SHARED_PAYLOAD_SHA256)));
    for (folder, hash) in folders {
        let payload = folder.file("button-payload.json");
        for algorithm in Algorithm::ALL {
            assert_eq!(
                button_string_to_sign(algorithm, &payload),
                format!("{algorithm}\n{hash}"),
                "{}",
                folder.label
            );
        }
    }
}

#[test]
fn committed_button_signatures_verify_for_both_salt_lengths() {
    for folder in Vectors::all() {
        let payload = folder.file("button-payload.json");
        for algorithm in Algorithm::ALL {
            let signature = signature_file(folder, algorithm);
            assert_eq!(
                verify_button_signature(&payload, &signature, &folder.keys().1, algorithm),
                Ok(()),
                "{algorithm} ({})",
                folder.label
            );
        }
    }
}

#[test]
fn a_button_signature_does_not_verify_with_the_other_salt_length() {
    for folder in Vectors::all() {
        let payload = folder.file("button-payload.json");
        let salt20 = signature_file(folder, Algorithm::AmznPayRsassaPss);
        let result = verify_button_signature(
            &payload,
            &salt20,
            &folder.keys().1,
            Algorithm::AmznPayRsassaPssV2,
        );
        assert_eq!(
            result,
            Err(ButtonSignatureError::Mismatch),
            "{}",
            folder.label
        );
    }
}

#[test]
fn a_tampered_payload_fails() {
    for folder in Vectors::all() {
        let payload = folder.file("button-payload.json");
        let tampered = payload.replace("CheckoutResult", "CheckoutResulT");
        assert_ne!(
            tampered, payload,
            "{}: the payload has something to tamper with",
            folder.label
        );
        // An escaped slash is a different string, as the emulator must hash what the browser sends.
        let escaped = payload.replace("https://", "https:\\/\\/");
        for algorithm in Algorithm::ALL {
            let signature = signature_file(folder, algorithm);
            for bad in [&tampered, &escaped, &format!("{payload}\n")] {
                let result = verify_button_signature(bad, &signature, &folder.keys().1, algorithm);
                assert_eq!(
                    result,
                    Err(ButtonSignatureError::Mismatch),
                    "{algorithm} ({})",
                    folder.label
                );
            }
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
