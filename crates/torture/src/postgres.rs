//! PostgreSQL for the torture runs: a fresh database per run on a given server, and a private
//! throwaway cluster (initdb/pg_ctl in a temporary directory) for tests that restart the server.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use sqlx::Connection;

/// A uniquely named database, created on a server and dropped by [`FreshDatabase::drop_now`].
#[derive(Debug)]
pub struct FreshDatabase {
    server_url: String,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

impl FreshDatabase {
    /// Creates `amzpay_torture_<uuid>` on the server of `server_url` (any database URL on it).
    pub async fn create(server_url: &str) -> anyhow::Result<FreshDatabase> {
        let name = format!("amzpay_torture_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(server_url)
            .await
            .context("connecting to PostgreSQL")?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .context("creating a database")?;
        conn.close().await.ok();
        let mut url = url::Url::parse(server_url).context("parsing the database URL")?;
        url.set_path(&format!("/{name}"));
        Ok(FreshDatabase {
            server_url: server_url.to_owned(),
            name,
            url: url.to_string(),
        })
    }

    /// Drops the database (disconnecting whoever is still connected).
    pub async fn drop_now(self) -> anyhow::Result<()> {
        let mut conn = sqlx::PgConnection::connect(&self.server_url).await?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await?;
        conn.close().await.ok();
        Ok(())
    }
}

/// A PostgreSQL cluster of its own in a temporary directory, on a free loopback port, run as
/// the `postgres` user when we are root. Stopped (immediately) and removed on drop.
#[derive(Debug)]
pub struct TempCluster {
    dir: tempfile::TempDir,
    bindir: PathBuf,
    port: u16,
    as_postgres: bool,
}

fn pg_bindir() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("AMZPAY_PG_BINDIR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates
        .extend(["/usr/lib/postgresql/15/bin", "/usr/local/bin", "/usr/bin"].map(PathBuf::from));
    candidates
        .into_iter()
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
}

impl TempCluster {
    /// Whether `initdb` and `pg_ctl` are installed.
    pub fn available() -> bool {
        pg_bindir().is_some()
    }

    /// initdb + start.
    pub fn start() -> anyhow::Result<TempCluster> {
        let bindir = pg_bindir().context("no initdb/pg_ctl (install postgresql-15)")?;
        let dir = tempfile::Builder::new()
            .prefix("amzpay-torture-pg")
            .tempdir()
            .context("creating a temporary directory")?;
        let as_postgres = std::fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false);
        if as_postgres {
            let uid = Command::new("id")
                .args(["-u", "postgres"])
                .output()
                .context("looking up the postgres user")?;
            let gid = Command::new("id").args(["-g", "postgres"]).output()?;
            let parse = |o: std::process::Output| -> anyhow::Result<u32> {
                Ok(String::from_utf8(o.stdout)?.trim().parse()?)
            };
            std::os::unix::fs::chown(dir.path(), Some(parse(uid)?), Some(parse(gid)?))
                .context("handing the directory to postgres")?;
        }
        let cluster = TempCluster {
            port: crate::emulator::free_port()?,
            dir,
            bindir,
            as_postgres,
        };
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data().display().to_string(),
                "-U",
                "amzpay",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        cluster.pg_ctl(&["start"])?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `postgres://amzpay@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://amzpay@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let exe = self.bindir.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let output = command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .with_context(|| format!("running {}", exe.display()))?;
        if !output.status.success() {
            bail!(
                "{program} {args:?} failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }

    /// `pg_ctl <action>` with this cluster's options (`start`, `stop`, `restart`; waits).
    pub fn pg_ctl(&self, action: &[&str]) -> anyhow::Result<()> {
        let data = self.data().display().to_string();
        let log = self.dir.path().join("log").display().to_string();
        let options = format!(
            "-h 127.0.0.1 -p {} -k {} -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let mut args = vec!["-D", &data, "-l", &log, "-w", "-o", &options];
        args.extend_from_slice(action);
        self.run("pg_ctl", &args)
    }

    /// The server log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// The cluster's directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TempCluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["stop", "-m", "immediate"]);
    }
}
