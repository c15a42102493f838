//! The one error type of the client, [`Error`], and the structs its variants carry.
//!
//! The shape follows smithy-rs RFC 0022: [`Error`] is a `#[non_exhaustive]` enum to match on, each
//! variant wraps a struct with private fields and getters, third-party errors are reachable only
//! through [`source`](std::error::Error::source), and `Display` never repeats the source (print
//! the chain with `{:#}` in anyhow, or walk `source()`).

use std::time::Duration;

use amzpay_types::ApiErrorCode;
use bytes::Bytes;

use crate::transport::TransportError;

/// Everything that can go wrong with a call.
///
/// ```no_run
/// # async fn example(client: amzpay::Client) {
/// use amzpay::{types::ApiErrorCode, Error};
/// match client.get_charge("S01-1234567-1234567-C123456").await {
///     Ok(response) => println!("state: {:?}", response.status_details.state),
///     Err(Error::Api(e)) if e.reason_code() == Some(&ApiErrorCode::ResourceNotFound) => {
///         println!("no such charge (request id {:?})", e.request_id());
///     }
///     Err(Error::Timeout(e)) if e.outcome_unknown() => {
///         println!("the charge may or may not exist: read it again later");
///     }
///     Err(e) => println!("failed: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Amazon Pay answered with an error status.
    #[error(transparent)]
    Api(ApiError),
    /// No answer within the timeout.
    #[error(transparent)]
    Timeout(TimeoutError),
    /// No answer at all: the connection could not be made or broke.
    #[error(transparent)]
    Transport(ConnectionError),
    /// The request could not be signed.
    #[error(transparent)]
    Signing(SigningFailure),
    /// A success response whose body is not what the operation returns.
    #[error(transparent)]
    Decode(DecodeError),
    /// The request could not be built (its body did not serialize, or an option is invalid).
    #[error(transparent)]
    InvalidRequest(InvalidRequestError),
}

impl Error {
    /// The API error, if this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The `reasonCode` of an API error.
    pub fn reason_code(&self) -> Option<&ApiErrorCode> {
        self.as_api().and_then(ApiError::reason_code)
    }

    /// Whether the request may have taken effect without the client seeing the answer: a timeout
    /// or broken connection after the request was sent. Read the object again (or retry with the
    /// same idempotency key) before assuming either way.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Timeout(e) => e.outcome_unknown(),
            Error::Transport(e) => e.outcome_unknown(),
            _ => false,
        }
    }

    /// How many attempts were made (0 when the request could not even be built or signed).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts(),
            Error::Timeout(e) => e.attempts,
            Error::Transport(e) => e.attempts,
            Error::Decode(e) => e.attempts,
            Error::Signing(e) => e.attempts,
            Error::InvalidRequest(_) => 0,
        }
    }

    pub(crate) fn serialize(source: serde_json::Error) -> Error {
        Error::InvalidRequest(InvalidRequestError {
            message: "the request body does not serialize to JSON".to_owned(),
            source: Some(source),
        })
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Error {
        Error::InvalidRequest(InvalidRequestError {
            message: message.into(),
            source: None,
        })
    }

    pub(crate) fn from_transport(error: TransportError, attempts: u32) -> Error {
        if error.is_timeout() {
            Error::Timeout(TimeoutError {
                sent: error.may_have_been_sent(),
                attempts,
                source: error,
            })
        } else {
            Error::Transport(ConnectionError {
                attempts,
                source: error,
            })
        }
    }
}

/// An error answer from Amazon Pay.
///
/// A JSON error body (`{"reasonCode": …, "message": …}`) gives [`reason_code`](Self::reason_code)
/// and [`message`](Self::message); any other body (a proxy's HTML page) is kept as
/// [`body`](Self::body) and the two are `None`.
#[derive(Debug, Clone)]
pub struct ApiError(Box<ApiErrorData>);

/// The fields of an [`ApiError`], boxed so that `Result<T, Error>` stays small.
#[derive(Debug, Clone)]
pub(crate) struct ApiErrorData {
    pub(crate) status: u16,
    pub(crate) reason_code: Option<ApiErrorCode>,
    pub(crate) message: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) attempts: u32,
    pub(crate) body: Bytes,
    pub(crate) retry_after: Option<Duration>,
}

impl ApiError {
    pub(crate) fn new(data: ApiErrorData) -> Self {
        ApiError(Box::new(data))
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// The `reasonCode`, when the body was an Amazon Pay error document. Codes this version of
    /// the crate does not know are kept as [`ApiErrorCode::Unknown`].
    pub fn reason_code(&self) -> Option<&ApiErrorCode> {
        self.0.reason_code.as_ref()
    }

    /// The `message`, when the body was an Amazon Pay error document.
    pub fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    /// The `x-amz-pay-request-id` response header: quote it to Amazon Pay support.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// How many attempts were made; this error answered the last.
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// The raw response body.
    pub fn body(&self) -> &[u8] {
        &self.0.body
    }

    /// The server's `Retry-After` hint, if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Amazon Pay answered HTTP {}", self.0.status)?;
        match (&self.0.reason_code, &self.0.message) {
            (Some(code), Some(message)) => write!(f, " {}: {message}", code.as_str())?,
            (Some(code), None) => write!(f, " {}", code.as_str())?,
            (None, _) => {
                let text = String::from_utf8_lossy(&self.0.body);
                let text = text.trim();
                if !text.is_empty() {
                    let short: String = text.chars().take(200).collect();
                    let ellipsis = if short.len() < text.len() { "…" } else { "" };
                    write!(f, " with a non-JSON body: {short}{ellipsis}")?;
                }
            }
        }
        if let Some(id) = &self.0.request_id {
            write!(f, " (request id {id})")?;
        }
        if self.0.attempts > 1 {
            write!(f, " after {} attempts", self.0.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// No answer arrived within the timeout.
#[derive(Debug, thiserror::Error)]
#[error("{}{}", timeout_text(*.sent), attempts_suffix(*.attempts))]
pub struct TimeoutError {
    sent: bool,
    attempts: u32,
    #[source]
    source: TransportError,
}

impl TimeoutError {
    /// Whether the request may have reached the server and taken effect ("outcome unknown");
    /// `false` means it certainly was not sent.
    pub fn outcome_unknown(&self) -> bool {
        self.sent
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// The connection failed: refused, reset, DNS or TLS failure.
#[derive(Debug, thiserror::Error)]
#[error("{}{}", connection_text(.source.may_have_been_sent()), attempts_suffix(*.attempts))]
pub struct ConnectionError {
    attempts: u32,
    #[source]
    source: TransportError,
}

impl ConnectionError {
    /// Whether the request may have reached the server and taken effect.
    pub fn outcome_unknown(&self) -> bool {
        self.source.may_have_been_sent()
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// Signing the request failed (in practice: a private key the signer cannot use).
#[derive(Debug, thiserror::Error)]
#[error("cannot sign the request")]
pub struct SigningFailure {
    pub(crate) attempts: u32,
    #[source]
    pub(crate) source: amzpay_signing::SigningError,
}

/// A success response whose body does not decode into the operation's response type.
#[derive(Debug, thiserror::Error)]
#[error("cannot decode the HTTP {status} response{}", request_id.as_ref().map(|id| format!(" (request id {id})")).unwrap_or_default())]
pub struct DecodeError {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) attempts: u32,
    pub(crate) body: Bytes,
    #[source]
    pub(crate) source: serde_json::Error,
}

impl DecodeError {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `x-amz-pay-request-id` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The raw body that did not decode.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// The request could not be built.
#[derive(Debug, thiserror::Error)]
#[error("invalid request: {message}")]
pub struct InvalidRequestError {
    message: String,
    #[source]
    source: Option<serde_json::Error>,
}

fn attempts_suffix(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

fn timeout_text(sent: bool) -> &'static str {
    if sent {
        "timed out after the request was sent; the outcome is unknown"
    } else {
        "timed out before the request was sent"
    }
}

fn connection_text(sent: bool) -> &'static str {
    if sent {
        "the connection broke after the request was sent; the outcome is unknown"
    } else {
        "could not connect to Amazon Pay"
    }
}
