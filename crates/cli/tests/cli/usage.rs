//! Usage errors exit with 2 and say what is wrong; other failures exit with 1.

use crate::helpers::{Sandbox, s, test_key_file};

#[test]
fn no_command_is_a_usage_error() {
    let run = Sandbox::new().run(&[], "", &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("Usage"), "{run:?}");
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let run = Sandbox::new().run(&["charge", "get", "C1", "--bogus"], "", &[]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn a_missing_argument_is_a_usage_error() {
    let run = Sandbox::new().run(&["charge", "get"], "", &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("<ID>"), "{run:?}");
}

#[test]
fn help_is_printed_on_stdout_with_success() {
    let run = Sandbox::new().run(&["--help"], "", &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("checkout-session"), "{run:?}");
    assert!(run.stdout.contains("emulator"), "{run:?}");
}

fn with_key<'a>(key: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend([
        "--public-key-id",
        "SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B",
        "--private-key-file",
        key,
        "--region",
        "na",
    ]);
    all
}

#[test]
fn an_amount_without_a_currency_is_a_usage_error() {
    let key = test_key_file();
    let run = Sandbox::new().run(
        &with_key(s(&key), &["charge", "capture", "C1", "--amount", "1.00"]),
        "",
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("--amount and --currency go together"),
        "{run:?}"
    );
}

#[test]
fn a_capture_without_an_amount_or_body_is_a_usage_error() {
    let key = test_key_file();
    let run = Sandbox::new().run(&with_key(s(&key), &["charge", "capture", "C1"]), "", &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("give --amount and --currency, or a JSON --body"),
        "{run:?}"
    );
}

#[test]
fn a_body_that_does_not_fit_the_request_model_is_a_usage_error_naming_the_field() {
    let key = test_key_file();
    let run = Sandbox::new().run(
        &with_key(s(&key), &["refund", "create", "--body", "-"]),
        r#"{"chargeId":"C1","refundAmount":{"amount":"1.00","currencyCode":"USD"},"refundAmountt":1}"#,
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("refundAmountt"), "{run:?}");
}

#[test]
fn an_amount_with_too_many_decimals_is_a_usage_error() {
    let key = test_key_file();
    let run = Sandbox::new().run(
        &with_key(
            s(&key),
            &[
                "charge",
                "capture",
                "C1",
                "--amount",
                "1.005",
                "--currency",
                "USD",
            ],
        ),
        "",
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn a_missing_configuration_is_a_failure_that_says_what_is_missing() {
    let run = Sandbox::new().run(&["charge", "get", "C1"], "", &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("no public key id is configured"),
        "{run:?}"
    );
}

#[test]
fn a_named_profile_that_does_not_exist_is_an_error() {
    let sandbox = Sandbox::new();
    let config = sandbox.path("config.toml");
    std::fs::write(&config, "[profile.default]\nregion = \"na\"\n").unwrap();
    let run = sandbox.run(
        &[
            "charge",
            "get",
            "C1",
            "--config",
            s(&config),
            "--profile",
            "shop",
        ],
        "",
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("has no [profile.shop]"), "{run:?}");
}

#[test]
fn the_emulator_subcommand_is_mounted_without_the_api_flags() {
    let run = Sandbox::new().run(&["emulator", "--help"], "", &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("serve"), "{run:?}");
    assert!(!run.stdout.contains("--public-key-id"), "{run:?}");
}

#[test]
fn the_version_names_the_crate_version_and_the_commit() {
    let run = Sandbox::new().run(&["--version"], "", &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let line = run.stdout.trim();
    let expected_start = format!("amzpay {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(&expected_start), "{line}");
    let commit = line[expected_start.len()..].trim_end_matches(')');
    let hash = commit.trim_end_matches("-dirty");
    // Built from a git checkout here, so the commit is known: 12 hex digits.
    assert!(
        hash.len() == 12 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "not a commit: {line}"
    );
}

#[test]
fn ping_fails_clearly_when_nothing_answers() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sandbox = Sandbox::new();
    let url = format!("http://127.0.0.1:{port}");
    let run = sandbox.run(
        &[
            "emulator",
            "ping",
            "--url",
            &url,
            "--data-dir",
            s(&sandbox.path("none")),
        ],
        "",
        &[],
    );
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("no answer from"), "{run:?}");
}
