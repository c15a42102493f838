//! The catalog, the cart and the Amazon Pay button.
//!
//! The cart lives in the shop's database under a random id kept in a cookie. The cart page
//! signs the button payload with the SDK ([`amzpay::ButtonSignature`]) and hands the whole
//! `renderButton` configuration to the page as one HTML-escaped data attribute, so the browser
//! passes `checkout.js` the very bytes that were signed.

use amzpay::ButtonSignature;
use amzpay::completion::{CHECKOUT_FAILED, PAYMENT_NOT_SUCCESSFUL};
use amzpay::types::{
    CreateCheckoutSessionRequest, DeliverySpecifications, MerchantMetadataInput, Scope,
    SpecialRestriction, StoreId, WebCheckoutDetailsInput,
};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::AppState;
use crate::db::{CartLine, Item, Product};
use crate::money;
use crate::pages::{self, AppError, Page, see_other};

/// The routes of the storefront.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(catalog))
        .route("/cart", get(cart))
        .route("/cart/add", post(add))
        .route("/cart/remove", post(remove))
        .route("/assets/shop.css", get(pages::css))
        .route("/assets/shop.js", get(pages::js))
}

const CART_COOKIE: &str = "shop_cart";
/// Flat shipping for carts with goods that ship.
pub const SHIPPING_MINOR: i64 = 500;

/// The message for a buyer whose order Amazon Pay could not take for now (throttled, or
/// unavailable): nothing was placed, and checking out again in a moment is the way on.
pub const AMAZON_PAY_BUSY: &str = "Amazon Pay is busy right now, so your order was not placed and you have not been charged. Please try again in a moment.";

/// The cart id from the cookie, if the browser has one.
pub fn cart_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == CART_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// What a cart costs and how it is paid.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The lines.
    pub lines: Vec<CartLine>,
    /// Currency code.
    pub currency: String,
    /// Items total.
    pub subtotal_minor: i64,
    /// Shipping.
    pub shipping_minor: i64,
    /// What the buyer pays.
    pub total_minor: i64,
    /// The most deferred intent of the products: `Confirm` before `Authorize` before
    /// `AuthorizeWithCapture`.
    pub payment_intent: &'static str,
    /// `canHandlePendingAuthorization`: every product with `Authorize` accepts it.
    pub can_handle_pending: bool,
    /// Whether anything ships (`PayAndShip`) or all is digital (`PayOnly`).
    pub ships: bool,
}

impl Summary {
    /// The lines as stored with a checkout.
    pub fn items(&self) -> Vec<Item> {
        self.lines
            .iter()
            .map(|l| Item {
                product_id: l.product.id.clone(),
                name: l.product.name.clone(),
                unit_minor: l.product.price_minor,
                quantity: l.quantity,
            })
            .collect()
    }

    /// `PayAndShip` or `PayOnly`.
    pub fn product_type(&self) -> &'static str {
        if self.ships { "PayAndShip" } else { "PayOnly" }
    }
}

fn rank(intent: &str) -> u8 {
    match intent {
        "Confirm" => 2,
        "Authorize" => 1,
        _ => 0,
    }
}

/// Totals and payment settings of a cart; `None` when it is empty.
pub fn summarize(lines: Vec<CartLine>) -> Option<Summary> {
    let first = lines.first()?;
    let currency = first.product.currency.clone();
    let subtotal_minor = lines
        .iter()
        .map(|l| l.product.price_minor * l.quantity)
        .sum();
    let ships = lines.iter().any(|l| l.product.ships);
    let shipping_minor = if ships { SHIPPING_MINOR } else { 0 };
    let payment_intent = lines
        .iter()
        .map(|l| l.product.payment_intent.as_str())
        .max_by_key(|i| rank(i))
        .map(|i| match i {
            "Confirm" => "Confirm",
            "Authorize" => "Authorize",
            _ => "AuthorizeWithCapture",
        })
        .unwrap_or("AuthorizeWithCapture");
    let can_handle_pending = payment_intent == "Authorize"
        && lines
            .iter()
            .filter(|l| l.product.payment_intent == "Authorize")
            .all(|l| l.product.can_handle_pending);
    Some(Summary {
        currency,
        subtotal_minor,
        shipping_minor,
        total_minor: subtotal_minor + shipping_minor,
        payment_intent,
        can_handle_pending,
        ships,
        lines,
    })
}

/// The cart of this browser, summarized.
pub async fn current_cart(
    state: &AppState,
    headers: &HeaderMap,
) -> anyhow::Result<Option<(String, Summary)>> {
    let Some(id) = cart_id(headers) else {
        return Ok(None);
    };
    let lines = state.db().cart(&id).await?;
    Ok(summarize(lines).map(|s| (id, s)))
}

/// A product card on the catalog page.
#[derive(Debug)]
struct ProductView {
    id: String,
    name: String,
    description: String,
    price: String,
}

impl From<&Product> for ProductView {
    fn from(p: &Product) -> Self {
        ProductView {
            id: p.id.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            price: money::display(p.price_minor, &p.currency),
        }
    }
}

#[derive(Template, Debug)]
#[template(path = "catalog.html")]
struct CatalogPage {
    store_name: String,
    products: Vec<ProductView>,
    cart_count: i64,
}

async fn catalog(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let products = state.db().products().await?;
    let cart_count = match current_cart(&state, &headers).await? {
        Some((_, s)) => s.lines.iter().map(|l| l.quantity).sum(),
        None => 0,
    };
    Ok(Page::ok(CatalogPage {
        store_name: state.settings().store_name.clone(),
        products: products.iter().map(ProductView::from).collect(),
        cart_count,
    })
    .into_response())
}

/// A cart line on the cart and review pages.
#[derive(Debug)]
pub struct LineView {
    /// Product key.
    pub product_id: String,
    /// Name.
    pub name: String,
    /// How many.
    pub quantity: i64,
    /// Line total.
    pub total: String,
}

/// The lines of a summary for a page.
pub fn line_views(s: &Summary) -> Vec<LineView> {
    s.lines
        .iter()
        .map(|l| LineView {
            product_id: l.product.id.clone(),
            name: l.product.name.clone(),
            quantity: l.quantity,
            total: money::display(l.product.price_minor * l.quantity, &l.product.currency),
        })
        .collect()
}

#[derive(Template, Debug)]
#[template(path = "cart.html")]
struct CartPage {
    store_name: String,
    lines: Vec<LineView>,
    subtotal: String,
    shipping: String,
    total: String,
    payment_intent: String,
    notice: Option<&'static str>,
    failure: Option<&'static str>,
    /// The `renderButton` configuration as JSON (HTML-escaped into a data attribute).
    button_config: Option<String>,
    checkout_js_url: String,
}

#[derive(Deserialize, Debug)]
struct CartQuery {
    payment: Option<String>,
    checkout: Option<String>,
}

/// The signed `renderButton` configuration for a cart.
fn button_config(state: &AppState, s: &Summary) -> anyhow::Result<String> {
    let base = state.base_url();
    let payload = CreateCheckoutSessionRequest {
        web_checkout_details: WebCheckoutDetailsInput {
            checkout_review_return_url: Some(format!("{base}/checkout/review")),
            checkout_cancel_url: Some(format!("{base}/cart?checkout=canceled")),
            ..Default::default()
        },
        store_id: StoreId::new(state.settings().store_id.clone()),
        scopes: Some(if s.ships {
            vec![
                Scope::Name,
                Scope::Email,
                Scope::PhoneNumber,
                Scope::BillingAddress,
                Scope::ShippingAddress,
            ]
        } else {
            vec![Scope::Name, Scope::Email, Scope::BillingAddress]
        }),
        // The shop does not ship to PO boxes: Amazon's page offers only addresses it ships to.
        delivery_specifications: s.ships.then(|| DeliverySpecifications {
            special_restrictions: Some(vec![SpecialRestriction::RestrictPoBoxes]),
            address_restrictions: None,
        }),
        merchant_metadata: Some(MerchantMetadataInput {
            merchant_store_name: Some(state.settings().store_name.clone()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let signed = ButtonSignature::sign(state.client().config(), &payload)?;
    let total = money::price(s.total_minor, &s.currency)?;
    let mut config = serde_json::json!({
        "ledgerCurrency": s.currency,
        "checkoutLanguage": "en_US",
        "productType": s.product_type(),
        "placement": "Cart",
        "buttonColor": "Gold",
        "estimatedOrderAmount": total,
        "createCheckoutSessionConfig": signed.create_checkout_session_config(),
    });
    if let Some(m) = &state.settings().merchant_id {
        config["merchantId"] = serde_json::json!(m);
    }
    Ok(config.to_string())
}

async fn cart(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CartQuery>,
) -> Result<Response, AppError> {
    let failure = match (q.payment.as_deref(), q.checkout.as_deref()) {
        (Some("failed"), _) => Some(PAYMENT_NOT_SUCCESSFUL),
        (_, Some("error")) => Some(CHECKOUT_FAILED),
        (_, Some("busy")) => Some(AMAZON_PAY_BUSY),
        _ => None,
    };
    let notice = match q.checkout.as_deref() {
        Some("canceled") => Some("You left Amazon Pay checkout. Your cart is still here."),
        _ => None,
    };
    let summary = current_cart(&state, &headers).await?.map(|(_, s)| s);
    let page = match &summary {
        Some(s) => CartPage {
            store_name: state.settings().store_name.clone(),
            lines: line_views(s),
            subtotal: money::display(s.subtotal_minor, &s.currency),
            shipping: money::display(s.shipping_minor, &s.currency),
            total: money::display(s.total_minor, &s.currency),
            payment_intent: s.payment_intent.to_owned(),
            notice,
            failure,
            button_config: Some(button_config(&state, s)?),
            checkout_js_url: state.settings().checkout_js_url.clone(),
        },
        None => CartPage {
            store_name: state.settings().store_name.clone(),
            lines: Vec::new(),
            subtotal: String::new(),
            shipping: String::new(),
            total: String::new(),
            payment_intent: String::new(),
            notice,
            failure,
            button_config: None,
            checkout_js_url: state.settings().checkout_js_url.clone(),
        },
    };
    Ok(Page::ok(page).into_response())
}

#[derive(Deserialize, Debug)]
struct ProductForm {
    product: String,
}

async fn add(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ProductForm>,
) -> Result<Response, AppError> {
    if state.db().product(&form.product).await?.is_none() {
        return Ok(pages::error(
            axum::http::StatusCode::NOT_FOUND,
            "No such product",
            "This product is not in the catalog.",
        ));
    }
    let (id, new) = match cart_id(&headers) {
        Some(id) => (id, false),
        None => (uuid::Uuid::new_v4().simple().to_string(), true),
    };
    state.db().add_to_cart(&id, &form.product).await?;
    let mut response = see_other("/cart");
    if new {
        let cookie = format!("{CART_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ProductForm>,
) -> Result<Response, AppError> {
    if let Some(id) = cart_id(&headers) {
        state.db().remove_from_cart(&id, &form.product).await?;
    }
    Ok(see_other("/cart"))
}
