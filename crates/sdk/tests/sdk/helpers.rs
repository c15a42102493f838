//! Shared test setup: the test key pair of the own signing vectors, a client on a scripted transport, signature checks.

use std::path::PathBuf;
use std::time::Duration;

use amzpay::retry::RetryPolicy;
use amzpay::signing::{PublicKey, ReceivedRequest, verify};
use amzpay::testing::ScriptedTransport;
use amzpay::transport::HttpRequest;
use amzpay::{Client, Config, Region};

/// The public key id used by the tests.
pub(crate) const KEY_ID: &str = "SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B";

/// The project's own signing vectors (`crates/signing/tests/vectors`), always present.
fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signing/tests/vectors")
}

/// The shared vectors folder (`$AMZPAY_SHARED_DIR/vectors`, else `<workspace>/../shared/vectors`),
/// an extra cross-check: `None`, with a note, when it is absent; under CI (`CI=true`), where it
/// is always provided, its absence is an error that names it.
pub(crate) fn shared_vectors_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("AMZPAY_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("vectors");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the shared test data folder {} is missing under CI (set AMZPAY_SHARED_DIR to the folder that holds vectors/)",
        dir.display()
    );
    eprintln!(
        "note: skipping the shared-vector cross-check: {} is absent",
        dir.display()
    );
    None
}

/// A file of the own signing vectors.
pub(crate) fn vector(name: &str) -> String {
    read(&vectors_dir().join(name))
}

/// A file, as text.
pub(crate) fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The own test private key (PEM).
pub(crate) fn test_private_key_pem() -> String {
    vector("test-key-private.pem")
}

/// The own test public key.
pub(crate) fn test_public_key() -> PublicKey {
    PublicKey::from_pem(&vector("test-key-public.pem")).expect("the test public key loads")
}

/// A fast retry policy: the same shape as the default, with millisecond delays.
pub(crate) fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(max_attempts)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(4))
}

/// A builder with the test key, North America, and fast retries.
pub(crate) fn config_builder() -> amzpay::ConfigBuilder {
    Config::builder()
        .public_key_id(KEY_ID)
        .private_key_pem(test_private_key_pem())
        .region(Region::Na)
        .retry_policy(fast_retries(4))
}

/// A client on a fresh scripted transport.
pub(crate) fn client() -> (Client, ScriptedTransport) {
    client_with(config_builder())
}

/// A client built from `builder` on a fresh scripted transport.
pub(crate) fn client_with(builder: amzpay::ConfigBuilder) -> (Client, ScriptedTransport) {
    let transport = ScriptedTransport::new();
    let client = Client::with_transport(builder.build().expect("test config"), transport.clone());
    (client, transport)
}

/// Verifies a captured request's signature with the test public key, the way the emulator
/// does, and returns the signed `x-amz-pay-date`.
pub(crate) fn assert_signature_verifies(request: &HttpRequest) -> String {
    let target = target_of(&request.url);
    let mut received = ReceivedRequest::from_target(request.method.as_str(), &target);
    for (name, value) in &request.headers {
        received = received.header(name, value);
    }
    received = received.body(&request.body);
    let authorization = received.authorization().expect("an authorization header");
    let key = test_public_key();
    verify(&received, &authorization, &key)
        .unwrap_or_else(|e| panic!("signature does not verify: {e}"));
    request
        .header("x-amz-pay-date")
        .expect("a date header")
        .to_owned()
}

/// The path and query of a URL.
pub(crate) fn target_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].to_owned(),
        None => "/".to_owned(),
    }
}

/// A minimal Checkout Session JSON in `state`, with the given extra top-level fields.
pub(crate) fn session_json(state: &str, extra: serde_json::Value) -> String {
    let mut session = serde_json::json!({
        "checkoutSessionId": "d6b6b33b-0b1c-4a1c-9e0f-3c6b8e8b9f10",
        "statusDetails": {
            "state": state,
            "reasonCode": null,
            "reasonDescription": null,
            "lastUpdatedTimestamp": "20240101T120000Z"
        },
        "chargePermissionType": "OneTime"
    });
    if let (Some(map), serde_json::Value::Object(extra)) = (session.as_object_mut(), extra) {
        map.extend(extra);
    }
    session.to_string()
}

/// A minimal Charge JSON.
pub(crate) fn charge_json(id: &str, state: &str, amount: &str) -> String {
    serde_json::json!({
        "chargeId": id,
        "chargePermissionId": "S01-1234567-1234567",
        "chargeAmount": {"amount": amount, "currencyCode": "USD"},
        "statusDetails": {"state": state, "reasonCode": null, "reasonDescription": null, "lastUpdatedTimestamp": "20240101T120000Z"}
    })
    .to_string()
}

/// An Amazon Pay error body.
pub(crate) fn error_json(code: &str) -> String {
    serde_json::json!({"reasonCode": code, "message": format!("{code} happened")}).to_string()
}

/// Verifies a signature from a raw HTTP/1.1 request head and body, as a server received them.
pub(crate) fn assert_signature_verifies_parts(head: &str, body: &[u8]) {
    let mut lines = head.lines();
    let mut request_line = lines.next().expect("a request line").split_whitespace();
    let method = request_line.next().unwrap();
    let target = request_line.next().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut received = ReceivedRequest::from_target(method, target);
    for (name, value) in &headers {
        received = received.header(name, value);
    }
    received = received.body(body);
    let authorization = received.authorization().expect("an authorization header");
    verify(&received, &authorization, &test_public_key())
        .unwrap_or_else(|e| panic!("signature does not verify: {e}"));
}
