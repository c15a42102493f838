//! Fixtures for the post-checkout tests: completed checkouts, and charges, permissions and
//! refunds brought into every state through the API (never by writing the store).

use serde_json::{Value, json};

use crate::helpers::*;

/// A completed checkout: the permission and, for Authorize and AuthorizeWithCapture, the charge.
pub(crate) struct Completed {
    pub(crate) permission_id: String,
    pub(crate) charge_id: Option<String>,
}

impl Completed {
    pub(crate) fn permission_path(&self) -> String {
        format!("/v2/chargePermissions/{}", self.permission_id)
    }

    pub(crate) fn charge(&self) -> &str {
        self.charge_id
            .as_deref()
            .expect("the checkout made a charge")
    }
}

impl TestApp {
    /// Creates, pays (with `instrument`) and completes a session with `payment_details`.
    pub(crate) async fn checkout_with(
        &self,
        m: &Merchant,
        mut body: Value,
        instrument: &str,
    ) -> Completed {
        body["storeId"] = json!(m.store_id);
        let session = self.create_session(m, body.clone()).await;
        let id = session["checkoutSessionId"].as_str().unwrap().to_owned();
        self.pay(&id, instrument).await.expect(200);
        let p = &body["paymentDetails"];
        let mut complete = json!({});
        if !p["chargeAmount"].is_null() {
            complete["chargeAmount"] = p["chargeAmount"].clone();
        }
        if !p["totalOrderAmount"].is_null() {
            complete["totalOrderAmount"] = p["totalOrderAmount"].clone();
        }
        let r = self.complete(m, &id, complete).await;
        assert!(
            matches!(r.status.as_u16(), 200 | 202),
            "complete: {}",
            String::from_utf8_lossy(&r.raw)
        );
        Completed {
            permission_id: r.body["chargePermissionId"].as_str().unwrap().to_owned(),
            charge_id: r.body["chargeId"].as_str().map(str::to_owned),
        }
    }

    /// A OneTime `paymentIntent` checkout of `amount` USD paid with the success card.
    pub(crate) async fn checkout(&self, m: &Merchant, intent: &str, amount: &str) -> Completed {
        let body = session_body(
            m,
            Some(json!({"paymentIntent": intent, "chargeAmount": usd(amount)})),
        );
        self.checkout_with(m, body, "1111").await
    }

    /// A `Confirm` checkout: a Chargeable OneTime permission with `amountLimit` = `amount`.
    pub(crate) async fn deferred(&self, m: &Merchant, amount: &str) -> Completed {
        self.checkout(m, "Confirm", amount).await
    }

    /// A `PaymentMethodOnFile` permission (Confirm, setup only: no limit but the monthly one).
    pub(crate) async fn saved_wallet(&self, m: &Merchant) -> Completed {
        let mut body = session_body(m, Some(json!({"paymentIntent": "Confirm"})));
        body["chargePermissionType"] = json!("PaymentMethodOnFile");
        body["paymentMethodOnFileMetadata"] = json!({"setupOnly": true});
        self.checkout_with(m, body, "1111").await
    }

    /// A signed request with optional JSON body, idempotency key and simulation code.
    pub(crate) async fn send(
        &self,
        m: &Merchant,
        method: &str,
        path: &str,
        body: Option<Value>,
        simulation: Option<&str>,
    ) -> Resp {
        let mut call = Call::new(method, path);
        if let Some(b) = body {
            call = call.json(b);
        }
        if method == "POST" {
            call = call.idempotency_key(&new_key());
        }
        if let Some(code) = simulation {
            call = call.header("x-amz-pay-simulation-code", code);
        }
        self.call(m, call).await
    }

    pub(crate) async fn create_charge(
        &self,
        m: &Merchant,
        permission_id: &str,
        amount: &str,
        extra: Value,
        simulation: Option<&str>,
    ) -> Resp {
        let mut body = json!({"chargePermissionId": permission_id, "chargeAmount": usd(amount)});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        self.send(m, "POST", "/v2/charges", Some(body), simulation)
            .await
    }

    pub(crate) async fn capture(
        &self,
        m: &Merchant,
        charge_id: &str,
        amount: &str,
        simulation: Option<&str>,
    ) -> Resp {
        self.send(
            m,
            "POST",
            &format!("/v2/charges/{charge_id}/capture"),
            Some(json!({"captureAmount": usd(amount)})),
            simulation,
        )
        .await
    }

    pub(crate) async fn cancel_charge(&self, m: &Merchant, charge_id: &str) -> Resp {
        let path = format!("/v2/charges/{charge_id}/cancel");
        self.delete(m, &path, json!({"cancellationReason": "Out of stock"}))
            .await
    }

    pub(crate) async fn refund(
        &self,
        m: &Merchant,
        charge_id: &str,
        amount: &str,
        simulation: Option<&str>,
    ) -> Resp {
        self.send(
            m,
            "POST",
            "/v2/refunds",
            Some(json!({"chargeId": charge_id, "refundAmount": usd(amount)})),
            simulation,
        )
        .await
    }

    pub(crate) async fn charge_state(&self, m: &Merchant, charge_id: &str) -> Value {
        self.get(m, &format!("/v2/charges/{charge_id}"))
            .await
            .expect(200)
            .clone()
    }

    pub(crate) async fn permission(&self, m: &Merchant, permission_id: &str) -> Value {
        self.get(m, &format!("/v2/chargePermissions/{permission_id}"))
            .await
            .expect(200)
            .clone()
    }

    pub(crate) async fn permission_event(&self, permission_id: &str, event: &str) -> Resp {
        self.admin(
            axum::http::Method::POST,
            &format!("/__admin/chargePermissions/{permission_id}/events"),
            Some(json!({"event": event})),
        )
        .await
    }

    pub(crate) async fn close_permission(&self, m: &Merchant, permission_id: &str) -> Resp {
        let path = format!("/v2/chargePermissions/{permission_id}/close");
        self.delete(m, &path, json!({"closureReason": "Order complete"}))
            .await
    }
}

/// `statusDetails.state` with the reason (`Canceled/MerchantCanceled`) of a Charge or Refund.
pub(crate) fn state_of(v: &Value) -> String {
    let s = &v["statusDetails"];
    match s["reasonCode"].as_str() {
        Some(r) => format!("{}/{r}", s["state"].as_str().unwrap_or("?")),
        None => s["state"].as_str().unwrap_or("?").to_owned(),
    }
}

/// `statusDetails.state` with the reasons of a Charge Permission (`NonChargeable/ChargeInProgress`).
pub(crate) fn permission_state_of(v: &Value) -> String {
    let s = &v["statusDetails"];
    let reasons: Vec<&str> = s["reasons"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["reasonCode"].as_str()).collect())
        .unwrap_or_default();
    let state = s["state"].as_str().unwrap_or("?");
    if reasons.is_empty() {
        state.to_owned()
    } else {
        format!("{state}/{}", reasons.join("+"))
    }
}
