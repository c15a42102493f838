//! `harness`: how fast `amzpay-emulator-testing` has an in-process emulator ready for a test.
//!
//! The measurement runs in the harness crate's `startup` example (its own process: this crate
//! never links the emulator server), which prints JSON; this module runs it and keeps the figures.

use std::path::Path;
use std::process::Command;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// What the `startup` example measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HarnessResult {
    /// Emulators started one after another.
    pub(crate) starts: usize,
    /// Median milliseconds from `Emulator::start()` to the first answered request.
    pub(crate) ready_median_ms: f64,
    /// The slowest of them.
    pub(crate) ready_max_ms: f64,
    /// Median milliseconds of `Emulator::start()` alone.
    pub(crate) start_median_ms: f64,
    /// Emulators started at once.
    pub(crate) parallel: usize,
    /// Milliseconds until every one of them was ready.
    pub(crate) parallel_all_ready_ms: f64,
}

/// Runs `example` (the harness crate's `startup` example) and reads its answer.
pub(crate) fn measure(
    example: &Path,
    starts: usize,
    parallel: usize,
) -> anyhow::Result<HarnessResult> {
    let out = Command::new(example)
        .args([starts.to_string(), parallel.to_string()])
        .output()
        .with_context(|| format!("running {}", example.display()))?;
    anyhow::ensure!(
        out.status.success(),
        "{} failed: {}",
        example.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .with_context(|| format!("reading {}'s answer", example.display()))
}
