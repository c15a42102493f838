//! `amzpay sign` against the canonical-request vectors (the own ones, and the shared ones when
//! present), and `amzpay button-signature`.

use amzpay::signing::{Algorithm, verify_button_signature};
use serde_json::Value;

use crate::helpers::{Sandbox, s, shared_vectors_dir, test_key_file, test_public_key, vectors_dir};

#[test]
fn sign_reproduces_every_own_canonical_request_and_string_to_sign() {
    check_canonical_requests(&vectors_dir(), 32);
}

#[test]
fn sign_reproduces_every_shared_canonical_request_and_string_to_sign() {
    if let Some(dir) = shared_vectors_dir() {
        check_canonical_requests(&dir, 34);
    }
}

/// Every case of a folder's `canonical-requests.json` through `amzpay sign`. A case without
/// `headers` and `date` (the shared file) uses the shared file's fixed ones.
fn check_canonical_requests(dir: &std::path::Path, count: usize) {
    let text = std::fs::read_to_string(dir.join("canonical-requests.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(cases.len(), count);
    let sandbox = Sandbox::new();
    let key = test_key_file();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let string_to_sign = case["stringToSign"].as_str().unwrap();
        // The algorithm is the first line of the expected string to sign (vectors README).
        let algorithm = string_to_sign.lines().next().unwrap();
        let mut args: Vec<String> = [
            "sign",
            "--json",
            "--normalize-path",
            "--method",
            case["method"].as_str().unwrap(),
            "--path",
            case["uri"].as_str().unwrap(),
            "--date",
            case["date"].as_str().unwrap_or("20180524T223710Z"),
            "--algorithm",
            algorithm,
            "--public-key-id",
            "ABCDEF0000000000000",
            "--private-key-file",
            s(&key),
            "--body",
            "-",
        ]
        .map(String::from)
        .to_vec();
        let fixed =
            serde_json::json!({"x-amz-pay-host": "pay-api.amazon.eu", "x-amz-pay-region": "EU"});
        let headers = case.get("headers").unwrap_or(&fixed);
        for (header, value) in headers.as_object().unwrap() {
            args.extend([
                "--header".into(),
                format!("{header}:{}", value.as_str().unwrap()),
            ]);
        }
        for (param, values) in case["parameters"].as_object().unwrap() {
            for value in values.as_array().unwrap() {
                args.extend([
                    "--query-param".into(),
                    param.clone(),
                    value.as_str().unwrap().into(),
                ]);
            }
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();

        let run = sandbox.run(&args, case["payload"].as_str().unwrap(), &[]);

        assert_eq!(run.code, 0, "{name}: {run:?}");
        let output: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            output["canonicalRequest"], case["canonicalRequest"],
            "{name} ({algorithm})"
        );
        assert_eq!(
            output["stringToSign"], case["stringToSign"],
            "{name} ({algorithm})"
        );
        let authorization = output["headers"]["authorization"].as_str().unwrap();
        assert!(
            authorization.starts_with(&format!("{algorithm} PublicKeyId=ABCDEF0000000000000, ")),
            "{authorization}"
        );
    }
}

#[test]
fn sign_prints_the_canonical_request_string_to_sign_and_headers_as_text() {
    let sandbox = Sandbox::new();
    let key = test_key_file();

    let run = sandbox.run(
        &[
            "sign",
            "--method",
            "post",
            "--path",
            "/v2/checkoutSessions",
            "--date",
            "2018-05-24T22:37:10Z",
            "--header",
            "x-amz-pay-idempotency-key:abc",
            "--public-key-id",
            "SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B",
            "--private-key-file",
            s(&key),
            "--region",
            "us",
            "--body",
            "-",
        ],
        r#"{"storeId":"x"}"#,
        &[],
    );

    assert_eq!(run.code, 0, "{run:?}");
    let expected_start = "== canonical request ==\nPOST\n/v2/checkoutSessions\n\naccept:application/json\ncontent-type:application/json\nx-amz-pay-date:20180524T223710Z\nx-amz-pay-host:pay-api.amazon.com\nx-amz-pay-idempotency-key:abc\nx-amz-pay-region:na\n\naccept;content-type;x-amz-pay-date;x-amz-pay-host;x-amz-pay-idempotency-key;x-amz-pay-region\n";
    assert!(run.stdout.starts_with(expected_start), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("== string to sign ==\nAMZN-PAY-RSASSA-PSS-V2\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\nauthorization: AMZN-PAY-RSASSA-PSS-V2 PublicKeyId=SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B, SignedHeaders="), "{}", run.stdout);
    let secret = std::fs::read_to_string(&key).unwrap();
    assert!(!run.stdout.contains(secret.lines().nth(1).unwrap()));
}

#[test]
fn sign_without_a_key_fails_clearly() {
    let run = Sandbox::new().run(&["sign", "--path", "/v2/charges/C1"], "", &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("public key id"), "{run:?}");
}

#[test]
fn button_signature_signs_the_vector_payloads_byte_for_byte() {
    let folders = std::iter::once(vectors_dir()).chain(shared_vectors_dir());
    for dir in folders {
        button_signature_signs_byte_for_byte(&dir.join("button-payload.json"));
    }
}

fn button_signature_signs_byte_for_byte(payload_file: &std::path::Path) {
    let sandbox = Sandbox::new();
    let payload = std::fs::read_to_string(payload_file).unwrap();
    for (flag, algorithm) in [
        ("AMZN-PAY-RSASSA-PSS", Algorithm::AmznPayRsassaPss),
        ("AMZN-PAY-RSASSA-PSS-V2", Algorithm::AmznPayRsassaPssV2),
    ] {
        let key = test_key_file();

        let run = sandbox.run(
            &[
                "button-signature",
                "--payload",
                s(payload_file),
                "--algorithm",
                flag,
                "--public-key-id",
                "SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B",
                "--private-key-file",
                s(&key),
            ],
            "",
            &[],
        );

        assert_eq!(run.code, 0, "{run:?}");
        let output: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(output["payloadJSON"].as_str(), Some(payload.as_str()));
        assert_eq!(output["algorithm"].as_str(), Some(flag));
        assert_eq!(output["publicKeyId"], "SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B");
        verify_button_signature(
            &payload,
            output["signature"].as_str().unwrap(),
            &test_public_key(),
            algorithm,
        )
        .expect("the signature verifies");
    }
}
