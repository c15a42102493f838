//! The table on stdout and `results.json`: every run, the medians, and the targets.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Value, json};

use crate::checkout::CheckoutResult;
use crate::harness::HarnessResult;
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
            "targets": targets,
        })
    }
}
