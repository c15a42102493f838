//! Cross-implementation test: the community Python client `AmazonPayClient` (PyPI, module
//! `AmazonPay`) drives a whole checkout with capture and refund (`tests/python/checkout.py`)
//! against the emulator over HTTPS, following the recipe in `docs/sdks.md`.

use std::path::PathBuf;
use std::process::Command;

use crate::server::start_https;

fn python_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_community_python_client_checks_out_captures_and_refunds() {
    let dir = python_dir();
    let python = dir.join(".venv/bin/python");
    // Like the Node.js test, a missing client is a failure rather than a skip, so that a machine
    // (or CI) without it cannot pass by running less.
    assert!(
        python.exists(),
        "the Python client is not installed in {}; create the virtual environment with \
         `python3 -m venv .venv && .venv/bin/pip install -r requirements.txt` there \
         (scripts/test does, through python_deps in scripts/lib/common.sh)",
        dir.join(".venv").display()
    );
    let server = start_https().await;
    let base_url = server.base_url.clone();
    let ca = server.ca.clone();
    let token = server.admin_token.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg("checkout.py")
            .current_dir(&dir)
            .env("EMULATOR_URL", &base_url)
            .env("ADMIN_TOKEN", &token)
            .env("REQUESTS_CA_BUNDLE", &ca)
            .output()
    })
    .await
    .unwrap()
    .expect("run tests/python/.venv/bin/python");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "python checkout.py failed:\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("python checkout refunded"), "{stdout}");
    server.shutdown().await;
}
