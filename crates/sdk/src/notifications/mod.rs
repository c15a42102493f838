//! Receiving Amazon Pay Instant Payment Notifications (IPNs): parse them, verify that Amazon
//! sent them, and learn which object changed.
//!
//! Amazon Pay sends an IPN as an HTTPS POST with `content-type: text/plain` whose body is an
//! Amazon SNS message envelope ([`Envelope`]). Its `Message` field is a JSON document as a string,
//! the Amazon Pay notification ([`Notification`]): `MerchantID`, `ObjectType`
//! (`CHARGE_PERMISSION`, `CHARGE`, `REFUND`, `CHARGEBACK`), `ObjectId`, `ChargePermissionId`,
//! `NotificationType` (`STATE_CHANGE`, `ATTRIBUTE_CHANGE`), `NotificationId` and
//! `NotificationVersion`. A notification carries no state: the receiver reads the object with
//! the [`Client`](crate::Client) to learn it.
//!
//! Amazon SNS signs every envelope: the string to sign ([`Envelope::string_to_sign`]) is signed
//! with RSASSA-PKCS1-v1_5, SHA-1 for `SignatureVersion` 1 and SHA-256 for 2, by the key of the
//! X.509 certificate served at `SigningCertURL`. [`Verifier`] checks, in this order:
//!
//! 1. the envelope parses, and its `Type` and `SignatureVersion` are known;
//! 2. `SigningCertURL` is `https`, ends with `.pem`, and is on an Amazon SNS host
//!    (`sns.<region>.amazonaws.com` or `sns.<region>.amazonaws.com.cn`) or on a host you trust
//!    ([`VerifierBuilder::trust_host_with_ca`], for the emulator);
//! 3. `Timestamp` is at most [`DEFAULT_MAX_AGE`] old (configurable) and at most
//!    [`DEFAULT_MAX_CLOCK_SKEW`] ahead;
//! 4. the certificate, downloaded over HTTPS without redirects and cached by URL, is within its
//!    validity (and, optionally, issued by a given CA: [`VerifierBuilder::require_issuer`]);
//! 5. the signature matches.
//!
//! Every refusal is a [`VerifyError`] whose [`kind`](VerifyError::kind) says why; only a failed
//! download is [transient](VerifyError::is_transient).
//!
//! # Why one hour of maximum age
//!
//! A notification only says "read this object again", so replaying an old one can do no more
//! than cause a read; the age limit keeps a captured message from being accepted forever, and
//! bounds what a receiver must remember to drop duplicates by `MessageId`. One hour covers
//! delivery delays and Amazon SNS's first retries. SNS redelivers a message that was answered
//! with an error with its original `Timestamp`, for days: a receiver that answers 5xx for longer
//! than an hour loses those redeliveries to [`VerifyErrorKind::TooOld`]. Answer 200 as soon as
//! the message is verified and recorded (do the work afterwards), or raise
//! [`VerifierBuilder::max_age`].
//!
//! # A receiver
//!
//! An axum handler that verifies, then reads the object that changed:
//!
//! ```no_run
//! use amzpay::notifications::{ObjectType, Verifier};
//! use amzpay::{Client, Config};
//! use axum::extract::State;
//! use axum::http::StatusCode;
//! use axum::routing::post;
//! use axum::Router;
//!
//! #[derive(Clone)]
//! struct AppState {
//!     verifier: Verifier,
//!     client: Client,
//! }
//!
//! async fn ipn(State(state): State<AppState>, body: String) -> StatusCode {
//!     let verified = match state.verifier.verify(&body).await {
//!         Ok(verified) => verified,
//!         // The certificate could not be downloaded: answer 5xx so that SNS delivers it again.
//!         Err(error) if error.is_transient() => {
//!             tracing::warn!(error = %error, "cannot verify a notification yet");
//!             return StatusCode::SERVICE_UNAVAILABLE;
//!         }
//!         Err(error) => {
//!             tracing::warn!(kind = %error.kind(), error = %error, "refused a notification");
//!             return StatusCode::BAD_REQUEST;
//!         }
//!     };
//!     let notification = verified.notification;
//!     let read = match notification.object_type {
//!         ObjectType::Charge => state
//!             .client
//!             .get_charge(&notification.object_id)
//!             .await
//!             .map(|charge| tracing::info!(state = ?charge.status_details.state, "charge changed")),
//!         ObjectType::Refund => state
//!             .client
//!             .get_refund(&notification.object_id)
//!             .await
//!             .map(|refund| tracing::info!(state = ?refund.status_details.state, "refund changed")),
//!         ObjectType::ChargePermission => state
//!             .client
//!             .get_charge_permission(&notification.object_id)
//!             .await
//!             .map(|p| tracing::info!(state = ?p.status_details.state, "permission changed")),
//!         // A chargeback, or a kind this SDK does not know yet: look at the permission.
//!         _ => match notification.charge_permission_id {
//!             Some(id) => state.client.get_charge_permission(&id).await.map(|_| ()),
//!             None => Ok(()),
//!         },
//!     };
//!     match read {
//!         Ok(()) => StatusCode::OK,
//!         // Amazon Pay could not be read: 5xx, so the notification comes again.
//!         Err(error) => {
//!             tracing::error!(error = %error, "cannot read the changed object");
//!             StatusCode::SERVICE_UNAVAILABLE
//!         }
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let mut verifier = Verifier::builder();
//!     // Against the emulator: trust its host and its CA (AMZPAY_CA_CERT).
//!     if let (Ok(host), Ok(ca)) = (std::env::var("IPN_TRUST_HOST"), std::env::var("AMZPAY_CA_CERT")) {
//!         verifier = verifier.trust_host_with_ca(host, std::fs::read(ca)?);
//!     }
//!     let state = AppState {
//!         verifier: verifier.build()?,
//!         client: Client::new(Config::from_env()?)?,
//!     };
//!     let app = Router::new().route("/ipn", post(ipn)).with_state(state);
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//! ```
//!
//! Without the `reqwest` feature there is no download: parse with [`Envelope::parse`], fetch
//! the certificate your own way after [`Verifier::check_cert_url`], and call
//! [`Verifier::verify_with_certificate`].
//!
//! # Sources
//!
//! - Amazon Pay, "Set up Instant Payment Notifications":
//!   <https://developer.amazon.com/docs/amazon-pay-checkout/set-up-instant-payment-notifications.html>
//! - AWS, "Verifying the signatures of Amazon SNS messages":
//!   <https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html>
//!
//! # Layout
//!
//! `envelope.rs` ([`Envelope`], the string to sign), `message.rs` ([`Notification`] and its
//! enums), `verify.rs` ([`Verifier`], the URL policy, the time window, the signature),
//! `certificate.rs` ([`SigningCertificate`], validity and issuer), `fetch.rs` (download and
//! cache, feature `reqwest`), `error.rs`.

mod certificate;
mod envelope;
mod error;
#[cfg(feature = "reqwest")]
mod fetch;
mod message;
mod verify;

pub use certificate::SigningCertificate;
pub use envelope::{Envelope, MessageType};
pub use error::{BuildVerifierError, ParseError, VerifyError, VerifyErrorKind};
pub use message::{Notification, NotificationType, ObjectType};
pub use verify::{
    DEFAULT_CACHE_CAPACITY, DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_AGE, DEFAULT_MAX_CLOCK_SKEW,
    Verified, Verifier, VerifierBuilder,
};
