//! What the buyer (and, for a permission, Amazon) does: sign in, choose, run the payment step,
//! cancel, and events on a Charge Permission. The admin API's buyer actions and the hosted pages
//! both come here, so a browser and a headless test drive the same transitions. The buyer
//! carries no merchant key, so the object is found by id alone and acts at its merchant's
//! virtual now.

use amzpay_emulator_core::Timestamp;
use amzpay_emulator_core::checkout::{Checkout, Command, Effect, Redirect};
use amzpay_emulator_core::ids::{ChargePermissionId, CheckoutSessionId};
use amzpay_emulator_core::model::{PermissionEvent, SessionState};
use amzpay_emulator_store::{ObjectRef, StoreError, StoredResponse, Target, Tenant};

use crate::admin_api::BuyerActionResult;
use crate::convert::{payment_page_url, permission_view, to_json};
use crate::error::ApiError;
use crate::service::write::{Answer, apply_command, execute, read};
use crate::state::{AppState, real_now};

const SESSION: &str = "Checkout Session";
const PERMISSION: &str = "Charge Permission";

/// The owner of `object` and its merchant's virtual now; `None` when unknown.
async fn owner(
    state: &AppState,
    object: &ObjectRef,
) -> Result<Option<(Tenant, Timestamp)>, ApiError> {
    let Some(tenant) = state.store().locate(object).await? else {
        return Ok(None);
    };
    let merchant = state
        .store()
        .merchant(&tenant.merchant_id)
        .await?
        .ok_or(ApiError::Internal(StoreError::NotFound.into()))?;
    let now = merchant.clock.now(real_now());
    Ok(Some((tenant, now)))
}

/// Runs a buyer action on a session and answers with a [`BuyerActionResult`] holding the
/// redirect a browser would follow (stored as JSON, like every write's answer).
pub(crate) async fn buyer_action(
    state: &AppState,
    id: &str,
    command: Command,
) -> Result<StoredResponse, ApiError> {
    let sid = CheckoutSessionId::parse(id).ok_or_else(|| ApiError::not_found(SESSION, id))?;
    let object = ObjectRef::CheckoutSession(sid);
    let (tenant, now) = owner(state, &object)
        .await?
        .ok_or_else(|| ApiError::not_found(SESSION, id))?;
    let base = state.settings().public_base_url.clone();
    let target = Target::Existing(object);
    let id_owned = id.to_owned();
    let written = execute(state, tenant, target, None, move |loaded| {
        let (c, effects) = apply_command(loaded, command, now, SESSION, &id_owned)?;
        let redirect_url = effects
            .iter()
            .find_map(|e| match e {
                Effect::Redirect(Redirect::Merchant(url)) => Some(url.clone()),
                Effect::Redirect(Redirect::PaymentPage) => Some(payment_page_url(&base, &c)),
                _ => None,
            })
            .unwrap_or_default();
        let result = BuyerActionResult {
            checkout_session_id: c.session.id.to_string(),
            state: c.session.state.as_str().to_owned(),
            reason_code: match &c.session.state {
                SessionState::Canceled { reason, .. } => Some(reason.as_str().to_owned()),
                _ => None,
            },
            redirect_url,
        };
        Ok((c, Answer::ok(to_json(&result))))
    })
    .await?;
    Ok(written.answer)
}

/// Runs a buyer action and answers where the browser goes next, or the stored error answer.
pub(crate) async fn run_buyer_action(
    state: &AppState,
    id: &str,
    command: Command,
) -> Result<Result<BuyerActionResult, StoredResponse>, ApiError> {
    let stored = match buyer_action(state, id, command).await {
        Ok(stored) => stored,
        // An unknown id or a rejected command is the buyer's page to show.
        Err(e @ ApiError::Amazon { .. }) => e.to_stored(),
        Err(e) => return Err(e),
    };
    if stored.status != 200 {
        return Ok(Err(stored));
    }
    serde_json::from_slice(&stored.body)
        .map(Ok)
        .map_err(|e| ApiError::Internal(e.into()))
}

/// Reads a checkout by session id alone, with due timers applied, at the merchant's virtual
/// now. `None` for an unknown, malformed or deleted id.
pub(crate) async fn load(
    state: &AppState,
    id: &str,
) -> Result<Option<(Checkout, Timestamp)>, ApiError> {
    let Some(sid) = CheckoutSessionId::parse(id) else {
        return Ok(None);
    };
    let object = ObjectRef::CheckoutSession(sid);
    let Some((tenant, now)) = owner(state, &object).await? else {
        return Ok(None);
    };
    let loaded = read(state, &tenant, &object, now)
        .await?
        .filter(|c| c.session_visible(now));
    Ok(loaded.map(|c| (c, now)))
}

/// A buyer or Amazon event on a Charge Permission; answers with the permission.
pub(crate) async fn permission_event(
    state: &AppState,
    id: &str,
    event: PermissionEvent,
) -> Result<StoredResponse, ApiError> {
    let pid = ChargePermissionId::parse(id).ok_or_else(|| ApiError::not_found(PERMISSION, id))?;
    let object = ObjectRef::ChargePermission(pid);
    let (tenant, now) = owner(state, &object)
        .await?
        .ok_or_else(|| ApiError::not_found(PERMISSION, id))?;
    let target = Target::Existing(object);
    let id = id.to_owned();
    let written = execute(state, tenant, target, None, move |loaded| {
        let (c, _) = apply_command(
            loaded,
            Command::PermissionEvent(event),
            now,
            PERMISSION,
            &id,
        )?;
        let view = permission_view(&c, now).ok_or_else(|| ApiError::not_found(PERMISSION, &id))?;
        Ok((c, Answer::ok(to_json(&view))))
    })
    .await?;
    Ok(written.answer)
}

/// The purpose of the hosted pages' form tokens (see [`crate::secret::Secret`]).
const FORM_TOKEN: &str = "hosted-form";

/// The token the hosted pages put into every form about session `id`: an HMAC of the id, so a
/// page from another site cannot know it even when it knows the session id.
pub(crate) fn form_token(state: &AppState, id: &str) -> String {
    state.settings().secret.tag(FORM_TOKEN, &[id.as_bytes()])
}

/// Whether `token` is the form token of session `id`.
pub(crate) fn form_token_ok(state: &AppState, id: &str, token: &str) -> bool {
    state
        .settings()
        .secret
        .verify(FORM_TOKEN, &[id.as_bytes()], token)
}
