//! `amzpay-bench`: benchmarks of the emulator and the SDK, measured side by side.
//!
//! Run it through `scripts/bench`, which builds everything in release mode, starts a throwaway
//! PostgreSQL cluster and passes its URL here. Sections (all by default, `--only` to pick):
//!
//! - `complete`: Complete Checkout Session against `amzpay emulator serve` (its own process, plain
//!   HTTP on loopback), signatures verified and storage durable, at 1, 16 and 64 connections,
//!   on SQLite and PostgreSQL, with 10 thousand (and, with `--million`, 1 million) completed
//!   checkouts already stored. [`seed`] fills the database through the store crate before the
//!   emulator starts; [`load`] pre-signs every request, then sends them;
//! - `https`: one 64-connection row of the same over HTTPS;
//! - `checkout`: full checkouts through the Rust SDK and the official Node.js SDK ([`checkout`]);
//! - `signing`: the SDK's signatures per second beside `openssl speed` and the Node.js SDK
//!   ([`signing`]);
//! - `harness`: start-up to ready of the in-process test harness, `amzpay-emulator-testing`
//!   ([`harness`]);
//! - `peers`: Create, Get and Complete Checkout Session against the emulator, Prism and Mockoon
//!   CLI serving `docs/openapi.json`, with start-up time and memory at rest ([`peers`]);
//! - `journal` (not by default): the cost of the request journal, Complete on SQLite at the
//!   largest connection count with `--journal-size 0` and with the default size, alternated
//!   `--rounds` times in one sitting; the ratio of the medians goes to BENCHMARKS.md.
//!
//! With `complete`, the irreducible work of a Complete (one `openssl speed` verify, one durable
//! SQLite commit) is measured alone in the same run ([`irreducible`]), and the emulator's figures
//! are printed as multiples of it.
//!
//! It prints a table and writes everything to `target/bench/results.json`. Targets that are
//! missed are reported, not failed: the exit status says only whether everything could run.

mod checkout;
mod emulator;
mod harness;
mod irreducible;
mod load;
mod peers;
mod report;
mod seed;
mod signing;
mod stats;
mod system;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::emulator::{Emulator, Tls};
use crate::load::Watched;
use crate::report::{CompleteRun, Report};

/// Benchmarks of the amzpay emulator and SDK (run through scripts/bench).
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Sections to run, comma-separated: complete, https, checkout, signing, harness, peers (and
    /// journal, which is not run by default).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "complete,https,checkout,signing,harness,peers"
    )]
    only: Vec<String>,
    /// The amzpay binary (default: next to this one).
    #[arg(long)]
    amzpay: Option<PathBuf>,
    /// The signing crate's benchmark example (default: examples/bench next to this binary).
    #[arg(long)]
    signing_example: Option<PathBuf>,
    /// The test harness's start-up benchmark example (default: examples/startup next to this
    /// binary).
    #[arg(long)]
    harness_example: Option<PathBuf>,
    /// The directory of the Node.js scripts and their node_modules.
    #[arg(long, default_value = "tests/node")]
    node_dir: PathBuf,
    /// Where databases and emulator data directories go (deleted after each run).
    #[arg(long, default_value = "target/bench/work")]
    work_dir: PathBuf,
    /// The JSON report.
    #[arg(long, default_value = "target/bench/results.json")]
    out: PathBuf,
    /// A PostgreSQL URL whose server may create databases (one per run); no PostgreSQL rows
    /// without it.
    #[arg(long, env = "AMZPAY_BENCH_POSTGRES")]
    postgres: Option<String>,
    /// That server's data directory (its postmaster.pid gives the process to count CPU of).
    #[arg(long, env = "AMZPAY_PG_DATADIR")]
    pg_datadir: Option<PathBuf>,
    /// Completed checkouts stored before the ordinary runs.
    #[arg(long, default_value_t = 10_000)]
    history: u64,
    /// Also run with 1 million stored checkouts (SQLite; seeding takes minutes).
    #[arg(long)]
    million: bool,
    /// History of the big run (with --million).
    #[arg(long, default_value_t = 1_000_000)]
    million_history: u64,
    /// Concurrent connections, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    connections: Vec<usize>,
    /// Measured seconds per concurrency level (at most; fewer when the pre-signed requests
    /// run out).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Pre-signed requests per second of a level (sizes the pools of sessions and signatures).
    #[arg(long, default_value_t = 4_000)]
    max_rate: usize,
    /// Runs of each Complete configuration (the table shows medians).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Seconds per full-checkout measurement.
    #[arg(long, default_value_t = 10)]
    checkout_seconds: u64,
    /// Checkouts in flight at once for the full-checkout figures, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,16")]
    checkout_concurrency: Vec<usize>,
    /// Seconds per signing measurement.
    #[arg(long, default_value_t = 3)]
    signing_seconds: u64,
    /// Rounds of the signing comparison.
    #[arg(long, default_value_t = 3)]
    signing_rounds: usize,
    /// Seconds of `openssl speed` per operation, and of SQLite commits per batch size, for the
    /// irreducible work (with `complete`).
    #[arg(long, default_value_t = 2)]
    irreducible_seconds: u64,
    /// Measured seconds per (server, operation, connections) of the peers section.
    #[arg(long, default_value_t = 3)]
    peers_seconds: u64,
    /// The OpenAPI document the peers serve.
    #[arg(long, default_value = "docs/openapi.json")]
    openapi: PathBuf,
}

impl Args {
    fn wants(&self, section: &str) -> bool {
        self.only.iter().any(|s| s == section)
    }

    fn sibling(&self, name: &str) -> PathBuf {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join(name)))
            .unwrap_or_else(|| PathBuf::from(name))
    }
}

/// One configuration of the Complete benchmark.
#[derive(Clone, Debug)]
struct Config {
    backend: &'static str,
    history: u64,
    tls: Tls,
    connections: Vec<usize>,
    /// `--journal-size` of the emulator; its default when `None`.
    journal_size: Option<u32>,
}

/// A database for one run: its URL, and how to drop it afterwards.
struct Database {
    url: String,
    dir: PathBuf,
    postgres: Option<(String, String)>,
}

impl Database {
    async fn create(args: &Args, backend: &str, name: &str) -> anyhow::Result<Database> {
        let dir = std::path::absolute(args.work_dir.join(name))?;
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        match backend {
            "sqlite" => Ok(Database {
                url: format!("sqlite://{}", dir.join("emulator.db").display()),
                dir,
                postgres: None,
            }),
            _ => {
                let admin_url = args
                    .postgres
                    .clone()
                    .context("PostgreSQL rows need --postgres")?;
                let db = format!("bench_{}", name.replace('-', "_"));
                let mut conn =
                    <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {db}"))
                    .execute(&mut conn)
                    .await?;
                sqlx::query(&format!("CREATE DATABASE {db}"))
                    .execute(&mut conn)
                    .await?;
                let (base, query) = match admin_url.split_once('?') {
                    Some((b, q)) => (b, format!("?{q}")),
                    None => (admin_url.as_str(), String::new()),
                };
                let (server, _) = base
                    .rsplit_once('/')
                    .context("the PostgreSQL URL has no database part")?;
                Ok(Database {
                    url: format!("{server}/{db}{query}"),
                    dir,
                    postgres: Some((admin_url, db)),
                })
            }
        }
    }

    async fn drop_it(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin_url, db)) = self.postgres
            && let Ok(mut conn) =
                <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    }
}

fn postmaster_pid(args: &Args) -> Option<u32> {
    let dir = args.pg_datadir.as_ref()?;
    std::fs::read_to_string(dir.join("postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

/// One run of one configuration: seed, start the emulator, pre-sign, measure every level.
fn complete_run(
    args: &Args,
    rt: &tokio::runtime::Runtime,
    config: &Config,
    round: usize,
) -> anyhow::Result<CompleteRun> {
    let name = format!(
        "{}-{}-{}{}-r{round}",
        config.backend,
        config.history,
        if config.tls == Tls::Off {
            "http"
        } else {
            "https"
        },
        config
            .journal_size
            .map_or_else(String::new, |n| format!("-journal{n}"))
    );
    eprintln!("complete: {name}");
    let db = rt.block_on(Database::create(args, config.backend, &name))?;
    let result = (|| {
        let pools: Vec<(usize, usize)> = config
            .connections
            .iter()
            .map(|&c| {
                let per_second = if c == 1 {
                    args.max_rate / 2
                } else {
                    args.max_rate
                };
                let warmup = (c * 4).max(100);
                (warmup, per_second * args.seconds as usize)
            })
            .collect();
        let ready: usize = pools.iter().map(|(w, n)| w + n).sum();
        eprintln!(
            "  seeding {} completed checkouts and {ready} ready sessions",
            config.history
        );
        let seeded = rt.block_on(seed::seed(&db.url, config.history, ready))?;
        eprintln!(
            "  seeded in {:.1} s (history) + {:.1} s (ready); pre-signing {ready} requests",
            seeded.history_time.as_secs_f64(),
            seeded.ready_time.as_secs_f64()
        );
        let presign_start = std::time::Instant::now();
        let mut requests = load::presign_completes(
            &seeded.merchant.private_key,
            &seeded.merchant.public_key_id,
            &seeded.ready,
        )?;
        let presign_time = presign_start.elapsed();
        let amzpay = args.amzpay.clone().unwrap_or_else(emulator::default_amzpay);
        let extra: Vec<String> = config
            .journal_size
            .map(|n| vec!["--journal-size".to_owned(), n.to_string()])
            .unwrap_or_default();
        let emulator = Emulator::start(&amzpay, &db.dir, &db.url, config.tls, &extra)?;
        let tls = match &emulator.ca_pem {
            Some(pem) => Some(load::tls_client(pem)?),
            None => None,
        };
        let watched = Watched {
            emulator: emulator.pid(),
            postmaster: if config.backend == "postgres" {
                postmaster_pid(args)
            } else {
                None
            },
        };
        let mut levels = Vec::new();
        for (&connections, &(warmup, pool)) in config.connections.iter().zip(&pools) {
            let rest = requests.split_off(warmup + pool);
            let mine = std::mem::replace(&mut requests, rest);
            let level = load::run_level(
                emulator.addr,
                tls.clone(),
                mine,
                warmup,
                connections,
                Duration::from_secs(args.seconds),
                watched,
            )?;
            eprintln!(
                "  {connections:>3} connections: {:>7.0}/s, p99 {:?} ms, errors {}",
                level.throughput(),
                stats::ms(level.latencies.percentile(99.0)),
                level.errors
            );
            if let Some(e) = &level.first_error {
                eprintln!("      first error: {e}");
            }
            levels.push(level);
        }
        let peak_rss = emulator.peak_rss();
        drop(emulator);
        anyhow::Ok(CompleteRun {
            backend: config.backend,
            history: config.history,
            stored_before: config.history + seeded.ready.len() as u64,
            https: config.tls != Tls::Off,
            round,
            seeding_history_seconds: seeded.history_time.as_secs_f64(),
            seeding_ready_seconds: seeded.ready_time.as_secs_f64(),
            seeded_history: seeded.history,
            seeded_ready: seeded.ready.len(),
            presign_seconds: presign_time.as_secs_f64(),
            peak_rss_bytes: peak_rss,
            levels,
        })
    })();
    rt.block_on(db.drop_it());
    result
}

fn run() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    std::fs::create_dir_all(&args.work_dir)
        .with_context(|| format!("creating {}", args.work_dir.display()))?;
    let mut report = Report::start(system::Machine::detect(&args.work_dir));
    eprintln!(
        "machine: {} cores, {}, load {:?}",
        report.machine.cores, report.machine.cpu, report.load_before
    );

    if args.wants("signing") {
        eprintln!("signing");
        let example = args
            .signing_example
            .clone()
            .unwrap_or_else(|| args.sibling("examples/bench"));
        report.signing = signing::measure(
            &example,
            &args.node_dir,
            args.signing_rounds,
            args.signing_seconds,
        )?;
    }

    if args.wants("complete") {
        eprintln!("irreducible work: openssl speed rsa2048, SQLite durable commits");
        let i = irreducible::measure(&rt, &args.work_dir, args.irreducible_seconds)?;
        eprintln!(
            "  {:.0} verify/s; one-row commit alone {:.0}/s",
            i.openssl_verify_per_second,
            i.commits.first().map_or(f64::NAN, |c| c.commits_per_second)
        );
        report.irreducible = Some(i);
        let mut configs = vec![Config {
            backend: "sqlite",
            history: args.history,
            tls: Tls::Off,
            connections: args.connections.clone(),
            journal_size: None,
        }];
        if args.postgres.is_some() {
            configs.push(Config {
                backend: "postgres",
                ..configs[0].clone()
            });
        } else {
            eprintln!("no --postgres: PostgreSQL rows skipped");
        }
        if args.million {
            configs.push(Config {
                history: args.million_history,
                ..configs[0].clone()
            });
        }
        for config in &configs {
            // The million-checkout database takes minutes to seed: one round of it.
            let rounds = if config.history >= 100_000 {
                1
            } else {
                args.rounds
            };
            for round in 1..=rounds {
                report
                    .complete
                    .push(complete_run(&args, &rt, config, round)?);
            }
        }
    }

    if args.wants("https") {
        let config = Config {
            backend: "sqlite",
            history: args.history,
            tls: Tls::SelfSigned,
            connections: vec![*args.connections.iter().max().unwrap_or(&64)],
            journal_size: None,
        };
        report.complete.push(complete_run(&args, &rt, &config, 1)?);
    }

    if args.wants("journal") {
        journal_ab(&args, &rt)?;
    }

    if args.wants("checkout") {
        eprintln!("checkout: full checkouts through the SDKs");
        let dir = std::path::absolute(args.work_dir.join("checkout"))?;
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let amzpay = args.amzpay.clone().unwrap_or_else(emulator::default_amzpay);
        let url = format!("sqlite://{}", dir.join("emulator.db").display());
        let emulator = Emulator::start(&amzpay, &dir, &url, Tls::SelfSigned, &[])?;
        let ca = dir.join("tls").join("ca.pem");
        let duration = Duration::from_secs(args.checkout_seconds);
        for &c in &args.checkout_concurrency {
            let r = rt.block_on(checkout::rust_sdk(&emulator, c, duration))?;
            eprintln!("  Rust SDK, {c} at a time: {:.1}/s", r.per_second);
            report.checkout.push(r);
            let n = checkout::node_sdk(&emulator, &args.node_dir, &ca, c, duration)?;
            eprintln!("  Node.js SDK, {c} at a time: {:.1}/s", n.per_second);
            report.checkout.push(n);
        }
        drop(emulator);
        let _ = std::fs::remove_dir_all(&dir);
    }

    if args.wants("harness") {
        eprintln!("harness: in-process emulators, start-up to ready");
        let example = args
            .harness_example
            .clone()
            .unwrap_or_else(|| args.sibling("examples/startup"));
        let r = harness::measure(&example, 30, 8)?;
        eprintln!(
            "  ready in {:.1} ms (median of {}), {:.1} ms max; {} at once: {:.0} ms",
            r.ready_median_ms, r.starts, r.ready_max_ms, r.parallel, r.parallel_all_ready_ms
        );
        report.harness = Some(r);
    }

    if args.wants("peers") {
        eprintln!("peers: the emulator, Prism and Mockoon CLI side by side");
        report.peers = Some(peers::measure(
            &rt,
            &peers::Settings {
                amzpay: args.amzpay.clone().unwrap_or_else(emulator::default_amzpay),
                node_dir: args.node_dir.clone(),
                openapi: args.openapi.clone(),
                work_dir: args.work_dir.clone(),
                connections: args.connections.clone(),
                seconds: args.peers_seconds,
                max_rate: args.max_rate,
            },
        )?);
    }

    report.finish();
    print!("{}", report.table());
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&report.to_json())?)
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("\nwrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The journal's cost: Complete at the largest connection count, journal off and on (default
/// size) alternated, the order swapped every round so neither side always runs second. Prints
/// each run, the medians and their ratio, and writes them next to `--out` (`journal-ab.json`).
fn journal_ab(args: &Args, rt: &tokio::runtime::Runtime) -> anyhow::Result<()> {
    let connections = *args.connections.iter().max().unwrap_or(&64);
    let config = |journal_size| Config {
        backend: "sqlite",
        history: args.history,
        tls: Tls::Off,
        connections: vec![connections],
        journal_size,
    };
    let (mut off, mut on) = (Vec::new(), Vec::new());
    for round in 1..=args.rounds {
        let order = if round % 2 == 1 {
            [Some(0), None]
        } else {
            [None, Some(0)]
        };
        for size in order {
            let run = complete_run(args, rt, &config(size), round)?;
            let per_second = run
                .levels
                .first()
                .map_or(0.0, load::LevelResult::throughput);
            eprintln!(
                "journal {}: round {round}: {per_second:.0}/s",
                if size == Some(0) { "off" } else { "on" }
            );
            if size == Some(0) {
                off.push(per_second);
            } else {
                on.push(per_second);
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let (m_off, m_on) = (median(&mut off.clone()), median(&mut on.clone()));
    let ratio = if m_off > 0.0 { m_on / m_off } else { 0.0 };
    println!(
        "journal at {connections} connections: off {m_off:.0}/s, on {m_on:.0}/s (median of {}), on/off = {ratio:.3}",
        args.rounds
    );
    let out = args.out.with_file_name("journal-ab.json");
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let json = serde_json::json!({
        "connections": connections,
        "history": args.history,
        "off_per_second": off,
        "on_per_second": on,
        "median_off": m_off,
        "median_on": m_on,
        "ratio_on_off": ratio,
    });
    std::fs::write(&out, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
