//! [`ApiError`]: every error the emulator answers, and the one place that turns an error into
//! Amazon's `{"reasonCode", "message"}` body with its status code.
//!
//! It sits below the HTTP layer: the service layer returns it and stores its rendering
//! ([`ApiError::to_stored`]) as the answer of a write that fails after changing state (a
//! decline), and `http::error` only wraps that rendering in an axum response. A 5xx says
//! "internal error" and nothing more; the full error travels beside the answer to be logged once.

use amzpay_emulator_core::{DomainError, FieldProblem};
use amzpay_emulator_store::{StoreError, StoredResponse};

/// Amazon `reasonCode`s the emulator answers with (closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// 400: a header value is invalid.
    InvalidHeaderValue,
    /// 400: a body, path or query value is invalid.
    InvalidParameterValue,
    /// 400: the body is not JSON of the expected shape.
    InvalidRequestFormat,
    /// 400: a required header is absent.
    MissingHeader,
    /// 400: a header is present but empty.
    MissingHeaderValue,
    /// 400: a required parameter is absent.
    MissingParameterValue,
    /// 400: an unknown field.
    UnrecognizedField,
    /// 400: an idempotency key reused for another request.
    DuplicateIdempotencyKey,
    /// 400: a currency that differs from the one it must equal.
    CurrencyMismatch,
    /// 401: unknown key, or a key not valid for this environment; also a bad admin token.
    UnauthorizedAccess,
    /// 403: the signature does not verify.
    InvalidRequestSignature,
    /// 404: unknown (or another merchant's) id, unknown path.
    ResourceNotFound,
    /// 405: method not supported on the path.
    RequestNotSupported,
    /// 408: the request took longer than the server's time limit (Amazon's generic table lists
    /// `RequestTimeout` as retryable).
    RequestTimeout,
    /// 409: Complete/Finalize amount differs from the session's.
    AmountMismatch,
    /// 413: the body is larger than the limit (the emulator's own code: Amazon documents no
    /// status for an oversized body; see docs/fidelity.md).
    RequestEntityTooLarge,
    /// 422: not allowed in the session's state.
    InvalidCheckoutSessionStatus,
    /// 422: the session was canceled or declined.
    CheckoutSessionCanceled,
    /// 400: a bad or inapplicable `x-amz-pay-simulation-code`, or one on a live key.
    InvalidSandboxSimulationSpecified,
    /// 400: a charge, capture or refund above the permitted amount.
    TransactionAmountExceeded,
    /// 400: a monthly maximum exceeded.
    PeriodicAmountExceeded,
    /// 422: not allowed in the Charge Permission's state.
    InvalidChargePermissionStatus,
    /// 422: Update Charge Permission not allowed.
    ChargePermissionNotModifiable,
    /// 422: not allowed in the Charge's state.
    InvalidChargeStatus,
    /// 422: too many charges or refunds.
    TransactionCountExceeded,
    /// 422: a synchronous decline (Create Charge).
    SoftDeclined,
    /// 422: a synchronous decline (Create Charge).
    HardDeclined,
    /// 422: Amazon rejected the charge or capture.
    AmazonRejected,
    /// 422: a synchronous decline (Create Charge).
    PaymentMethodNotAllowed,
    /// 422: the buyer did not complete multi-factor authentication (Create Charge).
    MfaNotCompleted,
    /// 422: the synchronous authorization ran out of time (Create Charge).
    TransactionTimedOut,
    /// 500: a processing failure the client may retry (Create Charge, Capture).
    ProcessingFailure,
    /// 500.
    InternalServerError,
    /// 503: the database is unreachable for now; retrying is safe.
    ServiceUnavailable,
    /// 429: the request was throttled (`--throttle`); nothing changed.
    TooManyRequests,
}

impl Reason {
    fn code(self) -> &'static str {
        match self {
            Reason::InvalidHeaderValue => "InvalidHeaderValue",
            Reason::InvalidParameterValue => "InvalidParameterValue",
            Reason::InvalidRequestFormat => "InvalidRequestFormat",
            Reason::MissingHeader => "MissingHeader",
            Reason::MissingHeaderValue => "MissingHeaderValue",
            Reason::MissingParameterValue => "MissingParameterValue",
            Reason::UnrecognizedField => "UnrecognizedField",
            Reason::DuplicateIdempotencyKey => "DuplicateIdempotencyKey",
            Reason::CurrencyMismatch => "CurrencyMismatch",
            Reason::UnauthorizedAccess => "UnauthorizedAccess",
            Reason::InvalidRequestSignature => "InvalidRequestSignature",
            Reason::ResourceNotFound => "ResourceNotFound",
            Reason::RequestNotSupported => "RequestNotSupported",
            Reason::RequestTimeout => "RequestTimeout",
            Reason::AmountMismatch => "AmountMismatch",
            Reason::RequestEntityTooLarge => "RequestEntityTooLarge",
            Reason::InvalidCheckoutSessionStatus => "InvalidCheckoutSessionStatus",
            Reason::CheckoutSessionCanceled => "CheckoutSessionCanceled",
            Reason::InvalidSandboxSimulationSpecified => "InvalidSandboxSimulationSpecified",
            Reason::TransactionAmountExceeded => "TransactionAmountExceeded",
            Reason::PeriodicAmountExceeded => "PeriodicAmountExceeded",
            Reason::InvalidChargePermissionStatus => "InvalidChargePermissionStatus",
            Reason::ChargePermissionNotModifiable => "ChargePermissionNotModifiable",
            Reason::InvalidChargeStatus => "InvalidChargeStatus",
            Reason::TransactionCountExceeded => "TransactionCountExceeded",
            Reason::SoftDeclined => "SoftDeclined",
            Reason::HardDeclined => "HardDeclined",
            Reason::AmazonRejected => "AmazonRejected",
            Reason::PaymentMethodNotAllowed => "PaymentMethodNotAllowed",
            Reason::MfaNotCompleted => "MFANotCompleted",
            Reason::TransactionTimedOut => "TransactionTimedOut",
            Reason::ProcessingFailure => "ProcessingFailure",
            Reason::InternalServerError => "InternalServerError",
            Reason::ServiceUnavailable => "ServiceUnavailable",
            Reason::TooManyRequests => "TooManyRequests",
        }
    }

    fn status(self) -> u16 {
        match self {
            Reason::InvalidHeaderValue
            | Reason::InvalidParameterValue
            | Reason::InvalidRequestFormat
            | Reason::MissingHeader
            | Reason::MissingHeaderValue
            | Reason::MissingParameterValue
            | Reason::UnrecognizedField
            | Reason::DuplicateIdempotencyKey
            | Reason::CurrencyMismatch
            | Reason::InvalidSandboxSimulationSpecified
            | Reason::TransactionAmountExceeded
            | Reason::PeriodicAmountExceeded => 400,
            Reason::UnauthorizedAccess => 401,
            Reason::InvalidRequestSignature => 403,
            Reason::ResourceNotFound => 404,
            Reason::RequestNotSupported => 405,
            Reason::RequestTimeout => 408,
            Reason::AmountMismatch => 409,
            Reason::RequestEntityTooLarge => 413,
            Reason::InvalidCheckoutSessionStatus
            | Reason::CheckoutSessionCanceled
            | Reason::InvalidChargePermissionStatus
            | Reason::ChargePermissionNotModifiable
            | Reason::InvalidChargeStatus
            | Reason::TransactionCountExceeded
            | Reason::SoftDeclined
            | Reason::HardDeclined
            | Reason::AmazonRejected
            | Reason::PaymentMethodNotAllowed
            | Reason::MfaNotCompleted
            | Reason::TransactionTimedOut => 422,
            Reason::ProcessingFailure => 500,
            Reason::InternalServerError => 500,
            Reason::ServiceUnavailable => 503,
            Reason::TooManyRequests => 429,
        }
    }
}

/// An error answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// An Amazon-style client error.
    #[error("{reason:?}: {message}")]
    Amazon {
        /// The `reasonCode`.
        reason: Reason,
        /// The `message`.
        message: String,
    },
    /// Anything else: answered as 500 "internal error", logged with its cause chain.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
    /// The store is unreachable for now (e.g. PostgreSQL restarting): answered as 503
    /// `ServiceUnavailable` with `Retry-After`, logged. Nothing was written, so a retry is safe.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// An answer a fault rule chose (`/__admin/faults`): any error status with any
    /// `reasonCode`; the request changed nothing.
    #[error("injected fault: {status} {reason_code}")]
    Injected {
        /// The status.
        status: u16,
        /// The `reasonCode`.
        reason_code: String,
        /// The `message`.
        message: String,
    },
}

impl ApiError {
    /// A client error with a reason and message.
    pub fn new(reason: Reason, message: impl Into<String>) -> ApiError {
        ApiError::Amazon {
            reason,
            message: message.into(),
        }
    }

    /// 404 `ResourceNotFound` for an id.
    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(
            Reason::ResourceNotFound,
            format!("The {what} with id {id} was not found."),
        )
    }

    /// The HTTP status of this error's answer.
    pub fn status_code(&self) -> u16 {
        match self {
            ApiError::Amazon { reason, .. } => reason.status(),
            ApiError::Internal(_) => 500,
            ApiError::Unavailable(_) => 503,
            ApiError::Injected { status, .. } => *status,
        }
    }

    /// Amazon's `{"reasonCode", "message"}` body of this error.
    pub fn body(&self) -> Vec<u8> {
        let (code, message) = match self {
            ApiError::Amazon { reason, message } => (reason.code(), message.as_str()),
            ApiError::Internal(_) => (Reason::InternalServerError.code(), "internal error"),
            ApiError::Unavailable(_) => (
                Reason::ServiceUnavailable.code(),
                "The service is temporarily unavailable; retry the request.",
            ),
            ApiError::Injected {
                reason_code,
                message,
                ..
            } => (reason_code.as_str(), message.as_str()),
        };
        let body = amzpay_types::ErrorResponse::new(code.into(), message);
        serde_json::to_vec(&body).unwrap_or_default()
    }

    /// The answer as stored bytes (what a rejected mutation returns).
    pub fn to_stored(&self) -> StoredResponse {
        StoredResponse {
            status: self.status_code(),
            body: self.body(),
        }
    }
}

/// Amazon's `{"reasonCode", "message"}` body for an error status that some layer answered
/// without a body (a time limit, a rejection inside a library): every error status carries
/// Amazon's shape, so a client that parses error bodies never meets an empty one.
/// The codes come from Amazon's generic error table
/// (<https://developer.amazon.com/docs/amazon-pay-api-v2/error-handling.html>, "Error codes");
/// a status that table does not name gets its class's generic code.
pub fn bare_status_body(status: u16) -> Vec<u8> {
    let (code, message) = match status {
        400 => ("InvalidRequest", "The request is invalid."),
        401 => (
            Reason::UnauthorizedAccess.code(),
            "The request is not authorized.",
        ),
        403 => (
            "InvalidAuthentication",
            "The request could not be authenticated.",
        ),
        404 => (
            Reason::ResourceNotFound.code(),
            "The requested resource was not found.",
        ),
        405 => (
            Reason::RequestNotSupported.code(),
            "The HTTP method is not supported for this resource.",
        ),
        408 => (
            Reason::RequestTimeout.code(),
            "The request timed out; it may be retried, but success is not guaranteed.",
        ),
        413 => (
            Reason::RequestEntityTooLarge.code(),
            "The request is larger than the emulator accepts.",
        ),
        429 => ("TooManyRequests", "Too many requests; retry later."),
        503 => (
            Reason::ServiceUnavailable.code(),
            "The service is temporarily unavailable; retry the request.",
        ),
        500..=599 => (Reason::InternalServerError.code(), "internal error"),
        _ => ("InvalidRequest", "The request is invalid."),
    };
    let body = amzpay_types::ErrorResponse::new(code.into(), message);
    serde_json::to_vec(&body).unwrap_or_default()
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> ApiError {
        match e {
            DomainError::Field(f) => match f.problem {
                FieldProblem::Missing => ApiError::new(
                    Reason::MissingParameterValue,
                    format!("Value is missing for the required parameter {}.", f.field),
                ),
                FieldProblem::Invalid(why) => ApiError::new(
                    Reason::InvalidParameterValue,
                    format!("The value provided for {} is invalid: it {why}.", f.field),
                ),
                FieldProblem::CurrencyMismatch => ApiError::new(
                    Reason::CurrencyMismatch,
                    format!(
                        "The currency of {} does not match the currency of the transaction.",
                        f.field
                    ),
                ),
            },
            DomainError::NotFound => ApiError::new(
                Reason::ResourceNotFound,
                "The requested resource was not found.",
            ),
            DomainError::InvalidCheckoutSessionStatus(msg) => {
                ApiError::new(Reason::InvalidCheckoutSessionStatus, msg)
            }
            DomainError::CheckoutSessionCanceled(reason) => ApiError::new(
                Reason::CheckoutSessionCanceled,
                format!(
                    "The Checkout Session was canceled ({}); send the buyer back to the start of checkout.",
                    reason.as_str()
                ),
            ),
            DomainError::AmountMismatch { field } => ApiError::new(
                Reason::AmountMismatch,
                format!("The {field} does not match the amount of the Checkout Session."),
            ),
            DomainError::InvalidChargePermissionStatus(m) => {
                ApiError::new(Reason::InvalidChargePermissionStatus, m)
            }
            DomainError::ChargePermissionNotModifiable(m) => {
                ApiError::new(Reason::ChargePermissionNotModifiable, m)
            }
            DomainError::InvalidChargeStatus(m) => ApiError::new(Reason::InvalidChargeStatus, m),
            DomainError::TransactionAmountExceeded(m) => {
                ApiError::new(Reason::TransactionAmountExceeded, m)
            }
            DomainError::TransactionCountExceeded(m) => {
                ApiError::new(Reason::TransactionCountExceeded, m)
            }
            DomainError::PeriodicAmountExceeded(m) => {
                ApiError::new(Reason::PeriodicAmountExceeded, m)
            }
            DomainError::InvalidSimulation(m) => {
                ApiError::new(Reason::InvalidSandboxSimulationSpecified, m)
            }
            DomainError::ProcessingFailure(m) => ApiError::new(Reason::ProcessingFailure, m),
        }
    }
}

impl ApiError {
    /// The error answer of a synchronous decline (spec §4.4).
    pub fn declined(d: amzpay_emulator_core::Decline) -> ApiError {
        use amzpay_emulator_core::Decline as D;
        let (reason, message) = match d {
            D::SoftDeclined => (
                Reason::SoftDeclined,
                "The charge was declined; it may succeed on retry. Check that the Charge Permission is Chargeable first.",
            ),
            D::HardDeclined => (
                Reason::HardDeclined,
                "The charge was declined; the buyer must update the payment method.",
            ),
            D::AmazonRejected => (Reason::AmazonRejected, "Amazon rejected the transaction."),
            D::TransactionTimedOut => (
                Reason::TransactionTimedOut,
                "The authorization could not be decided in time; retry with canHandlePendingAuthorization true.",
            ),
            D::PaymentMethodNotAllowed => (
                Reason::PaymentMethodNotAllowed,
                "The buyer's payment method is not allowed for this transaction.",
            ),
            D::MfaNotCompleted => (
                Reason::MfaNotCompleted,
                "The buyer must complete multi-factor authentication for this charge.",
            ),
        };
        ApiError::new(reason, message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Unavailable { .. } | StoreError::Closed => {
                ApiError::Unavailable(anyhow::Error::new(e))
            }
            other => ApiError::Internal(anyhow::Error::new(other)),
        }
    }
}
