//! Fault rules and throttling in process: the admin API, the marks on every changed answer, and
//! each kind that does not need a real connection (the lost answer and the reset are proven over
//! HTTP by the harness's tests and the `server` tests below).

use axum::http::Method;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::{Merchant, TestApp, session_body, spawn_app, spawn_app_with};

async fn add_rule(app: &TestApp, rule: Value) -> String {
    let r = app.admin(Method::POST, "/__admin/faults", Some(rule)).await;
    r.expect(201)["id"].as_str().unwrap().to_owned()
}

async fn rule(app: &TestApp, id: &str) -> Value {
    let list = app.admin(Method::GET, "/__admin/faults", None).await;
    list.expect(200)["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn create(app: &TestApp, m: &Merchant) -> crate::helpers::Resp {
    app.post(m, "/v2/checkoutSessions", session_body(m, None))
        .await
}

#[tokio::test]
async fn an_error_rule_answers_its_status_and_code_marked_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = add_rule(
        &app,
        json!({"merchantId": m.merchant_id, "operation": "CreateCheckoutSession", "count": 2,
               "fault": {"kind": "error", "status": 503}}),
    )
    .await;

    // Act
    let first = create(&app, &m).await;
    let second = create(&app, &m).await;
    let third = create(&app, &m).await;

    // Assert
    for r in [&first, &second] {
        r.expect_error(503, "ServiceUnavailable");
        assert_eq!(r.headers["x-amzpay-emulator-fault"], id.as_str());
    }
    third.expect(201);
    assert!(third.headers.get("x-amzpay-emulator-fault").is_none());
    assert_eq!(app.sessions(&m).await, 1);
    let stored = rule(&app, &id).await;
    assert_eq!(
        (stored["hits"].as_u64(), stored["matched"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(stored["count"], 2);
}

#[tokio::test]
async fn a_rule_applies_at_once_where_it_was_added_and_within_a_second_on_other_instances() {
    // Arrange: two instances on one database; the second has read the (empty) rule list.
    let a = spawn_app().await;
    let b = a.second_instance().await;
    let m = a.merchant().await;
    create(&b, &m).await.expect(201);

    // Act
    let id = add_rule(
        &a,
        json!({"merchantId": m.merchant_id, "operation": "CreateCheckoutSession",
               "fault": {"kind": "error", "status": 503}}),
    )
    .await;
    let here = create(&a, &m).await;
    // Requests read the rules from a list each instance keeps for at most a second; the other
    // instance's list is stale now and fresh once that second has passed (real time: it bounds
    // how fast a change travels between processes).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let there = create(&b, &m).await;

    // Assert
    here.expect_error(503, "ServiceUnavailable");
    there.expect_error(503, "ServiceUnavailable");
    assert_eq!(there.headers["x-amzpay-emulator-fault"], id.as_str());
    assert_eq!(a.sessions(&m).await, 1);
}

#[tokio::test]
async fn rules_filter_on_merchant_operation_method_and_path() {
    // Arrange
    let app = spawn_app().await;
    let (m, other) = (app.merchant().await, app.merchant().await);
    let session = create(&app, &m).await.expect(201)["checkoutSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    add_rule(
        &app,
        json!({"merchantId": m.merchant_id, "method": "get", "path": "/v2/checkoutSessions/*",
               "fault": {"kind": "error", "status": 429}}),
    )
    .await;

    // Act
    let read = app
        .get(&m, &format!("/v2/checkoutSessions/{session}"))
        .await;
    let legacy = app
        .get(&m, &format!("/sandbox/v2/checkoutSessions/{session}"))
        .await;
    let created = create(&app, &m).await;
    let others = create(&app, &other).await;

    // Assert
    read.expect_error(429, "TooManyRequests");
    legacy.expect_error(429, "TooManyRequests");
    created.expect(201);
    others.expect(201);
}

#[tokio::test]
async fn a_probability_rule_with_a_seed_injects_the_same_faults_again() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let session = create(&app, &m).await.expect(201)["checkoutSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut runs = Vec::new();
    for _ in 0..2 {
        add_rule(
            &app,
            json!({"operation": "Get Checkout Session", "probability": 0.5, "seed": 7,
                   "fault": {"kind": "error"}}),
        )
        .await;
        let mut run = Vec::new();
        for _ in 0..24 {
            let r = app
                .get(&m, &format!("/v2/checkoutSessions/{session}"))
                .await;
            run.push(r.status.as_u16());
        }
        app.admin(Method::DELETE, "/__admin/faults", None)
            .await
            .expect(200);
        runs.push(run);
    }
    assert_eq!(runs[0], runs[1]);
    let failed = runs[0].iter().filter(|s| **s == 500).count();
    assert!((4..=20).contains(&failed), "{:?}", runs[0]);
}

#[tokio::test]
async fn latency_slow_body_and_clock_skew_keep_the_answer_and_mark_it() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let session = create(&app, &m).await.expect(201)["checkoutSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v2/checkoutSessions/{session}");
    let plain = app.get(&m, &path).await.expect(200).clone();

    for fault in [
        json!({"kind": "latency", "ms": 20, "maxMs": 40}),
        json!({"kind": "slowBody", "chunkBytes": 64, "intervalMs": 1}),
        json!({"kind": "clockSkew", "seconds": 3600}),
    ] {
        let id = add_rule(&app, json!({"count": 1, "fault": fault})).await;

        // Act
        let started = std::time::Instant::now();
        let r = app.get(&m, &path).await;

        // Assert
        assert_eq!(r.expect(200), &plain, "{fault}");
        assert_eq!(r.headers["x-amzpay-emulator-fault"], id.as_str(), "{fault}");
        match fault["kind"].as_str().unwrap() {
            "latency" => assert!(started.elapsed() >= std::time::Duration::from_millis(20)),
            "clockSkew" => {
                let date = r.headers["date"].to_str().unwrap();
                let format = time::format_description::well_known::Rfc2822;
                let at = time::OffsetDateTime::parse(&date.replace("GMT", "+0000"), &format)
                    .unwrap_or_else(|e| panic!("{date}: {e}"));
                let ahead = (at - time::OffsetDateTime::now_utc()).whole_seconds();
                assert!((3590..=3610).contains(&ahead), "{date}");
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_lost_answer_commits_and_its_body_never_arrives() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    add_rule(
        &app,
        json!({"operation": "CreateCheckoutSession", "count": 1,
                          "fault": {"kind": "lostAnswer"}}),
    )
    .await;
    let key = crate::helpers::new_key();
    let call = crate::helpers::Call::new("POST", "/v2/checkoutSessions")
        .json(session_body(&m, None))
        .idempotency_key(&key);

    // Act
    let response = app
        .router
        .clone()
        .oneshot(call.clone().signed(&m))
        .await
        .unwrap();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await;
    let retry = app.call(&m, call).await;

    // Assert
    assert!(body.is_err(), "the answer arrived");
    assert!(retry.expect(201)["webCheckoutDetails"].is_object());
    assert_eq!(retry.headers["x-amzpay-emulator-replayed"], "true");
    assert_eq!(app.sessions(&m).await, 1);
}

#[tokio::test]
async fn a_reset_closes_before_processing_and_changes_nothing() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    add_rule(&app, json!({"fault": {"kind": "reset"}})).await;
    let call = crate::helpers::Call::new("POST", "/v2/checkoutSessions")
        .json(session_body(&m, None))
        .idempotency_key(&crate::helpers::new_key());
    let response = app.router.clone().oneshot(call.signed(&m)).await.unwrap();
    assert!(
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .is_err()
    );
    assert_eq!(app.sessions(&m).await, 0);
}

#[tokio::test]
async fn the_admin_api_checks_rules_and_clears_them() {
    let app = spawn_app().await;
    let bad = [
        (
            json!({"operation": "Authorize", "fault": {"kind": "reset"}}),
            400,
        ),
        (json!({"probability": 1.5, "fault": {"kind": "reset"}}), 400),
        (json!({"count": 0, "fault": {"kind": "reset"}}), 400),
        (json!({"fault": {"kind": "error", "status": 200}}), 400),
        (
            json!({"fault": {"kind": "latency", "ms": 10, "maxMs": 5}}),
            400,
        ),
        (json!({"fault": {"kind": "teleport"}}), 400),
        (
            json!({"merchantId": "ANOSUCHMERCHANT", "fault": {"kind": "reset"}}),
            404,
        ),
    ];
    for (rule, status) in bad {
        let r = app
            .admin(Method::POST, "/__admin/faults", Some(rule.clone()))
            .await;
        assert_eq!(
            r.status.as_u16(),
            status,
            "{rule}: {}",
            String::from_utf8_lossy(&r.raw)
        );
    }
    let id = add_rule(
        &app,
        json!({"probability": 0.25, "fault": {"kind": "reset"}}),
    )
    .await;
    assert!(
        rule(&app, &id).await["seed"].is_u64(),
        "a seed is drawn and shown"
    );
    let gone = app
        .admin(Method::DELETE, &format!("/__admin/faults/{id}"), None)
        .await;
    assert_eq!(gone.expect(200)["deleted"], 1);
    app.admin(Method::DELETE, &format!("/__admin/faults/{id}"), None)
        .await
        .expect_error(404, "ResourceNotFound");
    let unauthorized = app
        .raw(
            axum::http::Request::get("/__admin/faults")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    unauthorized.expect_error(401, "UnauthorizedAccess");
}

#[tokio::test]
async fn sandbox_throttling_refuses_a_burst_beyond_amazons_quota_with_429() {
    // Arrange: Amazon's sandbox quota for Create Checkout Session is 5, restored at 1 per second.
    let app = spawn_app_with(|s| s.throttle = amzpay_emulator::ThrottleMode::Sandbox).await;
    let m = app.merchant().await;

    // Act
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(create(&app, &m).await);
    }

    // Assert
    for r in &statuses[..5] {
        r.expect(201);
    }
    statuses[5].expect_error(429, "TooManyRequests");
    assert_eq!(app.sessions(&m).await, 5);
}
