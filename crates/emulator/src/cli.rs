//! The `amzpay emulator ...` commands. The `amzpay` binary (crate `amzpay-cli`) mounts
//! [`EmulatorArgs`] as its `emulator` subcommand and calls [`run`].
//!
//! `serve` runs the emulator. Every other command is a client of a running emulator's admin API
//! (`--url`, default `https://127.0.0.1:8443`), authenticated with the admin token (flag,
//! `AMZPAY_ADMIN_TOKEN`, or the `admin-token` file `serve` wrote into the data directory) and
//! trusting the data directory's self-signed CA. Going through the API (rather than opening the
//! database) keeps one writer per database and works the same against a remote emulator.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use secrecy::SecretString;

use crate::admin_api::{
    AdvanceClock, BuyerActionResult, ChooseBody, ClockInfo, CreateMerchant, MerchantCreated,
    MerchantInfo, SetClock, SignInBody,
};
use crate::startup::{Application, ServerConfig, TlsMode, admin_token_path, ca_path};
use crate::telemetry::{self, LogFormat};

/// Arguments of `amzpay emulator`.
#[derive(Debug, clap::Args)]
pub struct EmulatorArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: EmulatorCommand,
}

/// The `amzpay emulator` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum EmulatorCommand {
    /// Run the emulator.
    Serve(ServeArgs),
    /// Create and list merchants (with their keys).
    #[command(subcommand)]
    Merchant(MerchantCommand),
    /// Read or move a merchant's virtual clock.
    #[command(subcommand)]
    Clock(ClockCommand),
    /// Act as the buyer on a Checkout Session (what the hosted pages do for a browser).
    #[command(subcommand)]
    Buyer(BuyerCommand),
}

/// TLS mode flag values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TlsFlag {
    /// Generate (once) and use a self-signed CA and certificate in the data directory.
    SelfSigned,
    /// Use `--cert` and `--key`.
    Files,
    /// Plain HTTP.
    Off,
}

/// `amzpay emulator serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "AMZPAY_LISTEN", default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// Base URL browsers use to reach the emulator (for amazonPayRedirectUrl).
    #[arg(long, env = "AMZPAY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Data directory: database, certificates, generated keys, admin token.
    #[arg(long, env = "AMZPAY_DATA_DIR", default_value = ".amzpay")]
    pub data_dir: PathBuf,
    /// Database URL (default: sqlite://DATA_DIR/emulator.db).
    #[arg(long, env = "AMZPAY_DATABASE_URL")]
    pub database: Option<String>,
    /// TLS mode.
    #[arg(long, env = "AMZPAY_TLS", value_enum, default_value = "self-signed")]
    pub tls: TlsFlag,
    /// Certificate chain (PEM) for `--tls files`.
    #[arg(long, env = "AMZPAY_TLS_CERT")]
    pub cert: Option<PathBuf>,
    /// Private key (PEM) for `--tls files`.
    #[arg(long, env = "AMZPAY_TLS_KEY")]
    pub key: Option<PathBuf>,
    /// Admin API bearer token (default: generated once and kept in DATA_DIR/admin-token).
    #[arg(long, env = "AMZPAY_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Log format.
    #[arg(long, env = "AMZPAY_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Put the emulator's canonical request into InvalidRequestSignature messages.
    #[arg(long, env = "AMZPAY_DEBUG_SIGNATURES")]
    pub debug_signatures: bool,
    /// Largest accepted difference between x-amz-pay-date and real time (e.g. 15m, 900).
    #[arg(long, env = "AMZPAY_MAX_CLOCK_SKEW", default_value = "15m")]
    pub max_clock_skew: String,
    /// Largest request body in bytes.
    #[arg(long, env = "AMZPAY_BODY_LIMIT", default_value_t = 256 * 1024)]
    pub body_limit: usize,
}

/// How CLI commands reach a running emulator.
#[derive(Debug, Clone, clap::Args)]
pub struct ClientArgs {
    /// The emulator's base URL.
    #[arg(
        long,
        env = "AMZPAY_EMULATOR_URL",
        default_value = "https://127.0.0.1:8443"
    )]
    pub url: String,
    /// The data directory of the emulator (for its admin token and CA certificate).
    #[arg(long, env = "AMZPAY_DATA_DIR", default_value = ".amzpay")]
    pub data_dir: PathBuf,
    /// Admin token (default: DATA_DIR/admin-token).
    #[arg(long, env = "AMZPAY_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// CA certificate to trust (default: DATA_DIR/tls/ca.pem when it exists).
    #[arg(long, env = "AMZPAY_CA_CERT")]
    pub ca_cert: Option<PathBuf>,
}

/// `amzpay emulator merchant ...`.
#[derive(Debug, clap::Subcommand)]
pub enum MerchantCommand {
    /// Create a merchant with a generated RSA-2048 key pair (or an uploaded public key).
    Create {
        /// Region.
        #[arg(long, default_value = "na", value_parser = ["na", "us", "eu", "de", "uk", "jp"])]
        region: String,
        /// Environment.
        #[arg(long, default_value = "sandbox", value_parser = ["sandbox", "live"])]
        environment: String,
        /// Register this public key (PEM) instead of generating a key pair.
        #[arg(long)]
        public_key: Option<PathBuf>,
        /// Issue a legacy key id without the environment prefix.
        #[arg(long)]
        legacy_key_id: bool,
        /// Print JSON instead of lines.
        #[arg(long, conflicts_with = "shell")]
        json: bool,
        /// Print `export AMZPAY_...=...` lines that point the `amzpay` API commands (and the SDK's
        /// `Config::from_env`) at this merchant on this emulator: `eval "$(... --shell)"`.
        #[arg(long)]
        shell: bool,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
    /// List merchants.
    List {
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// `amzpay emulator clock ...`.
#[derive(Debug, clap::Subcommand)]
pub enum ClockCommand {
    /// Print a merchant's virtual now.
    Get {
        /// The merchant.
        #[arg(long)]
        merchant: String,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Move a merchant's clock forward (applies every timer that comes due).
    Advance {
        /// The merchant.
        #[arg(long)]
        merchant: String,
        /// How far: 90s, 15m, 24h, 30d, 1h30m or seconds.
        duration: String,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Set a merchant's clock (yyyyMMddTHHmmssZ or yyyy-MM-ddTHH:mm:ssZ).
    Set {
        /// The merchant.
        #[arg(long)]
        merchant: String,
        /// The new virtual now.
        now: String,
        /// Freeze the clock there.
        #[arg(long)]
        frozen: bool,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// `amzpay emulator buyer ...`: each prints the redirect URL a browser would follow.
#[derive(Debug, clap::Subcommand)]
pub enum BuyerCommand {
    /// Sign the test buyer in (returns the checkoutReviewReturnUrl).
    SignIn {
        /// The Checkout Session.
        session_id: String,
        /// Test instrument: last four digits or success, buyer-cancels, declined,
        /// pending-then-authorized, pending-then-declined.
        #[arg(long)]
        instrument: Option<String>,
        /// Buyer name.
        #[arg(long)]
        name: Option<String>,
        /// Buyer email.
        #[arg(long)]
        email: Option<String>,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Choose another instrument.
    Choose {
        /// The Checkout Session.
        session_id: String,
        /// Test instrument.
        #[arg(long)]
        instrument: String,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Run the payment step (visit amazonPayRedirectUrl; returns the checkoutResultReturnUrl).
    Pay {
        /// The Checkout Session.
        session_id: String,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Cancel on the hosted page (returns the checkoutCancelUrl, else the checkoutReviewReturnUrl).
    Cancel {
        /// The Checkout Session.
        session_id: String,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// Runs an `amzpay emulator` command.
pub async fn run(args: EmulatorArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        EmulatorCommand::Serve(a) => serve(a).await,
        EmulatorCommand::Merchant(c) => merchant(c).await,
        EmulatorCommand::Clock(c) => clock(c).await,
        EmulatorCommand::Buyer(c) => buyer(c).await,
    }
}

async fn serve(a: ServeArgs) -> anyhow::Result<ExitCode> {
    telemetry::init(a.log_format, "info,sqlx=warn", std::io::stderr);
    let skew = crate::admin_api::parse_duration(&a.max_clock_skew)
        .filter(|s| *s >= 0)
        .context("--max-clock-skew must be a duration such as 15m or 900")?;
    let tls = match a.tls {
        TlsFlag::SelfSigned => TlsMode::SelfSigned,
        TlsFlag::Off => TlsMode::Off,
        TlsFlag::Files => TlsMode::Files {
            cert: a.cert.context("--tls files needs --cert")?,
            key: a.key.context("--tls files needs --key")?,
        },
    };
    let mut config = ServerConfig::new(&a.data_dir);
    config.listen = a.listen;
    config.public_base_url = a.public_url;
    config.database_url = a.database;
    config.tls = tls;
    config.admin_token = a.admin_token.map(SecretString::from);
    config.debug_signatures = a.debug_signatures;
    config.max_clock_skew_secs = skew;
    config.body_limit = a.body_limit;
    let app = Application::build(config).await?;
    println!("amzpay emulator listening on {}", app.base_url());
    if let Some(ca) = app.ca_path() {
        println!(
            "TLS certificate authority: {} (trust it, e.g. NODE_EXTRA_CA_CERTS)",
            ca.display()
        );
    }
    if app.admin_token_generated() {
        println!(
            "admin token (generated, saved in {}): {}",
            admin_token_path(&a.data_dir).display(),
            app.admin_token()
        );
    } else {
        println!(
            "admin token: from the flag, environment or {}",
            admin_token_path(&a.data_dir).display()
        );
    }
    app.run_until_stopped(crate::startup::shutdown_signal())
        .await?;
    Ok(ExitCode::SUCCESS)
}

/// A small admin API client.
struct Admin {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Admin {
    fn new(c: &ClientArgs) -> anyhow::Result<Admin> {
        let token = match &c.admin_token {
            Some(t) => t.clone(),
            None => {
                let path = admin_token_path(&c.data_dir);
                std::fs::read_to_string(&path)
                    .with_context(|| {
                        format!(
                            "reading the admin token from {} (or pass --admin-token)",
                            path.display()
                        )
                    })?
                    .trim()
                    .to_owned()
            }
        };
        let mut builder = reqwest::Client::builder().timeout(std::time::Duration::from_secs(60));
        let ca = c
            .ca_cert
            .clone()
            .or_else(|| Some(ca_path(&c.data_dir)).filter(|p| p.exists()));
        if let Some(ca) = ca {
            let pem = std::fs::read(&ca).with_context(|| format!("reading {}", ca.display()))?;
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
        }
        Ok(Admin {
            http: builder.build()?,
            url: c.url.trim_end_matches('/').to_owned(),
            token,
        })
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<T> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("calling the emulator at {}", self.url))?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            anyhow::bail!("the emulator answered {status}: {text}");
        }
        serde_json::from_str(&text)
            .with_context(|| format!("reading the emulator's answer: {text}"))
    }
}

async fn merchant(c: MerchantCommand) -> anyhow::Result<ExitCode> {
    match c {
        MerchantCommand::Create {
            region,
            environment,
            public_key,
            legacy_key_id,
            json,
            shell,
            client,
        } => {
            let admin = Admin::new(&client)?;
            let public_key_pem = match &public_key {
                Some(p) => Some(
                    std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?,
                ),
                None => None,
            };
            let body = CreateMerchant {
                region: Some(region),
                environment: Some(environment),
                public_key_pem,
                legacy_key_id: legacy_key_id.then_some(true),
            };
            let created: MerchantCreated = admin
                .call(
                    reqwest::Method::POST,
                    "/__admin/merchants",
                    Some(serde_json::to_value(&body)?),
                )
                .await?;
            let key_path = match &created.private_key_pem {
                Some(pem) => Some(save_private_key(
                    &client.data_dir,
                    &created.public_key_id,
                    pem,
                )?),
                None => None,
            };
            if shell {
                let ca = client
                    .ca_cert
                    .clone()
                    .or_else(|| Some(ca_path(&client.data_dir)).filter(|p| p.exists()));
                let absolute = |p: &std::path::Path| {
                    std::path::absolute(p)
                        .unwrap_or_else(|_| p.to_owned())
                        .display()
                        .to_string()
                };
                let mut vars = vec![
                    ("AMZPAY_MERCHANT_ID", created.merchant_id.clone()),
                    ("AMZPAY_STORE_ID", created.store_id.clone()),
                    ("AMZPAY_PUBLIC_KEY_ID", created.public_key_id.clone()),
                    ("AMZPAY_REGION", created.region.clone()),
                    (
                        "AMZPAY_ENDPOINT",
                        client.url.trim_end_matches('/').to_owned(),
                    ),
                ];
                if let Some(p) = &key_path {
                    vars.push(("AMZPAY_PRIVATE_KEY_FILE", absolute(p)));
                }
                if let Some(ca) = &ca {
                    vars.push(("AMZPAY_CA_CERT", absolute(ca)));
                }
                for (name, value) in vars {
                    // Single quotes keep the value literal; an embedded quote is closed,
                    // escaped and reopened.
                    println!("export {name}='{}'", value.replace('\'', "'\\''"));
                }
            } else if json {
                let mut v = serde_json::to_value(&created)?;
                v["privateKeyPem"] = serde_json::Value::Null;
                v["privateKeyPath"] =
                    serde_json::json!(key_path.as_ref().map(|p| p.display().to_string()));
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("merchantId:  {}", created.merchant_id);
                println!("storeId:     {}", created.store_id);
                println!("publicKeyId: {}", created.public_key_id);
                println!("region:      {}", created.region);
                match key_path {
                    Some(p) => println!("privateKey:  {}", p.display()),
                    None => {
                        println!("privateKey:  (yours; the uploaded public key was registered)")
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        MerchantCommand::List { client } => {
            let admin = Admin::new(&client)?;
            let all: Vec<MerchantInfo> = admin
                .call(reqwest::Method::GET, "/__admin/merchants", None)
                .await?;
            for m in all {
                println!(
                    "{}  {}  {}  {}  now {}",
                    m.merchant_id, m.region, m.environment, m.store_id, m.clock.now
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn save_private_key(data_dir: &Path, key_id: &str, pem: &str) -> anyhow::Result<PathBuf> {
    let dir = data_dir.join("keys");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{key_id}.pem"));
    crate::tls::write_private(&path, pem)?;
    Ok(std::path::absolute(&path).unwrap_or(path))
}

fn print_clock(c: &ClockInfo) {
    println!("merchantId: {}", c.merchant_id);
    println!(
        "now:        {}{}",
        c.now,
        if c.frozen { " (frozen)" } else { "" }
    );
    if c.applied_timers > 0 {
        println!(
            "applied:    {} checkout(s) had due timers applied",
            c.applied_timers
        );
    }
}

async fn clock(c: ClockCommand) -> anyhow::Result<ExitCode> {
    let info: ClockInfo = match c {
        ClockCommand::Get { merchant, client } => {
            Admin::new(&client)?
                .call(
                    reqwest::Method::GET,
                    &format!("/__admin/merchants/{merchant}/clock"),
                    None,
                )
                .await?
        }
        ClockCommand::Advance {
            merchant,
            duration,
            client,
        } => {
            let body = AdvanceClock {
                seconds: None,
                duration: Some(duration),
            };
            Admin::new(&client)?
                .call(
                    reqwest::Method::POST,
                    &format!("/__admin/merchants/{merchant}/clock/advance"),
                    Some(serde_json::to_value(&body)?),
                )
                .await?
        }
        ClockCommand::Set {
            merchant,
            now,
            frozen,
            client,
        } => {
            let body = SetClock {
                now,
                frozen: Some(frozen),
            };
            Admin::new(&client)?
                .call(
                    reqwest::Method::PUT,
                    &format!("/__admin/merchants/{merchant}/clock"),
                    Some(serde_json::to_value(&body)?),
                )
                .await?
        }
    };
    print_clock(&info);
    Ok(ExitCode::SUCCESS)
}

async fn buyer(c: BuyerCommand) -> anyhow::Result<ExitCode> {
    let (client, session, action, body) = match c {
        BuyerCommand::SignIn {
            session_id,
            instrument,
            name,
            email,
            client,
        } => {
            let body = SignInBody {
                name,
                email,
                instrument,
                ..Default::default()
            };
            (client, session_id, "sign-in", serde_json::to_value(&body)?)
        }
        BuyerCommand::Choose {
            session_id,
            instrument,
            client,
        } => {
            let body = ChooseBody {
                instrument: Some(instrument),
                shipping_address: None,
            };
            (client, session_id, "choose", serde_json::to_value(&body)?)
        }
        BuyerCommand::Pay { session_id, client } => {
            (client, session_id, "pay", serde_json::json!({}))
        }
        BuyerCommand::Cancel { session_id, client } => {
            (client, session_id, "cancel", serde_json::json!({}))
        }
    };
    let result: BuyerActionResult = Admin::new(&client)?
        .call(
            reqwest::Method::POST,
            &format!("/__admin/checkoutSessions/{session}/{action}"),
            Some(body),
        )
        .await?;
    match &result.reason_code {
        Some(r) => eprintln!(
            "session {} is {} ({r})",
            result.checkout_session_id, result.state
        ),
        None => eprintln!("session {} is {}", result.checkout_session_id, result.state),
    }
    println!("{}", result.redirect_url);
    Ok(ExitCode::SUCCESS)
}
