//! Test harness: the emulator in process (`app()` + `oneshot`) on a temporary SQLite database,
//! a fresh merchant per test, and a request signer with full control over what is signed.

use std::sync::{Arc, OnceLock};

use amzpay_emulator::worker::ExecutionOutcome;
use amzpay_emulator::{AppState, Settings};
use amzpay_emulator_core::checkout::Checkout;
use amzpay_emulator_core::ids::MerchantId;
use amzpay_emulator_core::model::Environment;
use amzpay_emulator_store::sqlite::SqliteSettings;
use amzpay_emulator_store::{ObjectKind, ObjectRef, SqliteStore, Tenant};
use amzpay_signing::{
    Algorithm, CanonicalHeaders, CanonicalQuery, CanonicalRequest, CanonicalUri, PrivateKey,
    sign_button_payload,
};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

pub(crate) const ADMIN_TOKEN: &str = "test-admin-token";
pub(crate) const BASE_URL: &str = "https://emulator.test";

/// One RSA key for the whole test binary (key generation is the slow part); every merchant
/// registers its public half, so each test still gets its own merchant.
pub(crate) fn test_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate(2048).expect("generate a key"))
}

pub(crate) struct TestApp {
    pub(crate) router: Router,
    pub(crate) state: AppState,
    pub(crate) dir: Arc<tempfile::TempDir>,
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub(crate) async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    amzpay_emulator::telemetry::init_for_tests();
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    let mut settings = Settings::new(BASE_URL, ADMIN_TOKEN);
    configure(&mut settings);
    build(dir, settings).await
}

async fn build(dir: Arc<tempfile::TempDir>, settings: Settings) -> TestApp {
    let url = format!("sqlite://{}", dir.path().join("emulator.db").display());
    let store = SqliteStore::open(SqliteSettings::new(url))
        .await
        .expect("open SQLite");
    let state = AppState::new(Arc::new(store), settings);
    TestApp {
        router: amzpay_emulator::app(state.clone()),
        state,
        dir,
    }
}

#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: Value,
    pub(crate) raw: Vec<u8>,
}

impl Resp {
    /// Reads a whole response: status, headers and body (JSON, or `Null` when it is not JSON).
    pub(crate) async fn read(response: Response<Body>) -> Resp {
        let status = response.status();
        let headers = response.headers().clone();
        let raw = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            raw,
        }
    }

    pub(crate) fn reason(&self) -> &str {
        self.body["reasonCode"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub(crate) fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.raw)
        );
        &self.body
    }

    #[track_caller]
    pub(crate) fn expect_error(&self, status: u16, reason: &str) {
        assert_eq!(
            (self.status.as_u16(), self.reason()),
            (status, reason),
            "body: {}",
            String::from_utf8_lossy(&self.raw)
        );
    }

    /// [`Resp::expect_error`] for one row of a table: the failure names the row (`what`).
    #[track_caller]
    pub(crate) fn expect_error_for(&self, status: u16, reason: &str, what: &str) {
        assert_eq!(
            (self.status.as_u16(), self.reason()),
            (status, reason),
            "{what}: {}",
            String::from_utf8_lossy(&self.raw)
        );
    }
}

impl TestApp {
    /// Reopens the database in a new emulator instance (as after a restart).
    pub(crate) async fn restart(self) -> TestApp {
        let settings = self.state.settings().clone();
        let dir = self.dir.clone();
        drop(self);
        build(dir, settings).await
    }

    /// A second emulator instance on the same database (as two processes sharing one).
    pub(crate) async fn second_instance(&self) -> TestApp {
        build(self.dir.clone(), self.state.settings().clone()).await
    }

    pub(crate) async fn raw(&self, request: Request<Body>) -> Resp {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        Resp::read(response).await
    }

    pub(crate) async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
            .header("content-type", "application/json")
            .body(body.map_or(Body::empty(), |b| Body::from(b.to_string())))
            .unwrap();
        self.raw(request).await
    }

    /// A fresh merchant (sandbox, NA unless `body` says otherwise) signing with [`test_key`].
    pub(crate) async fn merchant_with(&self, mut body: Value) -> Merchant {
        body["publicKeyPem"] = json!(test_key().public_key().to_pem());
        let r = self
            .admin(Method::POST, "/__admin/merchants", Some(body))
            .await;
        let v = r.expect(201).clone();
        Merchant {
            merchant_id: v["merchantId"].as_str().unwrap().to_owned(),
            store_id: v["storeId"].as_str().unwrap().to_owned(),
            public_key_id: v["publicKeyId"].as_str().unwrap().to_owned(),
            region: v["region"].as_str().unwrap().to_owned(),
        }
    }

    pub(crate) async fn merchant(&self) -> Merchant {
        self.merchant_with(json!({})).await
    }

    /// Sends a signed request built by `call`.
    pub(crate) async fn call(&self, m: &Merchant, call: Call) -> Resp {
        self.raw(call.signed(m)).await
    }

    pub(crate) async fn post(&self, m: &Merchant, path: &str, body: Value) -> Resp {
        self.call(
            m,
            Call::new("POST", path)
                .json(body)
                .idempotency_key(&new_key()),
        )
        .await
    }

    pub(crate) async fn get(&self, m: &Merchant, path: &str) -> Resp {
        self.call(m, Call::new("GET", path)).await
    }

    pub(crate) async fn patch(&self, m: &Merchant, path: &str, body: Value) -> Resp {
        self.call(m, Call::new("PATCH", path).json(body)).await
    }

    pub(crate) async fn delete(&self, m: &Merchant, path: &str, body: Value) -> Resp {
        self.call(m, Call::new("DELETE", path).json(body)).await
    }

    /// How many objects of `kind` the store holds for `m`, read below the API.
    pub(crate) async fn count(&self, m: &Merchant, kind: ObjectKind) -> u64 {
        self.state
            .store()
            .count_objects(&MerchantId::parse(&m.merchant_id).unwrap(), kind)
            .await
            .unwrap()
    }

    pub(crate) async fn sessions(&self, m: &Merchant) -> u64 {
        self.count(m, ObjectKind::CheckoutSession).await
    }

    /// The stored checkout holding `object`, read below the API.
    pub(crate) async fn stored(&self, m: &Merchant, object: ObjectRef) -> Checkout {
        self.state
            .store()
            .checkout(&tenant(m), &object)
            .await
            .unwrap()
            .expect("the checkout is stored")
    }

    /// One step of the background worker, on the real clock, for every merchant.
    pub(crate) async fn run_background_step(&self) -> ExecutionOutcome {
        let store = self.state.store().clone();
        amzpay_emulator::worker::try_execute_task(&store, amzpay_emulator::state::real_now(), None)
            .await
            .unwrap()
    }

    // ---- the checkout flow -------------------------------------------------------------

    pub(crate) async fn create_session(&self, m: &Merchant, body: Value) -> Value {
        self.post(m, "/v2/checkoutSessions", body)
            .await
            .expect(201)
            .clone()
    }

    /// A session with everything set for the payment step: Authorize, 14.00 USD, both URLs.
    pub(crate) async fn ready_session(&self, m: &Merchant, payment_details: Value) -> String {
        let s = self
            .create_session(m, session_body(m, Some(payment_details)))
            .await;
        s["checkoutSessionId"].as_str().unwrap().to_owned()
    }

    /// Get Checkout Session, which must answer 200.
    pub(crate) async fn session(&self, m: &Merchant, id: &str) -> Value {
        self.get(m, &format!("/v2/checkoutSessions/{id}"))
            .await
            .expect(200)
            .clone()
    }

    /// Update Checkout Session (a PATCH of `body`).
    pub(crate) async fn update_session(&self, m: &Merchant, id: &str, body: Value) -> Resp {
        self.patch(m, &format!("/v2/checkoutSessions/{id}"), body)
            .await
    }

    /// Sets what a session created without them lacks to be completed: the result URL and an
    /// Authorize of 14.00 USD.
    pub(crate) async fn set_result_url_and_amount(&self, m: &Merchant, id: &str) -> Resp {
        let body = json!({
            "webCheckoutDetails": {"checkoutResultReturnUrl": "https://shop.example/result"},
            "paymentDetails": authorize("14.00"),
        });
        self.update_session(m, id, body).await
    }

    /// A [`TestApp::ready_session`] the buyer has paid for with the success card.
    pub(crate) async fn paid_session(&self, m: &Merchant, payment_details: Value) -> String {
        let id = self.ready_session(m, payment_details).await;
        self.pay(&id, "1111").await.expect(200);
        id
    }

    pub(crate) async fn buyer(&self, session_id: &str, action: &str, body: Value) -> Resp {
        self.admin(
            Method::POST,
            &format!("/__admin/checkoutSessions/{session_id}/{action}"),
            Some(body),
        )
        .await
    }

    /// Sign in with `instrument` and run the payment step.
    pub(crate) async fn pay(&self, session_id: &str, instrument: &str) -> Resp {
        self.buyer(session_id, "sign-in", json!({"instrument": instrument}))
            .await
            .expect(200);
        self.buyer(session_id, "pay", json!({})).await
    }

    pub(crate) async fn complete(&self, m: &Merchant, session_id: &str, body: Value) -> Resp {
        self.call(m, complete_call(session_id).json(body)).await
    }

    pub(crate) async fn advance_clock(&self, m: &Merchant, duration: &str) -> Value {
        self.admin(
            Method::POST,
            &format!("/__admin/merchants/{}/clock/advance", m.merchant_id),
            Some(json!({"duration": duration})),
        )
        .await
        .expect(200)
        .clone()
    }

    /// Freezes `m`'s clock where it stands, so a test that moves it to just before a timer's
    /// due time cannot be overtaken by real time.
    pub(crate) async fn freeze_clock(&self, m: &Merchant) {
        let clock = self
            .admin(
                Method::GET,
                &format!("/__admin/merchants/{}/clock", m.merchant_id),
                None,
            )
            .await
            .expect(200)
            .clone();
        let now = clock["now"]
            .as_str()
            .expect("the clock has a now")
            .to_owned();
        self.set_clock(m, &now).await;
    }

    /// Sets `m`'s clock to `now` and freezes it there (the admin API runs the timers then due).
    pub(crate) async fn set_clock(&self, m: &Merchant, now: &str) {
        self.admin(
            Method::PUT,
            &format!("/__admin/merchants/{}/clock", m.merchant_id),
            Some(json!({"now": now, "frozen": true})),
        )
        .await
        .expect(200);
    }
}

/// Complete Checkout Session for `session_id`, to be given a body and headers.
pub(crate) fn complete_call(session_id: &str) -> Call {
    Call::new(
        "POST",
        &format!("/v2/checkoutSessions/{session_id}/complete"),
    )
}

/// The store's key for `m`'s sandbox objects.
pub(crate) fn tenant(m: &Merchant) -> Tenant {
    Tenant {
        merchant_id: MerchantId::parse(&m.merchant_id).unwrap(),
        environment: Environment::Sandbox,
    }
}

pub(crate) fn usd(amount: &str) -> Value {
    json!({"amount": amount, "currencyCode": "USD"})
}

/// A Create Checkout Session body for `m`.
pub(crate) fn session_body(m: &Merchant, payment_details: Option<Value>) -> Value {
    let mut body = json!({
        "storeId": m.store_id,
        "webCheckoutDetails": {
            "checkoutReviewReturnUrl": "https://shop.example/review",
            "checkoutResultReturnUrl": "https://shop.example/result",
            "checkoutCancelUrl": "https://shop.example/cancel"
        }
    });
    if let Some(p) = payment_details {
        body["paymentDetails"] = p;
    }
    body
}

pub(crate) fn authorize(amount: &str) -> Value {
    json!({"paymentIntent": "Authorize", "chargeAmount": usd(amount)})
}

pub(crate) fn authorize_with_capture(amount: &str) -> Value {
    json!({"paymentIntent": "AuthorizeWithCapture", "chargeAmount": usd(amount)})
}

pub(crate) fn new_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[derive(Clone, Debug)]
pub(crate) struct Merchant {
    pub(crate) merchant_id: String,
    pub(crate) store_id: String,
    pub(crate) public_key_id: String,
    pub(crate) region: String,
}

/// A request to sign: every part can be bent for the authentication tests.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) body: Vec<u8>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) algorithm: Algorithm,
    pub(crate) date: Option<String>,
    pub(crate) key_id: Option<String>,
    /// Headers to leave out of `SignedHeaders` (still sent).
    pub(crate) unsigned: Vec<String>,
    /// Replace the body after signing.
    pub(crate) tampered_body: Option<Vec<u8>>,
    pub(crate) raw_authorization: Option<String>,
}

impl Call {
    pub(crate) fn new(method: &str, path: &str) -> Call {
        Call {
            method: method.to_owned(),
            path: path.to_owned(),
            query: None,
            body: Vec::new(),
            headers: Vec::new(),
            algorithm: Algorithm::AmznPayRsassaPssV2,
            date: None,
            key_id: None,
            unsigned: Vec::new(),
            tampered_body: None,
            raw_authorization: None,
        }
    }

    pub(crate) fn json(mut self, body: Value) -> Call {
        self.body = body.to_string().into_bytes();
        self
    }

    /// Sends and signs `query` (already encoded) after the path.
    pub(crate) fn query(mut self, query: &str) -> Call {
        self.query = Some(query.to_owned());
        self
    }

    pub(crate) fn body(mut self, body: &[u8]) -> Call {
        self.body = body.to_vec();
        self
    }

    pub(crate) fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub(crate) fn idempotency_key(self, key: &str) -> Call {
        self.header("x-amz-pay-idempotency-key", key)
    }

    pub(crate) fn algorithm(mut self, a: Algorithm) -> Call {
        self.algorithm = a;
        self
    }

    pub(crate) fn date(mut self, d: &str) -> Call {
        self.date = Some(d.to_owned());
        self
    }

    pub(crate) fn key_id(mut self, k: &str) -> Call {
        self.key_id = Some(k.to_owned());
        self
    }

    pub(crate) fn unsigned(mut self, name: &str) -> Call {
        self.unsigned.push(name.to_owned());
        self
    }

    pub(crate) fn tamper(mut self, body: &[u8]) -> Call {
        self.tampered_body = Some(body.to_vec());
        self
    }

    pub(crate) fn authorization(mut self, value: &str) -> Call {
        self.raw_authorization = Some(value.to_owned());
        self
    }

    /// The signed HTTP request, as the official SDKs build it.
    pub(crate) fn signed(self, m: &Merchant) -> Request<Body> {
        let date = self
            .date
            .clone()
            .unwrap_or_else(|| amzpay_signing::format_amz_date(time::OffsetDateTime::now_utc()));
        let mut headers: Vec<(String, String)> = vec![
            ("accept".into(), "application/json".into()),
            ("content-type".into(), "application/json".into()),
            ("x-amz-pay-date".into(), date),
            ("x-amz-pay-host".into(), "pay-api.amazon.com".into()),
            ("x-amz-pay-region".into(), m.region.clone()),
        ];
        headers.extend(self.headers.iter().cloned());
        let signed: Vec<(String, String)> = headers
            .iter()
            .filter(|(n, _)| !self.unsigned.iter().any(|u| u.eq_ignore_ascii_case(n)))
            .cloned()
            .collect();
        let canonical_headers = CanonicalHeaders::new(signed).expect("valid headers");
        let query = self
            .query
            .as_deref()
            .map_or_else(CanonicalQuery::empty, CanonicalQuery::from_raw);
        let canonical = CanonicalRequest::new(
            &self.method,
            &CanonicalUri::verbatim(&self.path),
            &query,
            &canonical_headers,
            &self.body,
        );
        let signature =
            sign_button_payload(canonical.as_str(), test_key(), self.algorithm).expect("sign");
        let key_id = self
            .key_id
            .clone()
            .unwrap_or_else(|| m.public_key_id.clone());
        let authorization = self.raw_authorization.clone().unwrap_or_else(|| {
            format!(
                "{} PublicKeyId={key_id}, SignedHeaders={}, Signature={signature}",
                self.algorithm,
                canonical.signed_headers()
            )
        });
        let uri = match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        };
        let method = Method::from_bytes(self.method.as_bytes()).unwrap();
        let mut builder = Request::builder().method(method).uri(uri);
        for (n, v) in &headers {
            builder = builder.header(n, v);
        }
        builder = builder.header("authorization", authorization);
        let body = self.tampered_body.unwrap_or(self.body);
        builder.body(Body::from(body)).unwrap()
    }
}
