//! The button signature (spec §6.7): the "static" signature of the `payloadJSON` given to
//! `amazon.Pay.renderButton`. It has no date, so it never expires.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::algorithm::Algorithm;
use crate::canonical::string_to_sign;
use crate::key::{PrivateKey, PublicKey};
use crate::sign::SigningError;

/// `AlgorithmName "\n" hex(sha256(payload))`: what a button signature signs.
pub fn button_string_to_sign(algorithm: Algorithm, payload: &str) -> String {
    string_to_sign(algorithm, payload)
}

/// Signs a button payload and returns the base64 signature for `createCheckoutSessionConfig`
/// (or `signInConfig`). Sign exactly the string the page will pass to the button; name the
/// algorithm in the button config when it is V2.
///
/// ```
/// use amzpay_signing::{Algorithm, PrivateKey, sign_button_payload, verify_button_signature};
/// let key = PrivateKey::generate(2048)?;
/// let payload = r#"{"storeId":"amzn1.application-oa2-client.0123"}"#;
/// let signature = sign_button_payload(payload, &key, Algorithm::AmznPayRsassaPssV2)?;
/// verify_button_signature(payload, &signature, key.public_key(), Algorithm::AmznPayRsassaPssV2)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_button_payload(
    payload: &str,
    key: &PrivateKey,
    algorithm: Algorithm,
) -> Result<String, SigningError> {
    let message = button_string_to_sign(algorithm, payload);
    let signature = key
        .sign_message(algorithm, message.as_bytes())
        .map_err(SigningError::crypto)?;
    Ok(STANDARD.encode(signature))
}

/// Verifies a button signature against the payload exactly as received from the browser.
/// Whitespace around the base64 text is ignored.
pub fn verify_button_signature(
    payload: &str,
    signature_base64: &str,
    key: &PublicKey,
    algorithm: Algorithm,
) -> Result<(), ButtonSignatureError> {
    let signature = STANDARD
        .decode(signature_base64.trim())
        .map_err(|_| ButtonSignatureError::Malformed)?;
    let message = button_string_to_sign(algorithm, payload);
    if key.verify_message(algorithm, message.as_bytes(), &signature) {
        Ok(())
    } else {
        Err(ButtonSignatureError::Mismatch)
    }
}

/// Why a button signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ButtonSignatureError {
    /// The signature is not standard padded base64.
    #[error("the button signature is not valid base64")]
    Malformed,
    /// The signature does not match the payload, key and algorithm.
    #[error("the button signature does not match the payload")]
    Mismatch,
}
