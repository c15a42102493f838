//! One Amazon Pay API call through the SDK, described as data so it can be sent again (an
//! idempotent replay) and classified as acknowledged, refused, or unanswered.

use amzpay::request::Request;
use amzpay::transport::Method;
use amzpay::{CallOptions, Client};
use serde_json::Value;

/// A request as sent: what a replay must repeat exactly.
#[derive(Clone, Debug)]
pub struct Sent {
    /// The method.
    pub method: Method,
    /// The path after the `/v2` prefix, e.g. `/checkoutSessions`.
    pub path: String,
    /// The idempotency key (POST).
    pub key: Option<String>,
    /// The JSON body.
    pub body: Option<Value>,
}

/// What came back.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// A 2xx: acknowledged.
    Acked {
        /// Status.
        status: u16,
        /// Body.
        body: Value,
    },
    /// An error answer.
    Refused {
        /// Status.
        status: u16,
        /// `reasonCode`.
        reason: String,
        /// Body.
        body: Value,
    },
    /// No answer (refused connection, reset, timeout).
    NoAnswer {
        /// Whether the request may have reached the server (its effect is unknown).
        maybe_sent: bool,
        /// The error.
        error: String,
    },
}

impl Outcome {
    /// One line for the run's journal: the status and body, or why there was none.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Acked { status, body } => format!("acknowledged {status} {body}"),
            Outcome::Refused { status, body, .. } => format!("refused {status} {body}"),
            Outcome::NoAnswer { maybe_sent, error } => format!(
                "no answer ({}): {error}",
                if *maybe_sent {
                    "maybe sent"
                } else {
                    "not sent"
                }
            ),
        }
    }

    /// Whether a retry is the right reaction: no answer, or a 5xx.
    pub fn retryable(&self) -> bool {
        match self {
            Outcome::Acked { .. } => false,
            Outcome::Refused { status, .. } => *status >= 500,
            Outcome::NoAnswer { .. } => true,
        }
    }
}

impl Sent {
    /// A GET.
    pub fn get(path: impl Into<String>) -> Sent {
        Sent {
            method: Method::Get,
            path: path.into(),
            key: None,
            body: None,
        }
    }

    /// A POST with an idempotency key.
    pub fn post(path: impl Into<String>, key: impl Into<String>, body: Value) -> Sent {
        Sent {
            method: Method::Post,
            path: path.into(),
            key: Some(key.into()),
            body: Some(body),
        }
    }

    /// A PATCH.
    pub fn patch(path: impl Into<String>, body: Value) -> Sent {
        Sent {
            method: Method::Patch,
            path: path.into(),
            key: None,
            body: Some(body),
        }
    }

    /// Sends it once.
    pub async fn send(&self, client: &Client) -> Outcome {
        let mut request = Request::new(self.method, self.path.clone());
        if let Some(body) = &self.body {
            request = match request.json_body(body) {
                Ok(r) => r,
                Err(e) => {
                    return Outcome::NoAnswer {
                        maybe_sent: false,
                        error: e.to_string(),
                    };
                }
            };
        }
        if let Some(key) = &self.key {
            request = request.with_options(CallOptions::default().idempotency_key(key.clone()));
        }
        match client.execute::<Value>(request).await {
            Ok(response) => Outcome::Acked {
                status: response.status(),
                body: response.into_inner(),
            },
            Err(e) => match e.as_api() {
                Some(api) => {
                    let body: Value = serde_json::from_slice(api.body()).unwrap_or(Value::Null);
                    Outcome::Refused {
                        status: api.status(),
                        reason: body["reasonCode"].as_str().unwrap_or("").to_owned(),
                        body,
                    }
                }
                None => Outcome::NoAnswer {
                    maybe_sent: e.outcome_unknown(),
                    error: format!("{e:#}"),
                },
            },
        }
    }
}

/// Cents as Amazon's decimal string (`1234` → `"12.34"`).
pub fn usd(cents: i64) -> Value {
    serde_json::json!({
        "amount": format!("{}.{:02}", cents / 100, cents % 100),
        "currencyCode": "USD"
    })
}
