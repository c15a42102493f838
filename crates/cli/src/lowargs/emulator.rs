//! The `amzpay emulator ...` command line as parsed: flags only.
//!
//! `serve` runs the emulator in this process; every other command is a client of a running
//! emulator's admin API (see [`crate::admin_client`]).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// Arguments of `amzpay emulator`.
#[derive(Debug, Args)]
pub(crate) struct EmulatorArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: EmulatorCommand,
}

/// The `amzpay emulator` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum EmulatorCommand {
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
    /// Add, list and clear fault-injection rules (errors, resets, lost answers, latency...).
    #[command(subcommand)]
    Fault(FaultCommand),
    /// Instant Payment Notifications: list deliveries, show one with its attempts, send one
    /// again.
    #[command(subcommand)]
    Notifications(NotificationsCommand),
    /// Sandbox simulations that need no API call (a chargeback).
    #[command(subcommand)]
    Simulate(SimulateCommand),
    /// Print the request journal, one line per request (`logs show REQUEST_ID` for one in full).
    Logs(LogsArgs),
    /// Check that an emulator answers (exit status 0 when it does): for health checks, such as
    /// the Docker image's. Needs no admin token.
    Ping {
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// TLS mode flag values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum TlsFlag {
    /// Generate (once) and use a self-signed CA and certificate in the data directory.
    SelfSigned,
    /// Use `--cert` and `--key`.
    Files,
    /// Plain HTTP.
    Off,
}

/// Log format flag values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormatFlag {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `amzpay emulator serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "AMZPAY_LISTEN", default_value = "127.0.0.1:8443")]
    pub(crate) listen: SocketAddr,
    /// Base URL browsers use to reach the emulator (for amazonPayRedirectUrl).
    #[arg(long, env = "AMZPAY_PUBLIC_URL")]
    pub(crate) public_url: Option<String>,
    /// Data directory: database, certificates, generated keys, admin token.
    #[arg(long, env = "AMZPAY_DATA_DIR", default_value = ".amzpay")]
    pub(crate) data_dir: PathBuf,
    /// Database URL (default: sqlite://DATA_DIR/emulator.db).
    #[arg(long, env = "AMZPAY_DATABASE_URL")]
    pub(crate) database: Option<String>,
    /// TLS mode.
    #[arg(long, env = "AMZPAY_TLS", value_enum, default_value = "self-signed")]
    pub(crate) tls: TlsFlag,
    /// Certificate chain (PEM) for `--tls files`.
    #[arg(long, env = "AMZPAY_TLS_CERT")]
    pub(crate) cert: Option<PathBuf>,
    /// Private key (PEM) for `--tls files`.
    #[arg(long, env = "AMZPAY_TLS_KEY")]
    pub(crate) key: Option<PathBuf>,
    /// Admin API bearer token (default: generated once and kept in DATA_DIR/admin-token).
    /// Prefer AMZPAY_ADMIN_TOKEN or the file: a flag's value shows in `ps`.
    #[arg(long, env = "AMZPAY_ADMIN_TOKEN", hide_env_values = true)]
    pub(crate) admin_token: Option<String>,
    /// Most connections open at once (lowered to fit the open-file limit).
    #[arg(long, env = "AMZPAY_MAX_CONNECTIONS", default_value_t = 1024)]
    pub(crate) max_connections: usize,
    /// Longest time a client may take to send a request header, also the longest wait for the
    /// next request on an HTTP/1.1 keep-alive connection (e.g. 20s).
    #[arg(long, env = "AMZPAY_HEADER_READ_TIMEOUT", default_value = "20s")]
    pub(crate) header_read_timeout: String,
    /// Longest time a connection may stay open with no request in flight (e.g. 60s).
    #[arg(long, env = "AMZPAY_IDLE_TIMEOUT", default_value = "60s")]
    pub(crate) idle_timeout: String,
    /// Largest request header in bytes (at least 8192).
    #[arg(long, env = "AMZPAY_MAX_HEADER_BYTES", default_value_t = 32 * 1024)]
    pub(crate) max_header_bytes: usize,
    /// Log format.
    #[arg(long, env = "AMZPAY_LOG_FORMAT", value_enum, default_value = "text")]
    pub(crate) log_format: LogFormatFlag,
    /// Put the emulator's canonical request into InvalidRequestSignature messages.
    #[arg(long, env = "AMZPAY_DEBUG_SIGNATURES")]
    pub(crate) debug_signatures: bool,
    /// Largest accepted difference between x-amz-pay-date and real time (e.g. 15m, 900).
    #[arg(long, env = "AMZPAY_MAX_CLOCK_SKEW", default_value = "15m")]
    pub(crate) max_clock_skew: String,
    /// Largest request body in bytes.
    #[arg(long, env = "AMZPAY_BODY_LIMIT", default_value_t = 256 * 1024)]
    pub(crate) body_limit: usize,
    /// Apply Amazon's per-operation throttling limits for sandbox or live keys (429
    /// TooManyRequests beyond them).
    #[arg(long, env = "AMZPAY_THROTTLE", value_enum, default_value = "off")]
    pub(crate) throttle: ThrottleFlag,
    /// The wait after a notification's first failed delivery; it doubles after each further
    /// failure, up to an hour (e.g. 10s).
    #[arg(long, env = "AMZPAY_IPN_RETRY_BASE", default_value = "10s")]
    pub(crate) ipn_retry_base: String,
    /// Delivery attempts of a notification before it is given up.
    #[arg(long, env = "AMZPAY_IPN_MAX_ATTEMPTS", default_value_t = 10)]
    pub(crate) ipn_max_attempts: u32,
    /// How long one delivery attempt may take (e.g. 15s).
    #[arg(long, env = "AMZPAY_IPN_TIMEOUT", default_value = "15s")]
    pub(crate) ipn_timeout: String,
    /// Requests kept in the request journal per merchant (0 turns the journal off).
    #[arg(long, env = "AMZPAY_JOURNAL_SIZE", default_value_t = amzpay_emulator::startup::DEFAULT_JOURNAL_SIZE)]
    pub(crate) journal_size: u32,
}

/// `amzpay emulator logs`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct LogsArgs {
    /// `show REQUEST_ID`.
    #[command(subcommand)]
    pub(crate) command: Option<LogsCommand>,
    /// Which requests.
    #[command(flatten)]
    pub(crate) list: LogsListArgs,
}

/// `amzpay emulator logs show`.
#[derive(Debug, Subcommand)]
pub(crate) enum LogsCommand {
    /// One request in full: headers, bodies, the signature diagnosis.
    Show {
        /// The request's `x-amz-pay-request-id`.
        request_id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// The filters of `amzpay emulator logs`.
#[derive(Debug, Args)]
pub(crate) struct LogsListArgs {
    /// Only this merchant's requests.
    #[arg(long)]
    pub(crate) merchant: Option<String>,
    /// Only answers of this class or status (2xx, 4xx, 5xx, 404...).
    #[arg(long)]
    pub(crate) status: Option<String>,
    /// Only this operation (CompleteCheckoutSession, ...).
    #[arg(long)]
    pub(crate) operation: Option<String>,
    /// Only requests since this time (RFC 3339 or Unix seconds).
    #[arg(long)]
    pub(crate) since: Option<String>,
    /// How many of the newest requests to print first.
    #[arg(long, default_value_t = 50)]
    pub(crate) limit: u32,
    /// Keep printing new requests as they arrive.
    #[arg(long, short = 'f')]
    pub(crate) follow: bool,
    /// Print one JSON object per line.
    #[arg(long)]
    pub(crate) json: bool,
    /// Connection.
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

/// `--throttle` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ThrottleFlag {
    /// No throttling.
    Off,
    /// Amazon's limits for sandbox keys.
    Sandbox,
    /// Amazon's limits for live keys.
    Live,
}

/// The kinds of fault a rule injects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum FaultKindFlag {
    /// Wait before processing (--ms, optionally up to --max-ms).
    Latency,
    /// Answer with an error and change nothing (--status, --reason-code; default 500).
    Error,
    /// Close the connection before processing (nothing changes).
    Reset,
    /// Process the request, then close the connection before answering.
    LostAnswer,
    /// Trickle the answer (--chunk-bytes every --interval-ms).
    SlowBody,
    /// Skew the answer's Date header by --seconds.
    ClockSkew,
}

/// `amzpay emulator fault ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum FaultCommand {
    /// Add a rule; prints its id.
    Add(Box<FaultAddArgs>),
    /// List the rules with their hit counters.
    List {
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Delete one rule, or every rule.
    Clear {
        /// The rule to delete (default: every rule).
        id: Option<String>,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// `amzpay emulator fault add`.
#[derive(Debug, Args)]
pub(crate) struct FaultAddArgs {
    /// What to do to the matching requests.
    #[arg(value_enum)]
    pub(crate) kind: FaultKindFlag,
    /// Only this merchant's requests.
    #[arg(long)]
    pub(crate) merchant: Option<String>,
    /// Only this operation (CompleteCheckoutSession, CreateCharge, CaptureCharge, ...).
    #[arg(long)]
    pub(crate) operation: Option<String>,
    /// Only this HTTP method.
    #[arg(long)]
    pub(crate) method: Option<String>,
    /// Only this path (`*` matches anything), e.g. /v2/checkoutSessions/*/complete.
    #[arg(long)]
    pub(crate) path: Option<String>,
    /// Only the next N matching requests.
    #[arg(long)]
    pub(crate) count: Option<u64>,
    /// Only with this probability (0 to 1).
    #[arg(long)]
    pub(crate) probability: Option<f64>,
    /// Seed of the probability draws (reproducible runs).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// latency: milliseconds (the lower bound with --max-ms).
    #[arg(long)]
    pub(crate) ms: Option<u64>,
    /// latency: the upper bound of a uniform range, in milliseconds.
    #[arg(long)]
    pub(crate) max_ms: Option<u64>,
    /// error: the HTTP status (default 500, or the one the reason code implies).
    #[arg(long)]
    pub(crate) status: Option<u16>,
    /// error: the reasonCode (default from the status: InternalServerError, ServiceUnavailable,
    /// TooManyRequests).
    #[arg(long)]
    pub(crate) reason_code: Option<String>,
    /// error: the message.
    #[arg(long)]
    pub(crate) message: Option<String>,
    /// slow-body: bytes per chunk (default 16).
    #[arg(long)]
    pub(crate) chunk_bytes: Option<u64>,
    /// slow-body: milliseconds between chunks (default 100).
    #[arg(long)]
    pub(crate) interval_ms: Option<u64>,
    /// clock-skew: seconds added to the Date header (negative: behind).
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) seconds: Option<i64>,
    /// Print JSON instead of the rule's id.
    #[arg(long)]
    pub(crate) json: bool,
    /// Connection.
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

/// How CLI commands reach a running emulator.
#[derive(Debug, Clone, Args)]
pub(crate) struct ClientArgs {
    /// The emulator's base URL.
    #[arg(
        long,
        env = "AMZPAY_EMULATOR_URL",
        default_value = "https://127.0.0.1:8443"
    )]
    pub(crate) url: String,
    /// The data directory of the emulator (for its admin token and CA certificate).
    #[arg(long, env = "AMZPAY_DATA_DIR", default_value = ".amzpay")]
    pub(crate) data_dir: PathBuf,
    /// Admin token (default: DATA_DIR/admin-token).
    #[arg(long, env = "AMZPAY_ADMIN_TOKEN", hide_env_values = true)]
    pub(crate) admin_token: Option<String>,
    /// CA certificate to trust (default: DATA_DIR/tls/ca.pem when it exists).
    #[arg(long, env = "AMZPAY_CA_CERT")]
    pub(crate) ca_cert: Option<PathBuf>,
}

/// `amzpay emulator merchant ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum MerchantCommand {
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
        /// An IPN endpoint for the merchant's environment (repeat for up to five): `https://`,
        /// or `http://` on localhost.
        #[arg(long = "ipn-url", value_name = "URL")]
        ipn_urls: Vec<String>,
        /// The SNS signature version of its notifications: 1 (SHA1withRSA) or 2 (SHA256withRSA).
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
        ipn_signature_version: Option<u8>,
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
    /// Change a merchant's IPN settings (what is not given stays as it is); prints them.
    Update {
        /// The merchant.
        merchant: String,
        /// The environment whose endpoints `--ipn-url` and `--clear-ipn-urls` set.
        #[arg(long, default_value = "sandbox", value_parser = ["sandbox", "live"])]
        environment: String,
        /// Replace the environment's IPN endpoints with these (repeat for up to five).
        #[arg(
            long = "ipn-url",
            value_name = "URL",
            conflicts_with = "clear_ipn_urls"
        )]
        ipn_urls: Vec<String>,
        /// Remove the environment's IPN endpoints.
        #[arg(long)]
        clear_ipn_urls: bool,
        /// 1 (SHA1withRSA) or 2 (SHA256withRSA).
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
        ipn_signature_version: Option<u8>,
        /// A CA certificate (PEM file) to trust for the merchant's https endpoints.
        #[arg(long, value_name = "PEM", conflicts_with = "clear_ipn_ca")]
        ipn_ca: Option<PathBuf>,
        /// Forget the trusted CA.
        #[arg(long)]
        clear_ipn_ca: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// `amzpay emulator notifications ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum NotificationsCommand {
    /// List deliveries, newest first: id, state, attempts, object, endpoint.
    List {
        /// Only this merchant's.
        #[arg(long)]
        merchant: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Show one delivery (by its id from `list`) with every attempt.
    Show {
        /// The delivery id.
        id: u64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Send a delivery again now, whatever its state.
    Redeliver {
        /// The delivery id.
        id: u64,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// `amzpay emulator simulate ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum SimulateCommand {
    /// A chargeback on a captured charge: sends the CHARGEBACK notification; prints its id.
    Chargeback {
        /// The charge.
        charge_id: String,
        /// Connection.
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// `amzpay emulator clock ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ClockCommand {
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
#[derive(Debug, Subcommand)]
pub(crate) enum BuyerCommand {
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
