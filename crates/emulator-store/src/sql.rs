//! The single statements both backends run the same way (reads, merchant and key writes), and
//! the [`Store`] implementation that both backends share.
//!
//! A backend supplies its SQL text ([`SqlText`]), a read pool, its transient error codes, and the
//! operations it runs its own way ([`Backend`]: the transaction of a mutation, the transaction of
//! an admin write). Binding, row decoding and error mapping are written once, here, generic over
//! the sqlx database.
//!
//! The operations are a trait ([`Statements`]) with one generic implementation so that the sqlx
//! bounds are written once: a trait's where-clauses are not implied where the trait is used, so
//! the shared [`Store`] implementation could not name inherent methods of `Sql<B::Db>` without
//! repeating them.

use std::fmt;
use std::future::Future;

use amzpay_emulator_core::checkout::Checkout;
use amzpay_emulator_core::ids::{CheckoutSessionId, MerchantId, PublicKeyId, StoreId};
use amzpay_emulator_core::model::{Environment, Merchant, MerchantKey, Region};
use amzpay_emulator_core::{Timestamp, VirtualClock};
use sqlx::query::Query;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::error::{self, TransientCode};
use crate::faults::{FaultRuleRecord, FaultRuleRow, NewFaultRule};
use crate::journal::{JournalFilter, JournalRecord, JournalRow, JournalSql, NewJournalEntry};
use crate::notifications::{
    AfterAttempt, AttemptRecord, AttemptRow, EndpointRow, FinishedAttempt, IpnSettings,
    NotificationRecord, NotificationRow, NotificationSql,
};
use crate::protocol::{Lookup, RowWrite, Write};
use crate::{
    DueCheckout, Mutation, ObjectKind, ObjectRef, Outcome, Store, StoreError, Tenant, doc,
};

/// A backend's SQL for the statements of [`Sql`]. Placeholders: `?` or `$n`, bound in the order
/// each field's documentation gives.
#[derive(Debug)]
pub(crate) struct SqlText {
    /// The merchant `(merchant_id)`; columns of [`MerchantRecord`].
    pub(crate) merchant: &'static str,
    /// Every merchant, oldest first; columns of [`MerchantRecord`].
    pub(crate) merchants: &'static str,
    /// The merchant owning `(public_key_id)`; columns of [`MerchantRecord`] and `public_key_pem`.
    pub(crate) merchant_by_key: &'static str,
    /// Inserts `(merchant_id, store_id, region, environment, clock_offset, clock_frozen_at,
    /// created_at)`.
    pub(crate) insert_merchant: &'static str,
    /// Inserts `(public_key_id, merchant_id, public_key_pem)`.
    pub(crate) insert_key: &'static str,
    /// Sets `(clock_offset, clock_frozen_at)` of `merchant_id`, returning a row when it exists.
    pub(crate) set_clock: &'static str,
    /// The document of the checkout holding `(object_id, kind)` in `(merchant_id, environment)`.
    pub(crate) checkout: &'static str,
    /// `(merchant_id, environment)` of the checkout holding `(object_id, kind)`.
    pub(crate) locate: &'static str,
    /// The number of `(merchant_id, kind)` objects.
    pub(crate) count_objects: &'static str,
    /// One checkout whose next timer is due at real time `(now)` on its merchant's clock,
    /// optionally only `(merchant_id)`'s, then (when the backend claims) `(lease seconds)`;
    /// columns of [`DueRecord`].
    pub(crate) next_due: &'static str,
    /// At most `(limit)` merchants after `(merchant_id or NULL)`, in the order of `merchants`.
    pub(crate) merchants_page: &'static str,
    /// The value of the secret `(name)`.
    pub(crate) secret: &'static str,
    /// Inserts the secret `(name, value)` unless it exists.
    pub(crate) claim_secret: &'static str,
    /// Deletes at most `(limit)` idempotency records created before `(unix seconds)`, returning
    /// a row for each.
    pub(crate) forget_keys: &'static str,
    /// The SQL of the fault rules' statements.
    pub(crate) faults: &'static FaultSql,
    /// The SQL of the notifications' statements.
    pub(crate) notifications: &'static NotificationSql,
    /// The SQL of the request journal's statements.
    pub(crate) journal: &'static JournalSql,
    /// The public key ids of `(merchant_id)`, oldest first.
    pub(crate) public_key_ids: &'static str,
}

/// A backend's SQL for the fault rules (`fault_rules`).
#[derive(Debug)]
pub(crate) struct FaultSql {
    /// Inserts `(rule_id, merchant_id, spec, max_hits, created_at)`.
    pub(crate) insert: &'static str,
    /// The rules for `(merchant_id)` and for every merchant (every rule when it is null), in
    /// the order they were added; columns of [`FaultRuleRow`].
    pub(crate) list: &'static str,
    /// Deletes `(rule_id)`, or every rule when it is null, returning each deleted `rule_id`.
    pub(crate) delete: &'static str,
    /// Adds one to `matched` of `(rule_id)` while it has hits left, returning the new `matched`.
    pub(crate) matched: &'static str,
    /// Adds one to `hits` of `(rule_id)` unless `max_hits` is reached, returning the new `hits`.
    pub(crate) hit: &'static str,
}

/// A backend's read pool with its SQL and its transient error codes.
pub(crate) struct Sql<DB: Database> {
    pub(crate) pool: Pool<DB>,
    pub(crate) text: &'static SqlText,
    pub(crate) transient_code: TransientCode,
    /// How long (seconds) [`Statements::next_due`] claims the checkout it returns, so that
    /// other instances on the database skip it; `None` when one process owns the database.
    pub(crate) claim_lease: Option<f64>,
}

impl<DB: Database> Sql<DB> {
    pub(crate) fn new(
        pool: Pool<DB>,
        text: &'static SqlText,
        transient_code: TransientCode,
        claim_lease: Option<f64>,
    ) -> Self {
        Sql {
            pool,
            text,
            transient_code,
            claim_lease,
        }
    }

    /// Maps a driver error raised while doing `message` (see [`error::from_driver`]).
    pub(crate) fn err(&self, message: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        let transient_code = self.transient_code;
        move |e| error::from_driver(message, e, transient_code)
    }
}

impl<DB: Database> fmt::Debug for Sql<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sql")
            .field("pool", &self.pool)
            .finish_non_exhaustive()
    }
}

/// The operations of [`Sql`], as a trait so that the shared [`Store`] implementation can name
/// them without repeating the sqlx bounds of their one implementation.
pub(crate) trait Statements: Send + Sync {
    /// The database of the connections [`Statements::insert_merchant`] and friends take.
    type Db: Database;

    fn merchant(
        &self,
        id: &MerchantId,
    ) -> impl Future<Output = Result<Option<Merchant>, StoreError>> + Send;
    fn merchants(&self) -> impl Future<Output = Result<Vec<Merchant>, StoreError>> + Send;
    fn merchants_page(
        &self,
        after: Option<&MerchantId>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Merchant>, StoreError>> + Send;
    fn secret(&self, name: &str)
    -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    fn merchant_by_key(
        &self,
        key_id: &PublicKeyId,
    ) -> impl Future<Output = Result<Option<(Merchant, MerchantKey)>, StoreError>> + Send;
    /// The checkout `lookup` names, read from the pool.
    fn checkout(
        &self,
        lookup: &Lookup<'_>,
    ) -> impl Future<Output = Result<Option<Checkout>, StoreError>> + Send;
    /// The stored document of the checkout `lookup` names, read on `conn` with `sql` (the
    /// backend's plain or locking form of [`SqlText::checkout`]).
    fn document(
        &self,
        conn: &mut <Self::Db as Database>::Connection,
        sql: &'static str,
        lookup: &Lookup<'_>,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    fn locate(
        &self,
        object: &ObjectRef,
    ) -> impl Future<Output = Result<Option<Tenant>, StoreError>> + Send;
    fn count_objects(
        &self,
        merchant: &MerchantId,
        kind: ObjectKind,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    fn next_due(
        &self,
        real_now: Timestamp,
        merchant: Option<&MerchantId>,
    ) -> impl Future<Output = Result<Option<DueCheckout>, StoreError>> + Send;
    fn fault_rules(
        &self,
        merchant: Option<&MerchantId>,
    ) -> impl Future<Output = Result<Vec<FaultRuleRecord>, StoreError>> + Send;
    fn ipn_settings(
        &self,
        merchant: &MerchantId,
    ) -> impl Future<Output = Result<IpnSettings, StoreError>> + Send;
    fn notification(
        &self,
        seq: u64,
    ) -> impl Future<Output = Result<Option<(NotificationRecord, Vec<AttemptRecord>)>, StoreError>> + Send;
    fn notifications(
        &self,
        merchant: Option<&MerchantId>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<NotificationRecord>, StoreError>> + Send;
    fn public_key_ids(
        &self,
        merchant: &MerchantId,
    ) -> impl Future<Output = Result<Vec<PublicKeyId>, StoreError>> + Send;
    fn journal(
        &self,
        filter: &JournalFilter,
    ) -> impl Future<Output = Result<Vec<JournalRecord>, StoreError>> + Send;
    fn journal_entry(
        &self,
        request_id: &str,
    ) -> impl Future<Output = Result<Option<JournalRecord>, StoreError>> + Send;
    /// Runs `write` on `conn`, inside the caller's transaction; returns the count the write
    /// documents (0 when it documents none).
    fn admin(
        &self,
        conn: &mut <Self::Db as Database>::Connection,
        write: AdminWrite,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

impl<DB> Statements for Sql<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> f64: Encode<'q, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> i64: Decode<'r, DB>,
    for<'r> MerchantRecord: FromRow<'r, DB::Row>,
    for<'r> TenantRecord: FromRow<'r, DB::Row>,
    for<'r> KeyRecord: FromRow<'r, DB::Row>,
    for<'r> DueRecord: FromRow<'r, DB::Row>,
    for<'r> FaultRuleRow: FromRow<'r, DB::Row>,
    for<'r> NotificationRow: FromRow<'r, DB::Row>,
    for<'r> AttemptRow: FromRow<'r, DB::Row>,
    for<'r> EndpointRow: FromRow<'r, DB::Row>,
    for<'r> (i64, Option<String>): FromRow<'r, DB::Row>,
    for<'r> JournalRow: FromRow<'r, DB::Row>,
    for<'r> &'r str: ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
{
    type Db = DB;

    async fn merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError> {
        let row: Option<MerchantRecord> = sqlx::query_as(self.text.merchant)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("reading a merchant"))?;
        row.map(Merchant::try_from).transpose()
    }

    async fn merchants(&self) -> Result<Vec<Merchant>, StoreError> {
        let rows: Vec<MerchantRecord> = sqlx::query_as(self.text.merchants)
            .fetch_all(&self.pool)
            .await
            .map_err(self.err("listing merchants"))?;
        rows.into_iter().map(Merchant::try_from).collect()
    }

    async fn merchants_page(
        &self,
        after: Option<&MerchantId>,
        limit: u32,
    ) -> Result<Vec<Merchant>, StoreError> {
        let rows: Vec<MerchantRecord> = sqlx::query_as(self.text.merchants_page)
            .bind(after.map(MerchantId::as_str))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(self.err("listing merchants"))?;
        rows.into_iter().map(Merchant::try_from).collect()
    }

    async fn secret(&self, name: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar(self.text.secret)
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("reading a secret"))
    }

    async fn merchant_by_key(
        &self,
        key_id: &PublicKeyId,
    ) -> Result<Option<(Merchant, MerchantKey)>, StoreError> {
        let row: Option<KeyRecord> = sqlx::query_as(self.text.merchant_by_key)
            .bind(key_id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("reading a public key"))?;
        let Some(KeyRecord {
            merchant,
            public_key_pem,
        }) = row
        else {
            return Ok(None);
        };
        let merchant = Merchant::try_from(merchant)?;
        let key = MerchantKey {
            public_key_id: key_id.clone(),
            merchant_id: merchant.merchant_id.clone(),
            public_key_pem,
        };
        Ok(Some((merchant, key)))
    }

    async fn checkout(&self, lookup: &Lookup<'_>) -> Result<Option<Checkout>, StoreError> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(self.err("reading a checkout"))?;
        let document = self.document(&mut conn, self.text.checkout, lookup).await?;
        document.as_deref().map(doc::decode).transpose()
    }

    async fn document(
        &self,
        conn: &mut DB::Connection,
        sql: &'static str,
        lookup: &Lookup<'_>,
    ) -> Result<Option<String>, StoreError> {
        let Some((id, kind)) = lookup.object else {
            return Ok(None);
        };
        sqlx::query_scalar(sql)
            .bind(id)
            .bind(kind)
            .bind(lookup.merchant_id)
            .bind(lookup.environment)
            .fetch_optional(&mut *conn)
            .await
            .map_err(self.err("loading a checkout"))
    }

    async fn locate(&self, object: &ObjectRef) -> Result<Option<Tenant>, StoreError> {
        let row: Option<TenantRecord> = sqlx::query_as(self.text.locate)
            .bind(object.id())
            .bind(object.kind().as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("locating an object"))?;
        row.map(Tenant::try_from).transpose()
    }

    async fn count_objects(
        &self,
        merchant: &MerchantId,
        kind: ObjectKind,
    ) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(self.text.count_objects)
            .bind(merchant.as_str())
            .bind(kind.as_str())
            .fetch_one(&self.pool)
            .await
            .map_err(self.err("counting objects"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn next_due(
        &self,
        real_now: Timestamp,
        merchant: Option<&MerchantId>,
    ) -> Result<Option<DueCheckout>, StoreError> {
        let mut query = sqlx::query_as(self.text.next_due)
            .bind(real_now.unix())
            .bind(merchant.map(MerchantId::as_str));
        if let Some(lease) = self.claim_lease {
            query = query.bind(lease);
        }
        let row: Option<DueRecord> = query
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("finding a due checkout"))?;
        row.map(DueCheckout::try_from).transpose()
    }

    async fn fault_rules(
        &self,
        merchant: Option<&MerchantId>,
    ) -> Result<Vec<FaultRuleRecord>, StoreError> {
        let rows: Vec<FaultRuleRow> = sqlx::query_as(self.text.faults.list)
            .bind(merchant.map(MerchantId::as_str))
            .fetch_all(&self.pool)
            .await
            .map_err(self.err("listing fault rules"))?;
        rows.into_iter().map(FaultRuleRecord::try_from).collect()
    }

    async fn ipn_settings(&self, merchant: &MerchantId) -> Result<IpnSettings, StoreError> {
        let text = self.text.notifications;
        let row: Option<(i64, Option<String>)> = sqlx::query_as(text.settings)
            .bind(merchant.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("reading IPN settings"))?;
        let endpoints: Vec<EndpointRow> = sqlx::query_as(text.endpoints)
            .bind(merchant.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(self.err("reading IPN endpoints"))?;
        let mut settings = IpnSettings {
            endpoints: endpoints
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_, _>>()?,
            ..IpnSettings::default()
        };
        if let Some((version, ca_pem)) = row {
            settings.signature_version = u8::try_from(version)
                .map_err(|_| StoreError::Corrupt("bad IPN signature version".into()))?;
            settings.ca_pem = ca_pem;
        }
        Ok(settings)
    }

    async fn notification(
        &self,
        seq: u64,
    ) -> Result<Option<(NotificationRecord, Vec<AttemptRecord>)>, StoreError> {
        let text = self.text.notifications;
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        let row: Option<NotificationRow> = sqlx::query_as(text.get)
            .bind(seq)
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("reading a notification"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let attempts: Vec<AttemptRow> = sqlx::query_as(text.attempts)
            .bind(seq)
            .fetch_all(&self.pool)
            .await
            .map_err(self.err("reading notification attempts"))?;
        Ok(Some((
            row.try_into()?,
            attempts.into_iter().map(Into::into).collect(),
        )))
    }

    async fn notifications(
        &self,
        merchant: Option<&MerchantId>,
        limit: u32,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        let rows: Vec<NotificationRow> = sqlx::query_as(self.text.notifications.list)
            .bind(merchant.map(MerchantId::as_str))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(self.err("listing notifications"))?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn public_key_ids(&self, merchant: &MerchantId) -> Result<Vec<PublicKeyId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(self.text.public_key_ids)
            .bind(merchant.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(self.err("listing a merchant's public keys"))?;
        ids.iter()
            .map(|id| {
                PublicKeyId::parse(id)
                    .ok_or_else(|| StoreError::Corrupt("bad public key id".into()))
            })
            .collect()
    }

    async fn journal(&self, filter: &JournalFilter) -> Result<Vec<JournalRecord>, StoreError> {
        let (sql, cursor) = match filter.after_id {
            Some(after) => (self.text.journal.after, Some(after)),
            None => (self.text.journal.newest, filter.before_id),
        };
        let pattern = filter
            .mentions
            .as_deref()
            .map(crate::journal::mentions_pattern);
        let rows: Vec<JournalRow> = sqlx::query_as(sql)
            .bind(filter.merchant_id.as_ref().map(MerchantId::as_str))
            .bind(filter.status.map(|(min, _)| i64::from(min)))
            .bind(filter.status.map(|(_, max)| i64::from(max)))
            .bind(filter.operation.as_deref())
            .bind(filter.since_us)
            .bind(cursor)
            .bind(pattern.as_deref())
            .bind(i64::from(filter.limit.max(1)))
            .fetch_all(&self.pool)
            .await
            .map_err(self.err("listing the journal"))?;
        rows.into_iter().map(JournalRecord::try_from).collect()
    }

    async fn journal_entry(&self, request_id: &str) -> Result<Option<JournalRecord>, StoreError> {
        let row: Option<JournalRow> = sqlx::query_as(self.text.journal.by_request_id)
            .bind(request_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("reading a journal entry"))?;
        row.map(JournalRecord::try_from).transpose()
    }

    async fn admin(&self, conn: &mut DB::Connection, write: AdminWrite) -> Result<u64, StoreError> {
        let key = match write {
            AdminWrite::AppendJournal { entries, ring } => {
                return self.append_journal(conn, &entries, ring).await;
            }
            AdminWrite::ClaimSecret { name, value } => {
                sqlx::query(self.text.claim_secret)
                    .bind(name.as_str())
                    .bind(value.as_str())
                    .execute(&mut *conn)
                    .await
                    .map_err(self.err("storing a secret"))?;
                return Ok(0);
            }
            AdminWrite::ForgetKeys { before, limit } => {
                // The statement returns a row per deleted record: `rows_affected` is not part
                // of sqlx's generic interface.
                return sqlx::query(self.text.forget_keys)
                    .bind(before.unix())
                    .bind(i64::from(limit))
                    .fetch_all(&mut *conn)
                    .await
                    .map(|rows| u64::try_from(rows.len()).unwrap_or(u64::MAX))
                    .map_err(self.err("deleting old idempotency keys"));
            }
            AdminWrite::InsertMerchant(m, key) => {
                let (offset, frozen) = clock_columns(m.clock);
                sqlx::query(self.text.insert_merchant)
                    .bind(m.merchant_id.as_str())
                    .bind(m.store_id.as_str())
                    .bind(m.region.as_str())
                    .bind(m.environment.as_str())
                    .bind(offset)
                    .bind(frozen)
                    .bind(m.created_at.unix())
                    .execute(&mut *conn)
                    .await
                    .map_err(self.err("inserting a merchant"))?;
                key
            }
            AdminWrite::InsertKey(key) => key,
            AdminWrite::SetClock(id, clock) => {
                let (offset, frozen) = clock_columns(clock);
                return sqlx::query(self.text.set_clock)
                    .bind(offset)
                    .bind(frozen)
                    .bind(id.as_str())
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(self.err("setting a clock"))?
                    .map(|_| 1)
                    .ok_or(StoreError::NotFound);
            }
            AdminWrite::InsertFaultRule(rule) => {
                let max_hits = rule.max_hits.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
                sqlx::query(self.text.faults.insert)
                    .bind(rule.rule_id.as_str())
                    .bind(rule.merchant_id.as_ref().map(MerchantId::as_str))
                    .bind(rule.spec.as_str())
                    .bind(max_hits)
                    .bind(rule.created_at.unix())
                    .execute(&mut *conn)
                    .await
                    .map_err(self.err("inserting a fault rule"))?;
                return Ok(1);
            }
            AdminWrite::DeleteFaultRules(rule_id) => {
                let deleted: Vec<String> = sqlx::query_scalar(self.text.faults.delete)
                    .bind(rule_id.as_deref())
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(self.err("deleting fault rules"))?;
                return Ok(deleted.len() as u64);
            }
            AdminWrite::FaultMatched(rule_id) => {
                return self
                    .count_fault(conn, self.text.faults.matched, &rule_id)
                    .await;
            }
            AdminWrite::FaultHit(rule_id) => {
                return self.count_fault(conn, self.text.faults.hit, &rule_id).await;
            }
            AdminWrite::SetIpn(merchant, settings) => {
                return self.set_ipn(conn, &merchant, &settings).await.map(|()| 1);
            }
            AdminWrite::ClaimNotification { now_ms, lease_ms } => {
                let seq: Option<i64> = sqlx::query_scalar(self.text.notifications.claim)
                    .bind(now_ms)
                    .bind(lease_ms)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(self.err("claiming a notification"))?;
                return Ok(seq.map_or(0, |s| u64::try_from(s).unwrap_or(0)));
            }
            AdminWrite::FinishAttempt(done) => {
                return self.finish_attempt(conn, &done).await.map(|()| 1);
            }
            AdminWrite::Redeliver { seq, now_ms } => {
                let seq: Option<i64> = sqlx::query_scalar(self.text.notifications.redeliver)
                    .bind(now_ms)
                    .bind(i64::try_from(seq).unwrap_or(i64::MAX))
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(self.err("redelivering a notification"))?;
                return Ok(u64::from(seq.is_some()));
            }
        };
        sqlx::query(self.text.insert_key)
            .bind(key.public_key_id.as_str())
            .bind(key.merchant_id.as_str())
            .bind(key.public_key_pem.as_str())
            .execute(&mut *conn)
            .await
            .map_err(self.err("inserting a public key"))?;
        Ok(1)
    }
}

impl<DB> Sql<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    /// Runs one of the counting statements of [`FaultSql`] on `rule_id` and returns the new
    /// count, 0 when no row was counted (the rule is gone, or used up).
    async fn count_fault(
        &self,
        conn: &mut DB::Connection,
        sql: &'static str,
        rule_id: &str,
    ) -> Result<u64, StoreError> {
        let n: Option<i64> = sqlx::query_scalar(sql)
            .bind(rule_id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(self.err("counting a fault rule's match or hit"))?;
        Ok(n.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
    }

    /// Replaces a merchant's IPN settings and endpoints.
    async fn set_ipn(
        &self,
        conn: &mut DB::Connection,
        merchant: &MerchantId,
        settings: &IpnSettings,
    ) -> Result<(), StoreError> {
        let text = self.text.notifications;
        sqlx::query(text.upsert_settings)
            .bind(merchant.as_str())
            .bind(i64::from(settings.signature_version))
            .bind(settings.ca_pem.as_deref())
            .execute(&mut *conn)
            .await
            .map_err(self.err("storing IPN settings"))?;
        sqlx::query(text.delete_endpoints)
            .bind(merchant.as_str())
            .execute(&mut *conn)
            .await
            .map_err(self.err("replacing IPN endpoints"))?;
        for (position, endpoint) in settings.endpoints.iter().enumerate() {
            sqlx::query(text.insert_endpoint)
                .bind(merchant.as_str())
                .bind(endpoint.environment.as_str())
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .bind(endpoint.url.as_str())
                .execute(&mut *conn)
                .await
                .map_err(self.err("storing an IPN endpoint"))?;
        }
        Ok(())
    }

    /// Records an attempt and the delivery's next state.
    async fn finish_attempt(
        &self,
        conn: &mut DB::Connection,
        done: &FinishedAttempt,
    ) -> Result<(), StoreError> {
        let text = self.text.notifications;
        let seq = i64::try_from(done.seq).unwrap_or(i64::MAX);
        let a = &done.record;
        sqlx::query(text.insert_attempt)
            .bind(seq)
            .bind(i64::from(a.attempt))
            .bind(a.started_at_ms)
            .bind(a.latency_ms)
            .bind(a.status.map(i64::from))
            .bind(a.error.as_deref())
            .bind(a.response_head.as_deref())
            .execute(&mut *conn)
            .await
            .map_err(self.err("recording a notification attempt"))?;
        let ended = a.started_at_ms + a.latency_ms;
        let (state, next_at, delivered_at) = match done.next {
            AfterAttempt::Delivered => ("delivered", ended, Some(ended)),
            AfterAttempt::RetryAt(at) => ("pending", at, None),
            AfterAttempt::GiveUp => ("failed", ended, None),
        };
        sqlx::query(text.finish)
            .bind(i64::from(a.attempt))
            .bind(state)
            .bind(next_at)
            .bind(delivered_at)
            .bind(seq)
            .execute(&mut *conn)
            .await
            .map_err(self.err("updating a notification"))?;
        Ok(())
    }
}

/// A write of merchants and keys (admin API).
#[derive(Debug)]
pub(crate) enum AdminWrite {
    InsertMerchant(Merchant, MerchantKey),
    InsertKey(MerchantKey),
    SetClock(MerchantId, VirtualClock),
    ClaimSecret {
        name: String,
        value: String,
    },
    ForgetKeys {
        before: Timestamp,
        limit: u32,
    },
    InsertFaultRule(NewFaultRule),
    /// One rule, or every rule.
    DeleteFaultRules(Option<String>),
    FaultMatched(String),
    FaultHit(String),
    SetIpn(MerchantId, IpnSettings),
    /// Returns the claimed delivery's `seq`, 0 when none is due.
    ClaimNotification {
        now_ms: i64,
        lease_ms: i64,
    },
    FinishAttempt(FinishedAttempt),
    /// Returns 1 when the delivery exists.
    Redeliver {
        seq: u64,
        now_ms: i64,
    },
    /// A batch of journal entries and the ring size to keep.
    AppendJournal {
        entries: Vec<NewJournalEntry>,
        ring: u32,
    },
}

/// Binds the `checkouts` row of `w`, in the order both backends' statements take it: for
/// [`RowWrite::Insert`] `(checkout_id, merchant_id, environment, due_at, created_at, updated_at,
/// document)`, for [`RowWrite::Update`] `(due_at, updated_at, document)` of `checkout_id`.
pub(crate) fn bind_checkout_row<'q, DB>(
    query: Query<'q, DB, DB::Arguments<'q>>,
    w: &'q Write,
) -> Query<'q, DB, DB::Arguments<'q>>
where
    DB: Database,
    &'q str: Encode<'q, DB> + Type<DB>,
    i64: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB> + Type<DB>,
{
    match w.row {
        RowWrite::Insert { created_at } => query
            .bind(w.checkout_id.as_str())
            .bind(w.merchant_id.as_str())
            .bind(w.environment)
            .bind(w.due_at)
            .bind(created_at)
            .bind(w.updated_at)
            .bind(w.document.as_str()),
        RowWrite::Update => query
            .bind(w.due_at)
            .bind(w.updated_at)
            .bind(w.document.as_str())
            .bind(w.checkout_id.as_str()),
    }
}

/// The clock as `(clock_offset, clock_frozen_at)` columns.
fn clock_columns(clock: VirtualClock) -> (i64, Option<i64>) {
    match clock {
        VirtualClock::Running { offset_secs } => (offset_secs, None),
        VirtualClock::Frozen { at } => (0, Some(at.unix())),
    }
}

/// A row of `merchants`.
#[derive(Debug, FromRow)]
pub(crate) struct MerchantRecord {
    merchant_id: String,
    store_id: String,
    region: String,
    environment: String,
    clock_offset: i64,
    clock_frozen_at: Option<i64>,
    created_at: i64,
}

impl TryFrom<MerchantRecord> for Merchant {
    type Error = StoreError;

    fn try_from(r: MerchantRecord) -> Result<Merchant, StoreError> {
        let bad = |what: &str| StoreError::Corrupt(format!("bad {what} in a merchant row"));
        Ok(Merchant {
            merchant_id: MerchantId::parse(&r.merchant_id).ok_or_else(|| bad("merchant id"))?,
            store_id: StoreId::parse(&r.store_id).ok_or_else(|| bad("store id"))?,
            region: Region::parse(&r.region).ok_or_else(|| bad("region"))?,
            environment: Environment::parse(&r.environment).ok_or_else(|| bad("environment"))?,
            clock: match r.clock_frozen_at {
                Some(at) => VirtualClock::Frozen {
                    at: Timestamp::from_unix(at),
                },
                None => VirtualClock::Running {
                    offset_secs: r.clock_offset,
                },
            },
            created_at: Timestamp::from_unix(r.created_at),
        })
    }
}

/// A merchant row with one of its public keys.
#[derive(Debug, FromRow)]
pub(crate) struct KeyRecord {
    #[sqlx(flatten)]
    merchant: MerchantRecord,
    public_key_pem: String,
}

/// The owner columns `(merchant_id, environment)` of a checkout.
#[derive(Debug, FromRow)]
pub(crate) struct TenantRecord {
    merchant_id: String,
    environment: String,
}

impl TryFrom<TenantRecord> for Tenant {
    type Error = StoreError;

    fn try_from(r: TenantRecord) -> Result<Tenant, StoreError> {
        let bad = || StoreError::Corrupt("bad tenant of a checkout".into());
        Ok(Tenant {
            merchant_id: MerchantId::parse(&r.merchant_id).ok_or_else(bad)?,
            environment: Environment::parse(&r.environment).ok_or_else(bad)?,
        })
    }
}

/// A checkout with a due timer: `(checkout_id, merchant_id, environment)`.
#[derive(Debug, FromRow)]
pub(crate) struct DueRecord {
    checkout_id: String,
    #[sqlx(flatten)]
    tenant: TenantRecord,
}

impl TryFrom<DueRecord> for DueCheckout {
    type Error = StoreError;

    fn try_from(r: DueRecord) -> Result<DueCheckout, StoreError> {
        Ok(DueCheckout {
            tenant: r.tenant.try_into()?,
            checkout_id: CheckoutSessionId::parse(&r.checkout_id)
                .ok_or_else(|| StoreError::Corrupt("bad id of a due checkout".into()))?,
        })
    }
}

/// What a backend does its own way; everything else of [`Store`] is shared.
pub(crate) trait Backend: Send + Sync + fmt::Debug + 'static {
    /// The backend's read pool and SQL.
    type Sql: Statements;

    fn sql(&self) -> &Self::Sql;

    /// Runs `write` in a transaction of its own (SQLite: a savepoint in the writer's batch) and
    /// returns its count (see [`Statements::admin`]).
    fn admin(&self, write: AdminWrite) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Runs the write protocol ([`crate::protocol::execute`]) in the backend's transaction.
    fn execute(
        &self,
        mutation: Mutation,
    ) -> impl Future<Output = Result<Outcome, StoreError>> + Send;

    /// The pool and SQL the request journal is read from (the backend's own by default).
    fn journal_sql(&self) -> &Self::Sql {
        self.sql()
    }

    /// Appends a batch of journal entries ([`AdminWrite::AppendJournal`]); an admin write by
    /// default.
    fn append_journal(
        &self,
        write: AdminWrite,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        self.admin(write)
    }
}

#[async_trait::async_trait]
impl<B: Backend> Store for B {
    async fn insert_merchant(
        &self,
        merchant: &Merchant,
        key: &MerchantKey,
    ) -> Result<(), StoreError> {
        let write = AdminWrite::InsertMerchant(merchant.clone(), key.clone());
        self.admin(write).await.map(drop)
    }

    async fn insert_key(&self, key: &MerchantKey) -> Result<(), StoreError> {
        self.admin(AdminWrite::InsertKey(key.clone()))
            .await
            .map(drop)
    }

    async fn merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError> {
        self.sql().merchant(id).await
    }

    async fn merchants(&self) -> Result<Vec<Merchant>, StoreError> {
        self.sql().merchants().await
    }

    async fn merchant_by_key(
        &self,
        key_id: &PublicKeyId,
    ) -> Result<Option<(Merchant, MerchantKey)>, StoreError> {
        self.sql().merchant_by_key(key_id).await
    }

    async fn set_clock(&self, id: &MerchantId, clock: VirtualClock) -> Result<(), StoreError> {
        self.admin(AdminWrite::SetClock(id.clone(), clock))
            .await
            .map(drop)
    }

    async fn checkout(
        &self,
        tenant: &Tenant,
        object: &ObjectRef,
    ) -> Result<Option<Checkout>, StoreError> {
        let lookup = Lookup {
            merchant_id: tenant.merchant_id.as_str(),
            environment: tenant.environment.as_str(),
            object: Some((object.id(), object.kind().as_str())),
            idempotency: None,
        };
        self.sql().checkout(&lookup).await
    }

    async fn locate(&self, object: &ObjectRef) -> Result<Option<Tenant>, StoreError> {
        self.sql().locate(object).await
    }

    async fn execute(&self, mutation: Mutation) -> Result<Outcome, StoreError> {
        Backend::execute(self, mutation).await
    }

    async fn next_due(
        &self,
        real_now: Timestamp,
        merchant: Option<&MerchantId>,
    ) -> Result<Option<DueCheckout>, StoreError> {
        self.sql().next_due(real_now, merchant).await
    }

    async fn count_objects(
        &self,
        merchant: &MerchantId,
        kind: ObjectKind,
    ) -> Result<u64, StoreError> {
        self.sql().count_objects(merchant, kind).await
    }

    async fn merchants_page(
        &self,
        after: Option<&MerchantId>,
        limit: u32,
    ) -> Result<Vec<Merchant>, StoreError> {
        self.sql().merchants_page(after, limit).await
    }

    async fn secret(&self, name: &str, candidate: &str) -> Result<String, StoreError> {
        if let Some(value) = self.sql().secret(name).await? {
            return Ok(value);
        }
        let claim = AdminWrite::ClaimSecret {
            name: name.to_owned(),
            value: candidate.to_owned(),
        };
        self.admin(claim).await?;
        // Another instance may have stored its candidate first: read what won.
        self.sql()
            .secret(name)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("the secret {name} was not stored")))
    }

    async fn forget_idempotency_keys(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<u64, StoreError> {
        self.admin(AdminWrite::ForgetKeys { before, limit }).await
    }

    async fn insert_fault_rule(&self, rule: &NewFaultRule) -> Result<(), StoreError> {
        self.admin(AdminWrite::InsertFaultRule(rule.clone()))
            .await
            .map(drop)
    }

    async fn fault_rules(
        &self,
        merchant: Option<&MerchantId>,
    ) -> Result<Vec<FaultRuleRecord>, StoreError> {
        self.sql().fault_rules(merchant).await
    }

    async fn delete_fault_rules(&self, rule_id: Option<&str>) -> Result<u64, StoreError> {
        self.admin(AdminWrite::DeleteFaultRules(rule_id.map(str::to_owned)))
            .await
    }

    async fn fault_rule_matched(&self, rule_id: &str) -> Result<Option<u64>, StoreError> {
        let n = self
            .admin(AdminWrite::FaultMatched(rule_id.to_owned()))
            .await?;
        Ok(Some(n).filter(|n| *n > 0))
    }

    async fn claim_fault_hit(&self, rule_id: &str) -> Result<bool, StoreError> {
        let n = self.admin(AdminWrite::FaultHit(rule_id.to_owned())).await?;
        Ok(n > 0)
    }

    async fn ipn_settings(&self, merchant: &MerchantId) -> Result<IpnSettings, StoreError> {
        self.sql().ipn_settings(merchant).await
    }

    async fn set_ipn_settings(
        &self,
        merchant: &MerchantId,
        settings: &IpnSettings,
    ) -> Result<(), StoreError> {
        self.admin(AdminWrite::SetIpn(merchant.clone(), settings.clone()))
            .await
            .map(drop)
    }

    async fn claim_notification(
        &self,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Option<NotificationRecord>, StoreError> {
        let seq = self
            .admin(AdminWrite::ClaimNotification { now_ms, lease_ms })
            .await?;
        if seq == 0 {
            return Ok(None);
        }
        Ok(self.sql().notification(seq).await?.map(|(n, _)| n))
    }

    async fn finish_notification_attempt(&self, done: &FinishedAttempt) -> Result<(), StoreError> {
        self.admin(AdminWrite::FinishAttempt(done.clone()))
            .await
            .map(drop)
    }

    async fn notifications(
        &self,
        merchant: Option<&MerchantId>,
        limit: u32,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        self.sql().notifications(merchant, limit).await
    }

    async fn notification(
        &self,
        seq: u64,
    ) -> Result<Option<(NotificationRecord, Vec<AttemptRecord>)>, StoreError> {
        self.sql().notification(seq).await
    }

    async fn redeliver_notification(&self, seq: u64, now_ms: i64) -> Result<bool, StoreError> {
        Ok(self.admin(AdminWrite::Redeliver { seq, now_ms }).await? > 0)
    }

    async fn append_journal(
        &self,
        entries: Vec<NewJournalEntry>,
        ring: u32,
    ) -> Result<u64, StoreError> {
        if entries.is_empty() || ring == 0 {
            return Ok(0);
        }
        Backend::append_journal(self, AdminWrite::AppendJournal { entries, ring }).await
    }

    async fn journal(&self, filter: &JournalFilter) -> Result<Vec<JournalRecord>, StoreError> {
        self.journal_sql().journal(filter).await
    }

    async fn public_key_ids(&self, merchant: &MerchantId) -> Result<Vec<PublicKeyId>, StoreError> {
        self.sql().public_key_ids(merchant).await
    }

    async fn journal_entry(&self, request_id: &str) -> Result<Option<JournalRecord>, StoreError> {
        self.journal_sql().journal_entry(request_id).await
    }
}
