//! The sign-in and selection pages, and the buyer's cancel.
//!
//! The buyer signs in as one of the test buyers (`GET|POST /checkout/signin`), then chooses a
//! shipping address and a test instrument (`GET|POST /checkout/select`; `bindChangeAction` comes
//! back here with `changeAction`). Continuing sends the buyer to
//! `checkoutReviewReturnUrl?amazonCheckoutSessionId=...` (or, for `checkoutMode: ProcessOrder`,
//! straight to the payment step). Every change is a buyer action (`SignIn`, `Choose`,
//! `CancelAsBuyer`), exactly what the admin API runs. Every form carries the session's form
//! token, and every post is checked (`super::refused`) before it changes anything.

use amzpay_emulator_core::checkout::{Checkout, Command, with_session_id};
use amzpay_emulator_core::input::Choose;
use amzpay_emulator_core::model::{Address, Instrument, ProductType, SessionState};
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{
    ErrorPage, Page, bad_query, error_page, error_page_for, form_token, load, refused,
    run_buyer_action, see_other,
};
use crate::http::error::ApiError;
use crate::service::test_buyers::{
    self as buyers, TEST_BUYERS, TestAddress, TestBuyer, delivery_specifications,
};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SessionQuery {
    amazon_checkout_session_id: Option<String>,
    change_action: Option<String>,
}

/// One test buyer on the sign-in page.
struct BuyerOption {
    key: &'static str,
    name: &'static str,
    email: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "hosted/signin.html")]
struct SignInPage {
    session_id: String,
    form_token: String,
    merchant: String,
    amount: Option<String>,
    buyers: Vec<BuyerOption>,
    error: Option<String>,
}

/// One address on the selection page.
struct AddressOption {
    key: String,
    name: String,
    line: String,
    /// Why the merchant does not ship there (the option is disabled).
    restricted: Option<String>,
    checked: bool,
}

/// One test card on the selection page.
struct CardOption {
    last_four: &'static str,
    brand: &'static str,
    outcome: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "hosted/select.html")]
struct SelectPage {
    session_id: String,
    form_token: String,
    merchant: String,
    amount: Option<String>,
    buyer_name: String,
    buyer_email: String,
    ships: bool,
    addresses: Vec<AddressOption>,
    cards: Vec<CardOption>,
    /// `address` or `payment`: the section `bindChangeAction` asked for (autofocused).
    focus: &'static str,
    error: Option<String>,
}

fn missing_session() -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "This checkout link is incomplete",
        "The link has no amazonCheckoutSessionId. Start again from the merchant's Amazon Pay button.",
    )
}

fn unknown_session() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "We can't find this checkout",
        "This checkout session does not exist or has expired. Start again from the merchant's Amazon Pay button.",
    )
}

/// The error page for a session that is no longer `Open`.
pub(super) fn not_open(c: &Checkout) -> Option<Response> {
    let why = match &c.session.state {
        SessionState::Open => return None,
        SessionState::Completed { .. } => "This checkout is already completed.".to_owned(),
        SessionState::Canceled { reason, .. } => {
            format!("This checkout was canceled ({}).", reason.as_str())
        }
    };
    let back = c
        .session
        .web_checkout_details
        .cancel_target()
        .map(|u| with_session_id(u, &c.session.id));
    Some(
        Page::with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorPage {
                title: "This checkout can't continue".to_owned(),
                message: format!("{why} Start again from the merchant's Amazon Pay button."),
                reason: None,
                back_url: back,
            },
        )
        .into_response(),
    )
}

pub(super) fn merchant_name(c: &Checkout) -> String {
    c.session
        .merchant_metadata
        .merchant_store_name
        .clone()
        .unwrap_or_else(|| "the merchant".to_owned())
}

pub(super) fn amount(c: &Checkout) -> Option<String> {
    c.session
        .payment_details
        .charge_amount
        .map(|m| format!("{} {}", m.to_decimal_string(), m.currency().code()))
}

/// Loads an `Open` session for a page, or the page that says why not.
async fn open_session(
    state: &AppState,
    id: Option<&str>,
) -> Result<Result<Checkout, Response>, ApiError> {
    let Some(id) = id.filter(|s| !s.is_empty()) else {
        return Ok(Err(missing_session()));
    };
    let Some((c, _)) = load(state, id).await? else {
        return Ok(Err(unknown_session()));
    };
    if let Some(page) = not_open(&c) {
        return Ok(Err(page));
    }
    Ok(Ok(c))
}

fn signin_page(
    state: &AppState,
    c: &Checkout,
    chosen: Option<&str>,
    error: Option<String>,
) -> SignInPage {
    let current = c.session.buyer.as_ref().map(|b| b.buyer.email.as_str());
    let selected = chosen
        .and_then(buyers::buyer)
        .or_else(|| current.and_then(buyers::buyer_by_email))
        .unwrap_or(&TEST_BUYERS[0]);
    SignInPage {
        session_id: c.session.id.to_string(),
        form_token: form_token(state, c.session.id.as_str()),
        merchant: merchant_name(c),
        amount: amount(c),
        buyers: TEST_BUYERS
            .iter()
            .map(|b| BuyerOption {
                key: b.key,
                name: b.name,
                email: b.email,
                checked: b.key == selected.key,
            })
            .collect(),
        error,
    }
}

/// `GET /checkout/signin`: choose a test buyer.
pub(super) async fn signin(
    State(state): State<AppState>,
    query: Result<Query<SessionQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = match query {
        Ok(q) => q,
        Err(e) => return Ok(bad_query(&e)),
    };
    let c = match open_session(&state, q.amazon_checkout_session_id.as_deref()).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    Ok(Page::ok(signin_page(&state, &c, None, None)).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SignInForm {
    amazon_checkout_session_id: Option<String>,
    form_token: Option<String>,
    buyer: Option<String>,
}

pub(super) fn bad_form(e: &FormRejection) -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "Something is wrong with this form",
        &format!("The form could not be read: {e}."),
    )
}

/// The first address of `buyer` the merchant ships to (or the first at all).
fn default_address(c: &Checkout, buyer: &TestBuyer) -> &'static TestAddress {
    let spec = delivery_specifications(c);
    buyer
        .addresses
        .iter()
        .find(|a| buyers::restriction(&spec, &a.to_address()).is_none())
        .unwrap_or(&buyer.addresses[0])
}

fn select_url(c: &Checkout) -> String {
    with_session_id("/checkout/select", &c.session.id)
}

/// A form that names the session it acts on, with that session's form token.
pub(super) trait SessionForm {
    fn session_id(&self) -> Option<&str>;
    fn form_token(&self) -> Option<&str>;
}

macro_rules! session_forms {
    ($($form:ty),*) => {$(
        impl SessionForm for $form {
            fn session_id(&self) -> Option<&str> {
                self.amazon_checkout_session_id.as_deref()
            }
            fn form_token(&self) -> Option<&str> {
                self.form_token.as_deref()
            }
        }
    )*};
}
session_forms!(SignInForm, SelectForm, CancelForm);

/// A posted buyer form and the open session it names, or the page to show instead (a form that
/// cannot be read, a post from another site or without the session's form token, a session that
/// is unknown, gone or no longer open).
async fn posted<T: SessionForm>(
    state: &AppState,
    (headers, uri): (&HeaderMap, &Uri),
    form: Result<Form<T>, FormRejection>,
) -> Result<Result<(T, Checkout), Response>, ApiError> {
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return Ok(Err(bad_form(&e))),
    };
    let id = form.session_id().unwrap_or("");
    if !id.is_empty()
        && let Some(page) = refused(state, headers, uri, id, form.form_token())
    {
        return Ok(Err(page));
    }
    Ok(open_session(state, form.session_id())
        .await?
        .map(|c| (form, c)))
}

/// Runs a buyer action and sends the browser where it leads, or shows the error page.
async fn act(state: &AppState, c: &Checkout, command: Command) -> Result<Response, ApiError> {
    let id = c.session.id.to_string();
    match run_buyer_action(state, &id, command).await? {
        Ok(result) => Ok(see_other(&result.redirect_url)),
        Err(stored) => Ok(error_page_for(&stored, None)),
    }
}

/// `POST /checkout/signin`: signs the test buyer in (a default address the merchant ships to and
/// the success card `1111`), then shows the selection page.
pub(super) async fn signin_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let (form, c) = match posted(&state, (&headers, &uri), form).await? {
        Ok(posted) => posted,
        Err(page) => return Ok(page),
    };
    let Some(buyer) = form.buyer.as_deref().and_then(buyers::buyer) else {
        let page = signin_page(
            &state,
            &c,
            None,
            Some("Choose a test buyer to sign in as.".to_owned()),
        );
        return Ok(Page::with_status(StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let instrument = c
        .session
        .buyer
        .as_ref()
        .filter(|b| b.buyer.email == buyer.email)
        .map(|b| b.instrument.clone())
        .or_else(|| Instrument::parse("1111"))
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the test card 1111 is unknown")))?;
    let sign_in = buyer.sign_in(default_address(&c, buyer), instrument);
    let id = c.session.id.to_string();
    match run_buyer_action(&state, &id, Command::SignIn(sign_in)).await? {
        Ok(_) => Ok(see_other(&select_url(&c))),
        Err(stored) => Ok(error_page_for(&stored, None)),
    }
}

fn same_place(a: &Address, b: &Address) -> bool {
    let norm = |s: &Option<String>| s.as_deref().unwrap_or("").trim().to_ascii_lowercase();
    norm(&a.address_line1) == norm(&b.address_line1)
        && norm(&a.postal_code) == norm(&b.postal_code)
        && norm(&a.country_code) == norm(&b.country_code)
}

fn one_line(a: &Address) -> String {
    [
        &a.address_line1,
        &a.address_line2,
        &a.city,
        &a.state_or_region,
        &a.postal_code,
        &a.country_code,
    ]
    .iter()
    .filter_map(|f| f.as_deref())
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

/// The key of the "keep the address I have" option (an address not in the test address book,
/// e.g. set through the admin API or `addressDetails`).
const CURRENT: &str = "current";

fn select_page(
    state: &AppState,
    c: &Checkout,
    focus: &'static str,
    chosen_address: Option<&str>,
    chosen_card: Option<&str>,
    error: Option<String>,
) -> Option<SelectPage> {
    let sel = c.session.buyer.as_ref()?;
    let book = buyers::buyer_by_email(&sel.buyer.email).unwrap_or(&TEST_BUYERS[0]);
    let ships = c.session.product_type == ProductType::PayAndShip;
    let spec = delivery_specifications(c);
    let current = sel.shipping_address.as_ref();
    let mut addresses = Vec::new();
    if ships {
        let in_book = current.is_some_and(|cur| {
            book.addresses
                .iter()
                .any(|a| same_place(&a.to_address(), cur))
        });
        if let (Some(cur), false) = (current, in_book) {
            addresses.push(AddressOption {
                key: CURRENT.to_owned(),
                name: cur.name.clone().unwrap_or_default(),
                line: one_line(cur),
                restricted: None,
                checked: chosen_address.is_none_or(|k| k == CURRENT),
            });
        }
        for a in book.addresses {
            let is_current = current.is_some_and(|cur| same_place(&a.to_address(), cur));
            addresses.push(AddressOption {
                key: a.key.to_owned(),
                name: a.name.to_owned(),
                line: a.one_line(),
                restricted: buyers::restriction(&spec, &a.to_address()),
                checked: match chosen_address {
                    Some(k) => k == a.key,
                    None => is_current,
                },
            });
        }
    }
    let current_card = chosen_card.unwrap_or(sel.instrument.last_four());
    let cards = buyers::test_cards()
        .map(|(last_four, behaviour)| CardOption {
            last_four,
            brand: buyers::brand(last_four),
            outcome: buyers::outcome_text(behaviour),
            checked: last_four == current_card,
        })
        .collect();
    Some(SelectPage {
        session_id: c.session.id.to_string(),
        form_token: form_token(state, c.session.id.as_str()),
        merchant: merchant_name(c),
        amount: amount(c),
        buyer_name: sel.buyer.name.clone(),
        buyer_email: sel.buyer.email.clone(),
        ships,
        addresses,
        cards,
        focus,
        error,
    })
}

fn focus_for(change_action: Option<&str>) -> &'static str {
    match change_action {
        Some("changeAddress") => "address",
        Some("changePayment") => "payment",
        _ => "",
    }
}

/// `GET /checkout/select`: address and instrument (also where `bindChangeAction` lands).
pub(super) async fn select(
    State(state): State<AppState>,
    query: Result<Query<SessionQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = match query {
        Ok(q) => q,
        Err(e) => return Ok(bad_query(&e)),
    };
    let c = match open_session(&state, q.amazon_checkout_session_id.as_deref()).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    let focus = focus_for(q.change_action.as_deref());
    Ok(match select_page(&state, &c, focus, None, None, None) {
        Some(page) => Page::ok(page).into_response(),
        // Nobody signed in yet: sign in first.
        None => see_other(&with_session_id("/checkout/signin", &c.session.id)),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SelectForm {
    amazon_checkout_session_id: Option<String>,
    form_token: Option<String>,
    address: Option<String>,
    instrument: Option<String>,
}

/// `POST /checkout/select`: records the choice and returns the buyer to the merchant.
pub(super) async fn select_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<SelectForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let (form, c) = match posted(&state, (&headers, &uri), form).await? {
        Ok(posted) => posted,
        Err(page) => return Ok(page),
    };
    let Some(sel) = c.session.buyer.as_ref() else {
        return Ok(see_other(&with_session_id(
            "/checkout/signin",
            &c.session.id,
        )));
    };
    let again = |error: &str| -> Response {
        match select_page(
            &state,
            &c,
            "",
            form.address.as_deref(),
            form.instrument.as_deref(),
            Some(error.to_owned()),
        ) {
            Some(page) => Page::with_status(StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
            None => see_other(&with_session_id("/checkout/signin", &c.session.id)),
        }
    };
    let Some(instrument) = form.instrument.as_deref().and_then(Instrument::parse) else {
        return Ok(again("Choose a payment method."));
    };
    let shipping_address = if c.session.product_type == ProductType::PayAndShip {
        let book = buyers::buyer_by_email(&sel.buyer.email).unwrap_or(&TEST_BUYERS[0]);
        match form.address.as_deref() {
            Some(CURRENT) if sel.shipping_address.is_some() => None,
            Some(key) => match book.address(key) {
                Some(a) => {
                    if let Some(why) =
                        buyers::restriction(&delivery_specifications(&c), &a.to_address())
                    {
                        return Ok(again(&format!("{why} Choose another address.")));
                    }
                    Some(a.to_address())
                }
                None => return Ok(again("Choose a shipping address.")),
            },
            None => return Ok(again("Choose a shipping address.")),
        }
    } else {
        None
    };
    let command = Command::Choose(Choose {
        instrument: Some(instrument),
        shipping_address,
    });
    act(&state, &c, command).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CancelForm {
    amazon_checkout_session_id: Option<String>,
    form_token: Option<String>,
}

/// `POST /checkout/cancel`: the buyer cancels; back to the merchant's `checkoutCancelUrl`, else to
/// its `checkoutReviewReturnUrl`.
pub(super) async fn cancel(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<CancelForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let (_, c) = match posted(&state, (&headers, &uri), form).await? {
        Ok(posted) => posted,
        Err(page) => return Ok(page),
    };
    act(&state, &c, Command::CancelAsBuyer).await
}
