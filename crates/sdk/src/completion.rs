//! The completion step ("Verify & complete checkout"), done right: [`Client::complete_checkout`].
//!
//! After the buyer's payment step, Amazon Pay sends the buyer to the merchant's
//! `checkoutResultReturnUrl` with `amazonCheckoutSessionId`. The merchant must then complete the
//! session with the amount it expects, store the ids, and show either the order confirmation or a
//! "try another payment method" page. [`Client::complete_checkout`] does the call and turns every
//! possible answer into a [`CompletionOutcome`]:
//!
//! - [`CompletionOutcome::Completed`]: store [`Completed::charge_permission_id`] (always) and
//!   [`Completed::charge`]'s id (when present; refunds need it), follow [`Completed::retention`],
//!   and show the confirmation. [`Completed::authorization_pending`] means the money is not
//!   authorized yet (HTTP 202): ship only once the charge is `Authorized`.
//! - [`CompletionOutcome::NotCompleted`]: do not ship; send the buyer back to the start of
//!   checkout with [`NotCompleted::buyer_message`].
//!
//! It recovers from ambiguous failures. Retries of the Complete call reuse one idempotency key, so
//! Amazon Pay replays the first answer. When the answer is still lost (a timeout, a dropped
//! connection, or a second Complete answered with `InvalidCheckoutSessionStatus` because the first
//! one did go through), it reads the session: a session `Completed` for the expected amount is
//! reported as [`CompletionOutcome::Completed`] (with [`Completed::recovered`] set), so a buyer who
//! paid never sees an error.

use std::time::Duration;

use amzpay_types::{
    ApiErrorCode, Charge, ChargeId, ChargePermissionId, ChargePermissionType, ChargeState,
    CheckoutSession, CheckoutSessionId, CheckoutSessionState, CompleteCheckoutSessionRequest,
    Price, ReasonCode, Timestamp,
};

use crate::client::Client;
use crate::error::{ApiError, Error};
use crate::request::generate_idempotency_key;

/// The message to show a buyer whose payment did not go through, as Amazon Pay recommends.
pub const PAYMENT_NOT_SUCCESSFUL: &str =
    "Your payment was not successful. Please try another payment method.";

/// The message to show a buyer when checkout failed for a reason on the merchant's side.
pub const CHECKOUT_FAILED: &str =
    "Something went wrong while completing your checkout. Please try again.";

/// How long Get Charge Permission returns buyer and transaction data of a `OneTime` permission.
pub const ONE_TIME_DATA_RETENTION: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// What came of completing a checkout.
// `Completed` is large (it holds the session); an outcome is made once per checkout, so boxing it
// would cost readability for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CompletionOutcome {
    /// The payment went through (or is being authorized): store the ids and confirm the order.
    Completed(Completed),
    /// The payment did not go through: send the buyer back to the start of checkout.
    NotCompleted(NotCompleted),
}

impl CompletionOutcome {
    /// The completed checkout, if it completed.
    pub fn completed(&self) -> Option<&Completed> {
        match self {
            CompletionOutcome::Completed(c) => Some(c),
            CompletionOutcome::NotCompleted(_) => None,
        }
    }
}

/// A completed checkout: what the merchant must store and do.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Completed {
    /// The session.
    pub checkout_session_id: CheckoutSessionId,
    /// The charge permission: always store it (charges, delivery tracking and closing need it).
    pub charge_permission_id: ChargePermissionId,
    /// `OneTime`, `Recurring` or `PaymentMethodOnFile`.
    pub charge_permission_type: ChargePermissionType,
    /// The charge Complete created (`Authorize`, `AuthorizeWithCapture`); `None` for `Confirm`.
    /// Store its id: refunds need it.
    pub charge: Option<CompletedCharge>,
    /// The authorization is still pending (HTTP 202, charge `AuthorizationInitiated`): do not
    /// ship until the charge is `Authorized` (poll Get Charge or wait for the notification).
    pub authorization_pending: bool,
    /// What the merchant must keep, by permission type.
    pub retention: Retention,
    /// `true` when the Complete answer was lost and the outcome was read back from the session.
    pub recovered: bool,
    /// The `x-amz-pay-request-id` of the answer the outcome is based on.
    pub request_id: Option<String>,
    /// The session as last read.
    pub session: CheckoutSession,
}

/// The charge created by Complete.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompletedCharge {
    /// The charge id.
    pub charge_id: ChargeId,
    /// Its state when read after completion (`Captured`, `Authorized`,
    /// `AuthorizationInitiated`); `None` if reading the charge failed, which does not undo the
    /// completion.
    pub state: Option<ChargeState>,
}

/// What the merchant must keep after completion (design.md §3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Retention {
    /// No consent to keep the instrument. Get Charge Permission returns buyer and transaction
    /// details only for 30 days after creation: persist them now to hold them longer. With a
    /// `totalOrderAmount` balance (or `Confirm`) the permission funds later charges.
    OneTime {
        /// Roughly when Get Charge Permission stops returning buyer data (completion + 30 days),
        /// if the completion time is known.
        buyer_data_readable_until: Option<Timestamp>,
    },
    /// A subscription: the permission funds the scheduled charges; keep its id.
    Recurring,
    /// The buyer consented to save the instrument: the permission funds future charges and can
    /// be read with Get Charge Permission at any time.
    PaymentMethodOnFile,
    /// A permission type this version does not know.
    Other,
}

impl Retention {
    /// Whether the merchant must copy buyer and transaction data now to keep it beyond 30 days.
    pub fn must_persist_buyer_data(&self) -> bool {
        matches!(self, Retention::OneTime { .. })
    }
}

/// A checkout that did not complete.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NotCompleted {
    /// The session.
    pub checkout_session_id: CheckoutSessionId,
    /// Why.
    pub reason: NotCompletedReason,
    /// What to show the buyer, who should be sent back to the start of checkout.
    pub buyer_message: &'static str,
    /// The error answer that said so, if one did.
    pub error: Option<ApiError>,
}

/// Why a checkout did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotCompletedReason {
    /// The buyer canceled on Amazon's page.
    BuyerCanceled,
    /// The payment instrument was declined.
    Declined,
    /// The session was not completed within 24 hours.
    Expired,
    /// Amazon canceled the session.
    AmazonCanceled,
    /// The session is `Canceled` for another (or no) reason.
    Canceled(Option<ReasonCode>),
    /// The amount sent does not match the session's (409 `AmountMismatch`): a bug or a cart that
    /// changed after the buyer's payment step.
    AmountMismatch,
    /// The session is `Completed`, but for a different amount than expected.
    CompletedWithDifferentAmount {
        /// The amount the session (or its charge) was completed for.
        actual: Price,
    },
    /// The session is still `Open`: the buyer has not been through the payment step yet.
    PaymentStepNotDone,
    /// No such session (unknown id, another merchant's, or deleted 30 days after creation).
    NotFound,
}

impl NotCompletedReason {
    /// Whether the buyer's payment failed (as opposed to a problem on the merchant's side).
    pub fn is_buyer_facing(&self) -> bool {
        matches!(
            self,
            NotCompletedReason::BuyerCanceled
                | NotCompletedReason::Declined
                | NotCompletedReason::Expired
                | NotCompletedReason::AmazonCanceled
                | NotCompletedReason::Canceled(_)
        )
    }

    fn from_cancel_reason(code: Option<ReasonCode>) -> Self {
        match code {
            Some(ReasonCode::BuyerCanceled) => NotCompletedReason::BuyerCanceled,
            Some(ReasonCode::Declined) => NotCompletedReason::Declined,
            Some(ReasonCode::Expired) => NotCompletedReason::Expired,
            Some(ReasonCode::AmazonCanceled) => NotCompletedReason::AmazonCanceled,
            other => NotCompletedReason::Canceled(other),
        }
    }

    fn buyer_message(&self) -> &'static str {
        if self.is_buyer_facing() {
            PAYMENT_NOT_SUCCESSFUL
        } else {
            CHECKOUT_FAILED
        }
    }
}

impl Client {
    /// Completes a checkout session and says what came of it (design.md §3).
    ///
    /// `expected_charge_amount` is the amount the merchant charges now (a [`Price`], or `None`
    /// for sessions that complete with an empty body: `Confirm` with `recurringMetadata`, or a
    /// setup-only `PaymentMethodOnFile` session). `total_order_amount` must be given when the
    /// session has one.
    ///
    /// Returns `Err` only when the outcome cannot be known (no answer and the session could not
    /// be read either) or for errors that are not about the buyer's payment (bad keys, invalid
    /// parameters): then show a generic error and try again later; calling this again is safe.
    ///
    /// ```no_run
    /// # async fn example(client: amzpay::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use amzpay::completion::CompletionOutcome;
    /// use amzpay::types::{Currency, Price};
    ///
    /// let session_id = "d6b6b33b-0b1c-4a1c-9e0f-3c6b8e8b9f10"; // from ?amazonCheckoutSessionId=
    /// let amount = Price::parse("14.00", Currency::Usd)?;
    /// match client.complete_checkout(session_id, amount, None).await? {
    ///     CompletionOutcome::Completed(done) => {
    ///         println!("store {} and {:?}", done.charge_permission_id, done.charge);
    ///     }
    ///     CompletionOutcome::NotCompleted(failed) => {
    ///         println!("back to checkout: {}", failed.buyer_message);
    ///     }
    ///     _ => unreachable!("no other outcome in this version"),
    /// }
    /// # Ok(()) }
    /// ```
    #[tracing::instrument(name = "amzpay.complete_checkout", skip_all, fields(checkout_session_id = %session_id.as_ref()))]
    pub async fn complete_checkout(
        &self,
        session_id: impl AsRef<str>,
        expected_charge_amount: impl Into<Option<Price>>,
        total_order_amount: Option<Price>,
    ) -> Result<CompletionOutcome, Error> {
        let session_id = CheckoutSessionId::new(session_id.as_ref());
        let expected = expected_charge_amount.into();
        let body = CompleteCheckoutSessionRequest {
            charge_amount: expected.clone(),
            total_order_amount,
        };
        let key = generate_idempotency_key();
        let result = self
            .complete_checkout_session(&session_id, &body)
            .idempotency_key(key)
            .await;
        match result {
            Ok(response) => {
                let pending = response.status() == 202;
                let request_id = response.request_id().map(str::to_owned);
                let session = response.into_inner();
                Ok(self
                    .completed(session, pending, false, request_id, None)
                    .await)
            }
            Err(Error::Api(error)) => {
                let not_completed = |reason: NotCompletedReason, error: ApiError| {
                    Ok(CompletionOutcome::NotCompleted(NotCompleted {
                        checkout_session_id: session_id.clone(),
                        buyer_message: reason.buyer_message(),
                        reason,
                        error: Some(error),
                    }))
                };
                match error.reason_code() {
                    Some(ApiErrorCode::CheckoutSessionCanceled) => {
                        let reason = match self.get_checkout_session(&session_id).await {
                            Ok(session) => NotCompletedReason::from_cancel_reason(
                                session.status_details.reason_code.clone(),
                            ),
                            Err(e) => {
                                tracing::warn!(error = %e, "could not read the canceled session's reason");
                                NotCompletedReason::Canceled(None)
                            }
                        };
                        not_completed(reason, error)
                    }
                    Some(ApiErrorCode::AmountMismatch) => {
                        not_completed(NotCompletedReason::AmountMismatch, error)
                    }
                    Some(ApiErrorCode::ResourceNotFound) => {
                        not_completed(NotCompletedReason::NotFound, error)
                    }
                    Some(ApiErrorCode::InvalidCheckoutSessionStatus) => {
                        let original = Error::Api(error.clone());
                        self.recover(&session_id, expected.as_ref(), Some(error), original)
                            .await
                    }
                    _ if error.status() >= 500
                        || error.status() == 408
                        || error.status() == 429 =>
                    {
                        let original = Error::Api(error);
                        self.recover(&session_id, expected.as_ref(), None, original)
                            .await
                    }
                    _ => Err(Error::Api(error)),
                }
            }
            Err(error @ (Error::Timeout(_) | Error::Transport(_))) => {
                self.recover(&session_id, expected.as_ref(), None, error)
                    .await
            }
            Err(other) => Err(other),
        }
    }

    /// Reads the session after an ambiguous Complete and says what really happened; returns
    /// `original` when that cannot be known.
    async fn recover(
        &self,
        session_id: &CheckoutSessionId,
        expected: Option<&Price>,
        error: Option<ApiError>,
        original: Error,
    ) -> Result<CompletionOutcome, Error> {
        let response = match self.get_checkout_session(session_id).await {
            Ok(response) => response,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the session to recover the completion outcome");
                return Err(original);
            }
        };
        let request_id = response.request_id().map(str::to_owned);
        let session = response.into_inner();
        let not_completed = |reason: NotCompletedReason| {
            Ok(CompletionOutcome::NotCompleted(NotCompleted {
                checkout_session_id: session_id.clone(),
                buyer_message: reason.buyer_message(),
                reason,
                error: error.clone(),
            }))
        };
        match &session.status_details.state {
            CheckoutSessionState::Completed => {
                let mut charge = None;
                if let Some(expected) = expected {
                    let (actual, read) = self.completed_amount(&session).await;
                    charge = read;
                    if let Some(actual) = actual {
                        if &actual != expected {
                            return not_completed(
                                NotCompletedReason::CompletedWithDifferentAmount { actual },
                            );
                        }
                    }
                }
                tracing::info!("the session was already completed; reporting it as completed");
                Ok(self
                    .completed(session, false, true, request_id, charge)
                    .await)
            }
            CheckoutSessionState::Canceled => not_completed(
                NotCompletedReason::from_cancel_reason(session.status_details.reason_code.clone()),
            ),
            // Open (the payment step is not done) after an explicit InvalidCheckoutSessionStatus;
            // after a lost answer, an Open session means Complete did not happen: report the
            // original failure so the caller can try again.
            CheckoutSessionState::Open if error.is_some() => {
                not_completed(NotCompletedReason::PaymentStepNotDone)
            }
            _ => Err(original),
        }
    }

    /// The amount a completed session was completed for: its `paymentDetails.chargeAmount`, or
    /// (Amazon stops returning `paymentDetails` after completion) its charge's amount, with the
    /// charge when it was read. `None` when neither can be read, e.g. a `Confirm` session with
    /// no charge.
    async fn completed_amount(&self, session: &CheckoutSession) -> (Option<Price>, Option<Charge>) {
        if let Some(amount) = session
            .payment_details
            .as_ref()
            .and_then(|d| d.charge_amount.clone())
        {
            return (Some(amount), None);
        }
        let Some(charge_id) = session.charge_id.as_ref() else {
            return (None, None);
        };
        match self.get_charge(charge_id).await {
            Ok(charge) => {
                let charge = charge.into_inner();
                (charge.charge_amount.clone(), Some(charge))
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read the charge to check the completed amount");
                (None, None)
            }
        }
    }

    async fn completed(
        &self,
        session: CheckoutSession,
        status_202: bool,
        recovered: bool,
        request_id: Option<String>,
        already_read: Option<Charge>,
    ) -> CompletionOutcome {
        let charge = match &session.charge_id {
            None => None,
            Some(id) => {
                let state = match already_read {
                    Some(charge) if &charge.charge_id == id => Some(charge.status_details.state),
                    _ => match self.get_charge(id).await {
                        Ok(charge) => Some(charge.into_inner().status_details.state),
                        Err(e) => {
                            tracing::warn!(error = %e, "could not read the charge after completion");
                            None
                        }
                    },
                };
                Some(CompletedCharge {
                    charge_id: id.clone(),
                    state,
                })
            }
        };
        let authorization_pending = status_202
            || matches!(
                charge.as_ref().and_then(|c| c.state.as_ref()),
                Some(ChargeState::AuthorizationInitiated)
            );
        // Amazon's default permission type is OneTime.
        let charge_permission_type = session
            .charge_permission_type
            .clone()
            .unwrap_or(ChargePermissionType::OneTime);
        let retention = match &charge_permission_type {
            ChargePermissionType::OneTime => Retention::OneTime {
                buyer_data_readable_until: session
                    .status_details
                    .last_updated_timestamp
                    .as_ref()
                    .and_then(|t| {
                        t.checked_add(time::Duration::seconds(
                            ONE_TIME_DATA_RETENTION.as_secs() as i64
                        ))
                    }),
            },
            ChargePermissionType::Recurring => Retention::Recurring,
            ChargePermissionType::PaymentMethodOnFile => Retention::PaymentMethodOnFile,
            _ => Retention::Other,
        };
        CompletionOutcome::Completed(Completed {
            checkout_session_id: session.checkout_session_id.clone(),
            charge_permission_id: session.charge_permission_id.clone().unwrap_or_default(),
            charge_permission_type,
            charge,
            authorization_pending,
            retention,
            recovered,
            request_id,
            session,
        })
    }
}
