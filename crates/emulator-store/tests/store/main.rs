//! The storage conformance suite: one set of stories, generic over [`Store`], run on SQLite
//! (always) and on every other backend the crate has.

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

macro_rules! on_sqlite {
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
    };
}

on_sqlite!(
    merchants_and_keys_round_trip,
    a_new_checkout_is_found_by_every_object_id,
    checkouts_are_invisible_to_other_tenants,
    an_idempotency_key_replays_its_first_answer,
    a_reused_key_with_another_request_is_reported,
    a_rejected_mutation_changes_nothing_and_records_nothing,
    concurrent_mutations_with_one_key_execute_once,
    due_checkouts_follow_each_merchants_virtual_clock,
    a_panicking_mutation_fails_alone,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_write_and_its_idempotency_record_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_sqlite(&dir).await;
    let (merchant, checkout) = stories::seed(&store).await;
    drop(store);
    let store = open_sqlite(&dir).await;
    stories::assert_survived(&store, &merchant, &checkout).await;
}
