//! The emulator as a child process: `amzpay emulator serve` on a loopback port with plain HTTP,
//! killed with SIGKILL and started again on the same port, data directory and database.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

/// Where the `amzpay` binary is: `AMZPAY_BIN`, else next to the running executable (or one
/// directory up, for test binaries in `target/debug/deps`).
pub fn locate_amzpay() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("AMZPAY_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().context("finding the running executable")?;
    let mut dir = exe.parent();
    while let Some(d) = dir {
        let candidate = d.join(format!("amzpay{}", std::env::consts::EXE_SUFFIX));
        if candidate.is_file() {
            return Ok(candidate);
        }
        dir = d
            .parent()
            .filter(|p| p.ends_with("debug") || p.ends_with("release") || p.ends_with("deps"));
    }
    bail!(
        "no amzpay binary next to {}: build it with `cargo build -p amzpay-cli` or set AMZPAY_BIN",
        exe.display()
    )
}

/// Builds the `amzpay` binary with the cargo that builds this crate (tests call this so they
/// never run a stale emulator) and returns its path.
pub fn build_amzpay() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("finding the running executable")?;
    // target/<profile>/deps/<test binary>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .context("the test binary is not in target/<profile>/deps")?;
    let target_dir = profile_dir.parent().context("no target directory")?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = std::process::Command::new(cargo);
    command.args([
        "build",
        "--quiet",
        "-p",
        "amzpay-cli",
        "--bin",
        "amzpay",
        "--target-dir",
    ]);
    command.arg(target_dir);
    if profile_dir.ends_with("release") {
        command.arg("--release");
    }
    let status = command.status().context("running cargo build")?;
    if !status.success() {
        bail!("cargo build -p amzpay-cli failed");
    }
    Ok(profile_dir.join(format!("amzpay{}", std::env::consts::EXE_SUFFIX)))
}

/// What to start.
#[derive(Clone, Debug)]
pub struct EmulatorSpec {
    /// The `amzpay` binary.
    pub amzpay: PathBuf,
    /// The data directory (admin token, default SQLite file).
    pub data_dir: PathBuf,
    /// `--database` (default: SQLite in the data directory).
    pub database: Option<String>,
    /// The admin token.
    pub admin_token: String,
}

/// A running (or killed) emulator process.
#[derive(Debug)]
pub struct Emulator {
    spec: EmulatorSpec,
    port: u16,
    child: Option<Child>,
    starts: u32,
    http: reqwest::Client,
}

/// A free loopback port (bound and released; the emulator binds it again with SO_REUSEADDR).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

impl Emulator {
    /// Starts the emulator on a free port and waits until its admin API answers.
    pub async fn start(spec: EmulatorSpec) -> anyhow::Result<Emulator> {
        std::fs::create_dir_all(&spec.data_dir).context("creating the data directory")?;
        let mut emulator = Emulator {
            spec,
            port: free_port()?,
            child: None,
            starts: 0,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()?,
        };
        emulator.spawn().await?;
        Ok(emulator)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The admin token.
    pub fn admin_token(&self) -> &str {
        &self.spec.admin_token
    }

    /// How many times the process was started.
    pub fn starts(&self) -> u32 {
        self.starts
    }

    /// The log file (stdout and stderr of every start, appended).
    pub fn log_path(&self) -> PathBuf {
        self.spec.data_dir.join("emulator.log")
    }

    /// Kills the process with SIGKILL (no shutdown code runs) and reaps it.
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            // `Child::kill` sends SIGKILL on Unix.
            child.kill().await.context("killing the emulator")?;
        }
        Ok(())
    }

    /// Starts the process again (same port, data directory and database) and waits until ready.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.kill().await?;
        self.spawn().await
    }

    async fn spawn(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .context("opening the emulator log")?;
        let mut command = Command::new(&self.spec.amzpay);
        command
            .args(["emulator", "serve", "--tls", "off", "--listen"])
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--data-dir")
            .arg(&self.spec.data_dir)
            // In the environment rather than on the command line, where `ps` would show it.
            .env("AMZPAY_ADMIN_TOKEN", &self.spec.admin_token)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        if let Some(db) = &self.spec.database {
            command.arg("--database").arg(db);
        }
        self.child = Some(
            command
                .spawn()
                .with_context(|| format!("starting {}", self.spec.amzpay.display()))?,
        );
        self.starts += 1;
        self.wait_ready(Duration::from_secs(60)).await
    }

    async fn wait_ready(&mut self, limit: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        let url = format!("{}/__admin/merchants", self.base_url());
        loop {
            if let Some(child) = &mut self.child
                && let Some(status) = child.try_wait()?
            {
                self.child = None;
                bail!(
                    "the emulator exited during start ({status}); log tail:\n{}",
                    self.log_tail()
                );
            }
            let answer = self
                .http
                .get(&url)
                .bearer_auth(&self.spec.admin_token)
                .send()
                .await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            if started.elapsed() > limit {
                bail!(
                    "the emulator did not answer within {limit:?}; log tail:\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The last lines of the log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}
