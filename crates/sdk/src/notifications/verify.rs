//! [`Verifier`]: the certificate URL policy, the timestamp window, the certificate checks and the
//! RSA signature check; and, with the `reqwest` feature, downloading and caching certificates.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use rsa::signature::Verifier as _;
use time::OffsetDateTime;
use x509_cert::Certificate;

use super::certificate::{SigningCertificate, parse_pem};
use super::envelope::{Envelope, MessageType};
use super::error::{BuildVerifierError, VerifyError, VerifyErrorKind};
use super::message::Notification;

/// The default [`VerifierBuilder::max_age`]: one hour.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(60 * 60);
/// The default [`VerifierBuilder::max_clock_skew`]: five minutes.
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);
/// The default [`VerifierBuilder::cache_capacity`].
pub const DEFAULT_CACHE_CAPACITY: usize = 32;
/// The default [`VerifierBuilder::fetch_timeout`].
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// A notification that verified: the envelope, and the Amazon Pay notification in it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Verified {
    /// The SNS envelope (use [`Envelope::message_id`] to drop redeliveries).
    pub envelope: Envelope,
    /// The Amazon Pay notification from the envelope's `Message`.
    pub notification: Notification,
}

/// A host trusted besides Amazon SNS's, with the CA its HTTPS server's certificate chains to.
#[derive(Debug, Clone)]
pub(crate) struct ExtraHost {
    /// `host` or `host:port`, normalized as the `url` crate renders a URL's authority (lower
    /// case, no default port).
    pub(crate) authority: String,
    /// The CA's PEM, when one was given.
    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
    pub(crate) ca_pem: Option<Vec<u8>>,
}

/// The settings of a [`Verifier`].
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) extra_hosts: Vec<ExtraHost>,
    pub(crate) max_age: Duration,
    pub(crate) max_clock_skew: Duration,
    pub(crate) check_validity: bool,
    /// The CAs that must have issued a certificate from an extra host; empty: no check.
    pub(crate) issuer_cas: Vec<Certificate>,
    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
    pub(crate) cache_capacity: usize,
    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
    pub(crate) fetch_timeout: Duration,
}

/// Builds a [`Verifier`]. Every setting has a default that is right for Amazon Pay itself.
#[derive(Debug, Clone)]
pub struct VerifierBuilder {
    extra_hosts: Vec<(String, Option<Vec<u8>>)>,
    max_age: Duration,
    max_clock_skew: Duration,
    check_validity: bool,
    issuer_cas: Vec<Vec<u8>>,
    cache_capacity: usize,
    fetch_timeout: Duration,
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        VerifierBuilder {
            extra_hosts: Vec::new(),
            max_age: DEFAULT_MAX_AGE,
            max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
            check_validity: true,
            issuer_cas: Vec::new(),
            cache_capacity: DEFAULT_CACHE_CAPACITY,
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
        }
    }
}

impl VerifierBuilder {
    /// Trusts certificate URLs on `host` (exactly this host, with its port if it is not 443,
    /// e.g. `127.0.0.1:8443`) besides Amazon SNS's, fetched with the usual public roots.
    pub fn trust_host(mut self, host: impl Into<String>) -> Self {
        self.extra_hosts.push((host.into(), None));
        self
    }

    /// Trusts certificate URLs on `host` (exactly this host, with its port if it is not 443,
    /// e.g. `127.0.0.1:8443`) besides Amazon SNS's, and trusts the CA certificates of `ca_pem`
    /// for HTTPS to that host only. This is how a receiver trusts the amzpay emulator: its host
    /// and its `.amzpay/tls/ca.pem`.
    ///
    /// The CA is never used for Amazon's hosts, so a leaked development CA key cannot
    /// impersonate Amazon SNS. To also require that the signing certificates this host serves
    /// come from a known CA, see [`require_issuer`](Self::require_issuer).
    pub fn trust_host_with_ca(mut self, host: impl Into<String>, ca_pem: impl AsRef<[u8]>) -> Self {
        self.extra_hosts
            .push((host.into(), Some(ca_pem.as_ref().to_vec())));
        self
    }

    /// How old a `Timestamp` may be (default [`DEFAULT_MAX_AGE`], one hour). Older messages are
    /// refused as replays ([`VerifyErrorKind::TooOld`]).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// How far in the future a `Timestamp` may be, for clocks that disagree (default
    /// [`DEFAULT_MAX_CLOCK_SKEW`], five minutes).
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_clock_skew = skew;
        self
    }

    /// Whether the signing certificate (and, with [`require_issuer`](Self::require_issuer), its CA)
    /// must be within its validity period (default on).
    pub fn check_validity(mut self, on: bool) -> Self {
        self.check_validity = on;
        self
    }

    /// Requires the signing certificates served by the extra trusted hosts to be issued by a CA
    /// of `ca_pem` (off by default; may be called again to add CAs). The check is one level
    /// deep, which is what the emulator serves: the CA's own key signed the certificate. For the
    /// emulator this is its SNS CA, served at `{public URL}/__sns/ca.pem`, which is not the CA of
    /// its TLS certificate. Certificates from Amazon's hosts are trusted because they were
    /// fetched over HTTPS from Amazon, as the AWS SDKs do.
    pub fn require_issuer(mut self, ca_pem: impl AsRef<[u8]>) -> Self {
        self.issuer_cas.push(ca_pem.as_ref().to_vec());
        self
    }

    /// How many certificates the verifier keeps, by URL (default
    /// [`DEFAULT_CACHE_CAPACITY`]); the oldest is dropped first. Amazon SNS changes the URL when
    /// it changes the certificate, so entries need no expiry.
    pub fn cache_capacity(mut self, capacity: usize) -> Self {
        self.cache_capacity = capacity.max(1);
        self
    }

    /// How long one certificate download may take (default [`DEFAULT_FETCH_TIMEOUT`]).
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// Checks the settings and builds the verifier (with the `reqwest` feature, its HTTPS
    /// clients too).
    pub fn build(self) -> Result<Verifier, BuildVerifierError> {
        let mut extra_hosts = Vec::new();
        for (host, ca_pem) in self.extra_hosts {
            let authority = normalize_authority(&host)?;
            if let Some(pem) = &ca_pem {
                parse_cas(pem, &format!("the CA for {host}"))?;
            }
            extra_hosts.push(ExtraHost { authority, ca_pem });
        }
        let mut issuer_cas = Vec::new();
        for pem in &self.issuer_cas {
            issuer_cas.extend(parse_cas(pem, "the issuer CA")?);
        }
        let policy = Policy {
            extra_hosts,
            max_age: self.max_age,
            max_clock_skew: self.max_clock_skew,
            check_validity: self.check_validity,
            issuer_cas,
            cache_capacity: self.cache_capacity,
            fetch_timeout: self.fetch_timeout,
        };
        Ok(Verifier {
            #[cfg(feature = "reqwest")]
            fetcher: Arc::new(super::fetch::Fetcher::new(&policy)?),
            policy: Arc::new(policy),
        })
    }
}

/// The certificates of a CA PEM document; at least one.
fn parse_cas(pem: &[u8], what: &str) -> Result<Vec<Certificate>, BuildVerifierError> {
    let cas =
        parse_pem(pem).map_err(|e| BuildVerifierError::new(format!("{what} is not PEM: {e}")))?;
    if cas.is_empty() {
        return Err(BuildVerifierError::new(format!(
            "{what} holds no certificate"
        )));
    }
    Ok(cas)
}

/// Turns `host` or `host:port` into the form a parsed URL's authority takes, so that the
/// comparison is exact.
fn normalize_authority(host: &str) -> Result<String, BuildVerifierError> {
    let bad = || {
        BuildVerifierError::new(format!(
            "{host:?} is not a host or host:port (no scheme, no path)"
        ))
    };
    if host.is_empty() || host.contains(['/', '@', '?', '#']) {
        return Err(bad());
    }
    let url = url::Url::parse(&format!("https://{host}/")).map_err(|_| bad())?;
    authority(&url).ok_or_else(bad)
}

/// A URL's `host[:port]`, the port only when it is not the scheme's default.
fn authority(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// Whether `host` is an Amazon SNS host: `sns.<region>.amazonaws.com` or
/// `sns.<region>.amazonaws.com.cn`, the region at least three letters, digits or dashes. This is
/// the pattern the official validators (Node.js, PHP) apply.
pub(crate) fn is_amazon_sns_host(host: &str) -> bool {
    let Some(rest) = host.strip_prefix("sns.") else {
        return false;
    };
    let region = rest
        .strip_suffix(".amazonaws.com")
        .or_else(|| rest.strip_suffix(".amazonaws.com.cn"));
    region
        .is_some_and(|r| r.len() >= 3 && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Verifies Amazon Pay notifications: parses the SNS envelope, checks where its certificate
/// comes from, how old it is and its signature, and parses the Amazon Pay message.
///
/// Build one per process and share it (it is cheap to clone, and clones share the certificate
/// cache). See the [module documentation](super) for a receiver.
#[derive(Debug, Clone)]
pub struct Verifier {
    policy: Arc<Policy>,
    #[cfg(feature = "reqwest")]
    fetcher: Arc<super::fetch::Fetcher>,
}

impl Verifier {
    /// A builder with the defaults: Amazon SNS hosts only, one hour of maximum age, validity
    /// checked.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// Checks a `SigningCertURL` against the policy, before anything is downloaded: `https`, no
    /// credentials, a path ending with `.pem`, and an Amazon SNS host or a trusted one.
    pub fn check_cert_url(&self, url: &str) -> Result<(), VerifyError> {
        self.trusted_host(url).map(|_| ())
    }

    /// The extra host a certificate URL is on (`None` for an Amazon SNS host), or why the URL
    /// is refused.
    pub(crate) fn trusted_host(&self, url: &str) -> Result<Option<&ExtraHost>, VerifyError> {
        let parsed = url::Url::parse(url).map_err(|e| {
            VerifyError::new(
                VerifyErrorKind::InvalidCertUrl,
                format!("SigningCertURL {url:?} is not a URL"),
            )
            .with_source(e)
        })?;
        if parsed.scheme() != "https" {
            return Err(VerifyError::new(
                VerifyErrorKind::InsecureCertUrl,
                format!("SigningCertURL {url:?} is not https"),
            ));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(VerifyError::new(
                VerifyErrorKind::InvalidCertUrl,
                "SigningCertURL carries credentials",
            ));
        }
        if !parsed.path().ends_with(".pem") {
            return Err(VerifyError::new(
                VerifyErrorKind::InvalidCertUrl,
                format!("SigningCertURL {url:?} does not name a .pem file"),
            ));
        }
        let authority = authority(&parsed).unwrap_or_default();
        if let Some(extra) = self
            .policy
            .extra_hosts
            .iter()
            .find(|h| h.authority == authority)
        {
            return Ok(Some(extra));
        }
        // Amazon's hosts are matched without a port: SNS serves certificates on 443 only.
        if parsed.port().is_none() && is_amazon_sns_host(parsed.host_str().unwrap_or_default()) {
            return Ok(None);
        }
        Err(VerifyError::new(
            VerifyErrorKind::UntrustedCertHost,
            format!(
                "SigningCertURL host {authority:?} is not an Amazon SNS host (sns.<region>.amazonaws.com) \
                 nor a trusted one"
            ),
        ))
    }

    /// Verifies a parsed envelope with a certificate you obtained yourself (from
    /// [`Envelope::signing_cert_url`], after [`check_cert_url`](Self::check_cert_url)), at the
    /// time `now`: the URL policy, the timestamp window, the certificate's validity (and
    /// issuer, when configured), the `SignatureVersion` and the signature.
    ///
    /// Synchronous and free of I/O: this is the whole check but the download.
    pub fn verify_with_certificate(
        &self,
        envelope: &Envelope,
        certificate: &SigningCertificate,
        now: OffsetDateTime,
    ) -> Result<(), VerifyError> {
        let host = self.trusted_host(envelope.signing_cert_url())?;
        self.check_before_fetch(envelope, now)?;
        self.check_certificate(host, certificate, now)?;
        check_signature(envelope, certificate)
    }

    /// The checks that need no certificate: the type, the signature version and the timestamp
    /// window. They run before a download, so a replayed or malformed message costs no request.
    pub(crate) fn check_before_fetch(
        &self,
        envelope: &Envelope,
        now: OffsetDateTime,
    ) -> Result<(), VerifyError> {
        if let MessageType::Unknown(other) = envelope.message_type() {
            return Err(VerifyError::new(
                VerifyErrorKind::UnsupportedMessageType,
                format!("the SNS message Type {other:?} is not one whose signature can be checked"),
            ));
        }
        signature_digest(envelope.signature_version())?;
        let timestamp = envelope.timestamp();
        if timestamp > now + self.policy.max_clock_skew {
            return Err(VerifyError::new(
                VerifyErrorKind::TimestampInFuture,
                format!(
                    "the message's Timestamp {} is ahead of this clock ({now}) by more than {:?}",
                    envelope.timestamp_text(),
                    self.policy.max_clock_skew
                ),
            ));
        }
        if now - timestamp > self.policy.max_age {
            return Err(VerifyError::new(
                VerifyErrorKind::TooOld,
                format!(
                    "the message's Timestamp {} is older than the maximum age {:?}",
                    envelope.timestamp_text(),
                    self.policy.max_age
                ),
            ));
        }
        Ok(())
    }

    /// The certificate checks: validity, and the issuer of a certificate from an extra host.
    pub(crate) fn check_certificate(
        &self,
        host: Option<&ExtraHost>,
        certificate: &SigningCertificate,
        now: OffsetDateTime,
    ) -> Result<(), VerifyError> {
        if self.policy.check_validity {
            certificate.check_validity(now)?;
        }
        if host.is_some() && !self.policy.issuer_cas.is_empty() {
            certificate.check_issued_by(
                &self.policy.issuer_cas,
                self.policy.check_validity.then_some(now),
            )?;
        }
        Ok(())
    }
}

#[cfg(feature = "reqwest")]
impl Verifier {
    /// A verifier with the defaults (see [`builder`](Self::builder)).
    pub fn new() -> Result<Verifier, BuildVerifierError> {
        Verifier::builder().build()
    }

    /// Verifies the body of a notification POST and returns the Amazon Pay notification in it:
    /// parses the envelope, checks the certificate URL and the timestamp, downloads the
    /// certificate (or takes it from the cache), checks it and the signature, and parses the
    /// message. An envelope whose `Type` is not `Notification` is refused with
    /// [`VerifyErrorKind::UnsupportedMessageType`] (see [`verify_envelope`](Self::verify_envelope)).
    pub async fn verify(&self, body: &str) -> Result<Verified, VerifyError> {
        let envelope = Envelope::parse(body)?;
        if envelope.message_type() != &MessageType::Notification {
            return Err(VerifyError::new(
                VerifyErrorKind::UnsupportedMessageType,
                format!(
                    "the SNS message is a {}, not a Notification",
                    envelope.message_type()
                ),
            ));
        }
        let envelope = self.verify_parsed(envelope).await?;
        let notification = envelope.notification()?;
        Ok(Verified {
            envelope,
            notification,
        })
    }

    /// Verifies an SNS message of any known `Type` (`Notification`, `SubscriptionConfirmation`,
    /// `UnsubscribeConfirmation`) and returns its envelope.
    pub async fn verify_envelope(&self, body: &str) -> Result<Envelope, VerifyError> {
        self.verify_parsed(Envelope::parse(body)?).await
    }

    async fn verify_parsed(&self, envelope: Envelope) -> Result<Envelope, VerifyError> {
        let now = OffsetDateTime::now_utc();
        let url = envelope.signing_cert_url();
        let host = self.trusted_host(url)?;
        self.check_before_fetch(&envelope, now)?;
        let (certificate, cached) = self.fetcher.get(url, host).await?;
        let first = self
            .check_certificate(host, &certificate, now)
            .and_then(|()| check_signature(&envelope, &certificate));
        match first {
            // A certificate can change behind a URL (an emulator given a new data directory):
            // a cached one that fails is downloaded once more before the message is refused.
            Err(error) if cached && self.fetcher.may_refresh(url) => {
                tracing::debug!(error = %error, url, "cached certificate failed; downloading it again");
                let certificate = self.fetcher.refresh(url, host).await?;
                self.check_certificate(host, &certificate, now)?;
                check_signature(&envelope, &certificate)?;
            }
            other => other?,
        }
        Ok(envelope)
    }
}

/// The digest of a `SignatureVersion`.
#[derive(Debug, Clone, Copy)]
enum Digest {
    Sha1,
    Sha256,
}

fn signature_digest(version: &str) -> Result<Digest, VerifyError> {
    match version {
        "1" => Ok(Digest::Sha1),
        "2" => Ok(Digest::Sha256),
        other => Err(VerifyError::new(
            VerifyErrorKind::UnsupportedSignatureVersion,
            format!("SignatureVersion {other:?} is not supported (1 and 2 are)"),
        )),
    }
}

/// Checks the envelope's signature with the certificate's key: RSASSA-PKCS1-v1_5 with SHA-1
/// (version 1) or SHA-256 (version 2) over [`Envelope::string_to_sign`].
fn check_signature(
    envelope: &Envelope,
    certificate: &SigningCertificate,
) -> Result<(), VerifyError> {
    let digest = signature_digest(envelope.signature_version())?;
    let text = envelope.string_to_sign().ok_or_else(|| {
        VerifyError::new(
            VerifyErrorKind::UnsupportedMessageType,
            format!(
                "the SNS message Type {:?} is not one whose signature can be checked",
                envelope.message_type().as_str()
            ),
        )
    })?;
    let bad = || {
        VerifyError::new(
            VerifyErrorKind::BadSignature,
            "the signature does not match the message and the signing certificate",
        )
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(envelope.signature().trim())
        .map_err(|e| bad().with_source(e))?;
    let signature =
        rsa::pkcs1v15::Signature::try_from(bytes.as_slice()).map_err(|e| bad().with_source(e))?;
    let key = certificate.key().clone();
    let result = match digest {
        Digest::Sha1 => {
            rsa::pkcs1v15::VerifyingKey::<sha1::Sha1>::new(key).verify(text.as_bytes(), &signature)
        }
        Digest::Sha256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key)
            .verify(text.as_bytes(), &signature),
    };
    result.map_err(|e| bad().with_source(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_sns_hosts_match_the_official_pattern_and_lookalikes_do_not() {
        for host in [
            "sns.us-east-1.amazonaws.com",
            "sns.eu-west-1.amazonaws.com",
            "sns.cn-north-1.amazonaws.com.cn",
            "sns.us-gov-west-1.amazonaws.com",
        ] {
            assert!(is_amazon_sns_host(host), "{host}");
        }
        for host in [
            "sns.amazonaws.com",
            "sns.ab.amazonaws.com",
            "evil.sns.us-east-1.amazonaws.com",
            "sns.us-east-1.amazonaws.com.evil.example",
            "sns.us_east.amazonaws.com",
            "s3.us-east-1.amazonaws.com",
            "sns.us-east-1.amazonaws.co",
        ] {
            assert!(!is_amazon_sns_host(host), "{host}");
        }
    }

    #[test]
    fn a_trusted_host_is_normalized_to_what_a_url_reports() {
        assert_eq!(
            normalize_authority("127.0.0.1:8443").unwrap(),
            "127.0.0.1:8443"
        );
        assert_eq!(
            normalize_authority("Emulator.Test:443").unwrap(),
            "emulator.test"
        );
        assert!(normalize_authority("https://x.test").is_err());
        assert!(normalize_authority("x.test/path").is_err());
        assert!(normalize_authority("").is_err());
    }
}
