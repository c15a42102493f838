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
//! Every [`Store::execute`](crate::Store::execute) runs in one `READ COMMITTED` transaction (set explicitly, whatever
//! the database's default), in this order:
//!
//! 1. With an idempotency key: `INSERT INTO idempotency_keys ... ON CONFLICT DO NOTHING` of a
//!    placeholder row (no answer yet). The primary key `(merchant_id, idempotency_key)` makes a
//!    concurrent insert of the same key wait until the first transaction ends. If it commits,
//!    the waiter's insert does nothing and the waiter reads the committed answer (a new statement
//!    sees every commit in `READ COMMITTED`): a replay, or [`Outcome::KeyReused`]. If it rolls
//!    back (a request rejected with a retryable answer stores nothing), the waiter's insert
//!    succeeds and it executes.
//!    So exactly one request per key executes, and no placeholder is ever visible to others.
//! 2. `SELECT ... FOR UPDATE OF c` of the target checkout row (through the id index). Writers of
//!    one aggregate queue here; after the wait PostgreSQL hands the waiter the newest committed
//!    version of the row, so `apply` always sees the latest state and no update is lost.
//! 3. `apply`, then the new document, the new id-index rows, and the idempotency answer, then
//!    `COMMIT`. A rejection writes only the placeholder's answer and commits, or, when its answer
//!    is retryable, rolls the whole transaction back.
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
//! [`Store::next_due`](crate::Store::next_due) claims the checkout it returns: it picks the first due checkout with
//! `FOR UPDATE SKIP LOCKED` (a checkout that another instance is claiming or writing is skipped,
//! not waited for) and sets its `claimed_until` lease in the same statement; rows with a live
//! lease are not picked. The claimer's following write of the checkout clears the lease. So two
//! instances never work on the same checkout's timers at once, and a claimer that dies only
//! delays that checkout by the lease (reads apply due timers anyway). Correctness does not
//! depend on the claim: timers are applied by an ordinary mutation under the row lock.
//!
//! The virtual clocks are columns of `merchants`, so every instance computes the same "now".
//!
//! The steps of a mutation are the `protocol` module's; this module holds their SQL and the
//! transaction (`PgTx`) they run in.
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

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Postgres, Row, Transaction};

use crate::error::{self, TransientCode};
use crate::journal::JournalSql;
use crate::notifications::NotificationSql;
use crate::protocol::{
    self, Delete, Found, IdempotencyRecord, IdempotencyWrite, Lookup, RowWrite, Write, WriteTx,
};
use crate::sql::{AdminWrite, Backend, FaultSql, Sql, SqlText, Statements, bind_checkout_row};
use crate::{Mutation, Outcome, StoreError, StoredResponse};

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
    /// How long a checkout claimed by [`Store::next_due`](crate::Store::next_due) stays invisible to other claimers
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
    sql: Sql<Postgres>,
}

impl PostgresStore {
    /// Connects, applies the embedded migrations (waiting for another instance that is applying
    /// them) and opens the pool.
    pub async fn open(settings: PostgresSettings) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(&settings.url)
            .map_err(db("parsing the PostgreSQL URL"))?
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
            .map_err(db("connecting to PostgreSQL"))?;
        let migrated = sqlx::migrate!("./migrations/postgres")
            .run(&migrator_pool)
            .await;
        // Closing the session also drops the migrator's advisory lock when it failed half-way.
        migrator_pool.close().await;
        migrated.map_err(|e| error::from_migration(e, TRANSIENT))?;
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections.max(1))
            .min_connections(settings.min_connections)
            .acquire_timeout(settings.acquire_timeout)
            .idle_timeout(Some(Duration::from_secs(600)))
            .max_lifetime(Some(Duration::from_secs(1800)))
            .test_before_acquire(true)
            .connect_with(options)
            .await
            .map_err(db("opening the PostgreSQL pool"))?;
        let claim_lease = Some(settings.claim_lease.as_secs_f64());
        Ok(PostgresStore {
            sql: Sql::new(pool, &SQL, TRANSIENT, claim_lease),
        })
    }

    /// Closes the pool, waiting for operations in flight; later operations fail with
    /// [`StoreError::Closed`].
    pub async fn close(&self) {
        self.sql.pool.close().await;
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

const TRANSIENT: TransientCode = transient_sqlstate;

/// Maps a driver error of this backend (see the module docs, "Errors").
fn db(message: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |e| error::from_driver(message, e, TRANSIENT)
}

static SQL: SqlText = SqlText {
    merchant: "SELECT merchant_id, store_id, region, environment, clock_offset, clock_frozen_at, created_at \
         FROM merchants WHERE merchant_id = $1",
    merchants: "SELECT merchant_id, store_id, region, environment, clock_offset, clock_frozen_at, created_at \
         FROM merchants ORDER BY created_at, merchant_id",
    merchant_by_key: "SELECT m.merchant_id, m.store_id, m.region, m.environment, m.clock_offset, m.clock_frozen_at, m.created_at, k.public_key_pem \
         FROM public_keys k JOIN merchants m ON m.merchant_id = k.merchant_id WHERE k.public_key_id = $1",
    insert_merchant: "INSERT INTO merchants (merchant_id, store_id, region, environment, clock_offset, clock_frozen_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    insert_key: "INSERT INTO public_keys (public_key_id, merchant_id, public_key_pem) VALUES ($1, $2, $3)",
    set_clock: "UPDATE merchants SET clock_offset = $1, clock_frozen_at = $2 WHERE merchant_id = $3 RETURNING merchant_id",
    checkout: LOAD_CHECKOUT,
    locate: "SELECT c.merchant_id, c.environment FROM checkout_objects o \
         JOIN checkouts c ON c.checkout_id = o.checkout_id WHERE o.object_id = $1 AND o.kind = $2",
    count_objects: "SELECT COUNT(*) FROM checkout_objects WHERE merchant_id = $1 AND kind = $2",
    next_due: CLAIM_DUE,
    merchants_page: "SELECT merchant_id, store_id, region, environment, clock_offset, clock_frozen_at, created_at \
         FROM merchants WHERE $1::text IS NULL OR (created_at, merchant_id) > \
           (SELECT created_at, merchant_id FROM merchants WHERE merchant_id = $1) \
         ORDER BY created_at, merchant_id LIMIT $2",
    secret: "SELECT value FROM emulator_secrets WHERE name = $1",
    claim_secret: "INSERT INTO emulator_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    // A table scan that stops at `limit` old rows: it runs every few minutes, beside the
    // writers (MVCC), so it needs no index that every idempotent write would pay for.
    forget_keys: "DELETE FROM idempotency_keys WHERE ctid IN \
         (SELECT ctid FROM idempotency_keys WHERE created_at < to_timestamp($1::float8) LIMIT $2) RETURNING 1",
    faults: &FaultSql {
        insert: "INSERT INTO fault_rules (rule_id, merchant_id, spec, max_hits, created_at) VALUES ($1, $2, $3, $4, $5)",
        list: "SELECT rule_id, merchant_id, spec, max_hits, matched, hits, created_at FROM fault_rules \
             WHERE $1::text IS NULL OR merchant_id IS NULL OR merchant_id = $1 ORDER BY seq",
        delete: "DELETE FROM fault_rules WHERE $1::text IS NULL OR rule_id = $1 RETURNING rule_id",
        matched: "UPDATE fault_rules SET matched = matched + 1 WHERE rule_id = $1 \
             AND (max_hits IS NULL OR hits < max_hits) RETURNING matched",
        hit: "UPDATE fault_rules SET hits = hits + 1 WHERE rule_id = $1 \
             AND (max_hits IS NULL OR hits < max_hits) RETURNING hits",
    },
    notifications: &NotificationSql {
        settings: "SELECT signature_version, ca_pem FROM ipn_settings WHERE merchant_id = $1",
        endpoints: "SELECT environment, url FROM ipn_endpoints WHERE merchant_id = $1 ORDER BY environment, position",
        delete_endpoints: "DELETE FROM ipn_endpoints WHERE merchant_id = $1",
        insert_endpoint: "INSERT INTO ipn_endpoints (merchant_id, environment, position, url) VALUES ($1, $2, $3, $4)",
        upsert_settings: "INSERT INTO ipn_settings (merchant_id, signature_version, ca_pem) VALUES ($1, $2, $3) \
             ON CONFLICT (merchant_id) DO UPDATE SET signature_version = excluded.signature_version, ca_pem = excluded.ca_pem",
        // SKIP LOCKED: a delivery another instance is claiming is passed over, not waited for;
        // the earlier pending delivery of its permission still keeps the later ones back.
        claim: "UPDATE notifications SET lease_until = $1 + $2 WHERE seq = ( \
             SELECT n.seq FROM notifications n WHERE n.state = 'pending' AND n.next_attempt_at <= $1 \
               AND (n.lease_until IS NULL OR n.lease_until <= $1) \
               AND NOT EXISTS (SELECT 1 FROM notifications p WHERE p.state = 'pending' \
                 AND p.endpoint = n.endpoint AND p.charge_permission_id = n.charge_permission_id AND p.seq < n.seq) \
             ORDER BY n.seq LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING seq",
        get: "SELECT seq, notification_id, message_id, merchant_id, environment, endpoint, charge_permission_id, object_type, \
             object_id, notification_type, message, created_at, state, attempts::bigint AS attempts, next_attempt_at, delivered_at \
             FROM notifications WHERE seq = $1",
        list: "SELECT seq, notification_id, message_id, merchant_id, environment, endpoint, charge_permission_id, object_type, \
             object_id, notification_type, message, created_at, state, attempts::bigint AS attempts, next_attempt_at, delivered_at \
             FROM notifications WHERE $1::text IS NULL OR merchant_id = $1 ORDER BY seq DESC LIMIT $2",
        attempts: "SELECT attempt, started_at, latency_ms, status, error, response_head FROM notification_attempts \
             WHERE seq = $1 ORDER BY attempt",
        insert_attempt: "INSERT INTO notification_attempts (seq, attempt, started_at, latency_ms, status, error, response_head) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        finish: "UPDATE notifications SET attempts = $1, state = $2, next_attempt_at = $3, delivered_at = $4, lease_until = NULL \
             WHERE seq = $5",
        redeliver: "UPDATE notifications SET state = 'pending', next_attempt_at = $1, lease_until = NULL WHERE seq = $2 RETURNING seq",
    },
    journal: &JournalSql {
        take_seq: "INSERT INTO request_journal_heads (merchant_id, next_seq) VALUES ($1, $2) ON CONFLICT (merchant_id) DO UPDATE SET next_seq = request_journal_heads.next_seq + $2 RETURNING next_seq",
        insert: "INSERT INTO request_journal (merchant_id, seq, request_id, at_us, virtual_at, operation, method, path, status, reason_code, latency_us, idempotency_key, replayed, detail) VALUES ",
        numbered: true,
        trim: "DELETE FROM request_journal WHERE merchant_id = $1 AND seq < $2",
        newest: "SELECT id, merchant_id, seq, request_id, at_us, virtual_at, operation, method, path, status, reason_code, latency_us, idempotency_key, replayed, detail FROM request_journal \
             WHERE ($1::text IS NULL OR merchant_id = $1) AND ($2::bigint IS NULL OR status >= $2) \
             AND ($3::bigint IS NULL OR status <= $3) AND ($4::text IS NULL OR operation = $4) \
             AND ($5::bigint IS NULL OR at_us >= $5) AND ($7::text IS NULL OR path LIKE $7 ESCAPE '\\' OR detail LIKE $7 ESCAPE '\\') \
             AND ($6::bigint IS NULL OR id < $6) ORDER BY id DESC LIMIT $8",
        after: "SELECT id, merchant_id, seq, request_id, at_us, virtual_at, operation, method, path, status, reason_code, latency_us, idempotency_key, replayed, detail FROM request_journal \
             WHERE ($1::text IS NULL OR merchant_id = $1) AND ($2::bigint IS NULL OR status >= $2) \
             AND ($3::bigint IS NULL OR status <= $3) AND ($4::text IS NULL OR operation = $4) \
             AND ($5::bigint IS NULL OR at_us >= $5) AND ($7::text IS NULL OR path LIKE $7 ESCAPE '\\' OR detail LIKE $7 ESCAPE '\\') \
             AND id > $6 ORDER BY id LIMIT $8",
        by_request_id: "SELECT id, merchant_id, seq, request_id, at_us, virtual_at, operation, method, path, status, reason_code, latency_us, idempotency_key, replayed, detail FROM request_journal WHERE request_id = $1 ORDER BY id DESC LIMIT 1",
    },
    public_key_ids: "SELECT public_key_id FROM public_keys WHERE merchant_id = $1 ORDER BY created_at, public_key_id",
};

const LOAD_CHECKOUT: &str = "SELECT c.document FROM checkout_objects o \
     JOIN checkouts c ON c.checkout_id = o.checkout_id \
     WHERE o.object_id = $1 AND o.kind = $2 AND c.merchant_id = $3 AND c.environment = $4";

/// [`LOAD_CHECKOUT`] with the row lock of step 2 (module docs).
const LOCK_CHECKOUT: &str = "SELECT c.document FROM checkout_objects o \
     JOIN checkouts c ON c.checkout_id = o.checkout_id \
     WHERE o.object_id = $1 AND o.kind = $2 AND c.merchant_id = $3 AND c.environment = $4 \
     FOR UPDATE OF c";

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

impl Backend for PostgresStore {
    type Sql = Sql<Postgres>;

    fn sql(&self) -> &Sql<Postgres> {
        &self.sql
    }

    async fn admin(&self, write: AdminWrite) -> Result<u64, StoreError> {
        let mut tx = self
            .sql
            .pool
            .begin()
            .await
            .map_err(db("beginning a transaction"))?;
        let n = self.sql.admin(&mut tx, write).await?;
        tx.commit().await.map_err(db("committing an admin write"))?;
        Ok(n)
    }

    async fn execute(&self, mutation: Mutation) -> Result<Outcome, StoreError> {
        let tx = self
            .sql
            .pool
            .begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
            .await
            .map_err(db("beginning a transaction"))?;
        protocol::execute(PgTx { tx, sql: &self.sql }, mutation).await
    }
}

/// The `READ COMMITTED` transaction of one mutation; see the module docs for its steps.
struct PgTx<'s> {
    tx: Transaction<'static, Postgres>,
    sql: &'s Sql<Postgres>,
}

impl WriteTx for PgTx<'_> {
    async fn read(&mut self, lookup: &Lookup<'_>) -> Result<Found, StoreError> {
        if let Some(idem) = lookup.idempotency {
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (merchant_id, idempotency_key, fingerprint) VALUES ($1, $2, $3) \
                 ON CONFLICT (merchant_id, idempotency_key) DO NOTHING",
            )
            .bind(lookup.merchant_id)
            .bind(idem.key.as_str())
            .bind(idem.fingerprint.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db("claiming an idempotency key"))?
            .rows_affected();
            if inserted == 0 {
                // Another transaction committed the key: its answer decides, the checkout is
                // not needed.
                let row = sqlx::query(
                    "SELECT fingerprint, status, body FROM idempotency_keys WHERE merchant_id = $1 AND idempotency_key = $2",
                )
                .bind(lookup.merchant_id)
                .bind(idem.key.as_str())
                .fetch_one(&mut *self.tx)
                .await
                .map_err(db("reading an idempotency key"))?;
                let record = IdempotencyRecord {
                    fingerprint: row.get(0),
                    status: row.get::<Option<i32>, _>(1).map(i64::from),
                    body: row.get(2),
                };
                return Ok(Found {
                    record: Some(record),
                    document: None,
                });
            }
        }
        let document = self
            .sql
            .document(&mut self.tx, LOCK_CHECKOUT, lookup)
            .await?;
        Ok(Found {
            record: None,
            document,
        })
    }

    async fn discard(self) -> Result<(), StoreError> {
        self.tx
            .rollback()
            .await
            .map_err(db("rolling back a mutation that wrote nothing"))
    }

    async fn write(mut self, w: &Write) -> Result<(), StoreError> {
        let tx = &mut self.tx;
        let row = match w.row {
            RowWrite::Insert { .. } => {
                "INSERT INTO checkouts (checkout_id, merchant_id, environment, due_at, created_at, updated_at, document) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            }
            RowWrite::Update => {
                "UPDATE checkouts SET due_at = $1, updated_at = $2, document = $3, claimed_until = NULL \
                 WHERE checkout_id = $4"
            }
        };
        bind_checkout_row(sqlx::query(row), w)
            .execute(&mut **tx)
            .await
            .map_err(db("writing a checkout"))?;
        if !w.new_object_ids.is_empty() {
            sqlx::query(
                "INSERT INTO checkout_objects (object_id, kind, checkout_id, merchant_id) \
                 SELECT o, k, $3, $4 FROM UNNEST($1::text[], $2::text[]) AS t (o, k)",
            )
            .bind(&w.new_object_ids)
            .bind(&w.new_object_kinds)
            .bind(w.checkout_id.as_str())
            .bind(w.merchant_id.as_str())
            .execute(&mut **tx)
            .await
            .map_err(db("indexing object ids"))?;
        }
        if let Some(idem) = &w.idempotency {
            answer_placeholder(tx, idem, &w.response).await?;
        }
        if !w.notifications.is_empty() {
            enqueue(tx, w).await?;
        }
        self.tx.commit().await.map_err(db("committing a mutation"))
    }

    async fn record(
        mut self,
        record: &IdempotencyWrite,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        answer_placeholder(&mut self.tx, record, response).await?;
        self.tx
            .commit()
            .await
            .map_err(db("committing a rejected request's idempotency key"))
    }

    async fn delete(mut self, d: &Delete) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM checkout_objects WHERE object_id = ANY($1::text[])")
            .bind(&d.object_ids)
            .execute(&mut *self.tx)
            .await
            .map_err(db("deleting object ids"))?;
        sqlx::query("DELETE FROM checkouts WHERE checkout_id = $1")
            .bind(d.checkout_id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db("deleting a checkout"))?;
        self.tx.commit().await.map_err(db("committing a deletion"))
    }
}

/// Fills in the answer of the placeholder row that step 1 (module docs) inserted.
async fn answer_placeholder(
    tx: &mut Transaction<'static, Postgres>,
    idem: &IdempotencyWrite,
    response: &StoredResponse,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $3, body = $4 WHERE merchant_id = $1 AND idempotency_key = $2",
    )
    .bind(idem.merchant_id.as_str())
    .bind(idem.key.as_str())
    .bind(i32::from(response.status))
    .bind(response.body.as_slice())
    .execute(&mut **tx)
    .await
    .map(|_| ())
    .map_err(db("recording an idempotency key"))
}

/// Enqueues the notifications of `w` for every endpoint of its tenant, in one statement: the
/// notifications in order, each once per endpoint in the endpoints' order.
async fn enqueue(tx: &mut Transaction<'static, Postgres>, w: &Write) -> Result<(), StoreError> {
    let column = |f: fn(&crate::NewNotification) -> &str| -> Vec<&str> {
        w.notifications.iter().map(f).collect()
    };
    let created: Vec<i64> = w.notifications.iter().map(|n| n.created_at_ms).collect();
    sqlx::query(
        "INSERT INTO notifications (notification_id, message_id, merchant_id, environment, endpoint, \
           charge_permission_id, object_type, object_id, notification_type, message, created_at, next_attempt_at) \
         SELECT t.nid, t.mid, e.merchant_id, e.environment, e.url, t.cp, t.ot, t.oi, t.nt, t.msg, t.at, t.at \
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[]) \
           WITH ORDINALITY AS t (nid, mid, cp, ot, oi, nt, msg, at, ord) \
         JOIN ipn_endpoints e ON e.merchant_id = $9 AND e.environment = $10 \
         ORDER BY t.ord, e.position",
    )
    .bind(column(|n| &n.notification_id))
    .bind(column(|n| &n.message_id))
    .bind(column(|n| &n.charge_permission_id))
    .bind(column(|n| &n.object_type))
    .bind(column(|n| &n.object_id))
    .bind(column(|n| &n.notification_type))
    .bind(column(|n| &n.message))
    .bind(created)
    .bind(w.merchant_id.as_str())
    .bind(w.environment)
    .execute(&mut **tx)
    .await
    .map_err(db("enqueueing notifications"))?;
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
            db("x")(sqlx::Error::Io(io)),
            StoreError::Unavailable { .. }
        ));
        assert!(matches!(
            db("x")(sqlx::Error::PoolTimedOut),
            StoreError::Unavailable { .. }
        ));
        assert!(matches!(
            db("x")(sqlx::Error::PoolClosed),
            StoreError::Closed
        ));
        assert!(matches!(
            db("x")(sqlx::Error::RowNotFound),
            StoreError::NotFound
        ));
    }
}
