//! Request authentication (design.md §4): algorithms, date forms, skew, paths, keys, tampering.

use amzpay_signing::Algorithm;
use serde_json::json;

use crate::helpers::*;

fn iso(offset_secs: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::seconds(offset_secs);
    // The Node.js SDK's form: ISO 8601 extended, UTC, whole seconds.
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(format).expect("format the date")
}

fn compact(offset_secs: i64) -> String {
    amzpay_signing::format_amz_date(
        time::OffsetDateTime::now_utc() + time::Duration::seconds(offset_secs),
    )
}

#[tokio::test]
async fn signatures_verify_with_both_algorithms_both_date_forms_and_within_the_skew() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.ready_session(&m, authorize("1.00")).await;
    let path = format!("/v2/checkoutSessions/{id}");
    // (algorithm, date, expected status)
    let cases = [
        (Algorithm::AmznPayRsassaPss, compact(0), 200),
        (Algorithm::AmznPayRsassaPssV2, compact(0), 200),
        (Algorithm::AmznPayRsassaPss, iso(0), 200),
        (Algorithm::AmznPayRsassaPssV2, iso(0), 200),
        (Algorithm::AmznPayRsassaPssV2, compact(-14 * 60), 200),
        (Algorithm::AmznPayRsassaPssV2, iso(14 * 60), 200),
        (Algorithm::AmznPayRsassaPssV2, compact(-16 * 60), 403),
        (Algorithm::AmznPayRsassaPss, iso(16 * 60), 403),
    ];
    for (algorithm, date, status) in cases {
        let r = app
            .call(&m, Call::new("GET", &path).algorithm(algorithm).date(&date))
            .await;
        assert_eq!(
            r.status.as_u16(),
            status,
            "{algorithm} {date}: {}",
            String::from_utf8_lossy(&r.raw)
        );
        if status == 403 {
            assert_eq!(r.reason(), "InvalidRequestSignature");
        }
    }
}

#[tokio::test]
async fn the_virtual_clock_does_not_move_signature_dates() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    app.advance_clock(&m, "30d").await;
    let r = app
        .post(&m, "/v2/checkoutSessions", session_body(&m, None))
        .await;
    r.expect(201);
}

#[tokio::test]
async fn a_garbled_date_is_an_invalid_header_value() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    app.call(
        &m,
        Call::new(
            "GET",
            "/v2/checkoutSessions/7efe55c3-38c7-4a1b-944d-aded27032b9a",
        )
        .date("yesterday"),
    )
    .await
    .expect_error(400, "InvalidHeaderValue");
}

#[tokio::test]
async fn paths_with_a_trailing_slash_and_legacy_prefixes_verify_as_received() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.ready_session(&m, authorize("1.00")).await;
    // (path, expected status, reason)
    let cases = [
        (format!("/v2/checkoutSessions/{id}/"), 200, ""),
        (format!("/sandbox/v2/checkoutSessions/{id}"), 200, ""),
        (format!("/sandbox/v2/checkoutSessions/{id}/"), 200, ""),
        (
            format!("/live/v2/checkoutSessions/{id}"),
            401,
            "UnauthorizedAccess",
        ),
        (
            format!("/v2/checkoutSessions/{id}//"),
            404,
            "ResourceNotFound",
        ),
        (
            format!("/v1/checkoutSessions/{id}"),
            404,
            "ResourceNotFound",
        ),
    ];
    for (path, status, reason) in cases {
        let r = app.call(&m, Call::new("GET", &path)).await;
        if status == 200 {
            r.expect(200);
        } else {
            r.expect_error(status, reason);
        }
    }
    // A .NET-style POST with a trailing slash creates a session.
    let r = app
        .call(
            &m,
            Call::new("POST", "/v2/checkoutSessions/")
                .json(session_body(&m, None))
                .idempotency_key(&new_key()),
        )
        .await;
    r.expect(201);
}

#[tokio::test]
async fn legacy_key_ids_need_the_environment_in_the_path() {
    let app = spawn_app().await;
    let m = app.merchant_with(json!({"legacyKeyId": true})).await;
    assert!(!m.public_key_id.starts_with("SANDBOX"));
    app.call(
        &m,
        Call::new("POST", "/sandbox/v2/checkoutSessions")
            .json(session_body(&m, None))
            .idempotency_key(&new_key()),
    )
    .await
    .expect(201);
    app.call(
        &m,
        Call::new("POST", "/v2/checkoutSessions")
            .json(session_body(&m, None))
            .idempotency_key(&new_key()),
    )
    .await
    .expect_error(401, "UnauthorizedAccess");
    app.call(
        &m,
        Call::new("POST", "/live/v2/checkoutSessions")
            .json(session_body(&m, None))
            .idempotency_key(&new_key()),
    )
    .await
    .expect_error(401, "UnauthorizedAccess");
}

#[tokio::test]
async fn live_keys_see_only_live_objects() {
    let app = spawn_app().await;
    let live = app.merchant_with(json!({"environment": "live"})).await;
    assert!(live.public_key_id.starts_with("LIVE-"));
    let s = app.create_session(&live, session_body(&live, None)).await;
    assert_eq!(s["releaseEnvironment"], "Live");
    // HTTP return URLs are for the sandbox only.
    let mut body = session_body(&live, None);
    body["webCheckoutDetails"]["checkoutReviewReturnUrl"] = json!("http://shop.example/review");
    app.post(&live, "/v2/checkoutSessions", body)
        .await
        .expect_error(400, "InvalidParameterValue");
    app.call(
        &live,
        Call::new(
            "GET",
            &format!(
                "/sandbox/v2/checkoutSessions/{}",
                s["checkoutSessionId"].as_str().unwrap()
            ),
        ),
    )
    .await
    .expect_error(401, "UnauthorizedAccess");
}

#[tokio::test]
async fn bad_credentials_and_signatures_are_refused_with_amazons_codes() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let path = "/v2/checkoutSessions";
    let body = session_body(&m, None);
    let good = || {
        Call::new("POST", path)
            .json(body.clone())
            .idempotency_key(&new_key())
    };
    // (name, call, status, reason)
    let cases = [
        ("unknown key", good().key_id("SANDBOX-AAAAAAAAAAAAAAAAAAAAAAAA"), 401, "UnauthorizedAccess"),
        ("malformed key id", good().key_id("bad.key"), 401, "UnauthorizedAccess"),
        ("tampered body", good().tamper(br#"{"storeId":"x"}"#), 403, "InvalidRequestSignature"),
        ("host not signed", good().unsigned("x-amz-pay-host"), 403, "InvalidRequestSignature"),
        ("date not signed", good().unsigned("x-amz-pay-date"), 403, "InvalidRequestSignature"),
        (
            "unknown algorithm",
            good().authorization(&format!("AMZN-PAY-RSASSA-PKCS1 PublicKeyId={}, SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature=AAAA", m.public_key_id)),
            403,
            "InvalidRequestSignature",
        ),
        (
            "signed header not sent",
            good().authorization(&format!("AMZN-PAY-RSASSA-PSS-V2 PublicKeyId={}, SignedHeaders=x-amz-pay-date;x-amz-pay-host;x-not-sent, Signature=AAAA", m.public_key_id)),
            403,
            "InvalidRequestSignature",
        ),
        (
            "signature made with the other algorithm",
            good().authorization("placeholder"),
            403,
            "InvalidRequestSignature",
        ),
        ("unknown x-amz-pay headers are tolerated", good().header("x-amz-pay-integrator-id", "plugin"), 201, ""),
    ];
    for (name, call, status, reason) in cases {
        let call = if name == "signature made with the other algorithm" {
            // Sign with salt 20 but declare V2.
            let signed = good().algorithm(Algorithm::AmznPayRsassaPss).signed(&m);
            let auth = signed.headers()["authorization"]
                .to_str()
                .unwrap()
                .replace("AMZN-PAY-RSASSA-PSS ", "AMZN-PAY-RSASSA-PSS-V2 ");
            let mut request = signed;
            request
                .headers_mut()
                .insert("authorization", auth.parse().unwrap());
            let r = app.raw(request).await;
            r.expect_error(status, reason);
            continue;
        } else {
            call
        };
        let r = app.call(&m, call).await;
        if status == 201 {
            r.expect(201);
        } else {
            r.expect_error_for(status, reason, name);
        }
        assert!(r.headers.contains_key("x-amz-pay-request-id"), "{name}");
    }
    assert_eq!(
        app.sessions(&m).await,
        1,
        "only the one good request created a session"
    );
}

#[tokio::test]
async fn a_request_without_authorization_is_a_missing_header() {
    let app = spawn_app().await;
    let request =
        axum::http::Request::get("/v2/checkoutSessions/7efe55c3-38c7-4a1b-944d-aded27032b9a")
            .body(axum::body::Body::empty())
            .unwrap();
    app.raw(request).await.expect_error(400, "MissingHeader");
}

#[tokio::test]
async fn region_headers_are_case_insensitive_aliases_of_the_merchants_region() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.ready_session(&m, authorize("1.00")).await;
    let path = format!("/v2/checkoutSessions/{id}");
    for (region, status) in [
        ("na", 200),
        ("NA", 200),
        ("us", 200),
        ("US", 200),
        ("eu", 400),
        ("mars", 400),
    ] {
        let mm = Merchant {
            region: region.to_owned(),
            ..m.clone()
        };
        let r = app.call(&mm, Call::new("GET", &path)).await;
        assert_eq!(r.status.as_u16(), status, "{region}");
    }
}

#[tokio::test]
async fn a_retry_with_the_same_signature_is_accepted() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.ready_session(&m, authorize("1.00")).await;
    let call = Call::new("GET", &format!("/v2/checkoutSessions/{id}")).date(&compact(0));
    app.call(&m, call.clone()).await.expect(200);
    app.call(&m, call).await.expect(200);
}

/// A Create Checkout Session whose body is replaced after signing.
fn tampered_create() -> Call {
    Call::new("POST", "/v2/checkoutSessions")
        .json(json!({"a": 1}))
        .tamper(b"{}")
}

#[tokio::test]
async fn debug_signatures_puts_the_canonical_request_into_the_message() {
    let app = spawn_app_with(|s| s.debug_signatures = true).await;
    let m = app.merchant().await;
    let r = app.call(&m, tampered_create()).await;
    r.expect_error(403, "InvalidRequestSignature");
    let message = r.body["message"].as_str().unwrap();
    assert!(
        message.contains("POST\n/v2/checkoutSessions\n\naccept:application/json\n"),
        "{message}"
    );
    // Without the flag the canonical request is not revealed.
    let plain = spawn_app().await;
    let m = plain.merchant().await;
    let r = plain.call(&m, tampered_create()).await;
    assert!(
        !r.body["message"]
            .as_str()
            .unwrap()
            .contains("accept:application/json")
    );
}
