//! The load generator: pre-signed Complete Checkout Session requests sent over keep-alive
//! HTTP/1.1 connections (hyper's connection-level client, one connection per simulated client)
//! from a single-threaded runtime, so the generator stays cheap and its CPU use is easy to read.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use amzpay_signing::{Algorithm, PrivateKey, SignableRequest, SigningParams};
use anyhow::Context;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::Barrier;

use crate::stats::Latencies;

/// One request, signed before the timed phase.
#[derive(Clone, Debug)]
pub(crate) struct Presigned {
    method: Method,
    path: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

/// What to sign: a method, a path and a body (empty for a GET).
#[derive(Clone, Debug)]
pub(crate) struct Spec {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) body: Bytes,
}

/// The body of every Complete.
fn complete_body() -> Bytes {
    Bytes::from(format!(
        r#"{{"chargeAmount":{{"amount":"{}","currencyCode":"USD"}}}}"#,
        crate::seed::AMOUNT
    ))
}

/// Complete Checkout Session of each session id.
pub(crate) fn complete_specs(sessions: &[String]) -> Vec<Spec> {
    let body = complete_body();
    sessions
        .iter()
        .map(|id| Spec {
            method: Method::POST,
            path: format!("/v2/checkoutSessions/{id}/complete"),
            body: body.clone(),
        })
        .collect()
}

/// Signs one Complete Checkout Session for each session id, with the headers the SDK sends
/// (and a fresh idempotency key), on every core.
pub(crate) fn presign_completes(
    key: &PrivateKey,
    public_key_id: &str,
    sessions: &[String],
) -> anyhow::Result<Vec<Presigned>> {
    presign_all(key, public_key_id, &complete_specs(sessions))
}

/// Signs every spec with the headers the SDK sends (a POST gets a fresh idempotency key), on
/// every core.
pub(crate) fn presign_all(
    key: &PrivateKey,
    public_key_id: &str,
    specs: &[Spec],
) -> anyhow::Result<Vec<Presigned>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = specs.len().div_ceil(threads).max(1);
    let now = time::OffsetDateTime::now_utc();
    let results: Vec<anyhow::Result<Vec<Presigned>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = specs
            .chunks(chunk)
            .map(|specs| {
                scope.spawn(move || {
                    specs
                        .iter()
                        .map(|spec| presign_one(key, public_key_id, spec, now))
                        .collect::<anyhow::Result<Vec<_>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a signer panicked")))
            })
            .collect()
    });
    let mut all = Vec::with_capacity(specs.len());
    for r in results {
        all.extend(r?);
    }
    Ok(all)
}

fn presign_one(
    key: &PrivateKey,
    public_key_id: &str,
    spec: &Spec,
    now: time::OffsetDateTime,
) -> anyhow::Result<Presigned> {
    let idempotency = uuid::Uuid::new_v4().simple().to_string();
    let mut headers = vec![("accept", "application/json")];
    if spec.method == Method::POST {
        headers.push(("content-type", "application/json"));
    }
    headers.push(("x-amz-pay-host", "pay-api.amazon.com"));
    headers.push(("x-amz-pay-region", "na"));
    if spec.method == Method::POST {
        headers.push(("x-amz-pay-idempotency-key", idempotency.as_str()));
    }
    let request = SignableRequest::new(spec.method.as_str(), &spec.path)
        .headers(headers.iter().copied())
        .body(&spec.body);
    let params =
        SigningParams::new(key, public_key_id, now).with_algorithm(Algorithm::AmznPayRsassaPssV2);
    let output = amzpay_signing::sign(&request, &params).context("signing a request")?;
    let mut all = Vec::with_capacity(headers.len() + output.headers.len());
    for (name, value) in headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .chain(output.headers)
    {
        all.push((
            HeaderName::from_bytes(name.as_bytes())?,
            HeaderValue::from_str(&value)?,
        ));
    }
    Ok(Presigned {
        method: spec.method.clone(),
        path: spec.path.clone(),
        headers: all,
        body: spec.body.clone(),
    })
}

/// TLS settings of the generator: `None` for plain HTTP.
pub(crate) type TlsClient = Option<tokio_rustls::TlsConnector>;

/// A TLS connector trusting `ca_pem` only.
pub(crate) fn tls_client(ca_pem: &[u8]) -> anyhow::Result<tokio_rustls::TlsConnector> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut &ca_pem[..]) {
        roots.add(cert?)?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// What one concurrency level measured.
#[derive(Debug)]
pub(crate) struct LevelResult {
    /// Concurrent connections.
    pub(crate) connections: usize,
    /// Measured requests answered 2xx.
    pub(crate) ok: usize,
    /// Measured requests answered otherwise, or failed.
    pub(crate) errors: usize,
    /// The first error, for the report.
    pub(crate) first_error: Option<String>,
    /// Wall time of the measured phase.
    pub(crate) elapsed: Duration,
    /// Latency of the successful measured requests.
    pub(crate) latencies: Latencies,
    /// CPU time of the generator (this process) during the measured phase.
    pub(crate) generator_cpu: Duration,
    /// CPU time of the emulator during the measured phase.
    pub(crate) emulator_cpu: Duration,
    /// CPU time of the database server (PostgreSQL) during the measured phase.
    pub(crate) database_cpu: Option<Duration>,
}

impl LevelResult {
    /// Successful requests per second.
    pub(crate) fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
}

/// Where the measured processes are, for CPU accounting.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Watched {
    /// The emulator (or the peer server; its child processes count too).
    pub(crate) emulator: u32,
    /// The PostgreSQL postmaster, if any.
    pub(crate) postmaster: Option<u32>,
}

struct Shared {
    requests: Vec<Presigned>,
    warmup_end: usize,
    next_warmup: AtomicUsize,
    next: AtomicUsize,
    /// All connections warmed up.
    warm: Barrier,
    /// The measured phase starts (the deadline is set).
    go: Barrier,
    addr: SocketAddr,
    tls: TlsClient,
    host: HeaderValue,
}

#[derive(Default)]
struct TaskResult {
    latencies: Vec<u64>,
    errors: usize,
    first_error: Option<String>,
}

/// Runs `connections` clients over `requests`: the first `warmup` requests unmeasured, then the
/// rest until they run out or `duration` has passed. Runs on a fresh single-threaded runtime.
pub(crate) fn run_level(
    addr: SocketAddr,
    tls: TlsClient,
    requests: Vec<Presigned>,
    warmup: usize,
    connections: usize,
    duration: Duration,
    watched: Watched,
) -> anyhow::Result<LevelResult> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let shared = Arc::new(Shared {
            warmup_end: warmup.min(requests.len()),
            requests,
            next_warmup: AtomicUsize::new(0),
            next: AtomicUsize::new(0),
            warm: Barrier::new(connections + 1),
            go: Barrier::new(connections + 1),
            addr,
            tls,
            host: HeaderValue::from_str(&addr.to_string())?,
        });
        shared.next.store(shared.warmup_end, Ordering::Relaxed);
        let mut tasks = Vec::with_capacity(connections);
        let deadline = Arc::new(std::sync::OnceLock::<Instant>::new());
        for _ in 0..connections {
            let shared = Arc::clone(&shared);
            let deadline = Arc::clone(&deadline);
            tasks.push(tokio::spawn(
                async move { client_task(shared, deadline).await },
            ));
        }
        if tokio::time::timeout(Duration::from_secs(300), shared.warm.wait())
            .await
            .is_err()
        {
            for t in tasks {
                if t.is_finished() {
                    t.await.context("a client task panicked")??;
                }
            }
            anyhow::bail!("the clients did not finish warming up within 300 s");
        }
        let watched_db = watched.postmaster.map(crate::system::with_children);
        let gen_before = crate::system::cpu_time("self").unwrap_or_default();
        let server = crate::system::with_children(watched.emulator);
        let emu_before = crate::system::cpu_time_of(&server);
        let db_before = watched_db.as_deref().map(crate::system::cpu_time_of);
        let start = Instant::now();
        let _ = deadline.set(start + duration);
        shared.go.wait().await;
        let mut total = TaskResult::default();
        for t in tasks {
            let r = t.await.context("a client task panicked")??;
            total.latencies.extend(r.latencies);
            total.errors += r.errors;
            if total.first_error.is_none() {
                total.first_error = r.first_error;
            }
        }
        let elapsed = start.elapsed();
        let generator_cpu = crate::system::cpu_time("self")
            .unwrap_or_default()
            .saturating_sub(gen_before);
        let emulator_cpu = crate::system::cpu_time_of(&server).saturating_sub(emu_before);
        let database_cpu = match (watched_db.as_deref(), db_before) {
            (Some(pids), Some(before)) => {
                Some(crate::system::cpu_time_of(pids).saturating_sub(before))
            }
            _ => None,
        };
        Ok(LevelResult {
            connections,
            ok: total.latencies.len(),
            errors: total.errors,
            first_error: total.first_error,
            elapsed,
            latencies: Latencies::new(total.latencies),
            generator_cpu,
            emulator_cpu,
            database_cpu,
        })
    })
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(shared: &Shared) -> anyhow::Result<Sender> {
    let stream = TcpStream::connect(shared.addr)
        .await
        .context("connecting to the emulator")?;
    stream.set_nodelay(true)?;
    match &shared.tls {
        None => {
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .context("HTTP handshake")?;
            tokio::spawn(conn);
            Ok(sender)
        }
        Some(tls) => {
            let name = rustls::pki_types::ServerName::IpAddress(shared.addr.ip().into());
            let stream = tls.connect(name, stream).await.context("TLS handshake")?;
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .context("HTTP handshake")?;
            tokio::spawn(conn);
            Ok(sender)
        }
    }
}

/// Sends one request; `Ok(Ok(()))` for a 2xx answer, `Ok(Err(why))` for another.
async fn send(
    sender: &mut Sender,
    shared: &Shared,
    p: &Presigned,
) -> anyhow::Result<Result<(), String>> {
    let mut builder = Request::builder()
        .method(p.method.clone())
        .uri(p.path.as_str())
        .header(http::header::HOST, shared.host.clone());
    for (name, value) in &p.headers {
        builder = builder.header(name, value.clone());
    }
    let request = builder.body(Full::new(p.body.clone()))?;
    sender.ready().await.context("connection lost")?;
    let response = sender
        .send_request(request)
        .await
        .context("sending a request")?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if status.is_success() {
        Ok(Ok(()))
    } else {
        Ok(Err(format!(
            "{status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )))
    }
}

async fn client_task(
    shared: Arc<Shared>,
    deadline: Arc<std::sync::OnceLock<Instant>>,
) -> anyhow::Result<TaskResult> {
    let mut sender = connect(&shared).await?;
    let mut result = TaskResult::default();
    loop {
        let i = shared.next_warmup.fetch_add(1, Ordering::Relaxed);
        if i >= shared.warmup_end {
            break;
        }
        if let Err(e) = send(&mut sender, &shared, &shared.requests[i]).await? {
            anyhow::bail!("a warm-up request failed: {e}");
        }
    }
    shared.warm.wait().await;
    shared.go.wait().await;
    let deadline = *deadline
        .get()
        .context("the deadline is set before the go barrier")?;
    loop {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        if i >= shared.requests.len() || Instant::now() >= deadline {
            break;
        }
        let start = Instant::now();
        match send(&mut sender, &shared, &shared.requests[i]).await? {
            Ok(()) => result
                .latencies
                .push(u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)),
            Err(e) => {
                result.errors += 1;
                if result.first_error.is_none() {
                    result.first_error = Some(e);
                }
            }
        }
    }
    Ok(result)
}
