//! Two emulator processes on one PostgreSQL database behave as one: 64 concurrent requests on
//! one object, half to each process, with one idempotency key and with distinct keys.

use amzpay::Client;
use amzpay_torture::admin::{Admin, MerchantKeys, ObjectCounts};
use amzpay_torture::calls::{Outcome, Sent, usd};
use amzpay_torture::emulator::Emulator;
use amzpay_torture::postgres::FreshDatabase;
use serde_json::{Value, json};

use crate::helpers::{emulator, merchant, postgres_url};

const N: usize = 64;

/// Two emulators on one fresh database and a merchant with a client for each.
struct Pair {
    _dir: tempfile::TempDir,
    _a: Emulator,
    _b: Emulator,
    admin: Admin,
    keys: MerchantKeys,
    clients: [Client; 2],
    db: Option<FreshDatabase>,
}

impl Pair {
    async fn start(test: &str) -> Option<Pair> {
        let server = postgres_url(test)?;
        let db = FreshDatabase::create(&server).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let token = uuid::Uuid::new_v4().simple().to_string();
        let a = emulator(&dir, "a", Some(&db.url), &token).await;
        let b = emulator(&dir, "b", Some(&db.url), &token).await;
        let (admin, keys) = merchant(&a).await;
        let clients = [
            keys.client(&a.base_url()).unwrap(),
            keys.client(&b.base_url()).unwrap(),
        ];
        Some(Pair {
            _dir: dir,
            _a: a,
            _b: b,
            admin,
            keys,
            clients,
            db: Some(db),
        })
    }

    async fn counts(&self) -> ObjectCounts {
        self.admin.objects(&self.keys.merchant_id).await.unwrap()
    }

    async fn has(&self, path: &str) -> bool {
        self.admin
            .has_route(reqwest::Method::GET, path)
            .await
            .unwrap()
    }

    /// Sends `N` copies of one POST at once, alternating between the two processes, with one
    /// idempotency key for all or a key each.
    async fn storm(&self, keys: Keys, path: &str, body: Value) -> Vec<Outcome> {
        let shared_key = key();
        let calls = (0..N).map(|i| {
            let client = self.clients[i % 2].clone();
            let k = match keys {
                Keys::One => shared_key.clone(),
                Keys::Distinct => key(),
            };
            let sent = Sent::post(path, k, body.clone());
            async move { sent.send(&client).await }
        });
        futures::future::join_all(calls).await
    }

    async fn get(&self, path: &str) -> Value {
        match Sent::get(path).send(&self.clients[1]).await {
            Outcome::Acked { body, .. } => body,
            other => panic!("GET {path}: {other:?}"),
        }
    }

    async fn ack(&self, sent: Sent) -> Value {
        match sent.send(&self.clients[0]).await {
            Outcome::Acked { body, .. } => body,
            other => panic!("{} {}: {other:?}", sent.path, sent.key.unwrap_or_default()),
        }
    }

    /// A session paid by the buyer, ready for Complete.
    async fn paid_session(&self, intent: &str, cents: i64) -> String {
        let body = json!({
            "storeId": self.keys.store_id,
            "webCheckoutDetails": {
                "checkoutReviewReturnUrl": "https://shop.example/review",
                "checkoutResultReturnUrl": "https://shop.example/result"
            },
            "paymentDetails": {"paymentIntent": intent, "chargeAmount": usd(cents)}
        });
        let s = self.ack(Sent::post("/checkoutSessions", key(), body)).await;
        let id = s["checkoutSessionId"].as_str().unwrap().to_owned();
        for (action, body) in [
            ("sign-in", json!({"instrument": "1111"})),
            ("pay", json!({})),
        ] {
            let a = self.admin.buyer(&id, action, &body).await.unwrap();
            assert_eq!(a.status, 200, "{action}: {}", a.body);
        }
        id
    }

    /// A completed session's charge id.
    async fn charge(&self, intent: &str, cents: i64) -> String {
        let id = self.paid_session(intent, cents).await;
        let done = self
            .ack(Sent::post(
                format!("/checkoutSessions/{id}/complete"),
                key(),
                json!({"chargeAmount": usd(cents)}),
            ))
            .await;
        done["chargeId"].as_str().unwrap().to_owned()
    }

    async fn finish(mut self) {
        if let Some(db) = self.db.take() {
            drop(self);
            db.drop_now().await.ok();
        }
    }
}

fn key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[derive(Clone, Copy, Debug)]
enum Keys {
    One,
    Distinct,
}

/// The acknowledged bodies; panics on a 5xx, a missing answer, or (with one key) any refusal.
fn acked(outcomes: &[Outcome], keys: Keys, what: &str) -> Vec<Value> {
    let mut bodies = Vec::new();
    let mut refused = std::collections::BTreeMap::new();
    for o in outcomes {
        match o {
            Outcome::Acked { body, .. } => bodies.push(body.clone()),
            Outcome::Refused { status, reason, .. }
                if *status < 500 && matches!(keys, Keys::Distinct) =>
            {
                *refused.entry(format!("{status} {reason}")).or_insert(0) += 1;
            }
            other => panic!("{what} with {keys:?} keys: {other:?}"),
        }
    }
    eprintln!(
        "{what} with {keys:?} keys: {} acknowledged, refused: {refused:?}",
        bodies.len()
    );
    assert!(!bodies.is_empty(), "{what}: nothing was acknowledged");
    if matches!(keys, Keys::One) {
        assert!(
            bodies.iter().all(|b| *b == bodies[0]),
            "{what}: replays differ"
        );
    }
    bodies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_completes_across_two_processes_make_one_permission_and_one_charge() {
    let Some(pair) = Pair::start("two processes: Complete").await else {
        return;
    };
    for keys in [Keys::One, Keys::Distinct] {
        // Arrange
        let id = pair.paid_session("Authorize", 1_400).await;
        let before = pair.counts().await;

        // Act
        let outcomes = pair
            .storm(
                keys,
                &format!("/checkoutSessions/{id}/complete"),
                json!({"chargeAmount": usd(1_400)}),
            )
            .await;

        // Assert
        let bodies = acked(&outcomes, keys, "Complete");
        let stored = pair.get(&format!("/checkoutSessions/{id}")).await;
        assert_eq!(stored["statusDetails"]["state"], "Completed");
        for b in &bodies {
            assert_eq!(
                b["chargePermissionId"], stored["chargePermissionId"],
                "{keys:?}"
            );
            assert_eq!(b["chargeId"], stored["chargeId"], "{keys:?}");
        }
        let after = pair.counts().await;
        assert_eq!(
            after.charge_permissions,
            before.charge_permissions + 1,
            "{keys:?}"
        );
        assert!(
            after.charges <= before.charges + 1,
            "{keys:?}: more than one charge"
        );
    }
    pair.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_captures_across_two_processes_capture_once() {
    let Some(pair) = Pair::start("two processes: Capture").await else {
        return;
    };
    if !pair.has("/v2/charges/x/capture").await {
        eprintln!("skipped: this emulator has no Capture Charge yet");
        return pair.finish().await;
    }
    for keys in [Keys::One, Keys::Distinct] {
        // Arrange
        let charge = pair.charge("Authorize", 2_000).await;

        // Act
        let outcomes = pair
            .storm(
                keys,
                &format!("/charges/{charge}/capture"),
                json!({"captureAmount": usd(2_000)}),
            )
            .await;

        // Assert
        let bodies = acked(&outcomes, keys, "Capture");
        let stored = pair.get(&format!("/charges/{charge}")).await;
        assert_eq!(stored["statusDetails"]["state"], "Captured", "{keys:?}");
        assert_eq!(stored["captureAmount"]["amount"], "20.00", "{keys:?}");
        for b in &bodies {
            assert_eq!(b["captureAmount"], stored["captureAmount"], "{keys:?}");
        }
    }
    pair.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_refunds_across_two_processes_stay_within_the_limit() {
    let Some(pair) = Pair::start("two processes: Refund").await else {
        return;
    };
    if !pair.has("/v2/refunds").await {
        eprintln!("skipped: this emulator has no Create Refund yet");
        return pair.finish().await;
    }
    for keys in [Keys::One, Keys::Distinct] {
        // Arrange: 100.00 captured; refunds may total 100.00 + min(15 %, 75.00) = 115.00, and
        // 64 refunds of 20.00 ask for 1,280.00 (and a charge takes at most 10 refunds).
        let charge = pair.charge("AuthorizeWithCapture", 10_000).await;
        let before = pair.counts().await;

        // Act
        let outcomes = pair
            .storm(
                keys,
                "/refunds",
                json!({"chargeId": charge, "refundAmount": usd(2_000)}),
            )
            .await;

        // Assert
        let bodies = acked(&outcomes, keys, "Refund");
        let after = pair.counts().await;
        let mut ids: Vec<&str> = bodies
            .iter()
            .map(|b| b["refundId"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            after.refunds - before.refunds,
            ids.len() as u64,
            "{keys:?}: stored refunds"
        );
        assert!(
            ids.len() * 2_000 <= 11_500,
            "{keys:?}: {} refunds of 20.00 exceed 115.00",
            ids.len()
        );
        if matches!(keys, Keys::One) {
            assert_eq!(ids.len(), 1);
        } else {
            assert_eq!(ids.len(), 5, "the limit allows exactly 5 refunds of 20.00");
        }
        for id in ids {
            let r = pair.get(&format!("/refunds/{id}")).await;
            assert_eq!(r["chargeId"], charge.as_str());
        }
    }
    pair.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_of_a_storm_across_two_processes_are_each_delivered_once() {
    let Some(pair) = Pair::start("two processes: notifications").await else {
        return;
    };
    // Arrange: both processes' dispatchers claim from the one outbox.
    let (url, received) = amzpay_torture::receiver::start().await.unwrap();
    pair.admin
        .set_ipn_endpoint(&pair.keys.merchant_id, &url)
        .await
        .unwrap();
    let mut sessions = Vec::new();
    for _ in 0..8 {
        sessions.push(pair.paid_session("AuthorizeWithCapture", 1_500).await);
    }

    // Act: 8 Completes at once, half to each process (each notifies its permission and charge).
    let completes = sessions.iter().enumerate().map(|(i, id)| {
        let client = pair.clients[i % 2].clone();
        let sent = Sent::post(
            format!("/checkoutSessions/{id}/complete"),
            key(),
            json!({"chargeAmount": usd(1_500)}),
        );
        async move { sent.send(&client).await }
    });
    let outcomes = futures::future::join_all(completes).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let list = loop {
        let list = pair
            .admin
            .notifications(&pair.keys.merchant_id)
            .await
            .unwrap();
        if list.iter().all(|n| n["state"] == "delivered") || std::time::Instant::now() > deadline {
            break list;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };

    // Assert
    assert!(
        outcomes.iter().all(|o| matches!(o, Outcome::Acked { .. })),
        "{outcomes:?}"
    );
    assert_eq!(
        list.len(),
        16,
        "a permission and a charge notification per Complete"
    );
    assert!(
        list.iter()
            .all(|n| n["state"] == "delivered" && n["attempts"] == 1),
        "{list:?}"
    );
    let counts = received.counts();
    assert_eq!(counts.len(), 16, "{counts:?}");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    pair.finish().await;
}
