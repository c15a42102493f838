//! The fault-rule stories (`fault_rules`), each generic over the backend.

use amzpay_emulator_store::{NewFaultRule, Store, StoreError};

use crate::stories::{T0, new_merchant};

fn rule(id: &str, merchant: Option<&amzpay_emulator_core::model::Merchant>) -> NewFaultRule {
    NewFaultRule {
        rule_id: id.into(),
        merchant_id: merchant.map(|m| m.merchant_id.clone()),
        spec: format!(r#"{{"fault":{{"kind":"reset"}},"name":"{id}"}}"#),
        max_hits: None,
        created_at: T0,
    }
}

pub(crate) async fn fault_rules_round_trip_in_order_and_by_merchant<S: Store>(store: &S) {
    // Arrange
    let (m1, m2) = (new_merchant(store).await, new_merchant(store).await);
    let mut capped = rule("r3", Some(&m2));
    capped.max_hits = Some(2);
    for r in [rule("r1", Some(&m1)), rule("r2", None), capped.clone()] {
        store.insert_fault_rule(&r).await.unwrap();
    }

    // Act
    let every = store.fault_rules(None).await.unwrap();
    let for_m1 = store.fault_rules(Some(&m1.merchant_id)).await.unwrap();
    let duplicate = store.insert_fault_rule(&rule("r1", None)).await;

    // Assert
    let ids = |rules: &[amzpay_emulator_store::FaultRuleRecord]| {
        rules
            .iter()
            .map(|r| r.rule.rule_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&every), ["r1", "r2", "r3"]);
    assert_eq!(ids(&for_m1), ["r1", "r2"]);
    assert_eq!(every[2].rule, capped);
    assert_eq!((every[2].matched, every[2].hits), (0, 0));
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );
    assert_eq!(store.delete_fault_rules(Some("r2")).await.unwrap(), 1);
    assert_eq!(store.delete_fault_rules(Some("r2")).await.unwrap(), 0);
    assert_eq!(ids(&store.fault_rules(None).await.unwrap()), ["r1", "r3"]);
    assert_eq!(store.delete_fault_rules(None).await.unwrap(), 2);
    assert!(store.fault_rules(None).await.unwrap().is_empty());
}

pub(crate) async fn fault_rule_hits_stop_at_their_limit_under_concurrent_claims<S: Store>(
    store: &S,
) {
    // Arrange
    let mut capped = rule("capped", None);
    capped.max_hits = Some(3);
    store.insert_fault_rule(&capped).await.unwrap();
    store.insert_fault_rule(&rule("open", None)).await.unwrap();

    // Act
    let claims = futures::future::join_all((0..10).map(|_| store.claim_fault_hit("capped"))).await;
    let mut matches = Vec::new();
    for _ in 0..4 {
        matches.push(store.fault_rule_matched("open").await.unwrap());
    }

    // Assert
    let won = claims.into_iter().filter(|c| *c.as_ref().unwrap()).count();
    assert_eq!(won, 3);
    assert_eq!(matches, [Some(1), Some(2), Some(3), Some(4)]);
    assert!(store.claim_fault_hit("open").await.unwrap());
    assert_eq!(store.fault_rule_matched("gone").await.unwrap(), None);
    assert!(!store.claim_fault_hit("gone").await.unwrap());
    let rules = store.fault_rules(None).await.unwrap();
    assert_eq!((rules[0].matched, rules[0].hits), (0, 3));
    assert_eq!((rules[1].matched, rules[1].hits), (4, 1));
}
