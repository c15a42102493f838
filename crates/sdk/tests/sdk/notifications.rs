//! Instant Payment Notifications: envelopes signed at test time by a certificate from a test CA
//! (ECDSA P-256, like the emulator's), verified with a given certificate and over real HTTPS.
//!
//! The tests build the string to sign themselves, from the AWS documentation, so that a mistake
//! in the SDK's own string to sign cannot cancel itself out.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use amzpay::notifications::{
    Envelope, NotificationType, ObjectType, SigningCertificate, Verifier, VerifierBuilder,
    VerifyError, VerifyErrorKind,
};
use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::EncodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use time::OffsetDateTime;
use time::macros::format_description;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

use crate::helpers::test_private_key_pem;

/// The Amazon Pay message of the tests' notifications.
const MESSAGE: &str = r#"{"MerchantID":"A3URCZVLDMDI45","ObjectType":"CHARGE","ObjectId":"S01-5105180-3221187-C056351","ChargePermissionId":"S01-5105180-3221187","NotificationType":"STATE_CHANGE","NotificationId":"8f6a4f3e-2f1b-4b43-9d59-0c0a5a0c2f11","NotificationVersion":"V2"}"#;

/// An Amazon SNS certificate URL (its host matches Amazon's pattern).
const AMAZON_URL: &str = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem";

/// A test PKI: a CA, a signing certificate it issued for the test RSA key, and the key.
struct Pki {
    ca_pem: String,
    ca_cert: rcgen::Certificate,
    ca_key: KeyPair,
    signing_pem: String,
    rsa_key: rsa::RsaPrivateKey,
}

/// The test RSA key as an rcgen key pair (rcgen cannot generate RSA keys with ring).
fn rsa_key_pair() -> (rsa::RsaPrivateKey, KeyPair) {
    let key = rsa::RsaPrivateKey::from_pkcs1_pem(&test_private_key_pem()).unwrap();
    let der = key.to_pkcs8_der().unwrap();
    let pair = KeyPair::from_pkcs8_der_and_sign_algo(
        &rustls::pki_types::PrivatePkcs8KeyDer::from(der.as_bytes().to_vec()),
        &rcgen::PKCS_RSA_SHA256,
    )
    .unwrap();
    (key, pair)
}

fn ca(name: &str) -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    (params.self_signed(&key).unwrap(), key)
}

fn signing_params() -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "sns.amazonaws.com");
    params
}

impl Pki {
    fn new() -> Pki {
        let (ca_cert, ca_key) = ca("amzpay test CA");
        let (rsa_key, pair) = rsa_key_pair();
        let signing = signing_params()
            .signed_by(&pair, &ca_cert, &ca_key)
            .unwrap();
        Pki {
            ca_pem: ca_cert.pem(),
            signing_pem: signing.pem(),
            ca_cert,
            ca_key,
            rsa_key,
        }
    }

    fn certificate(&self) -> SigningCertificate {
        SigningCertificate::from_pem(self.signing_pem.as_bytes()).unwrap()
    }

    /// A certificate for 127.0.0.1 issued by the CA, and the rustls server settings with it.
    fn tls_server(&self) -> Arc<rustls::ServerConfig> {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&key, &self.ca_cert, &self.ca_key)
            .unwrap();
        let server = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
        Arc::new(server)
    }
}

/// The fields of an envelope before signing.
#[derive(Clone)]
struct Draft {
    message_type: &'static str,
    message: String,
    message_id: String,
    subject: Option<String>,
    timestamp: String,
    topic_arn: String,
    cert_url: String,
    version: &'static str,
}

/// SNS's timestamp format, milliseconds and `Z`.
fn sns_time(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .unwrap()
}

fn draft(cert_url: &str, version: &'static str) -> Draft {
    Draft {
        message_type: "Notification",
        message: MESSAGE.to_owned(),
        message_id: "b8f2e0a4-0c51-5f3c-9d1e-3a9d0e4c2a77".to_owned(),
        subject: None,
        timestamp: sns_time(OffsetDateTime::now_utc()),
        topic_arn: "arn:aws:sns:us-east-1:291180941288:A3URCZVLDMDI45".to_owned(),
        cert_url: cert_url.to_owned(),
        version,
    }
}

impl Draft {
    /// The string to sign, written from the AWS documentation independently of the SDK.
    fn string_to_sign(&self) -> String {
        let mut text = format!(
            "Message\n{}\nMessageId\n{}\n",
            self.message, self.message_id
        );
        if let Some(subject) = &self.subject {
            text.push_str(&format!("Subject\n{subject}\n"));
        }
        text.push_str(&format!(
            "Timestamp\n{}\nTopicArn\n{}\nType\n{}\n",
            self.timestamp, self.topic_arn, self.message_type
        ));
        text
    }

    /// Signs with `key` (SHA-1 for version 1, SHA-256 otherwise) and renders the JSON body.
    fn sign(&self, key: &rsa::RsaPrivateKey) -> Signed {
        let text = self.string_to_sign();
        let signature = if self.version == "1" {
            rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(key.clone())
                .sign(text.as_bytes())
                .to_vec()
        } else {
            rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone())
                .sign(text.as_bytes())
                .to_vec()
        };
        let mut body = serde_json::json!({
            "Type": self.message_type,
            "MessageId": self.message_id,
            "TopicArn": self.topic_arn,
            "Message": self.message,
            "Timestamp": self.timestamp,
            "SignatureVersion": self.version,
            "Signature": base64::engine::general_purpose::STANDARD.encode(signature),
            "SigningCertURL": self.cert_url,
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
        });
        if let Some(subject) = &self.subject {
            body["Subject"] = subject.as_str().into();
        }
        Signed(body)
    }
}

/// A signed envelope as JSON, which tests may tamper with after signing.
struct Signed(serde_json::Value);

impl Signed {
    fn set(mut self, field: &str, value: &str) -> Signed {
        self.0[field] = value.into();
        self
    }

    fn body(&self) -> String {
        self.0.to_string()
    }

    fn envelope(&self) -> Envelope {
        Envelope::parse(&self.body()).unwrap()
    }
}

fn verifier(configure: impl FnOnce(VerifierBuilder) -> VerifierBuilder) -> Verifier {
    configure(Verifier::builder()).build().unwrap()
}

/// Verifies with the given certificate at the current time, and returns the error kind.
fn check(
    verifier: &Verifier,
    signed: &Signed,
    certificate: &SigningCertificate,
) -> Result<(), VerifyErrorKind> {
    verifier
        .verify_with_certificate(&signed.envelope(), certificate, OffsetDateTime::now_utc())
        .map_err(|e| e.kind())
}

#[test]
fn a_correctly_signed_notification_verifies_with_either_signature_version() {
    // Arrange
    let pki = Pki::new();
    let verifier = verifier(|b| b);
    for version in ["1", "2"] {
        let mut draft = draft(AMAZON_URL, version);
        for subject in [None, Some("Amazon Pay notification".to_owned())] {
            draft.subject = subject;
            let signed = draft.sign(&pki.rsa_key);

            // Act
            let outcome = check(&verifier, &signed, &pki.certificate());

            // Assert
            assert_eq!(
                outcome,
                Ok(()),
                "version {version}, subject {:?}",
                draft.subject
            );
        }
    }
}

#[test]
fn tampering_with_any_signed_field_fails_the_signature() {
    let pki = Pki::new();
    let verifier = verifier(|b| b);
    let later = sns_time(OffsetDateTime::now_utc() - Duration::from_secs(1));
    for version in ["1", "2"] {
        let mut with_subject = draft(AMAZON_URL, version);
        with_subject.subject = Some("S".to_owned());
        let cases: Vec<(&str, Signed)> = vec![
            (
                "Message",
                draft(AMAZON_URL, version)
                    .sign(&pki.rsa_key)
                    .set("Message", &MESSAGE.replace("CHARGE\"", "REFUND\"")),
            ),
            (
                "MessageId",
                draft(AMAZON_URL, version)
                    .sign(&pki.rsa_key)
                    .set("MessageId", "other"),
            ),
            (
                "Timestamp",
                draft(AMAZON_URL, version)
                    .sign(&pki.rsa_key)
                    .set("Timestamp", &later),
            ),
            (
                "TopicArn",
                draft(AMAZON_URL, version)
                    .sign(&pki.rsa_key)
                    .set("TopicArn", "arn:x"),
            ),
            (
                "Subject",
                with_subject.sign(&pki.rsa_key).set("Subject", "T"),
            ),
            (
                "Subject added",
                draft(AMAZON_URL, version)
                    .sign(&pki.rsa_key)
                    .set("Subject", "T"),
            ),
        ];
        for (field, signed) in cases {
            assert_eq!(
                check(&verifier, &signed, &pki.certificate()),
                Err(VerifyErrorKind::BadSignature),
                "version {version}, tampered {field}"
            );
        }
    }
}

#[test]
fn a_signature_checked_with_the_other_version_or_another_key_fails() {
    let pki = Pki::new();
    let verifier = verifier(|b| b);
    // Signed with SHA-1 but labelled version 2, and the other way round.
    let v1_as_v2 = draft(AMAZON_URL, "1")
        .sign(&pki.rsa_key)
        .set("SignatureVersion", "2");
    let v2_as_v1 = draft(AMAZON_URL, "2")
        .sign(&pki.rsa_key)
        .set("SignatureVersion", "1");
    assert_eq!(
        check(&verifier, &v1_as_v2, &pki.certificate()),
        Err(VerifyErrorKind::BadSignature)
    );
    assert_eq!(
        check(&verifier, &v2_as_v1, &pki.certificate()),
        Err(VerifyErrorKind::BadSignature)
    );
    // A version that does not exist.
    let v3 = draft(AMAZON_URL, "2")
        .sign(&pki.rsa_key)
        .set("SignatureVersion", "3");
    assert_eq!(
        check(&verifier, &v3, &pki.certificate()),
        Err(VerifyErrorKind::UnsupportedSignatureVersion)
    );
    // A valid signature by a key that is not the certificate's.
    let other = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
    let forged = draft(AMAZON_URL, "2").sign(&other);
    assert_eq!(
        check(&verifier, &forged, &pki.certificate()),
        Err(VerifyErrorKind::BadSignature)
    );
}

#[test]
fn certificate_urls_must_be_https_pem_files_on_an_amazon_sns_host() {
    let pki = Pki::new();
    let verifier = verifier(|b| b);
    let cases = [
        (
            "http://sns.us-east-1.amazonaws.com/cert.pem",
            VerifyErrorKind::InsecureCertUrl,
        ),
        (
            "https://evil.example/cert.pem",
            VerifyErrorKind::UntrustedCertHost,
        ),
        (
            "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
            VerifyErrorKind::UntrustedCertHost,
        ),
        (
            "https://s3.amazonaws.com/sns.us-east-1.amazonaws.com/cert.pem",
            VerifyErrorKind::UntrustedCertHost,
        ),
        (
            "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
            VerifyErrorKind::UntrustedCertHost,
        ),
        (
            "https://127.0.0.1:8443/cert.pem",
            VerifyErrorKind::UntrustedCertHost,
        ),
        (
            "https://sns.us-east-1.amazonaws.com/cert.txt",
            VerifyErrorKind::InvalidCertUrl,
        ),
        (
            "https://user:pw@sns.us-east-1.amazonaws.com/cert.pem",
            VerifyErrorKind::InvalidCertUrl,
        ),
        ("not a url", VerifyErrorKind::InvalidCertUrl),
    ];
    for (url, kind) in cases {
        // The signature is good: only the URL is wrong.
        let signed = draft(url, "2").sign(&pki.rsa_key);
        assert_eq!(
            check(&verifier, &signed, &pki.certificate()),
            Err(kind),
            "{url}"
        );
        assert_eq!(
            verifier.check_cert_url(url).map_err(|e| e.kind()),
            Err(kind),
            "{url}"
        );
    }
    verifier
        .check_cert_url("https://sns.cn-north-1.amazonaws.com.cn/c.pem")
        .unwrap();
}

#[test]
fn a_trusted_extra_host_is_accepted_with_its_exact_port_only() {
    let pki = Pki::new();
    let verifier = verifier(|b| b.trust_host_with_ca("127.0.0.1:8443", &pki.ca_pem));

    let trusted = draft("https://127.0.0.1:8443/amzpay/sns.pem", "2").sign(&pki.rsa_key);
    let other_port = draft("https://127.0.0.1:9443/amzpay/sns.pem", "2").sign(&pki.rsa_key);
    let plain_http = draft("http://127.0.0.1:8443/amzpay/sns.pem", "2").sign(&pki.rsa_key);

    assert_eq!(check(&verifier, &trusted, &pki.certificate()), Ok(()));
    assert_eq!(
        check(&verifier, &other_port, &pki.certificate()),
        Err(VerifyErrorKind::UntrustedCertHost)
    );
    assert_eq!(
        check(&verifier, &plain_http, &pki.certificate()),
        Err(VerifyErrorKind::InsecureCertUrl)
    );
    // Amazon's hosts stay trusted beside it.
    assert_eq!(
        check(
            &verifier,
            &draft(AMAZON_URL, "2").sign(&pki.rsa_key),
            &pki.certificate()
        ),
        Ok(())
    );
}

#[test]
fn a_message_older_than_the_maximum_age_or_from_the_future_is_refused() {
    let pki = Pki::new();
    let now = OffsetDateTime::now_utc();
    let at = |t: OffsetDateTime| {
        let mut d = draft(AMAZON_URL, "2");
        d.timestamp = sns_time(t);
        d.sign(&pki.rsa_key)
    };
    let default = verifier(|b| b);
    let two_hours_ago = at(now - Duration::from_secs(2 * 3600));
    let fifty_minutes_ago = at(now - Duration::from_secs(50 * 60));
    let in_ten_minutes = at(now + Duration::from_secs(10 * 60));
    let in_one_minute = at(now + Duration::from_secs(60));

    assert_eq!(
        check(&default, &two_hours_ago, &pki.certificate()),
        Err(VerifyErrorKind::TooOld)
    );
    assert_eq!(
        check(&default, &fifty_minutes_ago, &pki.certificate()),
        Ok(())
    );
    assert_eq!(
        check(&default, &in_ten_minutes, &pki.certificate()),
        Err(VerifyErrorKind::TimestampInFuture)
    );
    assert_eq!(check(&default, &in_one_minute, &pki.certificate()), Ok(()));
    // Both limits are settings.
    let lenient = verifier(|b| {
        b.max_age(Duration::from_secs(3 * 3600))
            .max_clock_skew(Duration::from_secs(15 * 60))
    });
    assert_eq!(check(&lenient, &two_hours_ago, &pki.certificate()), Ok(()));
    assert_eq!(check(&lenient, &in_ten_minutes, &pki.certificate()), Ok(()));
    let strict = verifier(|b| b.max_age(Duration::from_secs(60)));
    assert_eq!(
        check(&strict, &fifty_minutes_ago, &pki.certificate()),
        Err(VerifyErrorKind::TooOld)
    );
}

#[test]
fn an_unknown_object_type_is_kept_and_still_verifies() {
    let pki = Pki::new();
    let mut draft = draft(AMAZON_URL, "2");
    draft.message = MESSAGE
        .replace("\"CHARGE\"", "\"DISPUTE\"")
        .replace("STATE_CHANGE", "SOMETHING_NEW");
    let signed = draft.sign(&pki.rsa_key);

    let outcome = check(&verifier(|b| b), &signed, &pki.certificate());
    let notification = signed.envelope().notification().unwrap();

    assert_eq!(outcome, Ok(()));
    assert_eq!(
        notification.object_type,
        ObjectType::Unknown("DISPUTE".to_owned())
    );
    assert_eq!(
        notification.notification_type,
        NotificationType::Unknown("SOMETHING_NEW".to_owned())
    );
    assert_eq!(notification.charge_id(), None);
    assert_eq!(
        notification.charge_permission().unwrap().as_str(),
        "S01-5105180-3221187"
    );
}

#[test]
fn bodies_that_are_not_envelopes_and_certificates_that_are_not_rsa_are_typed_errors() {
    for body in ["", "not json", "{}", r#"{"Type":"Notification"}"#] {
        assert!(Envelope::parse(body).is_err(), "{body:?}");
    }
    let pki = Pki::new();
    let error = SigningCertificate::from_pem(pki.ca_pem.as_bytes()).unwrap_err();
    assert_eq!(
        error.kind(),
        VerifyErrorKind::InvalidCertificate,
        "an ECDSA CA has no RSA key"
    );
    let error = SigningCertificate::from_pem(
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::InvalidCertificate);
    assert_eq!(
        SigningCertificate::from_pem(b"").unwrap_err().kind(),
        VerifyErrorKind::InvalidCertificate
    );
}

#[test]
fn the_issuer_check_accepts_the_configured_ca_and_refuses_another() {
    // Arrange: one certificate from the configured CA, one from a stranger's.
    let pki = Pki::new();
    let (stranger, stranger_key) = ca("amzpay test CA");
    let (_, pair) = rsa_key_pair();
    let foreign = SigningCertificate::from_pem(
        signing_params()
            .signed_by(&pair, &stranger, &stranger_key)
            .unwrap()
            .pem()
            .as_bytes(),
    )
    .unwrap();
    let url = "https://127.0.0.1:8443/sns.pem";
    let signed = draft(url, "2").sign(&pki.rsa_key);
    let checking = verifier(|b| {
        b.trust_host_with_ca("127.0.0.1:8443", &pki.ca_pem)
            .require_issuer(&pki.ca_pem)
    });
    let not_checking = verifier(|b| b.trust_host_with_ca("127.0.0.1:8443", &pki.ca_pem));

    // Act and assert
    assert_eq!(check(&checking, &signed, &pki.certificate()), Ok(()));
    assert_eq!(
        check(&checking, &signed, &foreign),
        Err(VerifyErrorKind::CertificateNotTrusted)
    );
    assert_eq!(check(&not_checking, &signed, &foreign), Ok(()));
}

#[test]
fn the_issuer_check_supports_an_rsa_ca() {
    // The test RSA key is both the CA's and the signing certificate's: a self-issued chain.
    let (_, ca_pair) = rsa_key_pair();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "RSA CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_pair).unwrap();
    let (rsa_key, pair) = rsa_key_pair();
    let signing = SigningCertificate::from_pem(
        signing_params()
            .signed_by(&pair, &ca_cert, &ca_pair)
            .unwrap()
            .pem()
            .as_bytes(),
    )
    .unwrap();
    let verifier = verifier(|b| b.trust_host("ipn.test").require_issuer(ca_cert.pem()));

    let signed = draft("https://ipn.test/sns.pem", "1").sign(&rsa_key);

    assert_eq!(check(&verifier, &signed, &signing), Ok(()));
}

#[test]
fn a_certificate_outside_its_validity_is_refused_unless_the_check_is_off() {
    let pki = Pki::new();
    let (_, pair) = rsa_key_pair();
    let mut params = signing_params();
    params.not_before = OffsetDateTime::now_utc() - Duration::from_secs(3 * 24 * 3600);
    params.not_after = OffsetDateTime::now_utc() - Duration::from_secs(24 * 3600);
    let expired = SigningCertificate::from_pem(
        params
            .signed_by(&pair, &pki.ca_cert, &pki.ca_key)
            .unwrap()
            .pem()
            .as_bytes(),
    )
    .unwrap();
    let signed = draft(AMAZON_URL, "2").sign(&pki.rsa_key);

    assert_eq!(
        check(&verifier(|b| b), &signed, &expired),
        Err(VerifyErrorKind::CertificateExpired)
    );
    assert_eq!(
        check(&verifier(|b| b.check_validity(false)), &signed, &expired),
        Ok(())
    );
}

#[test]
fn a_verifier_refuses_a_trusted_host_that_is_not_a_host_and_a_ca_that_is_not_pem() {
    assert!(
        Verifier::builder()
            .trust_host("https://x.test")
            .build()
            .is_err()
    );
    assert!(Verifier::builder().trust_host("x.test/a").build().is_err());
    assert!(
        Verifier::builder()
            .trust_host_with_ca("x.test", "not pem")
            .build()
            .is_err()
    );
}

/// A one-route HTTPS server: `GET /sns.pem` answers the PEM, anything else 404. It counts the
/// requests it answers.
async fn serve_certificate(pki: &Pki) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = tokio_rustls::TlsAcceptor::from(pki.tls_server());
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let pem = pki.signing_pem.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let counter = counter.clone();
            let pem = pem.clone();
            tokio::spawn(async move {
                // A client that does not trust the CA gives up during the handshake.
                let Ok(mut stream) = acceptor.accept(tcp).await else {
                    return;
                };
                let (head, _) = crate::transport::read_request(&mut stream).await;
                counter.fetch_add(1, Ordering::SeqCst);
                let response = if head.starts_with("GET /sns.pem ") {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/x-pem-file\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{pem}",
                        pem.len()
                    )
                } else {
                    "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        .to_owned()
                };
                stream.write_all(response.as_bytes()).await.ok();
                stream.shutdown().await.ok();
            });
        }
    });
    (port, requests)
}

fn kind(outcome: Result<impl std::fmt::Debug, VerifyError>) -> Result<(), VerifyErrorKind> {
    outcome.map(|_| ()).map_err(|e| e.kind())
}

#[tokio::test]
async fn verify_downloads_the_certificate_over_https_from_a_trusted_host_once() {
    // Arrange
    let pki = Pki::new();
    let (port, requests) = serve_certificate(&pki).await;
    let host = format!("127.0.0.1:{port}");
    let verifier = verifier(|b| {
        b.trust_host_with_ca(&host, &pki.ca_pem)
            .require_issuer(&pki.ca_pem)
    });
    let url = format!("https://{host}/sns.pem");
    let first = draft(&url, "2").sign(&pki.rsa_key);
    let mut second = draft(&url, "1");
    second.message_id = "another".to_owned();
    let second = second.sign(&pki.rsa_key);

    // Act
    let verified = verifier.verify(&first.body()).await;
    let again = verifier.verify(&second.body()).await;

    // Assert
    let verified = verified.unwrap();
    assert_eq!(verified.notification.object_type, ObjectType::Charge);
    assert_eq!(
        verified.notification.object_id,
        "S01-5105180-3221187-C056351"
    );
    assert_eq!(
        verified.envelope.message_id(),
        "b8f2e0a4-0c51-5f3c-9d1e-3a9d0e4c2a77"
    );
    assert_eq!(again.unwrap().envelope.message_id(), "another");
    assert_eq!(
        requests.load(Ordering::SeqCst),
        1,
        "the second verify used the cached certificate"
    );
    // A clone shares the cache.
    kind(verifier.clone().verify(&first.body()).await).unwrap();
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    // A tampered message is refused without another download (the cached copy is fresh).
    let tampered = first.set("MessageId", "x");
    assert_eq!(
        kind(verifier.verify(&tampered.body()).await),
        Err(VerifyErrorKind::BadSignature)
    );
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failed_download_is_a_transient_error_and_is_not_cached() {
    let pki = Pki::new();
    let (port, requests) = serve_certificate(&pki).await;
    let host = format!("127.0.0.1:{port}");
    let with_ca = verifier(|b| b.trust_host_with_ca(&host, &pki.ca_pem));
    let without_ca = verifier(|b| b.trust_host(&host));
    let missing = draft(&format!("https://{host}/missing.pem"), "2").sign(&pki.rsa_key);
    let good = draft(&format!("https://{host}/sns.pem"), "2").sign(&pki.rsa_key);

    // 404.
    let error = with_ca.verify(&missing.body()).await.unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::CertificateFetch);
    assert!(error.is_transient());
    assert_eq!(
        kind(with_ca.verify(&missing.body()).await),
        Err(VerifyErrorKind::CertificateFetch)
    );
    assert_eq!(
        requests.load(Ordering::SeqCst),
        2,
        "a failure is not cached"
    );
    // The host is trusted but its CA is not: the TLS handshake fails.
    assert_eq!(
        kind(without_ca.verify(&good.body()).await),
        Err(VerifyErrorKind::CertificateFetch)
    );
}

#[tokio::test]
async fn refusals_that_need_no_certificate_download_nothing() {
    let pki = Pki::new();
    let (port, requests) = serve_certificate(&pki).await;
    let host = format!("127.0.0.1:{port}");
    let verifier = verifier(|b| b.trust_host_with_ca(&host, &pki.ca_pem));
    let url = format!("https://{host}/sns.pem");
    let mut old = draft(&url, "2");
    old.timestamp = sns_time(OffsetDateTime::now_utc() - Duration::from_secs(7200));
    let mut confirmation = draft(&url, "2");
    confirmation.message_type = "SubscriptionConfirmation";

    assert_eq!(
        kind(verifier.verify(&old.sign(&pki.rsa_key).body()).await),
        Err(VerifyErrorKind::TooOld)
    );
    assert_eq!(
        kind(verifier.verify("{}").await),
        Err(VerifyErrorKind::Unparseable)
    );
    assert_eq!(
        kind(
            verifier
                .verify(&draft(&url, "9").sign(&pki.rsa_key).body())
                .await
        ),
        Err(VerifyErrorKind::UnsupportedSignatureVersion)
    );
    // `verify` wants an IPN; a subscription confirmation is refused before any download.
    assert_eq!(
        kind(
            verifier
                .verify(&confirmation.sign(&pki.rsa_key).body())
                .await
        ),
        Err(VerifyErrorKind::UnsupportedMessageType)
    );
    assert_eq!(requests.load(Ordering::SeqCst), 0);
}
