//! The errors of the notifications module: [`ParseError`] for a body that is not what it should
//! be, [`VerifyError`] (with its [`VerifyErrorKind`]) for everything verification can refuse, and
//! [`BuildVerifierError`] for a [`Verifier`](super::Verifier) that cannot be built.
//!
//! [`VerifyError`] is one opaque struct with a kind to match on, in the manner of
//! `std::io::Error`: a receiver mostly decides between "answer 5xx so that the message comes
//! again" ([`VerifyError::is_transient`]) and "refuse it", and the kind says why for the log.

use std::fmt;

/// Which part of a notification did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParsePart {
    /// The HTTP body, an SNS envelope.
    Envelope,
    /// The envelope's `Message` string, an Amazon Pay notification.
    Message,
    /// The envelope's `Timestamp`.
    Timestamp,
}

/// The body of a notification (the SNS envelope, or the Amazon Pay message inside it) is not
/// what it should be: not JSON, a required field missing or of the wrong type, or a `Timestamp`
/// that is not ISO 8601.
#[derive(Debug)]
pub struct ParseError {
    part: ParsePart,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl ParseError {
    pub(crate) fn new(
        part: ParsePart,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> ParseError {
        ParseError {
            part,
            source: source.into(),
        }
    }

    /// Whether the SNS envelope parsed and only the Amazon Pay message inside it did not.
    pub fn is_in_message(&self) -> bool {
        self.part == ParsePart::Message
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.part {
            ParsePart::Envelope => "the body is not an SNS message envelope",
            ParsePart::Message => "the envelope's Message is not an Amazon Pay notification",
            ParsePart::Timestamp => "the envelope's Timestamp is not an ISO 8601 time",
        })
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// Why a notification was refused. Match on it to choose the HTTP answer and the log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// The body is not an SNS envelope, or its `Message` is not an Amazon Pay notification
    /// (the source is a [`ParseError`]).
    Unparseable,
    /// The envelope's `Type` is not one whose string to sign is known, or (for
    /// [`Verifier::verify`](super::Verifier::verify)) not `Notification`.
    UnsupportedMessageType,
    /// `SignatureVersion` is neither `1` (SHA1withRSA) nor `2` (SHA256withRSA).
    UnsupportedSignatureVersion,
    /// `SigningCertURL` is not an `https` URL.
    InsecureCertUrl,
    /// `SigningCertURL` is not a URL, carries credentials, or its path does not end with `.pem`.
    InvalidCertUrl,
    /// `SigningCertURL`'s host is neither Amazon SNS's nor one the verifier was told to trust.
    UntrustedCertHost,
    /// The certificate could not be downloaded (connection, TLS, status other than 200, too
    /// large). The only transient kind: a later attempt may succeed.
    CertificateFetch,
    /// The downloaded or given certificate is not an X.509 PEM certificate with an RSA key.
    InvalidCertificate,
    /// The certificate from an extra trusted host is not signed by a CA given to
    /// [`VerifierBuilder::require_issuer`](super::VerifierBuilder::require_issuer).
    CertificateNotTrusted,
    /// The certificate (or its issuer) is not within its validity period now.
    CertificateExpired,
    /// The signature does not match the message: tampered, or signed with another key.
    BadSignature,
    /// `Timestamp` is older than the verifier's maximum age.
    TooOld,
    /// `Timestamp` is further in the future than the verifier's clock-skew allowance.
    TimestampInFuture,
}

impl VerifyErrorKind {
    /// A short stable name, for logs and metrics (`"bad_signature"`, `"too_old"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            VerifyErrorKind::Unparseable => "unparseable",
            VerifyErrorKind::UnsupportedMessageType => "unsupported_message_type",
            VerifyErrorKind::UnsupportedSignatureVersion => "unsupported_signature_version",
            VerifyErrorKind::InsecureCertUrl => "insecure_cert_url",
            VerifyErrorKind::InvalidCertUrl => "invalid_cert_url",
            VerifyErrorKind::UntrustedCertHost => "untrusted_cert_host",
            VerifyErrorKind::CertificateFetch => "certificate_fetch",
            VerifyErrorKind::InvalidCertificate => "invalid_certificate",
            VerifyErrorKind::CertificateNotTrusted => "certificate_not_trusted",
            VerifyErrorKind::CertificateExpired => "certificate_expired",
            VerifyErrorKind::BadSignature => "bad_signature",
            VerifyErrorKind::TooOld => "too_old",
            VerifyErrorKind::TimestampInFuture => "timestamp_in_future",
        }
    }
}

impl fmt::Display for VerifyErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A notification that must not be trusted, and why ([`kind`](Self::kind)).
///
/// `Display` says what was wrong without repeating the source; third-party errors (the JSON
/// parser's, the HTTP client's, the certificate parser's) are reachable through
/// [`source`](std::error::Error::source) only.
#[derive(Debug)]
pub struct VerifyError {
    kind: VerifyErrorKind,
    detail: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl VerifyError {
    pub(crate) fn new(kind: VerifyErrorKind, detail: impl Into<String>) -> VerifyError {
        VerifyError {
            kind,
            detail: detail.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> VerifyError {
        self.source = Some(source.into());
        self
    }

    /// Why the notification was refused.
    pub fn kind(&self) -> VerifyErrorKind {
        self.kind
    }

    /// Whether the same message may verify later: only a failed certificate download. A
    /// receiver answers 5xx for a transient error (Amazon SNS delivers the message again) and
    /// 4xx otherwise.
    pub fn is_transient(&self) -> bool {
        self.kind == VerifyErrorKind::CertificateFetch
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for VerifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<ParseError> for VerifyError {
    fn from(error: ParseError) -> VerifyError {
        VerifyError::new(VerifyErrorKind::Unparseable, error.to_string()).with_source(error)
    }
}

/// A [`Verifier`](super::Verifier) could not be built: a trusted host that is not a host, a CA
/// file without a certificate, or an HTTP client the TLS backend refused.
#[derive(Debug)]
pub struct BuildVerifierError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl BuildVerifierError {
    pub(crate) fn new(message: impl Into<String>) -> BuildVerifierError {
        BuildVerifierError {
            message: message.into(),
            source: None,
        }
    }

    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> BuildVerifierError {
        self.source = Some(source.into());
        self
    }
}

impl fmt::Display for BuildVerifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot build the notification verifier: {}",
            self.message
        )
    }
}

impl std::error::Error for BuildVerifierError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
