//! The reference shop: a small merchant web app that runs the whole Amazon Pay checkout through
//! the public `amzpay` SDK and keeps its orders in its own SQLite database.
//!
//! Start at [`startup::Application`] (building and serving), then [`app`] (every route). The
//! checkout itself is `checkout.rs`, in the order a buyer goes through it:
//!
//! 1. the cart page shows the Amazon Pay button: a payload signed with the SDK
//!    ([`amzpay::ButtonSignature`]), rendered by Amazon's `checkout.js` (`shop.rs`);
//! 2. Amazon sends the buyer to the review page, which reads the Checkout Session and shows the
//!    buyer, the address and the payment method, with change links (`bindChangeAction`);
//! 3. "Place your order" updates the session with `paymentDetails` and `checkoutResultReturnUrl`
//!    and sends the buyer to `amazonPayRedirectUrl`;
//! 4. the result page completes the checkout with [`amzpay::Client::complete_checkout`], stores
//!    the order with its `chargePermissionId` and `chargeId`, and confirms it, or sends the buyer
//!    back to the cart.
//!
//! `admin.rs` is the back office: capture, charge later, refund, close, ship (Delivery Tracker)
//! and a charge permission view. `ipn.rs` receives Amazon Pay's Instant Payment Notifications
//! and updates orders as the back office's refresh does. `db.rs` holds every query.

pub mod admin;
pub mod checkout;
pub mod db;
pub mod ipn;
pub mod money;
pub mod pages;
pub mod shop;
pub mod startup;

use std::sync::Arc;

use axum::Router;

pub use startup::{Application, Settings};

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: amzpay::Client,
    verifier: amzpay::notifications::Verifier,
    db: db::Db,
    settings: Settings,
    base_url: String,
}

impl AppState {
    /// The state of a shop reachable at `base_url`.
    pub fn new(
        client: amzpay::Client,
        verifier: amzpay::notifications::Verifier,
        db: db::Db,
        settings: Settings,
        base_url: String,
    ) -> Self {
        AppState {
            inner: Arc::new(Inner {
                client,
                verifier,
                db,
                settings,
                base_url: base_url.trim_end_matches('/').to_owned(),
            }),
        }
    }

    /// The Amazon Pay client.
    pub fn client(&self) -> &amzpay::Client {
        &self.inner.client
    }

    /// The verifier of Instant Payment Notifications.
    pub fn verifier(&self) -> &amzpay::notifications::Verifier {
        &self.inner.verifier
    }

    /// The shop's database.
    pub fn db(&self) -> &db::Db {
        &self.inner.db
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The shop's base URL as a browser reaches it (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
}

/// The shop as one router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(shop::router())
        .merge(checkout::router())
        .merge(admin::router())
        .merge(ipn::router())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pages::security_headers,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
