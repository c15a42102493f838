//! The emulator's admin API (`/__admin`) as the torture tests use it: merchants, buyer actions,
//! stored-object counts. Plain JSON over reqwest: this crate depends on no emulator code.

use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;
use serde_json::{Value, json};

/// An admin API client for one emulator.
#[derive(Clone, Debug)]
pub struct Admin {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// A merchant created with a generated key pair.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantKeys {
    /// Merchant id.
    pub merchant_id: String,
    /// Store id (goes into Create Checkout Session).
    pub store_id: String,
    /// Public key id (signs requests).
    pub public_key_id: String,
    /// The generated private key.
    pub private_key_pem: String,
}

/// How many objects of each kind a merchant has stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectCounts {
    /// Checkout Sessions.
    pub checkout_sessions: u64,
    /// Charge Permissions.
    pub charge_permissions: u64,
    /// Charges.
    pub charges: u64,
    /// Refunds.
    pub refunds: u64,
}

/// An answer of the admin API (or of an unsigned probe).
#[derive(Clone, Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The JSON body (`Null` when not JSON).
    pub body: Value,
}

impl Admin {
    /// A client for the emulator at `base` (e.g. `http://127.0.0.1:8443`).
    pub fn new(base: &str, token: &str) -> anyhow::Result<Admin> {
        Ok(Admin {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()?,
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        })
    }

    /// Sends one request; `Err` only when no answer came (connection refused, reset, timeout).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            request = request.json(b);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        Ok(Answer {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        })
    }

    /// Creates a sandbox NA merchant with a generated key pair.
    pub async fn create_merchant(&self) -> anyhow::Result<MerchantKeys> {
        let answer = self
            .send(
                reqwest::Method::POST,
                "/__admin/merchants",
                Some(&json!({})),
            )
            .await
            .context("creating a merchant")?;
        anyhow::ensure!(
            answer.status == 201,
            "creating a merchant answered {}: {}",
            answer.status,
            answer.body
        );
        serde_json::from_value(answer.body).context("reading the created merchant")
    }

    /// Sends `merchant_id`'s sandbox notifications to `url`.
    pub async fn set_ipn_endpoint(&self, merchant_id: &str, url: &str) -> anyhow::Result<()> {
        let answer = self
            .send(
                reqwest::Method::PUT,
                &format!("/__admin/merchants/{merchant_id}/ipn"),
                Some(&json!({"sandbox": [url]})),
            )
            .await
            .context("setting the IPN endpoint")?;
        anyhow::ensure!(
            answer.status == 200,
            "setting the IPN endpoint answered {}: {}",
            answer.status,
            answer.body
        );
        Ok(())
    }

    /// Every notification delivery of `merchant_id` (the outbox as the admin API lists it).
    pub async fn notifications(&self, merchant_id: &str) -> anyhow::Result<Vec<Value>> {
        let answer = self
            .send(
                reqwest::Method::GET,
                &format!("/__admin/notifications?merchantId={merchant_id}&limit=100000"),
                None,
            )
            .await
            .context("listing notifications")?;
        anyhow::ensure!(
            answer.status == 200,
            "listing notifications answered {}: {}",
            answer.status,
            answer.body
        );
        serde_json::from_value(answer.body).context("reading the notifications")
    }

    /// Runs a buyer action (`sign-in`, `choose`, `pay`, `cancel`) on a session.
    pub async fn buyer(
        &self,
        session_id: &str,
        action: &str,
        body: &Value,
    ) -> Result<Answer, reqwest::Error> {
        self.send(
            reqwest::Method::POST,
            &format!("/__admin/checkoutSessions/{session_id}/{action}"),
            Some(body),
        )
        .await
    }

    /// The merchant's stored objects per kind.
    pub async fn objects(&self, merchant_id: &str) -> anyhow::Result<ObjectCounts> {
        let answer = self
            .send(
                reqwest::Method::GET,
                &format!("/__admin/merchants/{merchant_id}/objects"),
                None,
            )
            .await
            .context("reading object counts")?;
        anyhow::ensure!(
            answer.status == 200,
            "object counts answered {}: {}",
            answer.status,
            answer.body
        );
        serde_json::from_value(answer.body).context("reading object counts")
    }

    /// The merchant's virtual now (`yyyyMMddTHHmmssZ`).
    pub async fn clock_now(&self, merchant_id: &str) -> anyhow::Result<String> {
        let path = format!("/__admin/merchants/{merchant_id}/clock");
        let answer = self
            .send(reqwest::Method::GET, &path, None)
            .await
            .context("reading the virtual clock")?;
        anyhow::ensure!(
            answer.status == 200,
            "reading the clock answered {}: {}",
            answer.status,
            answer.body
        );
        answer.body["now"]
            .as_str()
            .map(str::to_owned)
            .context("the clock answer has no `now`")
    }

    /// Sets the merchant's virtual clock to `now`, frozen there or running on from there.
    pub async fn set_clock(
        &self,
        merchant_id: &str,
        now: &str,
        frozen: bool,
    ) -> anyhow::Result<()> {
        let path = format!("/__admin/merchants/{merchant_id}/clock");
        let body = json!({"now": now, "frozen": frozen});
        let answer = self
            .send(reqwest::Method::PUT, &path, Some(&body))
            .await
            .context("setting the virtual clock")?;
        anyhow::ensure!(
            answer.status == 200,
            "setting the clock answered {}: {}",
            answer.status,
            answer.body
        );
        Ok(())
    }

    /// Moves the merchant's virtual clock forward by `seconds` (applying what comes due).
    pub async fn advance_clock(&self, merchant_id: &str, seconds: i64) -> anyhow::Result<()> {
        let path = format!("/__admin/merchants/{merchant_id}/clock/advance");
        let body = json!({ "seconds": seconds });
        let answer = self
            .send(reqwest::Method::POST, &path, Some(&body))
            .await
            .context("advancing the virtual clock")?;
        anyhow::ensure!(
            answer.status == 200,
            "advancing the clock answered {}: {}",
            answer.status,
            answer.body
        );
        Ok(())
    }

    /// Whether the emulator routes `method path` (an unsigned request to an existing route with
    /// another method answers 405; an unknown path 404).
    pub async fn has_route(&self, method: reqwest::Method, path: &str) -> anyhow::Result<bool> {
        let response = self
            .http
            .request(method, format!("{}{path}", self.base))
            .send()
            .await
            .context("probing a route")?;
        Ok(response.status().as_u16() == 405)
    }
}

impl MerchantKeys {
    /// An SDK client for this merchant against `base_url`, with retries off (the caller decides
    /// what to retry, so it knows which attempt was acknowledged).
    pub fn client(&self, base_url: &str) -> anyhow::Result<amzpay::Client> {
        let config = amzpay::Config::builder()
            .public_key_id(&self.public_key_id)
            .private_key_pem(&self.private_key_pem)
            .region(amzpay::Region::Na)
            .environment(amzpay::Environment::Sandbox)
            .endpoint(base_url)?
            .max_attempts(1)
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(2))
            .build()
            .context("configuring the SDK")?;
        Ok(amzpay::Client::new(config)?)
    }
}
