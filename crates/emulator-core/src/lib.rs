//! The amzpay emulator's pure domain: objects, state machines, validation rules and money.
//!
//! Start reading at [`checkout`]: one [`Checkout`] aggregate holds a Checkout Session with the
//! Charge Permission, Charges and Refunds made from it, and [`checkout::create`] and
//! [`checkout::transition`] are the only ways to change it:
//! `(&Checkout, Command, now, rng) -> Result<(Checkout, Vec<Effect>), DomainError>`.
//!
//! # Decisions
//!
//! - **No I/O, no clock, no randomness of its own.** `now` is a [`Timestamp`] (whole seconds, the
//!   wire's precision) read by the caller from the merchant's [`VirtualClock`]; ids come from the
//!   `&mut dyn RngCore` the caller passes ([`ids`] is the one place that knows their formats).
//! - **Money** is [`Money`]: integer minor units plus a [`Currency`]; arithmetic refuses to mix
//!   currencies; [`Money::parse_decimal`] and [`Money::to_decimal_string`] are the only converters
//!   to and from the wire's decimal strings.
//! - **Timers** are due timestamps on the objects, not jobs: [`Checkout::advance_to`] applies every
//!   transition that is due at `now` (it runs before every command, and the server runs it on
//!   reads so a read never shows a stale state), and [`Checkout::next_due`] gives storage the
//!   one timestamp to index for the background step.
//! - **The payment step** (what visiting `amazonPayRedirectUrl` does) decides the authorization
//!   from the buyer's test instrument and records it on the session; Complete turns it into the
//!   Charge Permission and Charge. Changing what is paid (payment details, permission type,
//!   recurring metadata) after the payment step requires the buyer to run it again.
//! - **Sessions expire** 24 h after creation (`Canceled`/`Expired`, cancelling the payment step's
//!   authorization) and disappear 30 days after creation ([`DomainError::NotFound`]); their
//!   Charge Permission and Charges live on.
//! - **After Complete** (`checkout/payments.rs`, `refunds.rs`, `permission.rs`): charges, captures, cancels, refunds, permission
//!   updates and closes and delivery trackers are commands on the same aggregate. A permission's
//!   state is derived after every change: `NonChargeable` with every reason that holds (a charge
//!   in progress, an instrument issue), else `Closed`/`AmazonClosed` for a OneTime permission
//!   with nothing left, else `Chargeable`. Synchronous declines are successful transitions with
//!   an [`Effect::Declined`] the server answers as an error, so their state change is kept.
//! - **Simulations** ([`Simulation`]) are an input of [`transition_with`]; Amazon's codes keep
//!   their names, the emulator's own start with `Emulator:`.
//! - **Errors** are closed: every rule fails with a [`DomainError`] variant that the server maps
//!   to one Amazon `reasonCode` and status.
//!
//! # Layout
//!
//! - [`model`]: the objects and their state enums, one file per object (`merchant`, `buyer`,
//!   `session`, `permission`, `charge`, `refund`).
//! - [`input`]: command inputs and the whole-session field rules (spec §4.1).
//! - [`checkout`]: the aggregate, commands, effects and the dispatch in `mod.rs`, one file per
//!   concern: `session` (Create, Update, hosted pages, payment step), `completion` (Complete,
//!   Finalize), `payments` (charges, captures, cancels), `refunds`, `permission` (updates,
//!   closes, buyer events, delivery trackers), `timers`.
//! - [`limits`]: the amount and count limits; [`simulation`]: the sandbox simulation codes.
//! - [`money`], [`clock`], [`ids`]: value types.

pub mod checkout;
pub mod clock;
pub mod error;
pub mod ids;
pub mod input;
pub mod limits;
pub mod model;
pub mod money;
pub mod simulation;

pub use checkout::{
    Checkout, Command, Constraint, Decline, Effect, Redirect, create, transition, transition_with,
};
pub use clock::{Timestamp, VirtualClock};
pub use error::{DomainError, FieldError, FieldProblem};
pub use money::{Currency, Money};
pub use simulation::{Operation, Simulation};
