//! A full checkout through the Rust SDK against the emulator: create, buyer step, update,
//! payment step, complete, capture, refund. The buyer and payment steps go through the
//! emulator's admin API (what the hosted pages do for a browser), as `tests/node/checkout.js`
//! does, so the Rust and Node.js figures time the same sequence of requests.

use std::time::{Duration, Instant};

use amzpay::types::{
    CaptureChargeRequest, CompleteCheckoutSessionRequest, CreateCheckoutSessionRequest,
    CreateRefundRequest, Currency, MerchantMetadataInput, PaymentDetailsInput, PaymentIntent,
    Price, UpdateCheckoutSessionRequest, WebCheckoutDetailsInput,
};
use amzpay::{Client, Config, Region};
use anyhow::Context;
use serde::Serialize;

use crate::emulator::{Admin, Emulator};
use crate::stats::{Latencies, ms};

/// Whether the emulator has Capture Charge and Create Refund yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Steps {
    /// Create to Complete, plus Capture and Refund.
    Full,
    /// Create to Complete: the emulator answered Capture with "not found" or "not supported".
    WithoutCaptureAndRefund,
}

/// The figure for one concurrency.
#[derive(Debug, Serialize)]
pub(crate) struct CheckoutResult {
    /// Who drove the checkouts.
    pub(crate) client: String,
    /// Checkouts in flight at once.
    pub(crate) concurrency: usize,
    /// Checkouts finished.
    pub(crate) checkouts: usize,
    /// Wall time.
    pub(crate) seconds: f64,
    /// Checkouts per second.
    pub(crate) per_second: f64,
    /// Median time of one checkout, in milliseconds.
    pub(crate) p50_ms: Option<f64>,
    /// 99th percentile, in milliseconds.
    pub(crate) p99_ms: Option<f64>,
    /// Which steps ran.
    pub(crate) steps: Steps,
    /// CPU seconds of the client process per checkout, in milliseconds.
    pub(crate) client_cpu_ms_per_checkout: f64,
    /// CPU seconds of the emulator per checkout, in milliseconds.
    pub(crate) emulator_cpu_ms_per_checkout: f64,
}

fn usd(amount: &str) -> anyhow::Result<Price> {
    Price::parse(amount, Currency::Usd).map_err(|e| anyhow::anyhow!("price {amount}: {e}"))
}

/// Whether an SDK error means "the emulator has no such operation yet".
fn not_implemented(e: &amzpay::Error) -> bool {
    e.as_api()
        .is_some_and(|a| matches!(a.status(), 404 | 405 | 501))
}

/// One checkout; `steps` says whether to try capture and refund. Returns the steps that ran.
async fn one_checkout(
    client: &Client,
    admin: &Admin,
    store_id: &str,
    steps: Steps,
) -> anyhow::Result<Steps> {
    let amount = usd(crate::seed::AMOUNT)?;
    let session = client
        .create_checkout_session(&CreateCheckoutSessionRequest {
            web_checkout_details: WebCheckoutDetailsInput {
                checkout_review_return_url: Some("https://shop.example/review".into()),
                checkout_result_return_url: Some("https://shop.example/result".into()),
                ..Default::default()
            },
            store_id: store_id.into(),
            payment_details: Some(PaymentDetailsInput {
                payment_intent: Some(PaymentIntent::Authorize),
                can_handle_pending_authorization: Some(false),
                charge_amount: Some(amount.clone()),
                ..Default::default()
            }),
            merchant_metadata: Some(MerchantMetadataInput {
                merchant_reference_id: Some("order-1".into()),
                merchant_store_name: Some("Rust shop".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .context("create")?;
    let id = session.checkout_session_id.to_string();
    admin.sign_in(&id).await?;
    client
        .update_checkout_session(
            &id,
            &UpdateCheckoutSessionRequest {
                merchant_metadata: Some(MerchantMetadataInput {
                    note_to_buyer: Some("Thank you!".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .context("update")?;
    admin.pay(&id).await?;
    let completed = client
        .complete_checkout_session(&id, &CompleteCheckoutSessionRequest::new(amount.clone()))
        .await
        .context("complete")?;
    if steps == Steps::WithoutCaptureAndRefund {
        return Ok(steps);
    }
    let charge_id = completed
        .charge_id
        .clone()
        .context("Complete with Authorize returns a charge")?;
    match client
        .capture_charge(&charge_id, &CaptureChargeRequest::new(amount.clone()))
        .await
    {
        Ok(_) => {}
        Err(e) if not_implemented(&e) => return Ok(Steps::WithoutCaptureAndRefund),
        Err(e) => return Err(e).context("capture"),
    }
    match client
        .create_refund(&CreateRefundRequest::new(charge_id, amount))
        .await
    {
        Ok(_) => Ok(Steps::Full),
        Err(e) if not_implemented(&e) => Ok(Steps::WithoutCaptureAndRefund),
        Err(e) => Err(e).context("refund"),
    }
}

/// Runs full checkouts through the Rust SDK for `duration`, `concurrency` at a time, against a
/// running emulator (HTTPS with its CA, like a merchant's server).
pub(crate) async fn rust_sdk(
    emulator: &Emulator,
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<CheckoutResult> {
    let admin = emulator.admin()?;
    let merchant = admin.create_merchant().await?;
    let mut builder = Config::builder()
        .public_key_id(&merchant.public_key_id)
        .private_key_pem(&merchant.private_key_pem)
        .region(Region::Na)
        .endpoint(&emulator.base_url)?;
    if let Some(pem) = &emulator.ca_pem {
        builder = builder.ca_cert_pem(pem.clone());
    }
    let client = Client::new(builder.build()?)?;
    // One checkout decides the steps (and warms the connection pool).
    let steps = one_checkout(&client, &admin, &merchant.store_id, Steps::Full).await?;
    let cpu_before = crate::system::cpu_time("self").unwrap_or_default();
    let emu_before = emulator.cpu_time();
    let start = Instant::now();
    let deadline = start + duration;
    let workers = (0..concurrency).map(|_| {
        let client = client.clone();
        let admin = admin.clone();
        let store_id = merchant.store_id.clone();
        async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                one_checkout(&client, &admin, &store_id, steps).await?;
                latencies.push(u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX));
            }
            anyhow::Ok(latencies)
        }
    });
    let mut all = Vec::new();
    for r in futures::future::join_all(workers).await {
        all.extend(r?);
    }
    let seconds = start.elapsed().as_secs_f64();
    let cpu = crate::system::cpu_time("self")
        .unwrap_or_default()
        .saturating_sub(cpu_before);
    let emu = emulator.cpu_time().saturating_sub(emu_before);
    let latencies = Latencies::new(all);
    let n = latencies.len().max(1) as f64;
    Ok(CheckoutResult {
        client: "amzpay (Rust SDK)".into(),
        concurrency,
        checkouts: latencies.len(),
        seconds,
        per_second: latencies.len() as f64 / seconds,
        p50_ms: ms(latencies.percentile(50.0)),
        p99_ms: ms(latencies.percentile(99.0)),
        steps,
        client_cpu_ms_per_checkout: cpu.as_secs_f64() * 1e3 / n,
        emulator_cpu_ms_per_checkout: emu.as_secs_f64() * 1e3 / n,
    })
}

/// Runs `tests/node/bench-checkout.js` against the emulator and reads its JSON answer.
pub(crate) fn node_sdk(
    emulator: &Emulator,
    node_dir: &std::path::Path,
    ca_file: &std::path::Path,
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<CheckoutResult> {
    let emu_before = emulator.cpu_time();
    let output = std::process::Command::new("node")
        .arg(node_dir.join("bench-checkout.js"))
        .env("EMULATOR_URL", &emulator.base_url)
        .env("ADMIN_TOKEN", &emulator.admin_token)
        .env("NODE_EXTRA_CA_CERTS", ca_file)
        .env("CONCURRENCY", concurrency.to_string())
        .env("SECONDS", duration.as_secs_f64().to_string())
        .output()
        .context("running node tests/node/bench-checkout.js")?;
    let emu = emulator.cpu_time().saturating_sub(emu_before);
    anyhow::ensure!(
        output.status.success(),
        "bench-checkout.js failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).with_context(|| {
        format!(
            "bench-checkout.js printed {:?}",
            String::from_utf8_lossy(&output.stdout)
        )
    })?;
    let num = |k: &str| v[k].as_f64();
    let checkouts = num("checkouts").unwrap_or(0.0);
    let n = checkouts.max(1.0);
    Ok(CheckoutResult {
        client: "official Node.js SDK".into(),
        concurrency,
        checkouts: checkouts as usize,
        seconds: num("seconds").unwrap_or(f64::NAN),
        per_second: num("perSecond").unwrap_or(f64::NAN),
        p50_ms: num("p50Ms"),
        p99_ms: num("p99Ms"),
        steps: if v["steps"] == "full" {
            Steps::Full
        } else {
            Steps::WithoutCaptureAndRefund
        },
        client_cpu_ms_per_checkout: num("cpuMs").unwrap_or(f64::NAN) / n,
        // The node process's warm-up checkout is included: a slight overestimate.
        emulator_cpu_ms_per_checkout: emu.as_secs_f64() * 1e3 / n,
    })
}
