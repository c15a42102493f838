//! Create, Get, Update Checkout Session; constraints; tenancy.

use axum::http::Method;
use serde_json::json;

use crate::helpers::*;

const SESSION_KEYS: &[&str] = &[
    "checkoutSessionId",
    "webCheckoutDetails",
    "productType",
    "paymentDetails",
    "chargePermissionType",
    "orderType",
    "recurringMetadata",
    "paymentMethodOnFileMetadata",
    "merchantDetails",
    "merchantMetadata",
    "supplementaryData",
    "buyer",
    "billingAddress",
    "paymentPreferences",
    "statusDetails",
    "shippingAddress",
    "platformId",
    "chargePermissionId",
    "chargeId",
    "constraints",
    "creationTimestamp",
    "expirationTimestamp",
    "storeId",
    "providerMetadata",
    "releaseEnvironment",
    "checkoutButtonText",
    "deliverySpecifications",
    "tokens",
];

fn constraint_ids(s: &serde_json::Value) -> Vec<String> {
    s["constraints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["constraintId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn create_answers_201_with_every_field_in_documented_order() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let r = app
        .post(&m, "/v2/checkoutSessions", session_body(&m, None))
        .await;
    let s = r.expect(201);
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, SESSION_KEYS);
    assert!(r.headers.contains_key("x-amz-pay-request-id"));
    assert_eq!(s["statusDetails"]["state"], "Open");
    assert_eq!(s["productType"], "PayAndShip");
    assert_eq!(s["chargePermissionType"], "OneTime");
    assert_eq!(s["releaseEnvironment"], "Sandbox");
    assert_eq!(s["storeId"], m.store_id.as_str());
    assert_eq!(s["webCheckoutDetails"]["amazonPayRedirectUrl"], json!(null));
    let id = s["checkoutSessionId"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(id, id.to_lowercase());
}

#[tokio::test]
async fn expiration_is_creation_plus_24_hours_in_the_compact_format() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let s = app.create_session(&m, session_body(&m, None)).await;
    let created = s["creationTimestamp"].as_str().unwrap();
    let expires = s["expirationTimestamp"].as_str().unwrap();
    assert_eq!(created.len(), 16);
    let parse = |t: &str| amzpay_emulator_core::Timestamp::parse(t).unwrap().unix();
    assert_eq!(parse(expires) - parse(created), 86_400);
}

#[tokio::test]
async fn constraints_disappear_as_the_session_is_completed_and_then_the_redirect_url_appears() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let mut body = session_body(&m, None);
    body["webCheckoutDetails"]
        .as_object_mut()
        .unwrap()
        .remove("checkoutResultReturnUrl");
    let s = app.create_session(&m, body).await;
    let id = s["checkoutSessionId"].as_str().unwrap().to_owned();
    assert_eq!(
        constraint_ids(&s),
        [
            "BuyerNotAssociated",
            "ChargeAmountNotSet",
            "CheckoutResultReturnUrlNotSet",
            "PaymentIntentNotSet"
        ]
    );
    assert_eq!(
        s["constraints"][0]["description"],
        "There is no buyer associated with the Checkout Session. Return the checkout session id to the Amazon Pay Button to allow buyer to login."
    );
    let r = app.buyer(&id, "sign-in", json!({})).await;
    assert_eq!(
        r.expect(200)["redirectUrl"],
        format!("https://shop.example/review?amazonCheckoutSessionId={id}")
    );
    let s = app.session(&m, &id).await;
    assert_eq!(
        constraint_ids(&s),
        [
            "ChargeAmountNotSet",
            "CheckoutResultReturnUrlNotSet",
            "PaymentIntentNotSet"
        ]
    );
    assert_eq!(s["buyer"]["name"], "Test Buyer");
    assert_eq!(s["shippingAddress"]["city"], "Seattle");
    assert_eq!(
        s["paymentPreferences"][0]["paymentDescriptor"],
        "Visa ****1111"
    );
    let s = app
        .set_result_url_and_amount(&m, &id)
        .await
        .expect(200)
        .clone();
    assert!(constraint_ids(&s).is_empty());
    assert_eq!(
        s["webCheckoutDetails"]["amazonPayRedirectUrl"],
        format!("{BASE_URL}/checkout/processing?amazonCheckoutSessionId={id}")
    );
    // PATCH merges: the review URL set at creation is still there.
    assert_eq!(
        s["webCheckoutDetails"]["checkoutReviewReturnUrl"],
        "https://shop.example/review"
    );
    assert_eq!(s["paymentDetails"]["chargeAmount"], usd("14.00"));
}

#[tokio::test]
async fn update_merges_only_the_supplied_children() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let mut body = session_body(&m, Some(authorize("10")));
    body["merchantMetadata"] = json!({"merchantReferenceId": "order-1", "noteToBuyer": "thanks"});
    let id = app.create_session(&m, body).await["checkoutSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let s = app
        .update_session(
            &m,
            &id,
            json!({"merchantMetadata": {"noteToBuyer": "merci"}}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(s["merchantMetadata"]["merchantReferenceId"], "order-1");
    assert_eq!(s["merchantMetadata"]["noteToBuyer"], "merci");
    assert_eq!(s["paymentDetails"]["chargeAmount"], usd("10.00"));
}

#[tokio::test]
async fn update_of_a_completed_session_is_an_invalid_status() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let id = app.paid_session(&m, authorize("14.00")).await;
    app.complete(&m, &id, json!({"chargeAmount": usd("14.00")}))
        .await
        .expect(200);
    app.update_session(&m, &id, json!({"merchantMetadata": {"noteToBuyer": "x"}}))
        .await
        .expect_error(422, "InvalidCheckoutSessionStatus");
}

#[tokio::test]
async fn another_merchants_session_is_not_found() {
    let app = spawn_app().await;
    let owner = app.merchant().await;
    let other = app.merchant().await;
    let id = app.ready_session(&owner, authorize("14.00")).await;
    let path = format!("/v2/checkoutSessions/{id}");
    app.get(&other, &path)
        .await
        .expect_error(404, "ResourceNotFound");
    app.patch(
        &other,
        &path,
        json!({"merchantMetadata": {"noteToBuyer": "x"}}),
    )
    .await
    .expect_error(404, "ResourceNotFound");
    app.complete(&other, &id, json!({"chargeAmount": usd("14.00")}))
        .await
        .expect_error(404, "ResourceNotFound");
    app.get(&owner, &path).await.expect(200);
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_not_found() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    for id in ["7efe55c3-38c7-4a1b-944d-aded27032b9a", "not-an-id"] {
        app.get(&m, &format!("/v2/checkoutSessions/{id}"))
            .await
            .expect_error(404, "ResourceNotFound");
    }
    app.get(&m, "/v2/chargePermissions/S01-0000000-0000000")
        .await
        .expect_error(404, "ResourceNotFound");
    app.get(&m, "/v2/charges/S01-0000000-0000000-C000000")
        .await
        .expect_error(404, "ResourceNotFound");
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_amazons_shape_with_a_request_id() {
    let app = spawn_app().await;
    let m = app.merchant().await;
    let r = app.get(&m, "/v2/nothingHere").await;
    r.expect_error(404, "ResourceNotFound");
    assert!(r.headers.contains_key("x-amz-pay-request-id"));
    let r = app
        .call(&m, Call::new("DELETE", "/v2/checkoutSessions"))
        .await;
    r.expect_error(405, "RequestNotSupported");
    let r = app.admin(Method::GET, "/nowhere", None).await;
    assert!(r.headers.contains_key("x-amz-pay-request-id"));
}

#[tokio::test]
async fn eu_and_jp_merchants_get_their_region_in_ids_and_currencies() {
    let app = spawn_app().await;
    let m = app.merchant_with(json!({"region": "jp"})).await;
    let mut body = session_body(
        &m,
        Some(json!({
            "paymentIntent": "AuthorizeWithCapture",
            "chargeAmount": {"amount": 500, "currencyCode": "JPY"}
        })),
    );
    let id = app.create_session(&m, body.clone()).await["checkoutSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    app.pay(&id, "1111").await.expect(200);
    let s = app
        .complete(
            &m,
            &id,
            json!({"chargeAmount": {"amount": "500", "currencyCode": "JPY"}}),
        )
        .await
        .expect(200)
        .clone();
    assert!(
        s["chargePermissionId"]
            .as_str()
            .unwrap()
            .starts_with("S03-")
    );
    let charge = app
        .get(
            &m,
            &format!("/v2/charges/{}", s["chargeId"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        charge.expect(200)["chargeAmount"],
        json!({"amount": "500", "currencyCode": "JPY"})
    );
    // USD is not a currency of a JP merchant.
    body["paymentDetails"]["chargeAmount"] = usd("5.00");
    app.post(&m, "/v2/checkoutSessions", body)
        .await
        .expect_error(400, "InvalidParameterValue");
}
