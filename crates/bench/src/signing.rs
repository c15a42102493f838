//! SDK signing beside `openssl speed rsa2048` and the official Node.js SDK, in one run.
//!
//! The Rust and OpenSSL figures come from the signing crate's own benchmark
//! (`crates/signing/examples/bench.rs`, run with `--json`), which counts thread CPU time the way
//! `openssl speed` counts user time; the Node.js figures from `tests/node/bench-sign.js`
//! (process CPU time). Each round runs both, one after the other; medians of the rounds are
//! reported, so load that comes and goes affects all three alike.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::Value;

use crate::stats::median;

/// One algorithm's figures (signatures per CPU-second).
#[derive(Debug, Serialize)]
pub(crate) struct SigningRow {
    /// `AMZN-PAY-RSASSA-PSS` or `-V2`.
    pub(crate) algorithm: String,
    /// The SDK signing a whole Complete request (`amzpay_signing::sign`, what the SDK calls).
    pub(crate) sdk_request: f64,
    /// The RSA-PSS primitive alone (button signature), like for like with `openssl speed`.
    pub(crate) sdk_rsa_pss: f64,
    /// `openssl speed rsa2048` sign/s (PKCS#1 v1.5 of a 36-byte digest).
    pub(crate) openssl: f64,
    /// The Node.js SDK's `getSignedHeaders` on the same request, private key as a PEM string.
    pub(crate) node_pem: f64,
    /// The same with a pre-parsed `KeyObject`.
    pub(crate) node_keyobject: f64,
}

impl SigningRow {
    /// `sdk_rsa_pss / openssl` (target: at least 0.9).
    pub(crate) fn vs_openssl(&self) -> f64 {
        self.sdk_rsa_pss / self.openssl
    }

    /// `sdk_request / node_pem` (target: above 1).
    pub(crate) fn vs_node(&self) -> f64 {
        self.sdk_request / self.node_pem
    }

    /// `sdk_request / node_keyobject`.
    pub(crate) fn vs_node_keyobject(&self) -> f64 {
        self.sdk_request / self.node_keyobject
    }
}

fn run_json(command: &mut Command, what: &str) -> anyhow::Result<Value> {
    let output = command
        .output()
        .with_context(|| format!("running {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout).with_context(|| format!("{what} printed no JSON"))
}

/// Runs `rounds` rounds of (signing example, Node.js script) with `seconds` per measurement.
pub(crate) fn measure(
    signing_example: &Path,
    node_dir: &Path,
    rounds: usize,
    seconds: u64,
) -> anyhow::Result<Vec<SigningRow>> {
    let json_file = tempfile::NamedTempFile::new()?;
    // samples[(algorithm, figure)] = one value per round.
    let mut samples: std::collections::BTreeMap<(String, &str), Vec<f64>> = Default::default();
    for round in 1..=rounds {
        eprintln!("  signing round {round}/{rounds}: Rust SDK and openssl speed");
        let status = Command::new(signing_example)
            .args(["--rounds", "1", "--seconds", &seconds.to_string(), "--json"])
            .arg(json_file.path())
            .stdout(std::process::Stdio::null())
            .status()
            .with_context(|| format!("running {}", signing_example.display()))?;
        anyhow::ensure!(status.success(), "the signing benchmark failed");
        let ours: Value = serde_json::from_slice(&std::fs::read(json_file.path())?)?;
        let openssl_sign = ours["openssl"]["sign"].as_f64().unwrap_or(f64::NAN);
        for row in ours["rows"].as_array().into_iter().flatten() {
            let name = row["name"].as_str().unwrap_or("");
            let Some(algorithm) = name.split_whitespace().last() else {
                continue;
            };
            let figure = if name.starts_with("sign") && name.contains("request") {
                "sdk_request"
            } else if name.starts_with("sign") && name.contains("rsa-pss") {
                "sdk_rsa_pss"
            } else {
                continue;
            };
            let value = row["ours"].as_f64().unwrap_or(f64::NAN);
            samples
                .entry((algorithm.to_owned(), figure))
                .or_default()
                .push(value);
            samples
                .entry((algorithm.to_owned(), "openssl"))
                .or_default()
                .push(openssl_sign);
        }
        eprintln!("  signing round {round}/{rounds}: Node.js SDK");
        let node = run_json(
            Command::new("node")
                .arg(node_dir.join("bench-sign.js"))
                .env("SECONDS", seconds.to_string()),
            "node tests/node/bench-sign.js",
        )?;
        for row in node["rows"].as_array().into_iter().flatten() {
            let algorithm = row["algorithm"].as_str().unwrap_or("").to_owned();
            let figure = if row["key"] == "pem" {
                "node_pem"
            } else {
                "node_keyobject"
            };
            samples
                .entry((algorithm, figure))
                .or_default()
                .push(row["perCpuSecond"].as_f64().unwrap_or(f64::NAN));
        }
    }
    let algorithms: std::collections::BTreeSet<String> =
        samples.keys().map(|(a, _)| a.clone()).collect();
    let get = |a: &str, f: &str| {
        samples
            .get(&(a.to_owned(), f))
            .map_or(f64::NAN, |v| median(v))
    };
    Ok(algorithms
        .into_iter()
        .map(|a| SigningRow {
            sdk_request: get(&a, "sdk_request"),
            sdk_rsa_pss: get(&a, "sdk_rsa_pss"),
            openssl: median(
                // openssl was pushed once per figure per round: the same value twice.
                &samples
                    .get(&(a.clone(), "openssl"))
                    .cloned()
                    .unwrap_or_default(),
            ),
            node_pem: get(&a, "node_pem"),
            node_keyobject: get(&a, "node_keyobject"),
            algorithm: a,
        })
        .collect())
}
