//! The Checkout Session before Complete: Create and Update, the buyer's sign-in and choices on
//! the hosted pages, the payment step behind `amazonPayRedirectUrl`, the buyer's cancel, and the
//! `constraints` that gate the payment step (spec §3.1, §4.1).

use rand::RngCore;

use super::{Checkout, Effect, merge, merge_merchant_metadata, merge_recurring_metadata};
use crate::clock::{DAY, Timestamp};
use crate::error::{DomainError, FieldError};
use crate::ids::{BuyerId, CheckoutSessionId};
use crate::input::{
    Choose, MerchantContext, NewCheckoutSession, PaymentDetailsInput, SessionUpdate, SignIn,
    check_address, check_session,
};
use crate::model::{
    Buyer, BuyerSelection, ChargePermissionType, CheckoutMode, CheckoutSession, Instrument,
    InstrumentBehaviour, PaymentDetails, PaymentIntent, PaymentStep, PendingResolution,
    ProductType, SessionCancelReason, SessionState, StepAuthorization, WebCheckoutDetails,
};
use crate::money::Money;

/// A session that is not completed within this time expires (`Canceled`/`Expired`).
pub const SESSION_EXPIRY_SECS: i64 = DAY;
/// A session (not its charge permission or charges) is deleted this long after creation.
pub const SESSION_RETENTION_SECS: i64 = 30 * DAY;

/// Where a buyer action sends the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// A merchant URL, with `amazonCheckoutSessionId` already in its query.
    Merchant(String),
    /// The emulator's payment page (`amazonPayRedirectUrl`), built by the server.
    PaymentPage,
}

/// A `constraints[]` entry (spec §2.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Constraint {
    /// No buyer signed in yet.
    BuyerNotAssociated,
    /// `paymentDetails.chargeAmount` missing.
    ChargeAmountNotSet,
    /// `webCheckoutDetails.checkoutResultReturnUrl` missing.
    CheckoutResultReturnUrlNotSet,
    /// `paymentDetails.paymentIntent` missing.
    PaymentIntentNotSet,
    /// A Recurring session without `recurringMetadata.frequency`.
    RecurringFrequencyNotSet,
}

impl Constraint {
    /// `constraintId`.
    pub fn id(self) -> &'static str {
        match self {
            Constraint::BuyerNotAssociated => "BuyerNotAssociated",
            Constraint::ChargeAmountNotSet => "ChargeAmountNotSet",
            Constraint::CheckoutResultReturnUrlNotSet => "CheckoutResultReturnUrlNotSet",
            Constraint::PaymentIntentNotSet => "PaymentIntentNotSet",
            Constraint::RecurringFrequencyNotSet => "RecurringFrequencyNotSet",
        }
    }

    /// `description`, as the API returns it.
    pub fn description(self) -> &'static str {
        match self {
            Constraint::BuyerNotAssociated => {
                "There is no buyer associated with the Checkout Session. Return the checkout session id to the Amazon Pay Button to allow buyer to login."
            }
            Constraint::ChargeAmountNotSet => "chargeAmount is not set.",
            Constraint::CheckoutResultReturnUrlNotSet => "checkoutResultReturnUrl is not set.",
            Constraint::PaymentIntentNotSet => "paymentIntent is not set.",
            Constraint::RecurringFrequencyNotSet => "recurringMetadata.frequency is not set.",
        }
    }
}

/// Appends `amazonCheckoutSessionId=<id>` to a merchant URL's query (before any fragment).
pub fn with_session_id(url: &str, id: &CheckoutSessionId) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let sep = if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    let mut out = format!("{base}{sep}amazonCheckoutSessionId={id}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Creates a checkout from Create Checkout Session.
pub fn create(
    merchant: &MerchantContext,
    input: NewCheckoutSession,
    now: Timestamp,
    rng: &mut dyn RngCore,
) -> Result<(Checkout, Vec<Effect>), DomainError> {
    if input.store_id != merchant.store_id.as_str() {
        return Err(FieldError::invalid("storeId", "is not a store of this merchant").into());
    }
    let web = input.web_checkout_details;
    if input.charge_permission_id.is_some() {
        return Err(FieldError::invalid(
            "chargePermissionId",
            "saved-wallet checkout is not supported by this emulator version",
        )
        .into());
    }
    let p = input.payment_details.unwrap_or_default();
    let session = CheckoutSession {
        id: CheckoutSessionId::generate(rng),
        store_id: merchant.store_id.clone(),
        web_checkout_details: web,
        product_type: input.product_type.unwrap_or(ProductType::PayAndShip),
        payment_details: PaymentDetails {
            payment_intent: p.payment_intent,
            can_handle_pending_authorization: p.can_handle_pending_authorization.unwrap_or(false),
            charge_amount: p.charge_amount,
            total_order_amount: p.total_order_amount,
            presentment_currency: p
                .presentment_currency
                .or(p.charge_amount.map(Money::currency)),
            soft_descriptor: p.soft_descriptor,
            allow_overcharge: p.allow_overcharge,
            extend_expiration: p.extend_expiration,
        },
        charge_permission_type: input
            .charge_permission_type
            .unwrap_or(ChargePermissionType::OneTime),
        recurring_metadata: input.recurring_metadata,
        setup_only: input.setup_only,
        merchant_metadata: input.merchant_metadata.unwrap_or_default(),
        supplementary_data: input.supplementary_data,
        platform_id: input.platform_id,
        provider_reference_id: input.provider_reference_id,
        delivery_specifications: input.delivery_specifications,
        scopes: input.scopes,
        address_details: input.address_details,
        buyer: None,
        payment_step: PaymentStep::NotRun,
        state: SessionState::Open,
        created_at: now,
        updated_at: now,
    };
    check_session(&session, merchant.environment, merchant.region)?;
    let checkout = Checkout {
        merchant_id: merchant.merchant_id.clone(),
        environment: merchant.environment,
        region: merchant.region,
        session,
        permission: None,
        charges: Vec::new(),
        refunds: Vec::new(),
        delivery_trackers: Vec::new(),
    };
    Ok((checkout, Vec::new()))
}

impl Checkout {
    /// Whether the session still exists at `now` (it is deleted 30 days after creation).
    pub fn session_visible(&self, now: Timestamp) -> bool {
        now < self.session.created_at.plus(SESSION_RETENTION_SECS)
    }

    /// When the whole aggregate may be deleted: a checkout that never got a charge permission
    /// is nothing but its session, which is gone 30 days after creation. A checkout with a
    /// permission keeps it (and its charges and refunds) after the session is gone: `None`.
    pub fn retention_ends(&self) -> Option<Timestamp> {
        self.permission
            .is_none()
            .then(|| self.session.created_at.plus(SESSION_RETENTION_SECS))
    }

    /// The session's `constraints` (empty unless `Open`).
    pub fn constraints(&self) -> Vec<Constraint> {
        let s = &self.session;
        if s.state != SessionState::Open {
            return Vec::new();
        }
        let mut out = Vec::new();
        if s.buyer.is_none() {
            out.push(Constraint::BuyerNotAssociated);
        }
        if s.payment_details.charge_amount.is_none() && self.needs_charge_amount() {
            out.push(Constraint::ChargeAmountNotSet);
        }
        if s.web_checkout_details.checkout_result_return_url.is_none() {
            out.push(Constraint::CheckoutResultReturnUrlNotSet);
        }
        if s.payment_details.payment_intent.is_none() {
            out.push(Constraint::PaymentIntentNotSet);
        }
        if s.charge_permission_type == ChargePermissionType::Recurring
            && s.recurring_metadata
                .as_ref()
                .is_none_or(|r| r.frequency.is_none())
        {
            out.push(Constraint::RecurringFrequencyNotSet);
        }
        out
    }

    /// Whether `amazonPayRedirectUrl` is set: the session is `Open` and has no constraints.
    ///
    /// A buyer-less `ProcessOrder` session lists `BuyerNotAssociated` like any other: the APB
    /// button signs the buyer in before the payment step.
    pub fn redirect_url_ready(&self) -> bool {
        self.session.state == SessionState::Open && self.constraints().is_empty()
    }

    /// Whether the session can be completed without a `chargeAmount`: setup-only
    /// `PaymentMethodOnFile`, or `Confirm` with `recurringMetadata`.
    fn needs_charge_amount(&self) -> bool {
        let s = &self.session;
        let setup_only = s.setup_only == Some(true);
        let recurring_confirm = s.payment_details.payment_intent == Some(PaymentIntent::Confirm)
            && s.recurring_metadata.is_some();
        !(setup_only || recurring_confirm)
    }

    fn require_open(&self, action: &str) -> Result<(), DomainError> {
        match &self.session.state {
            SessionState::Open => Ok(()),
            other => Err(DomainError::status(format!(
                "The Checkout Session is in state {} and cannot be {action}.",
                other.as_str()
            ))),
        }
    }

    pub(super) fn update(&mut self, u: SessionUpdate, now: Timestamp) -> Result<(), DomainError> {
        self.require_open("updated")?;
        let s = &mut self.session;
        let mut payment_changed = false;
        if let Some(w) = u.web_checkout_details {
            let WebCheckoutDetails {
                checkout_review_return_url,
                checkout_result_return_url,
                checkout_cancel_url,
                checkout_mode,
            } = w;
            let t = &mut s.web_checkout_details;
            merge(
                &mut t.checkout_review_return_url,
                checkout_review_return_url,
            );
            merge(
                &mut t.checkout_result_return_url,
                checkout_result_return_url,
            );
            merge(&mut t.checkout_cancel_url, checkout_cancel_url);
            if let Some(mode) = checkout_mode
                && t.checkout_mode != Some(mode)
            {
                return Err(FieldError::invalid(
                    "webCheckoutDetails.checkoutMode",
                    "can only be set when the session is created",
                )
                .into());
            }
        }
        if let Some(p) = u.payment_details {
            let PaymentDetailsInput {
                payment_intent,
                can_handle_pending_authorization,
                charge_amount,
                total_order_amount,
                presentment_currency,
                soft_descriptor,
                allow_overcharge,
                extend_expiration,
            } = p;
            for (field, supplied) in [
                (
                    "paymentDetails.presentmentCurrency",
                    presentment_currency.is_some(),
                ),
                ("paymentDetails.allowOvercharge", allow_overcharge.is_some()),
                (
                    "paymentDetails.extendExpiration",
                    extend_expiration.is_some(),
                ),
            ] {
                if supplied {
                    return Err(FieldError::invalid(
                        field,
                        "can only be set when the session is created",
                    )
                    .into());
                }
            }
            let before = s.payment_details.clone();
            let t = &mut s.payment_details;
            merge(&mut t.payment_intent, payment_intent);
            if let Some(b) = can_handle_pending_authorization {
                t.can_handle_pending_authorization = b;
            }
            merge(&mut t.charge_amount, charge_amount);
            merge(&mut t.total_order_amount, total_order_amount);
            merge(&mut t.soft_descriptor, soft_descriptor);
            if let Some(c) = t.charge_amount
                && t.presentment_currency.is_none()
            {
                t.presentment_currency = Some(c.currency());
            }
            payment_changed = *t != before;
        }
        if let Some(m) = u.merchant_metadata {
            merge_merchant_metadata(&mut s.merchant_metadata, m);
        }
        merge(&mut s.supplementary_data, u.supplementary_data);
        merge(&mut s.platform_id, u.platform_id);
        merge(&mut s.provider_reference_id, u.provider_reference_id);
        if let Some(t) = u.charge_permission_type
            && t != s.charge_permission_type
        {
            s.charge_permission_type = t;
            payment_changed = true;
        }
        if let Some(r) = u.recurring_metadata {
            let t = s.recurring_metadata.get_or_insert_with(Default::default);
            let before = t.clone();
            merge_recurring_metadata(t, r);
            payment_changed |= *t != before;
        }
        check_session(s, self.environment, self.region)?;
        // The payment step authorized what the session said then; a change to what is paid
        // needs a new payment step (the buyer goes through amazonPayRedirectUrl again).
        if payment_changed {
            s.payment_step = PaymentStep::NotRun;
        }
        s.updated_at = now;
        Ok(())
    }

    pub(super) fn sign_in(
        &mut self,
        sign_in: SignIn,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Result<Effect, DomainError> {
        self.require_open("signed in to")?;
        check_address("shippingAddress", &sign_in.shipping_address)?;
        check_address("billingAddress", &sign_in.billing_address)?;
        let s = &mut self.session;
        let buyer_id = match &s.buyer {
            Some(existing) if existing.buyer.email == sign_in.email => {
                existing.buyer.buyer_id.clone()
            }
            _ => BuyerId::generate(rng),
        };
        let shipping_address = match s.product_type {
            ProductType::PayAndShip => Some(
                s.address_details
                    .clone()
                    .unwrap_or(sign_in.shipping_address),
            ),
            ProductType::PayOnly => None,
        };
        s.buyer = Some(BuyerSelection {
            buyer: Buyer {
                buyer_id,
                name: sign_in.name,
                email: sign_in.email,
                phone_number: sign_in.phone_number,
            },
            shipping_address,
            billing_address: Some(sign_in.billing_address),
            instrument: sign_in
                .instrument
                .unwrap_or_else(|| Instrument::with_behaviour(InstrumentBehaviour::Succeeds)),
        });
        s.payment_step = PaymentStep::NotRun;
        s.updated_at = now;
        Ok(self.after_selection())
    }

    pub(super) fn choose(&mut self, choose: Choose, now: Timestamp) -> Result<Effect, DomainError> {
        self.require_open("changed")?;
        let s = &mut self.session;
        let Some(sel) = s.buyer.as_mut() else {
            return Err(DomainError::status(
                "No buyer is signed in to the Checkout Session.",
            ));
        };
        if let Some(i) = choose.instrument {
            sel.instrument = i;
        }
        if let Some(a) = choose.shipping_address {
            check_address("shippingAddress", &a)?;
            if s.product_type == ProductType::PayAndShip {
                sel.shipping_address = Some(a);
            }
        }
        s.payment_step = PaymentStep::NotRun;
        s.updated_at = now;
        Ok(self.after_selection())
    }

    /// After sign-in or a change: back to the merchant's review page, or straight to the
    /// payment step for the Additional Payment Button (`ProcessOrder`).
    fn after_selection(&self) -> Effect {
        let s = &self.session;
        if s.web_checkout_details.checkout_mode == Some(CheckoutMode::ProcessOrder) {
            return Effect::Redirect(Redirect::PaymentPage);
        }
        match &s.web_checkout_details.checkout_review_return_url {
            Some(url) => Effect::Redirect(Redirect::Merchant(with_session_id(url, &s.id))),
            None => Effect::Redirect(Redirect::PaymentPage),
        }
    }

    pub(super) fn run_payment_step(&mut self, now: Timestamp) -> Result<Effect, DomainError> {
        self.require_open("paid")?;
        let constraints = self.constraints();
        if !constraints.is_empty() {
            let ids: Vec<&str> = constraints.iter().map(|c| c.id()).collect();
            return Err(DomainError::status(format!(
                "The payment step needs a Checkout Session without constraints; it has {}.",
                ids.join(", ")
            )));
        }
        let s = &mut self.session;
        let sel = s
            .buyer
            .as_ref()
            .ok_or_else(|| DomainError::status("No buyer is signed in."))?;
        let intent = s
            .payment_details
            .payment_intent
            .unwrap_or(PaymentIntent::Confirm);
        let pending_ok = intent == PaymentIntent::Authorize
            && s.payment_details.can_handle_pending_authorization;
        let outcome = match sel.instrument.behaviour() {
            InstrumentBehaviour::Succeeds => Ok(match intent {
                PaymentIntent::Confirm => StepAuthorization::NotNeeded,
                _ => StepAuthorization::Approved,
            }),
            InstrumentBehaviour::BuyerCancels => Err(SessionCancelReason::BuyerCanceled),
            InstrumentBehaviour::Declined => Err(SessionCancelReason::Declined),
            // A pending instrument needs Authorize with canHandlePendingAuthorization; without
            // it the synchronous authorization times out, which the buyer sees as a decline.
            InstrumentBehaviour::PendingThenAuthorized if pending_ok => {
                Ok(StepAuthorization::Pending {
                    resolves_to: PendingResolution::Authorized,
                })
            }
            InstrumentBehaviour::PendingThenDeclined if pending_ok => {
                Ok(StepAuthorization::Pending {
                    resolves_to: PendingResolution::HardDeclined,
                })
            }
            InstrumentBehaviour::PendingThenAuthorized
            | InstrumentBehaviour::PendingThenDeclined => Err(SessionCancelReason::Declined),
        };
        match outcome {
            Ok(authorization) => {
                s.payment_step = PaymentStep::Ran {
                    at: now,
                    authorization,
                }
            }
            Err(reason) => s.state = SessionState::Canceled { at: now, reason },
        }
        s.updated_at = now;
        let url = s
            .web_checkout_details
            .checkout_result_return_url
            .as_deref()
            .unwrap_or_default();
        Ok(Effect::Redirect(Redirect::Merchant(with_session_id(
            url, &s.id,
        ))))
    }

    /// Cancels the session at `at` and marks an authorization the payment step made as
    /// `Canceled`: what expiry and a cancel simulated at Complete or Finalize both do.
    pub(super) fn cancel_session(&mut self, at: Timestamp, reason: SessionCancelReason) {
        let s = &mut self.session;
        s.state = SessionState::Canceled { at, reason };
        if let PaymentStep::Ran {
            at: ran_at,
            authorization,
        } = s.payment_step
            && authorization != StepAuthorization::NotNeeded
        {
            s.payment_step = PaymentStep::Ran {
                at: ran_at,
                authorization: StepAuthorization::Canceled,
            };
        }
        s.updated_at = at;
    }

    pub(super) fn cancel_as_buyer(&mut self, now: Timestamp) -> Result<Effect, DomainError> {
        self.require_open("canceled")?;
        let s = &mut self.session;
        s.state = SessionState::Canceled {
            at: now,
            reason: SessionCancelReason::BuyerCanceled,
        };
        s.updated_at = now;
        Ok(Effect::Redirect(
            match s.web_checkout_details.cancel_target() {
                Some(url) => Redirect::Merchant(with_session_id(url, &s.id)),
                None => Redirect::PaymentPage,
            },
        ))
    }
}
