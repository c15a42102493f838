//! The SQLite backend: WAL, `synchronous=FULL`, one group-committing writer task, a read pool.
//!
//! The write protocol itself is the `protocol` module; this module holds the SQL, the writer task
//! that batches mutations into one transaction (one savepoint per mutation that writes, one
//! fsync per batch), and SQLite's transient error codes.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Row, Sqlite, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use crate::error::{self, TransientCode};
use crate::journal::JournalSql;
use crate::notifications::NotificationSql;
use crate::protocol::{
    self, Delete, Found, IdempotencyRecord, IdempotencyWrite, Lookup, RowWrite, Write, WriteTx,
};
use crate::sql::{AdminWrite, Backend, FaultSql, Sql, SqlText, Statements, bind_checkout_row};
use crate::{Mutation, Outcome, StoreError, StoredResponse};

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

static SQL: SqlText = SqlText {
    merchant: "SELECT merchant_id, store_id, region, environment, clock_offset, clock_frozen_at, created_at \
         FROM merchants WHERE merchant_id = ?",
    merchants: "SELECT merchant_id, store_id, region, environment, clock_offset, clock_frozen_at, created_at \
         FROM merchants ORDER BY created_at, merchant_id",
    merchant_by_key: "SELECT m.merchant_id, m.store_id, m.region, m.environment, m.clock_offset, m.clock_frozen_at, m.created_at, k.public_key_pem \
         FROM public_keys k JOIN merchants m ON m.merchant_id = k.merchant_id WHERE k.public_key_id = ?",
    insert_merchant: "INSERT INTO merchants (merchant_id, store_id, region, environment, clock_offset, clock_frozen_at, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    insert_key: "INSERT INTO public_keys (public_key_id, merchant_id, public_key_pem, created_at) \
         VALUES (?, ?, ?, strftime('%s','now'))",
    set_clock: "UPDATE merchants SET clock_offset = ?, clock_frozen_at = ? WHERE merchant_id = ? RETURNING merchant_id",
    checkout: LOAD_CHECKOUT,
    locate: "SELECT c.merchant_id, c.environment FROM checkout_objects o JOIN checkouts c ON c.checkout_id = o.checkout_id \
         WHERE o.object_id = ? AND o.kind = ?",
    count_objects: "SELECT COUNT(*) FROM checkout_objects WHERE merchant_id = ? AND kind = ?",
    next_due: NEXT_DUE,
    merchants_page: "SELECT merchant_id, store_id, region, environment, clock_offset, clock_frozen_at, created_at \
         FROM merchants WHERE ?1 IS NULL OR (created_at, merchant_id) > \
           (SELECT created_at, merchant_id FROM merchants WHERE merchant_id = ?1) \
         ORDER BY created_at, merchant_id LIMIT ?2",
    secret: "SELECT value FROM emulator_secrets WHERE name = ?",
    claim_secret: "INSERT INTO emulator_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
    // Rows are appended in time order, so the oldest rowids are the oldest records: looking at
    // the first `limit` of them costs the same however many records are stored.
    forget_keys: "DELETE FROM idempotency_keys WHERE rowid IN \
         (SELECT rowid FROM (SELECT rowid, created_at FROM idempotency_keys ORDER BY rowid LIMIT ?2) \
          WHERE created_at < ?1) RETURNING 1",
    faults: &FaultSql {
        insert: "INSERT INTO fault_rules (rule_id, merchant_id, spec, max_hits, created_at) VALUES (?, ?, ?, ?, ?)",
        list: "SELECT rule_id, merchant_id, spec, max_hits, matched, hits, created_at FROM fault_rules \
             WHERE ?1 IS NULL OR merchant_id IS NULL OR merchant_id = ?1 ORDER BY seq",
        delete: "DELETE FROM fault_rules WHERE ?1 IS NULL OR rule_id = ?1 RETURNING rule_id",
        matched: "UPDATE fault_rules SET matched = matched + 1 WHERE rule_id = ? \
             AND (max_hits IS NULL OR hits < max_hits) RETURNING matched",
        hit: "UPDATE fault_rules SET hits = hits + 1 WHERE rule_id = ? \
             AND (max_hits IS NULL OR hits < max_hits) RETURNING hits",
    },
    notifications: &NotificationSql {
        settings: "SELECT signature_version, ca_pem FROM ipn_settings WHERE merchant_id = ?",
        endpoints: "SELECT environment, url FROM ipn_endpoints WHERE merchant_id = ? ORDER BY environment, position",
        delete_endpoints: "DELETE FROM ipn_endpoints WHERE merchant_id = ?",
        insert_endpoint: "INSERT INTO ipn_endpoints (merchant_id, environment, position, url) VALUES (?, ?, ?, ?)",
        upsert_settings: "INSERT INTO ipn_settings (merchant_id, signature_version, ca_pem) VALUES (?, ?, ?) \
             ON CONFLICT (merchant_id) DO UPDATE SET signature_version = excluded.signature_version, ca_pem = excluded.ca_pem",
        claim: "UPDATE notifications SET lease_until = ?1 + ?2 WHERE seq = ( \
             SELECT n.seq FROM notifications n WHERE n.state = 'pending' AND n.next_attempt_at <= ?1 \
               AND (n.lease_until IS NULL OR n.lease_until <= ?1) \
               AND NOT EXISTS (SELECT 1 FROM notifications p WHERE p.state = 'pending' \
                 AND p.endpoint = n.endpoint AND p.charge_permission_id = n.charge_permission_id AND p.seq < n.seq) \
             ORDER BY n.seq LIMIT 1) RETURNING seq",
        get: "SELECT seq, notification_id, message_id, merchant_id, environment, endpoint, charge_permission_id, object_type, \
             object_id, notification_type, message, created_at, state, attempts, next_attempt_at, delivered_at \
             FROM notifications WHERE seq = ?",
        list: "SELECT seq, notification_id, message_id, merchant_id, environment, endpoint, charge_permission_id, object_type, \
             object_id, notification_type, message, created_at, state, attempts, next_attempt_at, delivered_at \
             FROM notifications WHERE ?1 IS NULL OR merchant_id = ?1 ORDER BY seq DESC LIMIT ?2",
        attempts: "SELECT attempt, started_at, latency_ms, status, error, response_head FROM notification_attempts \
             WHERE seq = ? ORDER BY attempt",
        insert_attempt: "INSERT INTO notification_attempts (seq, attempt, started_at, latency_ms, status, error, response_head) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        finish: "UPDATE notifications SET attempts = ?, state = ?, next_attempt_at = ?, delivered_at = ?, lease_until = NULL \
             WHERE seq = ?",
        redeliver: "UPDATE notifications SET state = 'pending', next_attempt_at = ?, lease_until = NULL WHERE seq = ? RETURNING seq",
    },
    journal: &JournalSql {
        take_seq: "INSERT INTO request_journal_heads (merchant_id, next_seq) VALUES (?1, ?2) ON CONFLICT (merchant_id) DO UPDATE SET next_seq = next_seq + ?2 RETURNING next_seq",
        insert: "INSERT INTO request_journal (merchant_id, seq, request_id, at_us, virtual_at, operation, method, path, status, reason_code, latency_us, idempotency_key, replayed, detail) VALUES ",
        numbered: false,
        trim: "DELETE FROM request_journal WHERE merchant_id = ?1 AND seq < ?2",
        newest: "SELECT id, merchant_id, seq, request_id, at_us, virtual_at, operation, method, path, status, reason_code, latency_us, idempotency_key, replayed, detail FROM request_journal \
             WHERE (?1 IS NULL OR merchant_id = ?1) AND (?2 IS NULL OR status >= ?2) \
             AND (?3 IS NULL OR status <= ?3) AND (?4 IS NULL OR operation = ?4) \
             AND (?5 IS NULL OR at_us >= ?5) AND (?7 IS NULL OR path LIKE ?7 ESCAPE '\\' OR detail LIKE ?7 ESCAPE '\\') \
             AND (?6 IS NULL OR id < ?6) ORDER BY id DESC LIMIT ?8",
        after: "SELECT id, merchant_id, seq, request_id, at_us, virtual_at, operation, method, path, status, reason_code, latency_us, idempotency_key, replayed, detail FROM request_journal \
             WHERE (?1 IS NULL OR merchant_id = ?1) AND (?2 IS NULL OR status >= ?2) \
             AND (?3 IS NULL OR status <= ?3) AND (?4 IS NULL OR operation = ?4) \
             AND (?5 IS NULL OR at_us >= ?5) AND (?7 IS NULL OR path LIKE ?7 ESCAPE '\\' OR detail LIKE ?7 ESCAPE '\\') \
             AND id > ?6 ORDER BY id LIMIT ?8",
        by_request_id: "SELECT id, merchant_id, seq, request_id, at_us, virtual_at, operation, method, path, status, reason_code, latency_us, idempotency_key, replayed, detail FROM request_journal WHERE request_id = ?1 ORDER BY id DESC LIMIT 1",
    },
    public_key_ids: "SELECT public_key_id FROM public_keys WHERE merchant_id = ? ORDER BY created_at, public_key_id",
};

/// One notification, enqueued for every endpoint of the tenant (no row when it has none).
const ENQUEUE_NOTIFICATION: &str = "INSERT INTO notifications (notification_id, message_id, merchant_id, environment, endpoint, \
     charge_permission_id, object_type, object_id, notification_type, message, created_at, next_attempt_at) \
     SELECT ?, ?, merchant_id, environment, url, ?, ?, ?, ?, ?, ?, ? FROM ipn_endpoints \
     WHERE merchant_id = ? AND environment = ? ORDER BY position";

const LOAD_CHECKOUT: &str = "SELECT c.document FROM checkout_objects o JOIN checkouts c ON c.checkout_id = o.checkout_id \
     WHERE o.object_id = ? AND o.kind = ? AND c.merchant_id = ? AND c.environment = ?";

/// The idempotency record and the target checkout in one round trip to SQLite (kind 1: the
/// record, kind 2: the document).
const IDEMPOTENCY_AND_CHECKOUT: &str = "SELECT 1, fingerprint, status, body FROM idempotency_keys WHERE merchant_id = ? AND idempotency_key = ? \
     UNION ALL SELECT 2, NULL, NULL, c.document FROM checkout_objects o JOIN checkouts c ON c.checkout_id = o.checkout_id \
     WHERE o.object_id = ? AND o.kind = ? AND c.merchant_id = ? AND c.environment = ?";

/// An idempotency record with its answer.
const INSERT_IDEMPOTENCY: &str = "INSERT INTO idempotency_keys (merchant_id, idempotency_key, fingerprint, status, body, created_at) \
     VALUES (?, ?, ?, ?, ?, strftime('%s','now'))";

/// Per merchant (optionally one) the earliest due checkout on that merchant's clock. Nothing is
/// claimed: one process owns the database file.
const NEXT_DUE: &str = "SELECT c.checkout_id, c.merchant_id, c.environment FROM merchants m \
     JOIN checkouts c ON c.checkout_id = ( \
        SELECT c2.checkout_id FROM checkouts c2 \
        WHERE c2.merchant_id = m.merchant_id AND c2.due_at IS NOT NULL \
          AND c2.due_at <= COALESCE(m.clock_frozen_at, ?1 + m.clock_offset) \
        ORDER BY c2.due_at LIMIT 1) \
     WHERE ?2 IS NULL OR m.merchant_id = ?2 LIMIT 1";

/// SQLite result codes after which the same operation may succeed: the database is locked by
/// another connection or process beyond the busy timeout (`SQLITE_BUSY`, `SQLITE_LOCKED` and
/// their extended codes, whose low byte is the primary code).
fn transient_code(code: &str) -> bool {
    const SQLITE_BUSY: i32 = 5;
    const SQLITE_LOCKED: i32 = 6;
    code.parse::<i32>()
        .is_ok_and(|c| matches!(c & 0xff, SQLITE_BUSY | SQLITE_LOCKED))
}

const TRANSIENT: TransientCode = transient_code;

/// Maps a driver error of this backend (see [`error::from_driver`]).
fn db(message: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |e| error::from_driver(message, e, TRANSIENT)
}

enum Job {
    Mutate(Mutation, oneshot::Sender<Result<Outcome, StoreError>>),
    Admin(AdminWrite, oneshot::Sender<Result<u64, StoreError>>),
}

/// SQLite storage. Cheap to clone? No: share it in an `Arc`.
#[derive(Debug)]
pub struct SqliteStore {
    reads: Sql<Sqlite>,
    writer: mpsc::Sender<Job>,
    /// The request journal's own database file, when the main one is a file.
    journal: Option<JournalDb>,
}

/// The request journal on SQLite: a database file of its own next to the main one
/// (`<file>.requests`), with its own connection, written without fsync. Its appends never
/// queue behind the checkouts' writer, never take the main file's write lock and never add to
/// its fsyncs; what a crash may lose is the last entries of a diagnostic log, never an
/// acknowledged write.
#[derive(Debug)]
struct JournalDb {
    sql: Sql<Sqlite>,
    writer: tokio::sync::Mutex<SqliteConnection>,
}

/// The journal's tables in its own file (the same as migration 0005 creates in the main file,
/// where they stay empty on SQLite).
const JOURNAL_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS request_journal ( \
     id INTEGER PRIMARY KEY AUTOINCREMENT, merchant_id TEXT NOT NULL, seq INTEGER NOT NULL, \
     request_id TEXT NOT NULL, at_us INTEGER NOT NULL, virtual_at INTEGER, operation TEXT, \
     method TEXT NOT NULL, path TEXT NOT NULL, status INTEGER NOT NULL, reason_code TEXT, \
     latency_us INTEGER NOT NULL, idempotency_key TEXT, replayed INTEGER NOT NULL, detail TEXT NOT NULL); \
     CREATE UNIQUE INDEX IF NOT EXISTS request_journal_ring ON request_journal (merchant_id, seq); \
     CREATE INDEX IF NOT EXISTS request_journal_request_id ON request_journal (request_id); \
     CREATE TABLE IF NOT EXISTS request_journal_heads (merchant_id TEXT PRIMARY KEY, next_seq INTEGER NOT NULL)";

impl JournalDb {
    /// Opens (creating) the journal file beside `main`; `None` for an in-memory main database
    /// (the journal then shares it).
    async fn open(main: &SqliteConnectOptions) -> Result<Option<JournalDb>, StoreError> {
        let file = main.get_filename();
        if file.as_os_str().is_empty() || file.as_os_str() == ":memory:" {
            return Ok(None);
        }
        let mut name = file.as_os_str().to_owned();
        name.push(".requests");
        let path = std::path::PathBuf::from(name);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Off)
            .busy_timeout(Duration::from_secs(10));
        create_private(&path)?;
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(db("opening the request journal's database"))?;
        exec(&mut conn, JOURNAL_SCHEMA).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
            .map_err(db("opening the request journal's read pool"))?;
        Ok(Some(JournalDb {
            sql: Sql::new(pool, &SQL, TRANSIENT, None),
            writer: tokio::sync::Mutex::new(conn),
        }))
    }

    /// Appends a batch in one transaction on the journal's own connection.
    async fn append(&self, write: AdminWrite) -> Result<u64, StoreError> {
        let mut conn = self.writer.lock().await;
        exec(&mut conn, "BEGIN IMMEDIATE").await?;
        match self.sql.admin(&mut conn, write).await {
            Ok(n) => {
                exec(&mut conn, "COMMIT").await?;
                Ok(n)
            }
            Err(e) => {
                let _ = exec(&mut conn, "ROLLBACK").await;
                Err(e)
            }
        }
    }
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
            .map_err(db("parsing the SQLite URL"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(if settings.full_sync {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            })
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        create_private(options.get_filename())?;
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(db("opening the SQLite database"))?;
        // `run_direct`, not `run`: `run` takes the connection through sqlx's `Acquire`, whose
        // higher-ranked bound makes the compiler unable to prove that the whole `open` future
        // is `Send`, so `Emulator::start()` of the test harness could not be spawned on a task.
        sqlx::migrate!("./migrations/sqlite")
            .run_direct(&mut conn)
            .await
            .map_err(|e| error::from_migration(e, TRANSIENT))?;
        let journal = JournalDb::open(&options).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.read_connections.max(1))
            .connect_with(options)
            .await
            .map_err(db("opening the SQLite read pool"))?;
        // The writer touches the B-tree pages of random keys (object ids, idempotency keys) all
        // over a large database: give it, and only it, a page cache that holds the interior
        // pages of a million checkouts (SQLite's default is 2 MiB; the readers keep it).
        exec(&mut conn, WRITER_CACHE_PRAGMA).await?;
        let (tx, rx) = mpsc::channel(4096);
        // The writer runs the shared statements on its own connection; the pool handle its
        // `Sql` carries is an unused clone.
        tokio::spawn(writer_loop(
            conn,
            Sql::new(pool.clone(), &SQL, TRANSIENT, None),
            rx,
        ));
        Ok(SqliteStore {
            reads: Sql::new(pool, &SQL, TRANSIENT, None),
            writer: tx,
            journal,
        })
    }

    /// Queues `job` for the writer and waits for its answer, which comes after the commit.
    async fn send<T>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T, StoreError>>) -> Job,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.writer
            .send(job(tx))
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

impl Backend for SqliteStore {
    type Sql = Sql<Sqlite>;

    fn sql(&self) -> &Sql<Sqlite> {
        &self.reads
    }

    async fn admin(&self, write: AdminWrite) -> Result<u64, StoreError> {
        self.send(|tx| Job::Admin(write, tx)).await
    }

    async fn execute(&self, mutation: Mutation) -> Result<Outcome, StoreError> {
        self.send(|tx| Job::Mutate(mutation, tx)).await
    }

    fn journal_sql(&self) -> &Sql<Sqlite> {
        self.journal.as_ref().map_or(&self.reads, |j| &j.sql)
    }

    async fn append_journal(&self, write: AdminWrite) -> Result<u64, StoreError> {
        match &self.journal {
            Some(j) => j.append(write).await,
            None => self.admin(write).await,
        }
    }
}

/// Creates the database file readable by its owner only, unless it exists: SQLite would create
/// it with the umask's permissions (usually world-readable), and it gives its `-wal` and `-shm`
/// files the database file's permissions.
fn create_private(path: &std::path::Path) -> Result<(), StoreError> {
    if path.as_os_str().is_empty() || path.as_os_str() == ":memory:" {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Database {
            message: format!("creating {}", path.display()),
            source: Box::new(e),
        }),
    }
}

/// The writer connection's page cache: 64 MiB (a negative `cache_size` is in KiB).
const WRITER_CACHE_PRAGMA: &str = "PRAGMA cache_size = -65536";

async fn exec(conn: &mut SqliteConnection, sql: &str) -> Result<(), StoreError> {
    sqlx::query(sql)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(db(sql))
}

/// The single writer: batches queued jobs into one transaction, one savepoint per job, and
/// answers the jobs only after the commit (durability first).
async fn writer_loop(mut conn: SqliteConnection, sql: Sql<Sqlite>, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if let Err(e) = exec(&mut conn, "BEGIN IMMEDIATE").await {
            tracing::error!(error.message = %e, "cannot begin a write transaction");
            for job in batch.drain(..) {
                Answer::failed(job, error::for_batch("write transaction", &e)).send();
            }
            continue;
        }
        let mut answers = Vec::with_capacity(batch.len());
        for job in batch.drain(..) {
            let (write, tx) = match job {
                // A mutation opens its savepoint itself, in the same round trip to SQLite as its
                // writes, and only when it writes (see `Batched`).
                Job::Mutate(m, tx) => {
                    let outcome = protocol::execute(
                        Batched {
                            conn: &mut conn,
                            sql: &sql,
                        },
                        m,
                    )
                    .await;
                    answers.push(Answer::Mutate(outcome, tx));
                    continue;
                }
                Job::Admin(write, tx) => (write, tx),
            };
            if let Err(e) = exec(&mut conn, "SAVEPOINT job").await {
                answers.push(Answer::Admin(Err(e), tx));
                continue;
            }
            let done = sql.admin(&mut conn, write).await;
            let end = if done.is_ok() {
                exec(&mut conn, "RELEASE job").await
            } else {
                exec(&mut conn, "ROLLBACK TO job; RELEASE job").await
            };
            answers.push(Answer::Admin(end.and(done), tx));
        }
        match exec(&mut conn, "COMMIT").await {
            Ok(()) => answers.into_iter().for_each(Answer::send),
            Err(e) => {
                tracing::error!(error.message = %e, "cannot commit a write batch");
                let _ = exec(&mut conn, "ROLLBACK").await;
                for a in answers {
                    a.into_failed(error::for_batch("commit failed", &e)).send();
                }
            }
        }
    }
}

enum Answer {
    Mutate(
        Result<Outcome, StoreError>,
        oneshot::Sender<Result<Outcome, StoreError>>,
    ),
    Admin(
        Result<u64, StoreError>,
        oneshot::Sender<Result<u64, StoreError>>,
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

    fn send(self) {
        // A caller that went away (client disconnected) no longer needs the answer; the write
        // is committed either way.
        match self {
            Answer::Mutate(r, tx) => drop(tx.send(r)),
            Answer::Admin(r, tx) => drop(tx.send(r)),
        }
    }
}

/// One mutation's place in the writer's batch transaction.
///
/// Every statement is a round trip to sqlx's SQLite worker thread (a channel send and two thread
/// wake-ups), which costs more than the statement itself: the reads take one round trip, and
/// all writes of the mutation (with the savepoint that lets it fail alone) take one more. A
/// mutation that writes nothing (replay, rejection) or only a rejection's idempotency record (one
/// statement) opens no savepoint.
struct Batched<'c> {
    conn: &'c mut SqliteConnection,
    sql: &'c Sql<Sqlite>,
}

impl WriteTx for Batched<'_> {
    async fn read(&mut self, lookup: &Lookup<'_>) -> Result<Found, StoreError> {
        let Some(idem) = lookup.idempotency else {
            let document = self.sql.document(self.conn, LOAD_CHECKOUT, lookup).await?;
            return Ok(Found {
                record: None,
                document,
            });
        };
        // A new checkout has no object: the second half of the query finds nothing.
        let (id, kind) = lookup.object.unwrap_or(("", ""));
        let rows = sqlx::query(IDEMPOTENCY_AND_CHECKOUT)
            .bind(lookup.merchant_id)
            .bind(idem.key.as_str())
            .bind(id)
            .bind(kind)
            .bind(lookup.merchant_id)
            .bind(lookup.environment)
            .fetch_all(&mut *self.conn)
            .await
            .map_err(db("reading an idempotency key and a checkout"))?;
        let mut found = Found::default();
        for row in rows {
            if row.get::<i64, _>(0) == 2 {
                let bytes: Vec<u8> = row.get(3);
                found.document =
                    Some(String::from_utf8(bytes).map_err(|_| {
                        StoreError::Corrupt("a checkout document is not UTF-8".into())
                    })?);
            } else {
                found.record = Some(IdempotencyRecord {
                    fingerprint: row.get(1),
                    status: row.get(2),
                    body: row.get(3),
                });
            }
        }
        Ok(found)
    }

    async fn discard(self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn record(
        self,
        record: &IdempotencyWrite,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        // One statement needs no savepoint: SQLite undoes a failed statement alone and the
        // batch's transaction goes on.
        sqlx::query(INSERT_IDEMPOTENCY)
            .bind(record.merchant_id.as_str())
            .bind(record.key.as_str())
            .bind(record.fingerprint.as_str())
            .bind(i64::from(response.status))
            .bind(response.body.as_slice())
            .execute(&mut *self.conn)
            .await
            .map(|_| ())
            .map_err(db("recording a rejected request's idempotency key"))
    }

    async fn write(self, w: &Write) -> Result<(), StoreError> {
        // One multi-statement query: sqlx binds the arguments to the statements in order.
        let mut sql = String::from("SAVEPOINT job; ");
        sql.push_str(match w.row {
            RowWrite::Insert { .. } => {
                "INSERT INTO checkouts (checkout_id, merchant_id, environment, due_at, created_at, updated_at, document) VALUES (?, ?, ?, ?, ?, ?, ?); "
            }
            RowWrite::Update => {
                "UPDATE checkouts SET due_at = ?, updated_at = ?, document = ? WHERE checkout_id = ?; "
            }
        });
        if !w.new_object_ids.is_empty() {
            sql.push_str(
                "INSERT INTO checkout_objects (object_id, kind, checkout_id, merchant_id) VALUES ",
            );
            sql.push_str(&vec!["(?, ?, ?, ?)"; w.new_object_ids.len()].join(", "));
            sql.push_str("; ");
        }
        if w.idempotency.is_some() {
            sql.push_str(INSERT_IDEMPOTENCY);
            sql.push_str("; ");
        }
        for _ in &w.notifications {
            sql.push_str(ENQUEUE_NOTIFICATION);
            sql.push_str("; ");
        }
        sql.push_str("RELEASE job");
        let mut query = bind_checkout_row(sqlx::query(&sql), w);
        for (id, kind) in w.new_object_ids.iter().zip(&w.new_object_kinds) {
            query = query
                .bind(id.as_str())
                .bind(*kind)
                .bind(w.checkout_id.as_str())
                .bind(w.merchant_id.as_str());
        }
        if let Some(idem) = &w.idempotency {
            query = query
                .bind(idem.merchant_id.as_str())
                .bind(idem.key.as_str())
                .bind(idem.fingerprint.as_str())
                .bind(i64::from(w.response.status))
                .bind(w.response.body.as_slice());
        }
        for n in &w.notifications {
            query = query
                .bind(n.notification_id.as_str())
                .bind(n.message_id.as_str())
                .bind(n.charge_permission_id.as_str())
                .bind(n.object_type.as_str())
                .bind(n.object_id.as_str())
                .bind(n.notification_type.as_str())
                .bind(n.message.as_str())
                .bind(n.created_at_ms)
                .bind(n.created_at_ms)
                .bind(w.merchant_id.as_str())
                .bind(w.environment);
        }
        if let Err(e) = query.execute(&mut *self.conn).await {
            // Undo whatever part of the mutation ran; when the savepoint itself failed there is
            // nothing to undo and the rollback fails harmlessly.
            let _ = exec(self.conn, "ROLLBACK TO job; RELEASE job").await;
            return Err(db("writing a checkout")(e));
        }
        Ok(())
    }

    async fn delete(self, d: &Delete) -> Result<(), StoreError> {
        // `checkout_objects` has no index on `checkout_id` here: its rows go by primary key.
        let mut sql = String::from("SAVEPOINT job; ");
        if !d.object_ids.is_empty() {
            sql.push_str("DELETE FROM checkout_objects WHERE object_id IN (");
            sql.push_str(&vec!["?"; d.object_ids.len()].join(", "));
            sql.push_str("); ");
        }
        sql.push_str("DELETE FROM checkouts WHERE checkout_id = ?; RELEASE job");
        let mut query = sqlx::query(&sql);
        for id in &d.object_ids {
            query = query.bind(id.as_str());
        }
        query = query.bind(d.checkout_id.as_str());
        if let Err(e) = query.execute(&mut *self.conn).await {
            let _ = exec(self.conn, "ROLLBACK TO job; RELEASE job").await;
            return Err(db("deleting a checkout")(e));
        }
        Ok(())
    }
}
