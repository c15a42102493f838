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
//!
//! # Layout
//!
//! This module holds the aggregate, the closed [`Command`] and [`Effect`] sets and the dispatch
//! in [`transition_with`]; each concern has its own file, and every item keeps its
//! `checkout::` path through the re-exports below.
//!
//! - `session`: Create, Update, the buyer's sign-in and choices, the payment step, constraints.
//! - `completion`: Complete and Finalize, which make the Charge Permission and first Charge.
//! - `payments`: Create, Capture and Cancel Charge and synchronous declines.
//! - `refunds`: Create Refund and `refundedAmount`.
//! - `permission`: the Charge Permission's state, updates, closes, buyer events, delivery
//!   trackers.
//! - `timers`: [`Checkout::next_due`] and [`Checkout::advance_to`].

use rand::RngCore;

use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::ids::{ChargeId, MerchantId, RefundId};
use crate::input::{
    CaptureRequest, Choose, CloseRequest, CompleteRequest, FinalizeRequest, NewCharge, NewRefund,
    PermissionUpdate, SessionUpdate, Shipment, SignIn,
};
use crate::model::{
    Charge, ChargePermission, CheckoutSession, DeliveryTracker, Environment, MerchantMetadata,
    PermissionEvent, RecurringMetadata, Refund, Region, SessionCancelReason,
};
use crate::simulation::{Operation, Simulation};

mod completion;
mod payments;
mod permission;
mod refunds;
mod session;
mod timers;

pub use completion::{EXTENDED_PERMISSION_EXPIRY_SECS, ONE_TIME_PERMISSION_EXPIRY_SECS};
pub use payments::{
    AUTHORIZATION_EXPIRY_SECS, CAPTURE_RESOLUTION_SECS, Decline, PENDING_RESOLUTION_SECS,
    SYNCHRONOUS_CAPTURE_WINDOW_SECS,
};
pub use permission::ONE_TIME_BUYER_DATA_SECS;
pub use refunds::REFUND_RESOLUTION_SECS;
pub use session::{
    Constraint, Redirect, SESSION_EXPIRY_SECS, SESSION_RETENTION_SECS, create, with_session_id,
};
pub use timers::TimerKind;

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
        sim.for_operation(command.simulated_operation())
            .map_err(DomainError::simulation)?;
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

fn merge<T>(target: &mut Option<T>, supplied: Option<T>) {
    if let Some(v) = supplied {
        *target = Some(v);
    }
}

/// Sets the supplied children of `merchantMetadata` and keeps the others: Update Checkout
/// Session and Update Charge Permission merge it the same way.
fn merge_merchant_metadata(target: &mut MerchantMetadata, supplied: MerchantMetadata) {
    // Destructured so that a new child fails to compile here instead of being dropped.
    let MerchantMetadata {
        merchant_reference_id,
        merchant_store_name,
        note_to_buyer,
        custom_information,
    } = supplied;
    merge(&mut target.merchant_reference_id, merchant_reference_id);
    merge(&mut target.merchant_store_name, merchant_store_name);
    merge(&mut target.note_to_buyer, note_to_buyer);
    merge(&mut target.custom_information, custom_information);
}

/// Sets the supplied children of `recurringMetadata` and keeps the others: Update Checkout
/// Session and Update Charge Permission merge it the same way.
fn merge_recurring_metadata(target: &mut RecurringMetadata, supplied: RecurringMetadata) {
    let RecurringMetadata { frequency, amount } = supplied;
    merge(&mut target.frequency, frequency);
    merge(&mut target.amount, amount);
}

#[cfg(test)]
mod tests;
