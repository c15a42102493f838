//! The dashboard (`/__dashboard`) in process: sign-in, what refuses without it, cross-site
//! forms, escaping of merchant-controlled strings, and the pages and buttons.

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::json;

use crate::helpers::{ADMIN_TOKEN, Call, Resp, TestApp, session_body, spawn_app};

/// Signs in through the form; returns the `name=value` of the session cookie.
async fn sign_in(app: &TestApp) -> String {
    let r = form(
        app,
        "/__dashboard/login",
        None,
        &format!("token={ADMIN_TOKEN}"),
        &[],
    )
    .await;
    assert_eq!(
        r.status.as_u16(),
        303,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );
    let set = r.headers[header::SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> Resp {
    let mut b = Request::builder().method(Method::GET).uri(path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    app.raw(b.body(Body::empty()).unwrap()).await
}

fn html(r: &Resp) -> String {
    String::from_utf8_lossy(&r.raw).into_owned()
}

async fn form(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    body: &str,
    headers: &[(&str, &str)],
) -> Resp {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    app.raw(b.body(Body::from(body.to_owned())).unwrap()).await
}

/// The csrf token of the forms on a page.
fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a csrf token");
    let rest = &page[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn clock_now(app: &TestApp, merchant: &str) -> String {
    let path = format!("/__admin/merchants/{merchant}/clock");
    app.admin(Method::GET, &path, None).await.expect(200)["now"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn no_page_or_api_of_the_dashboard_answers_without_the_sign_in() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let session = app.create_session(&m, session_body(&m, None)).await;
    let id = session["checkoutSessionId"].as_str().unwrap();
    let before = clock_now(&app, &m.merchant_id).await;
    let pages = [
        "/__dashboard".to_owned(),
        "/__dashboard/journal".to_owned(),
        "/__dashboard/journal?status=4xx".to_owned(),
        format!("/__dashboard/sessions/{id}"),
        "/__dashboard/requests/anything".to_owned(),
        format!("/__dashboard/search?q={id}"),
    ];
    let forms = [
        format!("/__dashboard/merchants/{}/clock/advance", m.merchant_id),
        format!("/__dashboard/sessions/{id}/sign-in"),
        format!("/__dashboard/sessions/{id}/cancel"),
        "/__dashboard/logout".to_owned(),
    ];

    for wrong in [
        None,
        Some("amzpay_dashboard=00112233445566778899aabbccddeeff"),
    ] {
        // Act
        for path in &pages {
            let r = page(&app, path, wrong).await;

            // Assert
            assert_eq!(r.status.as_u16(), 303, "{path}");
            assert_eq!(r.headers[header::LOCATION], "/__dashboard/login", "{path}");
            assert!(!html(&r).contains(&m.merchant_id), "{path}");
        }
        let api = page(&app, "/__dashboard/journal.json?after=0", wrong).await;
        api.expect_error(401, "UnauthorizedAccess");
        for path in &forms {
            let r = form(&app, path, wrong, "duration=30d&csrf=x", &[]).await;
            r.expect_error(401, "UnauthorizedAccess");
        }
    }
    assert_eq!(clock_now(&app, &m.merchant_id).await, before);
    let s = app.session(&m, id).await;
    assert_eq!(s["statusDetails"]["state"], "Open");
    // The login form and the static assets are all that answer.
    assert_eq!(page(&app, "/__dashboard/login", None).await.status, 200);
    assert_eq!(
        page(&app, "/__dashboard/assets/dashboard.js", None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_admin_token_signs_in_with_a_strict_http_only_secure_cookie() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let wrong = form(&app, "/__dashboard/login", None, "token=guess", &[]).await;
    let right = form(
        &app,
        "/__dashboard/login",
        None,
        &format!("token={ADMIN_TOKEN}"),
        &[],
    )
    .await;

    // Assert
    assert_eq!(wrong.status.as_u16(), 401);
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
    assert_eq!(right.status.as_u16(), 303);
    let cookie = right.headers[header::SET_COOKIE].to_str().unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/__dashboard"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains(ADMIN_TOKEN), "{cookie}");
    let value = cookie.split(';').next().unwrap();
    let home = page(&app, "/__dashboard", Some(value)).await;
    // The sign-in form holds the token: it is not journaled.
    let journal = app
        .admin(Method::GET, "/__admin/journal?limit=1000", None)
        .await;
    let journal = journal.expect(200).to_string();
    assert!(!journal.contains("/__dashboard/login"), "{journal}");
    assert_eq!(home.status, 200);
    assert!(
        home.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
}

#[tokio::test]
async fn cross_site_and_tokenless_forms_are_refused() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let cookie = sign_in(&app).await;
    let home = html(&page(&app, "/__dashboard", Some(&cookie)).await);
    let csrf = csrf_of(&home);
    let before = clock_now(&app, &m.merchant_id).await;
    let advance = format!("/__dashboard/merchants/{}/clock/advance", m.merchant_id);
    let body = format!("duration=30d&csrf={csrf}");

    // Act
    let from_elsewhere = form(
        &app,
        &advance,
        Some(&cookie),
        &body,
        &[("sec-fetch-site", "cross-site")],
    )
    .await;
    let other_origin = form(
        &app,
        &advance,
        Some(&cookie),
        &body,
        &[
            ("origin", "https://evil.example"),
            ("host", "emulator.test"),
        ],
    )
    .await;
    let without_token = form(&app, &advance, Some(&cookie), "duration=30d", &[]).await;
    let wrong_token = form(
        &app,
        &advance,
        Some(&cookie),
        "duration=30d&csrf=00112233445566778899aabbccddeeff",
        &[],
    )
    .await;
    let login_from_elsewhere = form(
        &app,
        "/__dashboard/login",
        None,
        &format!("token={ADMIN_TOKEN}"),
        &[("sec-fetch-site", "cross-site")],
    )
    .await;
    let unchanged = clock_now(&app, &m.merchant_id).await;
    let same_site = form(
        &app,
        &advance,
        Some(&cookie),
        &body,
        &[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://emulator.test"),
            ("host", "emulator.test"),
        ],
    )
    .await;

    // Assert
    for r in [
        &from_elsewhere,
        &other_origin,
        &without_token,
        &wrong_token,
        &login_from_elsewhere,
    ] {
        assert_eq!(r.status.as_u16(), 403, "{}", html(r));
    }
    assert!(
        login_from_elsewhere
            .headers
            .get(header::SET_COOKIE)
            .is_none()
    );
    assert_eq!(unchanged, before);
    assert_eq!(same_site.status.as_u16(), 303, "{}", html(&same_site));
    assert_ne!(clock_now(&app, &m.merchant_id).await, before);
}

#[tokio::test]
async fn merchant_controlled_strings_are_escaped_on_every_page() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let script = "<script>alert(\"x\")</script>";
    let mut body = session_body(&m, None);
    body["merchantMetadata"] =
        json!({"merchantStoreName": script, "customInformation": "<img src=x onerror=alert(1)>"});
    let created = app.post(&m, "/v2/checkoutSessions", body).await;
    let id = created.expect(201)["checkoutSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let request_id = created.headers["x-amz-pay-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let cookie = sign_in(&app).await;

    // Act
    let pages = [
        page(&app, &format!("/__dashboard/sessions/{id}"), Some(&cookie)).await,
        page(
            &app,
            &format!("/__dashboard/requests/{request_id}"),
            Some(&cookie),
        )
        .await,
        page(&app, "/__dashboard/journal", Some(&cookie)).await,
        page(
            &app,
            "/__dashboard/journal?operation=%3Cscript%3Ealert(1)%3C/script%3E",
            Some(&cookie),
        )
        .await,
    ];

    // Assert
    for p in &pages {
        let text = html(p);
        assert!(!text.contains("<script>alert"), "{text}");
        assert!(!text.contains("<img src=x"), "{text}");
    }
    // askama writes `<` as `&#60;`.
    assert!(html(&pages[0]).contains("&#60;script&#62;alert"));
    assert!(html(&pages[1]).contains("&#60;script&#62;alert"));
}

#[tokio::test]
async fn the_buyer_buttons_drive_a_checkout_that_the_merchant_completes() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let session = app
        .create_session(
            &m,
            session_body(&m, Some(crate::helpers::authorize_with_capture("10.00"))),
        )
        .await;
    let id = session["checkoutSessionId"].as_str().unwrap().to_owned();
    let cookie = sign_in(&app).await;
    let path = format!("/__dashboard/sessions/{id}");
    let csrf = csrf_of(&html(&page(&app, &path, Some(&cookie)).await));

    // Act
    let signed_in = form(
        &app,
        &format!("{path}/sign-in"),
        Some(&cookie),
        &format!("instrument=1111&csrf={csrf}"),
        &[],
    )
    .await;
    let paid = form(
        &app,
        &format!("{path}/pay"),
        Some(&cookie),
        &format!("csrf={csrf}"),
        &[],
    )
    .await;
    let completed = app
        .complete(
            &m,
            &id,
            json!({"chargeAmount": {"amount": "10.00", "currencyCode": "USD"}}),
        )
        .await;
    let after = html(&page(&app, &path, Some(&cookie)).await);

    // Assert
    assert_eq!(signed_in.status.as_u16(), 303, "{}", html(&signed_in));
    assert_eq!(paid.status.as_u16(), 303, "{}", html(&paid));
    completed.expect(200);
    assert!(after.contains("Completed"), "{after}");
    assert!(after.contains("CompleteCheckoutSession"), "{after}");
    assert!(after.contains("Charge Permission"), "{after}");
    // A finished session has no buyer buttons.
    assert!(!after.contains("id=\"pay\""));
}

#[tokio::test]
async fn search_finds_a_checkout_by_its_charge_and_a_request_by_its_id() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app
        .paid_session(&m, crate::helpers::authorize_with_capture("5.00"))
        .await;
    let completed = app
        .complete(
            &m,
            &id,
            json!({"chargeAmount": {"amount": "5.00", "currencyCode": "USD"}}),
        )
        .await;
    let charge = completed.expect(200)["chargeId"]
        .as_str()
        .unwrap()
        .to_owned();
    let request_id = completed.headers["x-amz-pay-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let cookie = sign_in(&app).await;

    // Act
    let by_charge = page(
        &app,
        &format!("/__dashboard/search?q={charge}"),
        Some(&cookie),
    )
    .await;
    let by_request = page(
        &app,
        &format!("/__dashboard/search?q={request_id}"),
        Some(&cookie),
    )
    .await;
    let nothing = page(&app, "/__dashboard/search?q=nothing-here", Some(&cookie)).await;

    // Assert
    assert_eq!(
        by_charge.headers[header::LOCATION],
        format!("/__dashboard/sessions/{id}").as_str()
    );
    assert_eq!(
        by_request.headers[header::LOCATION],
        format!("/__dashboard/requests/{request_id}").as_str()
    );
    assert_eq!(nothing.status.as_u16(), 404);
}

#[tokio::test]
async fn a_refused_signature_s_page_shows_the_canonical_request_and_string_to_sign() {
    // Arrange
    let app = spawn_app().await;
    let m = app.merchant().await;
    let call = Call::new(
        "GET",
        "/v2/checkoutSessions/00000000-0000-0000-0000-000000000000",
    )
    .tamper(b"{}");
    let refused = app.call(&m, call).await;
    let request_id = refused.headers["x-amz-pay-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let cookie = sign_in(&app).await;

    // Act
    let failed = html(&page(&app, "/__dashboard/journal?status=4xx", Some(&cookie)).await);
    let detail = html(
        &page(
            &app,
            &format!("/__dashboard/requests/{request_id}"),
            Some(&cookie),
        )
        .await,
    );

    // Assert
    assert!(failed.contains(&request_id), "{failed}");
    assert!(
        detail.contains("Signature refused at: signature"),
        "{detail}"
    );
    assert!(
        detail.contains("id=\"canonical-request\">GET\n/v2/checkoutSessions/"),
        "{detail}"
    );
    assert!(
        detail.contains("id=\"string-to-sign\">AMZN-PAY-RSASSA-PSS-V2\n"),
        "{detail}"
    );
}

#[tokio::test]
async fn the_merchants_page_shows_ipn_endpoints_and_deliveries_and_sends_one_again() {
    // Arrange: a merchant whose endpoint refuses connections, with a checkout's deliveries
    // given up after one attempt.
    let app = crate::helpers::spawn_app_with(|s| {
        s.ipn = amzpay_emulator::dispatch::DeliverySettings {
            max_attempts: 1,
            ..Default::default()
        };
    })
    .await;
    let m = app.merchant().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{closed}/ipn");
    app.admin(
        Method::PUT,
        &format!("/__admin/merchants/{}/ipn", m.merchant_id),
        Some(json!({"sandbox": [url]})),
    )
    .await
    .expect(200);
    app.checkout(&m, "AuthorizeWithCapture", "5.00").await;
    amzpay_emulator::dispatch::dispatch_due(&app.state)
        .await
        .unwrap();
    let cookie = sign_in(&app).await;

    // Act
    let home = html(&page(&app, "/__dashboard", Some(&cookie)).await);
    let at = home.find("data-delivery=\"").expect("a delivery row");
    let rest = &home[at + "data-delivery=\"".len()..];
    let id = rest[..rest.find('"').unwrap()].to_owned();
    let again = form(
        &app,
        &format!("/__dashboard/notifications/{id}/redeliver"),
        Some(&cookie),
        &format!("csrf={}", csrf_of(&home)),
        &[],
    )
    .await;
    let forged = form(
        &app,
        &format!("/__dashboard/notifications/{id}/redeliver"),
        Some(&cookie),
        "csrf=00112233445566778899aabbccddeeff",
        &[],
    )
    .await;

    // Assert
    assert!(home.contains("<h3>Notifications</h3>"), "{home}");
    assert!(home.contains(&url), "the endpoint is listed");
    assert!(home.contains("CHARGE_PERMISSION") && home.contains("state-failed"));
    assert_eq!(again.status.as_u16(), 303, "{}", html(&again));
    assert_eq!(forged.status.as_u16(), 403);
    let detail = app
        .admin(Method::GET, &format!("/__admin/notifications/{id}"), None)
        .await
        .expect(200)
        .clone();
    assert_eq!(detail["notification"]["state"], "pending");
}
