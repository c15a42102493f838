//! The server side: verifying a received request (spec §6.5, design §4 "Authentication").
//!
//! ```
//! use amzpay_signing::{ReceivedRequest, VerifyError, verify};
//! # fn lookup(_: &str) -> Option<amzpay_signing::PublicKey> { None }
//! fn authenticate(request: &ReceivedRequest<'_>) -> Result<(), String> {
//!     let header = request.authorization().map_err(|e| e.to_string())?;
//!     let key = lookup(header.public_key_id()).ok_or("unknown public key id")?;
//!     match verify(request, &header, &key) {
//!         Ok(verified) => {
//!             // Check the clock skew here, with `verified.date()`.
//!             Ok(())
//!         }
//!         Err(VerifyError::BadSignature(bad)) => Err(format!("bad signature; we signed:\n{}", bad.diagnostics())),
//!         Err(other) => Err(other.to_string()),
//!     }
//! }
//! ```

use std::borrow::Cow;

use time::OffsetDateTime;

use crate::algorithm::{Algorithm, UnknownAlgorithmError};
use crate::authorization::{AuthorizationHeader, ParseAuthorizationError};
use crate::canonical::{
    CanonicalHeaders, CanonicalQuery, CanonicalRequest, CanonicalUri, ValueForm,
};
use crate::date::{DateParseError, parse_amz_date};
use crate::diagnostics::Diagnostics;
use crate::key::PublicKey;
use crate::sign::{AUTHORIZATION, X_AMZ_PAY_DATE};

/// The host header every signature must cover.
pub const X_AMZ_PAY_HOST: &str = "x-amz-pay-host";

/// Headers that must be among the declared `SignedHeaders` (design §4).
pub const REQUIRED_SIGNED_HEADERS: [&str; 2] = [X_AMZ_PAY_DATE, X_AMZ_PAY_HOST];

/// A received request as raw parts: method, path and query exactly as on the request line, every
/// header as received (any case, repeats allowed), and the raw body bytes.
#[derive(Debug, Clone)]
pub struct ReceivedRequest<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    headers: Vec<(&'a str, &'a [u8])>,
    body: &'a [u8],
}

impl<'a> ReceivedRequest<'a> {
    /// A request with the raw path (without the query) and no query, headers or body yet.
    pub fn new(method: &'a str, path: &'a str) -> Self {
        ReceivedRequest {
            method,
            path,
            query: None,
            headers: Vec::new(),
            body: &[],
        }
    }

    /// A request from the raw request target (`/v2/x?a=b`), split at the first `?`.
    pub fn from_target(method: &'a str, target: &'a str) -> Self {
        match target.split_once('?') {
            Some((path, query)) => Self::new(method, path).query(Some(query)),
            None => Self::new(method, target),
        }
    }

    /// Sets the raw query string (after `?`, without it), as received.
    pub fn query(mut self, raw: Option<&'a str>) -> Self {
        self.query = raw;
        self
    }

    /// Adds a received header. Values are bytes (`&str` and `http::HeaderValue` both work); a
    /// value that is not UTF-8 is read lossily and will simply not verify.
    pub fn header<V: AsRef<[u8]> + ?Sized>(mut self, name: &'a str, value: &'a V) -> Self {
        self.headers.push((name, value.as_ref()));
        self
    }

    /// Adds received headers.
    pub fn headers<V: AsRef<[u8]> + ?Sized + 'a>(
        mut self,
        headers: impl IntoIterator<Item = (&'a str, &'a V)>,
    ) -> Self {
        self.headers.extend(
            headers
                .into_iter()
                .map(|(name, value)| (name, value.as_ref())),
        );
        self
    }

    /// Sets the raw body bytes.
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// The values of a header, in the order received.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// Finds and parses the `authorization` header.
    pub fn authorization(&self) -> Result<AuthorizationHeader, VerifyError> {
        let mut values = self.header_values(AUTHORIZATION);
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(VerifyError::MissingAuthorization(MissingAuthorization {
                repeated: self.header_values(AUTHORIZATION).count() > 1,
            }));
        };
        Ok(String::from_utf8_lossy(value).parse::<AuthorizationHeader>()?)
    }
}

/// A request whose signature verified.
#[derive(Debug, Clone)]
pub struct Verified {
    date: OffsetDateTime,
    diagnostics: Diagnostics,
}

impl Verified {
    /// The parsed `x-amz-pay-date` (UTC). The caller checks it against its clock: this crate has no
    /// clock.
    pub fn date(&self) -> OffsetDateTime {
        self.date
    }

    /// The algorithm of the signature.
    pub fn algorithm(&self) -> Algorithm {
        self.diagnostics.algorithm()
    }

    /// What was verified.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }
}

/// Verifies a received request against its parsed `authorization` header and the public key
/// registered for its `PublicKeyId`.
///
/// The canonical request is rebuilt from the raw method, the path exactly as received, the raw
/// query (decoded then re-encoded canonically), the headers the client declared in
/// `SignedHeaders` (values trimmed and internal whitespace collapsed; repeated headers joined
/// with `,`) and the raw body. `x-amz-pay-date` and `x-amz-pay-host` must be declared. The
/// signature must match the declared algorithm's salt length exactly.
///
/// The Node.js and PHP SDKs sign header values without collapsing internal whitespace; when a
/// signed value contains such whitespace and the collapsed form does not verify, that form is
/// tried as well.
///
/// The date is parsed but not compared with any clock: check [`Verified::date`] against your own
/// window.
pub fn verify(
    request: &ReceivedRequest<'_>,
    authorization: &AuthorizationHeader,
    key: &PublicKey,
) -> Result<Verified, VerifyError> {
    if let Some(name) = REQUIRED_SIGNED_HEADERS
        .into_iter()
        .find(|name| !authorization.is_signed(name))
    {
        return Err(VerifyError::RequiredHeaderNotSigned(
            RequiredHeaderNotSigned { name },
        ));
    }
    let mut signed: Vec<(&str, Cow<'_, str>)> =
        Vec::with_capacity(authorization.signed_headers().len());
    for name in authorization.signed_headers() {
        let before = signed.len();
        signed.extend(
            request
                .header_values(name)
                .map(|value| (name.as_str(), String::from_utf8_lossy(value))),
        );
        if signed.len() == before {
            return Err(VerifyError::MissingSignedHeader(MissingSignedHeader {
                name: name.clone(),
            }));
        }
    }
    let needs_trimmed_form = signed
        .iter()
        .any(|(_, value)| has_inner_whitespace_run(value));
    let trimmed_pairs = needs_trimmed_form.then(|| signed.clone());
    let collapsed = CanonicalHeaders::from_lowercase(signed, ValueForm::Collapsed);

    let date_value = collapsed.get(X_AMZ_PAY_DATE).unwrap_or_default();
    let date = parse_amz_date(date_value)
        .map_err(|source| VerifyError::InvalidDate(InvalidDate { source }))?;

    let uri = CanonicalUri::verbatim(request.path);
    let query = request
        .query
        .map_or_else(CanonicalQuery::empty, CanonicalQuery::from_raw);
    let algorithm = authorization.algorithm();
    let attempt = |headers: &CanonicalHeaders| {
        let canonical = CanonicalRequest::new(request.method, &uri, &query, headers, request.body);
        let string_to_sign = canonical.string_to_sign(algorithm);
        let valid = key.verify_message(
            algorithm,
            string_to_sign.as_bytes(),
            authorization.signature(),
        );
        (
            valid,
            Diagnostics::new(canonical, string_to_sign, authorization.clone(), None),
        )
    };

    let (valid, diagnostics) = attempt(&collapsed);
    if valid {
        return Ok(Verified { date, diagnostics });
    }
    if let Some(pairs) = trimmed_pairs {
        let (valid, trimmed_diagnostics) =
            attempt(&CanonicalHeaders::from_lowercase(pairs, ValueForm::Trimmed));
        if valid {
            return Ok(Verified {
                date,
                diagnostics: trimmed_diagnostics,
            });
        }
    }
    Err(VerifyError::BadSignature(BadSignature {
        diagnostics: Box::new(diagnostics),
    }))
}

/// Whether trimming alone and collapsing would give different values.
fn has_inner_whitespace_run(value: &str) -> bool {
    let value = value.trim_matches([' ', '\t']);
    value.contains('\t') || value.contains("  ")
}

/// Why a request did not verify.
///
/// Every variant maps to Amazon's 403 `InvalidRequestSignature`, except perhaps
/// [`MissingAuthorization`](VerifyError::MissingAuthorization), which a server may treat as an
/// unauthenticated request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// There is no `authorization` header (or there are several).
    #[error(transparent)]
    MissingAuthorization(MissingAuthorization),
    /// The `authorization` header names an algorithm we do not know.
    #[error(transparent)]
    UnknownAlgorithm(UnknownAlgorithmError),
    /// The `authorization` header is not `<ALG> PublicKeyId=.., SignedHeaders=.., Signature=..`.
    #[error(transparent)]
    MalformedAuthorization(ParseAuthorizationError),
    /// A header declared in `SignedHeaders` is not in the request.
    #[error(transparent)]
    MissingSignedHeader(MissingSignedHeader),
    /// `x-amz-pay-date` or `x-amz-pay-host` is not declared in `SignedHeaders`.
    #[error(transparent)]
    RequiredHeaderNotSigned(RequiredHeaderNotSigned),
    /// `x-amz-pay-date` is not a date in either accepted form.
    #[error(transparent)]
    InvalidDate(InvalidDate),
    /// The signature does not match the request as we canonicalized it.
    #[error(transparent)]
    BadSignature(BadSignature),
}

impl From<ParseAuthorizationError> for VerifyError {
    fn from(err: ParseAuthorizationError) -> Self {
        match err.into_unknown_algorithm() {
            Ok(unknown) => VerifyError::UnknownAlgorithm(unknown),
            Err(malformed) => VerifyError::MalformedAuthorization(malformed),
        }
    }
}

/// See [`VerifyError::MissingAuthorization`].
#[derive(Debug, thiserror::Error)]
#[error("{}", if self.repeated { "the request has more than one authorization header" } else { "the request has no authorization header" })]
pub struct MissingAuthorization {
    repeated: bool,
}

impl MissingAuthorization {
    /// Whether the header was there more than once (rather than absent).
    pub fn is_repeated(&self) -> bool {
        self.repeated
    }
}

/// See [`VerifyError::MissingSignedHeader`].
#[derive(Debug, thiserror::Error)]
#[error("the header {name:?} is listed in SignedHeaders but is not in the request")]
pub struct MissingSignedHeader {
    name: String,
}

impl MissingSignedHeader {
    /// The missing header's (lower-case) name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// See [`VerifyError::RequiredHeaderNotSigned`].
#[derive(Debug, thiserror::Error)]
#[error("the header {name:?} must be signed but is not listed in SignedHeaders")]
pub struct RequiredHeaderNotSigned {
    name: &'static str,
}

impl RequiredHeaderNotSigned {
    /// The unsigned header's (lower-case) name.
    pub fn name(&self) -> &str {
        self.name
    }
}

/// See [`VerifyError::InvalidDate`].
#[derive(Debug, thiserror::Error)]
#[error("the x-amz-pay-date header is not a valid date")]
pub struct InvalidDate {
    #[source]
    source: DateParseError,
}

impl InvalidDate {
    /// The value received (at most 64 characters of it).
    pub fn value(&self) -> &str {
        self.source.value()
    }
}

/// See [`VerifyError::BadSignature`].
#[derive(Debug, thiserror::Error)]
#[error("the signature does not match the request (algorithm {}, signed headers {})", self.diagnostics.algorithm(), self.diagnostics.signed_headers())]
pub struct BadSignature {
    diagnostics: Box<Diagnostics>,
}

impl BadSignature {
    /// The canonical request and string to sign the server computed, to compare with the client's.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }
}
