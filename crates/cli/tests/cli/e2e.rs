//! End to end: the real `amzpay emulator serve` (HTTPS with its generated CA), driven by the SDK
//! and by the CLI through a whole checkout.
//!
//! Each test starts its own emulator on a free loopback port with a fresh data folder and a fresh
//! merchant, and stops it when done.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use amzpay::completion::{Completed, CompletionOutcome, NotCompleted, NotCompletedReason};
use amzpay::types::{
    ApiErrorCode, CaptureChargeRequest, ChargePermissionState, ChargeState,
    CloseChargePermissionRequest, CreateCheckoutSessionRequest, CreateDeliveryTrackerRequest,
    CreateRefundRequest, Currency, DeliveryDetail, PaymentDetailsInput, PaymentIntent, Price,
    RefundState, UpdateCheckoutSessionRequest, WebCheckoutDetailsInput,
};
use amzpay::{Client, Config, Region};
use serde_json::Value;

use crate::helpers::{Run, Sandbox, s};

/// A running emulator with one merchant.
struct Emulator {
    child: Child,
    sandbox: Sandbox,
    url: String,
    ca: PathBuf,
    merchant: Value,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Emulator {
    fn start() -> Emulator {
        let sandbox = Sandbox::new();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let data = sandbox.path("data");
        let child = Command::new(env!("CARGO_BIN_EXE_amzpay"))
            .args([
                "emulator",
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
                s(&data),
            ])
            .current_dir(sandbox.dir.path())
            .env("HOME", sandbox.dir.path())
            .env_remove("AMZPAY_CA_CERT")
            .env_remove("AMZPAY_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator starts");
        let url = format!("https://127.0.0.1:{port}");
        let mut emulator = Emulator {
            child,
            sandbox,
            url,
            ca: data.join("tls").join("ca.pem"),
            merchant: Value::Null,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !(emulator.ca.exists() && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()) {
            assert!(
                Instant::now() < deadline,
                "the emulator did not start listening on {port}"
            );
            assert!(
                emulator.child.try_wait().unwrap().is_none(),
                "the emulator exited early"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let run = emulator.admin(&["merchant", "create", "--json"]);
        assert_eq!(run.code, 0, "{run:?}");
        emulator.merchant = serde_json::from_str(&run.stdout).expect("merchant JSON");
        emulator
    }

    fn admin_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AMZPAY_EMULATOR_URL", self.url.clone()),
            (
                "AMZPAY_DATA_DIR",
                self.sandbox.path("data").display().to_string(),
            ),
        ]
    }

    /// `amzpay emulator ARGS...`.
    fn admin(&self, args: &[&str]) -> Run {
        let mut all = vec!["emulator"];
        all.extend(args);
        let env = self.admin_env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.sandbox.run(&all, "", &env)
    }

    fn field(&self, name: &str) -> String {
        self.merchant[name]
            .as_str()
            .unwrap_or_else(|| panic!("merchant has no {name}"))
            .to_owned()
    }

    fn key_file(&self) -> String {
        self.field("privateKeyPath")
    }

    /// The merchant's API settings as `AMZPAY_*` variables.
    fn api_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AMZPAY_PUBLIC_KEY_ID", self.field("publicKeyId")),
            ("AMZPAY_PRIVATE_KEY_FILE", self.key_file()),
            ("AMZPAY_REGION", "na".to_owned()),
            ("AMZPAY_ENDPOINT", self.url.clone()),
            ("AMZPAY_CA_CERT", self.ca.display().to_string()),
        ]
    }

    /// `amzpay ARGS...` as the merchant, with `stdin`.
    fn cli(&self, args: &[&str], stdin: &str) -> Run {
        let env = self.api_env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.sandbox.run(args, stdin, &env)
    }

    /// `amzpay ARGS...` as the merchant, which must succeed: the JSON document it prints.
    fn cli_json(&self, args: &[&str], stdin: &str) -> Value {
        let run = self.cli(args, stdin);
        assert_eq!(run.code, 0, "{run:?}");
        serde_json::from_str(&run.stdout).unwrap()
    }

    fn client(&self) -> Client {
        let config = Config::builder()
            .public_key_id(self.field("publicKeyId"))
            .private_key_file(self.key_file())
            .region(Region::Na)
            .endpoint(&self.url)
            .unwrap()
            .ca_cert_file(&self.ca)
            .build()
            .unwrap();
        Client::new(config).unwrap()
    }

    /// Signs the test buyer in with `instrument` and runs the payment step, as a browser would.
    fn buyer_pays(&self, session_id: &str, instrument: &str) {
        let run = self.admin(&["buyer", "sign-in", session_id, "--instrument", instrument]);
        assert_eq!(run.code, 0, "{run:?}");
        let run = self.admin(&["buyer", "pay", session_id]);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(
            run.stdout
                .contains(&format!("amazonCheckoutSessionId={session_id}")),
            "{run:?}"
        );
    }
}

fn usd(amount: &str) -> Price {
    Price::parse(amount, Currency::Usd).unwrap()
}

/// Creates a session and sets its amount and result URL, as the review page does.
async fn session_ready_for_payment(emulator: &Emulator, client: &Client) -> String {
    session_ready_with_intent(emulator, client, PaymentIntent::AuthorizeWithCapture).await
}

/// [`session_ready_for_payment`] with another payment intent.
async fn session_ready_with_intent(
    emulator: &Emulator,
    client: &Client,
    intent: PaymentIntent,
) -> String {
    let session = client
        .create_checkout_session(&CreateCheckoutSessionRequest {
            web_checkout_details: WebCheckoutDetailsInput {
                checkout_review_return_url: Some("https://shop.example/review".into()),
                ..Default::default()
            },
            store_id: emulator.field("storeId").into(),
            ..Default::default()
        })
        .await
        .expect("create checkout session");
    assert_eq!(session.status(), 201);
    let id = session.checkout_session_id.to_string();
    client
        .update_checkout_session(
            &id,
            &UpdateCheckoutSessionRequest {
                web_checkout_details: Some(WebCheckoutDetailsInput {
                    checkout_result_return_url: Some("https://shop.example/result".into()),
                    ..Default::default()
                }),
                payment_details: Some(PaymentDetailsInput {
                    payment_intent: Some(intent),
                    charge_amount: Some(usd("14.00")),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .expect("update checkout session");
    id
}

/// Readies a session with `intent`, lets the buyer pay with `instrument` and completes the
/// checkout for `amount` USD.
async fn pay_and_complete(
    emulator: &Emulator,
    client: &Client,
    intent: PaymentIntent,
    instrument: &str,
    amount: &str,
) -> CompletionOutcome {
    let id = session_ready_with_intent(emulator, client, intent).await;
    emulator.buyer_pays(&id, instrument);
    client
        .complete_checkout(&id, usd(amount), None)
        .await
        .expect("an outcome")
}

#[track_caller]
fn completed(outcome: CompletionOutcome) -> Completed {
    let CompletionOutcome::Completed(done) = outcome else {
        panic!("not completed: {outcome:?}")
    };
    done
}

#[track_caller]
fn not_completed(outcome: CompletionOutcome) -> NotCompleted {
    let CompletionOutcome::NotCompleted(failed) = outcome else {
        panic!("completed: {outcome:?}")
    };
    failed
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sdk_completes_a_checkout_against_the_emulator_and_a_repeat_is_recovered() {
    // Arrange
    let emulator = Emulator::start();
    let client = emulator.client();
    let id = session_ready_for_payment(&emulator, &client).await;
    emulator.buyer_pays(&id, "1111");

    // Act
    let first = client
        .complete_checkout(&id, usd("14"), None)
        .await
        .expect("complete");
    // A merchant whose first answer was lost calls again: the session is already completed.
    let second = client
        .complete_checkout(&id, usd("14.00"), None)
        .await
        .expect("complete again");

    // Assert
    let done = completed(first);
    assert!(!done.recovered);
    let charge = done
        .charge
        .clone()
        .expect("AuthorizeWithCapture creates a charge");
    assert_eq!(charge.state, Some(ChargeState::Captured));
    assert!(done.retention.must_persist_buyer_data());
    let again = completed(second);
    assert!(again.recovered);
    assert_eq!(again.charge_permission_id, done.charge_permission_id);
    assert_eq!(
        again.charge.map(|c| c.charge_id),
        Some(charge.charge_id.clone())
    );
    let permission = client
        .get_charge_permission(&done.charge_permission_id)
        .await
        .expect("get permission");
    assert_eq!(permission.charge_permission_id, done.charge_permission_id);
    let fetched = client
        .get_charge(&charge.charge_id)
        .await
        .expect("get charge");
    assert_eq!(fetched.charge_amount, Some(usd("14.00")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sdk_captures_refunds_ships_and_closes_after_an_authorize_checkout() {
    // Arrange: a completed checkout with an authorized (not captured) charge.
    let emulator = Emulator::start();
    let client = emulator.client();
    let outcome = pay_and_complete(
        &emulator,
        &client,
        PaymentIntent::Authorize,
        "1111",
        "14.00",
    );
    let done = completed(outcome.await);
    let charge_id = done.charge.expect("Authorize creates a charge").charge_id;

    // Act and assert, step by step, as a merchant's back office does.
    let authorized = client.get_charge(&charge_id).await.expect("get charge");
    assert_eq!(authorized.state(), &ChargeState::Authorized);

    let captured = client
        .capture_charge(&charge_id, &CaptureChargeRequest::new(usd("14.00")))
        .await
        .expect("capture");
    assert_eq!(captured.state(), &ChargeState::Captured);

    let refund = client
        .create_refund(&CreateRefundRequest::new(charge_id.clone(), usd("4.00")))
        .await
        .expect("refund");
    assert_eq!(refund.status(), 201);
    assert_eq!(refund.state(), &RefundState::RefundInitiated);
    // Refunds settle later; the virtual clock makes "later" now.
    let run = emulator.admin(&[
        "clock",
        "advance",
        "--merchant",
        &emulator.field("merchantId"),
        "1h",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let refunded = client
        .get_refund(&refund.refund_id)
        .await
        .expect("get refund");
    assert_eq!(refunded.state(), &RefundState::Refunded);
    let charge = client.get_charge(&charge_id).await.expect("get charge");
    assert_eq!(charge.refunded_amount, Some(usd("4.00")));

    // In all more than captured plus 15 % (14.00 + 2.10) is refused with Amazon's reason code:
    // 4.00 + 12.20 = 16.20 > 16.10.
    let error = client
        .create_refund(&CreateRefundRequest::new(charge_id.clone(), usd("12.20")))
        .await
        .expect_err("over the refund limit");
    let api = error.as_api().expect("an API error");
    assert_eq!(api.status(), 400, "{error:?}");
    assert_eq!(
        api.reason_code(),
        Some(&ApiErrorCode::TransactionAmountExceeded),
        "{error:?}"
    );

    let tracker = client
        .create_delivery_tracker(&CreateDeliveryTrackerRequest::new(
            done.charge_permission_id.clone(),
            vec![DeliveryDetail::new("1Z999AA10123456784", "UPS")],
        ))
        .await
        .expect("delivery tracker");
    assert_eq!(tracker.delivery_details.as_ref().map(Vec::len), Some(1));

    // Capturing the whole OneTime amount closed the permission (AmazonClosed); closing it again
    // is refused.
    let permission = client
        .get_charge_permission(&done.charge_permission_id)
        .await
        .expect("get permission");
    assert_eq!(permission.state(), &ChargePermissionState::Closed);
    let reasons: Vec<&str> = permission
        .status_details
        .reasons
        .iter()
        .flatten()
        .map(|r| r.reason_code.as_str())
        .collect();
    assert_eq!(reasons, ["AmazonClosed"]);
    let error = client
        .close_charge_permission(
            &done.charge_permission_id,
            &CloseChargePermissionRequest::new("Order shipped"),
        )
        .await
        .expect_err("already closed");
    assert_eq!(
        error.reason_code(),
        Some(&ApiErrorCode::InvalidChargePermissionStatus),
        "{error:?}"
    );

    // A Confirm checkout leaves a Chargeable permission, which the merchant closes.
    let outcome = pay_and_complete(&emulator, &client, PaymentIntent::Confirm, "1111", "14.00");
    let confirmed = completed(outcome.await);
    assert!(confirmed.charge.is_none(), "Confirm creates no charge");
    let closed = client
        .close_charge_permission(
            &confirmed.charge_permission_id,
            &CloseChargePermissionRequest::new("Order canceled"),
        )
        .await
        .expect("close");
    assert_eq!(closed.state(), &ChargePermissionState::Closed);
}

/// A checkout on a fresh emulator, paid with `instrument` and completed for `amount` USD, that
/// must end not completed for `reason`.
async fn checkout_not_completed(
    instrument: &str,
    amount: &str,
    reason: NotCompletedReason,
) -> NotCompleted {
    let emulator = Emulator::start();
    let client = emulator.client();
    let intent = PaymentIntent::AuthorizeWithCapture;

    let outcome = pay_and_complete(&emulator, &client, intent, instrument, amount).await;

    let failed = not_completed(outcome);
    assert_eq!(failed.reason, reason);
    failed
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declined_payment_is_not_completed_with_the_buyer_message() {
    let failed = checkout_not_completed("declined", "14.00", NotCompletedReason::Declined).await;
    assert_eq!(
        failed.buyer_message,
        amzpay::completion::PAYMENT_NOT_SUCCESSFUL
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_amount_is_an_amount_mismatch() {
    checkout_not_completed("1111", "15.00", NotCompletedReason::AmountMismatch).await;
}

#[test]
fn ping_says_a_running_emulator_answers_trusting_its_ca() {
    let emulator = Emulator::start();
    // No admin token, no CA flag: the data directory's CA is found like the other commands do.
    let run = emulator.admin(&["ping", "--url", &emulator.url]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("ok: "), "{run:?}");
}

#[test]
fn the_cli_drives_a_checkout_against_the_emulator() {
    let emulator = Emulator::start();
    let create = serde_json::json!({
        "webCheckoutDetails": {"checkoutReviewReturnUrl": "https://shop.example/review", "checkoutResultReturnUrl": "https://shop.example/result"},
        "storeId": emulator.field("storeId"),
        "paymentDetails": {"paymentIntent": "AuthorizeWithCapture", "chargeAmount": {"amount": "14.00", "currencyCode": "USD"}}
    });

    let session = emulator.cli_json(
        &["checkout-session", "create", "--body", "-", "--json"],
        &create.to_string(),
    );
    let id = session["checkoutSessionId"].as_str().unwrap().to_owned();
    emulator.buyer_pays(&id, "1111");

    let complete = [
        "checkout-session",
        "complete",
        &id,
        "--amount",
        "14",
        "--currency",
        "USD",
        "--json",
    ];
    let completed = emulator.cli_json(&complete, "");
    assert_eq!(completed["statusDetails"]["state"], "Completed");
    let charge_id = completed["chargeId"].as_str().unwrap().to_owned();

    let charge = emulator.cli_json(&["charge", "get", &charge_id, "--json"], "");
    assert_eq!(charge["statusDetails"]["state"], "Captured");

    let refund = emulator.cli_json(
        &[
            "refund",
            "create",
            "--charge-id",
            &charge_id,
            "--amount",
            "2.50",
            "--currency",
            "USD",
            "--json",
        ],
        "",
    );
    assert_eq!(refund["refundAmount"]["amount"], "2.50");
    let refund_id = refund["refundId"].as_str().unwrap().to_owned();
    let fetched = emulator.cli_json(&["refund", "get", &refund_id, "--json"], "");
    assert_eq!(fetched["chargeId"], charge_id.as_str());

    let permission_id = completed["chargePermissionId"].as_str().unwrap().to_owned();
    let tracker = emulator.cli_json(
        &[
            "delivery-tracker",
            "create",
            "--charge-permission-id",
            &permission_id,
            "--tracking-number",
            "1Z999AA10123456784",
            "--carrier-code",
            "UPS",
            "--json",
        ],
        "",
    );
    assert_eq!(
        tracker["deliveryDetails"][0]["trackingNumber"],
        "1Z999AA10123456784"
    );

    // A second Complete is an API error: exit code 3 and the error document on stdout.
    let run = emulator.cli(&complete, "");
    assert_eq!(run.code, 3, "{run:?}");
    let error: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(error["reasonCode"], "InvalidCheckoutSessionStatus");
}

#[test]
fn serve_names_the_generated_admin_token_file_but_never_prints_the_token() {
    use std::io::BufRead;
    let sandbox = Sandbox::new();
    let data = sandbox.path("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_amzpay"))
        .args([
            "emulator",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls",
            "off",
            "--data-dir",
            s(&data),
        ])
        .current_dir(sandbox.dir.path())
        .env("HOME", sandbox.dir.path())
        .env_remove("AMZPAY_ADMIN_TOKEN")
        .env_remove("AMZPAY_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the emulator starts");
    let stdout = child.stdout.take().unwrap();
    // The banner is written before the server runs: read it until its admin token line.
    let mut printed = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.starts_with("admin token");
        printed.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();

    let token = std::fs::read_to_string(data.join("admin-token")).unwrap();
    let printed = printed.join("\n");
    assert!(!token.trim().is_empty());
    assert!(!printed.contains(token.trim()), "{printed}");
    assert!(
        printed.contains(&data.join("admin-token").display().to_string()),
        "{printed}"
    );
}

#[tokio::test]
async fn the_cli_adds_lists_and_clears_fault_rules_that_the_api_obeys() {
    // Arrange
    let emulator = Emulator::start();
    let merchant_id = emulator.field("merchantId");
    let added = emulator.admin(&[
        "fault",
        "add",
        "error",
        "--status",
        "503",
        "--operation",
        "CreateCheckoutSession",
        "--merchant",
        &merchant_id,
        "--count",
        "1",
    ]);
    assert_eq!(added.code, 0, "{added:?}");
    let id = added.stdout.trim().to_owned();
    assert!(id.starts_with("fault-"), "{added:?}");
    let client = Client::new(
        Config::builder()
            .public_key_id(emulator.field("publicKeyId"))
            .private_key_file(emulator.key_file())
            .region(Region::Na)
            .endpoint(&emulator.url)
            .unwrap()
            .ca_cert_file(&emulator.ca)
            .max_attempts(1)
            .build()
            .unwrap(),
    )
    .unwrap();
    let request = CreateCheckoutSessionRequest {
        web_checkout_details: WebCheckoutDetailsInput {
            checkout_review_return_url: Some("https://shop.example/review".into()),
            ..Default::default()
        },
        store_id: emulator.field("storeId").into(),
        ..Default::default()
    };

    // Act
    let refused = client
        .create_checkout_session(&request)
        .await
        .expect_err("the rule answers 503");
    let listed = emulator.admin(&["fault", "list"]);
    let accepted = client.create_checkout_session(&request).await;
    let cleared = emulator.admin(&["fault", "clear"]);
    let empty = emulator.admin(&["fault", "list", "--json"]);

    // Assert
    let api = refused.as_api().expect("an API error");
    assert_eq!(api.status(), 503);
    assert_eq!(api.reason_code(), Some(&ApiErrorCode::ServiceUnavailable));
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(
        listed.stdout.contains(&id)
            && listed.stdout.contains("error")
            && listed.stdout.contains("operation=CreateCheckoutSession")
            && listed.stdout.contains("hits=1"),
        "{listed:?}"
    );
    accepted.expect("the rule was used up");
    assert_eq!(cleared.stdout.trim(), "deleted 1 rule(s)", "{cleared:?}");
    let empty: Value = serde_json::from_str(&empty.stdout).unwrap();
    assert_eq!(empty["rules"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_sets_ipn_endpoints_lists_shows_and_redelivers_notifications() {
    // Arrange: a receiver that accepts one notification, then goes away.
    let emulator = Emulator::start();
    let merchant_id = emulator.field("merchantId");
    let (port, received) = crate::helpers::serve_once(200, "{}");
    let url = format!("http://127.0.0.1:{port}/ipn");
    let bad = emulator.admin(&[
        "merchant",
        "update",
        &merchant_id,
        "--ipn-url",
        "http://shop.example/ipn",
    ]);
    let set = emulator.admin(&[
        "merchant",
        "update",
        &merchant_id,
        "--ipn-url",
        &url,
        "--ipn-signature-version",
        "1",
    ]);
    let client = emulator.client();

    // Act: a checkout notifies its permission first; the receiver gets it.
    let done = completed(
        pay_and_complete(
            &emulator,
            &client,
            PaymentIntent::Authorize,
            "1111",
            "14.00",
        )
        .await,
    );
    let first = received
        .recv_timeout(Duration::from_secs(30))
        .expect("the emulator posts the first notification");
    let listed = loop {
        // The attempt is recorded right after the receiver answers.
        let run = emulator.admin(&[
            "notifications",
            "list",
            "--merchant",
            &merchant_id,
            "--json",
        ]);
        assert_eq!(run.code, 0, "{run:?}");
        let list: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
        if list.iter().any(|n| n["state"] == "delivered") {
            break list;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let delivered = listed.iter().find(|n| n["state"] == "delivered").unwrap();
    let id = delivered["id"].to_string();
    let shown = emulator.admin(&["notifications", "show", &id]);
    let again = emulator.admin(&["notifications", "redeliver", &id]);
    let charge_id = done.charge.expect("Authorize creates a charge").charge_id;
    let chargeback = emulator.admin(&["simulate", "chargeback", charge_id.as_str()]);

    // Assert
    assert_ne!(bad.code, 0, "{bad:?}");
    assert!(bad.stderr.contains("http://"), "{bad:?}");
    assert_eq!(set.code, 0, "{set:?}");
    assert!(
        set.stdout.contains(&url) && set.stdout.contains("signatureVersion:  1"),
        "{set:?}"
    );
    assert_eq!(first.method, "POST");
    assert_eq!(
        first.header("content-type"),
        Some("text/plain; charset=UTF-8")
    );
    let envelope: Value = serde_json::from_slice(&first.body).unwrap();
    assert_eq!(envelope["SignatureVersion"], "1");
    let message: Value = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
    assert_eq!(message["ObjectType"], "CHARGE_PERMISSION");
    assert_eq!(delivered["objectType"], "CHARGE_PERMISSION");
    assert_eq!(shown.code, 0, "{shown:?}");
    assert!(
        shown.stdout.contains("attempt 1") && shown.stdout.contains("HTTP 200"),
        "{shown:?}"
    );
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("pending"), "{again:?}");
    // An Authorize checkout's charge is not captured: no chargeback.
    assert_ne!(chargeback.code, 0, "{chargeback:?}");
    assert!(
        chargeback.stderr.contains("InvalidChargeStatus"),
        "{chargeback:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sdk_and_amzpay_notifications_verify_accept_what_the_emulator_sends() {
    // Arrange: a receiver, and the two CAs a receiver of the emulator trusts: the TLS CA for the
    // certificate download, the SNS CA (served by the emulator) for the issuer check.
    let emulator = Emulator::start();
    let merchant_id = emulator.field("merchantId");
    let (port, received) = crate::helpers::serve_once(200, "{}");
    let set = emulator.admin(&[
        "merchant",
        "update",
        &merchant_id,
        "--ipn-url",
        &format!("http://127.0.0.1:{port}/ipn"),
        "--ipn-signature-version",
        "2",
    ]);
    assert_eq!(set.code, 0, "{set:?}");
    let host = emulator.url.trim_start_matches("https://").to_owned();
    let tls_ca = std::fs::read(&emulator.ca).unwrap();
    let sns_ca = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&tls_ca).unwrap())
        .build()
        .unwrap()
        .get(format!("{}/__sns/ca.pem", emulator.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sns_ca_file = emulator.sandbox.path("sns-ca.pem");
    std::fs::write(&sns_ca_file, &sns_ca).unwrap();
    let verifier = amzpay::notifications::Verifier::builder()
        .trust_host_with_ca(&host, &tls_ca)
        .require_issuer(&sns_ca)
        .build()
        .unwrap();
    let client = emulator.client();
    completed(
        pay_and_complete(
            &emulator,
            &client,
            PaymentIntent::Authorize,
            "1111",
            "14.00",
        )
        .await,
    );
    let first = received
        .recv_timeout(Duration::from_secs(30))
        .expect("the emulator posts the first notification");
    let body = String::from_utf8(first.body).unwrap();
    let body_file = emulator.sandbox.path("ipn.json");
    std::fs::write(&body_file, &body).unwrap();

    // Act
    let verified = verifier.verify(&body).await;
    let cli = emulator.sandbox.run(
        &[
            "notifications",
            "verify",
            s(&body_file),
            "--trust-host",
            &host,
            "--trust-ca",
            s(&emulator.ca),
            "--issuer-ca",
            s(&sns_ca_file),
            "--json",
        ],
        "",
        &[],
    );
    let untrusted = emulator
        .sandbox
        .run(&["notifications", "verify", s(&body_file)], "", &[]);
    let wrong_issuer = amzpay::notifications::Verifier::builder()
        .trust_host_with_ca(&host, &tls_ca)
        .require_issuer(&tls_ca)
        .build()
        .unwrap()
        .verify(&body)
        .await;

    // Assert
    let verified = verified.unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(verified.envelope.signature_version(), "2");
    assert_eq!(
        verified.notification.object_type,
        amzpay::notifications::ObjectType::ChargePermission
    );
    assert_eq!(verified.notification.merchant_id, merchant_id);
    assert_eq!(cli.code, 0, "{cli:?}");
    let printed: Value = serde_json::from_str(cli.stdout.trim()).unwrap();
    assert_eq!(printed["notification"]["ObjectType"], "CHARGE_PERMISSION");
    assert_eq!(untrusted.code, 1, "{untrusted:?}");
    assert!(
        untrusted.stderr.contains("(untrusted_cert_host)"),
        "{untrusted:?}"
    );
    // The TLS CA did not issue the signing certificate: the SNS CA did.
    assert_eq!(
        wrong_issuer.unwrap_err().kind(),
        amzpay::notifications::VerifyErrorKind::CertificateNotTrusted
    );
}

#[test]
fn logs_lists_filters_and_shows_the_journal_of_a_running_emulator() {
    // Arrange
    let emulator = Emulator::start();
    let create = serde_json::json!({
        "webCheckoutDetails": {"checkoutReviewReturnUrl": "https://shop.example/review"},
        "storeId": emulator.field("storeId"),
    });
    let session = emulator.cli_json(
        &["checkout-session", "create", "--body", "-", "--json"],
        &create.to_string(),
    );
    let id = session["checkoutSessionId"].as_str().unwrap().to_owned();
    let missing = emulator.cli(
        &["charge", "get", "S01-0000000-0000000-C000000", "--json"],
        "",
    );
    assert_eq!(missing.code, 3, "{missing:?}");

    // Act
    let every = emulator.admin(&["logs", "--json"]);
    let failed = emulator.admin(&["logs", "--status", "4xx"]);
    let merchant = emulator.field("merchantId");
    let of_merchant = emulator.admin(&["logs", "--merchant", &merchant, "--json"]);

    // Assert
    assert_eq!(every.code, 0, "{every:?}");
    let lines: Vec<Value> = every
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let created = lines
        .iter()
        .find(|e| e["operation"] == "CreateCheckoutSession")
        .expect("the create is journaled");
    assert_eq!(created["status"], 201);
    // Oldest first: the merchant's creation, then the session, then the failed read.
    assert_eq!(lines[0]["path"], "/__admin/merchants");
    assert_eq!(lines.last().unwrap()["operation"], "GetCharge");
    assert_eq!(failed.code, 0, "{failed:?}");
    assert_eq!(failed.stdout.lines().count(), 1, "{failed:?}");
    assert!(
        failed.stdout.contains(
            " 404 GET /v2/charges/S01-0000000-0000000-C000000 GetCharge ResourceNotFound "
        ),
        "{failed:?}"
    );
    assert_eq!(of_merchant.stdout.lines().count(), 2, "{of_merchant:?}");

    let request_id = created["requestId"].as_str().unwrap();
    let shown = emulator.admin(&["logs", "show", request_id]);
    assert_eq!(shown.code, 0, "{shown:?}");
    assert!(shown.stdout.contains(&id), "{shown:?}");
    assert!(
        shown.stdout.contains("> x-amz-pay-idempotency-key: "),
        "{shown:?}"
    );
    assert!(shown.stdout.contains("\n< 201\n"), "{shown:?}");
    let unknown = emulator.admin(&["logs", "show", "no-such-request"]);
    assert_ne!(unknown.code, 0, "{unknown:?}");
    assert!(unknown.stderr.contains("ResourceNotFound"), "{unknown:?}");
}

#[test]
fn logs_follow_prints_new_requests_as_they_arrive() {
    use std::io::BufRead as _;
    // Arrange
    let emulator = Emulator::start();
    let mut command = Command::new(env!("CARGO_BIN_EXE_amzpay"));
    command
        .args(["emulator", "logs", "--follow", "--json", "--status", "4xx"])
        .current_dir(emulator.sandbox.dir.path())
        .env("HOME", emulator.sandbox.dir.path())
        .env_remove("AMZPAY_ADMIN_TOKEN")
        .env_remove("AMZPAY_CA_CERT");
    for (name, value) in emulator.admin_env() {
        command.env(name, value);
    }
    let mut follower = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = follower.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(1500));

    // Act
    let missing = emulator.cli(
        &["refund", "get", "S01-0000000-0000000-R000000", "--json"],
        "",
    );

    // Assert
    assert_eq!(missing.code, 3, "{missing:?}");
    let line = rx.recv_timeout(Duration::from_secs(10));
    let _ = follower.kill();
    let _ = follower.wait();
    let entry: Value = serde_json::from_str(&line.expect("a line within 10 s")).unwrap();
    assert_eq!(entry["operation"], "GetRefund");
    assert_eq!(entry["status"], 404);
}
