//! [`ErrorResponse`]: the body of every error response.

use serde::{Deserialize, Serialize};

use crate::enums::ApiErrorCode;

/// `{ "reasonCode": ..., "message": ... }` (spec §5).
///
/// The message is free-form text for people; act on `reason_code`. A missing `message` reads as an
/// empty string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    /// `reasonCode`.
    pub reason_code: ApiErrorCode,
    /// `message`.
    #[serde(default)]
    pub message: String,
}

impl ErrorResponse {
    /// An error body.
    pub fn new(reason_code: ApiErrorCode, message: impl Into<String>) -> Self {
        Self {
            reason_code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ErrorResponse {
    /// `ReasonCode: message`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.reason_code, self.message)
    }
}
