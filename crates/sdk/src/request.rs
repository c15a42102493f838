//! The client-agnostic description of one API call, before signing.
//!
//! Every operation method builds a [`Request`]; [`Client::execute`](crate::Client::execute) signs
//! and sends it. Building one by hand reaches endpoints this crate has no method for.

use bytes::Bytes;
use serde::Serialize;

use crate::error::Error;
use crate::transport::Method;

/// The header that carries an idempotency key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "x-amz-pay-idempotency-key";

/// The header that asks the sandbox for a simulated outcome.
pub const SIMULATION_CODE_HEADER: &str = "x-amz-pay-simulation-code";

/// The response header carrying Amazon Pay's request id.
pub const REQUEST_ID_HEADER: &str = "x-amz-pay-request-id";

/// Whether a call carries an idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdempotencyPolicy {
    /// A POST that Amazon Pay deduplicates: the client generates a key (32 characters, a UUID v4
    /// without dashes) unless the caller supplies one, and reuses it on every retry.
    Required,
    /// No key unless the caller supplies one. A POST without a key is never retried.
    Optional,
}

/// One API call: method, path below the version prefix, query, body and idempotency policy.
///
/// ```
/// use amzpay::request::{IdempotencyPolicy, Request};
/// use amzpay::transport::Method;
///
/// // `GET /v2/reports?reportTypes=_GET_FLAT_FILE_OFFAMAZONPAYMENTS_ORDER_REFERENCE_DATA_`
/// let request = Request::new(Method::Get, "/reports")
///     .query("reportTypes", "_GET_FLAT_FILE_OFFAMAZONPAYMENTS_ORDER_REFERENCE_DATA_");
/// assert_eq!(request.idempotency(), IdempotencyPolicy::Optional);
/// ```
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Bytes>,
    idempotency: IdempotencyPolicy,
    options: CallOptions,
}

impl Request {
    /// A request with no query and no body. `path` is below the version prefix and starts with
    /// `/`, e.g. `/checkoutSessions/{id}`.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            idempotency: IdempotencyPolicy::Optional,
            options: CallOptions::default(),
        }
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets the body bytes as they will be sent and signed.
    pub fn body_bytes(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Serializes `body` to JSON, once: the bytes signed are the bytes sent.
    pub fn json_body<B: Serialize + ?Sized>(self, body: &B) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(Error::serialize)?;
        Ok(self.body_bytes(bytes))
    }

    /// The idempotency policy.
    pub fn idempotency(&self) -> IdempotencyPolicy {
        self.idempotency
    }

    /// Sets the idempotency policy.
    pub fn with_idempotency(mut self, policy: IdempotencyPolicy) -> Self {
        self.idempotency = policy;
        self
    }

    /// Sets the per-call options.
    pub fn with_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path below the version prefix.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query parameters.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The body bytes, if any.
    pub fn body(&self) -> Option<&Bytes> {
        self.body.as_ref()
    }

    /// The per-call options.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    pub(crate) fn options_mut(&mut self) -> &mut CallOptions {
        &mut self.options
    }
}

/// Per-call options: idempotency key, sandbox simulation code, extra headers.
///
/// ```
/// let options = amzpay::CallOptions::default()
///     .idempotency_key("order-1234-capture")
///     .simulation_code("SoftDeclined")
///     .header("x-amz-pay-integrator-id", "my-platform");
/// assert_eq!(options.idempotency_key_value(), Some("order-1234-capture"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    idempotency_key: Option<String>,
    simulation_code: Option<String>,
    headers: Vec<(String, String)>,
}

impl CallOptions {
    /// Uses this idempotency key (at most 32 characters of `A–Z a–z 0–9 - _`) instead of a
    /// generated one. Keep it with the order to make a retry after a crash safe.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Asks the sandbox for a simulated outcome (`x-amz-pay-simulation-code`).
    pub fn simulation_code(mut self, code: impl Into<String>) -> Self {
        self.simulation_code = Some(code.into());
        self
    }

    /// Adds a header, sent and signed.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers
            .push((name.into().to_ascii_lowercase(), value.into()));
        self
    }

    /// The idempotency key the caller supplied, if any.
    pub fn idempotency_key_value(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// The simulation code, if any.
    pub fn simulation_code_value(&self) -> Option<&str> {
        self.simulation_code.as_deref()
    }

    /// The extra headers.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    pub(crate) fn set_idempotency_key(&mut self, key: Option<String>) {
        self.idempotency_key = key;
    }

    pub(crate) fn set_simulation_code(&mut self, code: Option<String>) {
        self.simulation_code = code;
    }

    pub(crate) fn push_header(&mut self, name: String, value: String) {
        self.headers.push((name.to_ascii_lowercase(), value));
    }
}

/// A fresh idempotency key: a UUID v4 without dashes (32 lower-case hex characters).
///
/// ```
/// let key = amzpay::request::generate_idempotency_key();
/// assert_eq!(key.len(), 32);
/// assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
/// ```
pub fn generate_idempotency_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Whether a caller-supplied key is acceptable to Amazon Pay: 1–32 characters of
/// `A–Z a–z 0–9 - _`.
///
/// ```
/// assert!(amzpay::request::is_valid_idempotency_key("order-1234_capture"));
/// assert!(!amzpay::request::is_valid_idempotency_key("order 1234"));
/// ```
pub fn is_valid_idempotency_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 32
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
