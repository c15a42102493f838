//! What only the PostgreSQL backend promises: several instances on one database (concurrent
//! starts, concurrent writes of one aggregate, background claims) and recovery from lost
//! connections.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use amzpay_emulator_core::checkout::{self, Checkout, Command};
use amzpay_emulator_core::clock::DAY;
use amzpay_emulator_core::input::{CompleteRequest, SignIn};
use amzpay_emulator_core::{Currency, Money, Timestamp, VirtualClock};
use amzpay_emulator_store::{
    Applied, ApplyFn, ConnectOptions, Mutation, ObjectKind, ObjectRef, Outcome, PostgresStore,
    Store, StoreError, StoredResponse, Target, connect,
};
use futures::future::join_all;
use sqlx::Executor;

use crate::pg::TestDatabase;
use crate::stories::{T0, existing, idem, insert, new_checkout, new_merchant, ok, rng, tenant};

macro_rules! test_database {
    () => {
        match TestDatabase::create().await {
            Some(db) => db,
            None => return,
        }
    };
}

fn migration_files() -> i64 {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres");
    let n = std::fs::read_dir(dir)
        .expect("migrations/postgres")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count();
    i64::try_from(n).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_at_once_apply_the_migrations_once() {
    // Arrange
    let db = test_database!();

    // Act
    let opened = join_all((0..8).map(|_| PostgresStore::open(db.settings()))).await;

    // Assert
    let stores: Vec<PostgresStore> = opened
        .into_iter()
        .map(|r| r.expect("every instance starts"))
        .collect();
    let mut conn = db.connect().await;
    let (applied, all_ok): (i64, bool) =
        sqlx::query_as("SELECT COUNT(*), bool_and(success) FROM _sqlx_migrations")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!((applied, all_ok), (migration_files(), true));
    let m = new_merchant(&stores[0]).await;
    assert_eq!(stores[7].merchant(&m.merchant_id).await.unwrap(), Some(m));
    for s in &stores {
        s.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_starting_instance_waits_on_the_migrators_advisory_lock() {
    // Arrange: the migrations table exists and is locked, so the first instance to take the
    // migrator's lock stops inside the migration, holding the lock.
    let db = test_database!();
    let mut blocker = db.connect().await;
    blocker
        .execute(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
             installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, \
             checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)",
        )
        .await
        .unwrap();
    blocker
        .execute("BEGIN; LOCK TABLE _sqlx_migrations IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();

    // Act
    let starts = tokio::spawn({
        let settings = db.settings();
        async move {
            let a = PostgresStore::open(settings.clone());
            let b = PostgresStore::open(settings);
            futures::future::join(a, b).await
        }
    });

    // Assert: one instance waits for the table, the other for the advisory lock.
    let mut watcher = db.connect().await;
    let mut waits = (0, 0);
    for _ in 0..200 {
        waits = sqlx::query_as::<_, (i64, i64)>(
            "SELECT COUNT(*) FILTER (WHERE locktype = 'advisory'), \
                    COUNT(*) FILTER (WHERE locktype = 'relation') \
             FROM pg_locks WHERE NOT granted",
        )
        .fetch_one(&mut watcher)
        .await
        .unwrap();
        if waits == (1, 1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(waits, (1, 1), "(advisory lock waiters, table lock waiters)");
    blocker.execute("COMMIT").await.unwrap();
    let (a, b) = starts.await.unwrap();
    let (a, b) = (a.expect("first start"), b.expect("second start"));
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut watcher)
        .await
        .unwrap();
    assert_eq!(applied, migration_files());
    a.close().await;
    b.close().await;
}

/// A checkout whose buyer has signed in and run the payment step: ready to complete.
fn ready_to_complete(c: &Checkout) -> Checkout {
    let mut c = c.clone();
    for cmd in [
        Command::SignIn(SignIn::test_buyer()),
        Command::RunPaymentStep,
    ] {
        c = checkout::transition(&c, cmd, T0.plus(5), &mut rng())
            .unwrap()
            .0;
    }
    c
}

/// Complete Checkout Session as the server runs it: the domain decides on the loaded state.
/// Answers the charge permission id; counts the executions that created one.
fn complete(runs: Arc<AtomicUsize>) -> ApplyFn {
    Box::new(move |loaded| {
        let Some(c) = loaded else {
            return Applied::Reject(StoredResponse {
                status: 404,
                body: b"not found".to_vec(),
            });
        };
        let request = CompleteRequest {
            charge_amount: Some(Money::from_minor(1400, Currency::Usd)),
            total_order_amount: None,
        };
        match checkout::transition(&c, Command::Complete(request), T0.plus(10), &mut rng()) {
            Ok((next, _)) => {
                runs.fetch_add(1, Ordering::SeqCst);
                let permission = next
                    .permission
                    .as_ref()
                    .expect("a permission")
                    .id
                    .to_string();
                Applied::Write {
                    checkout: Box::new(next),
                    response: ok(&permission),
                    notifications: Vec::new(),
                }
            }
            Err(e) => Applied::Reject(StoredResponse {
                status: 422,
                body: format!("{e:?}").into_bytes(),
            }),
        }
    })
}

/// Two instances, one session ready to complete, 64 concurrent Completes (half to each
/// instance), all with `key` or each with its own key when `key` is `None`.
async fn complete_concurrently_on_two_instances(
    key: Option<&str>,
) -> Option<(Vec<Outcome>, Checkout, usize, u64, u64)> {
    let db = TestDatabase::create().await?;
    let (a, b) = (db.open().await, db.open().await);
    let m = new_merchant(&a).await;
    let c = ready_to_complete(&new_checkout(&m));
    insert(&a, &m, &c).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let outcomes = join_all((0..64).map(|i| {
        let store: &PostgresStore = if i % 2 == 0 { &a } else { &b };
        let key = key.map_or_else(|| format!("key-{i}"), str::to_owned);
        store.execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: idem(&key, "complete-fp"),
            apply: complete(runs.clone()),
        })
    }))
    .await;
    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .map(|o| o.expect("no storage error"))
        .collect();
    let stored = b
        .checkout(
            &tenant(&m),
            &ObjectRef::CheckoutSession(c.session.id.clone()),
        )
        .await
        .unwrap()
        .unwrap();
    let permissions = a
        .count_objects(&m.merchant_id, ObjectKind::ChargePermission)
        .await
        .unwrap();
    let charges = a
        .count_objects(&m.merchant_id, ObjectKind::Charge)
        .await
        .unwrap();
    a.close().await;
    b.close().await;
    Some((
        outcomes,
        stored,
        runs.load(Ordering::SeqCst),
        permissions,
        charges,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_run_64_concurrent_completes_with_one_key_exactly_once() {
    // Arrange + Act
    let Some((outcomes, stored, runs, permissions, charges)) =
        complete_concurrently_on_two_instances(Some("one-key")).await
    else {
        return;
    };

    // Assert
    let permission = stored.permission.as_ref().unwrap().id.to_string();
    assert_eq!(runs, 1);
    assert_eq!((permissions, charges <= 1), (1, true));
    let executed = outcomes
        .iter()
        .filter(|o| **o == Outcome::Executed(ok(&permission)))
        .count();
    let replayed = outcomes
        .iter()
        .filter(|o| **o == Outcome::Replayed(ok(&permission)))
        .count();
    assert_eq!((executed, replayed), (1, 63), "{outcomes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_run_64_concurrent_completes_with_distinct_keys_once() {
    // Arrange + Act
    let Some((outcomes, stored, runs, permissions, charges)) =
        complete_concurrently_on_two_instances(None).await
    else {
        return;
    };

    // Assert: one Complete created the permission, every other one saw the completed session.
    let permission = stored.permission.as_ref().unwrap().id.to_string();
    assert_eq!(runs, 1);
    assert_eq!((permissions, charges <= 1), (1, true));
    let executed = outcomes
        .iter()
        .filter(|o| **o == Outcome::Executed(ok(&permission)))
        .count();
    let rejected = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Rejected(r) if r.status == 422))
        .count();
    assert_eq!((executed, rejected), (1, 63), "{outcomes:?}");
}

/// The real time the claim tests pass: only the (frozen) virtual clocks matter.
const REAL: Timestamp = Timestamp::from_unix(1);

/// One background worker: claims due checkouts and applies their timers until none is left;
/// records each claim, and counts the executions that found the checkout still due.
async fn claim_and_apply(
    store: &PostgresStore,
    claims: &Mutex<Vec<String>>,
    processed: Arc<AtomicUsize>,
) {
    while let Some(due) = store.next_due(REAL, None).await.unwrap() {
        claims.lock().unwrap().push(due.checkout_id.to_string());
        let now = T0.plus(DAY);
        let processed = processed.clone();
        let out = store
            .execute(Mutation {
                tenant: due.tenant,
                target: Target::Existing(ObjectRef::CheckoutSession(due.checkout_id.clone())),
                idempotency: None,
                apply: Box::new(move |loaded| {
                    let c = loaded.expect("the claimed checkout");
                    if c.next_due().is_some_and(|t| t <= now) {
                        processed.fetch_add(1, Ordering::SeqCst);
                    }
                    Applied::Write {
                        checkout: Box::new(c.advance_to(now).0),
                        response: ok("applied"),
                        notifications: Vec::new(),
                    }
                }),
            })
            .await
            .unwrap();
        assert!(matches!(out, Outcome::Executed(_)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_claim_each_due_checkout_once() {
    // Arrange: 3 merchants with 10 sessions each, all expired on their (shared) clocks.
    let db = test_database!();
    let (a, b) = (db.open().await, db.open().await);
    let mut expected = HashSet::new();
    for _ in 0..3 {
        let m = new_merchant(&a).await;
        for _ in 0..10 {
            let c = new_checkout(&m);
            insert(&a, &m, &c).await;
            expected.insert(c.session.id.to_string());
        }
        b.set_clock(&m.merchant_id, VirtualClock::Frozen { at: T0.plus(DAY) })
            .await
            .unwrap();
    }
    let claims = Mutex::new(Vec::new());
    let processed = Arc::new(AtomicUsize::new(0));
    let real = REAL;

    // Act: two workers per instance, each claiming and applying until nothing is due.
    futures::future::join4(
        claim_and_apply(&a, &claims, processed.clone()),
        claim_and_apply(&b, &claims, processed.clone()),
        claim_and_apply(&a, &claims, processed.clone()),
        claim_and_apply(&b, &claims, processed.clone()),
    )
    .await;

    // Assert
    let claims = claims.into_inner().unwrap();
    let unique: HashSet<String> = claims.iter().cloned().collect();
    assert_eq!(claims.len(), 30, "each due checkout is claimed once");
    assert_eq!(unique, expected);
    assert_eq!(processed.load(Ordering::SeqCst), 30);
    assert_eq!(a.next_due(real, None).await.unwrap(), None);
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claimed_checkout_is_skipped_until_its_claimer_writes_it() {
    // Arrange
    let db = test_database!();
    let (a, b) = (db.open().await, db.open().await);
    let m = new_merchant(&a).await;
    let c = new_checkout(&m);
    insert(&a, &m, &c).await;
    a.set_clock(&m.merchant_id, VirtualClock::Frozen { at: T0.plus(DAY) })
        .await
        .unwrap();
    let real = Timestamp::from_unix(1);

    // Act + Assert
    let due = a.next_due(real, Some(&m.merchant_id)).await.unwrap();
    assert_eq!(due.map(|d| d.checkout_id), Some(c.session.id.clone()));
    assert_eq!(b.next_due(real, Some(&m.merchant_id)).await.unwrap(), None);
    assert_eq!(a.next_due(real, None).await.unwrap(), None);
    // A write that leaves the timer due (here: no change at all) releases the claim.
    a.execute(Mutation {
        tenant: tenant(&m),
        target: existing(&c),
        idempotency: None,
        apply: Box::new(|loaded| Applied::Write {
            checkout: Box::new(loaded.unwrap()),
            response: ok("unchanged"),
            notifications: Vec::new(),
        }),
    })
    .await
    .unwrap();
    let again = b.next_due(real, Some(&m.merchant_id)).await.unwrap();
    assert_eq!(again.map(|d| d.checkout_id), Some(c.session.id.clone()));
    a.close().await;
    b.close().await;
}

fn is_retryable(e: &StoreError) -> bool {
    matches!(e, StoreError::Unavailable { .. })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_recovers_from_killed_connections_without_a_restart() {
    // Arrange: a pool with several open connections.
    let db = test_database!();
    let store = db.open().await;
    let m = new_merchant(&store).await;
    let c = new_checkout(&m);
    insert(&store, &m, &c).await;
    let reads = join_all((0..8).map(|_| store.merchant(&m.merchant_id))).await;
    assert!(reads.iter().all(Result::is_ok));

    // Act
    let killed = db.kill_connections().await;

    // Assert: the next operation succeeds or fails retryably; the ones after it succeed.
    assert!(killed >= 1, "the pool had connections to kill");
    match store.merchant(&m.merchant_id).await {
        Ok(found) => assert_eq!(found, Some(m.clone())),
        Err(e) => assert!(is_retryable(&e), "{e:?}"),
    }
    for i in 0..3 {
        let loaded = store
            .checkout(
                &tenant(&m),
                &ObjectRef::CheckoutSession(c.session.id.clone()),
            )
            .await
            .unwrap_or_else(|e| panic!("operation {i} after the kill: {e:?}"));
        assert_eq!(loaded.as_ref(), Some(&c));
    }
    let out = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: idem("after-kill", "fp"),
            apply: Box::new(|loaded| Applied::Write {
                checkout: Box::new(loaded.unwrap()),
                response: ok("written"),
                notifications: Vec::new(),
            }),
        })
        .await
        .unwrap();
    assert_eq!(out, Outcome::Executed(ok("written")));
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_killed_inside_a_mutation_fails_retryably_and_writes_nothing() {
    // Arrange: a mutation that pauses inside `apply`, holding its transaction open.
    let db = test_database!();
    let store = Arc::new(db.open().await);
    let m = new_merchant(&*store).await;
    let c = new_checkout(&m);
    insert(&*store, &m, &c).await;
    let (started_tx, started) = tokio::sync::oneshot::channel::<()>();
    let (go, go_rx) = std::sync::mpsc::channel::<()>();
    let changed = {
        let mut next = c.clone();
        next.session.updated_at = T0.plus(99);
        next
    };
    let running = tokio::spawn({
        let (store, m, c, changed) = (store.clone(), m.clone(), c.clone(), changed.clone());
        async move {
            store
                .execute(Mutation {
                    tenant: tenant(&m),
                    target: existing(&c),
                    idempotency: idem("interrupted", "fp"),
                    apply: Box::new(move |_| {
                        let _ = started_tx.send(());
                        // Waits on purpose, with the transaction open, while the test kills
                        // its connection (`block_in_place` lets the runtime go on meanwhile).
                        tokio::task::block_in_place(|| {
                            let _ = go_rx.recv_timeout(Duration::from_secs(10));
                        });
                        Applied::Write {
                            checkout: Box::new(changed),
                            response: ok("interrupted"),
                            notifications: Vec::new(),
                        }
                    }),
                })
                .await
        }
    });

    // Act
    started.await.unwrap();
    assert!(db.kill_connections().await >= 1);
    go.send(()).unwrap();
    let result = running.await.unwrap();

    // Assert: a retryable failure, no partial write, and the key is free for the retry.
    let e = result.expect_err("the transaction lost its connection");
    assert!(is_retryable(&e), "{e:?}");
    let stored = loop {
        match store
            .checkout(
                &tenant(&m),
                &ObjectRef::CheckoutSession(c.session.id.clone()),
            )
            .await
        {
            Ok(found) => break found,
            Err(e) => assert!(is_retryable(&e), "{e:?}"),
        }
    };
    assert_eq!(stored.as_ref(), Some(&c));
    let retry = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: idem("interrupted", "fp"),
            apply: Box::new(move |_| Applied::Write {
                checkout: Box::new(changed),
                response: ok("retried"),
                notifications: Vec::new(),
            }),
        })
        .await
        .unwrap();
    assert_eq!(retry, Outcome::Executed(ok("retried")));
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_opens_postgres_for_a_postgres_url() {
    // Arrange
    let db = test_database!();
    let postgresql = db.url().replacen("postgres://", "postgresql://", 1);

    // Act
    let store = connect(db.url(), ConnectOptions::default()).await.unwrap();
    let other = connect(&postgresql, ConnectOptions::default())
        .await
        .unwrap();

    // Assert: both are instances on the same database.
    let m = new_merchant(&*store).await;
    assert_eq!(other.merchant(&m.merchant_id).await.unwrap(), Some(m));
    assert!(format!("{store:?}").contains("PostgresStore"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_a_retryable_error() {
    // Arrange: a port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("postgres://nobody@127.0.0.1:{port}/nothing");

    // Act
    let result = connect(&url, ConnectOptions::default()).await;

    // Assert
    let e = result.expect_err("nothing listens");
    assert!(is_retryable(&e), "{e:?}");
}
