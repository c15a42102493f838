//! The emulator side by side with two OpenAPI mock servers (issue 16): Prism
//! (`@stoplight/prism-cli`, mock mode) and Mockoon CLI (`@mockoon/cli`), both serving
//! `docs/openapi.json`.
//!
//! Create, Get and Complete Checkout Session go to each server from the same load generator
//! ([`crate::load`]), at each concurrency level, with the same signed requests: the emulator
//! verifies the signatures and stores its state durably, the peers ignore both and answer the
//! document's examples. Also measured: start-up to the first answered request (the emulator with
//! an existing data directory), and memory at rest (resident set after start, before load).

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use http::Method;
use serde_json::{Value, json};

use crate::emulator::{Emulator, Tls};
use crate::load::{LevelResult, Presigned, Spec, Watched};
use crate::stats::ms;

/// The operations compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    Create,
    Get,
    Complete,
}

impl Operation {
    const ALL: [Operation; 3] = [Operation::Create, Operation::Get, Operation::Complete];

    fn name(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Get => "get",
            Operation::Complete => "complete",
        }
    }
}

/// What the peers section needs from the command line.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) amzpay: PathBuf,
    pub(crate) node_dir: PathBuf,
    pub(crate) openapi: PathBuf,
    pub(crate) work_dir: PathBuf,
    pub(crate) connections: Vec<usize>,
    pub(crate) seconds: u64,
    pub(crate) max_rate: usize,
}

/// One server's start-up figures.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Startup {
    pub(crate) server: &'static str,
    /// From spawning the process to the first answered HTTP request.
    pub(crate) first_answer_ms: f64,
    /// Resident memory (with child processes) a second after that, before any load.
    pub(crate) rss_at_rest_mib: Option<f64>,
}

/// One (server, operation, connections) measurement.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Row {
    pub(crate) server: &'static str,
    pub(crate) operation: &'static str,
    pub(crate) connections: usize,
    pub(crate) throughput: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    /// The server's CPU (its process and children) per answered request, in microseconds.
    pub(crate) cpu_us_per_request: f64,
    pub(crate) ok: usize,
    pub(crate) errors: usize,
    /// The first error, or why the level could not run at all.
    pub(crate) first_error: Option<String>,
}

impl Row {
    fn from_level(server: &'static str, operation: Operation, level: &LevelResult) -> Row {
        Row {
            server,
            operation: operation.name(),
            connections: level.connections,
            throughput: level.throughput(),
            p50_ms: ms(level.latencies.percentile(50.0)).unwrap_or(f64::NAN),
            p99_ms: ms(level.latencies.percentile(99.0)).unwrap_or(f64::NAN),
            cpu_us_per_request: 1e6 * level.emulator_cpu.as_secs_f64() / level.ok as f64,
            ok: level.ok,
            errors: level.errors,
            first_error: level.first_error.clone(),
        }
    }

    fn failed(server: &'static str, operation: Operation, connections: usize, why: String) -> Row {
        Row {
            server,
            operation: operation.name(),
            connections,
            throughput: 0.0,
            p50_ms: f64::NAN,
            p99_ms: f64::NAN,
            cpu_us_per_request: f64::NAN,
            ok: 0,
            errors: 0,
            first_error: Some(why),
        }
    }
}

/// Emulator ÷ peer for one row: throughput (above 1 is better for the emulator), and p50, p99
/// and CPU per request (below 1 is better for the emulator).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Ratios {
    pub(crate) throughput: f64,
    pub(crate) p50: f64,
    pub(crate) p99: f64,
    pub(crate) cpu: f64,
}

impl Ratios {
    pub(crate) fn of(emulator: &Row, peer: &Row) -> Ratios {
        Ratios {
            throughput: emulator.throughput / peer.throughput,
            p50: emulator.p50_ms / peer.p50_ms,
            p99: emulator.p99_ms / peer.p99_ms,
            cpu: emulator.cpu_us_per_request / peer.cpu_us_per_request,
        }
    }

    /// The emulator is better on all four (more throughput, less latency and CPU).
    pub(crate) fn emulator_wins(&self) -> bool {
        self.throughput > 1.0 && self.p50 < 1.0 && self.p99 < 1.0 && self.cpu < 1.0
    }
}

/// Everything the section measured.
#[derive(Debug, Default)]
pub(crate) struct PeersResult {
    pub(crate) startups: Vec<Startup>,
    pub(crate) rows: Vec<Row>,
    /// Versions and configuration notes printed with the table.
    pub(crate) notes: Vec<String>,
}

/// A loopback port that was free a moment ago.
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a probe port")?;
    Ok(listener.local_addr()?.port())
}

/// Waits until `addr` answers an HTTP request (any status), polling every 5 ms, at most
/// `timeout`.
fn wait_for_answer(addr: SocketAddr, timeout: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if probe(addr).is_ok() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("{addr} did not answer within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// One `GET` of an unknown session; `Ok` when an HTTP status line came back.
fn probe(addr: SocketAddr) -> anyhow::Result<()> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(200))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(
        b"GET /v2/checkoutSessions/probe HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
    )?;
    let mut head = [0u8; 5];
    stream.read_exact(&mut head)?;
    anyhow::ensure!(&head == b"HTTP/", "not an HTTP answer");
    Ok(())
}

/// A Node.js server in its own process group, killed (with its children) on drop.
#[derive(Debug)]
struct NodeServer {
    child: Child,
}

impl NodeServer {
    fn spawn(mut command: Command, log: &Path) -> anyhow::Result<NodeServer> {
        let log = std::fs::File::create(log).context("creating a peer's log")?;
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("starting {command:?}"))?;
        Ok(NodeServer { child })
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        // The whole process group: a peer's CLI may have started children.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running server of the comparison.
#[derive(Debug)]
enum Process {
    Emulator(Emulator),
    Node(NodeServer),
}

#[derive(Debug)]
struct Server {
    name: &'static str,
    addr: SocketAddr,
    process: Process,
}

impl Server {
    fn pid(&self) -> u32 {
        match &self.process {
            Process::Emulator(e) => e.pid(),
            Process::Node(n) => n.child.id(),
        }
    }

    /// Resident memory of the process and its children.
    fn rss(&self) -> Option<u64> {
        crate::system::with_children(self.pid())
            .into_iter()
            .map(|p| crate::system::status_kb(p, "VmRSS"))
            .sum()
    }
}

/// The version of an installed npm package, from its package.json.
fn npm_version(node_dir: &Path, package: &str) -> String {
    std::fs::read(
        node_dir
            .join("node_modules")
            .join(package)
            .join("package.json"),
    )
    .ok()
    .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    .and_then(|v| v["version"].as_str().map(str::to_owned))
    .unwrap_or_else(|| "unknown".into())
}

/// Starts a peer and measures its start-up to the first answer.
fn start_peer(
    name: &'static str,
    command: Command,
    dir: &Path,
    port: u16,
) -> anyhow::Result<(Server, Startup)> {
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let start = Instant::now();
    let node = NodeServer::spawn(command, &dir.join(format!("{name}.log")))?;
    wait_for_answer(addr, Duration::from_secs(120)).with_context(|| {
        let log = std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
        format!("{name} did not start; its log:\n{log}")
    })?;
    let first_answer = start.elapsed();
    let server = Server {
        name,
        addr,
        process: Process::Node(node),
    };
    Ok(at_rest(server, first_answer))
}

fn at_rest(server: Server, first_answer: Duration) -> (Server, Startup) {
    std::thread::sleep(Duration::from_secs(1));
    let startup = Startup {
        server: server.name,
        first_answer_ms: first_answer.as_secs_f64() * 1e3,
        rss_at_rest_mib: server.rss().map(|b| b as f64 / 1048576.0),
    };
    (server, startup)
}

/// The body of every Create.
fn create_body(store_id: &str) -> Bytes {
    Bytes::from(
        json!({
            "storeId": store_id,
            "webCheckoutDetails": {
                "checkoutReviewReturnUrl": "https://shop.example/review",
                "checkoutResultReturnUrl": "https://shop.example/result",
            },
            "paymentDetails": {
                "paymentIntent": "Authorize",
                "canHandlePendingAuthorization": false,
                "chargeAmount": {"amount": crate::seed::AMOUNT, "currencyCode": "USD"},
            },
            "merchantMetadata": {"merchantReferenceId": "order-1", "merchantStoreName": "Bench shop"},
        })
        .to_string(),
    )
}

/// (warm-up, measured pool) requests of each level, as the Complete section sizes them.
fn pools(settings: &Settings) -> Vec<(usize, usize)> {
    settings
        .connections
        .iter()
        .map(|&c| {
            let per_second = if c == 1 {
                settings.max_rate / 2
            } else {
                settings.max_rate
            };
            ((c * 4).max(100), per_second * settings.seconds as usize)
        })
        .collect()
}

/// Runs the section.
pub(crate) fn measure(
    rt: &tokio::runtime::Runtime,
    settings: &Settings,
) -> anyhow::Result<PeersResult> {
    let dir = std::path::absolute(settings.work_dir.join("peers"))?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let result = measure_in(rt, settings, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure_in(
    rt: &tokio::runtime::Runtime,
    settings: &Settings,
    dir: &Path,
) -> anyhow::Result<PeersResult> {
    let mut result = PeersResult::default();
    let pools = pools(settings);
    let sessions: usize = pools.iter().map(|(w, n)| w + n).sum();
    let url = format!("sqlite://{}", dir.join("emulator.db").display());
    eprintln!("  seeding {sessions} ready sessions for the emulator");
    let seeded = rt.block_on(crate::seed::seed(&url, 0, sessions))?;
    let key = &seeded.merchant.private_key;
    let key_id = &seeded.merchant.public_key_id;

    // Start-up, one server at a time so that they do not compete; the emulator's data directory
    // and database exist already (seeded and migrated).
    let mut servers = Vec::new();
    {
        let start = Instant::now();
        let emulator = Emulator::start(&settings.amzpay, dir, &url, Tls::Off, &[])?;
        let addr = emulator.addr;
        wait_for_answer(addr, Duration::from_secs(60))?;
        let first_answer = start.elapsed();
        let (server, startup) = at_rest(
            Server {
                name: "emulator",
                addr,
                process: Process::Emulator(emulator),
            },
            first_answer,
        );
        servers.push(server);
        result.startups.push(startup);
    }
    let bin = settings.node_dir.join("node_modules").join(".bin");
    let prism_version = npm_version(&settings.node_dir, "@stoplight/prism-cli");
    let mockoon_version = npm_version(&settings.node_dir, "@mockoon/cli");
    result.notes.push(format!(
        "Prism {prism_version} (prism mock, static examples, request validation on, log level warn), Mockoon CLI {mockoon_version} (OpenAPI import of the same document, --disable-tls, logs each request to stdout, here a file), Node.js {}",
        crate::system::node_version()
    ));
    {
        let port = free_port()?;
        let mut command = Command::new(bin.join("prism"));
        command
            .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg(std::path::absolute(&settings.openapi)?)
            // Prism logs every request at its default level (info); warnings only, so that the
            // comparison does not charge it for writing its log.
            .args(["--verboseLevel", "warn"]);
        match start_peer("prism", command, dir, port) {
            Ok((server, startup)) => {
                servers.push(server);
                result.startups.push(startup);
            }
            Err(e) => result.notes.push(format!("prism could not run: {e:#}")),
        }
    }
    {
        let port = free_port()?;
        let mut command = Command::new(bin.join("mockoon-cli"));
        command
            .arg("start")
            .arg("--data")
            .arg(std::path::absolute(&settings.openapi)?)
            .args(["--port", &port.to_string(), "--hostname", "127.0.0.1"])
            // Mockoon's OpenAPI import turns TLS on because the document's first server is the
            // emulator's HTTPS address; every server of the comparison runs plain HTTP.
            .args([
                "--disable-tls",
                "--disable-log-to-file",
                "--disable-admin-api",
            ])
            .env("HOME", dir);
        match start_peer("mockoon", command, dir, port) {
            Ok((server, startup)) => {
                servers.push(server);
                result.startups.push(startup);
            }
            Err(e) => result.notes.push(format!("mockoon could not run: {e:#}")),
        }
    }

    let mut next_session = 0;
    for operation in Operation::ALL {
        for (&connections, &(warmup, pool)) in settings.connections.iter().zip(&pools) {
            let count = warmup + pool;
            let specs: Vec<Spec> = match operation {
                Operation::Create => {
                    let body = create_body(&seeded.merchant.store_id);
                    (0..count)
                        .map(|_| Spec {
                            method: Method::POST,
                            path: "/v2/checkoutSessions".into(),
                            body: body.clone(),
                        })
                        .collect()
                }
                Operation::Get => (0..count)
                    .map(|i| Spec {
                        method: Method::GET,
                        path: format!("/v2/checkoutSessions/{}", seeded.ready[i % sessions]),
                        body: Bytes::new(),
                    })
                    .collect(),
                Operation::Complete => {
                    let ids = &seeded.ready[next_session..next_session + count];
                    next_session += count;
                    crate::load::complete_specs(ids)
                }
            };
            let requests = crate::load::presign_all(key, key_id, &specs)?;
            for server in &servers {
                let row = run_one(server, operation, connections, warmup, &requests, settings);
                eprintln!(
                    "  {:<8} {:<8} {connections:>3} connections: {:>7.0}/s, p99 {:.2} ms, errors {}{}",
                    row.operation,
                    row.server,
                    row.throughput,
                    row.p99_ms,
                    row.errors,
                    row.first_error
                        .as_deref()
                        .map_or(String::new(), |e| format!(" (first: {e})"))
                );
                result.rows.push(row);
            }
        }
    }
    drop(servers);
    Ok(result)
}

fn run_one(
    server: &Server,
    operation: Operation,
    connections: usize,
    warmup: usize,
    requests: &[Presigned],
    settings: &Settings,
) -> Row {
    let level = crate::load::run_level(
        server.addr,
        None,
        requests.to_vec(),
        warmup,
        connections,
        Duration::from_secs(settings.seconds),
        Watched {
            emulator: server.pid(),
            postmaster: None,
        },
    );
    match level {
        Ok(level) => Row::from_level(server.name, operation, &level),
        Err(e) => Row::failed(server.name, operation, connections, format!("{e:#}")),
    }
}

impl PeersResult {
    fn emulator_row(&self, peer: &Row) -> Option<&Row> {
        self.rows.iter().find(|r| {
            r.server == "emulator"
                && r.operation == peer.operation
                && r.connections == peer.connections
        })
    }

    fn startup(&self, server: &str) -> Option<&Startup> {
        self.startups.iter().find(|s| s.server == server)
    }

    /// The printed table.
    pub(crate) fn write_table(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\nSide by side with OpenAPI mock servers (issue 16): same signed requests, same load generator, plain HTTP"
        );
        for note in &self.notes {
            let _ = writeln!(out, "  {note}");
        }
        let emulator = self.startup("emulator");
        for s in &self.startups {
            let ratio = |e: Option<f64>, p: Option<f64>| match (e, p) {
                (Some(e), Some(p)) if s.server != "emulator" => {
                    format!(" (emulator / this: {:.3})", e / p)
                }
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {:<9} start-up to first answer {:>8.1} ms{}; RSS at rest {:>6} MiB{}",
                s.server,
                s.first_answer_ms,
                ratio(emulator.map(|e| e.first_answer_ms), Some(s.first_answer_ms)),
                s.rss_at_rest_mib.map_or("-".into(), |m| format!("{m:.1}")),
                ratio(emulator.and_then(|e| e.rss_at_rest_mib), s.rss_at_rest_mib)
            );
        }
        let _ = writeln!(
            out,
            "{:<9} {:<9} {:>5} {:>8} {:>7} {:>7} {:>10} {:>6}   {:>8} {:>7} {:>7} {:>7}",
            "operation",
            "server",
            "conns",
            "req/s",
            "p50 ms",
            "p99 ms",
            "CPU us/req",
            "errors",
            "÷ req/s",
            "÷ p50",
            "÷ p99",
            "÷ CPU"
        );
        for r in &self.rows {
            let ratios = match self.emulator_row(r) {
                Some(e) if r.server != "emulator" => {
                    let q = Ratios::of(e, r);
                    format!(
                        "   {:>8.2} {:>7.2} {:>7.2} {:>7.2}{}",
                        q.throughput,
                        q.p50,
                        q.p99,
                        q.cpu,
                        if q.emulator_wins() {
                            ""
                        } else {
                            "  (emulator not ahead on all)"
                        }
                    )
                }
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "{:<9} {:<9} {:>5} {:>8.0} {:>7.2} {:>7.2} {:>10.0} {:>6}{ratios}",
                r.operation,
                r.server,
                r.connections,
                r.throughput,
                r.p50_ms,
                r.p99_ms,
                r.cpu_us_per_request,
                r.errors,
            );
            if (r.ok == 0 || r.errors > 0)
                && let Some(e) = &r.first_error
            {
                let short: String = e.chars().take(200).collect();
                let _ = writeln!(out, "          first error: {short}");
            }
        }
        let _ = writeln!(
            out,
            "(÷ columns: emulator / peer on the same operation and connections; CPU is the server process and its children per answered request)"
        );
    }

    /// For `results.json`.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "notes": self.notes,
            "startups": self.startups.iter().map(|s| json!({
                "server": s.server,
                "firstAnswerMs": s.first_answer_ms,
                "rssAtRestMiB": s.rss_at_rest_mib,
            })).collect::<Vec<_>>(),
            "rows": self.rows.iter().map(|r| {
                let ratios = self
                    .emulator_row(r)
                    .filter(|_| r.server != "emulator")
                    .map(|e| Ratios::of(e, r));
                json!({
                    "server": r.server,
                    "operation": r.operation,
                    "connections": r.connections,
                    "perSecond": r.throughput,
                    "p50Ms": r.p50_ms,
                    "p99Ms": r.p99_ms,
                    "cpuUsPerRequest": r.cpu_us_per_request,
                    "ok": r.ok,
                    "errors": r.errors,
                    "firstError": r.first_error,
                    "emulatorOverPeer": ratios.map(|q| json!({
                        "perSecond": q.throughput,
                        "p50": q.p50,
                        "p99": q.p99,
                        "cpuPerRequest": q.cpu,
                    })),
                })
            }).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(server: &'static str, throughput: f64, p50: f64, p99: f64, cpu: f64) -> Row {
        Row {
            server,
            operation: "get",
            connections: 16,
            throughput,
            p50_ms: p50,
            p99_ms: p99,
            cpu_us_per_request: cpu,
            ok: 1,
            errors: 0,
            first_error: None,
        }
    }

    #[test]
    fn ratios_are_emulator_over_peer() {
        let e = row("emulator", 3000.0, 1.0, 4.0, 200.0);
        let p = row("prism", 1000.0, 4.0, 8.0, 800.0);
        let q = Ratios::of(&e, &p);
        assert_eq!(
            q,
            Ratios {
                throughput: 3.0,
                p50: 0.25,
                p99: 0.5,
                cpu: 0.25
            }
        );
        assert!(q.emulator_wins());
        assert!(!Ratios::of(&p, &e).emulator_wins());
    }

    #[test]
    fn a_peer_row_finds_the_emulator_row_of_the_same_operation_and_level() {
        let mut other_level = row("emulator", 1.0, 1.0, 1.0, 1.0);
        other_level.connections = 64;
        let result = PeersResult {
            rows: vec![
                other_level,
                row("emulator", 2.0, 1.0, 1.0, 1.0),
                row("mockoon", 1.0, 1.0, 1.0, 1.0),
            ],
            ..PeersResult::default()
        };
        assert_eq!(result.emulator_row(&result.rows[2]), Some(&result.rows[1]));
    }
}
