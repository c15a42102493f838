//! The measured server: `amzpay emulator serve` as its own process, and its admin API.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// Transport between the load generator and the emulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tls {
    /// Plain HTTP on loopback: measures the server, not TLS.
    Off,
    /// HTTPS with the emulator's self-signed CA.
    SelfSigned,
}

/// A running `amzpay emulator serve`, killed on drop.
#[derive(Debug)]
pub(crate) struct Emulator {
    child: Child,
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    /// `http://127.0.0.1:PORT` or `https://...`.
    pub(crate) base_url: String,
    /// The admin bearer token.
    pub(crate) admin_token: String,
    /// The CA certificate to trust (HTTPS only).
    pub(crate) ca_pem: Option<Vec<u8>>,
}

/// A loopback port that was free a moment ago.
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a probe port")?;
    Ok(listener.local_addr()?.port())
}

impl Emulator {
    /// Starts `amzpay emulator serve` on a free loopback port with `data_dir` and `database`
    /// (and `extra` flags) and waits until it listens (at most 120 s: migrations on a big
    /// database take a while).
    pub(crate) fn start(
        amzpay: &Path,
        data_dir: &Path,
        database: &str,
        tls: Tls,
        extra: &[String],
    ) -> anyhow::Result<Emulator> {
        let port = free_port()?;
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let admin_token = uuid::Uuid::new_v4().simple().to_string();
        let log = std::fs::File::create(data_dir.join("emulator.log"))
            .context("creating the emulator log")?;
        let mut child = Command::new(amzpay)
            .args(["emulator", "serve", "--listen", &addr.to_string()])
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--database", database])
            .args([
                "--tls",
                match tls {
                    Tls::Off => "off",
                    Tls::SelfSigned => "self-signed",
                },
            ])
            .args(extra)
            .env("AMZPAY_ADMIN_TOKEN", &admin_token)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("starting {}", amzpay.display()))?;
        let stdout = child.stdout.take().context("the emulator's stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let mut emulator = Emulator {
            child,
            addr,
            base_url: format!(
                "{}://{addr}",
                if tls == Tls::Off { "http" } else { "https" }
            ),
            admin_token,
            ca_pem: None,
        };
        loop {
            match rx.recv_timeout(Duration::from_secs(120)) {
                Ok(line) if line.contains("listening on") => break,
                Ok(_) => {}
                Err(_) => {
                    let log =
                        std::fs::read_to_string(data_dir.join("emulator.log")).unwrap_or_default();
                    bail!("the emulator did not start listening; its log:\n{log}");
                }
            }
        }
        if tls == Tls::SelfSigned {
            let ca = data_dir.join("tls").join("ca.pem");
            emulator.ca_pem =
                Some(std::fs::read(&ca).with_context(|| format!("reading {}", ca.display()))?);
        }
        Ok(emulator)
    }

    /// The process id (for `/proc/<pid>/...`).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory so far (`VmHWM`), in bytes.
    pub(crate) fn peak_rss(&self) -> Option<u64> {
        crate::system::status_kb(self.pid(), "VmHWM")
    }

    /// CPU time used so far.
    pub(crate) fn cpu_time(&self) -> Duration {
        crate::system::cpu_time(&self.pid().to_string()).unwrap_or_default()
    }

    /// An HTTP client for the admin API.
    pub(crate) fn admin(&self) -> anyhow::Result<Admin> {
        let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(60));
        if let Some(pem) = &self.ca_pem {
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(pem)?);
        }
        Ok(Admin {
            http: builder.build()?,
            base: self.base_url.clone(),
            token: self.admin_token.clone(),
        })
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client of the emulator's admin API (`/__admin`).
#[derive(Clone, Debug)]
pub(crate) struct Admin {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// A merchant created through the admin API.
#[derive(Clone, Debug)]
pub(crate) struct NewMerchant {
    pub(crate) store_id: String,
    pub(crate) public_key_id: String,
    pub(crate) private_key_pem: String,
}

impl Admin {
    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("POST {path} answered {status}: {text}");
        }
        Ok(serde_json::from_str(&text)?)
    }

    /// Creates a sandbox merchant in `na` with a generated key pair.
    pub(crate) async fn create_merchant(&self) -> anyhow::Result<NewMerchant> {
        let v = self
            .post(
                "/__admin/merchants",
                json!({"region": "na", "environment": "sandbox"}),
            )
            .await?;
        let field = |name: &str| -> anyhow::Result<String> {
            v[name]
                .as_str()
                .map(str::to_owned)
                .with_context(|| format!("no {name} in {v}"))
        };
        Ok(NewMerchant {
            store_id: field("storeId")?,
            public_key_id: field("publicKeyId")?,
            private_key_pem: field("privateKeyPem")?,
        })
    }

    /// The buyer step: the test buyer signs in with a card that succeeds.
    pub(crate) async fn sign_in(&self, session_id: &str) -> anyhow::Result<()> {
        self.post(
            &format!("/__admin/checkoutSessions/{session_id}/sign-in"),
            json!({"instrument": "1111"}),
        )
        .await
        .map(drop)
    }

    /// The payment step (what visiting `amazonPayRedirectUrl` does).
    pub(crate) async fn pay(&self, session_id: &str) -> anyhow::Result<()> {
        self.post(
            &format!("/__admin/checkoutSessions/{session_id}/pay"),
            json!({}),
        )
        .await
        .map(drop)
    }
}

/// The `amzpay` binary next to this one (`target/release/amzpay`), unless given.
pub(crate) fn default_amzpay() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("amzpay")))
        .unwrap_or_else(|| PathBuf::from("amzpay"))
}
