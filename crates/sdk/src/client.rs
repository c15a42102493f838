//! [`Client`]: signs, sends, retries and decodes.
//!
//! [`Client::execute`] is the one place a request goes through; every operation method builds a
//! [`Request`] and calls it. Each attempt is signed afresh (a fresh `x-amz-pay-date`), carries the
//! same idempotency key, and is bounded by the configured timeout.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::config::Config;
use crate::error::{ApiError, ApiErrorData, DecodeError, Error, SigningFailure};
use crate::request::{
    CallOptions, IDEMPOTENCY_KEY_HEADER, IdempotencyPolicy, REQUEST_ID_HEADER, Request,
    SIMULATION_CODE_HEADER, generate_idempotency_key, is_valid_idempotency_key,
};
use crate::retry::{AttemptFailure, Decision, RetryBudget, parse_retry_after};
use crate::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};

/// The Amazon Pay client. Cheap to clone (the configuration and transport are shared).
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use amzpay::{Client, Config, Region};
///
/// let config = Config::builder()
///     .public_key_id("SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B")
///     .private_key_file("private.pem")
///     .region(Region::Na)
///     .build()?;
/// let client = Client::new(config)?;
/// let session = client.get_checkout_session("d6b6b33b-0b1c-4a1c-9e0f-3c6b8e8b9f10").await?;
/// println!("{:?} (request id {:?})", session.status_details.state, session.request_id());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    transport: Arc<dyn Transport>,
    budget: RetryBudget,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .field("transport", &self.inner.transport)
            .field("retry_budget", &self.inner.budget.available())
            .finish()
    }
}

impl Client {
    /// A client with the default transport (reqwest over rustls).
    #[cfg(feature = "reqwest")]
    pub fn new(config: Config) -> Result<Client, crate::transport::BuildTransportError> {
        let transport = crate::transport::ReqwestTransport::new(&config)?;
        Ok(Client::with_transport(config, transport))
    }

    /// A client that sends through `transport`.
    pub fn with_transport(config: Config, transport: impl Transport + 'static) -> Client {
        Client::with_shared_transport(config, Arc::new(transport))
    }

    /// A client that sends through a shared transport.
    pub fn with_shared_transport(config: Config, transport: Arc<dyn Transport>) -> Client {
        let budget = RetryBudget::new(config.retry_policy().retry_budget());
        Client {
            inner: Arc::new(Inner {
                config,
                transport,
                budget,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Signs, sends (retrying as the policy allows) and decodes one request.
    ///
    /// Every operation method ends here; call it directly for endpoints this crate has no method
    /// for. `T` is the response body type (`serde_json::Value` for anything).
    ///
    /// ```no_run
    /// # async fn example(client: amzpay::Client) -> Result<(), amzpay::Error> {
    /// use amzpay::{request::Request, transport::Method};
    /// let reports: amzpay::Response<serde_json::Value> =
    ///     client.execute(Request::new(Method::Get, "/reports")).await?;
    /// # Ok(()) }
    /// ```
    #[tracing::instrument(
        name = "amzpay.request",
        skip_all,
        fields(method = %request.method(), path = %request.path(), attempts, status, request_id)
    )]
    pub async fn execute<T: DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<Response<T>, Error> {
        let started = Instant::now();
        let config = &self.inner.config;
        let key = match (
            request.options().idempotency_key_value(),
            request.idempotency(),
        ) {
            (Some(key), _) => {
                if !is_valid_idempotency_key(key) {
                    return Err(Error::invalid_request(format!(
                        "the idempotency key {key:?} must be 1 to 32 characters of A-Z a-z 0-9 - _"
                    )));
                }
                Some(key.to_owned())
            }
            (None, IdempotencyPolicy::Required) => Some(generate_idempotency_key()),
            (None, IdempotencyPolicy::Optional) => None,
        };
        // Sending a POST twice is harmless only when Amazon Pay can recognise the second copy.
        let retry_safe = request.method() != Method::Post || key.is_some();
        let path = format!("{}{}", config.path_prefix(), request.path());
        let url = build_url(config, &path, request.query_pairs());
        let body = request.body().cloned().unwrap_or_default();
        let policy = config.retry_policy();
        let span = tracing::Span::current();

        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let http_request = self
                .sign_attempt(
                    &request,
                    &path,
                    &url,
                    &body,
                    key.as_deref(),
                    OffsetDateTime::now_utc(),
                )
                .map_err(|source| {
                    Error::Signing(SigningFailure {
                        attempts: attempt - 1,
                        source,
                    })
                })?;
            let result = match tokio::time::timeout(
                config.timeout(),
                self.inner.transport.execute(http_request),
            )
            .await
            {
                Ok(result) => result,
                // The client's own backstop for a transport that ignores the timeout: whether the
                // request went out is unknown.
                Err(_elapsed) => Err(TransportError::timeout(true)),
            };
            let (failure, retry_after, error) = match result {
                Ok(response) if (200..300).contains(&response.status) => {
                    self.inner.budget.record_success();
                    span.record("attempts", attempt);
                    span.record("status", response.status);
                    return decode(response, attempt, started.elapsed(), key);
                }
                Ok(response) => {
                    let error = api_error(response, attempt);
                    tracing::debug!(attempt, status = error.status(), reason_code = ?error.reason_code(), "Amazon Pay answered with an error");
                    (
                        AttemptFailure::Status(error.status()),
                        error.retry_after(),
                        Error::Api(error),
                    )
                }
                Err(error) => {
                    tracing::debug!(attempt, error = %error, "the attempt got no answer");
                    let failure = if error.may_have_been_sent() {
                        AttemptFailure::OutcomeUnknown
                    } else {
                        AttemptFailure::NotSent
                    };
                    (failure, None, Error::from_transport(error, attempt))
                }
            };
            let jitter = rand::random::<f64>();
            let decision = match policy.decide(&failure, retry_after, attempt, retry_safe, jitter) {
                Decision::Retry(_) if !self.inner.budget.try_acquire(&failure) => {
                    tracing::debug!(attempt, "the retry budget is spent; not retrying");
                    Decision::Stop
                }
                decision => decision,
            };
            match decision {
                Decision::Retry(delay) => {
                    tracing::debug!(attempt, ?delay, "retrying");
                    tokio::time::sleep(delay).await;
                }
                Decision::Stop => {
                    span.record("attempts", attempt);
                    if let Error::Api(e) = &error {
                        span.record("status", e.status());
                        if let Some(id) = e.request_id() {
                            span.record("request_id", id);
                        }
                    }
                    return Err(error);
                }
            }
        }
    }

    /// Builds the signed request of one attempt: fixed headers, caller headers, then the
    /// signature over all of them (`user-agent` is sent unsigned, as the Java and .NET SDKs do).
    fn sign_attempt(
        &self,
        request: &Request,
        path: &str,
        url: &str,
        body: &Bytes,
        key: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<HttpRequest, amzpay_signing::SigningError> {
        let config = &self.inner.config;
        let mut headers: Vec<(String, String)> = vec![
            ("accept".to_owned(), "application/json".to_owned()),
            ("content-type".to_owned(), "application/json".to_owned()),
            ("x-amz-pay-host".to_owned(), config.host_header().to_owned()),
            (
                "x-amz-pay-region".to_owned(),
                config.region().code().to_owned(),
            ),
        ];
        if let Some(key) = key {
            headers.push((IDEMPOTENCY_KEY_HEADER.to_owned(), key.to_owned()));
        }
        let options = request.options();
        if let Some(code) = options.simulation_code_value() {
            headers.push((SIMULATION_CODE_HEADER.to_owned(), code.to_owned()));
        }
        for (name, value) in options.headers() {
            // The client owns these; a caller's copy would make the signature ambiguous.
            if is_reserved_header(name) {
                continue;
            }
            headers.push((name.clone(), value.clone()));
        }
        let signed = crate::signer::sign(
            config,
            request.method(),
            path,
            request.query_pairs(),
            &headers,
            body,
            now,
        )?;
        let mut all = signed.headers;
        all.push(("user-agent".to_owned(), config.user_agent().to_owned()));
        Ok(HttpRequest {
            method: request.method(),
            url: url.to_owned(),
            headers: all,
            body: body.clone(),
            timeout: config.timeout(),
        })
    }
}

fn is_reserved_header(name: &str) -> bool {
    matches!(
        name,
        "accept"
            | "content-type"
            | "x-amz-pay-host"
            | "x-amz-pay-region"
            | "x-amz-pay-date"
            | "authorization"
            | "user-agent"
            | IDEMPOTENCY_KEY_HEADER
            | SIMULATION_CODE_HEADER
    )
}

fn build_url(config: &Config, path: &str, query: &[(String, String)]) -> String {
    let base = config.base_url().as_str().trim_end_matches('/');
    let mut url = format!("{base}{path}");
    for (i, (name, value)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&percent_encode(name));
        url.push('=');
        url.push_str(&percent_encode(value));
    }
    url
}

/// RFC 3986 encoding of everything outside the unreserved set, as the canonical query uses.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn request_id(response: &HttpResponse) -> Option<String> {
    response.header(REQUEST_ID_HEADER).map(str::to_owned)
}

fn decode<T: DeserializeOwned>(
    response: HttpResponse,
    attempts: u32,
    duration: Duration,
    idempotency_key: Option<String>,
) -> Result<Response<T>, Error> {
    let request_id = request_id(&response);
    if let Some(id) = &request_id {
        tracing::Span::current().record("request_id", id.as_str());
    }
    // An empty success body (some PSPs' DELETE answers) reads as JSON null.
    let body: &[u8] = if response.body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        &response.body
    };
    match serde_json::from_slice(body) {
        Ok(value) => Ok(Response {
            value,
            status: response.status,
            request_id,
            attempts,
            duration,
            idempotency_key,
        }),
        Err(source) => Err(Error::Decode(DecodeError {
            status: response.status,
            request_id,
            attempts,
            body: response.body,
            source,
        })),
    }
}

#[derive(serde::Deserialize)]
struct WireError {
    #[serde(rename = "reasonCode")]
    reason_code: Option<String>,
    message: Option<String>,
}

fn api_error(response: HttpResponse, attempts: u32) -> ApiError {
    let request_id = request_id(&response);
    let retry_after = response
        .header("retry-after")
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    let (reason_code, message) = match serde_json::from_slice::<WireError>(&response.body) {
        Ok(WireError {
            reason_code: Some(code),
            message,
        }) => (Some(code.into()), message),
        _ => (None, None),
    };
    ApiError::new(ApiErrorData {
        status: response.status,
        reason_code,
        message,
        request_id,
        attempts,
        body: response.body,
        retry_after,
    })
}

/// A successful answer: the decoded body plus what is worth logging about the call.
///
/// It dereferences to the body, so `response.charge_permission_id` reads the field directly.
///
/// ```no_run
/// # async fn example(client: amzpay::Client) -> Result<(), amzpay::Error> {
/// let response = client.get_charge("S01-1234567-1234567-C123456").await?;
/// println!(
///     "{:?} in {:?} after {} attempt(s), request id {:?}",
///     response.status_details.state,
///     response.duration(),
///     response.attempts(),
///     response.request_id(),
/// );
/// let charge = response.into_inner();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Response<T> {
    value: T,
    status: u16,
    request_id: Option<String>,
    attempts: u32,
    duration: Duration,
    idempotency_key: Option<String>,
}

impl<T> Response<T> {
    /// The decoded body.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// Takes the decoded body.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The HTTP status (e.g. 201 for a create, 202 for a Complete whose authorization is pending).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `x-amz-pay-request-id` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How many attempts the call took (1 when the first succeeded).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The time from the first attempt to the decoded answer, retries and waits included.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The idempotency key sent, generated or supplied.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// Transforms the body, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            status: self.status,
            request_id: self.request_id,
            attempts: self.attempts,
            duration: self.duration,
            idempotency_key: self.idempotency_key,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// A prepared call: add per-call options, then `.await` it.
///
/// Every operation method returns one. Awaiting it sends the request.
///
/// ```no_run
/// # async fn example(client: amzpay::Client, body: amzpay::types::CreateChargeRequest) -> Result<(), amzpay::Error> {
/// let charge = client
///     .create_charge(&body)
///     .idempotency_key("order-1234-charge-1")
///     .simulation_code("SoftDeclined")
///     .await;
/// # Ok(()) }
/// ```
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'c, T> {
    client: &'c Client,
    request: Result<Request, Error>,
    _response: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Call<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("request", &self.request)
            .finish()
    }
}

impl<'c, T> Call<'c, T> {
    pub(crate) fn new(client: &'c Client, request: Result<Request, Error>) -> Self {
        Call {
            client,
            request,
            _response: PhantomData,
        }
    }

    /// Uses this idempotency key instead of a generated one (at most 32 characters of
    /// `A–Z a–z 0–9 - _`). Store it with the order so a retry after a crash is recognised.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        if let Ok(request) = &mut self.request {
            request.options_mut().set_idempotency_key(Some(key.into()));
        }
        self
    }

    /// Asks the sandbox for a simulated outcome (`x-amz-pay-simulation-code`).
    pub fn simulation_code(mut self, code: impl Into<String>) -> Self {
        if let Ok(request) = &mut self.request {
            request.options_mut().set_simulation_code(Some(code.into()));
        }
        self
    }

    /// Adds a header, sent and signed.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let Ok(request) = &mut self.request {
            request.options_mut().push_header(name.into(), value.into());
        }
        self
    }

    /// Replaces all per-call options.
    pub fn options(mut self, options: CallOptions) -> Self {
        self.request = self.request.map(|r| r.with_options(options));
        self
    }

    /// Keeps the response body as raw JSON (every field as received) instead of the typed model.
    pub fn into_json(self) -> Call<'c, serde_json::Value> {
        Call {
            client: self.client,
            request: self.request,
            _response: PhantomData,
        }
    }

    /// The request this call will send.
    pub fn request(&self) -> Result<&Request, &Error> {
        self.request.as_ref()
    }
}

impl<'c, T: DeserializeOwned + Send + 'c> Call<'c, T> {
    /// Sends the call (the same as awaiting it).
    pub async fn send(self) -> Result<Response<T>, Error> {
        self.client.execute(self.request?).await
    }
}

impl<'c, T: DeserializeOwned + Send + 'c> IntoFuture for Call<'c, T> {
    type Output = Result<Response<T>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
