//! Cross-implementation tests: the official Node.js SDK drives a whole checkout
//! (`tests/node/checkout.js`) and everything after it (`tests/node/payments.js`) against the
//! emulator over HTTPS, once per signing algorithm, and what the SDK does with 503 and 429
//! answers (`tests/node/retries.js`).

use std::path::PathBuf;
use std::process::Command;

use crate::server::start_https;

fn node_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/node")
}

/// Runs `script` once per signing algorithm against a fresh HTTPS emulator and checks that its
/// output contains `done`.
async fn run_script(script: &'static str, done: &'static str) {
    let dir = node_dir();
    let sdk = dir.join("node_modules/@amazonpay/amazon-pay-api-sdk-nodejs");
    assert!(
        sdk.exists(),
        "the official Node.js SDK is not installed in {}; run `npm ci` there (scripts/test does)",
        dir.display()
    );
    let server = start_https().await;
    for algorithm in ["AMZN-PAY-RSASSA-PSS", "AMZN-PAY-RSASSA-PSS-V2"] {
        let base_url = server.base_url.clone();
        let ca = server.ca.clone();
        let token = server.admin_token.clone();
        let dir = dir.clone();
        let output = tokio::task::spawn_blocking(move || {
            Command::new("node")
                .arg(script)
                .current_dir(&dir)
                .env("EMULATOR_URL", &base_url)
                .env("ADMIN_TOKEN", &token)
                .env("NODE_EXTRA_CA_CERTS", &ca)
                .env("SIGNING_ALGORITHM", algorithm)
                .output()
        })
        .await
        .unwrap()
        .expect("run node (is Node.js installed?)");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "node {script} failed with {algorithm}:\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        assert!(stdout.contains(done), "{stdout}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_nodejs_sdk_completes_a_checkout_with_both_algorithms() {
    run_script("checkout.js", "checkout completed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_nodejs_sdk_captures_refunds_cancels_and_closes_with_both_algorithms() {
    run_script("payments.js", "payments done").await;
}

/// The official Node.js SDK against fault rules answering 503 twice, then 429: the script
/// asserts that each call sends exactly one request (no retries) and that every attempt carries
/// the caller's idempotency key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_nodejs_sdk_does_not_retry_503_or_429_answers() {
    run_script("retries.js", "no retries observed").await;
}
