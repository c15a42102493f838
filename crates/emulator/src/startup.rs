//! Building the emulator ([`Application::build`]) is separate from running it
//! ([`Application::run_until_stopped`]); tests build on port 0 and read [`Application::port`].

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use amzpay_emulator_store::{ConnectOptions, Store};
use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;

use crate::connections;
pub use crate::connections::Limits;
use crate::secret::Secret;
use crate::state::{AppState, Settings, ThrottleMode};
use crate::tls;

/// How the emulator serves TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// A certificate authority and server certificate generated in the data directory on first
    /// start and reused.
    SelfSigned,
    /// Certificate chain and key from PEM files.
    Files {
        /// Certificate chain.
        cert: PathBuf,
        /// Private key.
        key: PathBuf,
    },
    /// Plain HTTP.
    Off,
}

/// The resolved server configuration.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Base URL browsers use to reach the emulator (default: derived from `listen`).
    pub public_base_url: Option<String>,
    /// Where the database, certificates, keys and admin token live.
    pub data_dir: PathBuf,
    /// `sqlite://path` (default: `emulator.db` in the data directory) or `postgres://...`.
    pub database_url: Option<String>,
    /// TLS mode.
    pub tls: TlsMode,
    /// The admin token (default: read from `admin-token` in the data directory, or generated).
    pub admin_token: Option<SecretString>,
    /// Put the canonical request into `InvalidRequestSignature` messages.
    pub debug_signatures: bool,
    /// Largest accepted signature date skew, in seconds.
    pub max_clock_skew_secs: i64,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Amazon's throttling limits to apply (default off).
    pub throttle: ThrottleMode,
    /// How often the background step applies due timers.
    pub timer_interval: Duration,
    /// How notifications are delivered (timeouts, retries).
    pub ipn: crate::dispatch::DeliverySettings,
    /// `synchronous=FULL` for SQLite (turn off only for throwaway test databases).
    pub durable: bool,
    /// Connection limits and timeouts.
    pub limits: Limits,
    /// Request-journal entries kept per merchant (`--journal-size`, default
    /// [`DEFAULT_JOURNAL_SIZE`]); 0 turns the journal off.
    pub journal_size: u32,
}

/// The default ring size of the request journal, per merchant.
pub const DEFAULT_JOURNAL_SIZE: u32 = crate::service::journal::DEFAULT_SIZE;

impl ServerConfig {
    /// Defaults: HTTPS with a self-signed certificate on 127.0.0.1:8443, data in `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> ServerConfig {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            public_base_url: None,
            data_dir: data_dir.into(),
            database_url: None,
            tls: TlsMode::SelfSigned,
            admin_token: None,
            debug_signatures: false,
            max_clock_skew_secs: 15 * 60,
            body_limit: 256 * 1024,
            throttle: ThrottleMode::Off,
            timer_interval: Duration::from_secs(1),
            ipn: crate::dispatch::DeliverySettings::default(),
            durable: true,
            limits: Limits::default(),
            journal_size: DEFAULT_JOURNAL_SIZE,
        }
    }
}

/// A built, not yet running emulator.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    state: AppState,
    tls: Option<Arc<rustls::ServerConfig>>,
    base_url: String,
    ca_path: Option<PathBuf>,
    timer_interval: Duration,
    admin_token_generated: bool,
    limits: Limits,
}

/// The admin token file in a data directory.
pub fn admin_token_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("admin-token")
}

/// The CA certificate of the self-signed mode in a data directory.
pub fn ca_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("tls").join("ca.pem")
}

impl Application {
    /// Opens the database (applying migrations), prepares TLS and the admin token, and binds.
    pub async fn build(config: ServerConfig) -> anyhow::Result<Application> {
        // The data directory holds the admin token, keys and the database: owner only.
        tls::create_private_dir(&config.data_dir)?;
        let database_url = config.database_url.clone().unwrap_or_else(|| {
            format!("sqlite://{}", config.data_dir.join("emulator.db").display())
        });
        // The URL scheme picks the backend (sqlite:// or postgres://), in one place.
        let mut options = ConnectOptions::default();
        options.durable = config.durable;
        let store: Arc<dyn Store> = amzpay_emulator_store::connect(&database_url, options)
            .await
            .context("opening the database")?;

        // The key that signs buyer and form tokens lives in the database, so that every instance
        // sharing it (and the next start) signs alike.
        let secret = store
            .secret(SECRET_NAME, &Secret::generate().to_hex())
            .await
            .context("reading the emulator's secret")?;
        let secret = Secret::from_hex(&secret).context("the stored secret is not 64 hex digits")?;
        let mut limits = config.limits.clone();
        let open_files = connections::raise_open_file_limit();
        limits.max_connections = connections::fit_connections(limits.max_connections, open_files);
        if limits.max_connections < config.limits.max_connections {
            tracing::warn!(
                max_connections = limits.max_connections,
                open_file_limit = open_files,
                "the open-file limit leaves room for fewer connections than asked"
            );
        }

        let (admin_token, generated) = match &config.admin_token {
            Some(t) => (t.clone(), false),
            None => load_or_generate_token(&config.data_dir)?,
        };

        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let local = listener.local_addr()?;
        let (tls, ca) = match &config.tls {
            TlsMode::Off => (None, None),
            TlsMode::Files { cert, key } => (Some(tls::server_config(cert, key)?), None),
            TlsMode::SelfSigned => {
                let files = tls::ensure_self_signed(&config.data_dir.join("tls"), &[])?;
                (
                    Some(tls::server_config(&files.cert, &files.key)?),
                    Some(files.ca),
                )
            }
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let host = match local.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => "localhost".to_owned(),
            IpAddr::V6(ip) if ip.is_unspecified() => "localhost".to_owned(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let base_url = config
            .public_base_url
            .clone()
            .unwrap_or_else(|| format!("{scheme}://{host}:{}", local.port()));
        let mut settings = Settings::new(base_url.clone(), admin_token.expose_secret());
        settings.debug_signatures = config.debug_signatures;
        settings.max_clock_skew_secs = config.max_clock_skew_secs;
        settings.body_limit = config.body_limit;
        settings.secret = secret;
        settings.throttle = config.throttle;
        settings.ipn = config.ipn;
        settings.journal_size = config.journal_size;
        Ok(Application {
            listener,
            state: AppState::new(store, settings),
            tls,
            base_url,
            ca_path: ca,
            timer_interval: config.timer_interval,
            admin_token_generated: generated,
            limits,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The base URL (`https://127.0.0.1:8443`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The CA certificate to trust in self-signed mode.
    pub fn ca_path(&self) -> Option<&std::path::Path> {
        self.ca_path.as_deref()
    }

    /// The admin token.
    pub fn admin_token(&self) -> &str {
        self.state.settings().admin_token.expose_secret()
    }

    /// The connection limits in force (the cap may be lower than configured, to fit the
    /// open-file limit).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether the admin token was generated at this start (its file should be named).
    pub fn admin_token_generated(&self) -> bool {
        self.admin_token_generated
    }

    /// The shared state (store and settings).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets requests in flight finish
    /// (at most 10 s) and stops the timer worker.
    pub async fn run_until_stopped(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let router = crate::http::app(self.state.clone());
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let store = self.state.store().clone();
        let mut worker_stop = stop_rx.clone();
        let worker = tokio::spawn(crate::worker::worker_loop(
            store,
            self.timer_interval,
            async move {
                let _ = worker_stop.wait_for(|s| *s).await;
            },
        ));
        let mut dispatcher_stop = stop_rx.clone();
        let dispatcher = tokio::spawn(crate::dispatch::dispatcher_loop(
            self.state.clone(),
            async move {
                let _ = dispatcher_stop.wait_for(|s| *s).await;
            },
        ));
        let mut server_stop = stop_rx;
        let server_shutdown = async move {
            let _ = server_stop.wait_for(|s| *s).await;
        };
        let server = tokio::spawn(connections::serve(
            self.listener,
            self.tls,
            router,
            self.limits,
            server_shutdown,
        ));
        shutdown.await;
        tracing::info!("shutting down");
        let _ = stop_tx.send(true);
        let result = server.await.context("server task")?;
        let _ = worker.await;
        let _ = dispatcher.await;
        result
    }
}

/// The name of the HMAC key in the store's secrets.
const SECRET_NAME: &str = "hmac-sha256";

fn load_or_generate_token(dir: &std::path::Path) -> anyhow::Result<(SecretString, bool)> {
    let path = admin_token_path(dir);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let t = existing.trim().to_owned();
        if !t.is_empty() {
            return Ok((SecretString::from(t), false));
        }
    }
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    tls::write_private(&path, &token)?;
    Ok((SecretString::from(token), true))
}

/// Resolves on Ctrl+C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
