//! Cross-checks with an independent implementation: the `openssl` command line, on fresh
//! signatures and on every signature committed in the own vectors.

use amzpay_signing::{
    Algorithm, AuthorizationHeader, button_string_to_sign, sign_button_payload,
    verify_button_signature,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::helpers::{
    COMPLETE_BODY, Vectors, complete_request, path_str, sign_with_test_key, test_keys, vectors_dir,
};
use crate::vectors::all_cases;

/// `openssl dgst` with SHA-256 and the algorithm's PSS parameters, to be followed by what to do
/// (`-verify` or `-sign`) and the files.
fn dgst_pss(algorithm: Algorithm) -> Vec<String> {
    let salt = format!("rsa_pss_saltlen:{}", algorithm.salt_len());
    let args = [
        "dgst",
        "-sha256",
        "-sigopt",
        "rsa_padding_mode:pss",
        "-sigopt",
        &salt,
    ];
    let mgf = ["-sigopt", "rsa_mgf1_md:sha256"];
    args.into_iter().chain(mgf).map(str::to_owned).collect()
}

/// `openssl dgst -verify` with the algorithm's PSS parameters; returns whether it verified.
fn openssl_verifies(
    dir: &tempfile::TempDir,
    message: &str,
    signature: &[u8],
    algorithm: Algorithm,
) -> bool {
    let (msg, sig, public) = (
        path_str(dir, "msg.txt"),
        path_str(dir, "sig.bin"),
        path_str(dir, "pub.pem"),
    );
    std::fs::write(&msg, message).expect("writes");
    std::fs::write(&sig, signature).expect("writes");
    std::fs::write(&public, test_keys().1.to_pem()).expect("writes");
    let output = std::process::Command::new("openssl")
        .args(dgst_pss(algorithm))
        .args(["-verify", &public, "-signature", &sig, &msg])
        .output()
        .expect("the openssl command line is installed");
    let stdout = String::from_utf8_lossy(&output.stdout);
    output.status.success() && stdout.contains("Verified OK")
}

#[test]
fn openssl_verifies_our_request_signatures_for_both_salt_lengths() {
    let dir = tempfile::tempdir().expect("temp dir");
    for algorithm in Algorithm::ALL {
        let output = sign_with_test_key(&complete_request(COMPLETE_BODY), algorithm);
        let header: AuthorizationHeader = output.authorization().parse().expect("parses");
        let message = output.diagnostics.string_to_sign();
        assert!(
            openssl_verifies(&dir, message, header.signature(), algorithm),
            "{algorithm}"
        );
        let other = Algorithm::ALL
            .into_iter()
            .find(|a| *a != algorithm)
            .expect("two algorithms");
        assert!(
            !openssl_verifies(&dir, message, header.signature(), other),
            "{algorithm} must not pass as {other}"
        );
    }
}

#[test]
fn openssl_verifies_our_button_signatures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let payload = r#"{"storeId":"amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"}"#;
    for algorithm in Algorithm::ALL {
        let signature = sign_button_payload(payload, &test_keys().0, algorithm).expect("signs");
        let signature = STANDARD.decode(signature).expect("base64");
        assert!(openssl_verifies(
            &dir,
            &button_string_to_sign(algorithm, payload),
            &signature,
            algorithm
        ));
    }
}

#[test]
fn we_verify_signatures_made_by_openssl() {
    let dir = tempfile::tempdir().expect("temp dir");
    let private = vectors_dir().join("test-key-private.pem");
    let payload = r#"{"signInScopes":["name","email"]}"#;
    for algorithm in Algorithm::ALL {
        let (msg, sig) = (path_str(&dir, "msg.txt"), path_str(&dir, "sig.bin"));
        std::fs::write(&msg, button_string_to_sign(algorithm, payload)).expect("writes");
        let dgst = dgst_pss(algorithm);
        let sign = [
            "-sign",
            private.to_str().expect("utf-8"),
            "-out",
            &sig,
            &msg,
        ];
        let args: Vec<&str> = dgst.iter().map(String::as_str).chain(sign).collect();
        crate::helpers::openssl(&args);
        let signature = STANDARD.encode(std::fs::read(&sig).expect("reads"));
        assert_eq!(
            verify_button_signature(payload, &signature, &test_keys().1, algorithm),
            Ok(()),
            "{algorithm}"
        );
        assert!(verify_button_signature("{}", &signature, &test_keys().1, algorithm).is_err());
    }
}

#[test]
fn openssl_verifies_every_committed_signature_of_our_vectors() {
    // Arrange: our own vectors were signed by this crate; OpenSSL checks them independently.
    let dir = tempfile::tempdir().expect("temp dir");
    let own = Vectors::own();
    let mut checked = 0;

    // Act and assert: every request signature over its string to sign...
    for (name, v) in all_cases(own) {
        let signature = v
            .signature
            .as_deref()
            .expect("own vectors carry a signature");
        let signature = STANDARD.decode(signature).expect("base64");
        assert!(
            openssl_verifies(&dir, &v.string_to_sign, &signature, v.algorithm),
            "openssl rejects the committed signature of {name} ({})",
            v.algorithm
        );
        checked += 1;
    }
    // ...and both button signatures over the payload's string to sign.
    let payload = own.file("button-payload.json");
    for algorithm in Algorithm::ALL {
        let signature = own.file(&format!(
            "button-signature-salt{}.b64",
            algorithm.salt_len()
        ));
        let signature = STANDARD.decode(signature.trim()).expect("base64");
        assert!(
            openssl_verifies(
                &dir,
                &button_string_to_sign(algorithm, &payload),
                &signature,
                algorithm
            ),
            "openssl rejects the committed button signature ({algorithm})"
        );
        checked += 1;
    }
    assert!(checked > 2, "the vectors hold request signatures");
}

#[test]
fn openssl_derives_the_committed_public_key_from_the_committed_private_key() {
    let own = Vectors::own();
    let private = own.dir.join("test-key-private.pem");
    let output =
        crate::helpers::openssl(&["pkey", "-in", private.to_str().expect("utf-8"), "-pubout"]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        own.file("test-key-public.pem")
    );
    let check = crate::helpers::openssl(&[
        "rsa",
        "-in",
        private.to_str().expect("utf-8"),
        "-check",
        "-noout",
    ]);
    assert!(String::from_utf8_lossy(&check.stdout).contains("RSA key ok"));
}
