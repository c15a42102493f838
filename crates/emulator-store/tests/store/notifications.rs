//! The notification stories (IPN settings and the outbox), each generic over the backend.

use amzpay_emulator_core::checkout::Checkout;
use amzpay_emulator_core::model::{Environment, Merchant};
use amzpay_emulator_store::{
    AfterAttempt, Applied, AttemptRecord, DeliveryState, FinishedAttempt, IpnEndpoint, IpnSettings,
    Mutation, NewNotification, Outcome, Store, Target,
};

use crate::stories::{new_checkout, new_merchant, ok, tenant};

fn note(id: &str, permission: &str) -> NewNotification {
    NewNotification {
        notification_id: id.into(),
        message_id: format!("msg-{id}"),
        charge_permission_id: permission.into(),
        object_type: "CHARGE".into(),
        object_id: format!("obj-{id}"),
        notification_type: "STATE_CHANGE".into(),
        message: format!(r#"{{"NotificationId":"{id}"}}"#),
        created_at_ms: 1_000,
    }
}

fn endpoints(m: &Merchant, urls: &[&str]) -> IpnSettings {
    IpnSettings {
        endpoints: urls
            .iter()
            .map(|u| IpnEndpoint {
                environment: m.environment,
                url: (*u).to_owned(),
            })
            .collect(),
        ..IpnSettings::default()
    }
}

/// Writes `c` with `notes`, or fails inside the transaction when `fail` is set.
async fn write_with<S: Store>(store: &S, m: &Merchant, c: Checkout, notes: Vec<NewNotification>) {
    let out = store
        .execute(Mutation {
            tenant: tenant(m),
            target: Target::New,
            idempotency: None,
            apply: Box::new(move |_| Applied::Write {
                checkout: Box::new(c),
                response: ok("written"),
                notifications: notes,
            }),
        })
        .await
        .unwrap();
    assert!(matches!(out, Outcome::Executed(_)), "{out:?}");
}

fn attempt(n: u32, status: Option<u16>) -> AttemptRecord {
    AttemptRecord {
        attempt: n,
        started_at_ms: 2_000,
        latency_ms: 5,
        status,
        error: status.is_none().then(|| "connection refused".to_owned()),
        response_head: status.map(|_| "ok".to_owned()),
    }
}

pub(crate) async fn ipn_settings_round_trip_and_default<S: Store>(store: &S) {
    // Arrange
    let m = new_merchant(store).await;
    let mut settings = endpoints(&m, &["https://a.example/ipn", "http://127.0.0.1:9/ipn"]);
    settings.endpoints.push(IpnEndpoint {
        environment: Environment::Live,
        url: "https://live.example/ipn".into(),
    });
    settings.signature_version = 1;
    settings.ca_pem = Some("-----BEGIN CERTIFICATE-----".into());

    // Act
    let before = store.ipn_settings(&m.merchant_id).await.unwrap();
    store
        .set_ipn_settings(&m.merchant_id, &settings)
        .await
        .unwrap();
    let after = store.ipn_settings(&m.merchant_id).await.unwrap();
    store
        .set_ipn_settings(&m.merchant_id, &IpnSettings::default())
        .await
        .unwrap();
    let cleared = store.ipn_settings(&m.merchant_id).await.unwrap();

    // Assert
    assert_eq!(before, IpnSettings::default());
    let mut expected = settings.clone();
    // Stored per environment, each in the order given.
    expected.endpoints.sort_by_key(|e| e.environment.as_str());
    assert_eq!(after, expected);
    assert_eq!(cleared, IpnSettings::default());
}

pub(crate) async fn a_write_enqueues_its_notifications_for_every_endpoint_and_none_without<
    S: Store,
>(
    store: &S,
) {
    // Arrange
    let (with, without) = (new_merchant(store).await, new_merchant(store).await);
    store
        .set_ipn_settings(
            &with.merchant_id,
            &endpoints(&with, &["https://a/ipn", "https://b/ipn"]),
        )
        .await
        .unwrap();

    // Act
    write_with(
        store,
        &with,
        new_checkout(&with),
        vec![note("n1", "P1"), note("n2", "P1")],
    )
    .await;
    write_with(
        store,
        &without,
        new_checkout(&without),
        vec![note("n3", "P2")],
    )
    .await;

    // Assert
    let listed = store.notifications(None, 100).await.unwrap();
    let rows: Vec<(&str, &str)> = listed
        .iter()
        .rev()
        .map(|n| (n.notification.notification_id.as_str(), n.endpoint.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("n1", "https://a/ipn"),
            ("n1", "https://b/ipn"),
            ("n2", "https://a/ipn"),
            ("n2", "https://b/ipn")
        ]
    );
    assert!(
        listed
            .iter()
            .all(|n| n.state == DeliveryState::Pending && n.attempts == 0)
    );
    assert!(
        store
            .notifications(Some(&without.merchant_id), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(listed[0].notification, note("n2", "P1"));
}

pub(crate) async fn a_rolled_back_write_enqueues_nothing<S: Store>(store: &S) {
    // Arrange
    let m = new_merchant(store).await;
    store
        .set_ipn_settings(&m.merchant_id, &endpoints(&m, &["https://a/ipn"]))
        .await
        .unwrap();
    let c = new_checkout(&m);
    write_with(store, &m, c.clone(), vec![note("first", "P")]).await;

    // Act: the same checkout inserted again fails on its primary key, inside the write.
    let out = store
        .execute(Mutation {
            tenant: tenant(&m),
            target: Target::New,
            idempotency: None,
            apply: Box::new(move |_| Applied::Write {
                checkout: Box::new(c),
                response: ok("again"),
                notifications: vec![note("lost", "P")],
            }),
        })
        .await;

    // Assert
    assert!(out.is_err(), "{out:?}");
    let ids: Vec<String> = store
        .notifications(None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.notification.notification_id)
        .collect();
    assert_eq!(ids, ["first"]);
}

pub(crate) async fn claims_follow_the_order_of_each_charge_permission_and_leases<S: Store>(
    store: &S,
) {
    // Arrange: P1 has two deliveries, P2 one.
    let m = new_merchant(store).await;
    store
        .set_ipn_settings(&m.merchant_id, &endpoints(&m, &["https://a/ipn"]))
        .await
        .unwrap();
    write_with(
        store,
        &m,
        new_checkout(&m),
        vec![note("p1-a", "P1"), note("p1-b", "P1"), note("p2-a", "P2")],
    )
    .await;
    let claim = |now| async move {
        store
            .claim_notification(now, 60_000)
            .await
            .unwrap()
            .map(|n| n.notification.notification_id)
    };

    // Act and assert: the first of P1, then (P1 blocked) P2's, then nothing while leased.
    assert_eq!(claim(1_000).await.as_deref(), Some("p1-a"));
    assert_eq!(claim(1_000).await.as_deref(), Some("p2-a"));
    assert_eq!(claim(1_000).await, None);
    // A lease that ran out is claimed again.
    let again = store
        .claim_notification(70_000, 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.notification.notification_id, "p1-a");
    // A failed attempt with a retry keeps P1's second delivery back until it is delivered.
    store
        .finish_notification_attempt(&FinishedAttempt {
            seq: again.seq,
            record: attempt(1, Some(500)),
            next: AfterAttempt::RetryAt(200_000),
        })
        .await
        .unwrap();
    assert_eq!(claim(150_000).await.as_deref(), Some("p2-a"));
    assert_eq!(claim(150_000).await, None);
    let retried = store
        .claim_notification(200_000, 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(retried.seq, again.seq);
    assert_eq!(retried.attempts, 1);
    store
        .finish_notification_attempt(&FinishedAttempt {
            seq: retried.seq,
            record: attempt(2, Some(200)),
            next: AfterAttempt::Delivered,
        })
        .await
        .unwrap();
    assert_eq!(claim(200_000).await.as_deref(), Some("p1-b"));

    let (done, attempts) = store.notification(again.seq).await.unwrap().unwrap();
    assert_eq!(done.state, DeliveryState::Delivered);
    assert_eq!(done.delivered_at_ms, Some(2_005));
    assert_eq!(attempts, [attempt(1, Some(500)), attempt(2, Some(200))]);
    // A redelivery makes it pending and due again.
    assert!(
        store
            .redeliver_notification(again.seq, 300_000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .redeliver_notification(999_999, 300_000)
            .await
            .unwrap()
    );
    let (redo, _) = store.notification(again.seq).await.unwrap().unwrap();
    assert_eq!(
        (redo.state, redo.next_attempt_at_ms),
        (DeliveryState::Pending, 300_000)
    );
}

pub(crate) async fn a_delivery_given_up_no_longer_holds_back_its_permission<S: Store>(store: &S) {
    // Arrange
    let m = new_merchant(store).await;
    store
        .set_ipn_settings(&m.merchant_id, &endpoints(&m, &["https://a/ipn"]))
        .await
        .unwrap();
    write_with(
        store,
        &m,
        new_checkout(&m),
        vec![note("a", "P"), note("b", "P")],
    )
    .await;
    let first = store
        .claim_notification(1_000, 60_000)
        .await
        .unwrap()
        .unwrap();

    // Act
    store
        .finish_notification_attempt(&FinishedAttempt {
            seq: first.seq,
            record: attempt(1, None),
            next: AfterAttempt::GiveUp,
        })
        .await
        .unwrap();

    // Assert
    let (failed, _) = store.notification(first.seq).await.unwrap().unwrap();
    assert_eq!(failed.state, DeliveryState::Failed);
    let next = store
        .claim_notification(1_000, 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.notification.notification_id, "b");
}
