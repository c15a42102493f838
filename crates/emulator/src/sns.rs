//! Signing notifications as Amazon SNS does: the envelope, its string to sign, and the signing
//! certificate the emulator issues from a CA of its own.
//!
//! Amazon Pay delivers Instant Payment Notifications through Amazon SNS (developer.amazon.com,
//! amazon-pay-checkout "Set up Instant Payment Notifications"). An SNS message is signed with
//! the private key of a certificate whose URL is in `SigningCertURL`; the receiver builds the
//! string to sign from the named fields of the envelope, in a fixed order, each as the field
//! name, a newline, the value and a newline (for a `Notification`: `Message`, `MessageId`,
//! `Subject` when present, `Timestamp`, `TopicArn`, `Type`), and checks the signature with the
//! certificate's public key: `SignatureVersion` 1 is SHA1withRSA, 2 is SHA256withRSA (AWS, Amazon
//! SNS developer guide, "Verifying the signatures of Amazon SNS messages").
//!
//! The emulator's signing key is an RSA-2048 key with a certificate issued by the emulator's own
//! CA. Both are generated once and kept in the database ([`amzpay_emulator_store::Store::secret`]),
//! so every instance on one database signs with the same key and serves the same certificate
//! at `{public URL}/__sns/{CERT_FILE}`; the CA is at `{public URL}/__sns/ca.pem`. Receivers fetch
//! the certificate from the emulator's host, which is not Amazon's SNS host: they must be told to
//! trust it (docs/notifications.md).

use amzpay_emulator_store::{NotificationRecord, Store};
use base64::Engine as _;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer};
use serde::Serialize;

/// The name under which the key and certificates are kept in the database.
const SECRET_NAME: &str = "sns_signing_v1";

/// The file name of the signing certificate in `SigningCertURL` (SNS names its certificates
/// `SimpleNotificationService-<hash>.pem`; receivers such as the npm `sns-validator` require
/// the `.pem` suffix).
pub const CERT_FILE: &str = "SimpleNotificationService-amzpay-emulator.pem";

/// The emulator's SNS signer.
pub struct SnsSigner {
    /// The key for `SignatureVersion` 1 (SHA1withRSA).
    v1: SigningKey<sha1::Sha1>,
    /// The same key for `SignatureVersion` 2 (SHA256withRSA).
    v2: SigningKey<sha2::Sha256>,
    cert_pem: String,
    ca_pem: String,
}

impl std::fmt::Debug for SnsSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnsSigner").finish_non_exhaustive()
    }
}

impl SnsSigner {
    /// The signer kept in `store`, created and stored when there is none (the first instance
    /// to store one wins; the others read it). It costs an RSA key generation, so the emulator
    /// calls it once per process, when it first needs it.
    pub async fn load_or_create(store: &dyn Store) -> anyhow::Result<SnsSigner> {
        let candidate = tokio::task::spawn_blocking(generate).await??;
        let bundle = store.secret(SECRET_NAME, &candidate).await?;
        SnsSigner::from_bundle(&bundle)
    }

    fn from_bundle(bundle: &str) -> anyhow::Result<SnsSigner> {
        let parts: Vec<&str> = bundle.split("\n\n").collect();
        let [key, cert, ca] = parts.as_slice() else {
            anyhow::bail!("the stored SNS signing bundle is malformed");
        };
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(key)?;
        Ok(SnsSigner {
            v1: SigningKey::new(key.clone()),
            v2: SigningKey::new(key),
            cert_pem: format!("{}\n", cert.trim_end()),
            ca_pem: format!("{}\n", ca.trim_end()),
        })
    }

    /// The signing certificate (PEM), served at `SigningCertURL`.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA that issued it (PEM).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Base64 of the signature of `text` for `SignatureVersion` `version` (1: SHA1withRSA,
    /// anything else: SHA256withRSA).
    pub fn sign(&self, text: &str, version: u8) -> String {
        let signature = if version == 1 {
            self.v1.sign(text.as_bytes()).to_vec()
        } else {
            self.v2.sign(text.as_bytes()).to_vec()
        };
        base64::engine::general_purpose::STANDARD.encode(signature)
    }

    /// The signed SNS envelope of a delivery, as posted.
    pub fn envelope(&self, n: &NotificationRecord, public_url: &str, version: u8) -> Envelope {
        let topic_arn = topic_arn(n);
        let timestamp = sns_timestamp(n.notification.created_at_ms);
        let message = n.notification.message.clone();
        let message_id = n.notification.message_id.clone();
        let text = string_to_sign(&message, &message_id, &timestamp, &topic_arn);
        Envelope {
            kind: "Notification",
            signature: self.sign(&text, version),
            signature_version: version.to_string(),
            signing_cert_url: format!("{public_url}/__sns/{CERT_FILE}"),
            unsubscribe_url: format!(
                "{public_url}/__sns/unsubscribe?SubscriptionArn={topic_arn}:{}",
                n.merchant_id
            ),
            message_id,
            topic_arn,
            message,
            timestamp,
        }
    }
}

/// An SNS notification envelope, in SNS's field order.
#[derive(Clone, Debug, Serialize)]
pub struct Envelope {
    /// `Type`: `Notification`.
    #[serde(rename = "Type")]
    pub kind: &'static str,
    /// `MessageId`.
    #[serde(rename = "MessageId")]
    pub message_id: String,
    /// `TopicArn`.
    #[serde(rename = "TopicArn")]
    pub topic_arn: String,
    /// `Message`: Amazon Pay's notification, a JSON string.
    #[serde(rename = "Message")]
    pub message: String,
    /// `Timestamp`: when it was published.
    #[serde(rename = "Timestamp")]
    pub timestamp: String,
    /// `SignatureVersion`: "1" or "2".
    #[serde(rename = "SignatureVersion")]
    pub signature_version: String,
    /// `Signature`: base64.
    #[serde(rename = "Signature")]
    pub signature: String,
    /// `SigningCertURL`.
    #[serde(rename = "SigningCertURL")]
    pub signing_cert_url: String,
    /// `UnsubscribeURL`.
    #[serde(rename = "UnsubscribeURL")]
    pub unsubscribe_url: String,
}

/// The topic a merchant's notifications come from: one per merchant and environment, in an
/// account and region of the emulator's own (Amazon's real topic names are not documented).
fn topic_arn(n: &NotificationRecord) -> String {
    format!(
        "arn:aws:sns:us-east-1:000000000000:amzpay-emulator-{}-{}",
        n.environment.as_str(),
        n.merchant_id
    )
}

/// The string to sign of a `Notification` without `Subject`.
pub fn string_to_sign(message: &str, message_id: &str, timestamp: &str, topic_arn: &str) -> String {
    let mut text = String::new();
    for (name, value) in [
        ("Message", message),
        ("MessageId", message_id),
        ("Timestamp", timestamp),
        ("TopicArn", topic_arn),
        ("Type", "Notification"),
    ] {
        text.push_str(name);
        text.push('\n');
        text.push_str(value);
        text.push('\n');
    }
    text
}

/// SNS's `Timestamp` form: ISO 8601 in UTC with milliseconds.
pub fn sns_timestamp(unix_ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// A fresh bundle: the signing key (PKCS#8), its certificate and the CA's certificate, PEM,
/// separated by blank lines.
fn generate() -> anyhow::Result<String> {
    let mut rng = rand::thread_rng();
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048)?;
    let key_pem = key.to_pkcs8_pem(LineEnding::LF)?.to_string();

    let ca_key = rcgen::KeyPair::generate()?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "amzpay emulator SNS CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca = ca_params.self_signed(&ca_key)?;

    let leaf_key = rcgen::KeyPair::from_pem(&key_pem)?;
    let mut params = rcgen::CertificateParams::new(vec!["sns.amzpay-emulator.invalid".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "sns.amzpay-emulator.invalid");
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    let cert = params.signed_by(&leaf_key, &ca, &ca_key)?;
    Ok(format!(
        "{}\n\n{}\n\n{}",
        key_pem.trim_end(),
        cert.pem().trim_end(),
        ca.pem().trim_end()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;

    #[test]
    fn both_signature_versions_verify_with_the_certificates_key_and_differ() {
        let signer = SnsSigner::from_bundle(&generate().unwrap()).unwrap();
        let text = string_to_sign("{}", "m-1", "2026-11-30T00:00:00.000Z", "arn:x");
        let decode = |s: &str| {
            Signature::try_from(
                base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .unwrap()
                    .as_slice(),
            )
            .unwrap()
        };
        let public = rsa::RsaPublicKey::from(signer.v2.as_ref());

        let v1 = decode(&signer.sign(&text, 1));
        let v2 = decode(&signer.sign(&text, 2));

        VerifyingKey::<sha1::Sha1>::new(public.clone())
            .verify(text.as_bytes(), &v1)
            .unwrap();
        VerifyingKey::<sha2::Sha256>::new(public.clone())
            .verify(text.as_bytes(), &v2)
            .unwrap();
        assert!(
            VerifyingKey::<sha2::Sha256>::new(public)
                .verify(b"tampered", &v2)
                .is_err()
        );
        assert!(signer.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(signer.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    }

    #[test]
    fn the_string_to_sign_follows_the_sns_field_order() {
        assert_eq!(
            string_to_sign("msg", "id", "ts", "arn"),
            "Message\nmsg\nMessageId\nid\nTimestamp\nts\nTopicArn\narn\nType\nNotification\n"
        );
        assert_eq!(sns_timestamp(1_764_460_800_123), "2025-11-30T00:00:00.123Z");
    }
}
