//! The request journal as stored: a ring of entries per merchant (`request_journal`).
//!
//! The emulator's service layer owns what an entry says (its JSON `detail`: headers, bounded
//! bodies, the signature diagnosis); the store keeps it with the columns it filters on, numbers
//! each merchant's entries and keeps each ring at its size. Entries arrive in batches from one
//! background task per emulator, never on a request's own write path.
//!
//! A batch, per merchant in it: one statement takes `k` sequence numbers from
//! `request_journal_heads` (an upsert, so instances sharing a PostgreSQL database number alike),
//! one inserts the entries, and one deletes that merchant's entries numbered more than the ring
//! size behind the newest. The delete is a range of the `(merchant_id, seq)` index, so keeping
//! the ring bounded costs the same at any ring size.

use amzpay_emulator_core::Timestamp;
use amzpay_emulator_core::ids::MerchantId;
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use crate::StoreError;
use crate::sql::Sql;

/// An entry to append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJournalEntry {
    /// The request's `x-amz-pay-request-id`.
    pub request_id: String,
    /// The merchant the request acted for; `None` when it names none (an unknown key).
    pub merchant_id: Option<MerchantId>,
    /// When the request arrived, real time in microseconds since the Unix epoch.
    pub at_us: i64,
    /// The merchant's virtual now when the request ran, when a merchant is known.
    pub virtual_at: Option<Timestamp>,
    /// The operation's name (`CompleteCheckoutSession`, `admin:...`), when one is known.
    pub operation: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The path as received (without the query).
    pub path: String,
    /// The answer's status.
    pub status: u16,
    /// The answer's `reasonCode`, for an error.
    pub reason_code: Option<String>,
    /// Time from the request's arrival to its answer, in microseconds.
    pub latency_us: u64,
    /// The request's idempotency key.
    pub idempotency_key: Option<String>,
    /// Whether the answer was an idempotent replay.
    pub replayed: bool,
    /// Everything else, as the service layer wrote it (JSON).
    pub detail: String,
}

/// A stored entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalRecord {
    /// The order of every entry across merchants (larger is later): the cursor of a follower.
    pub id: i64,
    /// The entry's number in its merchant's ring.
    pub seq: u64,
    /// The entry.
    pub entry: NewJournalEntry,
}

/// Which entries [`crate::Store::journal`] lists. Every filter is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JournalFilter {
    /// Only this merchant's entries.
    pub merchant_id: Option<MerchantId>,
    /// Only answers with a status in this range (inclusive), e.g. `(400, 499)`.
    pub status: Option<(u16, u16)>,
    /// Only this operation.
    pub operation: Option<String>,
    /// Only requests that arrived at or after this real time (microseconds).
    pub since_us: Option<i64>,
    /// Only entries after this id, listed oldest first (a follower's cursor); without it the
    /// newest come first.
    pub after_id: Option<i64>,
    /// Only entries before this id (the next page of a newest-first listing).
    pub before_id: Option<i64>,
    /// Only entries whose path or detail contain this text (an object id).
    pub mentions: Option<String>,
    /// At most this many entries (at least 1).
    pub limit: u32,
}

/// A backend's SQL for the journal. Placeholders are bound in the order each field gives.
#[derive(Debug)]
pub(crate) struct JournalSql {
    /// Takes `(merchant_id, k)` sequence numbers, returning the new head (one past the last).
    pub(crate) take_seq: &'static str,
    /// `INSERT ... VALUES ` without the rows: [`JournalSql::row`] is repeated after it.
    pub(crate) insert: &'static str,
    /// Whether placeholders are numbered (`$1`, PostgreSQL) rather than `?` (SQLite).
    pub(crate) numbered: bool,
    /// Deletes `(merchant_id)`'s entries numbered below `(seq)`.
    pub(crate) trim: &'static str,
    /// Newest first: `(merchant_id, status_min, status_max, operation, since_us, before_id,
    /// mentions pattern, limit)`; columns of [`JournalRow`].
    pub(crate) newest: &'static str,
    /// Oldest first after `(merchant_id, status_min, status_max, operation, since_us,
    /// after_id, mentions pattern, limit)`; columns of [`JournalRow`].
    pub(crate) after: &'static str,
    /// The newest entry with `(request_id)`; columns of [`JournalRow`].
    pub(crate) by_request_id: &'static str,
}

/// The columns an entry is inserted with, in order.
const COLUMNS: usize = 14;

/// A row of `request_journal`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct JournalRow {
    id: i64,
    merchant_id: String,
    seq: i64,
    request_id: String,
    at_us: i64,
    virtual_at: Option<i64>,
    operation: Option<String>,
    method: String,
    path: String,
    status: i64,
    reason_code: Option<String>,
    latency_us: i64,
    idempotency_key: Option<String>,
    replayed: i64,
    detail: String,
}

impl TryFrom<JournalRow> for JournalRecord {
    type Error = StoreError;

    fn try_from(r: JournalRow) -> Result<JournalRecord, StoreError> {
        let merchant_id =
            if r.merchant_id.is_empty() {
                None
            } else {
                Some(MerchantId::parse(&r.merchant_id).ok_or_else(|| {
                    StoreError::Corrupt("bad merchant id in a journal entry".into())
                })?)
            };
        Ok(JournalRecord {
            id: r.id,
            seq: u64::try_from(r.seq).unwrap_or(0),
            entry: NewJournalEntry {
                request_id: r.request_id,
                merchant_id,
                at_us: r.at_us,
                virtual_at: r.virtual_at.map(Timestamp::from_unix),
                operation: r.operation,
                method: r.method,
                path: r.path,
                status: u16::try_from(r.status).unwrap_or(0),
                reason_code: r.reason_code,
                latency_us: u64::try_from(r.latency_us).unwrap_or(0),
                idempotency_key: r.idempotency_key,
                replayed: r.replayed != 0,
                detail: r.detail,
            },
        })
    }
}

/// The `LIKE` pattern of [`JournalFilter::mentions`]: the text anywhere, its wildcards escaped
/// with `\`.
pub(crate) fn mentions_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Rows per insert statement: well inside SQLite's and PostgreSQL's limits on bound parameters.
const ROWS_PER_INSERT: usize = 128;

impl<DB> Sql<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'r> i64: sqlx::Decode<'r, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    /// Appends `entries` on `conn` (inside the caller's transaction) and trims each merchant's
    /// ring to `ring` entries; returns how many it appended.
    pub(crate) async fn append_journal(
        &self,
        conn: &mut DB::Connection,
        entries: &[NewJournalEntry],
        ring: u32,
    ) -> Result<u64, StoreError> {
        let text = self.text.journal;
        // Each merchant in the batch takes its sequence numbers at once: (owner, next, head).
        let mut heads: Vec<(&str, i64, i64)> = Vec::new();
        for e in entries {
            if !heads.iter().any(|(o, ..)| *o == owner(e)) {
                let k = entries.iter().filter(|x| owner(x) == owner(e)).count();
                let k = i64::try_from(k).unwrap_or(i64::MAX);
                let head: i64 = sqlx::query_scalar(text.take_seq)
                    .bind(owner(e))
                    .bind(k)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(self.err("numbering journal entries"))?;
                heads.push((owner(e), head - k, head));
            }
        }
        // The rows go in in the batch's order, which is the order of `id` across merchants.
        for chunk in entries.chunks(ROWS_PER_INSERT) {
            let sql = insert_sql(text, chunk.len());
            let mut query = sqlx::query(&sql);
            for e in chunk {
                let Some(slot) = heads.iter_mut().find(|(o, ..)| *o == owner(e)) else {
                    continue;
                };
                let seq = slot.1;
                slot.1 += 1;
                query = query
                    .bind(owner(e))
                    .bind(seq)
                    .bind(e.request_id.as_str())
                    .bind(e.at_us)
                    .bind(e.virtual_at.map(Timestamp::unix))
                    .bind(e.operation.as_deref())
                    .bind(e.method.as_str())
                    .bind(e.path.as_str())
                    .bind(i64::from(e.status))
                    .bind(e.reason_code.as_deref())
                    .bind(i64::try_from(e.latency_us).unwrap_or(i64::MAX))
                    .bind(e.idempotency_key.as_deref())
                    .bind(i64::from(e.replayed))
                    .bind(e.detail.as_str());
            }
            query
                .execute(&mut *conn)
                .await
                .map_err(self.err("appending journal entries"))?;
        }
        for (owner, _, head) in heads {
            sqlx::query(text.trim)
                .bind(owner)
                .bind(head - i64::from(ring))
                .execute(&mut *conn)
                .await
                .map_err(self.err("trimming a journal ring"))?;
        }
        Ok(entries.len() as u64)
    }
}

/// The ring an entry goes to: its merchant's, or the ring of requests that name none.
fn owner(e: &NewJournalEntry) -> &str {
    e.merchant_id.as_ref().map_or("", MerchantId::as_str)
}

/// The insert statement for `rows` entries.
fn insert_sql(text: &JournalSql, rows: usize) -> String {
    let mut sql = String::from(text.insert);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..COLUMNS {
            if c > 0 {
                sql.push_str(", ");
            }
            if text.numbered {
                n += 1;
                sql.push('$');
                sql.push_str(&n.to_string());
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}
