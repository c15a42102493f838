//! Issue 11: the PostgreSQL crash test failed now and then with a charge whose `refundedAmount`
//! was 0.00 while its refund read as `Refunded`. These tests reproduce that reading with the
//! virtual clock instead of luck, and show it is a race in how the checker read the state, not a
//! lost write: every GET shows the checkout as of the instant it is served, so a charge read
//! just before a refund's due time and the refund read just after it disagree, while the two
//! read at one instant always agree. The crash checker now freezes the clock while it reads
//! (`amzpay_torture::crash`, "Why the clock stands still during the checks").

use amzpay::Client;
use amzpay_torture::admin::{Admin, MerchantKeys};
use amzpay_torture::calls::{Outcome, Sent, usd};
use amzpay_torture::postgres::FreshDatabase;
use serde_json::{Value, json};

use crate::helpers::{emulator, merchant, postgres_url};

fn key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

async fn ack(client: &Client, sent: Sent) -> Value {
    match sent.send(client).await {
        Outcome::Acked { body, .. } => body,
        other => panic!("{} {}: {other:?}", sent.method.as_str(), sent.path),
    }
}

/// A captured charge of 100.00 and a refund of 10.00 made on a clock frozen at the refund's
/// creation; returns the charge and refund ids.
async fn refund_on_a_frozen_clock(
    admin: &Admin,
    keys: &MerchantKeys,
    client: &Client,
) -> (String, String) {
    let now = admin.clock_now(&keys.merchant_id).await.unwrap();
    admin
        .set_clock(&keys.merchant_id, &now, true)
        .await
        .unwrap();
    let body = json!({
        "storeId": keys.store_id,
        "webCheckoutDetails": {
            "checkoutReviewReturnUrl": "https://shop.example/review",
            "checkoutResultReturnUrl": "https://shop.example/result"
        },
        "paymentDetails": {"paymentIntent": "AuthorizeWithCapture", "chargeAmount": usd(10_000)}
    });
    let session = ack(client, Sent::post("/checkoutSessions", key(), body)).await;
    let id = session["checkoutSessionId"].as_str().unwrap().to_owned();
    for (action, body) in [
        ("sign-in", json!({"instrument": "1111"})),
        ("pay", json!({})),
    ] {
        let a = admin.buyer(&id, action, &body).await.unwrap();
        assert_eq!(a.status, 200, "{action}: {}", a.body);
    }
    let done = ack(
        client,
        Sent::post(
            format!("/checkoutSessions/{id}/complete"),
            key(),
            json!({"chargeAmount": usd(10_000)}),
        ),
    )
    .await;
    let charge = done["chargeId"].as_str().unwrap().to_owned();
    let refund = ack(
        client,
        Sent::post(
            "/refunds",
            key(),
            json!({"chargeId": charge, "refundAmount": usd(1_000)}),
        ),
    )
    .await;
    assert_eq!(
        refund["statusDetails"]["state"], "RefundInitiated",
        "{refund}"
    );
    (charge, refund["refundId"].as_str().unwrap().to_owned())
}

async fn reads_across_a_refunds_due_time(database: Option<&str>) {
    // Arrange: a refund made at virtual time T, which becomes Refunded at T + 30 s.
    let dir = tempfile::tempdir().unwrap();
    let token = key();
    let emu = emulator(&dir, "a", database, &token).await;
    let (admin, keys) = merchant(&emu).await;
    let client = keys.client(&emu.base_url()).unwrap();
    let (charge, refund) = refund_on_a_frozen_clock(&admin, &keys, &client).await;
    let get = |path: String| {
        let client = client.clone();
        async move { ack(&client, Sent::get(path)).await }
    };

    // Act: the old checker's order of reads, with the due time falling between them: the charge
    // at T + 29 s, the refund at T + 30 s; then the charge again at T + 30 s.
    admin.advance_clock(&keys.merchant_id, 29).await.unwrap();
    let charge_before = get(format!("/charges/{charge}")).await;
    admin.advance_clock(&keys.merchant_id, 1).await.unwrap();
    let refund_after = get(format!("/refunds/{refund}")).await;
    let charge_after = get(format!("/charges/{charge}")).await;

    // Assert: across the due time the two reads disagree exactly as the failed crash runs did;
    // at one instant they agree.
    assert_eq!(
        charge_before["refundedAmount"]["amount"], "0.00",
        "{charge_before}"
    );
    assert_eq!(
        refund_after["statusDetails"]["state"], "Refunded",
        "{refund_after}"
    );
    assert_eq!(
        charge_after["refundedAmount"]["amount"], "10.00",
        "{charge_after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_straddling_a_refunds_due_time_disagree_and_reads_at_one_instant_agree_on_sqlite() {
    reads_across_a_refunds_due_time(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_straddling_a_refunds_due_time_disagree_and_reads_at_one_instant_agree_on_postgres() {
    let Some(server) = postgres_url("check-time race on PostgreSQL") else {
        return;
    };
    let db = FreshDatabase::create(&server).await.unwrap();
    reads_across_a_refunds_due_time(Some(&db.url)).await;
    db.drop_now().await.ok();
}
