//! The request journal (`/__admin/journal`): every request's entry, found by its request id,
//! with its signature diagnosis, filters, the ring's bound and `--journal-size 0`.

use axum::http::Method;
use serde_json::{Value, json};

use crate::helpers::{Call, Merchant, Resp, TestApp, session_body, spawn_app, spawn_app_with};

fn request_id(r: &Resp) -> String {
    r.headers["x-amz-pay-request-id"]
        .to_str()
        .unwrap()
        .to_owned()
}

async fn entry(app: &TestApp, id: &str) -> Value {
    let path = format!("/__admin/journal/{id}");
    app.admin(Method::GET, &path, None)
        .await
        .expect(200)
        .clone()
}

async fn list(app: &TestApp, query: &str) -> Value {
    let path = format!("/__admin/journal?{query}");
    app.admin(Method::GET, &path, None)
        .await
        .expect(200)
        .clone()
}

fn ids_of(page: &Value) -> Vec<String> {
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["requestId"].as_str().unwrap().to_owned())
        .collect()
}

async fn create(app: &TestApp, m: &Merchant, key: &str) -> Resp {
    let call = Call::new("POST", "/v2/checkoutSessions")
        .json(session_body(m, None))
        .idempotency_key(key);
    app.call(m, call).await
}

#[tokio::test]
async fn an_api_answer_s_request_id_finds_its_entry_with_both_bodies() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;

    // Act
    let created = create(&app, &m, "journal-key-1").await;
    let e = entry(&app, &request_id(&created)).await;

    // Assert
    created.expect(201);
    assert_eq!(e["operation"], "CreateCheckoutSession");
    assert_eq!(e["merchantId"], m.merchant_id.as_str());
    assert_eq!(e["method"], "POST");
    assert_eq!(e["path"], "/v2/checkoutSessions");
    assert_eq!(e["status"], 201);
    assert_eq!(e["idempotencyKey"], "journal-key-1");
    assert_eq!(e["replayed"], false);
    assert!(e["virtualAt"].is_string(), "{e}");
    assert!(e["reasonCode"].is_null());
    let response: Value =
        serde_json::from_str(e["detail"]["responseBody"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(response, created.body);
    let request: Value =
        serde_json::from_str(e["detail"]["requestBody"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(request, session_body(&m, None));
}

#[tokio::test]
async fn the_authorization_signature_and_the_admin_token_are_not_stored() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;

    // Act
    let created = create(&app, &m, "journal-key-2").await;
    let api = entry(&app, &request_id(&created)).await;
    let page = list(&app, "limit=1000").await;

    // Assert
    let headers = |e: &Value| -> Vec<(String, String)> {
        serde_json::from_value(e["detail"]["requestHeaders"].clone()).unwrap()
    };
    let authorization = headers(&api)
        .into_iter()
        .find(|(n, _)| n == "authorization")
        .unwrap()
        .1;
    let signature = authorization.split("Signature=").nth(1).unwrap();
    assert_eq!(signature.chars().count(), 9, "{authorization}");
    assert!(signature.ends_with('…'));
    // The admin call that created the merchant is journaled without the token.
    let admin = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "/__admin/merchants")
        .unwrap();
    let admin = entry(&app, admin["requestId"].as_str().unwrap()).await;
    assert_eq!(admin["merchantId"], Value::Null);
    let text = admin["detail"].to_string();
    assert!(!text.contains(crate::helpers::ADMIN_TOKEN), "{text}");
    assert!(text.contains("Bearer [redacted]"), "{text}");
}

#[tokio::test]
async fn a_replay_is_marked_replayed() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    create(&app, &m, "journal-key-3").await.expect(201);

    // Act
    let again = create(&app, &m, "journal-key-3").await;

    // Assert
    let e = entry(&app, &request_id(&again)).await;
    assert_eq!(e["replayed"], true);
}

#[tokio::test]
async fn a_refused_signature_is_journaled_with_its_diagnosis() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let call = Call::new("POST", "/v2/checkoutSessions")
        .json(session_body(&m, None))
        .idempotency_key("journal-key-4")
        .tamper(br#"{"tampered":true}"#);

    // Act
    let refused = app.call(&m, call).await;
    let e = entry(&app, &request_id(&refused)).await;

    // Assert
    refused.expect_error(403, "InvalidRequestSignature");
    assert_eq!(e["status"], 403);
    assert_eq!(e["reasonCode"], "InvalidRequestSignature");
    assert_eq!(e["merchantId"], m.merchant_id.as_str());
    let d = &e["detail"]["signature"];
    assert_eq!(d["step"], "signature");
    assert_eq!(d["publicKeyId"], m.public_key_id.as_str());
    let canonical = d["canonicalRequest"].as_str().unwrap();
    assert!(
        canonical.starts_with("POST\n/v2/checkoutSessions\n"),
        "{canonical}"
    );
    assert!(
        d["stringToSign"]
            .as_str()
            .unwrap()
            .starts_with("AMZN-PAY-RSASSA-PSS-V2\n"),
        "{d}"
    );
}

#[tokio::test]
async fn an_unknown_key_is_journaled_without_a_merchant() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let call = Call::new(
        "GET",
        "/v2/checkoutSessions/00000000-0000-0000-0000-000000000000",
    )
    .key_id("SANDBOX-AAAAAAAAAAAAAAAAAAAAAAAA");

    // Act
    let refused = app.call(&m, call).await;
    let e = entry(&app, &request_id(&refused)).await;

    // Assert
    refused.expect_error(401, "UnauthorizedAccess");
    assert_eq!(e["merchantId"], Value::Null);
    assert_eq!(e["detail"]["signature"]["step"], "public key");
}

#[tokio::test]
async fn the_list_filters_by_merchant_status_operation_object_and_cursor() {
    // Arrange
    let app = spawn_app().await;
    let (m1, m2) = (app.merchant().await, app.merchant().await);
    let created = create(&app, &m1, "journal-key-5").await;
    let session = created.body["checkoutSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = app
        .get(&m1, &format!("/v2/checkoutSessions/{session}"))
        .await;
    let missing = app
        .get(&m2, "/v2/charges/S01-0000000-0000000-C000000")
        .await;
    app.advance_clock(&m1, "1h").await;
    let (created, read, missing) = (
        request_id(&created),
        request_id(&read),
        request_id(&missing),
    );
    let after = list(&app, "limit=1000").await["entries"][0]["id"].clone();

    // Act
    let of_m1 = list(&app, &format!("merchant={}", m1.merchant_id)).await;
    let failed = list(&app, "status=4xx").await;
    let creates = list(&app, "operation=CreateCheckoutSession").await;
    let touching = list(&app, &format!("object={session}")).await;
    let later = list(&app, &format!("after={after}")).await;
    let bad = app
        .admin(Method::GET, "/__admin/journal?status=teapot", None)
        .await;
    let unknown = app
        .admin(Method::GET, "/__admin/journal/no-such-request", None)
        .await;

    // Assert
    let of_m1 = ids_of(&of_m1);
    assert_eq!(&of_m1[1..], [read.clone(), created.clone()]);
    assert_eq!(
        list(&app, "limit=1").await["entries"][0]["operation"],
        "POST /__admin/merchants/{id}/clock/advance"
    );
    assert_eq!(ids_of(&failed), [missing]);
    assert_eq!(ids_of(&creates), std::slice::from_ref(&created));
    assert_eq!(ids_of(&touching), [read, created]);
    assert!(ids_of(&later).is_empty());
    bad.expect_error(400, "InvalidParameterValue");
    unknown.expect_error(404, "ResourceNotFound");
}

#[tokio::test]
async fn the_journal_needs_the_admin_token() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let created = create(&app, &m, "journal-token").await;

    // Act
    let mut answers = Vec::new();
    for path in [
        "/__admin/journal".to_owned(),
        format!("/__admin/journal/{}", request_id(&created)),
    ] {
        let request = axum::http::Request::builder()
            .uri(path)
            .header("authorization", "Bearer wrong")
            .body(axum::body::Body::empty())
            .unwrap();
        answers.push(app.raw(request).await);
    }

    // Assert
    for a in answers {
        a.expect_error(401, "UnauthorizedAccess");
        assert!(!String::from_utf8_lossy(&a.raw).contains(&m.merchant_id));
    }
}

#[tokio::test]
async fn each_merchant_keeps_only_its_newest_entries() {
    // Arrange
    let app = spawn_app_with(|s| s.journal_size = 3).await;
    let m = app.merchant().await;
    let mut ids = Vec::new();

    // Act
    for i in 0..5 {
        ids.push(request_id(&create(&app, &m, &format!("ring-{i}")).await));
    }

    // Assert
    let page = list(&app, &format!("merchant={}", m.merchant_id)).await;
    assert_eq!(page["journalSize"], 3);
    assert_eq!(
        ids_of(&page),
        [ids[4].clone(), ids[3].clone(), ids[2].clone()]
    );
}

#[tokio::test]
async fn a_journal_size_of_zero_records_nothing() {
    // Arrange
    let app = spawn_app_with(|s| s.journal_size = 0).await;
    let m = app.merchant().await;

    // Act
    let created = create(&app, &m, "journal-off").await;
    let page = list(&app, "").await;
    let one = app
        .admin(
            Method::GET,
            &format!("/__admin/journal/{}", request_id(&created)),
            None,
        )
        .await;

    // Assert
    created.expect(201);
    assert_eq!(page["journalSize"], 0);
    assert!(ids_of(&page).is_empty(), "{page}");
    one.expect_error(404, "ResourceNotFound");
}

#[tokio::test]
async fn a_buyer_action_is_journaled_for_the_session_s_merchant() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let session = app.create_session(&m, session_body(&m, None)).await;
    let id = session["checkoutSessionId"].as_str().unwrap();

    // Act
    let signed_in = app.buyer(id, "sign-in", json!({})).await;

    // Assert
    signed_in.expect(200);
    let e = entry(&app, &request_id(&signed_in)).await;
    assert_eq!(
        e["operation"],
        "POST /__admin/checkoutSessions/{id}/sign-in"
    );
    assert_eq!(e["merchantId"], m.merchant_id.as_str());
}
