//! The PostgreSQL backend: one transaction per mutation on a connection pool, for several
//! emulator instances sharing one database.
//!
//! # Start
//!
//! [`PostgresStore::open`] applies the embedded migrations (`migrations/postgres`) on a dedicated
//! connection (a one-connection pool) before it opens the pool. sqlx's PostgreSQL migrator takes a session-level
//! `pg_advisory_lock` keyed by the database name before it even creates `_sqlx_migrations`, so
//! instances that start at once run the migrations one after the other: the first applies them,
//! the others find them applied. The connection is closed afterwards, which also releases the
//! lock when a migration failed half-way (the migrator returns without unlocking then).
//!
//! # Isolation and locking
//!
//! Every [`Store::execute`] runs in one `READ COMMITTED` transaction (set explicitly, whatever
//! the database's default), in this order:
//!
//! 1. With an idempotency key: `INSERT INTO idempotency_keys ... ON CONFLICT DO NOTHING` of a
//!    placeholder row (no answer yet). The primary key `(merchant_id, idempotency_key)` makes a
//!    concurrent insert of the same key wait until the first transaction ends. If it commits,
//!    the waiter's insert does nothing and the waiter reads the committed answer (a new statement
//!    sees every commit in `READ COMMITTED`): a replay, or [`Outcome::KeyReused`]. If it rolls
//!    back (a rejected request stores nothing), the waiter's insert succeeds and it executes.
//!    So exactly one request per key executes, and no placeholder is ever visible to others.
//! 2. `SELECT ... FOR UPDATE OF c` of the target checkout row (through the id index). Writers of
//!    one aggregate queue here; after the wait PostgreSQL hands the waiter the newest committed
//!    version of the row, so `apply` always sees the latest state and no update is lost.
//! 3. `apply`, then the new document, the new id-index rows, and the idempotency answer, then
//!    `COMMIT`. A rejection rolls the whole transaction back.
//!
//! This is enough because every invariant lives inside one aggregate (one row) or in a unique
//! key: the row lock serializes all writers of an aggregate, and the unique keys (object ids,
//! checkout ids, idempotency keys, public key ids) are checked by PostgreSQL itself. Readers run
//! single statements, so each sees one committed snapshot. `SERIALIZABLE` would add nothing but
//! serialization failures to retry. A transaction takes at most one idempotency key and then at
//! most one checkout row, always in that order, so two mutations cannot deadlock.
//!
//! # Background claims
//!
//! [`Store::next_due`] claims the checkout it returns: it picks the first due checkout with
//! `FOR UPDATE SKIP LOCKED` (a checkout that another instance is claiming or writing is skipped,
//! not waited for) and sets its `claimed_until` lease in the same statement; rows with a live
//! lease are not picked. The claimer's following write of the checkout clears the lease. So two
//! instances never work on the same checkout's timers at once, and a claimer that dies only
//! delays that checkout by the lease (reads apply due timers anyway). Correctness does not
//! depend on the claim: timers are applied by an ordinary mutation under the row lock.
//!
//! The virtual clocks are columns of `merchants`, so every instance computes the same "now".
//!
//! # Pool
//!
//! A mutation holds one connection for its whole transaction (including the wait for a busy
//! aggregate's row lock); a read holds one for one statement. [`PostgresSettings`] has the
//! sizing: 10 connections per instance by default, acquired within 5 s or the operation fails
//! with the retryable [`StoreError::Unavailable`]. PostgreSQL's `max_connections` must exceed
//! instances × `max_connections`. Connections are checked before use, so the pool replaces
//! connections the server dropped (restart, `pg_terminate_backend`) without a restart of the
//! store.
//!
//! # Errors
//!
//! Lost connections, pool timeouts and the SQLSTATEs of a server that is going away or
//! overloaded (classes `08`, `53`, `57P0x`, statement timeouts, serialization failures and
//! deadlocks) are [`StoreError::Unavailable`]: retry. A write that failed that way was committed
//! entirely or not at all (if the connection broke during `COMMIT` the caller cannot tell which;
//! a retry with the same idempotency key answers either way). Unique violations are
//! [`StoreError::Conflict`]; everything else is [`StoreError::Database`].

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use amzpay_emulator_core::checkout::{Checkout, ObjectKind};
use amzpay_emulator_core::ids::{CheckoutSessionId, MerchantId, PublicKeyId, StoreId};
use amzpay_emulator_core::model::{Environment, Merchant, MerchantKey, Region};
use amzpay_emulator_core::{Timestamp, VirtualClock};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{PgConnection, Row};

use crate::{
    Applied, DueCheckout, Mutation, Outcome, Store, StoreError, StoredResponse, Target, Tenant, doc,
};

/// Settings of [`PostgresStore::open`]. `Debug` hides the password of the URL.
#[derive(Clone)]
pub struct PostgresSettings {
    /// `postgres://user:password@host:port/database?...` (the database must exist).
    pub url: String,
    /// Most connections the pool opens.
    pub max_connections: u32,
    /// Connections the pool keeps open when idle.
    pub min_connections: u32,
    /// How long an operation waits for a free connection before it fails with
    /// [`StoreError::Unavailable`].
    pub acquire_timeout: Duration,
    /// `statement_timeout` of every connection: a statement running (or waiting for a lock)
    /// longer fails with [`StoreError::Unavailable`].
    pub statement_timeout: Duration,
    /// `idle_in_transaction_session_timeout`: PostgreSQL ends a session that sits in an open
    /// transaction this long (a hung instance), releasing its locks.
    pub idle_in_transaction_timeout: Duration,
    /// How long a checkout claimed by [`Store::next_due`] stays invisible to other claimers
    /// unless the claimer writes it first (real time).
    pub claim_lease: Duration,
    /// `application_name` of the connections (visible in `pg_stat_activity`).
    pub application_name: String,
}

impl PostgresSettings {
    /// Defaults for `url`: 10 connections, 5 s to acquire one, 30 s statement timeout, 30 s
    /// claim lease.
    pub fn new(url: impl Into<String>) -> PostgresSettings {
        PostgresSettings {
            url: url.into(),
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
            idle_in_transaction_timeout: Duration::from_secs(60),
            claim_lease: Duration::from_secs(30),
            application_name: "amzpay-emulator".into(),
        }
    }
}

impl fmt::Debug for PostgresSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresSettings")
            .field("url", &redact(&self.url))
            .field("max_connections", &self.max_connections)
            .field("min_connections", &self.min_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .field(
                "idle_in_transaction_timeout",
                &self.idle_in_transaction_timeout,
            )
            .field("claim_lease", &self.claim_lease)
            .field("application_name", &self.application_name)
            .finish()
    }
}

/// The URL with the password (if any) replaced by `***`.
fn redact(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return "<not a URL>".into();
    };
    let authority_end = url[start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| start + i);
    let Some(at) = url[start..authority_end].rfind('@').map(|i| start + i) else {
        return url.to_owned();
    };
    match url[start..at].find(':') {
        Some(colon) => format!("{}:***{}", &url[..start + colon], &url[at..]),
        None => url.to_owned(),
    }
}

/// PostgreSQL storage, shareable by several emulator instances. Share it in an `Arc`.
#[derive(Debug)]
pub struct PostgresStore {
    pool: PgPool,
    claim_lease_secs: f64,
}

impl PostgresStore {
    /// Connects, applies the embedded migrations (waiting for another instance that is applying
    /// them) and opens the pool.
    pub async fn open(settings: PostgresSettings) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(&settings.url)
            .map_err(pg("parsing the PostgreSQL URL"))?
            .application_name(&settings.application_name)
            .options([
                (
                    "statement_timeout",
                    settings.statement_timeout.as_millis().to_string(),
                ),
                (
                    "idle_in_transaction_session_timeout",
                    settings.idle_in_transaction_timeout.as_millis().to_string(),
                ),
            ]);
        // A one-connection pool rather than a bare connection keeps this future `Send` (sqlx's
        // `Migrator::run` on `&mut PgConnection` is not, in 0.8).
        let migrator_pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options.clone())
            .await
            .map_err(pg("connecting to PostgreSQL"))?;
        let migrated = sqlx::migrate!("./migrations/postgres")
            .run(&migrator_pool)
            .await;
        // Closing the session also drops the migrator's advisory lock when it failed half-way.
        migrator_pool.close().await;
        migrated.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => classify("applying migrations", e),
            other => StoreError::Database {
                message: "applying migrations".into(),
                source: Box::new(other),
            },
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections.max(1))
            .min_connections(settings.min_connections)
            .acquire_timeout(settings.acquire_timeout)
            .idle_timeout(Some(Duration::from_secs(600)))
            .max_lifetime(Some(Duration::from_secs(1800)))
            .test_before_acquire(true)
            .connect_with(options)
            .await
            .map_err(pg("opening the PostgreSQL pool"))?;
        Ok(PostgresStore {
            pool,
            claim_lease_secs: settings.claim_lease.as_secs_f64(),
        })
    }

    /// Closes the pool, waiting for operations in flight; later operations fail with
    /// [`StoreError::Closed`].
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Maps a driver error (see the module docs, "Errors").
fn pg(message: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| classify(message, e)
}

fn classify(message: &str, e: sqlx::Error) -> StoreError {
    let transient = match &e {
        sqlx::Error::RowNotFound => return StoreError::NotFound,
        sqlx::Error::PoolClosed => return StoreError::Closed,
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            return StoreError::Conflict(format!("{message}: {}", d.message()));
        }
        sqlx::Error::Database(d) => d.code().is_some_and(|c| transient_sqlstate(&c)),
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::WorkerCrashed => true,
        _ => false,
    };
    let message = message.to_owned();
    let source = Box::new(e);
    if transient {
        StoreError::Unavailable { message, source }
    } else {
        StoreError::Database { message, source }
    }
}

/// SQLSTATEs after which the same operation may succeed: the connection or server went away,
/// the server is overloaded or starting, or the transaction lost a race.
fn transient_sqlstate(code: &str) -> bool {
    code.starts_with("08") // connection exception
        || code.starts_with("53") // insufficient resources (too many connections, ...)
        || matches!(
            code,
            "57P01" // admin_shutdown (also pg_terminate_backend)
                | "57P02" // crash_shutdown
                | "57P03" // cannot_connect_now (starting up)
                | "57014" // query_canceled (statement_timeout)
                | "55P03" // lock_not_available
                | "40001" // serialization_failure
                | "40P01" // deadlock_detected
                | "25P03" // idle_in_transaction_session_timeout
        )
}

fn clock_columns(clock: VirtualClock) -> (i64, Option<i64>) {
    match clock {
        VirtualClock::Running { offset_secs } => (offset_secs, None),
        VirtualClock::Frozen { at } => (0, Some(at.unix())),
    }
}

fn merchant_from_row(row: &PgRow) -> Result<Merchant, StoreError> {
    let bad = |what: &str| StoreError::Corrupt(format!("bad {what} in a merchant row"));
    let frozen: Option<i64> = row.get("clock_frozen_at");
    Ok(Merchant {
        merchant_id: MerchantId::parse(row.get("merchant_id")).ok_or_else(|| bad("merchant id"))?,
        store_id: StoreId::parse(row.get("store_id")).ok_or_else(|| bad("store id"))?,
        region: Region::parse(row.get("region")).ok_or_else(|| bad("region"))?,
        environment: Environment::parse(row.get("environment"))
            .ok_or_else(|| bad("environment"))?,
        clock: match frozen {
            Some(at) => VirtualClock::Frozen {
                at: Timestamp::from_unix(at),
            },
            None => VirtualClock::Running {
                offset_secs: row.get("clock_offset"),
            },
        },
        created_at: Timestamp::from_unix(row.get("created_at")),
    })
}

fn tenant_from(merchant_id: &str, environment: &str) -> Result<Tenant, StoreError> {
    let bad = || StoreError::Corrupt("bad tenant of a checkout".into());
    Ok(Tenant {
        merchant_id: MerchantId::parse(merchant_id).ok_or_else(bad)?,
        environment: Environment::parse(environment).ok_or_else(bad)?,
    })
}

const MERCHANT_COLUMNS: &str = "m.merchant_id, m.store_id, m.region, m.environment, m.clock_offset, m.clock_frozen_at, m.created_at";

const LOAD_CHECKOUT: &str = "SELECT c.checkout_id, c.document FROM checkout_objects o \
     JOIN checkouts c ON c.checkout_id = o.checkout_id \
     WHERE o.object_id = $1 AND o.kind = $2 AND c.merchant_id = $3 AND c.environment = $4";

/// Claims the first due checkout: per merchant (optionally one) the earliest due, unclaimed,
/// unlocked checkout on that merchant's clock, then the lease, in one statement.
const CLAIM_DUE: &str = "WITH due AS ( \
        SELECT d.checkout_id FROM merchants m \
        CROSS JOIN LATERAL ( \
            SELECT c.checkout_id FROM checkouts c \
            WHERE c.merchant_id = m.merchant_id AND c.due_at IS NOT NULL \
              AND c.due_at <= COALESCE(m.clock_frozen_at, $1 + m.clock_offset) \
              AND (c.claimed_until IS NULL OR c.claimed_until <= clock_timestamp()) \
            ORDER BY c.due_at LIMIT 1 \
            FOR UPDATE OF c SKIP LOCKED) d \
        WHERE $2::text IS NULL OR m.merchant_id = $2 \
        LIMIT 1) \
     UPDATE checkouts c SET claimed_until = clock_timestamp() + make_interval(secs => $3) \
     FROM due WHERE c.checkout_id = due.checkout_id \
     RETURNING c.checkout_id, c.merchant_id, c.environment";

/// The transaction of one mutation; see the module docs for the order of its steps.
async fn run_mutation(pool: &PgPool, m: Mutation) -> Result<Outcome, StoreError> {
    let Mutation {
        tenant,
        target,
        idempotency,
        apply,
    } = m;
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
        .await
        .map_err(pg("beginning a transaction"))?;
    if let Some(idem) = &idempotency {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (merchant_id, idempotency_key, fingerprint) VALUES ($1, $2, $3) \
             ON CONFLICT (merchant_id, idempotency_key) DO NOTHING",
        )
        .bind(tenant.merchant_id.as_str())
        .bind(&idem.key)
        .bind(&idem.fingerprint)
        .execute(&mut *tx)
        .await
        .map_err(pg("claiming an idempotency key"))?
        .rows_affected();
        if inserted == 0 {
            let row = sqlx::query(
                "SELECT fingerprint, status, body FROM idempotency_keys WHERE merchant_id = $1 AND idempotency_key = $2",
            )
            .bind(tenant.merchant_id.as_str())
            .bind(&idem.key)
            .fetch_one(&mut *tx)
            .await
            .map_err(pg("reading an idempotency key"))?;
            tx.rollback()
                .await
                .map_err(pg("ending a read transaction"))?;
            let fingerprint: String = row.get(0);
            if fingerprint != idem.fingerprint {
                return Ok(Outcome::KeyReused);
            }
            let status: Option<i32> = row.get(1);
            let body: Option<Vec<u8>> = row.get(2);
            let (Some(status), Some(body)) = (status, body) else {
                return Err(StoreError::Corrupt(
                    "a committed idempotency record has no answer".into(),
                ));
            };
            return Ok(Outcome::Replayed(StoredResponse {
                status: u16::try_from(status).unwrap_or(500),
                body,
            }));
        }
    }
    let loaded = match &target {
        Target::New => None,
        Target::Existing { kind, id } => {
            let sql = format!("{LOAD_CHECKOUT} FOR UPDATE OF c");
            let row = sqlx::query(&sql)
                .bind(id)
                .bind(kind.as_str())
                .bind(tenant.merchant_id.as_str())
                .bind(tenant.environment.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(pg("locking a checkout"))?;
            match row {
                Some(r) => Some(doc::decode(r.get::<&str, _>(1))?),
                None => None,
            }
        }
    };
    let before: Option<(String, HashSet<String>)> = loaded.as_ref().map(|c| {
        (
            c.session.id.to_string(),
            c.object_ids().into_iter().map(|(_, id)| id).collect(),
        )
    });
    // A bug in `apply` fails this request alone (as on SQLite); dropping `tx` rolls it back.
    let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| apply(loaded)))
        .map_err(|_| StoreError::Corrupt("a mutation panicked; nothing was written".into()))?;
    let (checkout, response) = match applied {
        Applied::Reject(response) => {
            tx.rollback()
                .await
                .map_err(pg("rolling back a rejected mutation"))?;
            return Ok(Outcome::Rejected(response));
        }
        Applied::Write { checkout, response } => (checkout, response),
    };
    let document = doc::encode(&checkout);
    let due = checkout.next_due().map(Timestamp::unix);
    let updated_at = checkout.session.updated_at.unix();
    match &before {
        None => {
            sqlx::query(
                "INSERT INTO checkouts (checkout_id, merchant_id, environment, due_at, created_at, updated_at, document) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(checkout.session.id.as_str())
            .bind(checkout.merchant_id.as_str())
            .bind(checkout.environment.as_str())
            .bind(due)
            .bind(checkout.session.created_at.unix())
            .bind(updated_at)
            .bind(&document)
            .execute(&mut *tx)
            .await
            .map_err(pg("inserting a checkout"))?;
        }
        Some((id, _)) => {
            if id != checkout.session.id.as_str() {
                return Err(StoreError::Corrupt(
                    "a mutation replaced the checkout with another one".into(),
                ));
            }
            sqlx::query(
                "UPDATE checkouts SET due_at = $1, updated_at = $2, document = $3, claimed_until = NULL \
                 WHERE checkout_id = $4",
            )
            .bind(due)
            .bind(updated_at)
            .bind(&document)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(pg("updating a checkout"))?;
        }
    }
    let known = before.map(|(_, ids)| ids).unwrap_or_default();
    let (ids, kinds): (Vec<String>, Vec<&'static str>) = checkout
        .object_ids()
        .into_iter()
        .filter(|(_, id)| !known.contains(id))
        .map(|(kind, id)| (id, kind.as_str()))
        .unzip();
    if !ids.is_empty() {
        sqlx::query(
            "INSERT INTO checkout_objects (object_id, kind, checkout_id, merchant_id) \
             SELECT o, k, $3, $4 FROM UNNEST($1::text[], $2::text[]) AS t (o, k)",
        )
        .bind(&ids)
        .bind(&kinds)
        .bind(checkout.session.id.as_str())
        .bind(checkout.merchant_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(pg("indexing object ids"))?;
    }
    if let Some(idem) = &idempotency {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $3, body = $4 WHERE merchant_id = $1 AND idempotency_key = $2",
        )
        .bind(tenant.merchant_id.as_str())
        .bind(&idem.key)
        .bind(i32::from(response.status))
        .bind(&response.body)
        .execute(&mut *tx)
        .await
        .map_err(pg("recording an idempotency key"))?;
    }
    tx.commit().await.map_err(pg("committing a mutation"))?;
    Ok(Outcome::Executed(response))
}

#[async_trait::async_trait]
impl Store for PostgresStore {
    async fn insert_merchant(
        &self,
        merchant: &Merchant,
        key: &MerchantKey,
    ) -> Result<(), StoreError> {
        let (offset, frozen) = clock_columns(merchant.clock);
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(pg("beginning a transaction"))?;
        sqlx::query(
            "INSERT INTO merchants (merchant_id, store_id, region, environment, clock_offset, clock_frozen_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(merchant.merchant_id.as_str())
        .bind(merchant.store_id.as_str())
        .bind(merchant.region.as_str())
        .bind(merchant.environment.as_str())
        .bind(offset)
        .bind(frozen)
        .bind(merchant.created_at.unix())
        .execute(&mut *tx)
        .await
        .map_err(pg("inserting a merchant"))?;
        insert_key(&mut tx, key).await?;
        tx.commit().await.map_err(pg("committing a merchant"))
    }

    async fn insert_key(&self, key: &MerchantKey) -> Result<(), StoreError> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(pg("acquiring a connection"))?;
        insert_key(&mut conn, key).await
    }

    async fn merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError> {
        let sql = format!("SELECT {MERCHANT_COLUMNS} FROM merchants m WHERE m.merchant_id = $1");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(pg("reading a merchant"))?;
        row.as_ref().map(merchant_from_row).transpose()
    }

    async fn merchants(&self) -> Result<Vec<Merchant>, StoreError> {
        let sql = format!(
            "SELECT {MERCHANT_COLUMNS} FROM merchants m ORDER BY m.created_at, m.merchant_id"
        );
        let rows = sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await
            .map_err(pg("listing merchants"))?;
        rows.iter().map(merchant_from_row).collect()
    }

    async fn merchant_by_key(
        &self,
        key_id: &PublicKeyId,
    ) -> Result<Option<(Merchant, MerchantKey)>, StoreError> {
        let sql = format!(
            "SELECT {MERCHANT_COLUMNS}, k.public_key_pem FROM public_keys k \
             JOIN merchants m ON m.merchant_id = k.merchant_id WHERE k.public_key_id = $1"
        );
        let row = sqlx::query(&sql)
            .bind(key_id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(pg("reading a public key"))?;
        let Some(row) = row else { return Ok(None) };
        let merchant = merchant_from_row(&row)?;
        let key = MerchantKey {
            public_key_id: key_id.clone(),
            merchant_id: merchant.merchant_id.clone(),
            public_key_pem: row.get("public_key_pem"),
        };
        Ok(Some((merchant, key)))
    }

    async fn set_clock(&self, id: &MerchantId, clock: VirtualClock) -> Result<(), StoreError> {
        let (offset, frozen) = clock_columns(clock);
        let done = sqlx::query(
            "UPDATE merchants SET clock_offset = $1, clock_frozen_at = $2 WHERE merchant_id = $3",
        )
        .bind(offset)
        .bind(frozen)
        .bind(id.as_str())
        .execute(&self.pool)
        .await
        .map_err(pg("setting a clock"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn checkout(
        &self,
        tenant: &Tenant,
        kind: ObjectKind,
        id: &str,
    ) -> Result<Option<Checkout>, StoreError> {
        let row = sqlx::query(LOAD_CHECKOUT)
            .bind(id)
            .bind(kind.as_str())
            .bind(tenant.merchant_id.as_str())
            .bind(tenant.environment.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(pg("reading a checkout"))?;
        row.map(|r| doc::decode(r.get::<&str, _>(1))).transpose()
    }

    async fn locate(&self, kind: ObjectKind, id: &str) -> Result<Option<Tenant>, StoreError> {
        let row = sqlx::query(
            "SELECT c.merchant_id, c.environment FROM checkout_objects o \
             JOIN checkouts c ON c.checkout_id = o.checkout_id WHERE o.object_id = $1 AND o.kind = $2",
        )
        .bind(id)
        .bind(kind.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(pg("locating an object"))?;
        row.map(|r| tenant_from(r.get(0), r.get(1))).transpose()
    }

    async fn execute(&self, mutation: Mutation) -> Result<Outcome, StoreError> {
        run_mutation(&self.pool, mutation).await
    }

    async fn next_due(
        &self,
        real_now: Timestamp,
        merchant: Option<&MerchantId>,
    ) -> Result<Option<DueCheckout>, StoreError> {
        let row = sqlx::query(CLAIM_DUE)
            .bind(real_now.unix())
            .bind(merchant.map(MerchantId::as_str))
            .bind(self.claim_lease_secs)
            .fetch_optional(&self.pool)
            .await
            .map_err(pg("claiming a due checkout"))?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(DueCheckout {
            tenant: tenant_from(row.get(1), row.get(2))?,
            checkout_id: CheckoutSessionId::parse(row.get(0))
                .ok_or_else(|| StoreError::Corrupt("bad id of a due checkout".into()))?,
        }))
    }

    async fn count_objects(
        &self,
        merchant: &MerchantId,
        kind: ObjectKind,
    ) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM checkout_objects WHERE merchant_id = $1 AND kind = $2",
        )
        .bind(merchant.as_str())
        .bind(kind.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(pg("counting objects"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

async fn insert_key(conn: &mut PgConnection, key: &MerchantKey) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO public_keys (public_key_id, merchant_id, public_key_pem) VALUES ($1, $2, $3)",
    )
    .bind(key.public_key_id.as_str())
    .bind(key.merchant_id.as_str())
    .bind(&key.public_key_pem)
    .execute(&mut *conn)
    .await
    .map_err(pg("inserting a public key"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db?sslmode=require"),
            "postgres://u:***@h:5432/db?sslmode=require"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        assert_eq!(redact("postgres://u:p%40ss@h/d"), "postgres://u:***@h/d");
        assert_eq!(redact("nonsense"), "<not a URL>");
    }

    #[test]
    fn lost_connections_and_overload_are_retryable_and_bad_sql_is_not() {
        for code in [
            "08006", "57P01", "57P03", "53300", "40001", "40P01", "57014",
        ] {
            assert!(transient_sqlstate(code), "{code}");
        }
        for code in ["42601", "23503", "22P02", "XX000"] {
            assert!(!transient_sqlstate(code), "{code}");
        }
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert!(matches!(
            classify("x", sqlx::Error::Io(io)),
            StoreError::Unavailable { .. }
        ));
        assert!(matches!(
            classify("x", sqlx::Error::PoolTimedOut),
            StoreError::Unavailable { .. }
        ));
        assert!(matches!(
            classify("x", sqlx::Error::PoolClosed),
            StoreError::Closed
        ));
        assert!(matches!(
            classify("x", sqlx::Error::RowNotFound),
            StoreError::NotFound
        ));
    }
}
