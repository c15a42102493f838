//! The HTTP layer: one trait with one method, so the client never depends on an HTTP library.
//!
//! The client builds a signed [`HttpRequest`] per attempt and hands it to a [`Transport`]. The
//! default transport ([`ReqwestTransport`], feature `reqwest`, on by default) uses reqwest with
//! rustls; tests use [`crate::testing::ScriptedTransport`]; anything else (a proxy, a recording
//! layer, another HTTP stack) implements the trait.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

#[cfg(feature = "reqwest")]
mod reqwest_transport;
#[cfg(feature = "reqwest")]
pub use reqwest_transport::{BuildTransportError, ReqwestTransport};

/// An HTTP method used by the Amazon Pay API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The upper-case method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            "PATCH" => Ok(Method::Patch),
            "DELETE" => Ok(Method::Delete),
            _ => Err(format!(
                "unsupported method {s:?} (expected GET, POST, PATCH or DELETE)"
            )),
        }
    }
}

/// One signed attempt, ready to send.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL, query included.
    pub url: String,
    /// The headers, `authorization` included, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body bytes (empty for a GET): exactly the bytes that were signed.
    pub body: Bytes,
    /// How long the whole attempt may take; transports should enforce it (the client enforces it
    /// too, as a backstop).
    pub timeout: Duration,
}

impl HttpRequest {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// A response as received.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Bytes,
}

impl HttpResponse {
    /// Builds a response; header names are lower-cased.
    ///
    /// ```
    /// let response = amzpay::transport::HttpResponse::new(200, [("X-Amz-Pay-Request-Id", "r1")], "{}");
    /// assert_eq!(response.header("x-amz-pay-request-id"), Some("r1"));
    /// ```
    pub fn new(
        status: u16,
        headers: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
        body: impl Into<Bytes>,
    ) -> Self {
        HttpResponse {
            status,
            headers: headers
                .into_iter()
                .map(|(k, v)| (k.into().to_ascii_lowercase(), v.into()))
                .collect(),
            body: body.into(),
        }
    }

    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Sends one attempt and returns whatever the server answered, error statuses included.
///
/// An implementation reports a failure to get any answer as a [`TransportError`], and says
/// whether the request may have reached the server: the client retries a request that was not
/// sent more readily, and reports "outcome unknown" for one that may have been.
///
/// ```
/// use amzpay::transport::{HttpRequest, HttpResponse, Transport, TransportError};
///
/// /// A transport that answers every request with 503.
/// #[derive(Debug)]
/// struct AlwaysUnavailable;
///
/// #[async_trait::async_trait]
/// impl Transport for AlwaysUnavailable {
///     async fn execute(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
///         Ok(HttpResponse::new(503, [("content-type", "text/plain")], "down"))
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait Transport: Send + Sync + fmt::Debug {
    /// Sends one request.
    async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// A failure to get any HTTP answer.
///
/// The underlying error (from the HTTP library) is reachable only through
/// [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[error("{}", kind.describe())]
pub struct TransportError {
    kind: TransportErrorKind,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TransportErrorKind {
    NotSent,
    NotSentTimeout,
    OutcomeUnknown,
    OutcomeUnknownTimeout,
}

impl TransportErrorKind {
    fn describe(self) -> &'static str {
        match self {
            TransportErrorKind::NotSent => "the request could not be sent",
            TransportErrorKind::NotSentTimeout => "timed out before the request was sent",
            TransportErrorKind::OutcomeUnknown => {
                "the connection failed after the request was sent; the outcome is unknown"
            }
            TransportErrorKind::OutcomeUnknownTimeout => {
                "timed out waiting for the response; the outcome is unknown"
            }
        }
    }
}

impl TransportError {
    /// The request never reached the server (DNS, connection refused, TLS handshake).
    pub fn not_sent(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        TransportError {
            kind: TransportErrorKind::NotSent,
            source: Some(source.into()),
        }
    }

    /// The request may have reached the server, but the connection broke before an answer.
    pub fn outcome_unknown(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        TransportError {
            kind: TransportErrorKind::OutcomeUnknown,
            source: Some(source.into()),
        }
    }

    /// A timeout; `sent` says whether the request may already have reached the server.
    pub fn timeout(sent: bool) -> Self {
        TransportError {
            kind: if sent {
                TransportErrorKind::OutcomeUnknownTimeout
            } else {
                TransportErrorKind::NotSentTimeout
            },
            source: None,
        }
    }

    /// Attaches the underlying error.
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Whether the request may have reached the server.
    pub fn may_have_been_sent(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::OutcomeUnknown | TransportErrorKind::OutcomeUnknownTimeout
        )
    }

    /// Whether this was a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::NotSentTimeout | TransportErrorKind::OutcomeUnknownTimeout
        )
    }
}
