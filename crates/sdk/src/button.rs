//! Checkout button support: the payload, its signature, and the config for `amazon.Pay.renderButton`.
//!
//! The payload is serialized to JSON exactly once; the signature covers those bytes, and the
//! same string is what the page hands to `checkout.js` (`payloadJSON`). Embed
//! [`ButtonSignature::create_checkout_session_config`] in the page as JSON (not by pasting the
//! payload into a JavaScript string by hand), so the browser sees the very bytes that were
//! signed.

use amzpay_signing::Algorithm;
use serde::Serialize;

use crate::client::Client;
use crate::config::Config;
use crate::error::{Error, SigningFailure};

/// A signed button payload.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use amzpay::types::{CreateCheckoutSessionRequest, WebCheckoutDetailsInput};
/// # let pem = amzpay::signing::PrivateKey::generate(2048)?.to_pkcs8_pem()?;
/// let config = amzpay::Config::builder()
///     .public_key_id("SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B")
///     .private_key_pem(pem)
///     .region(amzpay::Region::Na)
///     .build()?;
/// let payload = CreateCheckoutSessionRequest {
///     web_checkout_details: WebCheckoutDetailsInput {
///         checkout_review_return_url: Some("https://shop.example/review".into()),
///         ..Default::default()
///     },
///     store_id: "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef".into(),
///     ..Default::default()
/// };
/// let button = amzpay::button::ButtonSignature::sign(&config, &payload)?;
/// assert!(button.payload().starts_with(r#"{"webCheckoutDetails""#));
/// let js_config = button.create_checkout_session_config();
/// assert_eq!(js_config["payloadJSON"], button.payload());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonSignature {
    payload: String,
    signature: String,
    public_key_id: String,
    algorithm: Algorithm,
}

impl ButtonSignature {
    /// Serializes `payload` (a [`CreateCheckoutSessionRequest`](amzpay_types::CreateCheckoutSessionRequest),
    /// a `serde_json::Value`, or any serializable value) once and signs the result.
    pub fn sign<P: Serialize + ?Sized>(config: &Config, payload: &P) -> Result<Self, Error> {
        let payload = serde_json::to_string(payload).map_err(Error::serialize)?;
        Self::sign_str(config, payload)
    }

    /// Signs a payload that is already JSON text, byte for byte as given.
    pub fn sign_str(config: &Config, payload: impl Into<String>) -> Result<Self, Error> {
        let payload = payload.into();
        let signature =
            amzpay_signing::sign_button_payload(&payload, config.private_key(), config.algorithm())
                .map_err(|source| {
                    Error::Signing(SigningFailure {
                        attempts: 0,
                        source,
                    })
                })?;
        Ok(ButtonSignature {
            payload,
            signature,
            public_key_id: config.public_key_id().to_owned(),
            algorithm: config.algorithm(),
        })
    }

    /// The payload JSON text, exactly as signed.
    pub fn payload(&self) -> &str {
        &self.payload
    }

    /// The signature, base64.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The public key id the page must name.
    pub fn public_key_id(&self) -> &str {
        &self.public_key_id
    }

    /// The algorithm the page must name.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The `createCheckoutSessionConfig` object for `amazon.Pay.renderButton`:
    /// `{payloadJSON, signature, publicKeyId, algorithm}`.
    pub fn create_checkout_session_config(&self) -> serde_json::Value {
        serde_json::json!({
            "payloadJSON": self.payload,
            "signature": self.signature,
            "publicKeyId": self.public_key_id,
            "algorithm": self.algorithm.as_str(),
        })
    }
}

impl Client {
    /// Signs a checkout button payload with the client's key (see [`ButtonSignature::sign`]).
    ///
    /// ```no_run
    /// # fn example(client: amzpay::Client) -> Result<(), amzpay::Error> {
    /// let button = client.sign_button_payload(&serde_json::json!({
    ///     "webCheckoutDetails": {"checkoutReviewReturnUrl": "https://shop.example/review"},
    ///     "storeId": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef",
    /// }))?;
    /// println!("{}", button.create_checkout_session_config());
    /// # Ok(()) }
    /// ```
    pub fn sign_button_payload<P: Serialize + ?Sized>(
        &self,
        payload: &P,
    ) -> Result<ButtonSignature, Error> {
        ButtonSignature::sign(self.config(), payload)
    }
}
