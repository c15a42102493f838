//! The default transport: reqwest with rustls. Nothing of reqwest leaks out of this module.

use async_trait::async_trait;

use super::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use crate::config::Config;

/// Sends requests with reqwest over rustls, honouring the configured connect timeout, per-attempt
/// timeout and extra CA certificate.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = amzpay::Config::from_env()?;
/// let transport = amzpay::transport::ReqwestTransport::new(&config)?;
/// let client = amzpay::Client::with_transport(config, transport);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

/// The transport could not be built (a bad CA certificate, or no TLS backend).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {message}")]
pub struct BuildTransportError {
    message: &'static str,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl ReqwestTransport {
    /// Builds the transport for a configuration.
    pub fn new(config: &Config) -> Result<Self, BuildTransportError> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(config.connect_timeout())
            .timeout(config.timeout())
            // Amazon Pay never redirects API calls; a redirect would drop the signature anyway.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = config.ca_cert_pem() {
            let certs =
                reqwest::Certificate::from_pem_bundle(pem).map_err(|e| BuildTransportError {
                    message: "the CA certificate is not valid PEM",
                    source: Box::new(e),
                })?;
            if certs.is_empty() {
                return Err(BuildTransportError {
                    message: "the CA certificate file holds no certificate",
                    source: "empty PEM bundle".into(),
                });
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder.build().map_err(|e| BuildTransportError {
            message: "reqwest refused the settings",
            source: Box::new(e),
        })?;
        Ok(ReqwestTransport { client })
    }
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self
            .client
            .request(method, &request.url)
            .timeout(request.timeout)
            .body(request.body);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.bytes().await.map_err(classify)?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// Sorts a reqwest error into "not sent" and "outcome unknown". Only a failure to connect is
/// known not to have reached the server; anything later might have.
fn classify(error: reqwest::Error) -> TransportError {
    if error.is_builder() || error.is_connect() {
        if error.is_timeout() {
            TransportError::timeout(false).with_source(error)
        } else {
            TransportError::not_sent(error)
        }
    } else if error.is_timeout() {
        TransportError::timeout(true).with_source(error)
    } else {
        TransportError::outcome_unknown(error)
    }
}
