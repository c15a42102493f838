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
    let seed = args.seed.unwrap_or_else(rand::random);
    let amzpay = match args.amzpay {
        Some(p) => p,
        None => locate_amzpay()?,
    };
    let fresh = match args.database.as_str() {
        "postgres" => {
            let server = args
                .database_url
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
        amzpay,
        database: fresh.as_ref().map(|f| f.url.clone()),
        kills: args.kills,
        seed,
        workers: args.workers,
        verbose: args.verbose,
        ..CrashConfig::default()
    };
    let report = run(config).await;
    if let Some(f) = fresh {
        f.drop_now().await.ok();
    }
    let report = report?;
    println!("{report}");
    Ok(if report.violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("rerun with --seed {seed}");
        ExitCode::FAILURE
    })
}
