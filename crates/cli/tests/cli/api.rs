//! Resource commands against a one-shot local HTTP server: requests, output and exit codes.

use serde_json::Value;

use crate::helpers::{
    Sandbox, assert_signature_verifies, endpoint_args, serve_once, test_key_file,
};

fn args<'a>(owned: &'a [String], command: &[&'a str]) -> Vec<&'a str> {
    let mut all: Vec<&str> = command.to_vec();
    all.extend(owned.iter().map(String::as_str));
    all
}

#[test]
fn a_successful_call_prints_the_answer_and_exits_zero() {
    let (port, received) = serve_once(
        200,
        r#"{"checkoutSessionId":"S1","statusDetails":{"state":"Completed"},"unmodelled":true}"#,
    );
    let connection = endpoint_args(port);

    let run = Sandbox::new().run(
        &args(
            &connection,
            &[
                "checkout-session",
                "complete",
                "S1",
                "--amount",
                "14",
                "--currency",
                "usd",
                "-v",
            ],
        ),
        "",
        &[],
    );

    assert_eq!(run.code, 0, "{run:?}");
    let output: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        output["unmodelled"], true,
        "the answer is printed as received"
    );
    assert!(
        run.stdout.contains("\n  \"checkoutSessionId\""),
        "pretty by default: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("request-id test-request-1 attempts 1"),
        "{run:?}"
    );
    let request = received.recv().unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/v2/checkoutSessions/S1/complete");
    assert_eq!(
        request.body,
        br#"{"chargeAmount":{"amount":"14.00","currencyCode":"USD"}}"#
    );
    assert_eq!(
        request.header("x-amz-pay-host"),
        Some(format!("127.0.0.1:{port}").as_str())
    );
    assert_eq!(request.header("x-amz-pay-region"), Some("eu"));
    assert_eq!(
        request.header("x-amz-pay-idempotency-key").map(str::len),
        Some(32)
    );
    assert_signature_verifies(&request);
}

#[test]
fn an_api_error_exits_three_and_prints_the_error_document() {
    let (port, _received) = serve_once(
        404,
        r#"{"reasonCode":"ResourceNotFound","message":"no such charge"}"#,
    );
    let connection = endpoint_args(port);

    let run = Sandbox::new().run(
        &args(&connection, &["charge", "get", "C404", "--json"]),
        "",
        &[],
    );

    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(
        run.stdout.trim(),
        r#"{"reasonCode":"ResourceNotFound","message":"no such charge"}"#
    );
    assert!(
        run.stderr
            .contains("HTTP 404 ResourceNotFound: no such charge (request id test-request-1)"),
        "{run:?}"
    );
}

#[test]
fn a_body_from_stdin_and_call_options_are_sent() {
    let (port, received) = serve_once(201, r#"{"refundId":"R1"}"#);
    let connection = endpoint_args(port);

    let run = Sandbox::new().run(
        &args(
            &connection,
            &[
                "refund",
                "create",
                "--body",
                "-",
                "--idempotency-key",
                "refund-order-7",
                "--simulation-code",
                "RefundDeclined",
                "--header",
                "x-amz-pay-integrator-id: shop",
            ],
        ),
        r#"{"chargeId":"C1","refundAmount":{"amount":2,"currencyCode":"EUR"}}"#,
        &[],
    );

    assert_eq!(run.code, 0, "{run:?}");
    let request = received.recv().unwrap();
    assert_eq!(request.target, "/v2/refunds");
    assert_eq!(
        request.body,
        br#"{"chargeId":"C1","refundAmount":{"amount":"2.00","currencyCode":"EUR"}}"#
    );
    assert_eq!(
        request.header("x-amz-pay-idempotency-key"),
        Some("refund-order-7")
    );
    assert_eq!(
        request.header("x-amz-pay-simulation-code"),
        Some("RefundDeclined")
    );
    assert_eq!(request.header("x-amz-pay-integrator-id"), Some("shop"));
    assert_signature_verifies(&request);
}

#[test]
fn a_profile_file_and_environment_overrides_configure_the_call() {
    let (port, received) = serve_once(200, r#"{"chargePermissionId":"P1"}"#);
    let sandbox = Sandbox::new();
    let key = test_key_file();
    let config = sandbox.path("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profile.emulator]\npublic_key_id = \"SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B\"\nprivate_key_file = \"{}\"\nregion = \"jp\"\nendpoint = \"http://127.0.0.1:{port}\"\n",
            key.display()
        ),
    )
    .unwrap();
    let config_path = config.display().to_string();

    let run = sandbox.run(
        &["charge-permission", "get", "P1"],
        "",
        &[
            ("AMZPAY_CONFIG", &config_path),
            ("AMZPAY_PROFILE", "emulator"),
            ("AMZPAY_REGION", "uk"),
        ],
    );

    assert_eq!(run.code, 0, "{run:?}");
    let request = received.recv().unwrap();
    assert_eq!(request.target, "/v2/chargePermissions/P1");
    assert_eq!(
        request.header("x-amz-pay-region"),
        Some("eu"),
        "the environment overrides the profile"
    );
    assert_signature_verifies(&request);
}

#[test]
fn a_refused_connection_exits_one_and_says_nothing_was_sent() {
    // Bind and drop a listener so the port is closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let connection = endpoint_args(port);

    let run = Sandbox::new().run(&args(&connection, &["buyer", "get", "TOKEN"]), "", &[]);

    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("could not connect"), "{run:?}");
}
