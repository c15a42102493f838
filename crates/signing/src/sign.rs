//! The client side: signing a request.

use time::OffsetDateTime;

use crate::algorithm::Algorithm;
use crate::authorization::{AuthorizationHeader, check_public_key_id};
use crate::backend::BackendError;
use crate::canonical::{
    CanonicalHeaders, CanonicalQuery, CanonicalRequest, CanonicalUri, is_header_name,
};
use crate::date::format_amz_date;
use crate::diagnostics::Diagnostics;
use crate::key::PrivateKey;

/// The date header the signer adds.
pub const X_AMZ_PAY_DATE: &str = "x-amz-pay-date";
/// The header carrying the signature.
pub const AUTHORIZATION: &str = "authorization";

/// A request to sign, as borrowed parts: method, path, query parameters, the headers to sign, and
/// the body bytes.
///
/// Every header given is signed. Pass at least `accept`, `content-type`, `x-amz-pay-host` and
/// `x-amz-pay-region` (and `x-amz-pay-idempotency-key` when there is one), as the official SDKs
/// do; Amazon (and our emulator) reject a request whose signature does not cover
/// `x-amz-pay-host`. Do not pass `x-amz-pay-date` or `authorization`: [`sign`] makes those.
#[derive(Debug, Clone)]
pub struct SignableRequest<'a> {
    method: &'a str,
    uri: CanonicalUri,
    query: Vec<(&'a str, &'a str)>,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
}

impl<'a> SignableRequest<'a> {
    /// A request with an unencoded path, canonicalized by [`CanonicalUri::normalize`]. Send
    /// [`uri`](Self::uri) as the path on the wire.
    pub fn new(method: &'a str, path: &str) -> Self {
        Self::with_uri(method, CanonicalUri::normalize(path))
    }

    /// A request whose path line is given as is (for example [`CanonicalUri::verbatim`] of a path
    /// that is already encoded).
    pub fn with_uri(method: &'a str, uri: CanonicalUri) -> Self {
        SignableRequest {
            method,
            uri,
            query: Vec::new(),
            headers: Vec::new(),
            body: &[],
        }
    }

    /// Adds a decoded query parameter (repeat the name for several values).
    pub fn query_param(mut self, name: &'a str, value: &'a str) -> Self {
        self.query.push((name, value));
        self
    }

    /// Adds decoded query parameters.
    pub fn query_params(mut self, params: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        self.query.extend(params);
        self
    }

    /// Adds a header to sign. A repeated name is signed as its values joined with `,`.
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Adds headers to sign.
    pub fn headers(mut self, headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        self.headers.extend(headers);
        self
    }

    /// Sets the body (default: empty), exactly the bytes that will be sent.
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// The path to send: the signed path line.
    pub fn uri(&self) -> &CanonicalUri {
        &self.uri
    }

    /// The canonical query string, which is also a correct query string to send (without `?`).
    pub fn canonical_query(&self) -> CanonicalQuery {
        CanonicalQuery::from_pairs(self.query.iter().copied())
    }
}

/// Who signs and when: the private key, its public key id, the algorithm and the signing time.
///
/// The time is a [`time::OffsetDateTime`] (any offset; it is converted to UTC). From a
/// [`std::time::SystemTime`] use `OffsetDateTime::from(system_time)`. Signing never reads the
/// clock itself, so it is deterministic apart from the PSS salt.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    private_key: &'a PrivateKey,
    public_key_id: &'a str,
    algorithm: Algorithm,
    time: OffsetDateTime,
}

impl<'a> SigningParams<'a> {
    /// Parameters with the default algorithm ([`Algorithm::AmznPayRsassaPssV2`]).
    pub fn new(private_key: &'a PrivateKey, public_key_id: &'a str, time: OffsetDateTime) -> Self {
        SigningParams {
            private_key,
            public_key_id,
            algorithm: Algorithm::default(),
            time,
        }
    }

    /// Chooses the algorithm.
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The private key.
    pub fn private_key(&self) -> &'a PrivateKey {
        self.private_key
    }

    /// The public key id.
    pub fn public_key_id(&self) -> &'a str {
        self.public_key_id
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The signing time.
    pub fn time(&self) -> OffsetDateTime {
        self.time
    }
}

/// What [`sign`] produces: the headers to add to the request, and how they were computed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SigningOutput {
    /// The headers to add, lower-case: `x-amz-pay-date` then `authorization`.
    pub headers: Vec<(String, String)>,
    /// The canonical request, string to sign, signed headers and authorization header.
    pub diagnostics: Diagnostics,
}

impl SigningOutput {
    /// The `authorization` header value.
    pub fn authorization(&self) -> &str {
        self.diagnostics.authorization()
    }

    /// The `x-amz-pay-date` header value.
    pub fn date(&self) -> &str {
        self.headers
            .iter()
            .find(|(name, _)| name == X_AMZ_PAY_DATE)
            .map_or("", |(_, value)| value)
    }
}

/// Signs a request (spec §6): adds `x-amz-pay-date` (from the params' time), builds the canonical
/// request over the given headers plus the date, signs its string to sign with RSASSA-PSS, and
/// returns the `x-amz-pay-date` and `authorization` headers to add.
pub fn sign(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<SigningOutput, SigningError> {
    if !is_header_name(request.method) {
        return Err(SigningError::new(
            SigningErrorKind::InvalidMethod,
            format!(
                "invalid HTTP method {:?}",
                crate::algorithm::truncate_for_display(request.method)
            ),
        ));
    }
    check_public_key_id(params.public_key_id)
        .map_err(|e| SigningError::new(SigningErrorKind::InvalidPublicKeyId, e.to_string()))?;
    if let Some((name, _)) = request.headers.iter().find(|(name, _)| {
        name.eq_ignore_ascii_case(X_AMZ_PAY_DATE) || name.eq_ignore_ascii_case(AUTHORIZATION)
    }) {
        return Err(SigningError::new(
            SigningErrorKind::ReservedHeader,
            format!(
                "do not pass the {name} header: the signer adds x-amz-pay-date and authorization itself"
            ),
        ));
    }
    if !(0..=9999).contains(&params.time.to_offset(time::UtcOffset::UTC).year()) {
        return Err(SigningError::new(
            SigningErrorKind::InvalidTime,
            "the signing time must be between the years 0 and 9999".into(),
        ));
    }

    let algorithm = params.algorithm;
    let date = format_amz_date(params.time);
    let headers = CanonicalHeaders::new(
        request
            .headers
            .iter()
            .copied()
            .chain([(X_AMZ_PAY_DATE, date.as_str())]),
    )
    .map_err(|e| SigningError::new(SigningErrorKind::InvalidHeader, e.to_string()))?;
    let canonical = CanonicalRequest::new(
        request.method,
        &request.uri,
        &request.canonical_query(),
        &headers,
        request.body,
    );
    let string_to_sign = canonical.string_to_sign(algorithm);
    let signature = params
        .private_key
        .sign_message(algorithm, string_to_sign.as_bytes())
        .map_err(SigningError::crypto)?;
    let header =
        AuthorizationHeader::new(algorithm, params.public_key_id, headers.names(), signature)
            .map_err(|e| SigningError::new(SigningErrorKind::InvalidPublicKeyId, e.to_string()))?;
    let authorization = header.to_string();
    let diagnostics = Diagnostics::new(
        canonical,
        string_to_sign,
        header,
        Some(authorization.clone()),
    );
    Ok(SigningOutput {
        headers: vec![
            (X_AMZ_PAY_DATE.to_owned(), date),
            (AUTHORIZATION.to_owned(), authorization),
        ],
        diagnostics,
    })
}

/// What kind of problem a [`SigningError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SigningErrorKind {
    /// The method is not an HTTP token.
    InvalidMethod,
    /// A header name is not an HTTP token, or a value contains a control character.
    InvalidHeader,
    /// The caller passed `x-amz-pay-date` or `authorization`, which the signer makes.
    ReservedHeader,
    /// The public key id is empty or contains whitespace, `,`, `;` or `=`.
    InvalidPublicKeyId,
    /// The time cannot be written as `yyyyMMddTHHmmssZ`.
    InvalidTime,
    /// The crypto library failed.
    Crypto,
}

/// A request that cannot be signed.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SigningError {
    kind: SigningErrorKind,
    message: String,
    #[source]
    source: Option<BackendError>,
}

impl SigningError {
    fn new(kind: SigningErrorKind, message: String) -> Self {
        SigningError {
            kind,
            message,
            source: None,
        }
    }

    pub(crate) fn crypto(source: BackendError) -> Self {
        SigningError {
            kind: SigningErrorKind::Crypto,
            message: "RSA-PSS signing failed".into(),
            source: Some(source),
        }
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> SigningErrorKind {
        self.kind
    }
}
