//! One method per Amazon Pay operation, grouped by resource.
//!
//! Each method builds a [`Request`] and returns a [`Call`]: add per-call options if needed, then
//! `.await` it. Requests and responses are the [`amzpay_types`] models.

use amzpay_types::{
    Buyer, CancelChargeRequest, CaptureChargeRequest, Charge, ChargePermission, CheckoutSession,
    CloseChargePermissionRequest, CompleteCheckoutSessionRequest, CreateChargeRequest,
    CreateCheckoutSessionRequest, CreateDeliveryTrackerRequest, CreateRefundRequest,
    DeliveryTracker, FinalizeCheckoutSessionRequest, Refund, UpdateChargePermissionRequest,
    UpdateCheckoutSessionRequest,
};
use serde::Serialize;

use crate::client::{Call, Client, percent_encode};
use crate::error::Error;
use crate::request::{IdempotencyPolicy, Request};
use crate::transport::Method;

/// `/{collection}/{id}{suffix}`, the id percent-encoded so an odd id cannot change the path.
fn item_path(collection: &str, id: &str, suffix: &str) -> String {
    format!("/{collection}/{}{suffix}", percent_encode(id))
}

fn with_body<B: Serialize + ?Sized>(
    method: Method,
    path: String,
    body: &B,
    idempotency: IdempotencyPolicy,
) -> Result<Request, Error> {
    Ok(Request::new(method, path)
        .json_body(body)?
        .with_idempotency(idempotency))
}

/// # Checkout sessions
///
/// ```no_run
/// # async fn example(client: amzpay::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use amzpay::types::{
///     CreateCheckoutSessionRequest, Currency, PaymentDetailsInput, PaymentIntent, Price,
///     UpdateCheckoutSessionRequest, WebCheckoutDetailsInput,
/// };
///
/// let session = client
///     .create_checkout_session(&CreateCheckoutSessionRequest {
///         web_checkout_details: WebCheckoutDetailsInput {
///             checkout_review_return_url: Some("https://shop.example/review".into()),
///             ..Default::default()
///         },
///         store_id: "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef".into(),
///         ..Default::default()
///     })
///     .await?;
/// let id = &session.checkout_session_id;
///
/// // After the buyer picked address and instrument: set the amount and the result URL.
/// client
///     .update_checkout_session(id, &UpdateCheckoutSessionRequest {
///         web_checkout_details: Some(WebCheckoutDetailsInput {
///             checkout_result_return_url: Some("https://shop.example/result".into()),
///             ..Default::default()
///         }),
///         payment_details: Some(PaymentDetailsInput {
///             payment_intent: Some(PaymentIntent::AuthorizeWithCapture),
///             charge_amount: Some(Price::parse("14.00", Currency::Usd)?),
///             ..Default::default()
///         }),
///         ..Default::default()
///     })
///     .await?;
/// // Send the buyer to `webCheckoutDetails.amazonPayRedirectUrl`, then complete on the result
/// // page with `Client::complete_checkout`.
/// # Ok(()) }
/// ```
impl Client {
    /// Create Checkout Session: `POST /v2/checkoutSessions` (201). An idempotency key is
    /// generated unless supplied.
    pub fn create_checkout_session(
        &self,
        body: &CreateCheckoutSessionRequest,
    ) -> Call<'_, CheckoutSession> {
        Call::new(
            self,
            with_body(
                Method::Post,
                "/checkoutSessions".to_owned(),
                body,
                IdempotencyPolicy::Required,
            ),
        )
    }

    /// Get Checkout Session: `GET /v2/checkoutSessions/{id}`.
    pub fn get_checkout_session(&self, id: impl AsRef<str>) -> Call<'_, CheckoutSession> {
        Call::new(
            self,
            Ok(Request::new(
                Method::Get,
                item_path("checkoutSessions", id.as_ref(), ""),
            )),
        )
    }

    /// Update Checkout Session: `PATCH /v2/checkoutSessions/{id}`; only the supplied fields change.
    pub fn update_checkout_session(
        &self,
        id: impl AsRef<str>,
        body: &UpdateCheckoutSessionRequest,
    ) -> Call<'_, CheckoutSession> {
        Call::new(
            self,
            with_body(
                Method::Patch,
                item_path("checkoutSessions", id.as_ref(), ""),
                body,
                IdempotencyPolicy::Optional,
            ),
        )
    }

    /// Complete Checkout Session: `POST /v2/checkoutSessions/{id}/complete` (200, or 202 when the
    /// authorization is pending). An idempotency key is generated unless supplied.
    ///
    /// Prefer [`Client::complete_checkout`], which interprets the answer and recovers from an
    /// ambiguous failure.
    pub fn complete_checkout_session(
        &self,
        id: impl AsRef<str>,
        body: &CompleteCheckoutSessionRequest,
    ) -> Call<'_, CheckoutSession> {
        Call::new(
            self,
            with_body(
                Method::Post,
                item_path("checkoutSessions", id.as_ref(), "/complete"),
                body,
                IdempotencyPolicy::Required,
            ),
        )
    }

    /// Finalize Checkout Session: `POST /v2/checkoutSessions/{id}/finalize` (Buy Now and JS
    /// flows). An idempotency key is generated unless supplied.
    pub fn finalize_checkout_session(
        &self,
        id: impl AsRef<str>,
        body: &FinalizeCheckoutSessionRequest,
    ) -> Call<'_, CheckoutSession> {
        Call::new(
            self,
            with_body(
                Method::Post,
                item_path("checkoutSessions", id.as_ref(), "/finalize"),
                body,
                IdempotencyPolicy::Required,
            ),
        )
    }
}

/// # Charge permissions
///
/// ```no_run
/// # async fn example(client: amzpay::Client) -> Result<(), amzpay::Error> {
/// use amzpay::types::{CloseChargePermissionRequest, MerchantMetadataInput, UpdateChargePermissionRequest};
///
/// let id = "S01-1234567-1234567";
/// let permission = client.get_charge_permission(id).await?;
/// println!("{:?}", permission.status_details.state);
///
/// client
///     .update_charge_permission(id, &UpdateChargePermissionRequest {
///         merchant_metadata: Some(MerchantMetadataInput {
///             merchant_reference_id: Some("order-1234".into()),
///             ..Default::default()
///         }),
///         ..Default::default()
///     })
///     .await?;
///
/// let close = CloseChargePermissionRequest {
///     cancel_pending_charges: Some(true),
///     ..CloseChargePermissionRequest::new("order canceled")
/// };
/// client.close_charge_permission(id, &close).await?;
/// # Ok(()) }
/// ```
impl Client {
    /// Get Charge Permission: `GET /v2/chargePermissions/{id}`.
    pub fn get_charge_permission(&self, id: impl AsRef<str>) -> Call<'_, ChargePermission> {
        Call::new(
            self,
            Ok(Request::new(
                Method::Get,
                item_path("chargePermissions", id.as_ref(), ""),
            )),
        )
    }

    /// Update Charge Permission: `PATCH /v2/chargePermissions/{id}`.
    pub fn update_charge_permission(
        &self,
        id: impl AsRef<str>,
        body: &UpdateChargePermissionRequest,
    ) -> Call<'_, ChargePermission> {
        Call::new(
            self,
            with_body(
                Method::Patch,
                item_path("chargePermissions", id.as_ref(), ""),
                body,
                IdempotencyPolicy::Optional,
            ),
        )
    }

    /// Close Charge Permission: `DELETE /v2/chargePermissions/{id}/close`, with a JSON body.
    pub fn close_charge_permission(
        &self,
        id: impl AsRef<str>,
        body: &CloseChargePermissionRequest,
    ) -> Call<'_, ChargePermission> {
        Call::new(
            self,
            with_body(
                Method::Delete,
                item_path("chargePermissions", id.as_ref(), "/close"),
                body,
                IdempotencyPolicy::Optional,
            ),
        )
    }
}

/// # Charges
///
/// ```no_run
/// # async fn example(client: amzpay::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use amzpay::types::{CancelChargeRequest, CaptureChargeRequest, CreateChargeRequest, Currency, Price};
///
/// let amount = Price::parse("10.00", Currency::Usd)?;
/// let charge = client
///     .create_charge(&CreateChargeRequest::new("S01-1234567-1234567".into(), amount.clone()))
///     .idempotency_key("order-1234-charge-1")
///     .await?;
/// let id = &charge.charge_id;
/// client.capture_charge(id, &CaptureChargeRequest::new(amount)).await?;
/// let charge = client.get_charge(id).await?;
/// println!("{:?}", charge.status_details.state);
/// # let other = "S01-1234567-1234567-C000002";
/// client.cancel_charge(other, &CancelChargeRequest::new("out of stock")).await?;
/// # Ok(()) }
/// ```
impl Client {
    /// Create Charge: `POST /v2/charges` (201). An idempotency key is generated unless supplied.
    pub fn create_charge(&self, body: &CreateChargeRequest) -> Call<'_, Charge> {
        Call::new(
            self,
            with_body(
                Method::Post,
                "/charges".to_owned(),
                body,
                IdempotencyPolicy::Required,
            ),
        )
    }

    /// Get Charge: `GET /v2/charges/{id}`.
    pub fn get_charge(&self, id: impl AsRef<str>) -> Call<'_, Charge> {
        Call::new(
            self,
            Ok(Request::new(
                Method::Get,
                item_path("charges", id.as_ref(), ""),
            )),
        )
    }

    /// Capture Charge: `POST /v2/charges/{id}/capture`. An idempotency key is generated unless
    /// supplied.
    pub fn capture_charge(
        &self,
        id: impl AsRef<str>,
        body: &CaptureChargeRequest,
    ) -> Call<'_, Charge> {
        Call::new(
            self,
            with_body(
                Method::Post,
                item_path("charges", id.as_ref(), "/capture"),
                body,
                IdempotencyPolicy::Required,
            ),
        )
    }

    /// Cancel Charge: `DELETE /v2/charges/{id}/cancel`, with a JSON body.
    pub fn cancel_charge(
        &self,
        id: impl AsRef<str>,
        body: &CancelChargeRequest,
    ) -> Call<'_, Charge> {
        Call::new(
            self,
            with_body(
                Method::Delete,
                item_path("charges", id.as_ref(), "/cancel"),
                body,
                IdempotencyPolicy::Optional,
            ),
        )
    }
}

/// # Refunds
///
/// ```no_run
/// # async fn example(client: amzpay::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use amzpay::types::{CreateRefundRequest, Currency, Price};
///
/// let refund = client
///     .create_refund(&CreateRefundRequest::new(
///         "S01-1234567-1234567-C123456".into(),
///         Price::parse("4.00", Currency::Usd)?,
///     ))
///     .await?;
/// let refund = client.get_refund(&refund.refund_id).await?;
/// println!("{:?}", refund.status_details.state);
/// # Ok(()) }
/// ```
impl Client {
    /// Create Refund: `POST /v2/refunds` (201). An idempotency key is generated unless supplied.
    pub fn create_refund(&self, body: &CreateRefundRequest) -> Call<'_, Refund> {
        Call::new(
            self,
            with_body(
                Method::Post,
                "/refunds".to_owned(),
                body,
                IdempotencyPolicy::Required,
            ),
        )
    }

    /// Get Refund: `GET /v2/refunds/{id}`.
    pub fn get_refund(&self, id: impl AsRef<str>) -> Call<'_, Refund> {
        Call::new(
            self,
            Ok(Request::new(
                Method::Get,
                item_path("refunds", id.as_ref(), ""),
            )),
        )
    }
}

/// # Buyers
///
/// ```no_run
/// # async fn example(client: amzpay::Client) -> Result<(), amzpay::Error> {
/// // The buyer token arrives on the sign-in return URL as `buyerToken`.
/// let buyer = client.get_buyer("BUYER_TOKEN").await?;
/// println!("{:?} {:?}", buyer.name, buyer.email);
/// # Ok(()) }
/// ```
impl Client {
    /// Get Buyer: `GET /v2/buyers/{buyerToken}`.
    pub fn get_buyer(&self, buyer_token: impl AsRef<str>) -> Call<'_, Buyer> {
        Call::new(
            self,
            Ok(Request::new(
                Method::Get,
                item_path("buyers", buyer_token.as_ref(), ""),
            )),
        )
    }
}

/// # Delivery trackers
///
/// ```no_run
/// # async fn example(client: amzpay::Client) -> Result<(), amzpay::Error> {
/// use amzpay::types::{CreateDeliveryTrackerRequest, DeliveryDetail};
///
/// client
///     .create_delivery_tracker(&CreateDeliveryTrackerRequest::new(
///         "S01-1234567-1234567".into(),
///         vec![DeliveryDetail::new("1Z999AA10123456784", "UPS")],
///     ))
///     .await?;
/// # Ok(()) }
/// ```
impl Client {
    /// Create Delivery Tracker: `POST /v2/deliveryTrackers`. No idempotency key is sent unless
    /// supplied, so without one the call is not retried.
    pub fn create_delivery_tracker(
        &self,
        body: &CreateDeliveryTrackerRequest,
    ) -> Call<'_, DeliveryTracker> {
        Call::new(
            self,
            with_body(
                Method::Post,
                "/deliveryTrackers".to_owned(),
                body,
                IdempotencyPolicy::Optional,
            ),
        )
    }
}
