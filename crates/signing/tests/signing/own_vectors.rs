//! The project's own signing vectors, `tests/vectors/`: the cases are written here, and this
//! crate's code makes everything else (canonical requests, strings to sign, signatures, the key
//! pair). `vectors.rs` and `button.rs` check the files like the shared ones; `openssl_cli.rs`
//! (the `openssl` command line) and `nodejs.rs` (the official Node.js SDK) cross-check them with
//! independent implementations.
//!
//! To regenerate after changing a case here (or the signer):
//!
//! ```sh
//! AMZPAY_REGENERATE_VECTORS=1 cargo test -p amzpay-signing --test signing -- own_vectors
//! ```
//!
//! It rewrites `canonical-requests.json`, `button-payload.json` and the button signatures, and
//! makes a new key pair only when `test-key-private.pem` is missing (delete both key files for a
//! new one). Without the variable, the test fails when the committed files are not what this
//! code makes, so a changed case cannot go unnoticed.

use amzpay_signing::{
    Algorithm, PrivateKey, SignableRequest, SigningOutput, button_string_to_sign, format_amz_date,
    sign_button_payload,
};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::helpers::{Vectors, sign_with};

/// When every own vector is signed.
const OWN_TIME: OffsetDateTime = datetime!(2025-03-01 10:15:00 UTC);

/// The button payload of the own vectors: a shop's real configuration (slashes unescaped, as a
/// browser sends it).
pub(crate) const OWN_BUTTON_PAYLOAD: &str = concat!(
    r#"{"webCheckoutDetails":{"checkoutReviewReturnUrl":"https://shop.example/checkout/review","#,
    r#""checkoutResultReturnUrl":"https://shop.example/CheckoutResult"},"#,
    r#""storeId":"amzn1.application-oa2-client.8b5e45312b5248b69eeaStoreTest","#,
    r#""scopes":["name","email","phoneNumber","billingAddress"],"#,
    r#""paymentDetails":{"paymentIntent":"AuthorizeWithCapture","chargeAmount":{"amount":"14.00","currencyCode":"USD"}}}"#
);

/// Amazon's API hosts, by region.
#[derive(Clone, Copy)]
enum Region {
    Na,
    Eu,
    Jp,
}

impl Region {
    fn host(self) -> &'static str {
        match self {
            Region::Na => "pay-api.amazon.com",
            Region::Eu => "pay-api.amazon.eu",
            Region::Jp => "pay-api.amazon.jp",
        }
    }

    /// The `x-amz-pay-region` value, as the official SDKs send it.
    fn name(self) -> &'static str {
        match self {
            Region::Na => "na",
            Region::Eu => "eu",
            Region::Jp => "jp",
        }
    }
}

/// The input of one case; both algorithms are generated from it.
struct Case {
    name: &'static str,
    method: &'static str,
    /// The path as a client means it (unencoded, maybe not normalized).
    uri: &'static str,
    parameters: &'static [(&'static str, &'static [&'static str])],
    region: Region,
    idempotency_key: Option<&'static str>,
    payload: &'static str,
    /// Whether the official Node.js SDK can send this request: it signs `/v2/` paths as given,
    /// one value per query name, and encodes with `encodeURIComponent` (which leaves `!'()*`
    /// alone, unlike RFC 3986). `nodejs.rs` has it sign every such case.
    nodejs_sdk: bool,
}

const SESSION: &str = "/v2/checkoutSessions/3f0ba43c-5b4e-4c5b-9f7b-8a1d2f7c9e10";

const CASES: &[Case] = &[
    Case {
        name: "create-checkout-session",
        method: "POST",
        uri: "/v2/checkoutSessions",
        parameters: &[],
        region: Region::Na,
        idempotency_key: Some("b7d6c0a4e3f24a1b9c8d7e6f5a4b3c2d"),
        payload: r#"{"webCheckoutDetails":{"checkoutReviewReturnUrl":"https://shop.example/checkout/review","checkoutResultReturnUrl":"https://shop.example/checkout/result"},"storeId":"amzn1.application-oa2-client.8b5e45312b5248b69eeaStoreTest","paymentDetails":{"paymentIntent":"Authorize","chargeAmount":{"amount":"14.00","currencyCode":"USD"}}}"#,
        nodejs_sdk: true,
    },
    Case {
        name: "get-checkout-session",
        method: "GET",
        uri: SESSION,
        parameters: &[],
        region: Region::Na,
        idempotency_key: None,
        payload: "",
        nodejs_sdk: true,
    },
    Case {
        name: "update-checkout-session",
        method: "PATCH",
        uri: SESSION,
        parameters: &[],
        region: Region::Eu,
        idempotency_key: None,
        payload: r#"{"paymentDetails":{"paymentIntent":"AuthorizeWithCapture","chargeAmount":{"amount":"19.99","currencyCode":"EUR"}},"merchantMetadata":{"merchantReferenceId":"order-1001"}}"#,
        nodejs_sdk: true,
    },
    Case {
        name: "complete-checkout-session",
        method: "POST",
        uri: "/v2/checkoutSessions/3f0ba43c-5b4e-4c5b-9f7b-8a1d2f7c9e10/complete",
        parameters: &[],
        region: Region::Na,
        idempotency_key: Some("0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
        payload: r#"{"chargeAmount":{"amount":"14.00","currencyCode":"USD"}}"#,
        nodejs_sdk: true,
    },
    Case {
        name: "get-charge-permission",
        method: "GET",
        uri: "/v2/chargePermissions/S03-1234567-7654321",
        parameters: &[],
        region: Region::Jp,
        idempotency_key: None,
        payload: "",
        nodejs_sdk: true,
    },
    Case {
        name: "close-charge-permission",
        method: "DELETE",
        uri: "/v2/chargePermissions/S01-1234567-7654321/close",
        parameters: &[],
        region: Region::Eu,
        idempotency_key: None,
        payload: r#"{"closureReason":"No more charges required","cancelPendingCharges":false}"#,
        nodejs_sdk: true,
    },
    Case {
        name: "capture-charge",
        method: "POST",
        uri: "/v2/charges/S01-1234567-7654321-C012345/capture",
        parameters: &[],
        region: Region::Na,
        idempotency_key: Some("5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b"),
        payload: r#"{"captureAmount":{"amount":"14.00","currencyCode":"USD"},"softDescriptor":"SHOP EXAMPLE"}"#,
        nodejs_sdk: true,
    },
    Case {
        name: "create-refund-utf8-body",
        method: "POST",
        uri: "/v2/refunds",
        parameters: &[],
        region: Region::Eu,
        idempotency_key: Some("9a8b7c6d5e4f30211203f4e5d6c7b8a9"),
        payload: "{\"chargeId\":\"S02-1234567-7654321-C012345\",\"refundAmount\":{\"amount\":\"4.50\",\"currencyCode\":\"EUR\"},\"softDescriptor\":\"Café Über ☕ 日本\"}",
        nodejs_sdk: true,
    },
    Case {
        name: "query-sorted",
        method: "GET",
        uri: "/v2/reports",
        parameters: &[
            (
                "reportTypes",
                &["_GET_FLAT_FILE_OFFAMAZONPAYMENTS_SETTLEMENT_DATA_"],
            ),
            ("processingStatus", &["COMPLETED"]),
            ("createdSince", &["2025-01-01T00:00:00Z"]),
            ("pageSize", &["10"]),
        ],
        region: Region::Na,
        idempotency_key: None,
        payload: "",
        nodejs_sdk: true,
    },
    Case {
        name: "query-empty-value",
        method: "GET",
        uri: "/v2/reports",
        parameters: &[("nextToken", &[""]), ("pageSize", &["50"])],
        region: Region::Na,
        idempotency_key: None,
        payload: "",
        nodejs_sdk: true,
    },
    Case {
        name: "query-utf8",
        method: "GET",
        uri: "/v2/reports",
        parameters: &[("merchantNote", &["Café 日本 + more, & less"])],
        region: Region::Jp,
        idempotency_key: None,
        payload: "",
        nodejs_sdk: true,
    },
    Case {
        name: "query-repeated-name",
        method: "GET",
        uri: "/v2/reports",
        parameters: &[("reportTypes", &["b", "a", "B"]), ("pageSize", &["5"])],
        region: Region::Na,
        idempotency_key: None,
        payload: "",
        nodejs_sdk: false,
    },
    Case {
        name: "query-reserved-characters",
        method: "GET",
        uri: "/v2/reports",
        parameters: &[("q", &["!'()*~-_."]), ("a b", &["c/d?e=f"])],
        region: Region::Eu,
        idempotency_key: None,
        payload: "",
        nodejs_sdk: false,
    },
    Case {
        name: "path-slashes",
        method: "GET",
        uri: "//authority//v2//checkoutSessions///",
        parameters: &[],
        region: Region::Na,
        idempotency_key: None,
        payload: "",
        nodejs_sdk: false,
    },
    Case {
        name: "path-utf8-and-space",
        method: "GET",
        uri: "/v2/äöü space/日本~%",
        parameters: &[],
        region: Region::Na,
        idempotency_key: None,
        payload: "",
        nodejs_sdk: false,
    },
    Case {
        name: "path-empty",
        method: "POST",
        uri: "",
        parameters: &[],
        region: Region::Jp,
        idempotency_key: None,
        payload: "{}",
        nodejs_sdk: false,
    },
];

/// A signature and the `authorization` header carrying it.
struct Signed {
    signature: String,
    authorization: String,
}

/// `canonical-requests.json` as this code makes it, signed with `key`; `signed` picks each case's
/// signature from the signer's output (or keeps the committed one).
fn canonical_requests(
    key: &PrivateKey,
    mut signed: impl FnMut(&str, Algorithm, &SigningOutput) -> Signed,
) -> String {
    let mut cases = Vec::new();
    for case in CASES {
        let mut headers = vec![
            ("accept", "application/json"),
            ("content-type", "application/json"),
            ("x-amz-pay-host", case.region.host()),
            ("x-amz-pay-region", case.region.name()),
        ];
        if let Some(key) = case.idempotency_key {
            headers.push(("x-amz-pay-idempotency-key", key));
        }
        for algorithm in Algorithm::ALL {
            let request = SignableRequest::new(case.method, case.uri)
                .query_params(
                    case.parameters
                        .iter()
                        .flat_map(|(n, values)| values.iter().map(move |v| (*n, *v))),
                )
                .headers(headers.iter().copied())
                .body(case.payload.as_bytes());
            let output = sign_with(key, &request, algorithm, OWN_TIME);
            let made = signed(case.name, algorithm, &output);
            let parameters: Map<String, Value> = case
                .parameters
                .iter()
                .map(|(n, values)| ((*n).to_owned(), json!(values)))
                .collect();
            let header_map: Map<String, Value> = headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), json!(v)))
                .collect();
            cases.push(json!({
                "name": case.name,
                "method": case.method,
                "uri": case.uri,
                "parameters": parameters,
                "headers": header_map,
                "date": format_amz_date(OWN_TIME),
                "payload": case.payload,
                "algorithm": algorithm.as_str(),
                "nodejsSdk": case.nodejs_sdk,
                "canonicalRequest": output.diagnostics.canonical_request(),
                "stringToSign": output.diagnostics.string_to_sign(),
                "signature": made.signature,
                "authorization": made.authorization,
            }));
        }
    }
    serde_json::to_string_pretty(&cases).expect("serializes") + "\n"
}

/// The committed signature and header of a case, to compare the rest of the file with.
fn committed(name: &str, algorithm: Algorithm) -> Signed {
    let cases: Vec<Value> =
        serde_json::from_str(&Vectors::own().file("canonical-requests.json")).expect("valid JSON");
    let case = cases
        .iter()
        .find(|c| c["name"] == name && c["algorithm"] == algorithm.as_str())
        .unwrap_or_else(|| {
            panic!("{name} ({algorithm}) is not in tests/vectors: regenerate (see own_vectors.rs)")
        });
    let text = |key: &str| case[key].as_str().unwrap_or_default().to_owned();
    Signed {
        signature: text("signature"),
        authorization: text("authorization"),
    }
}

#[test]
fn the_committed_own_vectors_are_what_our_code_makes() {
    let dir = Vectors::own().dir.clone();
    if std::env::var_os("AMZPAY_REGENERATE_VECTORS").is_some() {
        regenerate(&dir);
    }

    // The deterministic parts are compared as text; the committed signatures are kept, and
    // `vectors.rs` verifies them.
    let made = canonical_requests(&Vectors::own().keys().0, |name, algorithm, _| {
        committed(name, algorithm)
    });
    let file = Vectors::own().file("canonical-requests.json");
    assert!(
        made == file,
        "tests/vectors/canonical-requests.json is not what own_vectors.rs makes: regenerate it (see own_vectors.rs)"
    );
    assert_eq!(
        Vectors::own().file("button-payload.json"),
        OWN_BUTTON_PAYLOAD
    );
    let (private, public) = Vectors::own().keys();
    assert_eq!(private.public_key(), public, "the key files are one pair");
    assert_eq!(Vectors::own().file("test-key-public.pem"), public.to_pem());
}

/// Writes every own vector file (a new key pair only when there is none).
fn regenerate(dir: &std::path::Path) {
    let private_file = dir.join("test-key-private.pem");
    let key = if private_file.is_file() {
        PrivateKey::from_pem(&std::fs::read_to_string(&private_file).expect("reads"))
            .expect("the committed key loads")
    } else {
        // Our generator makes the key; the openssl command line only rewrites it in the
        // traditional PKCS#1 form of the official SDKs' test key, which the key tests load
        // (`-----BEGIN RSA PRIVATE KEY-----`), so that format stays covered.
        let key = PrivateKey::generate(amzpay_signing::DEFAULT_KEY_BITS).expect("generates");
        let pkcs8 = dir.join("test-key-private.pkcs8.pem");
        std::fs::write(&pkcs8, key.to_pkcs8_pem().expect("exports")).expect("writes");
        crate::helpers::openssl(&[
            "rsa",
            "-in",
            pkcs8.to_str().expect("utf-8"),
            "-traditional",
            "-out",
            private_file.to_str().expect("utf-8"),
        ]);
        std::fs::remove_file(&pkcs8).expect("removes");
        key
    };
    std::fs::write(dir.join("test-key-public.pem"), key.public_key().to_pem()).expect("writes");
    let text = canonical_requests(&key, |_, _, output| {
        let header = output
            .authorization()
            .parse::<amzpay_signing::AuthorizationHeader>()
            .expect("parses");
        Signed {
            signature: header.signature_base64(),
            authorization: output.authorization().to_owned(),
        }
    });
    std::fs::write(dir.join("canonical-requests.json"), text).expect("writes");
    std::fs::write(dir.join("button-payload.json"), OWN_BUTTON_PAYLOAD).expect("writes");
    for algorithm in Algorithm::ALL {
        let signature = sign_button_payload(OWN_BUTTON_PAYLOAD, &key, algorithm).expect("signs");
        std::fs::write(
            dir.join(format!("button-signature-salt{}.b64", algorithm.salt_len())),
            signature,
        )
        .expect("writes");
    }
    // The string to sign is documented in the README; print it for an update.
    eprintln!(
        "regenerated {}; button string to sign: {:?}",
        dir.display(),
        button_string_to_sign(Algorithm::AmznPayRsassaPss, OWN_BUTTON_PAYLOAD)
    );
}
