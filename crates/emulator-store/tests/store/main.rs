//! The storage conformance suite: one set of stories, generic over [`Store`], run on SQLite
//! (always) and on PostgreSQL (when `TEST_DATABASE_URL` is set; see `pg`), plus what only the
//! PostgreSQL backend promises (`postgres_only`).

mod faults;
mod journal;
mod notifications;
mod pg;
mod postgres_only;
mod stories;

use amzpay_emulator_store::SqliteStore;
use amzpay_emulator_store::sqlite::SqliteSettings;

/// A fresh SQLite database in a temporary directory (kept alive by the returned guard).
async fn sqlite() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_sqlite(&dir).await;
    (store, dir)
}

async fn open_sqlite(dir: &tempfile::TempDir) -> SqliteStore {
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    SqliteStore::open(SqliteSettings::new(url))
        .await
        .expect("open SQLite")
}

/// Runs each story on a fresh SQLite file (`sqlite::story`) and a fresh PostgreSQL database
/// (`postgres::story`).
macro_rules! on_every_backend {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (store, _dir) = super::sqlite().await;
                    super::stories::$name(&store).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = super::pg::TestDatabase::create().await else { return };
                    let store = db.open().await;
                    super::stories::$name(&store).await;
                    store.close().await;
                }
            )+
        }
    };
}

on_every_backend!(
    merchants_and_keys_round_trip,
    a_new_checkout_is_found_by_every_object_id,
    checkouts_are_invisible_to_other_tenants,
    an_idempotency_key_replays_its_first_answer,
    a_reused_key_with_another_request_is_reported,
    a_rejected_mutation_changes_nothing_but_records_its_answer,
    a_retryable_rejection_records_nothing,
    concurrent_mutations_with_one_key_execute_once,
    concurrent_rejections_with_one_key_execute_once,
    due_checkouts_follow_each_merchants_virtual_clock,
    a_panicking_mutation_fails_alone,
    an_abandoned_checkout_comes_due_at_the_end_of_its_retention_and_is_deleted,
    idempotency_records_older_than_the_cutoff_are_forgotten,
    a_secret_is_claimed_once,
    merchants_are_listed_in_pages,
    fault_rules_round_trip_in_order_and_by_merchant,
    fault_rule_hits_stop_at_their_limit_under_concurrent_claims,
    ipn_settings_round_trip_and_default,
    a_write_enqueues_its_notifications_for_every_endpoint_and_none_without,
    a_rolled_back_write_enqueues_nothing,
    claims_follow_the_order_of_each_charge_permission_and_leases,
    a_delivery_given_up_no_longer_holds_back_its_permission,
    journal_entries_round_trip_and_filter,
    each_merchants_journal_ring_keeps_its_newest_entries,
    a_merchants_public_key_ids_are_listed,
);

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = open_sqlite(&dir).await;
    stories::seed(&store).await;

    for name in ["store.db", "store.db-wal", "store.db-shm"] {
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}: {mode:o}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_write_and_its_idempotency_record_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_sqlite(&dir).await;
    let (merchant, checkout) = stories::seed(&store).await;
    drop(store);
    let store = open_sqlite(&dir).await;
    stories::assert_survived(&store, &merchant, &checkout).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_acknowledged_write_and_its_idempotency_record_survive_a_reopen() {
    let Some(db) = pg::TestDatabase::create().await else {
        return;
    };
    let store = db.open().await;
    let (merchant, checkout) = stories::seed(&store).await;
    store.close().await;
    let store = db.open().await;
    stories::assert_survived(&store, &merchant, &checkout).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_picks_the_backend_from_the_url_scheme() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    let store = amzpay_emulator_store::connect(&url, Default::default())
        .await
        .unwrap();
    let merchant = stories::new_merchant(&*store).await;
    assert_eq!(
        store.merchant(&merchant.merchant_id).await.unwrap(),
        Some(merchant)
    );
    for unsupported in ["mysql://u:secret@h/db", "/just/a/path", ""] {
        let e = amzpay_emulator_store::connect(unsupported, Default::default())
            .await
            .expect_err(unsupported);
        assert!(!e.to_string().contains("secret"), "{e}");
    }
}
