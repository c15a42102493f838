//! `POST /checkout/start`: what a click on the Amazon Pay button does (spec §6.7, §11.2 step 1).
//!
//! `checkout.js` posts the button's `createCheckoutSessionConfig` (`payloadJSON`, `signature`,
//! `publicKeyId`, `algorithm`) plus the button's `productType` and `merchantId`. The emulator
//! verifies the signature over `payloadJSON` exactly as received, with the public key registered
//! under `publicKeyId`, and creates the Checkout Session from the payload by the same rules as
//! Create Checkout Session. The answer is JSON for the script: `{checkoutSessionId, redirectUrl}`
//! (201), or Amazon's `{reasonCode, message}`, which the script shows on the button. The merchant's
//! page is on another origin, so every answer allows any origin (no credentials are involved).

use amzpay_emulator_core::checkout;
use amzpay_emulator_core::model::ProductType;
use amzpay_signing::{Algorithm, ButtonSignatureError, verify_button_signature};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::convert::{self, to_json};
use crate::http::error::{ApiError, Reason};
use crate::http::extract::parse_json;
use crate::http::reply;
use crate::service::auth::{self, LegacyKey};
use crate::service::sessions;
use crate::state::{AppState, real_now};

/// What `checkout.js` posts.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartRequest {
    #[serde(rename = "payloadJSON")]
    payload_json: Option<String>,
    signature: Option<String>,
    public_key_id: Option<String>,
    algorithm: Option<String>,
    product_type: Option<String>,
    merchant_id: Option<String>,
}

/// The answer to a successful start.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Started {
    checkout_session_id: String,
    redirect_url: String,
}

fn cors(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The CORS preflight of `POST /checkout/start` (the script sends JSON).
pub(super) async fn preflight() -> Response {
    let mut response = cors(StatusCode::NO_CONTENT.into_response());
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    // A shop served from a LAN address may call an emulator on loopback.
    h.insert(
        "access-control-allow-private-network",
        HeaderValue::from_static("true"),
    );
    response
}

/// The button's click.
pub(super) async fn start(State(state): State<AppState>, body: Bytes) -> Response {
    cors(match create(&state, &body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    })
}

fn missing(field: &str) -> ApiError {
    ApiError::new(
        Reason::MissingParameterValue,
        format!("Value is missing for the required parameter createCheckoutSessionConfig.{field}."),
    )
}

async fn create(state: &AppState, body: &[u8]) -> Result<Response, ApiError> {
    if body.len() > state.settings().body_limit {
        return Err(ApiError::new(
            Reason::RequestEntityTooLarge,
            "The button configuration is too large.",
        ));
    }
    let req: StartRequest = parse_json(body, false)?;
    let payload = req.payload_json.ok_or_else(|| missing("payloadJSON"))?;
    let signature = req.signature.ok_or_else(|| missing("signature"))?;
    let key_text = req.public_key_id.ok_or_else(|| missing("publicKeyId"))?;
    // Amazon assumes the first algorithm when the button does not name one (spec §6.7).
    let algorithm = match req.algorithm.as_deref() {
        None | Some("") => Algorithm::AmznPayRsassaPss,
        Some(a) => a.parse::<Algorithm>().map_err(|e| {
            ApiError::new(
                Reason::InvalidParameterValue,
                format!(
                    "The value provided for createCheckoutSessionConfig.algorithm is invalid: {e}."
                ),
            )
        })?,
    };
    let owner = auth::key_owner(state, &key_text).await?;
    let key_id = &owner.key_id;
    if let Some(m) = req.merchant_id.as_deref()
        && m != owner.merchant.merchant_id.as_str()
    {
        return Err(ApiError::new(
            Reason::InvalidParameterValue,
            format!("The merchantId {m} of the button does not own the public key {key_id}."),
        ));
    }
    let environment = owner.environment(LegacyKey::Merchant)?;
    verify_button_signature(&payload, &signature, &owner.public_key, algorithm).map_err(|e| {
        let why = match e {
            ButtonSignatureError::Malformed => "the signature is not valid base64",
            _ => "the signature does not match payloadJSON",
        };
        ApiError::new(
            Reason::InvalidRequestSignature,
            format!(
                "The Amazon Pay button's signature is invalid: {why} for public key {key_id} with {algorithm}. Sign payloadJSON exactly as the page passes it."
            ),
        )
    })?;
    let wire: amzpay_types::CreateCheckoutSessionRequest =
        parse_json(payload.as_bytes(), false).map_err(in_payload)?;
    let mut input = convert::new_session(wire).map_err(in_payload)?;
    // The product type is a button setting, not part of the payload (spec §11.1).
    input.product_type = match req.product_type.as_deref() {
        None | Some("") => None,
        Some(p) => Some(ProductType::parse(p).ok_or_else(|| {
            ApiError::new(
                Reason::InvalidParameterValue,
                format!("The value provided for productType is invalid: {p:?} is not PayAndShip or PayOnly."),
            )
        })?),
    };
    let caller = owner.caller(environment, real_now());
    let base = state.settings().public_base_url.clone();
    let written = sessions::create_for_button(state, &caller, input, move |c| {
        let started = Started {
            checkout_session_id: c.session.id.to_string(),
            redirect_url: checkout::with_session_id(
                &format!("{base}/checkout/signin"),
                &c.session.id,
            ),
        };
        to_json(&started)
    })
    .await?;
    if written.answer.status == 201 {
        tracing::info!(merchant_id = %caller.merchant.merchant_id, "checkout session created from a button");
    }
    Ok(reply(written))
}

/// Names the payload in a payload error, so the merchant knows which JSON is wrong.
fn in_payload(e: ApiError) -> ApiError {
    match e {
        ApiError::Amazon { reason, message } => ApiError::Amazon {
            reason,
            message: format!("The button payload (payloadJSON) is invalid: {message}"),
        },
        other => other,
    }
}
