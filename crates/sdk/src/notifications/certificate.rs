//! X.509 certificates: the signing certificate's RSA key and validity, and the optional check
//! that a certificate was issued by a configured CA.
//!
//! Only what verification needs is parsed; no type of the X.509 or RSA crates is public.

use std::time::Duration;

use rsa::pkcs1::DecodeRsaPublicKey;
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::der::Encode;
use x509_cert::der::oid::ObjectIdentifier;

use super::error::{VerifyError, VerifyErrorKind};

/// `rsaEncryption`.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey`.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `sha256WithRSAEncryption`.
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `sha384WithRSAEncryption`.
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
/// `sha512WithRSAEncryption`.
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
/// `ecdsa-with-SHA256`.
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// The X.509 certificate served at an envelope's `SigningCertURL`: its RSA public key checks the
/// signature.
///
/// Build one from the PEM you downloaded yourself ([`from_pem`](Self::from_pem)) to verify with
/// [`Verifier::verify_with_certificate`](super::Verifier::verify_with_certificate).
#[derive(Clone)]
pub struct SigningCertificate {
    certificate: Certificate,
    key: rsa::RsaPublicKey,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
}

impl std::fmt::Debug for SigningCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningCertificate")
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

impl SigningCertificate {
    /// Reads the first certificate of a PEM document. An error of kind
    /// [`InvalidCertificate`](VerifyErrorKind::InvalidCertificate) when there is none, it does
    /// not parse, or its key is not RSA.
    pub fn from_pem(pem: &[u8]) -> Result<SigningCertificate, VerifyError> {
        let certificate = parse_pem(pem)?
            .into_iter()
            .next()
            .ok_or_else(|| invalid("the PEM document holds no certificate"))?;
        SigningCertificate::from_parsed(certificate)
    }

    /// Reads a DER-encoded certificate.
    pub fn from_der(der: &[u8]) -> Result<SigningCertificate, VerifyError> {
        let certificate = <Certificate as x509_cert::der::Decode>::from_der(der)
            .map_err(|e| invalid("the certificate is not valid DER").with_source(e))?;
        SigningCertificate::from_parsed(certificate)
    }

    fn from_parsed(certificate: Certificate) -> Result<SigningCertificate, VerifyError> {
        let spki = &certificate.tbs_certificate.subject_public_key_info;
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return Err(invalid(format!(
                "the certificate's key is not RSA (algorithm {})",
                spki.algorithm.oid
            )));
        }
        let key = rsa::RsaPublicKey::from_pkcs1_der(spki.subject_public_key.raw_bytes())
            .map_err(|e| invalid("the certificate's RSA key does not parse").with_source(e))?;
        let validity = &certificate.tbs_certificate.validity;
        let not_before = to_time(validity.not_before.to_unix_duration())?;
        let not_after = to_time(validity.not_after.to_unix_duration())?;
        Ok(SigningCertificate {
            certificate,
            key,
            not_before,
            not_after,
        })
    }

    /// The subject's distinguished name, e.g. `CN=sns.amazonaws.com`.
    pub fn subject(&self) -> String {
        self.certificate.tbs_certificate.subject.to_string()
    }

    /// The issuer's distinguished name.
    pub fn issuer(&self) -> String {
        self.certificate.tbs_certificate.issuer.to_string()
    }

    /// The start of the validity period.
    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    /// The end of the validity period.
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    pub(crate) fn key(&self) -> &rsa::RsaPublicKey {
        &self.key
    }

    /// Whether `now` is within the validity period; an error of kind
    /// [`CertificateExpired`](VerifyErrorKind::CertificateExpired) if not.
    pub(crate) fn check_validity(&self, now: OffsetDateTime) -> Result<(), VerifyError> {
        check_window(&self.certificate, now, "the signing certificate")
    }

    /// Whether one of `cas` issued this certificate: same issuer name as the CA's subject, and
    /// a signature the CA's key verifies. With `now`, the CA must be within its validity too.
    pub(crate) fn check_issued_by(
        &self,
        cas: &[Certificate],
        now: Option<OffsetDateTime>,
    ) -> Result<(), VerifyError> {
        let tbs = self.certificate.tbs_certificate.to_der().map_err(|e| {
            invalid("the certificate cannot be encoded again to check its issuer").with_source(e)
        })?;
        let signature = self.certificate.signature.raw_bytes();
        let algorithm = self.certificate.signature_algorithm.oid;
        let mut last = None;
        for ca in cas
            .iter()
            .filter(|ca| ca.tbs_certificate.subject == self.certificate.tbs_certificate.issuer)
        {
            match verify_issuer_signature(ca, algorithm, &tbs, signature) {
                Ok(()) => {
                    if let Some(now) = now {
                        check_window(ca, now, "the certificate's CA")?;
                    }
                    return Ok(());
                }
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| {
            VerifyError::new(
                VerifyErrorKind::CertificateNotTrusted,
                format!(
                    "the signing certificate's issuer ({}) is not a required issuer CA",
                    self.issuer()
                ),
            )
        }))
    }
}

/// Every certificate of a PEM document (a CA bundle, or a signing certificate); text around the
/// blocks is ignored.
///
/// The blocks are found here rather than with `Certificate::load_pem_chain`, which panics on
/// empty input (x509-cert 0.2.5): a downloaded document must never be able to panic the receiver.
pub(crate) fn parse_pem(pem: &[u8]) -> Result<Vec<Certificate>, VerifyError> {
    use x509_cert::der::DecodePem;

    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let find = |haystack: &[u8], needle: &[u8]| {
        haystack
            .windows(needle.len())
            .position(|window| window == needle)
    };
    let mut certificates = Vec::new();
    let mut rest = pem;
    while let Some(start) = find(rest, BEGIN) {
        let block = &rest[start..];
        let end = find(block, END).ok_or_else(|| invalid("a PEM certificate has no END line"))?
            + END.len();
        let certificate = Certificate::from_pem(&block[..end])
            .map_err(|e| invalid("the PEM document is not a certificate").with_source(e))?;
        certificates.push(certificate);
        rest = &block[end..];
    }
    Ok(certificates)
}

/// Checks the CA's signature over a certificate's to-be-signed bytes.
fn verify_issuer_signature(
    ca: &Certificate,
    algorithm: ObjectIdentifier,
    tbs: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    use rsa::signature::Verifier as _;

    let spki = &ca.tbs_certificate.subject_public_key_info;
    let key_bytes = spki.subject_public_key.raw_bytes();
    let not_trusted = || {
        VerifyError::new(
            VerifyErrorKind::CertificateNotTrusted,
            "the signing certificate is not signed by a required issuer CA",
        )
    };
    let rsa_key = || {
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return Err(not_trusted());
        }
        rsa::RsaPublicKey::from_pkcs1_der(key_bytes).map_err(|e| not_trusted().with_source(e))
    };
    let rsa_signature =
        || rsa::pkcs1v15::Signature::try_from(signature).map_err(|e| not_trusted().with_source(e));
    let verified = if algorithm == SHA256_WITH_RSA {
        rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(rsa_key()?).verify(tbs, &rsa_signature()?)
    } else if algorithm == SHA384_WITH_RSA {
        rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::new(rsa_key()?).verify(tbs, &rsa_signature()?)
    } else if algorithm == SHA512_WITH_RSA {
        rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(rsa_key()?).verify(tbs, &rsa_signature()?)
    } else if algorithm == ECDSA_WITH_SHA256 {
        if spki.algorithm.oid != EC_PUBLIC_KEY {
            return Err(not_trusted());
        }
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
            .map_err(|e| not_trusted().with_source(e))?;
        let signature = p256::ecdsa::DerSignature::try_from(signature)
            .map_err(|e| not_trusted().with_source(e))?;
        key.verify(tbs, &signature)
    } else {
        return Err(VerifyError::new(
            VerifyErrorKind::CertificateNotTrusted,
            format!(
                "the signing certificate's signature algorithm {algorithm} is not supported for \
                 the issuer check (RSA with SHA-256/384/512 and ECDSA P-256 with SHA-256 are)"
            ),
        ));
    };
    verified.map_err(|e| not_trusted().with_source(e))
}

fn check_window(
    certificate: &Certificate,
    now: OffsetDateTime,
    what: &str,
) -> Result<(), VerifyError> {
    let validity = &certificate.tbs_certificate.validity;
    let not_before = to_time(validity.not_before.to_unix_duration())?;
    let not_after = to_time(validity.not_after.to_unix_duration())?;
    if now < not_before || now > not_after {
        return Err(VerifyError::new(
            VerifyErrorKind::CertificateExpired,
            format!("{what} is valid from {not_before} to {not_after}, not at {now}"),
        ));
    }
    Ok(())
}

fn to_time(since_epoch: Duration) -> Result<OffsetDateTime, VerifyError> {
    i64::try_from(since_epoch.as_secs())
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .ok_or_else(|| invalid("the certificate's validity is out of range"))
}

fn invalid(detail: impl Into<String>) -> VerifyError {
    VerifyError::new(VerifyErrorKind::InvalidCertificate, detail)
}
