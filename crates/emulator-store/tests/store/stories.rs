//! The conformance stories, each generic over the backend.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use amzpay_emulator_core::checkout::{self, Checkout, Command};
use amzpay_emulator_core::clock::DAY;
use amzpay_emulator_core::ids::{MerchantId, PublicKeyId, StoreId};
use amzpay_emulator_core::input::{
    CompleteRequest, MerchantContext, NewCheckoutSession, PaymentDetailsInput, SignIn,
};
use amzpay_emulator_core::model::{
    Environment, Merchant, MerchantKey, PaymentIntent, Region, WebCheckoutDetails,
};
use amzpay_emulator_core::{Currency, Money, Timestamp, VirtualClock};
use amzpay_emulator_store::{
    Applied, IdempotencyRequest, Mutation, ObjectKind, ObjectRef, Outcome, Store, StoreError,
    StoredResponse, Target, Tenant, object_refs,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

pub(crate) use crate::faults::{
    fault_rule_hits_stop_at_their_limit_under_concurrent_claims,
    fault_rules_round_trip_in_order_and_by_merchant,
};
pub(crate) use crate::journal::{
    a_merchants_public_key_ids_are_listed, each_merchants_journal_ring_keeps_its_newest_entries,
    journal_entries_round_trip_and_filter,
};
pub(crate) use crate::notifications::{
    a_delivery_given_up_no_longer_holds_back_its_permission, a_rolled_back_write_enqueues_nothing,
    a_write_enqueues_its_notifications_for_every_endpoint_and_none_without,
    claims_follow_the_order_of_each_charge_permission_and_leases,
    ipn_settings_round_trip_and_default,
};

pub(crate) const T0: Timestamp = Timestamp::from_unix(1_700_000_000);

pub(crate) fn rng() -> StdRng {
    StdRng::from_entropy()
}

pub(crate) async fn new_merchant<S: Store + ?Sized>(store: &S) -> Merchant {
    let mut r = rng();
    let merchant = Merchant {
        merchant_id: MerchantId::generate(&mut r),
        store_id: StoreId::generate(&mut r),
        region: Region::Na,
        environment: Environment::Sandbox,
        clock: VirtualClock::Frozen { at: T0 },
        created_at: T0,
    };
    let key = MerchantKey {
        public_key_id: PublicKeyId::generate(&mut r, Environment::Sandbox),
        merchant_id: merchant.merchant_id.clone(),
        public_key_pem: "-----BEGIN PUBLIC KEY-----\n...".into(),
    };
    store.insert_merchant(&merchant, &key).await.unwrap();
    merchant
}

pub(crate) fn tenant(m: &Merchant) -> Tenant {
    Tenant {
        merchant_id: m.merchant_id.clone(),
        environment: m.environment,
    }
}

fn context(m: &Merchant) -> MerchantContext {
    MerchantContext {
        merchant_id: m.merchant_id.clone(),
        store_id: m.store_id.clone(),
        region: m.region,
        environment: m.environment,
    }
}

pub(crate) fn new_checkout(m: &Merchant) -> Checkout {
    let input = NewCheckoutSession {
        store_id: m.store_id.to_string(),
        web_checkout_details: WebCheckoutDetails {
            checkout_review_return_url: Some("https://shop.example/review".into()),
            checkout_result_return_url: Some("https://shop.example/result".into()),
            ..Default::default()
        },
        payment_details: Some(PaymentDetailsInput {
            payment_intent: Some(PaymentIntent::AuthorizeWithCapture),
            charge_amount: Some(Money::from_minor(1400, Currency::Usd)),
            ..Default::default()
        }),
        ..Default::default()
    };
    checkout::create(&context(m), input, T0, &mut rng())
        .unwrap()
        .0
}

pub(crate) fn completed(c: &Checkout) -> Checkout {
    let mut r = rng();
    let mut c = c.clone();
    for cmd in [
        Command::SignIn(SignIn::test_buyer()),
        Command::RunPaymentStep,
        Command::Complete(CompleteRequest {
            charge_amount: Some(Money::from_minor(1400, Currency::Usd)),
            total_order_amount: None,
        }),
    ] {
        c = checkout::transition(&c, cmd, T0.plus(10), &mut r)
            .unwrap()
            .0;
    }
    c
}

pub(crate) fn ok(body: &str) -> StoredResponse {
    StoredResponse {
        status: 200,
        body: body.as_bytes().to_vec(),
    }
}

fn write(c: Checkout, body: &'static str) -> Box<dyn FnOnce(Option<Checkout>) -> Applied + Send> {
    Box::new(move |_| Applied::Write {
        checkout: Box::new(c),
        response: ok(body),
        notifications: Vec::new(),
    })
}

pub(crate) async fn insert<S: Store>(store: &S, m: &Merchant, c: &Checkout) {
    let out = store
        .execute(Mutation {
            tenant: tenant(m),
            target: Target::New,
            idempotency: None,
            apply: write(c.clone(), "created"),
        })
        .await
        .unwrap();
    assert_eq!(out, Outcome::Executed(ok("created")));
}

pub(crate) fn existing(c: &Checkout) -> Target {
    Target::Existing(ObjectRef::CheckoutSession(c.session.id.clone()))
}

pub(crate) async fn merchants_and_keys_round_trip<S: Store>(store: &S) {
    let m = new_merchant(store).await;
    assert_eq!(
        store.merchant(&m.merchant_id).await.unwrap(),
        Some(m.clone())
    );
    let mut r = rng();
    let key = MerchantKey {
        public_key_id: PublicKeyId::generate(&mut r, Environment::Sandbox),
        merchant_id: m.merchant_id.clone(),
        public_key_pem: "pem".into(),
    };
    store.insert_key(&key).await.unwrap();
    let (owner, found) = store
        .merchant_by_key(&key.public_key_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((owner, found), (m.clone(), key.clone()));
    assert!(matches!(
        store.insert_key(&key).await,
        Err(StoreError::Conflict(_))
    ));
    let unknown = PublicKeyId::generate(&mut r, Environment::Sandbox);
    assert_eq!(store.merchant_by_key(&unknown).await.unwrap(), None);
    let clock = VirtualClock::Running { offset_secs: 42 };
    store.set_clock(&m.merchant_id, clock).await.unwrap();
    assert_eq!(
        store.merchant(&m.merchant_id).await.unwrap().unwrap().clock,
        clock
    );
    assert!(
        store
            .merchants()
            .await
            .unwrap()
            .contains(&store.merchant(&m.merchant_id).await.unwrap().unwrap())
    );
}

pub(crate) async fn a_new_checkout_is_found_by_every_object_id<S: Store>(store: &S) {
    let m = new_merchant(store).await;
    let c = new_checkout(&m);
    insert(store, &m, &c).await;
    let done = completed(&c);
    let out = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: None,
            apply: {
                let expected = c.clone();
                let done = done.clone();
                Box::new(move |loaded| {
                    assert_eq!(loaded, Some(expected));
                    Applied::Write {
                        checkout: Box::new(done),
                        response: ok("completed"),
                        notifications: Vec::new(),
                    }
                })
            },
        })
        .await
        .unwrap();
    assert_eq!(out, Outcome::Executed(ok("completed")));
    for object in object_refs(&done) {
        let found = store.checkout(&tenant(&m), &object).await.unwrap();
        assert_eq!(found.as_ref(), Some(&done), "{object:?}");
    }
    let permission_id = done.permission.as_ref().unwrap().id.clone();
    assert_eq!(
        store
            .locate(&ObjectRef::ChargePermission(permission_id))
            .await
            .unwrap(),
        Some(tenant(&m))
    );
    assert_eq!(
        store
            .count_objects(&m.merchant_id, ObjectKind::ChargePermission)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .count_objects(&m.merchant_id, ObjectKind::Charge)
            .await
            .unwrap(),
        1
    );
    // The id index is per kind. Looking a session id up as a charge id no longer compiles:
    // `ObjectRef::Charge` holds a `ChargeId`, and the id formats of different kinds never share
    // a text, so a lookup by the wrong kind cannot be written here any more.
}

pub(crate) async fn checkouts_are_invisible_to_other_tenants<S: Store>(store: &S) {
    let m = new_merchant(store).await;
    let other = new_merchant(store).await;
    let c = new_checkout(&m);
    insert(store, &m, &c).await;
    let id = ObjectRef::CheckoutSession(c.session.id.clone());
    assert!(
        store
            .checkout(&tenant(&other), &id)
            .await
            .unwrap()
            .is_none()
    );
    let live = Tenant {
        environment: Environment::Live,
        ..tenant(&m)
    };
    assert!(store.checkout(&live, &id).await.unwrap().is_none());
    let out = store
        .execute(Mutation {
            tenant: tenant(&other),
            target: existing(&c),
            idempotency: None,
            apply: Box::new(|loaded| {
                assert!(loaded.is_none());
                Applied::Reject(StoredResponse {
                    status: 404,
                    body: b"not found".to_vec(),
                })
            }),
        })
        .await
        .unwrap();
    assert!(matches!(out, Outcome::Rejected(r) if r.status == 404));
}

pub(crate) fn idem(key: &str, fingerprint: &str) -> Option<IdempotencyRequest> {
    Some(IdempotencyRequest {
        key: key.into(),
        fingerprint: fingerprint.into(),
    })
}

pub(crate) async fn an_idempotency_key_replays_its_first_answer<S: Store>(store: &S) {
    let m = new_merchant(store).await;
    let c = new_checkout(&m);
    let first = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: Target::New,
            idempotency: idem("key-1", "fp"),
            apply: write(c.clone(), "first"),
        })
        .await
        .unwrap();
    assert_eq!(first, Outcome::Executed(ok("first")));
    let again = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: Target::New,
            idempotency: idem("key-1", "fp"),
            apply: Box::new(|_| panic!("a replay must not execute")),
        })
        .await
        .unwrap();
    assert_eq!(again, Outcome::Replayed(ok("first")));
    // Keys are scoped per merchant.
    let other = new_merchant(store).await;
    let theirs = store
        .execute(Mutation {
            tenant: tenant(&other),
            target: Target::New,
            idempotency: idem("key-1", "fp"),
            apply: write(new_checkout(&other), "theirs"),
        })
        .await
        .unwrap();
    assert_eq!(theirs, Outcome::Executed(ok("theirs")));
}

pub(crate) async fn a_reused_key_with_another_request_is_reported<S: Store>(store: &S) {
    let m = new_merchant(store).await;
    store
        .execute(Mutation {
            tenant: tenant(&m),
            target: Target::New,
            idempotency: idem("key-2", "fp-a"),
            apply: write(new_checkout(&m), "a"),
        })
        .await
        .unwrap();
    let out = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: Target::New,
            idempotency: idem("key-2", "fp-b"),
            apply: Box::new(|_| panic!("must not execute")),
        })
        .await
        .unwrap();
    assert_eq!(out, Outcome::KeyReused);
}

fn refusal(status: u16, body: &str) -> StoredResponse {
    StoredResponse {
        status,
        body: body.as_bytes().to_vec(),
    }
}

/// Amazon "saves the response to the first request made with an idempotency key", errors
/// included (amazon-pay-api-v2 "Idempotency"): a rejection changes nothing but its key's record.
pub(crate) async fn a_rejected_mutation_changes_nothing_but_records_its_answer<S: Store>(
    store: &S,
) {
    // Arrange
    let m = new_merchant(store).await;
    let c = new_checkout(&m);
    insert(store, &m, &c).await;

    // Act
    let out = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: idem("key-3", "fp"),
            apply: Box::new(|_| Applied::Reject(refusal(422, "no"))),
        })
        .await
        .unwrap();

    // Assert: the state is unchanged ...
    assert_eq!(out, Outcome::Rejected(refusal(422, "no")));
    let loaded = store
        .checkout(
            &tenant(&m),
            &ObjectRef::CheckoutSession(c.session.id.clone()),
        )
        .await
        .unwrap();
    assert_eq!(loaded, Some(c.clone()));
    // ... and the same request again is the rejection's replay, even though it would succeed now.
    let retry = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: idem("key-3", "fp"),
            apply: Box::new(|_| panic!("a replay must not execute")),
        })
        .await
        .unwrap();
    assert_eq!(retry, Outcome::Replayed(refusal(422, "no")));
    // A corrected request with the same key is another request.
    let corrected = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: idem("key-3", "fp-corrected"),
            apply: Box::new(|_| panic!("a reused key must not execute")),
        })
        .await
        .unwrap();
    assert_eq!(corrected, Outcome::KeyReused);
    let still = store
        .checkout(
            &tenant(&m),
            &ObjectRef::CheckoutSession(c.session.id.clone()),
        )
        .await
        .unwrap();
    assert_eq!(still, Some(c));
}

/// 5xx, 429 (and 408, 425) invite a retry with the same key: they are not recorded, so the
/// retry executes.
pub(crate) async fn a_retryable_rejection_records_nothing<S: Store>(store: &S) {
    let m = new_merchant(store).await;
    let c = new_checkout(&m);
    insert(store, &m, &c).await;
    for (i, status) in [500_u16, 503, 429, 408, 425].into_iter().enumerate() {
        // Arrange
        let key = format!("retry-{i}");
        let out = store
            .execute(Mutation {
                tenant: tenant(&m),
                target: existing(&c),
                idempotency: idem(&key, "fp"),
                apply: Box::new(move |_| Applied::Reject(refusal(status, "later"))),
            })
            .await
            .unwrap();
        assert_eq!(out, Outcome::Rejected(refusal(status, "later")));

        // Act
        let retry = store
            .execute(Mutation {
                tenant: tenant(&m),
                target: existing(&c),
                idempotency: idem(&key, "fp"),
                apply: Box::new(|_| Applied::Reject(refusal(400, "ran again"))),
            })
            .await
            .unwrap();

        // Assert
        assert_eq!(
            retry,
            Outcome::Rejected(refusal(400, "ran again")),
            "{status}"
        );
    }
    // The last retry, a 400, is recorded in turn; without a key nothing is.
    let last = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: idem("retry-4", "fp"),
            apply: Box::new(|_| panic!("a replay must not execute")),
        })
        .await
        .unwrap();
    assert_eq!(last, Outcome::Replayed(refusal(400, "ran again")));
    let retry = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: None,
            apply: write(completed(&c), "done"),
        })
        .await
        .unwrap();
    assert_eq!(retry, Outcome::Executed(ok("done")));
}

pub(crate) async fn concurrent_rejections_with_one_key_execute_once<S: Store>(store: &S) {
    // Arrange
    let m = new_merchant(store).await;
    let c = new_checkout(&m);
    insert(store, &m, &c).await;
    let runs = Arc::new(AtomicUsize::new(0));

    // Act
    let outcomes = futures_join(64, |_| {
        let runs = runs.clone();
        store.execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: idem("same-refused-key", "fp"),
            apply: Box::new(move |_| {
                runs.fetch_add(1, Ordering::SeqCst);
                Applied::Reject(refusal(422, "refused"))
            }),
        })
    })
    .await;

    // Assert
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let rejected = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Outcome::Rejected(r)) if *r == refusal(422, "refused")))
        .count();
    let replayed = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Outcome::Replayed(r)) if *r == refusal(422, "refused")))
        .count();
    assert_eq!((rejected, replayed), (1, 63));
}

pub(crate) async fn concurrent_mutations_with_one_key_execute_once<S: Store>(store: &S) {
    let m = new_merchant(store).await;
    let c = new_checkout(&m);
    insert(store, &m, &c).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let outcomes = futures_join(64, |_| {
        let runs = runs.clone();
        let done = completed(&c);
        store.execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: idem("same-key", "fp"),
            apply: Box::new(move |_| {
                runs.fetch_add(1, Ordering::SeqCst);
                Applied::Write {
                    checkout: Box::new(done),
                    response: ok("completed"),
                    notifications: Vec::new(),
                }
            }),
        })
    })
    .await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let executed = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Outcome::Executed(_))))
        .count();
    let replayed = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Outcome::Replayed(r)) if *r == ok("completed")))
        .count();
    assert_eq!((executed, replayed), (1, 63));
}

async fn futures_join<F, Fut, T>(n: usize, f: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    // Polled together, so the writer sees them queued at once.
    futures::future::join_all((0..n).map(f)).await
}

pub(crate) async fn due_checkouts_follow_each_merchants_virtual_clock<S: Store>(store: &S) {
    let m = new_merchant(store).await;
    let c = new_checkout(&m);
    insert(store, &m, &c).await;
    let real = Timestamp::from_unix(1);
    assert_eq!(
        store.next_due(real, Some(&m.merchant_id)).await.unwrap(),
        None
    );
    // The session expires 24 h after creation on the merchant's (frozen) clock.
    store
        .set_clock(&m.merchant_id, VirtualClock::Frozen { at: T0.plus(DAY) })
        .await
        .unwrap();
    let due = store
        .next_due(real, Some(&m.merchant_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(due.checkout_id, c.session.id);
    assert_eq!(due.tenant, tenant(&m));
    // Applying the timer clears it.
    let expired = c.advance_to(T0.plus(DAY)).0;
    store
        .execute(Mutation {
            tenant: tenant(&m),
            target: existing(&c),
            idempotency: None,
            apply: write(expired, "applied"),
        })
        .await
        .unwrap();
    assert_eq!(
        store.next_due(real, Some(&m.merchant_id)).await.unwrap(),
        None
    );
}

pub(crate) async fn seed<S: Store>(store: &S) -> (Merchant, Checkout) {
    let m = new_merchant(store).await;
    let c = new_checkout(&m);
    store
        .execute(Mutation {
            tenant: tenant(&m),
            target: Target::New,
            idempotency: idem("durable", "fp"),
            apply: write(c.clone(), "created"),
        })
        .await
        .unwrap();
    (m, c)
}

pub(crate) async fn assert_survived<S: Store>(store: &S, m: &Merchant, c: &Checkout) {
    let loaded = store
        .checkout(
            &tenant(m),
            &ObjectRef::CheckoutSession(c.session.id.clone()),
        )
        .await
        .unwrap();
    assert_eq!(loaded.as_ref(), Some(c));
    let replay = store
        .execute(Mutation {
            tenant: tenant(m),
            target: Target::New,
            idempotency: idem("durable", "fp"),
            apply: Box::new(|_| panic!("must replay")),
        })
        .await
        .unwrap();
    assert_eq!(replay, Outcome::Replayed(ok("created")));
}

pub(crate) async fn a_panicking_mutation_fails_alone<S: Store>(store: &S) {
    let m = new_merchant(store).await;
    let out = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: Target::New,
            idempotency: None,
            apply: Box::new(|_| panic!("a bug")),
        })
        .await;
    assert!(out.is_err());
    insert(store, &m, &new_checkout(&m)).await;
}

fn real_now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Timestamp::from_unix(i64::try_from(secs).unwrap())
}

/// Deletes the checkout holding `c` as the background step does, at the end of its retention.
async fn delete<S: Store>(store: &S, m: &Merchant, c: &Checkout) -> Outcome {
    store
        .execute(Mutation {
            tenant: tenant(m),
            target: existing(c),
            idempotency: None,
            apply: Box::new(|loaded| {
                assert!(
                    loaded.is_some(),
                    "the checkout is loaded before it is deleted"
                );
                Applied::Delete(ok("deleted"))
            }),
        })
        .await
        .unwrap()
}

pub(crate) async fn an_abandoned_checkout_comes_due_at_the_end_of_its_retention_and_is_deleted<
    S: Store,
>(
    store: &S,
) {
    let m = new_merchant(store).await;
    let canceled = checkout::transition(&new_checkout(&m), Command::CancelAsBuyer, T0, &mut rng())
        .unwrap()
        .0;
    let paid = completed(&new_checkout(&m));
    insert(store, &m, &canceled).await;
    insert(store, &m, &paid).await;
    let real = Timestamp::from_unix(1);
    let at = |t: Timestamp| VirtualClock::Frozen { at: t };
    store
        .set_clock(&m.merchant_id, at(T0.plus(30 * DAY - 1)))
        .await
        .unwrap();
    assert_eq!(
        store.next_due(real, Some(&m.merchant_id)).await.unwrap(),
        None,
        "a canceled session has no timer before its retention ends"
    );
    store
        .set_clock(&m.merchant_id, at(T0.plus(30 * DAY)))
        .await
        .unwrap();
    let due = store
        .next_due(real, Some(&m.merchant_id))
        .await
        .unwrap()
        .expect("the abandoned checkout is due");
    assert_eq!(due.checkout_id, canceled.session.id);

    assert_eq!(
        delete(store, &m, &canceled).await,
        Outcome::Executed(ok("deleted"))
    );

    for object in object_refs(&canceled) {
        assert_eq!(store.locate(&object).await.unwrap(), None, "{object:?}");
    }
    assert_eq!(
        store
            .count_objects(&m.merchant_id, ObjectKind::CheckoutSession)
            .await
            .unwrap(),
        1,
        "the completed checkout stays"
    );
    let kept = store
        .checkout(
            &tenant(&m),
            &ObjectRef::CheckoutSession(paid.session.id.clone()),
        )
        .await
        .unwrap();
    assert_eq!(kept.as_ref(), Some(&paid));
    assert_eq!(
        store.next_due(real, Some(&m.merchant_id)).await.unwrap(),
        None,
        "nothing stays due"
    );
}

pub(crate) async fn idempotency_records_older_than_the_cutoff_are_forgotten<S: Store>(store: &S) {
    let m = new_merchant(store).await;
    let c = new_checkout(&m);
    let created = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: Target::New,
            idempotency: idem("old-key", "fp"),
            apply: write(c.clone(), "created"),
        })
        .await
        .unwrap();
    assert_eq!(created, Outcome::Executed(ok("created")));
    let now = real_now();

    let kept = store
        .forget_idempotency_keys(now.plus(-60), 100)
        .await
        .unwrap();
    let forgotten = store
        .forget_idempotency_keys(now.plus(60), 100)
        .await
        .unwrap();

    assert_eq!((kept, forgotten), (0, 1));
    let again = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: Target::New,
            idempotency: idem("old-key", "another fp"),
            apply: write(new_checkout(&m), "created again"),
        })
        .await
        .unwrap();
    assert_eq!(
        again,
        Outcome::Executed(ok("created again")),
        "a forgotten key is new again"
    );
}

pub(crate) async fn a_secret_is_claimed_once<S: Store>(store: &S) {
    let first = store.secret("test-secret", "first").await.unwrap();
    let second = store.secret("test-secret", "second").await.unwrap();
    assert_eq!((first.as_str(), second.as_str()), ("first", "first"));
}

pub(crate) async fn merchants_are_listed_in_pages<S: Store>(store: &S) {
    for _ in 0..5 {
        new_merchant(store).await;
    }
    let all = store.merchants().await.unwrap();
    assert!(all.len() >= 5);

    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = store.merchants_page(after.as_ref(), 2).await.unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = Some(last.merchant_id.clone());
        paged.extend(page);
    }

    assert_eq!(paged, all);
    let mut r = rng();
    let unknown = MerchantId::generate(&mut r);
    assert!(
        store
            .merchants_page(Some(&unknown), 2)
            .await
            .unwrap()
            .is_empty()
    );
}
