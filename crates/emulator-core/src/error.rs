//! The domain's errors: every rule the core enforces fails with a named variant.

use crate::model::SessionCancelReason;

/// What is wrong with one request field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldProblem {
    /// Required but absent (`MissingParameterValue`).
    Missing,
    /// Present but not acceptable (`InvalidParameterValue`), with a short reason.
    Invalid(String),
    /// A currency that differs from the one it must equal (`CurrencyMismatch`).
    CurrencyMismatch,
}

/// A field rule violation, naming the field by its JSON path (`paymentDetails.chargeAmount`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem:?}")]
pub struct FieldError {
    /// The JSON path of the field.
    pub field: String,
    /// What is wrong.
    pub problem: FieldProblem,
}

impl FieldError {
    /// A required field is missing.
    pub fn missing(field: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            problem: FieldProblem::Missing,
        }
    }

    /// A field has an unacceptable value.
    pub fn invalid(field: impl Into<String>, why: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            problem: FieldProblem::Invalid(why.into()),
        }
    }

    /// A field's currency differs from the one it must equal.
    pub fn currency_mismatch(field: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            problem: FieldProblem::CurrencyMismatch,
        }
    }
}

/// Why the core refused a command. Every variant maps to one Amazon `reasonCode` at the edge.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A field rule (spec §4.1, §4.2).
    #[error(transparent)]
    Field(#[from] FieldError),
    /// The object does not exist (or no longer: sessions are deleted 30 days after creation).
    #[error("resource not found")]
    NotFound,
    /// The operation is not allowed in the session's state.
    #[error("{0}")]
    InvalidCheckoutSessionStatus(String),
    /// Complete/Finalize of a canceled or declined session.
    #[error("the checkout session was canceled ({0:?})")]
    CheckoutSessionCanceled(SessionCancelReason),
    /// Complete/Finalize with an amount different from the session's.
    #[error("{field} does not match the checkout session")]
    AmountMismatch {
        /// `chargeAmount` or `totalOrderAmount`.
        field: &'static str,
    },
    /// The operation is not allowed in the Charge Permission's state.
    #[error("{0}")]
    InvalidChargePermissionStatus(String),
    /// Update Charge Permission is not allowed (spec §4.7).
    #[error("{0}")]
    ChargePermissionNotModifiable(String),
    /// The operation is not allowed in the Charge's state.
    #[error("{0}")]
    InvalidChargeStatus(String),
    /// An amount above what is permitted (per transaction, balance, capture, refund overage).
    #[error("{0}")]
    TransactionAmountExceeded(String),
    /// Too many charges or refunds.
    #[error("{0}")]
    TransactionCountExceeded(String),
    /// A monthly maximum of a Recurring or PaymentMethodOnFile permission (spec §4.6).
    #[error("{0}")]
    PeriodicAmountExceeded(String),
    /// A simulation code that does not apply to the operation or the object's state.
    #[error("{0}")]
    InvalidSimulation(String),
    /// A simulated internal failure (500 `ProcessingFailure`): nothing changed, retry.
    #[error("{0}")]
    ProcessingFailure(String),
}

impl DomainError {
    pub(crate) fn status(msg: impl Into<String>) -> DomainError {
        DomainError::InvalidCheckoutSessionStatus(msg.into())
    }

    pub(crate) fn permission_status(msg: impl Into<String>) -> DomainError {
        DomainError::InvalidChargePermissionStatus(msg.into())
    }

    pub(crate) fn charge_status(msg: impl Into<String>) -> DomainError {
        DomainError::InvalidChargeStatus(msg.into())
    }

    pub(crate) fn amount_exceeded(msg: impl Into<String>) -> DomainError {
        DomainError::TransactionAmountExceeded(msg.into())
    }

    pub(crate) fn simulation(msg: impl Into<String>) -> DomainError {
        DomainError::InvalidSimulation(msg.into())
    }
}
