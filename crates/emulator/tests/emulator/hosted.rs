//! The hosted buyer pages in process: `checkout.js`, the button's start (signature verification
//! and session creation), sign-in, selection, cancel and the processing page's errors.

use amzpay_signing::{Algorithm, sign_button_payload};
use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{Value, json};

use crate::helpers::*;

/// A signed `createCheckoutSessionConfig` for `payload` (as a merchant page hands it to
/// `checkout.js`), plus the button's own settings.
fn button_config(m: &Merchant, payload: &str, extra: Value) -> Value {
    let signature =
        sign_button_payload(payload, test_key(), Algorithm::AmznPayRsassaPssV2).expect("sign");
    let mut body = json!({
        "payloadJSON": payload,
        "signature": signature,
        "publicKeyId": m.public_key_id,
        "algorithm": "AMZN-PAY-RSASSA-PSS-V2",
        "merchantId": m.merchant_id,
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    body
}

fn payload(m: &Merchant, extra: Value) -> String {
    let mut p = json!({
        "webCheckoutDetails": {
            "checkoutReviewReturnUrl": "https://shop.example/review?step=2",
            "checkoutCancelUrl": "https://shop.example/cart"
        },
        "storeId": m.store_id,
    });
    if let (Some(b), Some(e)) = (p.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    p.to_string()
}

impl TestApp {
    async fn start(&self, body: Value) -> Resp {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/checkout/start")
            .header("content-type", "application/json")
            .header("origin", "https://shop.example")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.raw(request).await
    }

    async fn page(&self, uri: &str) -> Resp {
        let request = Request::builder()
            .uri(uri)
            .header("accept", "text/html")
            .body(Body::empty())
            .unwrap();
        self.raw(request).await
    }

    /// A hosted page about session `id` (`/checkout/{name}?amazonCheckoutSessionId={id}`).
    async fn session_page(&self, name: &str, id: &str) -> Resp {
        self.page(&format!("/checkout/{name}?amazonCheckoutSessionId={id}"))
            .await
    }

    /// The sign-in page's form, submitted as `buyer`.
    async fn submit_sign_in(&self, id: &str, buyer: &str) -> Resp {
        self.form(
            "/checkout/signin",
            &[("amazonCheckoutSessionId", id), ("buyer", buyer)],
        )
        .await
    }

    /// The selection page's form, submitted with an address and a payment instrument.
    async fn submit_selection(&self, id: &str, address: &str, instrument: &str) -> Resp {
        let fields = [
            ("amazonCheckoutSessionId", id),
            ("address", address),
            ("instrument", instrument),
        ];
        self.form("/checkout/select", &fields).await
    }

    /// Submits a form of the pages as a browser does: from the emulator's own origin, with the
    /// form token the session's page carries.
    async fn form(&self, uri: &str, fields: &[(&str, &str)]) -> Resp {
        let id = fields
            .iter()
            .find(|(k, _)| *k == "amazonCheckoutSessionId")
            .map_or("", |(_, v)| *v);
        let token = self.form_token(id).await;
        let mut fields = fields.to_vec();
        fields.push(("formToken", &token));
        self.post_form(uri, &fields, &[("origin", "https://emulator.test")])
            .await
    }

    /// Posts `fields` to `uri` with exactly the given extra headers.
    async fn post_form(
        &self,
        uri: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Resp {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
            .collect();
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header("host", "emulator.test")
            .header("accept", "text/html")
            .header("content-type", "application/x-www-form-urlencoded");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.raw(request.body(Body::from(body.join("&"))).unwrap())
            .await
    }

    /// The form token the pages of session `id` carry (empty when no page shows one).
    async fn form_token(&self, id: &str) -> String {
        let html = self.session_page("signin", id).await.text();
        let marker = "name=\"formToken\" value=\"";
        html.split_once(marker)
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(token, _)| token.to_owned())
            .unwrap_or_default()
    }

    /// A session created through the button, as a browser would.
    async fn session_from_button(&self, m: &Merchant, extra: Value) -> String {
        let r = self
            .start(button_config(m, &payload(m, extra), json!({})))
            .await;
        r.expect(201)["checkoutSessionId"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }

    fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

#[tokio::test]
async fn checkout_js_is_served_with_the_documented_functions() {
    let app = spawn_app().await;

    let r = app.page("/checkout.js").await;

    assert_eq!(r.status.as_u16(), 200);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let js = r.text();
    for name in [
        "renderButton",
        "bindChangeAction",
        "initCheckout",
        "signout",
    ] {
        assert!(js.contains(name), "checkout.js lacks {name}");
    }
}

#[tokio::test]
async fn a_signed_button_payload_creates_an_open_session_and_sends_the_buyer_to_sign_in() {
    let app = spawn_app().await;
    let m = app.merchant().await;

    let r = app
        .start(button_config(&m, &payload(&m, json!({})), json!({})))
        .await;

    let body = r.expect(201).clone();
    assert_eq!(r.headers["access-control-allow-origin"], "*");
    let id = body["checkoutSessionId"].as_str().unwrap();
    assert_eq!(
        body["redirectUrl"],
        format!("{BASE_URL}/checkout/signin?amazonCheckoutSessionId={id}")
    );
    let s = app.session(&m, id).await;
    assert_eq!(s["statusDetails"]["state"], "Open");
    assert_eq!(s["productType"], "PayAndShip");
    assert_eq!(s["constraints"][0]["constraintId"], "BuyerNotAssociated");
}

#[tokio::test]
async fn the_button_product_type_and_the_first_algorithm_by_default_are_honoured() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let p = payload(&m, json!({}));
    let salt20 = sign_button_payload(&p, test_key(), Algorithm::AmznPayRsassaPss).unwrap();

    let r = app
        .start(json!({
            "payloadJSON": p,
            "signature": salt20,
            "publicKeyId": m.public_key_id,
            "productType": "PayOnly",
        }))
        .await;

    let id = r.expect(201)["checkoutSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.session(&m, &id).await["productType"], "PayOnly");
}

#[tokio::test]
async fn a_tampered_payload_is_rejected_with_a_clear_message_and_creates_nothing() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let signed = payload(&m, json!({}));
    let mut config = button_config(&m, &signed, json!({}));
    config["payloadJSON"] = json!(signed.replace("review?step=2", "review?step=3"));

    let r = app.start(config).await;

    r.expect_error(403, "InvalidRequestSignature");
    assert!(r.body["message"].as_str().unwrap().contains("signature"));
    assert_eq!(r.headers["access-control-allow-origin"], "*");
    assert_eq!(app.sessions(&m).await, 0);
}

#[tokio::test]
async fn button_configurations_with_bad_parts_are_rejected_by_name() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let good = button_config(&m, &payload(&m, json!({})), json!({}));
    // The answers, as (status, reasonCode).
    const MISSING: (u16, &str) = (400, "MissingParameterValue");
    const INVALID: (u16, &str) = (400, "InvalidParameterValue");
    const UNKNOWN_KEY: (u16, &str) = (401, "UnauthorizedAccess");
    const BAD_SIGNATURE: (u16, &str) = (403, "InvalidRequestSignature");
    let cases = [
        ("no signature", json!({"signature": null}), MISSING),
        (
            "unknown key",
            json!({"publicKeyId": "SANDBOX-AAAAAAAAAAAAAAAAAAAAAAAA"}),
            UNKNOWN_KEY,
        ),
        ("bad algorithm", json!({"algorithm": "RSA"}), INVALID),
        ("not base64", json!({"signature": "@@@"}), BAD_SIGNATURE),
        (
            "other merchant",
            json!({"merchantId": "AAAAAAAAAAAAA"}),
            INVALID,
        ),
        ("bad product type", json!({"productType": "Gift"}), INVALID),
    ];
    for (name, change, (status, reason)) in cases {
        let mut config = good.clone();
        for (k, v) in change.as_object().unwrap() {
            config[k] = v.clone();
        }
        app.start(config)
            .await
            .expect_error_for(status, reason, name);
    }
    // A payload that is signed but breaks Create Checkout Session's rules.
    let bad = json!({"storeId": m.store_id, "webCheckoutDetails": {}}).to_string();
    let r = app.start(button_config(&m, &bad, json!({}))).await;
    r.expect_error(400, "MissingParameterValue");
    assert_eq!(app.sessions(&m).await, 0);
}

#[tokio::test]
async fn the_preflight_allows_a_json_post_from_any_origin() {
    let app = spawn_app().await;
    let request = Request::builder()
        .method(Method::OPTIONS)
        .uri("/checkout/start")
        .header("origin", "http://127.0.0.1:3000")
        .header("access-control-request-method", "POST")
        .body(Body::empty())
        .unwrap();

    let r = app.raw(request).await;

    assert_eq!(r.status.as_u16(), 204);
    assert_eq!(r.headers["access-control-allow-origin"], "*");
    assert_eq!(r.headers["access-control-allow-headers"], "content-type");
}

#[tokio::test]
async fn sign_in_then_select_returns_to_the_review_url_with_the_session_id() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.session_from_button(&m, json!({})).await;

    let page = app.session_page("signin", &id).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.text().contains("Test Buyer"));
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let signed_in = app.submit_sign_in(&id, "erika").await;
    assert_eq!(signed_in.status.as_u16(), 303);
    assert_eq!(
        signed_in.location(),
        format!("/checkout/select?amazonCheckoutSessionId={id}")
    );
    let select = app.page(signed_in.location()).await;
    let html = select.text();
    assert!(html.contains("Erika Mustermann"), "{html}");
    assert!(html.contains("ending in 3064"));
    let chosen = app.submit_selection(&id, "gb-london", "4444").await;

    assert_eq!(chosen.status.as_u16(), 303);
    assert_eq!(
        chosen.location(),
        format!("https://shop.example/review?step=2&amazonCheckoutSessionId={id}")
    );
    let s = app.session(&m, &id).await;
    assert_eq!(s["buyer"]["name"], "Erika Mustermann");
    assert_eq!(s["shippingAddress"]["city"], "London");
    assert_eq!(
        s["constraints"].as_array().unwrap().len(),
        3,
        "only the merchant's constraints are left"
    );
}

#[tokio::test]
async fn delivery_specifications_disable_the_addresses_the_merchant_does_not_ship_to() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app
        .session_from_button(
            &m,
            json!({"deliverySpecifications": {"specialRestrictions": ["RestrictPOBoxes"]}}),
        )
        .await;
    app.submit_sign_in(&id, "test-buyer").await;

    let select = app
        .page(&format!(
            "/checkout/select?amazonCheckoutSessionId={id}&changeAddress=1"
        ))
        .await;
    let html = select.text();
    assert!(html.contains("does not ship to PO boxes"), "{html}");
    assert!(
        html.contains("id=\"address-us-po-box\" value=\"us-po-box\" disabled"),
        "{html}"
    );
    let refused = app.submit_selection(&id, "us-po-box", "1111").await;

    assert_eq!(refused.status.as_u16(), 422);
    assert!(refused.text().contains("Choose another address"));
}

#[tokio::test]
async fn a_change_action_autofocuses_its_section() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.session_from_button(&m, json!({})).await;
    app.submit_sign_in(&id, "test-buyer").await;

    let html = app
        .page(&format!(
            "/checkout/select?amazonCheckoutSessionId={id}&changeAction=changePayment"
        ))
        .await
        .text();

    assert!(
        html.contains("id=\"card-1111\" value=\"1111\" checked autofocus"),
        "{html}"
    );
}

#[tokio::test]
async fn merchant_data_on_the_pages_is_escaped() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app
        .session_from_button(
            &m,
            json!({"merchantMetadata": {"merchantStoreName": "<script>alert(1)</script>"}}),
        )
        .await;

    let html = app.session_page("signin", &id).await.text();

    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&#60;script&#62;alert(1)"), "{html}");
}

#[tokio::test]
async fn cancel_sends_the_buyer_to_the_cancel_url_and_cancels_the_session() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.session_from_button(&m, json!({})).await;

    let r = app
        .form("/checkout/cancel", &[("amazonCheckoutSessionId", &id)])
        .await;

    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(
        r.location(),
        format!("https://shop.example/cart?amazonCheckoutSessionId={id}")
    );
    let s = app.session(&m, &id).await;
    assert_eq!(s["statusDetails"]["state"], "Canceled");
    assert_eq!(s["statusDetails"]["reasonCode"], "BuyerCanceled");
    let again = app.session_page("signin", &id).await;
    assert_eq!(again.status.as_u16(), 422);
    assert!(again.text().contains("canceled"));
}

#[tokio::test]
async fn unknown_sessions_get_a_page_for_browsers_and_json_for_clients() {
    let app = spawn_app().await;
    let unknown = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";

    let page = app
        .page(&format!(
            "/checkout/processing?amazonCheckoutSessionId={unknown}"
        ))
        .await;
    let json = app
        .raw(
            Request::builder()
                .uri(format!(
                    "/checkout/processing?amazonCheckoutSessionId={unknown}"
                ))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let signin = app
        .page("/checkout/signin?amazonCheckoutSessionId=%3Cb%3Ex%3C%2Fb%3E")
        .await;

    assert_eq!(page.status.as_u16(), 404);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().contains("ResourceNotFound"));
    json.expect_error(404, "ResourceNotFound");
    assert_eq!(signin.status.as_u16(), 404);
    assert!(!signin.text().contains("<b>x</b>"));
}

#[tokio::test]
async fn the_processing_page_after_the_pages_redirects_to_the_result_url() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.session_from_button(&m, json!({})).await;
    app.submit_sign_in(&id, "test-buyer").await;
    app.submit_selection(&id, "us-seattle", "3434").await;
    app.set_result_url_and_amount(&m, &id).await.expect(200);

    let page = app.session_page("processing", &id).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.text().contains("id=\"pay\""), "{}", page.text());
    let r = app
        .form("/checkout/processing", &[("amazonCheckoutSessionId", &id)])
        .await;

    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(
        r.location(),
        format!("https://shop.example/result?amazonCheckoutSessionId={id}")
    );
    let done = app
        .complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
        .await;
    done.expect_error(422, "CheckoutSessionCanceled");
}

/// A forged post: where to, its fields beside the session id, the form token, its headers.
type Attempt<'a> = (
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a str,
    &'a [(&'a str, &'a str)],
);

/// A session with a buyer signed in and a card chosen, ready for the payment step.
async fn ready_for_payment(app: &TestApp, m: &Merchant) -> String {
    let id = app.session_from_button(m, json!({})).await;
    app.submit_sign_in(&id, "test-buyer").await;
    app.submit_selection(&id, "us-seattle", "1111").await;
    app.set_result_url_and_amount(m, &id).await.expect(200);
    id
}

#[tokio::test]
async fn loading_the_payment_page_does_not_run_the_payment_step() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = ready_for_payment(&app, &m).await;

    let page = app.session_page("processing", &id).await;

    assert_eq!(page.status.as_u16(), 200);
    app.complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
        .await
        .expect_error(422, "InvalidCheckoutSessionStatus");
}

#[tokio::test]
async fn posts_from_another_site_or_without_the_form_token_change_nothing() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = ready_for_payment(&app, &m).await;
    let other = app.session_from_button(&m, json!({})).await;
    let token = app.form_token(&id).await;
    let wrong = app.form_token(&other).await;
    assert!(!token.is_empty());
    let same_site = [("origin", "https://emulator.test")];
    let attempts: [Attempt<'_>; 7] = [
        (
            "/checkout/processing",
            &[],
            &token,
            &[("origin", "https://evil.example")],
        ),
        (
            "/checkout/processing",
            &[],
            &token,
            &[("sec-fetch-site", "cross-site")],
        ),
        ("/checkout/processing", &[], &token, &[("origin", "null")]),
        ("/checkout/processing", &[], "", &same_site),
        ("/checkout/processing", &[], &wrong, &same_site),
        (
            "/checkout/select",
            &[("address", "us-seattle"), ("instrument", "3434")],
            &wrong,
            &same_site,
        ),
        (
            "/checkout/cancel",
            &[],
            &token,
            &[("sec-fetch-site", "same-site")],
        ),
    ];

    for (uri, fields, form_token, headers) in attempts {
        let mut all = vec![
            ("amazonCheckoutSessionId", id.as_str()),
            ("formToken", form_token),
        ];
        all.extend_from_slice(fields);
        let r = app.post_form(uri, &all, headers).await;
        assert_eq!(r.status.as_u16(), 403, "{uri} {headers:?}: {}", r.text());
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    let signin = app
        .post_form(
            "/checkout/signin",
            &[("amazonCheckoutSessionId", &other), ("buyer", "test-buyer")],
            &same_site,
        )
        .await;
    assert_eq!(signin.status.as_u16(), 403, "no token");

    let s = app.session(&m, &id).await;
    assert_eq!(s["statusDetails"]["state"], "Open");
    assert_eq!(
        s["paymentPreferences"][0]["paymentDescriptor"],
        "Visa ****1111"
    );
    app.complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
        .await
        .expect_error(422, "InvalidCheckoutSessionStatus");
    assert_eq!(app.session(&m, &other).await["buyer"], Value::Null);
}

#[tokio::test]
async fn every_answer_forbids_sniffing_and_pages_forbid_framing() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.session_from_button(&m, json!({})).await;
    let api_error = app
        .raw(
            Request::get("/v2/checkoutSessions/x")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let script = app.page("/checkout.js").await;
    let page = app.session_page("signin", &id).await;
    let admin = app.admin(Method::GET, "/__admin/merchants", None).await;

    for r in [&api_error, &script, &page, &admin] {
        assert_eq!(r.headers["x-content-type-options"], "nosniff", "{r:?}");
    }
    assert_eq!(page.headers["x-frame-options"], "DENY");
}

#[tokio::test]
async fn a_malformed_query_on_the_pages_gets_the_html_error_page() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.session_from_button(&m, json!({})).await;

    for name in ["signin", "select", "processing"] {
        let r = app
            .page(&format!(
                "/checkout/{name}?amazonCheckoutSessionId={id}&amazonCheckoutSessionId={id}"
            ))
            .await;

        assert_eq!(r.status.as_u16(), 400, "{name}");
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{name}: {r:?}"
        );
        assert!(
            r.text().contains("This checkout link is not valid"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_same_origin_post_over_http2_is_accepted_by_its_authority() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.session_from_button(&m, json!({})).await;
    let token = app.form_token(&id).await;
    // HTTP/2 has no `Host` header: hyper puts `:authority` into the request's URI.
    let request = Request::builder()
        .method(Method::POST)
        .uri("https://emulator.test/checkout/signin")
        .header("origin", "https://emulator.test")
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "amazonCheckoutSessionId={id}&formToken={token}&buyer=test-buyer"
        )))
        .unwrap();

    let r = app.raw(request).await;

    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    assert_eq!(
        r.location(),
        format!("/checkout/select?amazonCheckoutSessionId={id}")
    );
}
