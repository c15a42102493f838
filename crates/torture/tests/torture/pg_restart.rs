//! PostgreSQL restarted under load: requests fail only with a retryable 5xx, nothing is half
//! written, and the emulator recovers by itself. The test restarts a private throwaway cluster
//! (initdb/pg_ctl in a temporary directory), so tests sharing `TEST_DATABASE_URL` are untouched.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use amzpay_torture::calls::{Outcome, Sent, usd};
use amzpay_torture::postgres::{FreshDatabase, TempCluster};
use serde_json::json;

use crate::helpers::{emulator, merchant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_under_load_costs_only_retryable_5xx_and_the_emulator_recovers() {
    // Arrange
    if !TempCluster::available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but initdb/pg_ctl are missing"
        );
        eprintln!("skipped: no initdb/pg_ctl on this machine");
        return;
    }
    let cluster = Arc::new(TempCluster::start().expect("starting a private PostgreSQL"));
    let db = FreshDatabase::create(&cluster.url()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token = uuid::Uuid::new_v4().simple().to_string();
    let em = emulator(&dir, "pg-restart", Some(&db.url), &token).await;
    let (admin, keys) = merchant(&em).await;
    let client = keys.client(&em.base_url()).unwrap();
    let store_id = keys.store_id.clone();
    let create = move |k: &str| {
        Sent::post(
            "/checkoutSessions",
            k,
            json!({
                "storeId": store_id,
                "webCheckoutDetails": {"checkoutReviewReturnUrl": "https://shop.example/review"},
                "paymentDetails": {"paymentIntent": "Authorize", "chargeAmount": usd(1_000)},
                "merchantMetadata": {"merchantReferenceId": k}
            }),
        )
    };

    // Act: four tasks create sessions while the server restarts twice.
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (client, stop) = (client.clone(), stop.clone());
            let create = create.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let k = uuid::Uuid::new_v4().simple().to_string();
                    let outcome = create(&k).send(&client).await;
                    seen.push((k, outcome));
                }
                seen
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    for _ in 0..2 {
        let c = cluster.clone();
        tokio::task::spawn_blocking(move || c.pg_ctl(&["restart", "-m", "fast"]))
            .await
            .unwrap()
            .expect("restarting PostgreSQL");
        tokio::time::sleep(Duration::from_millis(800)).await;
    }
    stop.store(true, Ordering::SeqCst);
    let mut seen = Vec::new();
    for t in tasks {
        seen.extend(t.await.unwrap());
    }

    // Assert: only retryable 5xx.
    let mut failed = Vec::new();
    for (k, outcome) in &seen {
        match outcome {
            Outcome::Acked { .. } => {}
            Outcome::Refused { status, reason, .. }
                if matches!(
                    (*status, reason.as_str()),
                    (503, "ServiceUnavailable") | (500, "InternalServerError")
                ) =>
            {
                failed.push(k.clone());
            }
            other => panic!("a request during the restart got {other:?}"),
        }
    }
    eprintln!(
        "{} requests, {} refused with a retryable 5xx",
        seen.len(),
        failed.len()
    );

    // Assert: the emulator recovers without a restart.
    let started = Instant::now();
    loop {
        match create(&uuid::Uuid::new_v4().simple().to_string())
            .send(&client)
            .await
        {
            Outcome::Acked { .. } => break,
            other if started.elapsed() > Duration::from_secs(30) => {
                panic!("the emulator did not recover within 30 s: {other:?}")
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }

    // Assert: no partial writes. Every refused create, retried with its key, makes (or replays)
    // exactly one session; the stored count equals the number of distinct keys plus the probe.
    for k in &failed {
        match create(k).send(&client).await {
            Outcome::Acked { body, .. } => {
                assert_eq!(body["merchantMetadata"]["merchantReferenceId"], k.as_str());
            }
            other => panic!("retry of {k}: {other:?}"),
        }
    }
    let counts = admin.objects(&keys.merchant_id).await.unwrap();
    assert_eq!(
        counts.checkout_sessions,
        seen.len() as u64 + 1,
        "stored sessions"
    );
    drop(em);
    db.drop_now().await.ok();
}
