//! `amzpay notifications verify`: a notification signed at test time by a certificate from a test
//! CA, served over HTTPS by a small TLS server, trusted through `--trust-host` and `--trust-ca`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::EncodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::helpers::{Sandbox, s, test_key_file};

const MESSAGE: &str = r#"{"MerchantID":"A3URCZVLDMDI45","ObjectType":"CHARGE","ObjectId":"S01-5105180-3221187-C056351","ChargePermissionId":"S01-5105180-3221187","NotificationType":"STATE_CHANGE","NotificationId":"n-1","NotificationVersion":"V2"}"#;

/// A test CA, the signing certificate it issued for the test RSA key, and an HTTPS server on
/// 127.0.0.1 that serves it at `/sns.pem`.
struct Emulated {
    ca_pem: String,
    host: String,
    key: rsa::RsaPrivateKey,
    requests: Arc<AtomicUsize>,
}

impl Emulated {
    fn start() -> Emulated {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "amzpay test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).unwrap();

        let key =
            rsa::RsaPrivateKey::from_pkcs1_pem(&std::fs::read_to_string(test_key_file()).unwrap())
                .unwrap();
        let pkcs8 = key.to_pkcs8_der().unwrap();
        let signing_pair = KeyPair::from_pkcs8_der_and_sign_algo(
            &rustls::pki_types::PrivatePkcs8KeyDer::from(pkcs8.as_bytes().to_vec()),
            &rcgen::PKCS_RSA_SHA256,
        )
        .unwrap();
        let signing = CertificateParams::new(Vec::<String>::new())
            .unwrap()
            .signed_by(&signing_pair, &ca, &ca_key)
            .unwrap()
            .pem();

        let tls_key = KeyPair::generate().unwrap();
        let tls_cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&tls_key, &ca, &ca_key)
            .unwrap();
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![tls_cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(tls_key.serialize_der().into()),
            )
            .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                let Ok(tcp) = tcp else { return };
                let connection = rustls::ServerConnection::new(config.clone()).unwrap();
                let mut tls = rustls::StreamOwned::new(connection, tcp);
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                // A client that does not trust the CA ends the handshake: read fails.
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                if !head.starts_with(b"GET /sns.pem ") {
                    continue;
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{signing}",
                    signing.len()
                );
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        });
        Emulated {
            ca_pem: ca.pem(),
            host: format!("127.0.0.1:{port}"),
            key,
            requests,
        }
    }

    /// A notification body signed with SHA256withRSA, at `timestamp`, for a certificate `url`.
    fn body(&self, url: &str, timestamp: OffsetDateTime) -> serde_json::Value {
        let timestamp = timestamp
            .format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            ))
            .unwrap();
        let topic = "arn:aws:sns:us-east-1:291180941288:A3URCZVLDMDI45";
        let text = format!(
            "Message\n{MESSAGE}\nMessageId\nm-1\nTimestamp\n{timestamp}\nTopicArn\n{topic}\nType\nNotification\n"
        );
        let signature = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(self.key.clone())
            .sign(text.as_bytes())
            .to_vec();
        serde_json::json!({
            "Type": "Notification",
            "MessageId": "m-1",
            "TopicArn": topic,
            "Message": MESSAGE,
            "Timestamp": timestamp,
            "SignatureVersion": "2",
            "Signature": base64::engine::general_purpose::STANDARD.encode(signature),
            "SigningCertURL": url,
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        })
    }

    fn url(&self) -> String {
        format!("https://{}/sns.pem", self.host)
    }
}

/// Writes the CA and the body into the sandbox and runs `amzpay notifications verify`.
fn verify(emulated: &Emulated, body: &serde_json::Value, extra: &[&str]) -> crate::helpers::Run {
    let sandbox = Sandbox::new();
    let ca = sandbox.path("ca.pem");
    std::fs::write(&ca, &emulated.ca_pem).unwrap();
    let file = sandbox.path("ipn.json");
    std::fs::write(&file, body.to_string()).unwrap();
    let mut args = vec!["notifications", "verify", s(&file)];
    args.extend_from_slice(extra);
    let trust = ["--trust-host", &emulated.host, "--trust-ca", s(&ca)];
    if !extra.contains(&"--no-trust") {
        args.extend_from_slice(&trust);
    } else {
        args.retain(|a| *a != "--no-trust");
    }
    sandbox.run(&args, "", &[])
}

#[test]
fn a_valid_notification_from_a_trusted_host_prints_the_notification_and_ok() {
    // Arrange
    let emulated = Emulated::start();
    let body = emulated.body(&emulated.url(), OffsetDateTime::now_utc());

    // Act
    let sandbox = Sandbox::new();
    let issuer = sandbox.path("issuer.pem");
    std::fs::write(&issuer, &emulated.ca_pem).unwrap();
    let run = verify(&emulated, &body, &["--issuer-ca", s(&issuer), "--json"]);

    // Assert
    assert_eq!(run.code, 0, "{run:?}");
    let printed: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(printed["messageId"], "m-1");
    assert_eq!(printed["signatureVersion"], "2");
    assert_eq!(printed["notification"]["ObjectType"], "CHARGE");
    assert_eq!(
        printed["notification"]["ObjectId"],
        "S01-5105180-3221187-C056351"
    );
    assert!(run.stderr.contains("OK"), "{run:?}");
    assert_eq!(emulated.requests.load(Ordering::SeqCst), 1);
}

#[test]
fn the_body_can_come_from_stdin() {
    let emulated = Emulated::start();
    let body = emulated.body(&emulated.url(), OffsetDateTime::now_utc());
    let sandbox = Sandbox::new();
    let ca = sandbox.path("ca.pem");
    std::fs::write(&ca, &emulated.ca_pem).unwrap();

    let run = sandbox.run(
        &[
            "notifications",
            "verify",
            "-",
            "--trust-host",
            &emulated.host,
            "--trust-ca",
            s(&ca),
        ],
        &body.to_string(),
        &[],
    );

    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("\"STATE_CHANGE\""), "{run:?}");
}

#[test]
fn refusals_name_their_kind_and_exit_non_zero() {
    let emulated = Emulated::start();
    let now = OffsetDateTime::now_utc();
    let good = emulated.body(&emulated.url(), now);
    let mut tampered = good.clone();
    tampered["MessageId"] = "m-2".into();
    let old = emulated.body(&emulated.url(), now - std::time::Duration::from_secs(120));
    let http = emulated.body(&format!("http://{}/sns.pem", emulated.host), now);

    let cases: [(&serde_json::Value, &[&str], &str); 5] = [
        (&good, &["--no-trust"], "(untrusted_cert_host)"),
        (&tampered, &[], "(bad_signature)"),
        (&old, &["--max-age", "60"], "(too_old)"),
        (&http, &[], "(insecure_cert_url)"),
        (
            &serde_json::json!({"Type": "Notification"}),
            &[],
            "(unparseable)",
        ),
    ];
    for (body, extra, kind) in cases {
        let run = verify(&emulated, body, extra);
        assert_eq!(run.code, 1, "{kind}: {run:?}");
        assert!(run.stderr.contains(kind), "{kind}: {run:?}");
        assert!(run.stdout.is_empty(), "{kind}: {run:?}");
    }
    // The old message passes with the default maximum age of an hour.
    assert_eq!(verify(&emulated, &old, &[]).code, 0);
}

#[test]
fn a_ca_without_a_host_to_trust_it_for_is_a_usage_error() {
    let sandbox = Sandbox::new();

    let run = sandbox.run(
        &[
            "notifications",
            "verify",
            "ipn.json",
            "--trust-ca",
            "ca.pem",
        ],
        "",
        &[],
    );

    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--trust-host"), "{run:?}");
}
