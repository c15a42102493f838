//! The table on stdout and `results.json`: every run, the medians, and the targets.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Value, json};

use crate::checkout::CheckoutResult;
use crate::harness::HarnessResult;
use crate::irreducible::Irreducible;
use crate::load::LevelResult;
use crate::signing::SigningRow;
use crate::stats::{median, ms};
use crate::system::{Machine, load_average};

/// One run of one Complete configuration.
#[derive(Debug)]
pub(crate) struct CompleteRun {
    pub(crate) backend: &'static str,
    pub(crate) history: u64,
    pub(crate) stored_before: u64,
    pub(crate) https: bool,
    pub(crate) round: usize,
    pub(crate) seeding_history_seconds: f64,
    pub(crate) seeding_ready_seconds: f64,
    pub(crate) seeded_history: u64,
    pub(crate) seeded_ready: usize,
    pub(crate) presign_seconds: f64,
    pub(crate) peak_rss_bytes: Option<u64>,
    pub(crate) levels: Vec<LevelResult>,
}

/// Everything measured.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) machine: Machine,
    pub(crate) load_before: [f64; 3],
    load_after: [f64; 3],
    started_at: String,
    pub(crate) signing: Vec<SigningRow>,
    pub(crate) complete: Vec<CompleteRun>,
    pub(crate) checkout: Vec<CheckoutResult>,
    pub(crate) harness: Option<HarnessResult>,
    pub(crate) irreducible: Option<Irreducible>,
    pub(crate) peers: Option<crate::peers::PeersResult>,
}

/// (https, backend, history, connections).
type GroupKey = (bool, &'static str, u64, usize);

/// Medians over the rounds of one (configuration, connections).
#[derive(Debug)]
struct Summary {
    backend: &'static str,
    history: u64,
    stored_before: u64,
    https: bool,
    connections: usize,
    rounds: usize,
    throughput: f64,
    p50: f64,
    p99: f64,
    p999: f64,
    errors: usize,
    generator_cpu: f64,
    emulator_cpu: f64,
    /// The emulator's CPU per successful request, in microseconds.
    emulator_cpu_us_per_request: f64,
    database_cpu: Option<f64>,
    peak_rss_mib: Option<f64>,
    seeding_seconds: f64,
}

fn pct(cpu: std::time::Duration, level: &LevelResult) -> f64 {
    100.0 * cpu.as_secs_f64() / level.elapsed.as_secs_f64()
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

const TARGET_RATE: f64 = 2000.0;
const TARGET_P99_MS: f64 = 50.0;
const TARGET_HISTORY_RATIO: f64 = 0.9;
const TARGET_RSS_MIB: f64 = 200.0;
const TARGET_VS_OPENSSL: f64 = 0.9;
/// Issue 19: an in-process emulator is ready for a test within this many milliseconds.
const TARGET_HARNESS_READY_MS: f64 = 50.0;
/// Issue 18: the emulator uses at least this many cores at 64 connections on SQLite.
const TARGET_CORES: f64 = 1.8;
/// Issue 18: CPU per Complete at most this multiple of the irreducible work.
const TARGET_IRREDUCIBLE_MULTIPLE: f64 = 6.0;
/// Issue 18: p99 at 64 connections at most this multiple of the p50 at 1 connection.
const TARGET_TAIL_MULTIPLE: f64 = 25.0;

/// Issue 18's machine-independent figures of one concurrency level (SQLite, plain HTTP, the
/// ordinary history).
#[derive(Debug, Clone, PartialEq)]
struct Efficiency {
    connections: usize,
    /// The emulator's CPU per Complete, in microseconds.
    cpu_us_per_complete: f64,
    /// One verification plus one row's share of a durable commit at this level's grouping.
    irreducible_us: f64,
    /// Rows per commit of that grouping.
    rows_per_commit: usize,
    /// `cpu_us_per_complete / irreducible_us`.
    multiple: f64,
    /// The emulator's CPU during the level, in cores.
    cores: f64,
    /// Completes per second divided by `openssl speed` verifications per CPU-second.
    per_verify: f64,
}

/// The machine-independent figures of every SQLite level with `history` stored.
fn efficiency(summaries: &[Summary], irreducible: &Irreducible, history: u64) -> Vec<Efficiency> {
    summaries
        .iter()
        .filter(|s| s.backend == "sqlite" && !s.https && s.history == history)
        .filter_map(|s| {
            let commit = irreducible.commit_at(s.connections)?;
            let irreducible_us = irreducible.cpu_us_at(s.connections)?;
            Some(Efficiency {
                connections: s.connections,
                cpu_us_per_complete: s.emulator_cpu_us_per_request,
                irreducible_us,
                rows_per_commit: commit.rows_per_commit,
                multiple: s.emulator_cpu_us_per_request / irreducible_us,
                cores: s.emulator_cpu / 100.0,
                per_verify: s.throughput / irreducible.openssl_verify_per_second,
            })
        })
        .collect()
}

/// `p99 at 64 connections / p50 at 1 connection` on SQLite with `history` stored.
fn tail_multiple(summaries: &[Summary], history: u64) -> Option<f64> {
    let one = Report::find(summaries, "sqlite", history, 1)?;
    let many = Report::find(summaries, "sqlite", history, 64)?;
    Some(many.p99 / one.p50)
}

/// Issue 18's targets: (name, measured, met).
fn issue18_targets(
    summaries: &[Summary],
    irreducible: Option<&Irreducible>,
    history: u64,
) -> Vec<(String, String, Option<bool>)> {
    let mut t = Vec::new();
    if let Some(s) = Report::find(summaries, "sqlite", history, 64) {
        let cores = s.emulator_cpu / 100.0;
        t.push((
            format!("emulator CPU at 64 connections on SQLite >= {TARGET_CORES} cores"),
            format!("{cores:.2} cores"),
            Some(cores >= TARGET_CORES),
        ));
    }
    if let Some(e) = irreducible
        .map(|i| efficiency(summaries, i, history))
        .and_then(|rows| rows.into_iter().find(|e| e.connections == 64))
    {
        t.push((
            format!(
                "emulator CPU per Complete at 64 connections <= {TARGET_IRREDUCIBLE_MULTIPLE} x (verify + commit)"
            ),
            format!(
                "{:.1} x ({:.0} us / {:.0} us)",
                e.multiple, e.cpu_us_per_complete, e.irreducible_us
            ),
            Some(e.multiple <= TARGET_IRREDUCIBLE_MULTIPLE),
        ));
    }
    if let Some(m) = tail_multiple(summaries, history) {
        t.push((
            format!("p99 at 64 connections <= {TARGET_TAIL_MULTIPLE} x p50 at 1 connection"),
            format!("{m:.1} x"),
            Some(m <= TARGET_TAIL_MULTIPLE),
        ));
    }
    t
}

impl Report {
    pub(crate) fn start(machine: Machine) -> Report {
        Report {
            machine,
            load_before: load_average(),
            load_after: [f64::NAN; 3],
            started_at: now_rfc3339(),
            signing: Vec::new(),
            complete: Vec::new(),
            checkout: Vec::new(),
            harness: None,
            irreducible: None,
            peers: None,
        }
    }

    pub(crate) fn finish(&mut self) {
        self.load_after = load_average();
    }

    fn summaries(&self) -> Vec<Summary> {
        let mut groups: BTreeMap<GroupKey, Vec<(&CompleteRun, &LevelResult)>> = BTreeMap::new();
        for run in &self.complete {
            for level in &run.levels {
                groups
                    .entry((run.https, run.backend, run.history, level.connections))
                    .or_default()
                    .push((run, level));
            }
        }
        groups
            .into_iter()
            .map(|((https, backend, history, connections), runs)| {
                let m = |f: &dyn Fn(&CompleteRun, &LevelResult) -> f64| {
                    median(&runs.iter().map(|(r, l)| f(r, l)).collect::<Vec<_>>())
                };
                let p = |q: f64| m(&|_, l| ms(l.latencies.percentile(q)).unwrap_or(f64::NAN));
                let db: Vec<f64> = runs
                    .iter()
                    .filter_map(|(_, l)| l.database_cpu.map(|c| pct(c, l)))
                    .collect();
                let rss: Vec<f64> = runs
                    .iter()
                    .filter_map(|(r, _)| r.peak_rss_bytes.map(|b| b as f64 / 1048576.0))
                    .collect();
                Summary {
                    backend,
                    history,
                    stored_before: runs[0].0.stored_before,
                    https,
                    connections,
                    rounds: runs.len(),
                    throughput: m(&|_, l| l.throughput()),
                    p50: p(50.0),
                    p99: p(99.0),
                    p999: p(99.9),
                    errors: runs.iter().map(|(_, l)| l.errors).sum(),
                    generator_cpu: m(&|_, l| pct(l.generator_cpu, l)),
                    emulator_cpu: m(&|_, l| pct(l.emulator_cpu, l)),
                    emulator_cpu_us_per_request: m(&|_, l| {
                        1e6 * l.emulator_cpu.as_secs_f64() / l.ok as f64
                    }),
                    database_cpu: (!db.is_empty()).then(|| median(&db)),
                    peak_rss_mib: rss.iter().copied().reduce(f64::max),
                    seeding_seconds: m(&|r, _| r.seeding_history_seconds),
                }
            })
            .collect()
    }

    fn find<'a>(
        summaries: &'a [Summary],
        backend: &str,
        history: u64,
        connections: usize,
    ) -> Option<&'a Summary> {
        summaries.iter().find(|s| {
            !s.https && s.backend == backend && s.history == history && s.connections == connections
        })
    }

    /// The targets of issue 8 with what was measured: (name, measured, met).
    fn targets(&self, summaries: &[Summary]) -> Vec<(String, String, Option<bool>)> {
        let mut t = Vec::new();
        let small = summaries
            .iter()
            .filter(|s| s.backend == "sqlite" && !s.https)
            .map(|s| s.history)
            .min();
        let big = summaries
            .iter()
            .filter(|s| s.backend == "sqlite" && !s.https)
            .map(|s| s.history)
            .max()
            .filter(|b| Some(*b) != small);
        if let Some(s) = small.and_then(|h| Self::find(summaries, "sqlite", h, 64)) {
            t.push((
                format!("SQLite Complete at 64 connections >= {TARGET_RATE:.0}/s"),
                format!("{:.0}/s", s.throughput),
                Some(s.throughput >= TARGET_RATE),
            ));
            t.push((
                format!("SQLite Complete at 64 connections p99 < {TARGET_P99_MS:.0} ms"),
                format!("{:.1} ms", s.p99),
                Some(s.p99 < TARGET_P99_MS),
            ));
        }
        if let (Some(small), Some(big)) = (small, big) {
            if let (Some(a), Some(b)) = (
                Self::find(summaries, "sqlite", small, 64),
                Self::find(summaries, "sqlite", big, 64),
            ) {
                let ratio = b.throughput / a.throughput;
                t.push((
                    format!(
                        "throughput with {big} stored >= {:.0} % of {small} (64 connections)",
                        TARGET_HISTORY_RATIO * 100.0
                    ),
                    format!("{:.0} %", ratio * 100.0),
                    Some(ratio >= TARGET_HISTORY_RATIO),
                ));
                if let Some(rss) = b.peak_rss_mib {
                    t.push((
                        format!("emulator peak RSS with {big} stored < {TARGET_RSS_MIB:.0} MB"),
                        format!("{rss:.0} MiB"),
                        Some(rss < TARGET_RSS_MIB),
                    ));
                }
            }
        }
        if let Some(small) = small {
            t.extend(issue18_targets(summaries, self.irreducible.as_ref(), small));
        }
        if let Some(h) = &self.harness {
            t.push((
                format!(
                    "test harness start-up to ready < {TARGET_HARNESS_READY_MS:.0} ms (median)"
                ),
                format!("{:.1} ms", h.ready_median_ms),
                Some(h.ready_median_ms < TARGET_HARNESS_READY_MS),
            ));
        }
        for row in &self.signing {
            t.push((
                format!(
                    "{} signing (RSA-PSS) >= {TARGET_VS_OPENSSL}x openssl speed",
                    row.algorithm
                ),
                format!("{:.2}x", row.vs_openssl()),
                Some(row.vs_openssl() >= TARGET_VS_OPENSSL),
            ));
            t.push((
                format!(
                    "{} request signing faster than the Node.js SDK",
                    row.algorithm
                ),
                format!("{:.2}x", row.vs_node()),
                Some(row.vs_node() > 1.0),
            ));
        }
        t
    }

    /// The ordinary history of the SQLite rows (the smallest), if any ran.
    fn small_history(summaries: &[Summary]) -> Option<u64> {
        summaries
            .iter()
            .filter(|s| s.backend == "sqlite" && !s.https)
            .map(|s| s.history)
            .min()
    }

    /// Issue 18: the irreducible work and the emulator's figures as multiples of it.
    fn write_irreducible(&self, out: &mut String, i: &Irreducible, summaries: &[Summary]) {
        let _ = writeln!(
            out,
            "\nIrreducible work, measured alone in this run (issue 18)\n  \
             openssl speed rsa2048: {:.0} verify/s, {:.0} sign/s per CPU-second: one verify = {:.1} us of CPU",
            i.openssl_verify_per_second,
            i.openssl_sign_per_second,
            i.verify_cpu_us()
        );
        let _ = writeln!(
            out,
            "  SQLite durable commit (WAL, synchronous=FULL, one 1 KiB row per insert, through sqlx):"
        );
        let _ = writeln!(
            out,
            "  {:>10} {:>10} {:>12} {:>12}",
            "rows/commit", "commits/s", "wall us/row", "CPU us/row"
        );
        for c in &i.commits {
            let _ = writeln!(
                out,
                "  {:>10} {:>10.0} {:>12.1} {:>12.1}",
                c.rows_per_commit, c.commits_per_second, c.wall_us_per_row, c.cpu_us_per_row
            );
        }
        let Some(history) = Self::small_history(summaries) else {
            return;
        };
        let rows = efficiency(summaries, i, history);
        if rows.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "\nComplete on SQLite ({history} stored) against the irreducible work of the same run"
        );
        let _ = writeln!(
            out,
            "{:>5} {:>12} {:>9} {:>14} {:>9} {:>7} {:>16}",
            "conns",
            "CPU us/req",
            "rows/cmt",
            "irreducible us",
            "multiple",
            "cores",
            "req/s / verify/s"
        );
        for e in &rows {
            let _ = writeln!(
                out,
                "{:>5} {:>12.0} {:>9} {:>14.1} {:>9.1} {:>7.2} {:>16.3}",
                e.connections,
                e.cpu_us_per_complete,
                e.rows_per_commit,
                e.irreducible_us,
                e.multiple,
                e.cores,
                e.per_verify
            );
        }
        if let Some(m) = tail_multiple(summaries, history) {
            let _ = writeln!(out, "p99 at 64 connections / p50 at 1 connection: {m:.1}");
        }
        let _ = writeln!(
            out,
            "(irreducible = one verify + one row's CPU share of a commit grouping as many rows as there are connections, at most {}; multiple = emulator CPU per Complete / irreducible)",
            crate::irreducible::BATCHES[crate::irreducible::BATCHES.len() - 1]
        );
    }

    /// The human-readable table.
    pub(crate) fn table(&self) -> String {
        let summaries = self.summaries();
        let mut out = String::new();
        let m = &self.machine;
        let _ = writeln!(
            out,
            "\nmachine: {} x {}, {} MiB, disk {} (4 KiB write + fdatasync: {:.2} ms), kernel {}",
            m.cores, m.cpu, m.memory_mib, m.disk, m.fsync_ms, m.kernel
        );
        let _ = writeln!(
            out,
            "load average: {:.2} {:.2} {:.2} at the start, {:.2} {:.2} {:.2} at the end",
            self.load_before[0],
            self.load_before[1],
            self.load_before[2],
            self.load_after[0],
            self.load_after[1],
            self.load_after[2]
        );
        if !summaries.is_empty() {
            let _ = writeln!(
                out,
                "\nComplete Checkout Session (signatures verified, durable storage; plain HTTP on loopback unless https; medians of the runs)"
            );
            let _ = writeln!(
                out,
                "{:<9} {:<6} {:>10} {:>5} {:>4} {:>8} {:>7} {:>7} {:>8} {:>6} {:>7} {:>7} {:>7} {:>8}",
                "backend",
                "proto",
                "stored",
                "conns",
                "runs",
                "req/s",
                "p50 ms",
                "p99 ms",
                "p99.9 ms",
                "errors",
                "gen %",
                "emu %",
                "db %",
                "RSS MiB"
            );
            for s in &summaries {
                let _ = writeln!(
                    out,
                    "{:<9} {:<6} {:>10} {:>5} {:>4} {:>8.0} {:>7.2} {:>7.2} {:>8.2} {:>6} {:>7.0} {:>7.0} {:>7} {:>8}",
                    s.backend,
                    if s.https { "https" } else { "http" },
                    s.stored_before,
                    s.connections,
                    s.rounds,
                    s.throughput,
                    s.p50,
                    s.p99,
                    s.p999,
                    s.errors,
                    s.generator_cpu,
                    s.emulator_cpu,
                    s.database_cpu.map_or("-".into(), |c| format!("{c:.0}")),
                    s.peak_rss_mib.map_or("-".into(), |r| format!("{r:.0}")),
                );
            }
            let _ = writeln!(
                out,
                "(CPU columns: % of one core during the measured phase; gen = this load generator, emu = the emulator, db = PostgreSQL)"
            );
            let mut seen = std::collections::BTreeSet::new();
            for run in &self.complete {
                if seen.insert((run.backend, run.history)) && run.seeded_history > 0 {
                    let s = summaries
                        .iter()
                        .find(|s| s.backend == run.backend && s.history == run.history)
                        .map_or(run.seeding_history_seconds, |s| s.seeding_seconds);
                    let _ = writeln!(
                        out,
                        "seeding {}: {} completed checkouts in {:.1} s ({:.0}/s) through the store crate; {} ready sessions in {:.1} s; pre-signing {:.1} s",
                        run.backend,
                        run.seeded_history,
                        s,
                        run.seeded_history as f64 / s,
                        run.seeded_ready,
                        run.seeding_ready_seconds,
                        run.presign_seconds
                    );
                }
            }
        }
        if let Some(i) = &self.irreducible {
            self.write_irreducible(&mut out, i, &summaries);
        }
        if let Some(p) = &self.peers {
            p.write_table(&mut out);
        }
        if !self.checkout.is_empty() {
            let _ = writeln!(
                out,
                "\nFull checkout over HTTPS (create, buyer step, update, payment step, complete[, capture, refund])"
            );
            let _ = writeln!(
                out,
                "{:<22} {:>5} {:>10} {:>8} {:>8} {:>14} {:>16}  steps",
                "client",
                "conc",
                "checkout/s",
                "p50 ms",
                "p99 ms",
                "client CPU ms",
                "emulator CPU ms"
            );
            for c in &self.checkout {
                let _ = writeln!(
                    out,
                    "{:<22} {:>5} {:>10.1} {:>8.1} {:>8.1} {:>14.2} {:>16.2}  {}",
                    c.client,
                    c.concurrency,
                    c.per_second,
                    c.p50_ms.unwrap_or(f64::NAN),
                    c.p99_ms.unwrap_or(f64::NAN),
                    c.client_cpu_ms_per_checkout,
                    c.emulator_cpu_ms_per_checkout,
                    match c.steps {
                        crate::checkout::Steps::Full => "full",
                        crate::checkout::Steps::WithoutCaptureAndRefund =>
                            "no capture/refund (not in the emulator yet)",
                    }
                );
            }
            let _ = writeln!(out, "(CPU per checkout; the admin API calls are included)");
        }
        if !self.signing.is_empty() {
            let _ = writeln!(
                out,
                "\nSigning, per CPU-second, one thread (medians of the rounds)"
            );
            let _ = writeln!(
                out,
                "{:<24} {:>10} {:>10} {:>10} {:>7} {:>10} {:>7} {:>11} {:>7}",
                "algorithm",
                "SDK req/s",
                "RSA-PSS/s",
                "openssl/s",
                "ratio",
                "Node PEM/s",
                "ratio",
                "Node KeyObj",
                "ratio"
            );
            for r in &self.signing {
                let _ = writeln!(
                    out,
                    "{:<24} {:>10.0} {:>10.0} {:>10.0} {:>7.2} {:>10.0} {:>7.2} {:>11.0} {:>7.2}",
                    r.algorithm,
                    r.sdk_request,
                    r.sdk_rsa_pss,
                    r.openssl,
                    r.vs_openssl(),
                    r.node_pem,
                    r.vs_node(),
                    r.node_keyobject,
                    r.vs_node_keyobject()
                );
            }
            let _ = writeln!(
                out,
                "(ratio vs openssl: RSA-PSS primitive / openssl speed rsa2048 sign; ratios vs Node: SDK request / Node.js SDK getSignedHeaders)"
            );
        }
        if let Some(h) = &self.harness {
            let _ = writeln!(
                out,
                "\nTest harness (amzpay-emulator-testing, in process, temporary SQLite, plain HTTP)\n  \
                 start-up to first answer: median {:.1} ms, max {:.1} ms over {} starts \
                 (Emulator::start() alone: {:.1} ms); {} at once: all ready in {:.0} ms",
                h.ready_median_ms,
                h.ready_max_ms,
                h.starts,
                h.start_median_ms,
                h.parallel,
                h.parallel_all_ready_ms
            );
        }
        let targets = self.targets(&summaries);
        if !targets.is_empty() {
            let _ = writeln!(out, "\nTargets");
            for (name, measured, met) in targets {
                let verdict = match met {
                    Some(true) => "met",
                    Some(false) => "MISSED",
                    None => "-",
                };
                let _ = writeln!(out, "  {verdict:<7} {name}: {measured}");
            }
        }
        out
    }

    /// Everything, for `results.json`.
    pub(crate) fn to_json(&self) -> Value {
        let summaries = self.summaries();
        let runs: Vec<Value> = self
            .complete
            .iter()
            .map(|r| {
                json!({
                    "backend": r.backend,
                    "https": r.https,
                    "history": r.history,
                    "storedBefore": r.stored_before,
                    "round": r.round,
                    "seeding": {
                        "historyCheckouts": r.seeded_history,
                        "historySeconds": r.seeding_history_seconds,
                        "readySessions": r.seeded_ready,
                        "readySeconds": r.seeding_ready_seconds,
                        "presignSeconds": r.presign_seconds,
                    },
                    "peakRssBytes": r.peak_rss_bytes,
                    "levels": r.levels.iter().map(|l| json!({
                        "connections": l.connections,
                        "ok": l.ok,
                        "errors": l.errors,
                        "firstError": l.first_error,
                        "seconds": l.elapsed.as_secs_f64(),
                        "perSecond": l.throughput(),
                        "p50Ms": ms(l.latencies.percentile(50.0)),
                        "p99Ms": ms(l.latencies.percentile(99.0)),
                        "p999Ms": ms(l.latencies.percentile(99.9)),
                        "meanMs": ms(l.latencies.mean()),
                        "generatorCpuSeconds": l.generator_cpu.as_secs_f64(),
                        "emulatorCpuSeconds": l.emulator_cpu.as_secs_f64(),
                        "databaseCpuSeconds": l.database_cpu.map(|d| d.as_secs_f64()),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let medians: Vec<Value> = summaries
            .iter()
            .map(|s| {
                json!({
                    "backend": s.backend,
                    "https": s.https,
                    "history": s.history,
                    "storedBefore": s.stored_before,
                    "connections": s.connections,
                    "runs": s.rounds,
                    "perSecond": s.throughput,
                    "p50Ms": s.p50,
                    "p99Ms": s.p99,
                    "p999Ms": s.p999,
                    "errors": s.errors,
                    "generatorCpuPercent": s.generator_cpu,
                    "emulatorCpuPercent": s.emulator_cpu,
                    "emulatorCpuUsPerRequest": s.emulator_cpu_us_per_request,
                    "databaseCpuPercent": s.database_cpu,
                    "peakRssMiB": s.peak_rss_mib,
                })
            })
            .collect();
        let targets: Vec<Value> = self
            .targets(&summaries)
            .into_iter()
            .map(|(name, measured, met)| json!({"target": name, "measured": measured, "met": met}))
            .collect();
        json!({
            "startedAt": self.started_at,
            "finishedAt": now_rfc3339(),
            "machine": self.machine,
            "loadAverageBefore": self.load_before,
            "loadAverageAfter": self.load_after,
            "complete": { "medians": medians, "runs": runs },
            "checkout": self.checkout,
            "harness": self.harness,
            "signing": self.signing.iter().map(|r| json!({
                "algorithm": r.algorithm,
                "sdkRequestPerCpuSecond": r.sdk_request,
                "sdkRsaPssPerCpuSecond": r.sdk_rsa_pss,
                "opensslSignPerCpuSecond": r.openssl,
                "nodePemPerCpuSecond": r.node_pem,
                "nodeKeyObjectPerCpuSecond": r.node_keyobject,
                "ratioVsOpenssl": r.vs_openssl(),
                "ratioVsNode": r.vs_node(),
                "ratioVsNodeKeyObject": r.vs_node_keyobject(),
            })).collect::<Vec<_>>(),
            "irreducible": self.irreducible.as_ref().map(|i| {
                let history = Self::small_history(&summaries);
                json!({
                    "measured": i,
                    "verifyCpuUs": i.verify_cpu_us(),
                    "sqlite": history.map(|h| efficiency(&summaries, i, h).iter().map(|e| json!({
                        "connections": e.connections,
                        "emulatorCpuUsPerComplete": e.cpu_us_per_complete,
                        "irreducibleCpuUs": e.irreducible_us,
                        "rowsPerCommit": e.rows_per_commit,
                        "multiple": e.multiple,
                        "emulatorCores": e.cores,
                        "throughputPerOpensslVerify": e.per_verify,
                    })).collect::<Vec<_>>()),
                    "p99At64OverP50At1": history.and_then(|h| tail_multiple(&summaries, h)),
                })
            }),
            "peers": self.peers.as_ref().map(|p| p.to_json()),
            "targets": targets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::irreducible::CommitFigure;

    fn summary(connections: usize, throughput: f64, p50: f64, p99: f64, cpu: f64) -> Summary {
        Summary {
            backend: "sqlite",
            history: 10_000,
            stored_before: 60_000,
            https: false,
            connections,
            rounds: 1,
            throughput,
            p50,
            p99,
            p999: p99,
            errors: 0,
            generator_cpu: 5.0,
            emulator_cpu: cpu,
            emulator_cpu_us_per_request: 1e4 * cpu / throughput,
            database_cpu: None,
            peak_rss_mib: Some(90.0),
            seeding_seconds: 1.0,
        }
    }

    fn irreducible() -> Irreducible {
        let commit = |rows, cpu| CommitFigure {
            rows_per_commit: rows,
            commits: 100,
            commits_per_second: 1000.0,
            wall_us_per_row: 100.0,
            cpu_us_per_row: cpu,
        };
        Irreducible {
            openssl_verify_per_second: 40_000.0,
            openssl_sign_per_second: 1_200.0,
            commits: vec![commit(1, 75.0), commit(16, 15.0), commit(64, 10.0)],
        }
    }

    #[test]
    fn efficiency_divides_cpu_per_complete_by_verify_plus_the_grouped_commit() {
        // 4 000/s on 1.2 cores: 300 us per Complete; irreducible at 64 connections 25 + 10 us.
        let summaries = [
            summary(1, 1_000.0, 0.8, 3.0, 80.0),
            summary(64, 4_000.0, 15.0, 28.0, 120.0),
        ];
        let rows = efficiency(&summaries, &irreducible(), 10_000);
        assert_eq!(rows.len(), 2);
        let at64 = &rows[1];
        assert_eq!(at64.connections, 64);
        assert_eq!(at64.rows_per_commit, 64);
        assert!((at64.cpu_us_per_complete - 300.0).abs() < 1e-9);
        assert!((at64.irreducible_us - 35.0).abs() < 1e-9);
        assert!((at64.multiple - 300.0 / 35.0).abs() < 1e-9);
        assert!((at64.cores - 1.2).abs() < 1e-9);
        assert!((at64.per_verify - 0.1).abs() < 1e-9);
        assert_eq!(rows[0].rows_per_commit, 1);
        assert!((rows[0].irreducible_us - 100.0).abs() < 1e-9);
    }

    #[test]
    fn issue_18_targets_are_met_or_missed_by_their_thresholds() {
        let missed = [
            summary(1, 1_000.0, 0.8, 3.0, 80.0),
            summary(64, 4_000.0, 15.0, 28.0, 120.0),
        ];
        let t = issue18_targets(&missed, Some(&irreducible()), 10_000);
        let verdicts: Vec<Option<bool>> = t.iter().map(|(_, _, met)| *met).collect();
        // 1.2 cores < 1.8; 8.6 x > 6 x; 28 / 0.8 = 35 x > 25 x.
        assert_eq!(verdicts, [Some(false), Some(false), Some(false)]);
        assert_eq!(t[2].1, "35.0 x");

        // 12 000/s on 1.9 cores: 158 us per Complete, 4.5 x; 29 / 1.2 = 24.2 x.
        let met = [
            summary(1, 1_000.0, 1.2, 3.0, 80.0),
            summary(64, 12_000.0, 5.0, 29.0, 190.0),
        ];
        let t = issue18_targets(&met, Some(&irreducible()), 10_000);
        let verdicts: Vec<Option<bool>> = t.iter().map(|(_, _, met)| *met).collect();
        assert_eq!(verdicts, [Some(true), Some(true), Some(true)]);
    }

    #[test]
    fn without_the_irreducible_work_only_cores_and_tail_are_judged() {
        let summaries = [
            summary(1, 1_000.0, 0.8, 3.0, 80.0),
            summary(64, 4_000.0, 15.0, 18.0, 185.0),
        ];
        let t = issue18_targets(&summaries, None, 10_000);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].2, Some(true));
        assert_eq!(t[1].2, Some(true));
    }
}
