//! `amzpay-torture`: the crash-safety command (`scripts/crash-test`). See the library docs.

use std::path::PathBuf;
use std::process::ExitCode;

use amzpay_torture::crash::{CrashConfig, run};
use amzpay_torture::emulator::locate_amzpay;
use amzpay_torture::postgres::FreshDatabase;
use anyhow::Context;
use clap::Parser;

/// Kills the emulator with SIGKILL under a mixed checkout workload and checks, after every
/// restart, that every acknowledged request is reflected exactly in the stored state, nothing is
/// duplicated, and idempotent replays return the original answers. Exits 1 on any violation.
#[derive(Debug, Parser)]
#[command(name = "amzpay-torture", version)]
struct Args {
    /// Storage backend: `sqlite` (a file in a temporary data directory) or `postgres` (a fresh
    /// database on --database-url).
    #[arg(long, default_value = "sqlite", value_parser = ["sqlite", "postgres"])]
    database: String,
    /// A PostgreSQL server URL for `--database postgres`.
    #[arg(long, env = "TEST_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Number of SIGKILLs (at least 1).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    kills: u32,
    /// Seed of the random choices (amounts, flows, kill moments).
    #[arg(long)]
    seed: Option<u64>,
    /// Concurrent workload tasks.
    #[arg(long, default_value_t = 4)]
    workers: usize,
    /// The `amzpay` binary (default: next to this one, or AMZPAY_BIN).
    #[arg(long)]
    amzpay: Option<PathBuf>,
    /// Print a line per kill.
    #[arg(long, short)]
    verbose: bool,
    /// Run this many times (a fresh database and, without --seed, a fresh random seed each;
    /// with --seed S, seeds S, S+1, ...) and print a summary line.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Write each run's journal (kills and every request, in order) to this file; with --runs,
    /// `.N` is added to the name. Without it a journal is written only on a violation.
    #[arg(long)]
    log: Option<PathBuf>,
    /// Read the stored state with the merchant's virtual clock running during the checks, as
    /// the checker did before issue 11: timers that come due between two reads then make a
    /// charge and its refunds disagree. Only to show that race; never for a real check.
    #[arg(long)]
    unfrozen_checks: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    match real_main().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("amzpay-torture: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn real_main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let amzpay = match &args.amzpay {
        Some(p) => p.clone(),
        None => locate_amzpay()?,
    };
    let mut failed = Vec::new();
    for i in 0..args.runs {
        let seed = match args.seed {
            Some(s) => s.wrapping_add(u64::from(i)),
            None => rand::random(),
        };
        let log = args.log.as_ref().map(|p| {
            if args.runs == 1 {
                p.clone()
            } else {
                let mut name = p.clone().into_os_string();
                name.push(format!(".{}", i + 1));
                PathBuf::from(name)
            }
        });
        if !one_run(&args, &amzpay, seed, log).await? {
            failed.push(seed);
        }
    }
    if args.runs > 1 {
        println!(
            "amzpay-torture: {} runs on {}, {} with violations{}",
            args.runs,
            args.database,
            failed.len(),
            if failed.is_empty() {
                String::new()
            } else {
                format!(" (seeds {failed:?})")
            }
        );
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One crash run; `Ok(false)` when it found violations.
async fn one_run(
    args: &Args,
    amzpay: &std::path::Path,
    seed: u64,
    log: Option<PathBuf>,
) -> anyhow::Result<bool> {
    let fresh = match args.database.as_str() {
        "postgres" => {
            let server = args
                .database_url
                .clone()
                .context("--database postgres needs --database-url or TEST_DATABASE_URL")?;
            Some(FreshDatabase::create(&server).await?)
        }
        _ => None,
    };
    println!(
        "amzpay-torture: seed {seed}, {} kills, {} workers, {}",
        args.kills, args.workers, args.database
    );
    let config = CrashConfig {
        amzpay: amzpay.to_owned(),
        database: fresh.as_ref().map(|f| f.url.clone()),
        kills: args.kills,
        seed,
        workers: args.workers,
        verbose: args.verbose,
        freeze_clock: !args.unfrozen_checks,
        log,
        ..CrashConfig::default()
    };
    let report = run(config).await;
    if let Some(f) = fresh {
        f.drop_now().await.ok();
    }
    let report = report?;
    println!("{report}");
    if !report.violations.is_empty() {
        println!("rerun with --seed {seed}");
    }
    Ok(report.violations.is_empty())
}
