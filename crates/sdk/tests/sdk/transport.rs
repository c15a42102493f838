//! The default (reqwest) transport against real sockets: TLS with a given CA, timeouts, refused
//! connections.

use std::sync::Arc;
use std::time::Duration;

use amzpay::{Client, ConfigBuilder, Error};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::helpers::{assert_signature_verifies_parts, charge_json, config_builder};

/// A certificate chain for 127.0.0.1: the PEM to trust, and the server's cert and key.
struct Tls {
    trust_pem: String,
    server: Arc<rustls::ServerConfig>,
}

/// A CA and a leaf signed by it (`self_signed_leaf: false`), or one self-signed leaf that is
/// trusted directly, the shape of a generated development certificate.
fn tls(self_signed_leaf: bool) -> Tls {
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let (leaf, trust_pem) = if self_signed_leaf {
        let leaf = leaf_params.self_signed(&leaf_key).unwrap();
        let pem = leaf.pem();
        (leaf, pem)
    } else {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key).unwrap();
        (leaf, ca.pem())
    };
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key)
    .unwrap();
    Tls {
        trust_pem,
        server: Arc::new(server),
    }
}

/// Reads one HTTP/1.1 request (head and content-length body) from a stream.
pub(crate) async fn read_request<S: tokio::io::AsyncRead + Unpin>(
    stream: &mut S,
) -> (String, Vec<u8>) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "the client closed the connection early");
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).into_owned();
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            let mut body = data[end + 4..].to_vec();
            while body.len() < length {
                let n = stream.read(&mut buf).await.unwrap();
                body.extend_from_slice(&buf[..n]);
            }
            return (head, body);
        }
    }
}

/// A client of the test merchant for a server on this machine's `port`, reached over `scheme`,
/// with `configure` applied to its settings.
fn local_client(
    scheme: &str,
    port: u16,
    configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
) -> Client {
    let builder = config_builder()
        .endpoint(&format!("{scheme}://127.0.0.1:{port}"))
        .unwrap();
    Client::new(configure(builder).build().unwrap()).unwrap()
}

#[tokio::test]
async fn https_to_an_endpoint_with_a_trusted_ca_works_and_the_signature_verifies() {
    for self_signed_leaf in [false, true] {
        // Arrange
        let tls = tls(self_signed_leaf);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.server.clone());
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut stream = acceptor.accept(tcp).await.unwrap();
            let (head, body) = read_request(&mut stream).await;
            let answer = charge_json("C1", "Authorized", "10.00");
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-amz-pay-request-id: tls-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            stream.write_all(response.as_bytes()).await.unwrap();
            stream.shutdown().await.ok();
            (head, body)
        });
        let trust = tls.trust_pem.clone();
        let client = local_client("https", port, |b| b.ca_cert_pem(trust));

        // Act
        let response = client.get_charge("C1").await;

        // Assert
        let response =
            response.unwrap_or_else(|e| panic!("self-signed leaf {self_signed_leaf}: {e:?}"));
        assert_eq!(response.request_id(), Some("tls-1"));
        let (head, body) = server.await.unwrap();
        assert!(head.starts_with("GET /v2/charges/C1 HTTP/1.1"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("x-amz-pay-host: 127.0.0.1:{port}")),
            "{head}"
        );
        assert_signature_verifies_parts(&head, &body);
    }
}

#[tokio::test]
async fn https_to_an_untrusted_certificate_fails_as_not_sent() {
    let tls = tls(false);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server.clone());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = acceptor.accept(tcp).await;
        }
    });
    let client = local_client("https", port, |b| b.max_attempts(1));

    let error = client.get_charge("C1").await.unwrap_err();

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(!error.outcome_unknown());
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_with_an_unknown_outcome() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((mut tcp, _)) = listener.accept().await {
            read_request(&mut tcp).await;
            open.push(tcp); // Read the request, then say nothing.
        }
    });
    let client = local_client("http", port, |b| {
        b.timeout(Duration::from_millis(300)).max_attempts(1)
    });
    let started = std::time::Instant::now();

    let error = client.get_charge("C1").await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(5));
    let Error::Timeout(timeout) = &error else {
        panic!("expected a timeout, got {error:?}")
    };
    assert!(timeout.outcome_unknown());
}

#[tokio::test]
async fn a_refused_connection_is_not_sent_and_is_retried() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = local_client("http", port, |b| b.max_attempts(2));

    let error = client.get_charge("C1").await.unwrap_err();

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(!error.outcome_unknown());
    assert_eq!(error.attempts(), 2);
}
