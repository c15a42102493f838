//! Who is calling: request authentication for Amazon's API, the key checks the hosted button
//! shares with it, and the sandbox simulation code of a request. One place for each rule, below
//! HTTP: the extractor in `http::extract` and the button's start endpoint both call in here.

use amzpay_emulator_core::ids::PublicKeyId;
use amzpay_emulator_core::model::{Environment, Merchant, Region};
use amzpay_emulator_core::{Operation, Simulation, Timestamp};
use amzpay_emulator_store::Tenant;
use amzpay_signing::{PublicKey, ReceivedRequest, VerifyError, verify};

use crate::error::{ApiError, Reason};
use crate::state::{AppState, real_now};

/// An authenticated caller: the merchant owning the key, the environment of the request and the
/// merchant's virtual now.
#[derive(Debug)]
pub(crate) struct Caller {
    /// The merchant owning the key.
    pub(crate) merchant: Merchant,
    /// Merchant and environment of the request.
    pub(crate) tenant: Tenant,
    /// The merchant's virtual now.
    pub(crate) now: Timestamp,
}

/// Where a legacy key (no `SANDBOX-`/`LIVE-` prefix) takes its environment from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LegacyKey {
    /// From a `/{sandbox|live}/v2` path; without one the request is refused (Amazon's API).
    Path(Option<Environment>),
    /// From the merchant (the button, which has no path to name it).
    Merchant,
}

/// A registered key: its id, its merchant and the parsed public key.
#[derive(Debug)]
pub(crate) struct KeyOwner {
    pub(crate) key_id: PublicKeyId,
    pub(crate) merchant: Merchant,
    pub(crate) public_key: PublicKey,
}

/// Looks up the key `key_text` names: 401 `UnauthorizedAccess` when it is not registered.
pub(crate) async fn key_owner(state: &AppState, key_text: &str) -> Result<KeyOwner, ApiError> {
    let unknown_key = || {
        ApiError::new(
            Reason::UnauthorizedAccess,
            format!("The public key id {key_text} is not registered with this emulator."),
        )
    };
    let key_id = PublicKeyId::parse(key_text).ok_or_else(unknown_key)?;
    let (merchant, key) = state
        .store()
        .merchant_by_key(&key_id)
        .await?
        .ok_or_else(unknown_key)?;
    let public_key = state
        .public_key(&key_id, &key.public_key_pem)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("stored public key")))?;
    Ok(KeyOwner {
        key_id,
        merchant,
        public_key,
    })
}

impl KeyOwner {
    /// The environment a request with this key acts in: the key's prefix, checked against a
    /// legacy path and against the merchant's own environment (401 `UnauthorizedAccess`).
    pub(crate) fn environment(&self, legacy: LegacyKey) -> Result<Environment, ApiError> {
        let key_id = &self.key_id;
        let environment = match (key_id.environment(), legacy) {
            (Some(k), LegacyKey::Path(Some(p))) if k != p => {
                return Err(ApiError::new(
                    Reason::UnauthorizedAccess,
                    format!(
                        "The public key {key_id} belongs to the {} environment, but the path names {}.",
                        k.as_str(),
                        p.as_str()
                    ),
                ));
            }
            (Some(k), _) => k,
            (None, LegacyKey::Path(Some(p))) => p,
            (None, LegacyKey::Merchant) => self.merchant.environment,
            (None, LegacyKey::Path(None)) => {
                return Err(ApiError::new(
                    Reason::UnauthorizedAccess,
                    format!(
                        "The public key {key_id} has no environment prefix; use the /sandbox/v2 or /live/v2 path."
                    ),
                ));
            }
        };
        if environment != self.merchant.environment {
            return Err(ApiError::new(
                Reason::UnauthorizedAccess,
                format!(
                    "The public key {key_id} is not valid in the {} environment.",
                    environment.as_str()
                ),
            ));
        }
        Ok(environment)
    }

    /// The caller this key acts as in `environment`, at the merchant's virtual now.
    pub(crate) fn caller(self, environment: Environment, real: Timestamp) -> Caller {
        Caller {
            tenant: Tenant {
                merchant_id: self.merchant.merchant_id.clone(),
                environment,
            },
            now: self.merchant.clock.now(real),
            merchant: self.merchant,
        }
    }
}

/// Authenticates a signed Amazon Pay API request (design.md §4 "Authentication"): the key must
/// be registered (401), valid in the environment of the key prefix or legacy path (401), the
/// signature must verify against the raw request (403), its date must be within
/// `max_clock_skew_secs` of real time (403), and an `x-amz-pay-region` header, when sent, must
/// name the merchant's region (400). `region` is that header's value as text, `Some` of a
/// placeholder when it was unreadable or repeated.
pub(crate) async fn authenticate(
    state: &AppState,
    received: &ReceivedRequest<'_>,
    path_environment: Option<Environment>,
    region: Option<&str>,
) -> Result<Caller, ApiError> {
    let settings = state.settings();
    let authorization = received.authorization().map_err(|e| match e {
        VerifyError::MissingAuthorization(m) if !m.is_repeated() => ApiError::new(
            Reason::MissingHeader,
            "The authorization header is missing.",
        ),
        other => signature_error(&other, false),
    })?;
    let owner = key_owner(state, authorization.public_key_id()).await?;
    let environment = owner.environment(LegacyKey::Path(path_environment))?;
    let verified = verify(received, &authorization, &owner.public_key)
        .map_err(|e| signature_error(&e, settings.debug_signatures))?;
    let real = real_now();
    let skew = (verified.date().unix_timestamp() - real.unix()).abs();
    if skew > settings.max_clock_skew_secs {
        return Err(ApiError::new(
            Reason::InvalidRequestSignature,
            format!(
                "The x-amz-pay-date is {skew} seconds away from the current time; at most {} are allowed.",
                settings.max_clock_skew_secs
            ),
        ));
    }
    if let Some(region) = region {
        match Region::parse_alias(region) {
            Some(r) if r == owner.merchant.region => {}
            Some(_) => {
                return Err(ApiError::new(
                    Reason::InvalidHeaderValue,
                    format!(
                        "The x-amz-pay-region {region} is not the region of this merchant ({}).",
                        owner.merchant.region.as_str()
                    ),
                ));
            }
            None => {
                return Err(ApiError::new(
                    Reason::InvalidHeaderValue,
                    format!("The x-amz-pay-region {region} is not a known region."),
                ));
            }
        }
    }
    Ok(owner.caller(environment, real))
}

fn signature_error(e: &VerifyError, debug: bool) -> ApiError {
    let message = match e {
        VerifyError::InvalidDate(d) => {
            return ApiError::new(
                Reason::InvalidHeaderValue,
                format!("The x-amz-pay-date {:?} is not a valid date.", d.value()),
            );
        }
        VerifyError::BadSignature(bad) if debug => format!(
            "The request signature does not match. The emulator's canonical request was:\n{}\n\nString to sign:\n{}",
            bad.diagnostics().canonical_request(),
            bad.diagnostics().string_to_sign()
        ),
        VerifyError::BadSignature(_) => {
            "The request signature does not match. Start the emulator with --debug-signatures to see its canonical request.".to_owned()
        }
        other => format!("The request signature is invalid: {other}."),
    };
    ApiError::new(Reason::InvalidRequestSignature, message)
}

/// The request's simulation code (`x-amz-pay-simulation-code`, signed or not) for `operation`
/// (`None` for an operation without codes), or 400 `InvalidSandboxSimulationSpecified` when the
/// header is on a live key, unknown, or not one of the operation's codes (design.md §4
/// "Simulation").
pub(crate) fn simulation(
    environment: Environment,
    code: Option<&str>,
    operation: Option<Operation>,
) -> Result<Option<Simulation>, ApiError> {
    let Some(code) = code else {
        return Ok(None);
    };
    let bad = |message: String| {
        Err(ApiError::new(
            Reason::InvalidSandboxSimulationSpecified,
            message,
        ))
    };
    if environment == Environment::Live {
        return bad(
            "Simulation codes are only accepted with sandbox keys; remove x-amz-pay-simulation-code.".to_owned(),
        );
    }
    let Some(simulation) = Simulation::parse(code) else {
        return bad(format!(
            "The simulation code {code:?} is not known; see docs/simulation.md for the list."
        ));
    };
    simulation.for_operation(operation).map(Some).or_else(bad)
}
