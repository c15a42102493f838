//! The checkout aggregate and its transition function.
//!
//! One [`Checkout`] holds a Checkout Session and everything Complete creates from it: the Charge
//! Permission, its Charges and their Refunds. The server loads one aggregate, calls [`create`] or
//! [`transition`] with `now` and a random source, and stores the result in one transaction, so
//! serializing writes per aggregate is all the concurrency control the emulator needs.
//!
//! Timers are due timestamps on the objects: [`Checkout::advance_to`] applies every transition
//! that has come due (session expiry, pending authorizations, ...), [`Checkout::next_due`] says
//! when the next one comes due so storage can index it.

use rand::RngCore;

use crate::clock::{DAY, Timestamp};
use crate::error::{DomainError, FieldError};
use crate::ids::{ChargeId, ChargePermissionId, CheckoutSessionId, MerchantId, RefundId};
use crate::input::{
    CaptureRequest, Choose, CloseRequest, CompleteRequest, FinalizeRequest, MerchantContext,
    NewCharge, NewCheckoutSession, NewRefund, PaymentDetailsInput, PermissionUpdate, SessionUpdate,
    Shipment, SignIn, check_address, check_session,
};
use crate::model::{
    Buyer, BuyerSelection, Charge, ChargeCanceledReason, ChargeDeclinedReason, ChargePermission,
    ChargePermissionType, ChargeState, CheckoutMode, CheckoutSession, DeliveryTracker, Environment,
    Instrument, InstrumentBehaviour, NonChargeableReason, PaymentDetails, PaymentIntent,
    PaymentStep, PendingResolution, PermissionClosedReason, PermissionEvent, PermissionState,
    ProductType, Refund, RefundResolution, RefundState, Region, SessionCancelReason, SessionState,
    StepAuthorization, WebCheckoutDetails,
};
use crate::money::Money;
use crate::simulation::{Operation, Simulation};

mod payments;

/// A session that is not completed within this time expires (`Canceled`/`Expired`).
pub const SESSION_EXPIRY_SECS: i64 = DAY;
/// A session (not its charge permission or charges) is deleted this long after creation.
pub const SESSION_RETENTION_SECS: i64 = 30 * DAY;
/// Pending authorizations (and captures, refunds) resolve this long after they start.
pub const PENDING_RESOLUTION_SECS: i64 = 30;
/// An asynchronous capture (`CaptureInitiated`) completes this long after it starts.
pub const CAPTURE_RESOLUTION_SECS: i64 = 30;
/// A refund (`RefundInitiated`) completes this long after it starts.
pub const REFUND_RESOLUTION_SECS: i64 = 30;
/// A capture more than this long after the authorization is asynchronous (`CaptureInitiated`).
pub const SYNCHRONOUS_CAPTURE_WINDOW_SECS: i64 = 7 * DAY;
/// A charge's authorization expires this long after creation.
pub const AUTHORIZATION_EXPIRY_SECS: i64 = 30 * DAY;
/// OneTime charge permissions expire this long after creation.
pub const ONE_TIME_PERMISSION_EXPIRY_SECS: i64 = 180 * DAY;
/// OneTime permissions with `extendExpiration`, and Recurring ones, last about 13 months.
pub const EXTENDED_PERMISSION_EXPIRY_SECS: i64 = 395 * DAY;
/// OneTime charge permissions show buyer details for this long.
pub const ONE_TIME_BUYER_DATA_SECS: i64 = 30 * DAY;

/// One checkout: a session and everything Complete made from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkout {
    /// Owner.
    pub merchant_id: MerchantId,
    /// Environment of the key that created it.
    pub environment: Environment,
    /// Region of the merchant.
    pub region: Region,
    /// The Checkout Session.
    pub session: CheckoutSession,
    /// The Charge Permission, once completed.
    pub permission: Option<ChargePermission>,
    /// Charges against the permission.
    pub charges: Vec<Charge>,
    /// Refunds of those charges.
    pub refunds: Vec<Refund>,
    /// Shipments reported for the permission (Create Delivery Tracker).
    pub delivery_trackers: Vec<DeliveryTracker>,
}

/// A command on an existing checkout (closed set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Update Checkout Session.
    Update(SessionUpdate),
    /// The buyer signs in on the hosted page.
    SignIn(SignIn),
    /// The buyer changes the instrument or address.
    Choose(Choose),
    /// The buyer visits `amazonPayRedirectUrl` (the payment step).
    RunPaymentStep,
    /// The buyer cancels on a hosted page.
    CancelAsBuyer,
    /// Complete Checkout Session.
    Complete(CompleteRequest),
    /// Finalize Checkout Session.
    Finalize(FinalizeRequest),
    /// Apply the timers that are due; nothing else.
    ApplyDue,
    /// Create Charge on the checkout's permission.
    CreateCharge(NewCharge),
    /// Capture Charge.
    CaptureCharge {
        /// The charge.
        charge_id: ChargeId,
        /// The capture.
        request: CaptureRequest,
    },
    /// Cancel Charge.
    CancelCharge {
        /// The charge.
        charge_id: ChargeId,
        /// `cancellationReason`.
        reason: String,
    },
    /// Create Refund.
    CreateRefund {
        /// The refunded charge.
        charge_id: ChargeId,
        /// The refund.
        refund: NewRefund,
    },
    /// Update Charge Permission.
    UpdatePermission(PermissionUpdate),
    /// Close Charge Permission.
    ClosePermission(CloseRequest),
    /// Create Delivery Tracker.
    TrackDelivery(Vec<Shipment>),
    /// Something the buyer or Amazon does to the permission (admin API).
    PermissionEvent(PermissionEvent),
}

impl Command {
    /// The operation whose simulation codes the command accepts, if any.
    pub fn simulated_operation(&self) -> Option<Operation> {
        match self {
            Command::Complete(_) => Some(Operation::CompleteCheckoutSession),
            Command::Finalize(_) => Some(Operation::FinalizeCheckoutSession),
            Command::CreateCharge(_) => Some(Operation::CreateCharge),
            Command::CaptureCharge { .. } => Some(Operation::CaptureCharge),
            Command::CreateRefund { .. } => Some(Operation::CreateRefund),
            Command::ClosePermission(_) => Some(Operation::CloseChargePermission),
            _ => None,
        }
    }

    /// Whether the command acts on the Checkout Session (and so needs it to still exist).
    fn needs_session(&self) -> bool {
        matches!(
            self,
            Command::Update(_)
                | Command::SignIn(_)
                | Command::Choose(_)
                | Command::RunPaymentStep
                | Command::CancelAsBuyer
                | Command::Complete(_)
                | Command::Finalize(_)
        )
    }
}

/// A synchronous decline: Create Charge (or Capture) answers with this error and the state
/// change it caused is stored (spec §4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decline {
    /// 422 `SoftDeclined`.
    SoftDeclined,
    /// 422 `HardDeclined`.
    HardDeclined,
    /// 422 `AmazonRejected`.
    AmazonRejected,
    /// 422 `TransactionTimedOut`.
    TransactionTimedOut,
    /// 422 `PaymentMethodNotAllowed`.
    PaymentMethodNotAllowed,
    /// 422 `MFANotCompleted`.
    MfaNotCompleted,
}

impl Decline {
    /// The `reasonCode` of the error answer.
    pub fn code(self) -> &'static str {
        match self {
            Decline::SoftDeclined => "SoftDeclined",
            Decline::HardDeclined => "HardDeclined",
            Decline::AmazonRejected => "AmazonRejected",
            Decline::TransactionTimedOut => "TransactionTimedOut",
            Decline::PaymentMethodNotAllowed => "PaymentMethodNotAllowed",
            Decline::MfaNotCompleted => "MFANotCompleted",
        }
    }
}

/// Where a buyer action sends the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// A merchant URL, with `amazonCheckoutSessionId` already in its query.
    Merchant(String),
    /// The emulator's payment page (`amazonPayRedirectUrl`), built by the server.
    PaymentPage,
}

/// Something the shell must do or know after a transition (closed set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// A buyer action's browser redirect.
    Redirect(Redirect),
    /// Complete/Finalize left the authorization pending: answer 202.
    AuthorizationPending,
    /// A timer fired (for logs and, later, notifications).
    TimerFired(TimerKind),
    /// Create Charge made this charge.
    ChargeCreated(ChargeId),
    /// Create Refund made this refund.
    RefundCreated(RefundId),
    /// The request was declined synchronously; answer with the decline as an error (the state
    /// change is kept).
    Declined(Decline),
    /// A simulation canceled the session at Complete/Finalize: answer 422
    /// `CheckoutSessionCanceled` (the cancel is kept).
    SessionCanceled(SessionCancelReason),
}

/// Which timer fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerKind {
    /// An `Open` session expired.
    SessionExpired,
    /// A pending authorization resolved.
    AuthorizationResolved,
    /// An authorization expired unused.
    AuthorizationExpired,
    /// An asynchronous capture completed.
    CaptureCompleted,
    /// A refund completed.
    RefundCompleted,
    /// A charge permission expired.
    PermissionExpired,
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
    let store_id = input
        .store_id
        .ok_or_else(|| FieldError::missing("storeId"))?;
    if store_id != merchant.store_id.as_str() {
        return Err(FieldError::invalid("storeId", "is not a store of this merchant").into());
    }
    let web = input
        .web_checkout_details
        .ok_or_else(|| FieldError::missing("webCheckoutDetails"))?;
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

/// Applies a command to a checkout at `now`: first every timer that is due, then the command.
///
/// On error nothing changes (the caller keeps `state`).
pub fn transition(
    state: &Checkout,
    command: Command,
    now: Timestamp,
    rng: &mut dyn RngCore,
) -> Result<(Checkout, Vec<Effect>), DomainError> {
    transition_with(state, command, None, now, rng)
}

/// [`transition`] with a sandbox simulation code (`x-amz-pay-simulation-code`).
///
/// A code the command's operation does not accept, or one that does not fit the object's state,
/// fails with [`DomainError::InvalidSimulation`] and changes nothing.
pub fn transition_with(
    state: &Checkout,
    command: Command,
    simulation: Option<Simulation>,
    now: Timestamp,
    rng: &mut dyn RngCore,
) -> Result<(Checkout, Vec<Effect>), DomainError> {
    if let Some(sim) = simulation {
        match command.simulated_operation() {
            Some(op) if sim.applies_to(op) => {}
            Some(op) => {
                return Err(DomainError::simulation(format!(
                    "The simulation code {} does not apply to {}.",
                    sim.code(),
                    op.name()
                )));
            }
            None => {
                return Err(DomainError::simulation(format!(
                    "The simulation code {} does not apply to this operation.",
                    sim.code()
                )));
            }
        }
    }
    let (mut c, mut effects) = state.advance_to(now);
    if command.needs_session() && !c.session_visible(now) {
        return Err(DomainError::NotFound);
    }
    match command {
        Command::ApplyDue => {}
        Command::Update(u) => c.update(u, now)?,
        Command::SignIn(s) => effects.push(c.sign_in(s, now, rng)?),
        Command::Choose(ch) => effects.push(c.choose(ch, now)?),
        Command::RunPaymentStep => effects.push(c.run_payment_step(now)?),
        Command::CancelAsBuyer => effects.push(c.cancel_as_buyer(now)?),
        Command::Complete(req) => effects.extend(c.complete(req, simulation, now, rng)?),
        Command::Finalize(req) => effects.extend(c.finalize(req, simulation, now, rng)?),
        Command::CreateCharge(req) => effects.extend(c.create_charge(req, simulation, now, rng)?),
        Command::CaptureCharge { charge_id, request } => {
            effects.extend(c.capture_charge(&charge_id, request, simulation, now)?);
        }
        Command::CancelCharge { charge_id, reason } => c.cancel_charge(&charge_id, reason, now)?,
        Command::CreateRefund { charge_id, refund } => {
            effects.extend(c.create_refund(&charge_id, refund, simulation, now, rng)?);
        }
        Command::UpdatePermission(u) => c.update_permission(u)?,
        Command::ClosePermission(req) => c.close_permission(req, simulation, now)?,
        Command::TrackDelivery(shipments) => c.track_delivery(shipments, now)?,
        Command::PermissionEvent(e) => c.permission_event(e, now)?,
    }
    Ok((c, effects))
}

impl Checkout {
    /// Whether the session still exists at `now` (it is deleted 30 days after creation).
    pub fn session_visible(&self, now: Timestamp) -> bool {
        now < self.session.created_at.plus(SESSION_RETENTION_SECS)
    }

    /// Whether a OneTime permission still shows buyer details at `now`.
    pub fn permission_buyer_visible(&self, now: Timestamp) -> bool {
        match &self.permission {
            Some(p) if p.charge_permission_type == ChargePermissionType::OneTime => {
                now < p.created_at.plus(ONE_TIME_BUYER_DATA_SECS)
            }
            Some(_) => true,
            None => false,
        }
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

    /// `limits.amountBalance`: the limit minus what charges hold or took.
    pub fn amount_balance(&self) -> Option<Money> {
        let limit = self.permission.as_ref()?.amount_limit?;
        let used = self
            .charges
            .iter()
            .map(|c| c.held_amount().minor())
            .sum::<i64>();
        Some(Money::from_minor(
            (limit.minor() - used).max(0),
            limit.currency(),
        ))
    }

    /// A charge of the checkout by id.
    pub fn charge(&self, id: &ChargeId) -> Option<&Charge> {
        self.charges.iter().find(|c| &c.id == id)
    }

    /// A refund of the checkout by id.
    pub fn refund(&self, id: &RefundId) -> Option<&Refund> {
        self.refunds.iter().find(|r| &r.id == id)
    }

    /// `refundedAmount` of a charge: what its completed refunds returned (`None` until it is
    /// captured).
    pub fn refunded_amount(&self, charge: &Charge) -> Option<Money> {
        charge.capture_amount?;
        let total = self
            .refunds
            .iter()
            .filter(|r| r.charge_id == charge.id && r.state == RefundState::Refunded)
            .map(|r| r.refund_amount.minor())
            .sum::<i64>();
        Some(Money::from_minor(total, charge.charge_amount.currency()))
    }

    /// The charge Complete created, if any.
    pub fn completion_charge_id(&self) -> Option<&ChargeId> {
        match &self.session.state {
            SessionState::Completed { .. } => self.charges.first().map(|c| &c.id),
            _ => None,
        }
    }

    /// The charge permission id, once completed.
    pub fn charge_permission_id(&self) -> Option<&ChargePermissionId> {
        self.permission.as_ref().map(|p| &p.id)
    }

    /// Every object id of the aggregate with its kind (for storage's id index).
    pub fn object_ids(&self) -> Vec<(ObjectKind, String)> {
        let mut out = vec![(ObjectKind::CheckoutSession, self.session.id.to_string())];
        if let Some(p) = &self.permission {
            out.push((ObjectKind::ChargePermission, p.id.to_string()));
        }
        out.extend(
            self.charges
                .iter()
                .map(|c| (ObjectKind::Charge, c.id.to_string())),
        );
        out.extend(
            self.refunds
                .iter()
                .map(|r| (ObjectKind::Refund, r.id.to_string())),
        );
        out.extend(self.delivery_trackers.iter().map(|t| {
            (
                ObjectKind::DeliveryTracker,
                tracking_key(&self.merchant_id, &t.tracking_number),
            )
        }));
        out
    }

    /// When the next timer comes due (`None`: nothing pending).
    pub fn next_due(&self) -> Option<Timestamp> {
        let mut due: Vec<Timestamp> = Vec::new();
        if self.session.state == SessionState::Open {
            due.push(self.session.created_at.plus(SESSION_EXPIRY_SECS));
        }
        for c in &self.charges {
            match c.state {
                ChargeState::AuthorizationInitiated { resolves_at, .. } => due.push(resolves_at),
                ChargeState::CaptureInitiated { resolves_at, .. } => due.push(resolves_at),
                ChargeState::Authorized => due.push(c.expires_at),
                _ => {}
            }
        }
        for r in &self.refunds {
            if let RefundState::RefundInitiated { resolves_at, .. } = r.state {
                due.push(resolves_at);
            }
        }
        if let Some(p) = &self.permission
            && !matches!(p.state, PermissionState::Closed(_))
            && let Some(at) = p.expires_at
        {
            due.push(at);
        }
        due.into_iter().min()
    }

    /// The checkout with every timer due at `now` applied, and what fired.
    pub fn advance_to(&self, now: Timestamp) -> (Checkout, Vec<Effect>) {
        let mut c = self.clone();
        let mut effects = Vec::new();
        // Session expiry: 24 h after creation, cancel any authorization of the payment step.
        let expiry = c.session.created_at.plus(SESSION_EXPIRY_SECS);
        if c.session.state == SessionState::Open && now >= expiry {
            c.session.state = SessionState::Canceled {
                at: expiry,
                reason: SessionCancelReason::Expired,
            };
            c.session.updated_at = expiry;
            if let PaymentStep::Ran { at, authorization } = c.session.payment_step
                && authorization != StepAuthorization::NotNeeded
            {
                c.session.payment_step = PaymentStep::Ran {
                    at,
                    authorization: StepAuthorization::Canceled,
                };
            }
            effects.push(Effect::TimerFired(TimerKind::SessionExpired));
        }
        let mut permission_touched = false;
        let mut hard_declined = false;
        for ch in &mut c.charges {
            match ch.state {
                ChargeState::AuthorizationInitiated {
                    resolves_at,
                    resolves_to,
                } if now >= resolves_at => {
                    ch.state = match resolves_to {
                        PendingResolution::Authorized if ch.capture_now => {
                            ch.capture_amount = Some(ch.charge_amount);
                            ch.refunded_amount = Some(Money::zero(ch.charge_amount.currency()));
                            ChargeState::Captured
                        }
                        PendingResolution::Authorized => ChargeState::Authorized,
                        PendingResolution::HardDeclined => {
                            hard_declined = true;
                            ChargeState::Declined(ChargeDeclinedReason::HardDeclined)
                        }
                        PendingResolution::SoftDeclined => {
                            ChargeState::Declined(ChargeDeclinedReason::SoftDeclined)
                        }
                        PendingResolution::TransactionTimedOut => {
                            ChargeState::Declined(ChargeDeclinedReason::TransactionTimedOut)
                        }
                    };
                    if resolves_to == PendingResolution::Authorized {
                        ch.authorized_at = Some(resolves_at);
                    }
                    ch.updated_at = resolves_at;
                    permission_touched = true;
                    effects.push(Effect::TimerFired(TimerKind::AuthorizationResolved));
                }
                ChargeState::CaptureInitiated {
                    resolves_at,
                    amount,
                    resolves_to,
                } if now >= resolves_at => {
                    ch.state = match resolves_to {
                        crate::model::CaptureResolution::Captured => {
                            ch.capture_amount = Some(amount);
                            ch.refunded_amount = Some(Money::zero(amount.currency()));
                            ChargeState::Captured
                        }
                        crate::model::CaptureResolution::Declined(r) => ChargeState::Declined(r),
                    };
                    ch.updated_at = resolves_at;
                    permission_touched = true;
                    effects.push(Effect::TimerFired(TimerKind::CaptureCompleted));
                }
                _ => {}
            }
            if ch.state == ChargeState::Authorized && now >= ch.expires_at {
                ch.state = ChargeState::Canceled(ChargeCanceledReason::ExpiredUnused);
                ch.updated_at = ch.expires_at;
                permission_touched = true;
                effects.push(Effect::TimerFired(TimerKind::AuthorizationExpired));
            }
        }
        let mut refunds_touched = false;
        for r in &mut c.refunds {
            if let RefundState::RefundInitiated {
                resolves_at,
                resolves_to,
            } = r.state
                && now >= resolves_at
            {
                r.state = match resolves_to {
                    RefundResolution::Refunded => RefundState::Refunded,
                    RefundResolution::Declined(reason) => RefundState::Declined(reason),
                };
                r.updated_at = resolves_at;
                refunds_touched = true;
                effects.push(Effect::TimerFired(TimerKind::RefundCompleted));
            }
        }
        if refunds_touched {
            c.sync_refunded_amounts();
        }
        if hard_declined && let Some(p) = c.permission.as_mut() {
            p.instrument_issue = Some(NonChargeableReason::PaymentMethodInvalid);
        }
        if permission_touched {
            c.refresh_permission_state(now);
        }
        if let Some(p) = c.permission.as_mut()
            && !matches!(p.state, PermissionState::Closed(_))
            && let Some(at) = p.expires_at
            && now >= at
        {
            p.state = PermissionState::Closed(PermissionClosedReason::Expired);
            p.updated_at = at;
            effects.push(Effect::TimerFired(TimerKind::PermissionExpired));
        }
        (c, effects)
    }

    /// Sets every captured charge's `refundedAmount` to what its completed refunds returned.
    fn sync_refunded_amounts(&mut self) {
        let amounts: Vec<Option<Money>> = self
            .charges
            .iter()
            .map(|ch| self.refunded_amount(ch))
            .collect();
        for (ch, amount) in self.charges.iter_mut().zip(amounts) {
            if amount.is_some() {
                ch.refunded_amount = amount;
            }
        }
    }

    /// Recomputes a permission's state after its charges or instrument changed (not for
    /// `Closed` ones): `NonChargeable` with every reason that holds (a charge in progress, an
    /// instrument issue), else `Closed`/`AmazonClosed` for a OneTime permission with nothing
    /// left to charge, else `Chargeable`.
    fn refresh_permission_state(&mut self, now: Timestamp) {
        let balance = self.amount_balance();
        let in_progress = self.charges.iter().any(|c| c.state.in_progress());
        let Some(p) = self.permission.as_mut() else {
            return;
        };
        if matches!(p.state, PermissionState::Closed(_)) {
            return;
        }
        let mut reasons = Vec::new();
        if in_progress {
            reasons.push(NonChargeableReason::ChargeInProgress);
        }
        if let Some(issue) = p.instrument_issue {
            reasons.push(issue);
        }
        let new_state = if !reasons.is_empty() {
            PermissionState::NonChargeable(reasons)
        } else if p.charge_permission_type == ChargePermissionType::OneTime
            && balance.is_some_and(|b| b.minor() == 0)
        {
            PermissionState::Closed(PermissionClosedReason::AmazonClosed)
        } else {
            PermissionState::Chargeable
        };
        if new_state != p.state {
            p.state = new_state;
            p.updated_at = now;
        }
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

    fn update(&mut self, u: SessionUpdate, now: Timestamp) -> Result<(), DomainError> {
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
            let t = &mut s.merchant_metadata;
            merge(&mut t.merchant_reference_id, m.merchant_reference_id);
            merge(&mut t.merchant_store_name, m.merchant_store_name);
            merge(&mut t.note_to_buyer, m.note_to_buyer);
            merge(&mut t.custom_information, m.custom_information);
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
            merge(&mut t.frequency, r.frequency);
            merge(&mut t.amount, r.amount);
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

    fn sign_in(
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
            _ => crate::ids::BuyerId::generate(rng),
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

    fn choose(&mut self, choose: Choose, now: Timestamp) -> Result<Effect, DomainError> {
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

    fn run_payment_step(&mut self, now: Timestamp) -> Result<Effect, DomainError> {
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

    fn cancel_as_buyer(&mut self, now: Timestamp) -> Result<Effect, DomainError> {
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

    /// The state checks shared by Complete and Finalize (design.md §3).
    fn require_completable(&self) -> Result<StepAuthorization, DomainError> {
        match &self.session.state {
            SessionState::Canceled { reason, .. } => {
                Err(DomainError::CheckoutSessionCanceled(*reason))
            }
            SessionState::Completed { .. } => Err(DomainError::status(
                "The Checkout Session is already Completed.",
            )),
            SessionState::Open => match self.session.payment_step {
                PaymentStep::Ran { authorization, .. } => Ok(authorization),
                PaymentStep::NotRun => Err(DomainError::status(
                    "The buyer has not been redirected to amazonPayRedirectUrl yet; the Checkout Session cannot be completed.",
                )),
            },
        }
    }

    /// The amount rules shared by Complete and Finalize (design.md §3).
    fn check_amounts(
        &self,
        charge_amount: Option<Money>,
        total_order_amount: Option<Money>,
    ) -> Result<(), DomainError> {
        let p = &self.session.payment_details;
        match (p.charge_amount, charge_amount) {
            (Some(_), None) => return Err(FieldError::missing("chargeAmount").into()),
            (Some(want), Some(got)) if want != got => {
                return Err(DomainError::AmountMismatch {
                    field: "chargeAmount",
                });
            }
            (None, Some(_)) => {
                return Err(DomainError::AmountMismatch {
                    field: "chargeAmount",
                });
            }
            _ => {}
        }
        match (p.total_order_amount, total_order_amount) {
            (Some(_), None) => Err(FieldError::missing("totalOrderAmount").into()),
            (Some(want), Some(got)) if want != got => Err(DomainError::AmountMismatch {
                field: "totalOrderAmount",
            }),
            (None, Some(_)) => Err(DomainError::AmountMismatch {
                field: "totalOrderAmount",
            }),
            _ => Ok(()),
        }
    }

    fn complete(
        &mut self,
        req: CompleteRequest,
        simulation: Option<Simulation>,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Result<Vec<Effect>, DomainError> {
        let authorization = self.require_completable()?;
        self.check_amounts(req.charge_amount, req.total_order_amount)?;
        self.finish_simulated(authorization, simulation, now, rng)
    }

    /// Applies a Complete/Finalize simulation code, then completes (spec §9.2).
    fn finish_simulated(
        &mut self,
        authorization: StepAuthorization,
        simulation: Option<Simulation>,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Result<Vec<Effect>, DomainError> {
        let reason = match simulation {
            None => return Ok(self.finish(authorization, now, rng)),
            Some(Simulation::BuyerCanceled) => SessionCancelReason::BuyerCanceled,
            Some(Simulation::AmazonCanceled) => SessionCancelReason::AmazonCanceled,
            Some(Simulation::Declined) => SessionCancelReason::Declined,
            Some(Simulation::AuthorizationInitiated) => {
                let p = &self.session.payment_details;
                let charges = p.charge_amount.is_some()
                    && p.payment_intent
                        .is_some_and(|i| i != PaymentIntent::Confirm);
                if !charges {
                    return Err(DomainError::simulation(
                        "AuthorizationInitiated needs a session with paymentIntent Authorize or AuthorizeWithCapture and a chargeAmount.",
                    ));
                }
                let pending = StepAuthorization::Pending {
                    resolves_to: PendingResolution::Authorized,
                };
                return Ok(self.finish(pending, now, rng));
            }
            Some(other) => {
                return Err(DomainError::simulation(format!(
                    "The simulation code {} does not apply to Complete Checkout Session.",
                    other.code()
                )));
            }
        };
        let s = &mut self.session;
        s.state = SessionState::Canceled { at: now, reason };
        if let PaymentStep::Ran { at, authorization } = s.payment_step
            && authorization != StepAuthorization::NotNeeded
        {
            s.payment_step = PaymentStep::Ran {
                at,
                authorization: StepAuthorization::Canceled,
            };
        }
        s.updated_at = now;
        Ok(vec![Effect::SessionCanceled(reason)])
    }

    fn finalize(
        &mut self,
        req: FinalizeRequest,
        simulation: Option<Simulation>,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Result<Vec<Effect>, DomainError> {
        let intent = req
            .payment_intent
            .ok_or_else(|| FieldError::missing("paymentIntent"))?;
        if req.charge_amount.is_none() {
            return Err(FieldError::missing("chargeAmount").into());
        }
        let authorization = self.require_completable()?;
        let s = &self.session;
        if s.payment_details.payment_intent != Some(intent) {
            return Err(FieldError::invalid(
                "paymentIntent",
                "does not match the Checkout Session",
            )
            .into());
        }
        if let Some(b) = req.can_handle_pending_authorization
            && b != s.payment_details.can_handle_pending_authorization
        {
            return Err(FieldError::invalid(
                "canHandlePendingAuthorization",
                "does not match the Checkout Session",
            )
            .into());
        }
        if s.supplementary_data.is_some() && req.supplementary_data != s.supplementary_data {
            return Err(FieldError::invalid(
                "supplementaryData",
                "does not match the Checkout Session",
            )
            .into());
        }
        let sel = s.buyer.as_ref();
        let (field, given, held) = match s.product_type {
            ProductType::PayAndShip => (
                "shippingAddress",
                &req.shipping_address,
                sel.and_then(|b| b.shipping_address.as_ref()),
            ),
            ProductType::PayOnly => (
                "billingAddress",
                &req.billing_address,
                sel.and_then(|b| b.billing_address.as_ref()),
            ),
        };
        match given {
            None => return Err(FieldError::missing(field).into()),
            Some(a) if Some(a) != held => {
                return Err(FieldError::invalid(
                    field,
                    "does not match the address the buyer selected",
                )
                .into());
            }
            Some(_) => {}
        }
        self.check_amounts(req.charge_amount, req.total_order_amount)?;
        self.finish_simulated(authorization, simulation, now, rng)
    }

    /// Completes the session: creates the Charge Permission and (for Authorize and
    /// AuthorizeWithCapture) the Charge, per the table in design.md §3.
    fn finish(
        &mut self,
        authorization: StepAuthorization,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Vec<Effect> {
        let s = &self.session;
        let p = &s.payment_details;
        let kind = s.charge_permission_type;
        let intent = p.payment_intent.unwrap_or(PaymentIntent::Confirm);
        let currency = p
            .presentment_currency
            .or(p.charge_amount.map(Money::currency))
            .unwrap_or(self.region.default_currency());
        let permission_id = ChargePermissionId::generate(
            rng,
            self.region,
            self.environment,
            kind == ChargePermissionType::PaymentMethodOnFile,
        );
        let sel = s.buyer.clone();
        let expires_at = match kind {
            ChargePermissionType::OneTime if p.extend_expiration == Some(true) => {
                Some(now.plus(EXTENDED_PERMISSION_EXPIRY_SECS))
            }
            ChargePermissionType::OneTime => Some(now.plus(ONE_TIME_PERMISSION_EXPIRY_SECS)),
            ChargePermissionType::Recurring => Some(now.plus(EXTENDED_PERMISSION_EXPIRY_SECS)),
            ChargePermissionType::PaymentMethodOnFile => None,
        };
        let amount_limit = match kind {
            ChargePermissionType::OneTime => p.total_order_amount.or(p.charge_amount),
            _ => None,
        };
        self.permission = Some(ChargePermission {
            id: permission_id.clone(),
            charge_permission_type: kind,
            buyer: sel.as_ref().map(|b| b.buyer.clone()),
            shipping_address: sel.as_ref().and_then(|b| b.shipping_address.clone()),
            billing_address: sel.as_ref().and_then(|b| b.billing_address.clone()),
            payment_descriptor: sel.as_ref().map(|b| b.instrument.descriptor()),
            state: PermissionState::Chargeable,
            merchant_metadata: s.merchant_metadata.clone(),
            platform_id: s.platform_id.clone(),
            amount_limit,
            recurring_metadata: s.recurring_metadata.clone(),
            presentment_currency: currency,
            setup_only: s.setup_only,
            created_at: now,
            updated_at: now,
            expires_at,
            instrument_issue: None,
            closure_reason: None,
        });

        let mut effects = Vec::new();
        let capture_now = intent == PaymentIntent::AuthorizeWithCapture;
        let charge_state = match (intent, p.charge_amount) {
            (PaymentIntent::Confirm, _) | (_, None) => None,
            (_, Some(_)) => Some(match authorization {
                StepAuthorization::Pending { resolves_to } => {
                    effects.push(Effect::AuthorizationPending);
                    ChargeState::AuthorizationInitiated {
                        resolves_at: now.plus(PENDING_RESOLUTION_SECS),
                        resolves_to,
                    }
                }
                _ if capture_now => ChargeState::Captured,
                _ => ChargeState::Authorized,
            }),
        };
        if let (Some(state), Some(amount)) = (charge_state, p.charge_amount) {
            let captured = state == ChargeState::Captured;
            let authorized = !matches!(state, ChargeState::AuthorizationInitiated { .. });
            self.charges.push(Charge {
                id: ChargeId::generate(rng, &permission_id),
                charge_permission_id: permission_id,
                charge_amount: amount,
                capture_amount: captured.then_some(amount),
                refunded_amount: captured.then_some(Money::zero(amount.currency())),
                soft_descriptor: p.soft_descriptor.clone(),
                provider_reference_id: s.provider_reference_id.clone(),
                merchant_metadata: s.merchant_metadata.clone(),
                platform_id: s.platform_id.clone(),
                can_handle_pending_authorization: p.can_handle_pending_authorization,
                capture_now,
                charge_initiator: None,
                channel: None,
                authorized_at: authorized.then_some(now),
                cancellation_reason: None,
                state,
                created_at: now,
                updated_at: now,
                expires_at: now.plus(AUTHORIZATION_EXPIRY_SECS),
            });
        }
        self.session.state = SessionState::Completed { at: now };
        self.session.updated_at = now;
        self.refresh_permission_state(now);
        effects
    }
}

/// Which kind of object an id names (storage's id index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// A Checkout Session id.
    CheckoutSession,
    /// A Charge Permission id.
    ChargePermission,
    /// A Charge id.
    Charge,
    /// A Refund id.
    Refund,
    /// A delivery tracker's tracking number, scoped to the merchant (see [`tracking_key`]).
    DeliveryTracker,
}

impl ObjectKind {
    /// Storage string.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::CheckoutSession => "checkout_session",
            ObjectKind::ChargePermission => "charge_permission",
            ObjectKind::Charge => "charge",
            ObjectKind::Refund => "refund",
            ObjectKind::DeliveryTracker => "delivery_tracker",
        }
    }
}

/// The id-index key of a tracking number: accepted once per merchant, compared without regard
/// to case.
pub fn tracking_key(merchant: &MerchantId, tracking_number: &str) -> String {
    format!("{merchant}/{}", tracking_number.to_ascii_uppercase())
}

fn merge<T>(target: &mut Option<T>, supplied: Option<T>) {
    if let Some(v) = supplied {
        *target = Some(v);
    }
}

#[cfg(test)]
mod tests;
