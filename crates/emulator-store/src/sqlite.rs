//! The SQLite backend: WAL, `synchronous=FULL`, one group-committing writer task, a read pool.

use std::collections::HashSet;
use std::str::FromStr;
use std::time::Duration;

use amzpay_emulator_core::checkout::{Checkout, ObjectKind};
use amzpay_emulator_core::ids::{CheckoutSessionId, MerchantId, PublicKeyId, StoreId};
use amzpay_emulator_core::model::{Environment, Merchant, MerchantKey, Region};
use amzpay_emulator_core::{Timestamp, VirtualClock};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Connection, Row, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use crate::{Applied, DueCheckout, Mutation, Outcome, Store, StoreError, Target, Tenant, doc};

/// How many queued writes one commit takes at most.
const MAX_BATCH: usize = 256;

/// Settings of [`SqliteStore::open`].
#[derive(Clone, Debug)]
pub struct SqliteSettings {
    /// `sqlite://path/to/file.db` (created when missing).
    pub url: String,
    /// `synchronous=FULL` (default, durable against power loss) or `NORMAL`.
    pub full_sync: bool,
    /// Read pool size.
    pub read_connections: u32,
}

impl SqliteSettings {
    /// Durable defaults for `url`.
    pub fn new(url: impl Into<String>) -> SqliteSettings {
        SqliteSettings {
            url: url.into(),
            full_sync: true,
            read_connections: 4,
        }
    }
}

enum AdminWrite {
    InsertMerchant(Merchant, MerchantKey),
    InsertKey(MerchantKey),
    SetClock(MerchantId, VirtualClock),
}

enum Job {
    Mutate(Mutation, oneshot::Sender<Result<Outcome, StoreError>>),
    Admin(AdminWrite, oneshot::Sender<Result<(), StoreError>>),
}

/// SQLite storage. Cheap to clone? No: share it in an `Arc`.
#[derive(Debug)]
pub struct SqliteStore {
    reads: SqlitePool,
    writer: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Job::Mutate(m, _) => write!(f, "Mutate({m:?})"),
            Job::Admin(..) => f.write_str("Admin"),
        }
    }
}

impl SqliteStore {
    /// Opens (creating when missing) the database, applies the embedded migrations and starts
    /// the writer task. Must run inside a tokio runtime.
    pub async fn open(settings: SqliteSettings) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(&settings.url)
            .map_err(StoreError::db("parsing the SQLite URL"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(if settings.full_sync {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            })
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(StoreError::db("opening the SQLite database"))?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&mut conn)
            .await
            .map_err(|e| StoreError::Database {
                message: "applying migrations".into(),
                source: Box::new(e),
            })?;
        let reads = SqlitePoolOptions::new()
            .max_connections(settings.read_connections.max(1))
            .connect_with(options)
            .await
            .map_err(StoreError::db("opening the SQLite read pool"))?;
        // The writer touches the B-tree pages of random keys (object ids, idempotency keys) all
        // over a large database: give it, and only it, a page cache that holds the interior
        // pages of a million checkouts (SQLite's default is 2 MiB; the readers keep it).
        exec(&mut conn, WRITER_CACHE_PRAGMA).await?;
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(writer_loop(conn, rx));
        Ok(SqliteStore { reads, writer: tx })
    }

    async fn admin(&self, write: AdminWrite) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        self.writer
            .send(Job::Admin(write, tx))
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

/// The writer connection's page cache: 64 MiB (a negative `cache_size` is in KiB).
const WRITER_CACHE_PRAGMA: &str = "PRAGMA cache_size = -65536";

async fn exec(conn: &mut SqliteConnection, sql: &str) -> Result<(), StoreError> {
    sqlx::query(sql)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(StoreError::db(sql.to_owned()))
}

/// The single writer: batches queued jobs into one transaction, one savepoint per job, and
/// answers the jobs only after the commit (durability first).
async fn writer_loop(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if let Err(e) = exec(&mut conn, "BEGIN IMMEDIATE").await {
            tracing::error!(error.message = %e, "cannot begin a write transaction");
            fail_all(batch.drain(..), &e);
            continue;
        }
        let mut answers = Vec::with_capacity(batch.len());
        for job in batch.drain(..) {
            // A mutation opens its savepoint itself, in the same round trip to SQLite as its
            // writes, and only when it writes (see `run_mutation`).
            let job = match job {
                Job::Mutate(m, tx) => {
                    answers.push(Answer::Mutate(run_mutation(&mut conn, m).await, tx));
                    continue;
                }
                admin => admin,
            };
            if let Err(e) = exec(&mut conn, "SAVEPOINT job").await {
                answers.push(Answer::failed(job, e));
                continue;
            }
            let answer = run_job(&mut conn, job).await;
            let keep = answer.keeps_changes();
            let end = if keep {
                exec(&mut conn, "RELEASE job").await
            } else {
                match exec(&mut conn, "ROLLBACK TO job").await {
                    Ok(()) => exec(&mut conn, "RELEASE job").await,
                    Err(e) => Err(e),
                }
            };
            match end {
                Ok(()) => answers.push(answer),
                Err(e) => answers.push(answer.into_failed(e)),
            }
        }
        match exec(&mut conn, "COMMIT").await {
            Ok(()) => answers.into_iter().for_each(Answer::send),
            Err(e) => {
                tracing::error!(error.message = %e, "cannot commit a write batch");
                let _ = exec(&mut conn, "ROLLBACK").await;
                for a in answers {
                    a.into_failed(StoreError::Database {
                        message: "commit failed".into(),
                        source: e.to_string().into(),
                    })
                    .send();
                }
            }
        }
    }
}

fn fail_all(jobs: impl Iterator<Item = Job>, e: &StoreError) {
    for job in jobs {
        Answer::failed(
            job,
            StoreError::Database {
                message: "write transaction".into(),
                source: e.to_string().into(),
            },
        )
        .send();
    }
}

enum Answer {
    Mutate(
        Result<Outcome, StoreError>,
        oneshot::Sender<Result<Outcome, StoreError>>,
    ),
    Admin(
        Result<(), StoreError>,
        oneshot::Sender<Result<(), StoreError>>,
    ),
}

impl Answer {
    fn failed(job: Job, e: StoreError) -> Answer {
        match job {
            Job::Mutate(_, tx) => Answer::Mutate(Err(e), tx),
            Job::Admin(_, tx) => Answer::Admin(Err(e), tx),
        }
    }

    fn into_failed(self, e: StoreError) -> Answer {
        match self {
            Answer::Mutate(_, tx) => Answer::Mutate(Err(e), tx),
            Answer::Admin(_, tx) => Answer::Admin(Err(e), tx),
        }
    }

    fn keeps_changes(&self) -> bool {
        matches!(
            self,
            Answer::Mutate(Ok(Outcome::Executed(_)), _) | Answer::Admin(Ok(()), _)
        )
    }

    fn send(self) {
        // A caller that went away (client disconnected) no longer needs the answer; the write
        // is committed either way.
        match self {
            Answer::Mutate(r, tx) => drop(tx.send(r)),
            Answer::Admin(r, tx) => drop(tx.send(r)),
        }
    }
}

async fn run_job(conn: &mut SqliteConnection, job: Job) -> Answer {
    match job {
        Job::Mutate(m, tx) => Answer::Mutate(run_mutation(conn, m).await, tx),
        Job::Admin(w, tx) => Answer::Admin(run_admin(conn, w).await, tx),
    }
}

async fn run_admin(conn: &mut SqliteConnection, w: AdminWrite) -> Result<(), StoreError> {
    match w {
        AdminWrite::InsertMerchant(m, key) => {
            let (offset, frozen) = clock_columns(m.clock);
            sqlx::query(
                "INSERT INTO merchants (merchant_id, store_id, region, environment, clock_offset, clock_frozen_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(m.merchant_id.as_str())
            .bind(m.store_id.as_str())
            .bind(m.region.as_str())
            .bind(m.environment.as_str())
            .bind(offset)
            .bind(frozen)
            .bind(m.created_at.unix())
            .execute(&mut *conn)
            .await
            .map_err(StoreError::db("inserting a merchant"))?;
            insert_key(conn, &key).await
        }
        AdminWrite::InsertKey(key) => insert_key(conn, &key).await,
        AdminWrite::SetClock(id, clock) => {
            let (offset, frozen) = clock_columns(clock);
            let done = sqlx::query(
                "UPDATE merchants SET clock_offset = ?, clock_frozen_at = ? WHERE merchant_id = ?",
            )
            .bind(offset)
            .bind(frozen)
            .bind(id.as_str())
            .execute(&mut *conn)
            .await
            .map_err(StoreError::db("setting a clock"))?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        }
    }
}

async fn insert_key(conn: &mut SqliteConnection, key: &MerchantKey) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO public_keys (public_key_id, merchant_id, public_key_pem, created_at) VALUES (?, ?, ?, strftime('%s','now'))",
    )
    .bind(key.public_key_id.as_str())
    .bind(key.merchant_id.as_str())
    .bind(&key.public_key_pem)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::db("inserting a public key"))?;
    Ok(())
}

fn clock_columns(clock: VirtualClock) -> (i64, Option<i64>) {
    match clock {
        VirtualClock::Running { offset_secs } => (offset_secs, None),
        VirtualClock::Frozen { at } => (0, Some(at.unix())),
    }
}

const LOAD_CHECKOUT: &str = "SELECT c.document FROM checkout_objects o JOIN checkouts c ON c.checkout_id = o.checkout_id \
     WHERE o.object_id = ? AND o.kind = ? AND c.merchant_id = ? AND c.environment = ?";

/// The idempotency record and the target checkout in one round trip to SQLite (kind 1: the
/// record, kind 2: the document).
const IDEMPOTENCY_AND_CHECKOUT: &str = "SELECT 1, fingerprint, status, body FROM idempotency_keys WHERE merchant_id = ? AND idempotency_key = ? \
     UNION ALL SELECT 2, NULL, NULL, c.document FROM checkout_objects o JOIN checkouts c ON c.checkout_id = o.checkout_id \
     WHERE o.object_id = ? AND o.kind = ? AND c.merchant_id = ? AND c.environment = ?";

/// Runs one mutation inside the writer's batch transaction.
///
/// Every statement is a round trip to sqlx's SQLite worker thread (a channel send and two thread
/// wake-ups), which costs more than the statement itself: the reads take one round trip, and
/// all writes of the mutation (with the savepoint that lets it fail alone) take one more.
async fn run_mutation(conn: &mut SqliteConnection, m: Mutation) -> Result<Outcome, StoreError> {
    let Mutation {
        tenant,
        target,
        idempotency,
        apply,
    } = m;
    let mut document: Option<String> = None;
    match (&idempotency, &target) {
        (Some(idem), _) => {
            // Owned: borrowed arguments held across the await trip up the writer task's `Send`.
            let (id, kind) = match &target {
                Target::New => (String::new(), ""),
                Target::Existing { kind, id } => (id.clone(), kind.as_str()),
            };
            let rows = sqlx::query(IDEMPOTENCY_AND_CHECKOUT)
                .bind(tenant.merchant_id.as_str())
                .bind(&idem.key)
                .bind(id)
                .bind(kind)
                .bind(tenant.merchant_id.as_str())
                .bind(tenant.environment.as_str())
                .fetch_all(&mut *conn)
                .await
                .map_err(StoreError::db("reading an idempotency key and a checkout"))?;
            for row in rows {
                if row.get::<i64, _>(0) == 2 {
                    let bytes: Vec<u8> = row.get(3);
                    document = Some(String::from_utf8(bytes).map_err(|_| {
                        StoreError::Corrupt("a checkout document is not UTF-8".into())
                    })?);
                    continue;
                }
                let fingerprint: String = row.get(1);
                if fingerprint != idem.fingerprint {
                    return Ok(Outcome::KeyReused);
                }
                let status: i64 = row.get(2);
                return Ok(Outcome::Replayed(crate::StoredResponse {
                    status: u16::try_from(status).unwrap_or(500),
                    body: row.get(3),
                }));
            }
        }
        (None, Target::Existing { kind, id }) => {
            let row = sqlx::query(LOAD_CHECKOUT)
                .bind(id)
                .bind(kind.as_str())
                .bind(tenant.merchant_id.as_str())
                .bind(tenant.environment.as_str())
                .fetch_optional(&mut *conn)
                .await
                .map_err(StoreError::db("loading a checkout"))?;
            document = row.map(|r| r.get(0));
        }
        (None, Target::New) => {}
    }
    let loaded = match (&target, document) {
        (Target::Existing { .. }, Some(d)) => Some(doc::decode(&d)?),
        _ => None,
    };
    let before: Option<(String, HashSet<String>)> = loaded.as_ref().map(|c| {
        (
            c.session.id.to_string(),
            c.object_ids().into_iter().map(|(_, id)| id).collect(),
        )
    });
    // A bug in `apply` must not take the writer (and so every later write) down with it.
    let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| apply(loaded)))
        .map_err(|_| StoreError::Corrupt("a mutation panicked; nothing was written".into()))?;
    let (checkout, response) = match applied {
        Applied::Reject(response) => return Ok(Outcome::Rejected(response)),
        Applied::Write { checkout, response } => (checkout, response),
    };
    if let Some((id, _)) = &before
        && id != checkout.session.id.as_str()
    {
        return Err(StoreError::Corrupt(
            "a mutation replaced the checkout with another one".into(),
        ));
    }
    let document = doc::encode(&checkout);
    let due = checkout.next_due().map(Timestamp::unix);
    let updated_at = checkout.session.updated_at.unix();
    let known = before.map(|(_, ids)| ids).unwrap_or_default();
    let new_objects: Vec<(ObjectKind, String)> = checkout
        .object_ids()
        .into_iter()
        .filter(|(_, id)| !known.contains(id))
        .collect();
    // One multi-statement query: sqlx binds the arguments to the statements in order.
    let mut sql = String::from("SAVEPOINT job; ");
    if known.is_empty() {
        sql.push_str("INSERT INTO checkouts (checkout_id, merchant_id, environment, due_at, created_at, updated_at, document) VALUES (?, ?, ?, ?, ?, ?, ?); ");
    } else {
        sql.push_str(
            "UPDATE checkouts SET due_at = ?, updated_at = ?, document = ? WHERE checkout_id = ?; ",
        );
    }
    if !new_objects.is_empty() {
        sql.push_str(
            "INSERT INTO checkout_objects (object_id, kind, checkout_id, merchant_id) VALUES ",
        );
        sql.push_str(&vec!["(?, ?, ?, ?)"; new_objects.len()].join(", "));
        sql.push_str("; ");
    }
    if idempotency.is_some() {
        sql.push_str("INSERT INTO idempotency_keys (merchant_id, idempotency_key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?, strftime('%s','now')); ");
    }
    sql.push_str("RELEASE job");
    let session_id = checkout.session.id.to_string();
    let merchant_id = checkout.merchant_id.to_string();
    let mut query = sqlx::query(&sql);
    query = if known.is_empty() {
        query
            .bind(session_id.clone())
            .bind(merchant_id.clone())
            .bind(checkout.environment.as_str())
            .bind(due)
            .bind(checkout.session.created_at.unix())
            .bind(updated_at)
            .bind(document)
    } else {
        query
            .bind(due)
            .bind(updated_at)
            .bind(document)
            .bind(session_id.clone())
    };
    for (kind, id) in new_objects {
        query = query
            .bind(id)
            .bind(kind.as_str())
            .bind(session_id.clone())
            .bind(merchant_id.clone());
    }
    if let Some(idem) = idempotency {
        query = query
            .bind(merchant_id)
            .bind(idem.key)
            .bind(idem.fingerprint)
            .bind(i64::from(response.status))
            .bind(response.body.clone());
    }
    if let Err(e) = query.execute(&mut *conn).await {
        // Undo whatever part of the mutation ran; when the savepoint itself failed there is
        // nothing to undo and the rollback fails harmlessly.
        let _ = exec(conn, "ROLLBACK TO job; RELEASE job").await;
        return Err(StoreError::db("writing a checkout")(e));
    }
    Ok(Outcome::Executed(response))
}

fn merchant_from_row(row: &SqliteRow) -> Result<Merchant, StoreError> {
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

const MERCHANT_COLUMNS: &str = "m.merchant_id, m.store_id, m.region, m.environment, m.clock_offset, m.clock_frozen_at, m.created_at";

#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn insert_merchant(
        &self,
        merchant: &Merchant,
        key: &MerchantKey,
    ) -> Result<(), StoreError> {
        self.admin(AdminWrite::InsertMerchant(merchant.clone(), key.clone()))
            .await
    }

    async fn insert_key(&self, key: &MerchantKey) -> Result<(), StoreError> {
        self.admin(AdminWrite::InsertKey(key.clone())).await
    }

    async fn merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError> {
        let sql = format!("SELECT {MERCHANT_COLUMNS} FROM merchants m WHERE m.merchant_id = ?");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.reads)
            .await
            .map_err(StoreError::db("reading a merchant"))?;
        row.as_ref().map(merchant_from_row).transpose()
    }

    async fn merchants(&self) -> Result<Vec<Merchant>, StoreError> {
        let sql = format!(
            "SELECT {MERCHANT_COLUMNS} FROM merchants m ORDER BY m.created_at, m.merchant_id"
        );
        let rows = sqlx::query(&sql)
            .fetch_all(&self.reads)
            .await
            .map_err(StoreError::db("listing merchants"))?;
        rows.iter().map(merchant_from_row).collect()
    }

    async fn merchant_by_key(
        &self,
        key_id: &PublicKeyId,
    ) -> Result<Option<(Merchant, MerchantKey)>, StoreError> {
        let sql = format!(
            "SELECT {MERCHANT_COLUMNS}, k.public_key_pem FROM public_keys k JOIN merchants m ON m.merchant_id = k.merchant_id WHERE k.public_key_id = ?"
        );
        let row = sqlx::query(&sql)
            .bind(key_id.as_str())
            .fetch_optional(&self.reads)
            .await
            .map_err(StoreError::db("reading a public key"))?;
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
        self.admin(AdminWrite::SetClock(id.clone(), clock)).await
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
            .fetch_optional(&self.reads)
            .await
            .map_err(StoreError::db("reading a checkout"))?;
        row.map(|r| doc::decode(r.get::<&str, _>(0))).transpose()
    }

    async fn locate(&self, kind: ObjectKind, id: &str) -> Result<Option<Tenant>, StoreError> {
        let row = sqlx::query(
            "SELECT c.merchant_id, c.environment FROM checkout_objects o JOIN checkouts c ON c.checkout_id = o.checkout_id WHERE o.object_id = ? AND o.kind = ?",
        )
        .bind(id)
        .bind(kind.as_str())
        .fetch_optional(&self.reads)
        .await
        .map_err(StoreError::db("locating an object"))?;
        let Some(row) = row else { return Ok(None) };
        let bad = || StoreError::Corrupt("bad tenant of a checkout".into());
        Ok(Some(Tenant {
            merchant_id: MerchantId::parse(row.get(0)).ok_or_else(bad)?,
            environment: Environment::parse(row.get(1)).ok_or_else(bad)?,
        }))
    }

    async fn execute(&self, mutation: Mutation) -> Result<Outcome, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.writer
            .send(Job::Mutate(mutation, tx))
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    async fn next_due(
        &self,
        real_now: Timestamp,
        merchant: Option<&MerchantId>,
    ) -> Result<Option<DueCheckout>, StoreError> {
        let row = sqlx::query(
            "SELECT c.checkout_id, c.merchant_id, c.environment FROM merchants m \
             JOIN checkouts c ON c.checkout_id = ( \
                SELECT c2.checkout_id FROM checkouts c2 \
                WHERE c2.merchant_id = m.merchant_id AND c2.due_at IS NOT NULL \
                  AND c2.due_at <= COALESCE(m.clock_frozen_at, ?1 + m.clock_offset) \
                ORDER BY c2.due_at LIMIT 1) \
             WHERE ?2 IS NULL OR m.merchant_id = ?2 LIMIT 1",
        )
        .bind(real_now.unix())
        .bind(merchant.map(MerchantId::as_str))
        .fetch_optional(&self.reads)
        .await
        .map_err(StoreError::db("finding due checkouts"))?;
        let Some(row) = row else { return Ok(None) };
        let bad = || StoreError::Corrupt("bad ids in a due checkout".into());
        Ok(Some(DueCheckout {
            tenant: Tenant {
                merchant_id: MerchantId::parse(row.get(1)).ok_or_else(bad)?,
                environment: Environment::parse(row.get(2)).ok_or_else(bad)?,
            },
            checkout_id: CheckoutSessionId::parse(row.get(0)).ok_or_else(bad)?,
        }))
    }

    async fn count_objects(
        &self,
        merchant: &MerchantId,
        kind: ObjectKind,
    ) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM checkout_objects WHERE merchant_id = ? AND kind = ?",
        )
        .bind(merchant.as_str())
        .bind(kind.as_str())
        .fetch_one(&self.reads)
        .await
        .map_err(StoreError::db("counting objects"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
