//! How fast an in-process emulator is ready: `cargo run --release -p amzpay-emulator-testing
//! --example startup [STARTS] [PARALLEL]` prints one JSON object (what `amzpay-bench --only
//! harness` reads and reports).
//!
//! A merchant's test suite starts one emulator per test, so start-up is paid once per test.
//! "Ready" means started and answering: `Emulator::start()` has returned and a first request
//! (`GET /checkout.js`, which touches no merchant) has been answered. Measured one at a time, then
//! `PARALLEL` at once, as a test runner runs a suite's tests.

use std::time::{Duration, Instant};

use amzpay_emulator_testing::Emulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let starts: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(30);
    let parallel: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(8);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    // The first start pays the process's one-time costs (the TLS provider, the templates); a
    // test suite pays them once too, so it is not counted.
    ready_one(&http).await?;
    let mut started = Vec::with_capacity(starts);
    let mut ready = Vec::with_capacity(starts);
    for _ in 0..starts {
        let (s, r) = ready_one(&http).await?;
        started.push(s);
        ready.push(r);
    }
    let all = Instant::now();
    let tasks: Vec<_> = (0..parallel)
        .map(|_| {
            let http = http.clone();
            tokio::spawn(async move { ready_one(&http).await })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let parallel_ms = ms(all.elapsed());
    println!(
        "{}",
        serde_json::json!({
            "starts": starts,
            "readyMedianMs": median(&mut ready.clone()),
            "readyMaxMs": ready.iter().copied().fold(0.0, f64::max),
            "startMedianMs": median(&mut started),
            "parallel": parallel,
            "parallelAllReadyMs": parallel_ms,
        })
    );
    Ok(())
}

/// One emulator until ready, then stopped: (ms of `start()`, ms until the first answer).
async fn ready_one(
    http: &reqwest::Client,
) -> Result<(f64, f64), Box<dyn std::error::Error + Send + Sync>> {
    let t0 = Instant::now();
    let emu = Emulator::start().await?;
    let started = t0.elapsed();
    let answer = http
        .get(format!("{}/checkout.js", emu.base_url()))
        .send()
        .await?;
    if !answer.status().is_success() {
        return Err(format!("checkout.js answered {}", answer.status()).into());
    }
    let ready = t0.elapsed();
    emu.stop().await?;
    Ok((ms(started), ms(ready)))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
