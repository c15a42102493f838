//! The write protocol of [`Store::execute`](crate::Store::execute), written once for both
//! backends.
//!
//! A backend opens its transaction (SQLite: a place in the writer's batch; PostgreSQL: one
//! `READ COMMITTED` transaction) and hands it to [`execute`] as a [`WriteTx`]. The protocol then:
//!
//! 1. reads the idempotency record of the request's key, if it has one, and the target
//!    checkout's document ([`WriteTx::read`]; each backend decides how many statements and which
//!    locks that takes);
//! 2. answers from the record when there is one: the stored answer for the same fingerprint
//!    ([`Outcome::Replayed`]), [`Outcome::KeyReused`] for another ([`replay`]);
//! 3. decodes the checkout, runs the mutation's `apply` on it and turns its decision into a
//!    [`Write`] or a rejection ([`plan`], pure: no I/O);
//! 4. ends the transaction: [`WriteTx::discard`] for a replay or a rejection that is not
//!    recorded, [`WriteTx::record`] for a rejection that is (its idempotency record alone),
//!    [`WriteTx::write`] for a change (checkout row, new id-index rows, idempotency record, the
//!    notifications' outbox rows, in one commit or one savepoint).
//!
//! A rejection changes no state, but its answer is recorded under the request's key like any
//! other: Amazon "saves the response to the first request made with an idempotency key" and
//! answers later requests with that key from it (developer.amazon.com, amazon-pay-api-v2
//! "Idempotency", Idempotency overview). The exception is an answer that invites a retry
//! ([`StoredResponse::is_retryable`]): recording it would turn the retry into a replay of the
//! failure.
//!
//! The backends hold only their SQL, transaction handling and driver-error classification.

use std::collections::HashSet;
use std::future::Future;

use amzpay_emulator_core::Timestamp;

use crate::{
    Applied, ApplyFn, IdempotencyRequest, Mutation, NewNotification, Outcome, StoreError,
    StoredResponse, Target, Tenant, doc, object_refs,
};

/// One mutation's transaction, as each backend runs it.
pub(crate) trait WriteTx: Send {
    /// Reads the idempotency record and the target checkout's document that `lookup` names. A
    /// backend may skip the document when it found a record: the protocol answers from the
    /// record then.
    fn read(
        &mut self,
        lookup: &Lookup<'_>,
    ) -> impl Future<Output = Result<Found, StoreError>> + Send;

    /// Ends the transaction without a change.
    fn discard(self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Writes the idempotency record of a rejected request (and nothing else) and ends the
    /// transaction so that it commits. On an error nothing of it may remain.
    fn record(
        self,
        record: &IdempotencyWrite,
        response: &StoredResponse,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Writes `write` and ends the transaction so that it commits (with the batch, on SQLite).
    /// On an error nothing of `write` may remain.
    fn write(self, write: &Write) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes the aggregate `delete` names and ends the transaction so that it commits. On an
    /// error nothing is deleted.
    fn delete(self, delete: &Delete) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The rows a mutation reads, in their stored form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lookup<'a> {
    /// The tenant's merchant.
    pub(crate) merchant_id: &'a str,
    /// The tenant's environment.
    pub(crate) environment: &'static str,
    /// The target object `(id, kind)`; `None` for a new checkout.
    pub(crate) object: Option<(&'a str, &'static str)>,
    /// The request's idempotency key.
    pub(crate) idempotency: Option<&'a IdempotencyRequest>,
}

impl<'a> Lookup<'a> {
    /// The rows of `target` in `tenant`, and of `idempotency`.
    pub(crate) fn new(
        tenant: &'a Tenant,
        target: &'a Target,
        idempotency: Option<&'a IdempotencyRequest>,
    ) -> Lookup<'a> {
        Lookup {
            merchant_id: tenant.merchant_id.as_str(),
            environment: tenant.environment.as_str(),
            object: match target {
                Target::New => None,
                Target::Existing(object) => Some((object.id(), object.kind().as_str())),
            },
            idempotency,
        }
    }
}

/// What [`WriteTx::read`] found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// The committed idempotency record of the request's key.
    pub(crate) record: Option<IdempotencyRecord>,
    /// The target checkout's stored document.
    pub(crate) document: Option<String>,
}

/// A committed row of `idempotency_keys`.
#[derive(Debug)]
pub(crate) struct IdempotencyRecord {
    /// The fingerprint of the request that executed.
    pub(crate) fingerprint: String,
    /// Its HTTP status (never empty once committed).
    pub(crate) status: Option<i64>,
    /// Its body (never empty once committed).
    pub(crate) body: Option<Vec<u8>>,
}

/// The row operations of one executed mutation, in the order a backend performs them.
#[derive(Debug)]
pub(crate) struct Write {
    /// The checkout (its session id).
    pub(crate) checkout_id: String,
    /// Its owner.
    pub(crate) merchant_id: String,
    /// Its environment (stored form).
    pub(crate) environment: &'static str,
    /// Whether the `checkouts` row is new.
    pub(crate) row: RowWrite,
    /// The next timer of the aggregate (unix seconds).
    pub(crate) due_at: Option<i64>,
    /// The aggregate's `updated_at` (unix seconds).
    pub(crate) updated_at: i64,
    /// The new document.
    pub(crate) document: String,
    /// Object ids the aggregate did not have before, for `checkout_objects`.
    pub(crate) new_object_ids: Vec<String>,
    /// Their kinds (stored form), in the same order.
    pub(crate) new_object_kinds: Vec<&'static str>,
    /// The idempotency record to write, if the request had a key.
    pub(crate) idempotency: Option<IdempotencyWrite>,
    /// The answer: recorded under the key and returned to the caller.
    pub(crate) response: StoredResponse,
    /// The outbox rows to enqueue (once per endpoint of the tenant).
    pub(crate) notifications: Vec<NewNotification>,
}

/// The rows of an aggregate to delete: its `checkouts` row and its ids in `checkout_objects`
/// (named one by one, so that each backend deletes them through the primary key).
#[derive(Debug)]
pub(crate) struct Delete {
    /// The checkout (its session id).
    pub(crate) checkout_id: String,
    /// Every object id of the aggregate.
    pub(crate) object_ids: Vec<String>,
    /// The answer.
    pub(crate) response: StoredResponse,
}

/// Insert or update the `checkouts` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowWrite {
    /// A new aggregate, created at `created_at` (unix seconds).
    Insert {
        /// `checkouts.created_at`.
        created_at: i64,
    },
    /// An existing aggregate.
    Update,
}

/// The idempotency record of an executed or a recorded rejected mutation.
#[derive(Debug)]
pub(crate) struct IdempotencyWrite {
    /// The tenant's merchant: keys are per merchant.
    pub(crate) merchant_id: String,
    /// The key.
    pub(crate) key: String,
    /// The request's fingerprint.
    pub(crate) fingerprint: String,
}

/// Runs one mutation in `tx` and returns what it did; see the module docs for the steps.
pub(crate) async fn execute<T: WriteTx>(mut tx: T, m: Mutation) -> Result<Outcome, StoreError> {
    let Mutation {
        tenant,
        target,
        idempotency,
        apply,
    } = m;
    let found = tx
        .read(&Lookup::new(&tenant, &target, idempotency.as_ref()))
        .await?;
    if let (Some(idem), Some(record)) = (&idempotency, found.record) {
        tx.discard().await?;
        return replay(idem, record);
    }
    match plan(&tenant, &target, found.document, idempotency, apply)? {
        Decision::Reject {
            response,
            record: None,
        } => {
            tx.discard().await?;
            Ok(Outcome::Rejected(response))
        }
        Decision::Reject {
            response,
            record: Some(record),
        } => {
            tx.record(&record, &response).await?;
            Ok(Outcome::Rejected(response))
        }
        Decision::Write(write) => {
            tx.write(&write).await?;
            Ok(Outcome::Executed(write.response))
        }
        Decision::Delete(delete) => {
            tx.delete(&delete).await?;
            Ok(Outcome::Executed(delete.response))
        }
    }
}

/// The answer to a request whose key has a committed record.
fn replay(request: &IdempotencyRequest, record: IdempotencyRecord) -> Result<Outcome, StoreError> {
    if record.fingerprint != request.fingerprint {
        return Ok(Outcome::KeyReused);
    }
    let (Some(status), Some(body)) = (record.status, record.body) else {
        return Err(StoreError::Corrupt(
            "a committed idempotency record has no answer".into(),
        ));
    };
    Ok(Outcome::Replayed(StoredResponse {
        status: u16::try_from(status).unwrap_or(500),
        body,
    }))
}

/// What `apply` decided, in row operations.
#[derive(Debug)]
enum Decision {
    /// Change nothing; record the answer under the key when `record` is set.
    Reject {
        response: StoredResponse,
        record: Option<IdempotencyWrite>,
    },
    Write(Box<Write>),
    Delete(Delete),
}

/// Decodes the loaded document, runs `apply` and plans the writes. Pure: no I/O.
fn plan(
    tenant: &Tenant,
    target: &Target,
    document: Option<String>,
    idempotency: Option<IdempotencyRequest>,
    apply: ApplyFn,
) -> Result<Decision, StoreError> {
    let loaded = match (target, document) {
        (Target::Existing(_), Some(d)) => Some(doc::decode(&d)?),
        _ => None,
    };
    let before: Option<(String, HashSet<String>)> = loaded.as_ref().map(|c| {
        (
            c.session.id.to_string(),
            object_refs(c)
                .into_iter()
                .map(|o| o.id().to_owned())
                .collect(),
        )
    });
    // A bug in `apply` fails this request alone: on SQLite it must not take the writer (and so
    // every later write) down with it; on PostgreSQL the dropped transaction rolls back.
    let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| apply(loaded)))
        .map_err(|_| StoreError::Corrupt("a mutation panicked; nothing was written".into()))?;
    let record = |idem: IdempotencyRequest| IdempotencyWrite {
        merchant_id: tenant.merchant_id.to_string(),
        key: idem.key,
        fingerprint: idem.fingerprint,
    };
    let (checkout, response, notifications) = match applied {
        Applied::Reject(response) => {
            let record = idempotency.filter(|_| !response.is_retryable()).map(record);
            return Ok(Decision::Reject { response, record });
        }
        Applied::Write {
            checkout,
            response,
            notifications,
        } => (checkout, response, notifications),
        Applied::Delete(response) => {
            let Some((checkout_id, known)) = before else {
                return Err(StoreError::Corrupt(
                    "a mutation deleted a checkout that does not exist".into(),
                ));
            };
            return Ok(Decision::Delete(Delete {
                checkout_id,
                object_ids: known.into_iter().collect(),
                response,
            }));
        }
    };
    let (row, known) = match before {
        None => (
            RowWrite::Insert {
                created_at: checkout.session.created_at.unix(),
            },
            HashSet::new(),
        ),
        Some((id, _)) if id != checkout.session.id.as_str() => {
            return Err(StoreError::Corrupt(
                "a mutation replaced the checkout with another one".into(),
            ));
        }
        Some((_, known)) => (RowWrite::Update, known),
    };
    let (new_object_ids, new_object_kinds) = object_refs(&checkout)
        .into_iter()
        .filter(|o| !known.contains(o.id()))
        .map(|o| (o.id().to_owned(), o.kind().as_str()))
        .unzip();
    Ok(Decision::Write(Box::new(Write {
        checkout_id: checkout.session.id.to_string(),
        merchant_id: checkout.merchant_id.to_string(),
        environment: checkout.environment.as_str(),
        row,
        due_at: due_at(&checkout),
        updated_at: checkout.session.updated_at.unix(),
        document: doc::encode(&checkout),
        new_object_ids,
        new_object_kinds,
        idempotency: idempotency.map(record),
        response,
        notifications,
    })))
}

/// The `due_at` of an aggregate: its next timer, or the end of its retention when that comes
/// first, so the background step finds a checkout to delete through the same index.
fn due_at(checkout: &amzpay_emulator_core::checkout::Checkout) -> Option<i64> {
    [checkout.next_due(), checkout.retention_ends()]
        .into_iter()
        .flatten()
        .min()
        .map(Timestamp::unix)
}
