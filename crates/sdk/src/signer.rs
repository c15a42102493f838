//! The glue between the client and `amzpay-signing`: the only module that calls the signer.

use amzpay_signing::{CanonicalUri, Diagnostics, SignableRequest, SigningError, SigningParams};
use bytes::Bytes;
use time::OffsetDateTime;

use crate::config::Config;
use crate::transport::Method;

/// The headers to send (the caller's plus `x-amz-pay-date` and `authorization`) and what was
/// signed.
pub(crate) struct Signed {
    pub(crate) headers: Vec<(String, String)>,
    #[allow(dead_code)] // Kept for debugging signature mismatches in tests and logs.
    pub(crate) diagnostics: Diagnostics,
}

/// Signs one attempt. Every header in `headers` is signed; `path` is signed exactly as it will be
/// sent (the client has already encoded it).
pub(crate) fn sign(
    config: &Config,
    method: Method,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    body: &Bytes,
    now: OffsetDateTime,
) -> Result<Signed, SigningError> {
    let request = SignableRequest::with_uri(method.as_str(), CanonicalUri::verbatim(path))
        .query_params(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .headers(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .body(body);
    let params = SigningParams::new(config.private_key(), config.public_key_id(), now)
        .with_algorithm(config.algorithm());
    let output = amzpay_signing::sign(&request, &params)?;
    let mut all = headers.to_vec();
    all.extend(output.headers);
    Ok(Signed {
        headers: all,
        diagnostics: output.diagnostics,
    })
}
