//! Storage for the amzpay emulator: the [`Store`] trait and its SQLite and PostgreSQL backends.
//!
//! Start at [`Store`]. Reads return domain values; every write goes through
//! [`Store::execute`] with a [`Mutation`]: the store loads the target checkout aggregate, checks
//! the idempotency key, runs the mutation's pure `apply` function on it, and writes the new
//! aggregate, its id-index rows and the idempotency record in one transaction. The caller's
//! answer is released only after that transaction has committed.
//!
//! # Layout
//!
//! - `protocol`: the write protocol of [`Store::execute`], once for both backends: read the
//!   idempotency record and the checkout, replay or run `apply`, plan the row writes (a pure
//!   function), then discard or write through the backend's `WriteTx`.
//! - `sql`: the single statements both backends run the same way (reads, merchants and keys,
//!   the due-timer query), generic over the sqlx database, and the one [`Store`] implementation
//!   both backends share through the crate-private `Backend` trait.
//! - `error`: driver errors to [`StoreError`], one mapping; a backend only lists its transient
//!   error codes.
//! - `sqlite`, `postgres`: SQL text, transactions (the SQLite writer task with group commit; one
//!   PostgreSQL transaction per mutation) and the transient codes. Nothing else.
//! - `object`: the id index's vocabulary ([`ObjectRef`], [`ObjectKind`], [`TrackingKey`]):
//!   callers name objects by typed id, and only the store turns them into index text.
//! - `doc`: the stored JSON document of a checkout.
//! - `journal`: the request journal's entries, a ring per merchant, appended in batches.
//!
//! # Decisions
//!
//! - **One aggregate, one row.** A checkout (session, charge permission, charges, refunds) is one
//!   row of `checkouts` holding a versioned JSON document (`doc` has the row types; the domain
//!   types never derive serde). `checkout_objects` maps every object id to its checkout, so Get
//!   Charge Permission, Get Charge and friends are one indexed join; `due_at` holds the next timer
//!   of the aggregate (`Checkout::next_due`) for the background step. Cost per request does not
//!   grow with the number of stored checkouts.
//! - **Serialized writes per aggregate.** SQLite has one writer connection owned by a task that
//!   takes a batch of pending mutations, runs each that writes inside a `SAVEPOINT` (a failed one
//!   rolls back alone), commits the batch once (group commit: one fsync for the whole batch in
//!   WAL mode with `synchronous=FULL`) and then answers every caller. Reads use a separate pool
//!   and see only committed data. The PostgreSQL backend runs one transaction per mutation with
//!   `SELECT ... FOR UPDATE` on the checkout row.
//! - **Idempotency records** (`idempotency_keys`) hold the first response (status and body) with
//!   a fingerprint of the request, errors included, as Amazon does (amazon-pay-api-v2
//!   "Idempotency"); they are written in the same transaction as the state change, so a replay
//!   after a crash or restart returns exactly the acknowledged answer. Concurrent requests with
//!   one key are serialized (SQLite: by the writer; PostgreSQL: by the key's row): the first
//!   executes, the others find its record. A rejected request changes nothing but its record; a
//!   rejection that invites a retry ([`StoredResponse::is_retryable`]) records nothing either.
//! - **The protocol is a trait of primitives, not a list of statements.** Each backend keeps the
//!   round trips that make it fast or correct: SQLite reads the record and the checkout in one
//!   statement and writes everything (savepoint included) in one multi-statement query;
//!   PostgreSQL claims the key with `INSERT ... ON CONFLICT DO NOTHING` before it locks the row.
//! - **Queries** are runtime `sqlx::query` calls covered by the conformance suite
//!   (`tests/store`), not compile-time macros, so no database is needed to build.
//! - **Errors**: no driver error escapes; everything is a [`StoreError`], mapped the same way
//!   for both backends.

mod connect;
mod doc;
mod error;
mod faults;
mod journal;
mod notifications;
mod object;
pub mod postgres;
mod protocol;
mod sql;
pub mod sqlite;

use std::fmt;

use amzpay_emulator_core::checkout::Checkout;
use amzpay_emulator_core::ids::{CheckoutSessionId, MerchantId, PublicKeyId};
use amzpay_emulator_core::model::{Environment, Merchant, MerchantKey};
use amzpay_emulator_core::{Timestamp, VirtualClock};

pub use connect::{ConnectOptions, connect};
pub use faults::{FaultRuleRecord, NewFaultRule};
pub use journal::{JournalFilter, JournalRecord, NewJournalEntry};
pub use notifications::{
    AfterAttempt, AttemptRecord, DeliveryState, FinishedAttempt, IpnEndpoint, IpnSettings,
    NewNotification, NotificationRecord,
};
pub use object::{ObjectKind, ObjectRef, TrackingKey, object_refs};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was violated (e.g. a public key id that exists).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The named record does not exist.
    #[error("not found")]
    NotFound,
    /// A stored row could not be decoded.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The database failed or is unreachable.
    #[error("database error: {message}")]
    Database {
        /// What was being done.
        message: String,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The database is unreachable, the connection broke, or the server is overloaded: the
    /// same operation may succeed later (answer a retryable 5xx). A write that failed this way
    /// is committed entirely or not at all; a retry with its idempotency key answers either way.
    #[error("database unavailable: {message}")]
    Unavailable {
        /// What was being done.
        message: String,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The store is shutting down.
    #[error("the store is closed")]
    Closed,
}

/// The owner of a checkout: a merchant in one environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    /// The merchant.
    pub merchant_id: MerchantId,
    /// The environment of the request.
    pub environment: Environment,
}

/// Which checkout a mutation acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A new checkout (Create Checkout Session).
    New,
    /// The checkout holding this object.
    Existing(ObjectRef),
}

/// The idempotency key of a request with a fingerprint of what the request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRequest {
    /// The `x-amz-pay-idempotency-key` value.
    pub key: String,
    /// A digest of method, path and canonical body: a replay must match it.
    pub fingerprint: String,
}

/// A stored HTTP answer: what a replay returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl StoredResponse {
    /// Whether the answer invites the caller to send the same request again: 408, 425, 429 and
    /// every 5xx. Such a rejection is not recorded under the request's idempotency key, so the
    /// retry executes instead of replaying the failure.
    ///
    /// Amazon documents 500 `InternalServerError` and 503 `ServiceUnavailable` as retryable and
    /// 429 as the answer to a throttled request, to be retried with back-off (developer.amazon.com,
    /// amazon-pay-api-v2 "Manage errors", Error codes and Retrying errors; amazon-pay-checkout
    /// FAQ, "Are there limits to how many API requests I can make"), and its generic table has
    /// 408 `RequestTimeout`; 425 completes the set the official SDKs retry (and
    /// `amzpay::retry::is_retryable_status`), so that no SDK's retry meets a recorded failure.
    pub fn is_retryable(&self) -> bool {
        matches!(self.status, 408 | 425 | 429 | 500..=599)
    }
}

/// What a mutation's `apply` decided.
#[derive(Debug)]
pub enum Applied {
    /// Store `checkout` and answer `response` (recorded under the idempotency key, if any).
    Write {
        /// The new aggregate.
        checkout: Box<Checkout>,
        /// The answer.
        response: StoredResponse,
        /// The notifications the change causes, enqueued in the same transaction for every IPN
        /// endpoint the tenant has then (none when it has none).
        notifications: Vec<NewNotification>,
    },
    /// Change nothing and answer `response`, recorded under the idempotency key (if any) unless
    /// it is retryable ([`StoredResponse::is_retryable`]).
    Reject(StoredResponse),
    /// Delete the loaded aggregate (its row and every id of its objects) and answer `response`
    /// (not recorded): the background step's end of a checkout's retention.
    Delete(StoredResponse),
}

/// The pure part of a write: the loaded aggregate (`None` when the target does not exist in the
/// tenant, or for [`Target::New`]) in, the decision out. It runs on the writer, so it must be
/// quick and must not block.
pub type ApplyFn = Box<dyn FnOnce(Option<Checkout>) -> Applied + Send>;

/// One write request.
pub struct Mutation {
    /// Whose data.
    pub tenant: Tenant,
    /// Which checkout.
    pub target: Target,
    /// The request's idempotency key, if it has one.
    pub idempotency: Option<IdempotencyRequest>,
    /// The decision.
    pub apply: ApplyFn,
}

impl fmt::Debug for Mutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutation")
            .field("tenant", &self.tenant)
            .field("target", &self.target)
            .field("idempotency", &self.idempotency)
            .finish_non_exhaustive()
    }
}

/// What [`Store::execute`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `apply` ran and its writes are committed.
    Executed(StoredResponse),
    /// `apply` ran and rejected the request; nothing changed but the key's record (see
    /// [`Applied::Reject`]).
    Rejected(StoredResponse),
    /// The idempotency key had a record with the same fingerprint: its stored answer.
    Replayed(StoredResponse),
    /// The idempotency key had a record for a different request.
    KeyReused,
}

/// A checkout with a timer due, found by [`Store::next_due`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueCheckout {
    /// Owner.
    pub tenant: Tenant,
    /// The checkout (its session id).
    pub checkout_id: CheckoutSessionId,
}

/// The emulator's storage. Implementations: [`SqliteStore`] and [`PostgresStore`].
#[async_trait::async_trait]
pub trait Store: Send + Sync + fmt::Debug + 'static {
    /// Creates a merchant with its first public key.
    async fn insert_merchant(
        &self,
        merchant: &Merchant,
        key: &MerchantKey,
    ) -> Result<(), StoreError>;

    /// Registers another public key for an existing merchant.
    async fn insert_key(&self, key: &MerchantKey) -> Result<(), StoreError>;

    /// A merchant by id.
    async fn merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError>;

    /// Every merchant, oldest first.
    async fn merchants(&self) -> Result<Vec<Merchant>, StoreError>;

    /// The merchant owning a public key, with the key.
    async fn merchant_by_key(
        &self,
        key_id: &PublicKeyId,
    ) -> Result<Option<(Merchant, MerchantKey)>, StoreError>;

    /// Sets a merchant's virtual clock.
    async fn set_clock(&self, id: &MerchantId, clock: VirtualClock) -> Result<(), StoreError>;

    /// The checkout holding `object`, if it belongs to `tenant`.
    async fn checkout(
        &self,
        tenant: &Tenant,
        object: &ObjectRef,
    ) -> Result<Option<Checkout>, StoreError>;

    /// The owner of `object`, whoever it is (admin API and hosted pages, which act for the
    /// buyer and carry no merchant credentials).
    async fn locate(&self, object: &ObjectRef) -> Result<Option<Tenant>, StoreError>;

    /// Runs one write (see [`Mutation`]); returns after the commit.
    async fn execute(&self, mutation: Mutation) -> Result<Outcome, StoreError>;

    /// One checkout whose next timer is due on its merchant's virtual clock at real time
    /// `real_now`, optionally only for one merchant.
    async fn next_due(
        &self,
        real_now: Timestamp,
        merchant: Option<&MerchantId>,
    ) -> Result<Option<DueCheckout>, StoreError>;

    /// Number of stored objects of one kind that belong to a merchant (tests, admin API).
    async fn count_objects(
        &self,
        merchant: &MerchantId,
        kind: ObjectKind,
    ) -> Result<u64, StoreError>;

    /// At most `limit` merchants in the order of [`Store::merchants`], starting after the
    /// merchant `after` (from the start without it; nothing when `after` is unknown).
    async fn merchants_page(
        &self,
        after: Option<&MerchantId>,
        limit: u32,
    ) -> Result<Vec<Merchant>, StoreError>;

    /// The secret stored under `name`; the first caller's `candidate` becomes it, so every
    /// instance sharing the database reads the same value.
    async fn secret(&self, name: &str, candidate: &str) -> Result<String, StoreError>;

    /// Deletes at most `limit` idempotency records committed before real time `before`, oldest
    /// first; returns how many. A caller repeats it until it deletes fewer than `limit`.
    async fn forget_idempotency_keys(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<u64, StoreError>;
    /// Adds a fault-injection rule ([`StoreError::Conflict`] when its id exists).
    async fn insert_fault_rule(&self, rule: &NewFaultRule) -> Result<(), StoreError>;

    /// The fault rules in the order they were added: every rule, or (given a merchant) those for
    /// that merchant and those for every merchant.
    async fn fault_rules(
        &self,
        merchant: Option<&MerchantId>,
    ) -> Result<Vec<FaultRuleRecord>, StoreError>;

    /// Deletes one fault rule, or every rule; returns how many it deleted.
    async fn delete_fault_rules(&self, rule_id: Option<&str>) -> Result<u64, StoreError>;

    /// Counts one more request matched by a rule's filters and returns the new count (the first
    /// match is 1); `None` when the rule no longer exists or has injected all its faults (a
    /// caller working from an older list of rules may not know yet). Atomic across instances.
    async fn fault_rule_matched(&self, rule_id: &str) -> Result<Option<u64>, StoreError>;

    /// Claims one injection of a rule: counts a hit unless the rule has used up its
    /// `max_hits`; `false` when it has (or the rule no longer exists). Atomic across instances,
    /// so "the next N matching requests" are exactly N however many instances share the
    /// database.
    async fn claim_fault_hit(&self, rule_id: &str) -> Result<bool, StoreError>;

    /// A merchant's IPN settings (the defaults when it never set any).
    async fn ipn_settings(&self, merchant: &MerchantId) -> Result<IpnSettings, StoreError>;

    /// Replaces a merchant's IPN settings; later changes notify the new endpoints.
    async fn set_ipn_settings(
        &self,
        merchant: &MerchantId,
        settings: &IpnSettings,
    ) -> Result<(), StoreError>;

    /// Claims the oldest delivery due at real time `now_ms` whose charge permission has no
    /// earlier pending delivery to the same endpoint, for `lease_ms`: no other claimer gets it
    /// until the lease ends or an attempt is recorded. Atomic across instances.
    async fn claim_notification(
        &self,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Option<NotificationRecord>, StoreError>;

    /// Records an attempt of a claimed delivery and its next state; ends the lease.
    async fn finish_notification_attempt(&self, done: &FinishedAttempt) -> Result<(), StoreError>;

    /// At most `limit` deliveries, newest first, of one merchant or of all.
    async fn notifications(
        &self,
        merchant: Option<&MerchantId>,
        limit: u32,
    ) -> Result<Vec<NotificationRecord>, StoreError>;

    /// One delivery with its attempts.
    async fn notification(
        &self,
        seq: u64,
    ) -> Result<Option<(NotificationRecord, Vec<AttemptRecord>)>, StoreError>;

    /// Makes a delivery pending again, due at `now_ms`, whatever its state; `false` when it does
    /// not exist.
    async fn redeliver_notification(&self, seq: u64, now_ms: i64) -> Result<bool, StoreError>;
    /// Appends a batch of request-journal entries and keeps each merchant's ring at `ring`
    /// entries, deleting the oldest (nothing when `ring` is 0); returns how many it appended.
    async fn append_journal(
        &self,
        entries: Vec<NewJournalEntry>,
        ring: u32,
    ) -> Result<u64, StoreError>;

    /// Journal entries that pass `filter`: newest first, or oldest first after
    /// [`JournalFilter::after_id`].
    async fn journal(&self, filter: &JournalFilter) -> Result<Vec<JournalRecord>, StoreError>;

    /// The public key ids registered for a merchant, oldest first (the dashboard shows them).
    async fn public_key_ids(&self, merchant: &MerchantId) -> Result<Vec<PublicKeyId>, StoreError>;

    /// The journal entry of a request, by its `x-amz-pay-request-id`.
    async fn journal_entry(&self, request_id: &str) -> Result<Option<JournalRecord>, StoreError>;
}
