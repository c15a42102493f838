//! The irreducible work of one Complete, measured alone in the same run (issue 18): one RSA-PSS
//! 2048 verification (`openssl speed rsa2048`, verify/s) and one durable SQLite commit of one row
//! (WAL, `synchronous=FULL`), alone and grouped as the emulator's writer groups its mutations.
//!
//! These give machine-independent figures: the emulator's CPU per Complete as a multiple of the
//! work it cannot avoid, and its throughput as a ratio to the machine's verify rate.

use std::path::Path;
use std::process::Command;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;
use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

/// Rows per commit measured: one alone, and groups as the writer forms them (a group commit at
/// `c` connections holds at most `c` mutations; the writer takes up to 256 per commit).
pub(crate) const BATCHES: [usize; 4] = [1, 16, 64, 256];

/// The size of the one row's document, about what a checkout aggregate weighs as JSON.
const ROW_BYTES: usize = 1024;

/// One batch size of the SQLite measurement.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CommitFigure {
    /// Rows per transaction.
    pub(crate) rows_per_commit: usize,
    /// Transactions committed during the measurement.
    pub(crate) commits: usize,
    /// Committed transactions per wall-clock second.
    pub(crate) commits_per_second: f64,
    /// Wall-clock time per row, in microseconds (what a writer alone could reach).
    pub(crate) wall_us_per_row: f64,
    /// CPU time of this process per row, in microseconds.
    pub(crate) cpu_us_per_row: f64,
}

/// The irreducible work, measured alone.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Irreducible {
    /// `openssl speed rsa2048` verifications per CPU-second of one core.
    pub(crate) openssl_verify_per_second: f64,
    /// `openssl speed rsa2048` signatures per CPU-second (for reference).
    pub(crate) openssl_sign_per_second: f64,
    /// One durable commit of one row, at each of [`BATCHES`].
    pub(crate) commits: Vec<CommitFigure>,
}

impl Irreducible {
    /// CPU time of one verification, in microseconds.
    pub(crate) fn verify_cpu_us(&self) -> f64 {
        1e6 / self.openssl_verify_per_second
    }

    /// The commit figure used at `connections`: the largest measured batch not above it (a group
    /// commit cannot hold more mutations than there are requests in flight).
    pub(crate) fn commit_at(&self, connections: usize) -> Option<&CommitFigure> {
        self.commits
            .iter()
            .filter(|c| c.rows_per_commit <= connections.max(1))
            .max_by_key(|c| c.rows_per_commit)
    }

    /// CPU of the irreducible work of one Complete at `connections`, in microseconds: one
    /// verification plus one row's share of a durable commit.
    pub(crate) fn cpu_us_at(&self, connections: usize) -> Option<f64> {
        Some(self.verify_cpu_us() + self.commit_at(connections)?.cpu_us_per_row)
    }
}

/// Parses `sign/s` and `verify/s` of the `rsa 2048 bits` row of `openssl speed` (its table
/// header names the columns: OpenSSL 3.0 has four, later versions add encrypt and decrypt).
pub(crate) fn parse_openssl_speed(output: &str) -> anyhow::Result<(f64, f64)> {
    let mut header: Option<Vec<&str>> = None;
    for line in output.lines() {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if tokens.contains(&"verify/s") {
            header = Some(tokens);
        } else if let Some(values) = line.trim_start().strip_prefix("rsa 2048 bits")
            && let Some(header) = &header
        {
            let values: Vec<&str> = values.split_whitespace().collect();
            let column = |name: &str| -> anyhow::Result<f64> {
                let i = header
                    .iter()
                    .position(|h| *h == name)
                    .with_context(|| format!("no {name} column"))?;
                let v = values
                    .get(i)
                    .with_context(|| format!("no {name} value in {line:?}"))?;
                f64::from_str(v).with_context(|| format!("{name} is not a number: {v:?}"))
            };
            return Ok((column("sign/s")?, column("verify/s")?));
        }
    }
    bail!("no `rsa 2048 bits` row in the output of openssl speed")
}

/// Runs `openssl speed -seconds N rsa2048`: (sign/s, verify/s) per CPU-second.
fn openssl_speed(seconds: u64) -> anyhow::Result<(f64, f64)> {
    let output = Command::new("openssl")
        .args(["speed", "-seconds", &seconds.to_string(), "rsa2048"])
        .stderr(std::process::Stdio::null())
        .output()
        .context("running openssl speed")?;
    anyhow::ensure!(output.status.success(), "openssl speed failed");
    parse_openssl_speed(&String::from_utf8_lossy(&output.stdout))
}

/// Commits transactions of `rows` one-row inserts each for `duration` on `conn`.
async fn commit_batches(
    conn: &mut sqlx::SqliteConnection,
    rows: usize,
    duration: Duration,
) -> anyhow::Result<CommitFigure> {
    let document = "x".repeat(ROW_BYTES);
    let cpu_before = crate::system::cpu_time("self").unwrap_or_default();
    let start = Instant::now();
    let mut commits = 0;
    while start.elapsed() < duration {
        // One statement text per transaction, the rows inlined, so that the measurement pays one
        // hand-off to sqlx's SQLite worker thread per commit, as the emulator's writer does.
        let mut sql = String::with_capacity(rows * (ROW_BYTES + 80) + 16);
        sql.push_str("BEGIN;");
        for _ in 0..rows {
            sql.push_str("INSERT INTO rows (id, document) VALUES ('");
            sql.push_str(&uuid::Uuid::new_v4().simple().to_string());
            sql.push_str("', '");
            sql.push_str(&document);
            sql.push_str("');");
        }
        sql.push_str("COMMIT;");
        sqlx::raw_sql(&sql)
            .execute(&mut *conn)
            .await
            .context("committing rows")?;
        commits += 1;
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu = crate::system::cpu_time("self")
        .unwrap_or_default()
        .saturating_sub(cpu_before)
        .as_secs_f64();
    let total_rows = (commits * rows) as f64;
    Ok(CommitFigure {
        rows_per_commit: rows,
        commits,
        commits_per_second: commits as f64 / wall,
        wall_us_per_row: 1e6 * wall / total_rows,
        cpu_us_per_row: 1e6 * cpu / total_rows,
    })
}

/// Durable commits of one-row inserts into a fresh database in `dir`, at each of [`BATCHES`],
/// for `seconds` each.
async fn sqlite_commits(dir: &Path, seconds: f64) -> anyhow::Result<Vec<CommitFigure>> {
    let file = tempfile::Builder::new()
        .prefix("commit-")
        .suffix(".db")
        .tempfile_in(dir)?;
    let path = file.path().to_owned();
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await
        .context("opening the commit benchmark's database")?;
    sqlx::raw_sql("CREATE TABLE rows (id TEXT PRIMARY KEY, document TEXT NOT NULL)")
        .execute(&mut conn)
        .await?;
    // Warm up: the file grows, the WAL exists, the statements' code paths are hot.
    commit_batches(&mut conn, 16, Duration::from_millis(300)).await?;
    let mut figures = Vec::new();
    for rows in BATCHES {
        figures.push(commit_batches(&mut conn, rows, Duration::from_secs_f64(seconds)).await?);
    }
    drop(conn);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(figures)
}

/// Measures the irreducible work: `openssl speed` for `seconds` per operation, and SQLite
/// commits for `seconds` per batch size in `dir`.
pub(crate) fn measure(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    seconds: u64,
) -> anyhow::Result<Irreducible> {
    let (sign, verify) = openssl_speed(seconds)?;
    let commits = rt.block_on(sqlite_commits(dir, seconds as f64))?;
    Ok(Irreducible {
        openssl_verify_per_second: verify,
        openssl_sign_per_second: sign,
        commits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPENSSL_3_0: &str = "\
Doing 2048 bits private rsa's for 1s: 1167 2048 bits private RSA's in 1.00s
Doing 2048 bits public rsa's for 1s: 36700 2048 bits public RSA's in 1.00s
version: 3.0.19
built on: Sun Oct  5 12:00:00 2025 UTC
options: bn(64,64)
CPUINFO: OPENSSL_ia32cap=0xfffa3203078bffff:0x400684219c07ab
                  sign    verify    sign/s verify/s
rsa 2048 bits 0.000857s 0.000027s   1166.7  36700.0
";

    const OPENSSL_3_2: &str = "\
version: 3.2.1
                   sign    verify    encrypt   decrypt   sign/s verify/s  encr./s  decr./s
rsa   512 bits 0.000045s 0.000003s 0.000003s 0.000047s  22000.0 333333.3 300000.0  21276.6
rsa 2048 bits 0.000700s 0.000020s 0.000021s 0.000710s   1428.6  50000.0  47619.0   1408.5
";

    #[test]
    fn openssl_3_0_speed_output_gives_sign_and_verify_rates() {
        assert_eq!(parse_openssl_speed(OPENSSL_3_0).unwrap(), (1166.7, 36700.0));
    }

    #[test]
    fn later_openssl_columns_are_found_by_name() {
        assert_eq!(parse_openssl_speed(OPENSSL_3_2).unwrap(), (1428.6, 50000.0));
    }

    #[test]
    fn output_without_the_rsa_row_is_an_error() {
        assert!(parse_openssl_speed("version: 3.0.19\n").is_err());
    }

    fn figure(rows: usize, cpu: f64) -> CommitFigure {
        CommitFigure {
            rows_per_commit: rows,
            commits: 1,
            commits_per_second: 1.0,
            wall_us_per_row: 1.0,
            cpu_us_per_row: cpu,
        }
    }

    #[test]
    fn the_commit_share_uses_the_largest_batch_the_connections_allow() {
        let i = Irreducible {
            openssl_verify_per_second: 40_000.0,
            openssl_sign_per_second: 1_000.0,
            commits: vec![figure(1, 60.0), figure(16, 12.0), figure(64, 8.0)],
        };
        assert_eq!(i.verify_cpu_us(), 25.0);
        assert_eq!(i.commit_at(1).unwrap().rows_per_commit, 1);
        assert_eq!(i.commit_at(20).unwrap().rows_per_commit, 16);
        assert_eq!(i.commit_at(1000).unwrap().rows_per_commit, 64);
        assert_eq!(i.cpu_us_at(64), Some(33.0));
        assert_eq!(i.cpu_us_at(1), Some(85.0));
    }
}
