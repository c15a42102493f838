//! The OpenAPI document (`docs/openapi.json`): served at `/__openapi.json` byte for byte, valid
//! for `openapi-spec-validator` (PyPI) and `@redocly/cli lint` (npm), and kept true by
//! Schemathesis running against a live emulator (`tests/python/test_contract.py`, with the
//! Python signer of `tests/python/amzpay_signer.py`, itself checked against the signing vectors).
//!
//! The tools come from `tests/python/.venv` and `tests/node/node_modules` (installed by
//! `python_deps` and `node_deps` in scripts/lib/common.sh); like the other cross-implementation
//! tests, a missing tool is a failure rather than a skip.
//! `AMZPAY_CONTRACT_EXAMPLES` (examples per operation, 15 by default) and
//! `AMZPAY_CONTRACT_STEPS` (state-machine runs, 20 by default) make the contract run longer.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Instant;

use amzpay_emulator::{Application, ServerConfig, TlsMode};
use axum::body::Body;
use axum::http::Request;

use crate::helpers::spawn_app;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    let python = root().join("tests/python/.venv/bin/python");
    assert!(
        python.exists(),
        "the Python tools are not installed in tests/python/.venv; create it with \
         `python3 -m venv .venv && .venv/bin/pip install -r requirements.txt` there \
         (scripts/test does, through python_deps in scripts/lib/common.sh)"
    );
    python
}

#[track_caller]
fn succeeded(what: &str, output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{what} failed:\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout.into_owned()
}

#[tokio::test]
async fn the_emulator_serves_the_committed_openapi_document() {
    // Arrange
    let app = spawn_app().await;
    let committed = std::fs::read(root().join("docs/openapi.json")).unwrap();
    let request = Request::builder()
        .uri("/__openapi.json")
        .body(Body::empty())
        .unwrap();

    // Act
    let r = app.raw(request).await;

    // Assert
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/json");
    assert!(
        r.raw == committed,
        "the served document is not docs/openapi.json"
    );
    assert_eq!(r.body["openapi"], "3.1.0");
}

#[test]
fn openapi_spec_validator_accepts_the_document() {
    let output = Command::new(python())
        .args(["-m", "openapi_spec_validator", "docs/openapi.json"])
        .current_dir(root())
        .output()
        .expect("run openapi-spec-validator");
    let stdout = succeeded("openapi-spec-validator", &output);
    assert!(stdout.contains("OK"), "{stdout}");
}

#[test]
fn redocly_lints_the_document_without_errors_or_warnings() {
    let redocly = root().join("tests/node/node_modules/.bin/redocly");
    assert!(
        redocly.exists(),
        "@redocly/cli is not installed in tests/node; run `npm ci` there \
         (scripts/test does, through node_deps in scripts/lib/common.sh)"
    );
    let output = Command::new(redocly)
        .args(["lint", "docs/openapi.json"])
        .current_dir(root())
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .output()
        .expect("run redocly lint");
    succeeded("redocly lint", &output);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Redocly prints this only when its recommended rules find neither errors nor warnings.
    assert!(
        all.contains("Your API description is valid"),
        "redocly warns:\n{all}"
    );
}

#[test]
fn the_contract_tests_signer_reproduces_the_signing_vectors() {
    let output = Command::new(python())
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "test_signer.py",
        ])
        .current_dir(root().join("tests/python"))
        .output()
        .expect("run pytest");
    succeeded("pytest test_signer.py", &output);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_contract_violation() {
    // Arrange: a real emulator on a loopback port (plain HTTP: TLS is tested elsewhere and only
    // slows the generated requests down).
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.tls = TlsMode::Off;
    let app = Application::build(config).await.expect("build");
    let base_url = app.base_url().to_owned();
    let token = app.admin_token().to_owned();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));

    // Act
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .args([
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-x",
                "test_contract.py",
            ])
            .current_dir(root().join("tests/python"))
            .env("EMULATOR_URL", &base_url)
            .env("ADMIN_TOKEN", &token)
            .output()
    })
    .await
    .unwrap()
    .expect("run pytest");

    // Assert
    let stdout = succeeded("Schemathesis (pytest test_contract.py)", &output);
    eprintln!(
        "contract tests took {:.1} s:\n{stdout}",
        started.elapsed().as_secs_f64()
    );
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
