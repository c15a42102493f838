//! The admin API: token, merchants, clocks, buyer actions and their redirects.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_admin_api_needs_the_bearer_token() {
    let app = spawn_app().await;
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("test-admin-token"),
        Some("Bearer "),
    ] {
        let mut b = Request::get("/__admin/merchants");
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        app.raw(b.body(Body::empty()).unwrap())
            .await
            .expect_error(401, "UnauthorizedAccess");
    }
    app.admin(Method::GET, "/__admin/merchants", None)
        .await
        .expect(200);
}

#[tokio::test]
async fn creating_a_merchant_generates_an_rsa_key_pair_and_ids_of_the_documented_shapes() {
    let app = spawn_app().await;
    let r = app
        .admin(
            Method::POST,
            "/__admin/merchants",
            Some(json!({"region": "EU"})),
        )
        .await;
    let v = r.expect(201).clone();
    let merchant_id = v["merchantId"].as_str().unwrap();
    assert_eq!(merchant_id.len(), 13);
    assert!(
        merchant_id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    );
    let store_id = v["storeId"].as_str().unwrap();
    assert!(store_id.starts_with("amzn1.application-oa2-client.") && store_id.len() == 29 + 32);
    let key_id = v["publicKeyId"].as_str().unwrap();
    assert!(
        key_id.starts_with("SANDBOX-") && key_id.len() == 32,
        "{key_id}"
    );
    assert_eq!(v["region"], "eu");
    let key = amzpay_signing::PrivateKey::from_pem(v["privateKeyPem"].as_str().unwrap()).unwrap();
    assert_eq!(key.bits(), 2048);
    let list = app
        .admin(Method::GET, "/__admin/merchants", None)
        .await
        .expect(200)
        .clone();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|m| m["merchantId"] == merchant_id)
    );
}

#[tokio::test]
async fn merchant_creation_rejects_bad_input() {
    let app = spawn_app().await;
    for (body, reason) in [
        (json!({"region": "mars"}), "InvalidParameterValue"),
        (json!({"environment": "prod"}), "InvalidParameterValue"),
        (
            json!({"publicKeyPem": "not a key"}),
            "InvalidParameterValue",
        ),
        (json!({"color": "blue"}), "UnrecognizedField"),
    ] {
        app.admin(Method::POST, "/__admin/merchants", Some(body))
            .await
            .expect_error(400, reason);
    }
}

#[tokio::test]
async fn the_clock_can_be_read_advanced_and_set() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let path = format!("/__admin/merchants/{}/clock", m.merchant_id);
    let c = app
        .admin(Method::GET, &path, None)
        .await
        .expect(200)
        .clone();
    assert_eq!(c["frozen"], false);
    let c = app
        .admin(
            Method::PUT,
            &path,
            Some(json!({"now": "20300101T000000Z", "frozen": true})),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(c["now"], "20300101T000000Z");
    let c = app.advance_clock(&m, "1d2h").await;
    assert_eq!(c["now"], "20300102T020000Z");
    let c = app
        .admin(
            Method::POST,
            &format!("{path}/advance"),
            Some(json!({"seconds": 60})),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(c["now"], "20300102T020100Z");
    app.admin(
        Method::POST,
        &format!("{path}/advance"),
        Some(json!({"seconds": -1})),
    )
    .await
    .expect_error(400, "InvalidParameterValue");
    app.admin(Method::PUT, &path, Some(json!({"now": "tomorrow"})))
        .await
        .expect_error(400, "InvalidParameterValue");
    app.admin(Method::GET, "/__admin/merchants/ANOBODY000000/clock", None)
        .await
        .expect_error(404, "ResourceNotFound");
    // Objects created now carry the virtual time.
    let s = app.create_session(&m, session_body(&m, None)).await;
    assert_eq!(s["creationTimestamp"], "20300102T020100Z");
}

#[tokio::test]
async fn buyer_actions_return_the_redirect_a_browser_would_follow() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.ready_session(&m, authorize("14.00")).await;
    app.buyer(&id, "pay", json!({}))
        .await
        .expect_error(422, "InvalidCheckoutSessionStatus");
    let r = app
        .buyer(
            &id,
            "sign-in",
            json!({"name": "Jane Doe", "email": "jane@example.com", "instrument": "0005"}),
        )
        .await;
    assert_eq!(
        r.expect(200)["redirectUrl"],
        format!("https://shop.example/review?amazonCheckoutSessionId={id}")
    );
    let s = app.session(&m, &id).await;
    assert_eq!(s["buyer"]["name"], "Jane Doe");
    assert!(
        s["buyer"]["buyerId"]
            .as_str()
            .unwrap()
            .starts_with("amzn1.account.")
    );
    assert_eq!(
        s["paymentPreferences"][0]["paymentDescriptor"],
        "Visa ****0005"
    );
    let r = app
        .buyer(&id, "choose", json!({"instrument": "declined"}))
        .await;
    r.expect(200);
    app.buyer(&id, "choose", json!({"instrument": "1234"}))
        .await
        .expect_error(400, "InvalidParameterValue");
    let r = app.buyer(&id, "pay", json!({})).await;
    let v = r.expect(200);
    assert_eq!(
        v["redirectUrl"],
        format!("https://shop.example/result?amazonCheckoutSessionId={id}")
    );
    assert_eq!(
        (v["state"].as_str(), v["reasonCode"].as_str()),
        (Some("Canceled"), Some("Declined"))
    );
    app.buyer(&id, "cancel", json!({}))
        .await
        .expect_error(422, "InvalidCheckoutSessionStatus");
}

#[tokio::test]
async fn cancel_sends_the_buyer_to_the_cancel_url() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.ready_session(&m, authorize("14.00")).await;
    let r = app.buyer(&id, "cancel", json!({})).await;
    let v = r.expect(200);
    assert_eq!(
        v["redirectUrl"],
        format!("https://shop.example/cancel?amazonCheckoutSessionId={id}")
    );
    assert_eq!(v["reasonCode"], "BuyerCanceled");
}

#[tokio::test]
async fn buyer_actions_on_unknown_sessions_are_not_found() {
    let app = spawn_app().await;
    app.buyer("7efe55c3-38c7-4a1b-944d-aded27032b9a", "sign-in", json!({}))
        .await
        .expect_error(404, "ResourceNotFound");
}

#[tokio::test]
async fn the_amazon_pay_redirect_url_runs_the_payment_step_and_redirects_to_the_result_url() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.ready_session(&m, authorize("14.00")).await;
    app.buyer(&id, "sign-in", json!({})).await.expect(200);
    let s = app.session(&m, &id).await;
    let url = s["webCheckoutDetails"]["amazonPayRedirectUrl"]
        .as_str()
        .unwrap();
    let path = url.strip_prefix(BASE_URL).unwrap();
    // The page shows the payment; its form posts the payment step.
    let page = app
        .raw(Request::get(path).body(Body::empty()).unwrap())
        .await;
    assert_eq!(page.status.as_u16(), 200);
    let html = String::from_utf8_lossy(&page.raw).into_owned();
    let token = html
        .split_once("name=\"formToken\" value=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(token, _)| token.to_owned())
        .expect("the page has a form token");
    let r = app
        .raw(
            Request::post("/checkout/processing")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "amazonCheckoutSessionId={id}&formToken={token}"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(
        r.headers["location"],
        format!("https://shop.example/result?amazonCheckoutSessionId={id}").as_str()
    );
    app.complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
        .await
        .expect(200);
}

#[tokio::test]
async fn the_merchant_list_comes_in_pages() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.merchant().await;
    }
    let all = app.admin(Method::GET, "/__admin/merchants", None).await;
    let all = all.expect(200).as_array().unwrap().clone();
    assert_eq!(all.len(), 5);

    let first = app
        .admin(Method::GET, "/__admin/merchants?limit=2", None)
        .await;
    let first = first.expect(200).as_array().unwrap().clone();
    let after = first[1]["merchantId"].as_str().unwrap();
    let second = app
        .admin(
            Method::GET,
            &format!("/__admin/merchants?limit=2&after={after}"),
            None,
        )
        .await;
    let second = second.expect(200).as_array().unwrap().clone();

    assert_eq!(first, all[..2]);
    assert_eq!(second, all[2..4]);
    app.admin(Method::GET, "/__admin/merchants?limit=0", None)
        .await
        .expect_error(400, "InvalidParameterValue");
    app.admin(Method::GET, "/__admin/merchants?limit=1001", None)
        .await
        .expect_error(400, "InvalidParameterValue");
}
