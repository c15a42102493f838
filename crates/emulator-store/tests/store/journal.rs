//! The request-journal stories (`request_journal`), each generic over the backend.

use amzpay_emulator_core::ids::MerchantId;
use amzpay_emulator_store::{JournalFilter, NewJournalEntry, Store};

use crate::stories::{T0, new_merchant};

fn entry(merchant: Option<&MerchantId>, n: usize, status: u16) -> NewJournalEntry {
    NewJournalEntry {
        request_id: format!("req-{n}"),
        merchant_id: merchant.cloned(),
        at_us: 1_700_000_000_000_000 + i64::try_from(n).unwrap(),
        virtual_at: merchant.map(|_| T0),
        operation: Some(
            if n % 2 == 0 {
                "GetCharge"
            } else {
                "CreateCharge"
            }
            .to_owned(),
        ),
        method: "GET".to_owned(),
        path: format!("/v2/charges/S01-{n}"),
        status,
        reason_code: (status >= 400).then(|| "InvalidRequestSignature".to_owned()),
        latency_us: 120,
        idempotency_key: Some(format!("key_{n}")),
        replayed: n == 3,
        detail: format!(r#"{{"responseBody":"P01-100%_{n}"}}"#),
    }
}

fn ids(records: &[amzpay_emulator_store::JournalRecord]) -> Vec<String> {
    records.iter().map(|r| r.entry.request_id.clone()).collect()
}

pub(crate) async fn journal_entries_round_trip_and_filter<S: Store>(store: &S) {
    // Arrange
    let (m1, m2) = (new_merchant(store).await, new_merchant(store).await);
    let (a, b) = (Some(&m1.merchant_id), Some(&m2.merchant_id));
    let batch = vec![
        entry(a, 0, 200),
        entry(b, 1, 403),
        entry(None, 2, 401),
        entry(a, 3, 200),
        entry(a, 4, 404),
    ];
    let every = |limit| JournalFilter {
        limit,
        ..JournalFilter::default()
    };

    // Act
    let appended = store.append_journal(batch.clone(), 100).await.unwrap();

    // Assert
    assert_eq!(appended, 5);
    let newest = store.journal(&every(10)).await.unwrap();
    assert_eq!(ids(&newest), ["req-4", "req-3", "req-2", "req-1", "req-0"]);
    assert_eq!(newest[1].entry, batch[3]);
    assert_eq!(newest[2].entry, batch[2]);
    let of_m1 = JournalFilter {
        merchant_id: Some(m1.merchant_id.clone()),
        ..every(10)
    };
    assert_eq!(
        ids(&store.journal(&of_m1).await.unwrap()),
        ["req-4", "req-3", "req-0"]
    );
    let client_errors = JournalFilter {
        status: Some((400, 499)),
        ..every(10)
    };
    assert_eq!(
        ids(&store.journal(&client_errors).await.unwrap()),
        ["req-4", "req-2", "req-1"]
    );
    let creates = JournalFilter {
        operation: Some("CreateCharge".to_owned()),
        ..every(10)
    };
    assert_eq!(
        ids(&store.journal(&creates).await.unwrap()),
        ["req-3", "req-1"]
    );
    let since = JournalFilter {
        since_us: Some(batch[3].at_us),
        ..every(10)
    };
    assert_eq!(
        ids(&store.journal(&since).await.unwrap()),
        ["req-4", "req-3"]
    );
    let after = JournalFilter {
        after_id: Some(newest[3].id),
        ..every(2)
    };
    assert_eq!(
        ids(&store.journal(&after).await.unwrap()),
        ["req-2", "req-3"]
    );
    let before = JournalFilter {
        before_id: Some(newest[1].id),
        ..every(2)
    };
    assert_eq!(
        ids(&store.journal(&before).await.unwrap()),
        ["req-2", "req-1"]
    );
    // A wildcard of LIKE in the text is taken literally.
    let mentions = |text: &str| JournalFilter {
        mentions: Some(text.to_owned()),
        ..every(10)
    };
    assert_eq!(
        ids(&store.journal(&mentions("S01-4")).await.unwrap()),
        ["req-4"]
    );
    assert_eq!(
        ids(&store.journal(&mentions("100%_1")).await.unwrap()),
        ["req-1"]
    );
    assert!(store.journal(&mentions("100%_x")).await.unwrap().is_empty());
    let found = store.journal_entry("req-1").await.unwrap().unwrap();
    assert_eq!(found.entry, batch[1]);
    assert_eq!(store.journal_entry("req-9").await.unwrap(), None);
}

pub(crate) async fn each_merchants_journal_ring_keeps_its_newest_entries<S: Store>(store: &S) {
    // Arrange
    let (m1, m2) = (new_merchant(store).await, new_merchant(store).await);
    let (a, b) = (Some(&m1.merchant_id), Some(&m2.merchant_id));
    store
        .append_journal(vec![entry(b, 1000, 200)], 3)
        .await
        .unwrap();

    // Act: ten entries in batches of one to four, with a ring of three.
    let mut n = 0;
    for size in [1, 4, 2, 3] {
        let batch = (n..n + size).map(|i| entry(a, i, 200)).collect();
        store.append_journal(batch, 3).await.unwrap();
        n += size;
    }
    let nothing = store.append_journal(vec![entry(a, 99, 200)], 0).await;

    // Assert
    assert_eq!(nothing.unwrap(), 0);
    let of = |m: &amzpay_emulator_core::model::Merchant| JournalFilter {
        merchant_id: Some(m.merchant_id.clone()),
        limit: 100,
        ..JournalFilter::default()
    };
    let kept = store.journal(&of(&m1)).await.unwrap();
    assert_eq!(ids(&kept), ["req-9", "req-8", "req-7"]);
    assert_eq!(kept.iter().map(|r| r.seq).collect::<Vec<_>>(), [9, 8, 7]);
    // Another merchant's ring is its own.
    assert_eq!(ids(&store.journal(&of(&m2)).await.unwrap()), ["req-1000"]);
}

pub(crate) async fn a_merchants_public_key_ids_are_listed<S: Store>(store: &S) {
    // Arrange
    let (m1, m2) = (new_merchant(store).await, new_merchant(store).await);

    // Act
    let keys = store.public_key_ids(&m1.merchant_id).await.unwrap();

    // Assert
    assert_eq!(keys.len(), 1);
    let (owner, _) = store.merchant_by_key(&keys[0]).await.unwrap().unwrap();
    assert_eq!(owner.merchant_id, m1.merchant_id);
    assert_ne!(store.public_key_ids(&m2.merchant_id).await.unwrap(), keys);
}
