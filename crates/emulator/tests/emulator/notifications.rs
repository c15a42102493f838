//! Instant Payment Notifications: what each change enqueues, the SNS envelope the dispatcher
//! posts to a real local receiver, retries and give-up, redelivery, per-permission order,
//! settings validation, the chargeback simulation, and two instances delivering each
//! notification once. Deliveries run through `dispatch::dispatch_due` directly: no sleeping.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use amzpay_emulator::dispatch::{DeliverySettings, dispatch_due};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Merchant, TestApp, authorize, spawn_app_with, usd};

/// What the receiver got: headers and body of each POST, in arrival order.
#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    /// Statuses to answer, in order; 200 once they run out.
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Inbox {
    fn bodies(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| serde_json::from_str(b).unwrap())
            .collect()
    }

    /// The decoded `Message` of each notification received.
    fn messages(&self) -> Vec<Value> {
        self.bodies()
            .iter()
            .map(|e| serde_json::from_str(e["Message"].as_str().unwrap()).unwrap())
            .collect()
    }

    /// `(ObjectType, NotificationType)` of each message.
    fn kinds(&self) -> Vec<(String, String)> {
        self.messages()
            .iter()
            .map(|m| {
                (
                    m["ObjectType"].as_str().unwrap().to_owned(),
                    m["NotificationType"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

async fn receive(State(inbox): State<Inbox>, headers: HeaderMap, body: String) -> StatusCode {
    inbox.received.lock().unwrap().push((headers, body));
    let status = inbox.script.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

/// A real HTTP receiver on a loopback port; returns its URL.
async fn receiver(inbox: &Inbox) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/ipn", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/ipn", axum::routing::post(receive))
        .with_state(inbox.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// An emulator whose retries come due at once, so one `dispatch_due` runs a whole schedule.
async fn app_with_retries(max_attempts: u32) -> TestApp {
    spawn_app_with(|s| {
        s.ipn = DeliverySettings {
            retry_base: Duration::ZERO,
            max_attempts,
            timeout: Duration::from_secs(5),
            ..DeliverySettings::default()
        };
    })
    .await
}

async fn set_ipn(app: &TestApp, m: &Merchant, body: Value) -> crate::helpers::Resp {
    app.admin(
        Method::PUT,
        &format!("/__admin/merchants/{}/ipn", m.merchant_id),
        Some(body),
    )
    .await
}

async fn merchant_listening(app: &TestApp, inbox: &Inbox) -> Merchant {
    let m = app.merchant().await;
    let url = receiver(inbox).await;
    set_ipn(app, &m, json!({"sandbox": [url]}))
        .await
        .expect(200);
    m
}

async fn deliveries(app: &TestApp, m: &Merchant) -> Vec<Value> {
    app.admin(
        Method::GET,
        &format!("/__admin/notifications?merchantId={}", m.merchant_id),
        None,
    )
    .await
    .expect(200)
    .as_array()
    .unwrap()
    .clone()
}

#[tokio::test]
async fn a_pending_authorization_notifies_its_permission_and_charge_then_the_resolution() {
    // Arrange
    let app = app_with_retries(3).await;
    let inbox = Inbox::default();
    let m = merchant_listening(&app, &inbox).await;
    let id = app
        .ready_session(&m, json!({"paymentIntent": "Authorize", "canHandlePendingAuthorization": true, "chargeAmount": usd("14.00")}))
        .await;
    app.pay(&id, "pending-then-authorized").await.expect(200);
    let done = app
        .complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
        .await;
    let session = done.expect(202).clone();

    // Act
    dispatch_due(&app.state).await.unwrap();
    let before_timer = inbox.kinds();
    app.advance_clock(&m, "30s").await;
    dispatch_due(&app.state).await.unwrap();

    // Assert
    let state = |s: &str| (s.to_owned(), "STATE_CHANGE".to_owned());
    assert_eq!(before_timer, [state("CHARGE_PERMISSION"), state("CHARGE")]);
    let kinds = inbox.kinds();
    assert_eq!(kinds[..2], before_timer[..]);
    assert!(kinds[2..].contains(&state("CHARGE")), "{kinds:?}");
    let messages = inbox.messages();
    let charge_id = session["chargeId"].as_str().unwrap();
    let permission_id = session["chargePermissionId"].as_str().unwrap();
    let last_charge = messages
        .iter()
        .rev()
        .find(|m| m["ObjectType"] == "CHARGE")
        .unwrap();
    assert_eq!(last_charge["ObjectId"], charge_id);
    assert_eq!(last_charge["ChargePermissionId"], permission_id);
    assert_eq!(last_charge["MerchantID"], m.merchant_id.as_str());
    assert_eq!(last_charge["NotificationVersion"], "V2");
    // The notification carries no state: the receiver GETs the object and finds it Authorized.
    let charge = app.get(&m, &format!("/v2/charges/{charge_id}")).await;
    assert_eq!(charge.expect(200)["statusDetails"]["state"], "Authorized");
}

#[tokio::test]
async fn the_post_is_an_sns_notification_envelope_with_amazons_message() {
    // Arrange
    let app = app_with_retries(3).await;
    let inbox = Inbox::default();
    let m = merchant_listening(&app, &inbox).await;

    // Act
    app.checkout(&m, "AuthorizeWithCapture", "20.00").await;
    dispatch_due(&app.state).await.unwrap();

    // Assert
    let received = inbox.received.lock().unwrap().clone();
    assert!(!received.is_empty());
    let (headers, body) = &received[0];
    assert_eq!(headers["content-type"], "text/plain; charset=UTF-8");
    assert_eq!(headers["x-amz-sns-message-type"], "Notification");
    assert_eq!(
        headers["user-agent"],
        "Amazon Simple Notification Service Agent"
    );
    let envelope: Value = serde_json::from_str(body).unwrap();
    let keys: Vec<&str> = envelope
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "Type",
        "MessageId",
        "TopicArn",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["SignatureVersion"], "2");
    assert_eq!(
        headers["x-amz-sns-message-id"],
        envelope["MessageId"].as_str().unwrap()
    );
    let cert_url = envelope["SigningCertURL"].as_str().unwrap();
    assert!(cert_url.starts_with("https://emulator.test/__sns/") && cert_url.ends_with(".pem"));
    let message: Value = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
    let fields: Vec<&str> = message
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        [
            "MerchantID",
            "ObjectType",
            "ObjectId",
            "ChargePermissionId",
            "NotificationType",
            "NotificationId",
            "NotificationVersion"
        ]
    );
    // The certificate the URL names is served (and the CA beside it).
    let path = cert_url.trim_start_matches("https://emulator.test");
    let cert = app
        .raw(
            axum::http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(cert.status, 200);
    assert!(String::from_utf8_lossy(&cert.raw).starts_with("-----BEGIN CERTIFICATE-----"));
    let missing = app
        .raw(
            axum::http::Request::get("/__sns/other.pem")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    missing.expect_error(404, "ResourceNotFound");
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_until_it_answers_2xx_and_every_attempt_is_recorded() {
    // Arrange
    let app = app_with_retries(5).await;
    let inbox = Inbox::default();
    let m = merchant_listening(&app, &inbox).await;
    inbox.script.lock().unwrap().extend([500, 404]);
    let id = app.paid_session(&m, authorize("10.00")).await;
    app.freeze_clock(&m).await;

    // Act: the first notification fails twice and is accepted the third time.
    app.complete(&m, &id, json!({"chargeAmount": usd("10.00")}))
        .await
        .expect(200);
    dispatch_due(&app.state).await.unwrap();

    // Assert
    let list = deliveries(&app, &m).await;
    let first = list.last().unwrap();
    assert_eq!(first["state"], "delivered");
    assert_eq!(first["attempts"], 3);
    let detail = app
        .admin(
            Method::GET,
            &format!("/__admin/notifications/{}", first["id"]),
            None,
        )
        .await
        .expect(200)
        .clone();
    let statuses: Vec<&Value> = detail["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(404), &json!(200)]);
    // The permission's later notification waited for the first: same order at the receiver.
    let ids: Vec<Value> = inbox
        .bodies()
        .iter()
        .map(|b| b["MessageId"].clone())
        .collect();
    assert_eq!(ids[..3], [ids[0].clone(), ids[0].clone(), ids[0].clone()]);
    assert_ne!(ids[3], ids[0]);
}

#[tokio::test]
async fn a_refused_connection_is_given_up_after_the_last_attempt_and_can_be_redelivered() {
    // Arrange: an endpoint nobody listens on.
    let app = app_with_retries(2).await;
    let m = app.merchant().await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    set_ipn(
        &app,
        &m,
        json!({"sandbox": [format!("http://{closed}/ipn")]}),
    )
    .await
    .expect(200);
    app.checkout(&m, "AuthorizeWithCapture", "5.00").await;

    // Act
    dispatch_due(&app.state).await.unwrap();

    // Assert
    let list = deliveries(&app, &m).await;
    assert!(!list.is_empty());
    for d in &list {
        assert_eq!(d["state"], "failed", "{d}");
        assert_eq!(d["attempts"], 2);
    }
    let seq = list[0]["id"].clone();
    let detail = app
        .admin(Method::GET, &format!("/__admin/notifications/{seq}"), None)
        .await
        .expect(200)
        .clone();
    let error = detail["attempts"][0]["error"].as_str().unwrap();
    assert!(error.starts_with("connection failed"), "{error}");
    // Redelivery makes it pending and due now.
    let again = app
        .admin(
            Method::POST,
            &format!("/__admin/notifications/{seq}/redeliver"),
            None,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(again["notification"]["state"], "pending");
    app.admin(
        Method::POST,
        "/__admin/notifications/999999/redeliver",
        None,
    )
    .await
    .expect_error(404, "ResourceNotFound");
}

#[tokio::test]
async fn no_endpoint_no_notification_and_a_rejected_request_notifies_nothing() {
    // Arrange
    let app = app_with_retries(3).await;
    let inbox = Inbox::default();
    let quiet = app.merchant().await;
    let m = merchant_listening(&app, &inbox).await;
    app.checkout(&quiet, "AuthorizeWithCapture", "5.00").await;
    let id = app.paid_session(&m, authorize("10.00")).await;

    // Act: a Complete with the wrong amount is refused and changes nothing.
    app.complete(&m, &id, json!({"chargeAmount": usd("9.99")}))
        .await
        .expect_error(409, "AmountMismatch");
    dispatch_due(&app.state).await.unwrap();

    // Assert
    assert!(deliveries(&app, &quiet).await.is_empty());
    assert!(deliveries(&app, &m).await.is_empty());
    assert!(inbox.bodies().is_empty());
}

#[tokio::test]
async fn endpoint_settings_are_validated_and_a_bad_one_creates_no_merchant() {
    let app = app_with_retries(3).await;
    let m = app.merchant().await;
    let bad = |body: Value| {
        let app = &app;
        let m = &m;
        async move {
            set_ipn(app, m, body)
                .await
                .expect_error(400, "InvalidParameterValue")
        }
    };
    bad(json!({"sandbox": ["http://shop.example/ipn"]})).await;
    bad(json!({"sandbox": ["ftp://127.0.0.1/ipn"]})).await;
    bad(json!({"sandbox": ["not a url"]})).await;
    bad(json!({"sandbox": vec!["https://a.example/ipn"; 6]})).await;
    bad(json!({"signatureVersion": 3})).await;
    bad(json!({"caPem": "not a certificate"})).await;
    for ok in [
        "https://shop.example/ipn",
        "http://localhost:3000/ipn",
        "http://[::1]:9/ipn",
    ] {
        set_ipn(&app, &m, json!({"sandbox": [ok], "signatureVersion": 1}))
            .await
            .expect(200);
    }
    let info = set_ipn(&app, &m, json!({"live": ["https://live.example/ipn"]}))
        .await
        .expect(200)
        .clone();
    assert_eq!(info["sandbox"], json!(["http://[::1]:9/ipn"]));
    assert_eq!(info["live"], json!(["https://live.example/ipn"]));
    assert_eq!(info["signatureVersion"], 1);

    let before = app.admin(Method::GET, "/__admin/merchants", None).await;
    let count = before.expect(200).as_array().unwrap().len();
    app.admin(
        Method::POST,
        "/__admin/merchants",
        Some(json!({"ipnUrls": ["http://shop.example/ipn"]})),
    )
    .await
    .expect_error(400, "InvalidParameterValue");
    let after = app.admin(Method::GET, "/__admin/merchants", None).await;
    assert_eq!(after.expect(200).as_array().unwrap().len(), count);
    let with_ipn = app
        .merchant_with(json!({"ipnUrls": ["https://shop.example/ipn"], "ipnSignatureVersion": 1}))
        .await;
    let got = app
        .admin(
            Method::GET,
            &format!("/__admin/merchants/{}/ipn", with_ipn.merchant_id),
            None,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(got["sandbox"], json!(["https://shop.example/ipn"]));
    assert_eq!(got["signatureVersion"], 1);
}

#[tokio::test]
async fn a_chargeback_on_a_captured_charge_notifies_and_leaves_the_charge_captured() {
    // Arrange
    let app = app_with_retries(3).await;
    let inbox = Inbox::default();
    let m = merchant_listening(&app, &inbox).await;
    let captured = app.checkout(&m, "AuthorizeWithCapture", "20.00").await;
    let authorized = app.checkout(&m, "Authorize", "20.00").await;
    dispatch_due(&app.state).await.unwrap();
    let before = inbox.bodies().len();

    // Act
    let cb = app
        .admin(
            Method::POST,
            &format!("/__admin/charges/{}/chargeback", captured.charge()),
            None,
        )
        .await
        .expect(200)
        .clone();
    dispatch_due(&app.state).await.unwrap();

    // Assert
    let messages = inbox.messages();
    assert_eq!(messages.len(), before + 1);
    let last = messages.last().unwrap();
    assert_eq!(last["ObjectType"], "CHARGEBACK");
    assert_eq!(last["ObjectId"], cb["chargebackId"]);
    assert_eq!(last["ChargePermissionId"], cb["chargePermissionId"]);
    let charge = app
        .get(&m, &format!("/v2/charges/{}", captured.charge()))
        .await;
    assert_eq!(charge.expect(200)["statusDetails"]["state"], "Captured");
    app.admin(
        Method::POST,
        &format!("/__admin/charges/{}/chargeback", authorized.charge()),
        None,
    )
    .await
    .expect_error(422, "InvalidChargeStatus");
    app.admin(
        Method::POST,
        "/__admin/charges/S01-0000000-0000000-C000001/chargeback",
        None,
    )
    .await
    .expect_error(404, "ResourceNotFound");
}

#[tokio::test]
async fn two_instances_on_one_database_deliver_each_notification_once() {
    // Arrange
    let app = app_with_retries(3).await;
    let other = app.second_instance().await;
    let inbox = Inbox::default();
    let m = merchant_listening(&app, &inbox).await;
    for _ in 0..5 {
        app.checkout(&m, "AuthorizeWithCapture", "5.00").await;
    }

    // Act
    let (a, b) = tokio::join!(dispatch_due(&app.state), dispatch_due(&other.state));
    a.unwrap();
    b.unwrap();

    // Assert
    let list = deliveries(&app, &m).await;
    assert!(list.len() >= 10, "{}", list.len());
    assert!(
        list.iter()
            .all(|d| d["state"] == "delivered" && d["attempts"] == 1)
    );
    let mut ids: Vec<String> = inbox
        .bodies()
        .iter()
        .map(|b| b["MessageId"].as_str().unwrap().to_owned())
        .collect();
    let received = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!((received, ids.len()), (list.len(), list.len()));
}

/// A receiver over HTTPS with a certificate from a CA of its own (the emulator's self-signed
/// mode makes one); returns its URL and the CA (PEM).
async fn tls_receiver(inbox: &Inbox) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let files = amzpay_emulator::tls::ensure_self_signed(dir.path(), &[]).unwrap();
    let ca = std::fs::read_to_string(&files.ca).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(
        amzpay_emulator::tls::server_config(&files.cert, &files.key).unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/ipn", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/ipn", axum::routing::post(receive))
        .with_state(inbox.clone());
    tokio::spawn(async move {
        let _dir = dir;
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper_util::service::TowerToHyperService::new(app);
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .await;
            });
        }
    });
    (url, ca)
}

#[tokio::test]
async fn an_https_endpoint_with_its_own_ca_is_refused_until_the_merchant_trusts_that_ca() {
    // Arrange
    let app = app_with_retries(1).await;
    let inbox = Inbox::default();
    let (url, ca) = tls_receiver(&inbox).await;
    let m = app.merchant().await;
    set_ipn(&app, &m, json!({"sandbox": [url]}))
        .await
        .expect(200);
    app.checkout(&m, "AuthorizeWithCapture", "5.00").await;

    // Act: untrusted, then trusted and redelivered.
    dispatch_due(&app.state).await.unwrap();
    let refused = deliveries(&app, &m).await;
    let info = set_ipn(&app, &m, json!({"caPem": ca}))
        .await
        .expect(200)
        .clone();
    for d in &refused {
        app.admin(
            Method::POST,
            &format!("/__admin/notifications/{}/redeliver", d["id"]),
            None,
        )
        .await
        .expect(200);
    }
    dispatch_due(&app.state).await.unwrap();

    // Assert
    assert!(!refused.is_empty());
    assert!(
        refused.iter().all(|d| d["state"] == "failed"),
        "{refused:?}"
    );
    let detail = app
        .admin(
            Method::GET,
            &format!("/__admin/notifications/{}", refused[0]["id"]),
            None,
        )
        .await
        .expect(200)
        .clone();
    let error = detail["attempts"][0]["error"].as_str().unwrap();
    assert!(error.to_lowercase().contains("certificate"), "{error}");
    assert_eq!(info["caPem"], json!(ca));
    assert!(
        deliveries(&app, &m)
            .await
            .iter()
            .all(|d| d["state"] == "delivered"),
        "{:?}",
        deliveries(&app, &m).await
    );
    assert_eq!(inbox.bodies().len(), refused.len());
}
