//! The dashboard in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`, driven by `amzpay-webdriver`) against the emulator served on a loopback
//! port. Screenshots of every page go to `target/artifacts/screenshots/dashboard-*`.
//!
//! Missing Chromium or ChromeDriver fails the tests with the packages to install.

use amzpay_emulator::TlsMode;
use amzpay_webdriver::Browser;
use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

use crate::helpers::{Call, Merchant, new_key, session_body, test_key, usd};
use crate::server::{Running, start_with};

type R = anyhow::Result<()>;

/// The emulator on a real port (plain HTTP) with a client for its APIs.
struct Live {
    server: Running,
    http: reqwest::Client,
}

/// An answer: status, the request id, the JSON body.
struct Answer {
    status: u16,
    request_id: String,
    body: Value,
}

impl Live {
    async fn start() -> Live {
        let server = start_with(|c| c.tls = TlsMode::Off).await;
        Live {
            server,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url)
    }

    /// Sends a request built for `oneshot` (a signed API call) to the server.
    async fn send(&self, request: Request<Body>) -> Answer {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        let mut req = self.http.request(
            reqwest::Method::from_bytes(parts.method.as_str().as_bytes()).unwrap(),
            self.url(&parts.uri.to_string()),
        );
        for (name, value) in &parts.headers {
            req = req.header(name.as_str(), value.as_bytes());
        }
        let answer = req.body(bytes.to_vec()).send().await.unwrap();
        let status = answer.status().as_u16();
        let request_id = answer
            .headers()
            .get("x-amz-pay-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = answer.json().await.unwrap_or(Value::Null);
        Answer {
            status,
            request_id,
            body,
        }
    }

    async fn call(&self, m: &Merchant, call: Call) -> Answer {
        self.send(call.signed(m)).await
    }

    async fn post(&self, m: &Merchant, path: &str, body: Value) -> Answer {
        let call = Call::new("POST", path)
            .json(body)
            .idempotency_key(&new_key());
        self.call(m, call).await
    }

    async fn admin(&self, path: &str, body: Value) -> Value {
        let answer = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.server.admin_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
        answer.json().await.unwrap()
    }

    async fn merchant(&self) -> Merchant {
        let v = self
            .admin(
                "/__admin/merchants",
                json!({"publicKeyPem": test_key().public_key().to_pem()}),
            )
            .await;
        Merchant {
            merchant_id: v["merchantId"].as_str().unwrap().to_owned(),
            store_id: v["storeId"].as_str().unwrap().to_owned(),
            public_key_id: v["publicKeyId"].as_str().unwrap().to_owned(),
            region: v["region"].as_str().unwrap().to_owned(),
        }
    }

    /// A session the buyer has paid with `instrument` (through the admin API).
    async fn paid_session(&self, m: &Merchant, payment_details: Value, instrument: &str) -> String {
        let created = self
            .post(
                m,
                "/v2/checkoutSessions",
                session_body(m, Some(payment_details)),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.body["checkoutSessionId"]
            .as_str()
            .unwrap()
            .to_owned();
        let base = format!("/__admin/checkoutSessions/{id}");
        self.admin(
            &format!("{base}/sign-in"),
            json!({"instrument": instrument}),
        )
        .await;
        self.admin(&format!("{base}/pay"), json!({})).await;
        id
    }

    async fn complete(&self, m: &Merchant, id: &str, amount: &str) -> Answer {
        let path = format!("/v2/checkoutSessions/{id}/complete");
        self.post(m, &path, json!({"chargeAmount": usd(amount)}))
            .await
    }

    /// A browser signed in to the dashboard with the admin token through the login form.
    async fn signed_in_browser(&self, name: &str) -> anyhow::Result<Browser> {
        let mut b = Browser::start(&format!("dashboard-{name}")).await?;
        b.set_window_size(1280, 900).await?;
        b.goto(&self.url("/__dashboard")).await?;
        b.wait_for_url(&self.url("/__dashboard/login")).await?;
        b.screenshot("login").await?;
        b.find("#token")
            .await?
            .fill(&self.server.admin_token)
            .await?;
        b.click("form[action='/__dashboard/login'] button").await?;
        b.wait_for_text("h1", "Merchants").await?;
        Ok(b)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_then_find_a_failed_request_and_its_signature_diagnosis() -> R {
    // Arrange
    let live = Live::start().await;
    let m = live.merchant().await;
    let mut b = live.signed_in_browser("signature").await?;
    b.wait_for_text("main", &m.merchant_id).await?;
    b.screenshot("merchants").await?;
    b.click("nav a[href='/__dashboard/journal']").await?;
    b.wait_for_text("h1", "Request journal").await?;

    // Act: a request signed over another body, while the journal page is open.
    let call = Call::new("POST", "/v2/checkoutSessions")
        .json(session_body(&m, None))
        .idempotency_key("browser-1")
        .tamper(br#"{"storeId":"tampered"}"#);
    let refused = live.call(&m, call).await;

    // Assert: the live update shows it, and its page shows the diagnosis.
    assert_eq!(refused.status, 403);
    b.wait_for_text("#journal tbody", "InvalidRequestSignature")
        .await?;
    b.screenshot("journal-live").await?;
    b.click(&format!(
        "a[href='/__dashboard/requests/{}']",
        refused.request_id
    ))
    .await?;
    b.wait_for_text("#signature h2", "Signature refused at: signature")
        .await?;
    let canonical = b.text("#canonical-request").await?;
    assert!(
        canonical.starts_with("POST\n/v2/checkoutSessions\n"),
        "{canonical}"
    );
    let to_sign = b.text("#string-to-sign").await?;
    assert!(to_sign.starts_with("AMZN-PAY-RSASSA-PSS-V2"), "{to_sign}");
    b.screenshot("signature-diagnosis").await?;
    live.server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drive_a_checkout_with_the_buyer_buttons_and_follow_its_timeline_to_the_refund() -> R {
    // Arrange
    let live = Live::start().await;
    let m = live.merchant().await;
    let created = live
        .post(
            &m,
            "/v2/checkoutSessions",
            session_body(
                &m,
                Some(
                    json!({"paymentIntent": "AuthorizeWithCapture", "chargeAmount": usd("25.00")}),
                ),
            ),
        )
        .await;
    let id = created.body["checkoutSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut b = live.signed_in_browser("buyer-buttons").await?;

    // Act: find the session by its id, sign in with a card and pay with the buttons.
    b.find("#q").await?.fill(&id).await?;
    b.click("form.search button").await?;
    b.wait_for_text("h1", &id).await?;
    b.screenshot("session-open").await?;
    b.click("#instrument option[value='1111']").await?;
    b.click("#sign-in").await?;
    b.wait_for_text("#timeline", "sign-in").await?;
    b.click("#pay").await?;
    b.wait_for_text("#timeline", "pay").await?;
    let completed = live.complete(&m, &id, "25.00").await;
    assert_eq!(completed.status, 200, "{}", completed.body);
    let charge = completed.body["chargeId"].as_str().unwrap().to_owned();
    let refund = live
        .post(
            &m,
            "/v2/refunds",
            json!({"chargeId": charge, "refundAmount": usd("5.00")}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.body);
    let refund_id = refund.body["refundId"].as_str().unwrap().to_owned();

    // Assert: from the journal, the Complete request leads to the session, whose timeline
    // reaches the refund.
    b.goto(&live.url("/__dashboard/journal?operation=CompleteCheckoutSession"))
        .await?;
    b.click(&format!(
        "a[href='/__dashboard/requests/{}']",
        completed.request_id
    ))
    .await?;
    b.click("#session-link").await?;
    b.wait_for_text("h1", "Completed").await?;
    let timeline = b.wait_for_text("#timeline", "CreateRefund").await?;
    assert!(timeline.contains("Refund created"), "{timeline}");
    assert!(timeline.contains("Charge Captured"), "{timeline}");
    b.click(&format!("#timeline a[href='#o-{refund_id}']"))
        .await?;
    let refund_text = b.text(&format!("#o-{refund_id} summary")).await?;
    assert!(refund_text.contains("Refund"), "{refund_text}");
    b.screenshot("session-refund").await?;
    b.execute("window.scrollTo(0, 0)", vec![]).await?;
    b.screenshot("session-timeline").await?;
    b.set_window_size(400, 900).await?;
    b.screenshot("session-phone").await?;
    live.server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advance_the_clock_and_see_a_pending_charge_resolve() -> R {
    // Arrange: an authorization that stays pending until the merchant's clock moves.
    let live = Live::start().await;
    let m = live.merchant().await;
    let details = json!({
        "paymentIntent": "Authorize",
        "canHandlePendingAuthorization": true,
        "chargeAmount": usd("12.00"),
    });
    let id = live.paid_session(&m, details, "0701").await;
    let completed = live.complete(&m, &id, "12.00").await;
    assert_eq!(completed.status, 202, "{}", completed.body);
    let charge = completed.body["chargeId"].as_str().unwrap().to_owned();
    let mut b = live.signed_in_browser("clock").await?;
    let session = live.url(&format!("/__dashboard/sessions/{id}"));
    b.goto(&session).await?;
    let before = b.text(&format!("#o-{charge} summary")).await?;
    assert!(before.contains("AuthorizationInitiated"), "{before}");
    b.screenshot("pending").await?;

    // Act
    b.goto(&live.url("/__dashboard")).await?;
    b.click(&format!("#m-{} button[data-advance='1h']", m.merchant_id))
        .await?;
    b.wait_for_url(&live.url("/__dashboard")).await?;
    b.screenshot("clock-advanced").await?;

    // Assert
    b.goto(&session).await?;
    let after = b.text(&format!("#o-{charge} summary")).await?;
    assert!(after.contains("Authorized"), "{after}");
    assert!(!after.contains("AuthorizationInitiated"), "{after}");
    b.screenshot("resolved").await?;
    live.server.shutdown().await;
    Ok(())
}
