//! Cross-checks of the own vectors with the official Node.js SDK (`tests/node/signing-vectors.js`,
//! installed by `npm ci` in `tests/node`, which `scripts/test` runs): Node verifies every
//! committed signature, and we verify what the SDK signs itself, requests and button payloads.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use amzpay_signing::{Algorithm, ReceivedRequest, verify, verify_button_signature};
use serde_json::Value;

use crate::helpers::{Vectors, test_keys};
use crate::vectors::all_cases;

/// The script's answer, computed once for the module.
fn node() -> &'static Value {
    static OUTPUT: OnceLock<Value> = OnceLock::new();
    OUTPUT.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/node");
        assert!(
            dir.join("node_modules/@amazonpay/amazon-pay-api-sdk-nodejs")
                .exists(),
            "the official Node.js SDK is not installed in {}; run `npm ci` there (scripts/test does)",
            dir.display()
        );
        let output = Command::new("node")
            .arg(dir.join("signing-vectors.js"))
            .arg(&Vectors::own().dir)
            .output()
            .expect("run node (is Node.js installed?)");
        assert!(
            output.status.success(),
            "node signing-vectors.js failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("the script prints JSON")
    })
}

fn text(value: &Value) -> &str {
    value.as_str().expect("a string")
}

#[test]
fn nodejs_verifies_every_committed_signature_of_our_vectors() {
    let answer = node();
    assert_eq!(answer["rejected"], serde_json::json!([]), "{answer}");
    let expected = all_cases(Vectors::own()).len() + Algorithm::ALL.len();
    assert_eq!(
        answer["verified"], expected,
        "every request and button signature"
    );
}

#[test]
fn we_verify_the_nodejs_sdk_signatures_of_every_vector_request_it_can_send() {
    // Arrange
    let cases = all_cases(Vectors::own());
    let sendable = cases.iter().filter(|(_, v)| v.nodejs_sdk);
    let requests = node()["requests"].as_array().expect("a list");
    assert_eq!(requests.len(), sendable.count(), "one per sendable case");

    for r in requests {
        let name = text(&r["name"]);
        let (_, vector) = cases
            .iter()
            .find(|(n, v)| n == name && v.algorithm.as_str() == text(&r["algorithm"]))
            .expect("the case exists");
        let headers = r["headers"].as_object().expect("headers");

        // The SDK sent the vector's headers and date.
        for (header, value) in &vector.headers {
            assert_eq!(headers[header.as_str()], value.as_str(), "{name}: {header}");
        }
        // The SDK writes the date in ISO 8601 (`2025-03-01T10:15:00Z`), which Amazon accepts too.
        let sent = amzpay_signing::parse_amz_date(text(&headers["x-amz-pay-date"]));
        assert_eq!(
            sent.ok(),
            Some(vector.date),
            "{name}: the SDK signed at the vector's date"
        );

        // Act: verify the request as the SDK would send it.
        let received = ReceivedRequest::new(text(&r["method"]), text(&r["path"]))
            .query(Some(text(&r["query"])).filter(|q| !q.is_empty()))
            .headers(headers.iter().map(|(n, v)| (n.as_str(), text(v))))
            .body(text(&r["payload"]).as_bytes());
        let authorization = received.authorization().expect("parses");
        let verified = verify(&received, &authorization, &test_keys().1);

        // Assert
        let verified = verified.unwrap_or_else(|e| panic!("{name} ({}): {e}", vector.algorithm));
        assert_eq!(verified.algorithm(), vector.algorithm, "{name}");
    }
}

#[test]
fn we_verify_the_nodejs_sdk_button_signatures() {
    let payload = Vectors::own().file("button-payload.json");
    let buttons = node()["buttons"].as_array().expect("a list");
    assert_eq!(buttons.len(), Algorithm::ALL.len());
    for b in buttons {
        let algorithm: Algorithm = text(&b["algorithm"]).parse().expect("known algorithm");
        assert_eq!(
            verify_button_signature(&payload, text(&b["signature"]), &test_keys().1, algorithm),
            Ok(()),
            "{algorithm}"
        );
    }
}
