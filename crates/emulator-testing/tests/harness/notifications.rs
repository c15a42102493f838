//! Notifications from an emulator in the test process to a receiver in the test process, and
//! the proof that they are signed as SNS signs: the npm package `sns-validator` (not written
//! here) accepts them for both signature versions when told to trust the emulator's host and
//! CA, and rejects a tampered one.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use amzpay::types::PaymentIntent;
use amzpay_emulator_testing::{Emulator, Instrument, UpdateIpn};

use crate::{ready_session, usd};

/// A receiver on a loopback port that keeps every body it is sent; returns its URL.
async fn receiver(bodies: Arc<Mutex<Vec<String>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/ipn", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/ipn",
        axum::routing::post(move |body: String| {
            let bodies = bodies.clone();
            async move {
                bodies.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn node_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/node")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_independent_sns_verifier_accepts_both_signature_versions_and_rejects_tampering() {
    // Arrange: an HTTPS emulator (receivers fetch the signing certificate from it) and a
    // merchant whose notifications go to a local receiver.
    let validator = node_dir().join("node_modules/sns-validator");
    assert!(
        validator.exists(),
        "sns-validator is not installed in tests/node; run `npm ci` there (scripts/test does)"
    );
    let emu = Emulator::builder().https(true).start().await.unwrap();
    let merchant = emu.merchant().await.unwrap();
    let client = merchant.client().unwrap();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let url = receiver(bodies.clone()).await;
    emu.notifications()
        .set_endpoints(&merchant, &[&url])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();

    // Act: one checkout signed with each version; keep the first envelope of each.
    for version in [1u8, 2] {
        emu.notifications()
            .update(
                &merchant,
                &UpdateIpn {
                    signature_version: Some(version),
                    ..UpdateIpn::default()
                },
            )
            .await
            .unwrap();
        let id = ready_session(
            &client,
            &merchant,
            PaymentIntent::AuthorizeWithCapture,
            "9.00",
        )
        .await;
        emu.buyer(&id).sign_in(Instrument::Success).await.unwrap();
        emu.buyer(&id).pay().await.unwrap();
        client
            .complete_checkout(&id, usd("9.00"), None)
            .await
            .unwrap();
        bodies.lock().unwrap().clear();
        emu.notifications().dispatch().await.unwrap();
        let body = bodies.lock().unwrap().first().cloned();
        let body = body.expect("the receiver got the checkout's notifications");
        let envelope: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(envelope["SignatureVersion"], version.to_string());
        let path = dir.path().join(format!("v{version}.json"));
        std::fs::write(&path, &body).unwrap();
        files.push(path);
    }
    let original = std::fs::read_to_string(&files[1]).unwrap();
    let mut tampered: serde_json::Value = serde_json::from_str(&original).unwrap();
    tampered["Message"] = tampered["Message"]
        .as_str()
        .unwrap()
        .replace("CHARGE", "REFUND")
        .into();
    let tampered_path = dir.path().join("tampered.json");
    std::fs::write(&tampered_path, tampered.to_string()).unwrap();
    files.push(tampered_path);
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, emu.ca_pem().expect("HTTPS has a CA")).unwrap();
    let host = emu.base_url().trim_start_matches("https://").to_owned();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg("sns-verify.js")
            .args(&files)
            .current_dir(node_dir())
            .env("NODE_EXTRA_CA_CERTS", &ca)
            .env(
                "SNS_HOST_PATTERN",
                format!("^{}$", host.replace('.', "\\.")),
            )
            .output()
    })
    .await
    .unwrap()
    .expect("run node (is Node.js installed?)");

    // Assert
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with("valid ") && lines[0].ends_with("v1.json"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("valid ") && lines[1].ends_with("v2.json"),
        "{stdout}"
    );
    assert!(
        lines[2].starts_with("invalid ") && lines[2].contains("tampered.json"),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_pending_authorization_is_resolved_by_the_clock_and_notified() {
    // Arrange
    let emu = Emulator::start().await.unwrap();
    let merchant = emu.merchant().await.unwrap();
    let client = merchant.client().unwrap();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let url = receiver(bodies.clone()).await;
    emu.notifications()
        .set_endpoints(&merchant, &[&url])
        .await
        .unwrap();
    let id = ready_session(&client, &merchant, PaymentIntent::Authorize, "30.00").await;
    emu.buyer(&id)
        .sign_in(Instrument::PendingThenAuthorized)
        .await
        .unwrap();
    emu.buyer(&id).pay().await.unwrap();
    client
        .complete_checkout(&id, usd("30.00"), None)
        .await
        .unwrap();
    emu.notifications().dispatch().await.unwrap();
    let before = bodies.lock().unwrap().len();

    // Act
    emu.clock(&merchant)
        .advance(std::time::Duration::from_secs(60))
        .await
        .unwrap();
    emu.notifications().dispatch().await.unwrap();

    // Assert: the timer's change was notified, and every delivery is recorded as delivered.
    let after = bodies.lock().unwrap().clone();
    let list = emu.notifications().list(&merchant).await.unwrap();
    assert!(after.len() > before, "{after:?} {list:?}");
    let last: serde_json::Value = serde_json::from_str(after.last().unwrap()).unwrap();
    let message: serde_json::Value =
        serde_json::from_str(last["Message"].as_str().unwrap()).unwrap();
    assert_eq!(message["ObjectType"], "CHARGE");
    assert_eq!(list.len(), after.len());
    assert!(list.iter().all(|n| n.state == "delivered"), "{list:?}");
}
