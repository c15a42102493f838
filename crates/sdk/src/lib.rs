//! `amzpay`: an async Rust client for Amazon Pay Checkout v2.
//!
//! Typed models for every object ([`types`]), request signing ([`signing`]), one method per
//! operation on [`Client`], retries and idempotency that survive failures, one typed [`Error`],
//! and [`Client::complete_checkout`], the completion step that cannot be done wrong.
//!
//! # Getting started
//!
//! In `Cargo.toml` (the SDK is async; any tokio runtime will do):
//!
//! ```toml
//! [dependencies]
//! amzpay = "0.1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! Every integration starts the same way: the buyer's cart page shows the Amazon Pay button with a
//! payload signed by the merchant's key, and checkout creates a Checkout Session from that payload
//! (or the merchant creates it from the server, for API-based checkout). Both steps, against the
//! local emulator (`scripts/emulator`, then `eval "$(amzpay emulator merchant create --shell)"`
//! exports the `AMZPAY_*` variables) or Amazon's sandbox:
//!
//! ```no_run
//! use amzpay::types::{
//!     CreateCheckoutSessionRequest, Currency, PaymentDetailsInput, PaymentIntent, Price,
//!     WebCheckoutDetailsInput,
//! };
//! use amzpay::{Client, Config};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // AMZPAY_PUBLIC_KEY_ID, AMZPAY_PRIVATE_KEY_FILE, AMZPAY_REGION, and for the emulator
//!     // AMZPAY_ENDPOINT and AMZPAY_CA_CERT (`.amzpay/tls/ca.pem`).
//!     let client = Client::new(Config::from_env()?)?;
//!     let request = CreateCheckoutSessionRequest {
//!         web_checkout_details: WebCheckoutDetailsInput {
//!             checkout_review_return_url: Some("https://shop.example/checkout/review".into()),
//!             checkout_result_return_url: Some("https://shop.example/checkout/result".into()),
//!             ..Default::default()
//!         },
//!         store_id: std::env::var("AMZPAY_STORE_ID")?.into(),
//!         payment_details: Some(PaymentDetailsInput {
//!             payment_intent: Some(PaymentIntent::Authorize),
//!             charge_amount: Some(Price::parse("14.00", Currency::Usd)?),
//!             ..Default::default()
//!         }),
//!         ..Default::default()
//!     };
//!
//!     // 1. The button: the page passes this to `amazon.Pay.renderButton` as
//!     //    `createCheckoutSessionConfig`; checkout.js creates the session when the buyer clicks.
//!     let button = client.sign_button_payload(&request)?;
//!     println!("{}", button.create_checkout_session_config());
//!
//!     // 2. Or the server creates the Checkout Session itself and sends the buyer to Amazon Pay.
//!     let session = client.create_checkout_session(&request).await?.into_inner();
//!     let redirect = session.web_checkout_details.and_then(|w| w.amazon_pay_redirect_url);
//!     println!("{}: send the buyer to {redirect:?}", session.checkout_session_id);
//!     Ok(())
//! }
//! ```
//!
//! The buyer then comes back to `checkoutReviewReturnUrl` (the merchant may update the session)
//! and, after paying, to `checkoutResultReturnUrl`, where the merchant completes the checkout:
//!
//! # The completion step in a dozen lines
//!
//! ```no_run
//! use amzpay::{completion::CompletionOutcome, types::{Currency, Price}, Client, Config};
//!
//! # async fn example(session_id: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new(Config::from_env()?)?;
//! let amount = Price::parse("14.00", Currency::Usd)?;
//! match client.complete_checkout(session_id, amount, None).await? {
//!     CompletionOutcome::Completed(done) => {
//!         // Store both ids: refunds need the charge, everything else the permission.
//!         println!("paid: {} {:?}", done.charge_permission_id, done.charge.map(|c| c.charge_id));
//!     }
//!     CompletionOutcome::NotCompleted(failed) => println!("{}", failed.buyer_message),
//!     _ => {}
//! }
//! # Ok(()) }
//! ```
//!
//! # A result-URL handler
//!
//! Amazon Pay sends the buyer to `checkoutResultReturnUrl?amazonCheckoutSessionId=…`. The handler
//! completes the session for the amount of the order it belongs to, stores the ids, and renders
//! one of two pages. It is safe to run twice for one session (a reload, a double click): the
//! second run finds the session completed and reports [`CompletionOutcome::Completed`] again.
//!
//! ```no_run
//! use amzpay::completion::{CompletionOutcome, Retention};
//! use amzpay::types::{ChargeId, ChargePermissionId, Price};
//! use amzpay::Client;
//!
//! /// The merchant's order storage.
//! trait Orders {
//!     /// The amount of the order a checkout session belongs to.
//!     fn amount_for_session(&self, session_id: &str) -> Option<Price>;
//!     /// Marks the order paid and keeps the ids.
//!     fn mark_paid(&self, session_id: &str, permission: &ChargePermissionId, charge: Option<&ChargeId>, pending: bool);
//!     /// Keeps a copy of buyer and transaction data (a OneTime permission shows it for 30 days only).
//!     fn copy_buyer_data_from(&self, session: &amzpay::types::CheckoutSession);
//! }
//!
//! enum Page {
//!     Confirmation { pending: bool },
//!     BackToCheckout { message: &'static str },
//!     TryAgainLater,
//! }
//!
//! async fn checkout_result(client: &Client, orders: &impl Orders, session_id: &str) -> Page {
//!     let Some(amount) = orders.amount_for_session(session_id) else {
//!         return Page::BackToCheckout { message: amzpay::completion::CHECKOUT_FAILED };
//!     };
//!     match client.complete_checkout(session_id, amount, None).await {
//!         Ok(CompletionOutcome::Completed(done)) => {
//!             let charge_id = done.charge.as_ref().map(|c| &c.charge_id);
//!             orders.mark_paid(session_id, &done.charge_permission_id, charge_id, done.authorization_pending);
//!             if let Retention::OneTime { .. } = done.retention {
//!                 orders.copy_buyer_data_from(&done.session);
//!             }
//!             Page::Confirmation { pending: done.authorization_pending }
//!         }
//!         Ok(CompletionOutcome::NotCompleted(failed)) => {
//!             tracing::info!(reason = ?failed.reason, "checkout not completed");
//!             Page::BackToCheckout { message: failed.buyer_message }
//!         }
//!         Ok(_) => Page::TryAgainLater,
//!         // The outcome is unknown (no answer, and the session could not be read): do not
//!         // tell the buyer the payment failed. Reloading the page runs this handler again.
//!         Err(error) => {
//!             tracing::error!(error = %error, "cannot complete checkout");
//!             Page::TryAgainLater
//!         }
//!     }
//! }
//! ```
//!
//! # Configuration
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use amzpay::{Client, Config, Region};
//! // From code:
//! let config = Config::builder()
//!     .public_key_id("SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B")
//!     .private_key_file("private.pem")
//!     .region(Region::Eu)
//!     .build()?;
//! // From AMZPAY_PUBLIC_KEY_ID, AMZPAY_PRIVATE_KEY_FILE, AMZPAY_REGION, ...:
//! let config = Config::from_env()?;
//! // Against a local emulator:
//! let config = Config::builder()
//!     .public_key_id("SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B")
//!     .private_key_file("private.pem")
//!     .region(Region::Na)
//!     .endpoint("https://127.0.0.1:8443")?
//!     .ca_cert_file(".amzpay/tls/ca.pem")
//!     .build()?;
//! let client = Client::new(config)?;
//! # Ok(()) }
//! ```
//!
//! # Layout (for contributors)
//!
//! Read [`client`] first ([`Client::execute`] is where every call goes), then:
//! - [`config`]: keys, region, environment, endpoint, timeouts; from code, environment variables
//!   or a profile file;
//! - [`operations`]: the methods, one per operation, grouped by resource;
//! - [`completion`]: [`Client::complete_checkout`] and its [`CompletionOutcome`];
//! - [`request`], [`transport`], [`retry`]: the request description, the HTTP seam, and the pure
//!   retry decision;
//! - [`error`]: [`Error`] and the structs its variants carry;
//! - [`button`]: checkout button payload signatures;
//! - [`notifications`]: receiving Instant Payment Notifications: the SNS envelope, its
//!   signature, the Amazon Pay message;
//! - [`testing`]: a scripted transport for tests without a network.

pub mod button;
pub mod client;
pub mod completion;
pub mod config;
pub mod error;
pub mod notifications;
pub mod operations;
pub mod request;
pub mod retry;
mod signer;
pub mod testing;
pub mod transport;

// Inlined, so that their docs (and links such as [`types`]) are part of this crate's docs, also in
// a `--no-deps` build.
#[doc(inline)]
pub use amzpay_signing as signing;
#[doc(inline)]
pub use amzpay_types as types;

pub use button::ButtonSignature;
pub use client::{Call, Client, Response};
pub use completion::CompletionOutcome;
pub use config::{Config, ConfigBuilder, ConfigError, Environment, Region};
pub use error::{ApiError, Error};
pub use request::CallOptions;
