//! Client configuration: keys, region, environment, endpoint, timeouts and retries.
//!
//! A [`Config`] is built once, validated once, and then only read. It comes from code
//! ([`Config::builder`]), from environment variables ([`ConfigBuilder::apply_env`]), from a profile
//! file ([`ConfigBuilder::apply_profile`]), or from a mix of the three, later layers overriding
//! earlier ones. The private key is never printed: [`Config`] and [`ConfigBuilder`] redact it in
//! `Debug`.
//!
//! The code is split by concern: [`Region`] and [`Environment`] in `region.rs`, the builder's
//! setters and its validation ([`ConfigBuilder::build`]) in `builder.rs`, and the environment and
//! profile-file layers in `layers.rs`. The types themselves live here, so each part can reach
//! their private fields.

mod builder;
mod layers;
mod region;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use amzpay_signing::{Algorithm, PrivateKey};
use secrecy::SecretString;
use url::Url;

use crate::retry::RetryPolicy;

pub use builder::parse_algorithm;
pub use layers::default_profile_path;
pub use region::{Environment, Region, implied_environment};

/// The default connect timeout: generous for a TLS handshake across a continent, short enough
/// that a dead host is noticed before a buyer gives up.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The default total timeout of one attempt (connect, send, wait, read).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The user agent sent unless configured otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("amzpay-rust/", env!("CARGO_PKG_VERSION"));

/// Where the private key comes from.
#[derive(Clone)]
enum KeySource {
    Pem(SecretString),
    File(PathBuf),
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Pem(_) => f.write_str("Pem([REDACTED])"),
            KeySource::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

/// A validated, immutable client configuration.
///
/// ```no_run
/// # fn main() -> Result<(), amzpay::ConfigError> {
/// use amzpay::{Config, Region};
/// let config = Config::builder()
///     .public_key_id("SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B")
///     .private_key_file("private.pem")
///     .region(Region::Na)
///     .build()?;
/// assert_eq!(config.path_prefix(), "/v2");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Config {
    public_key_id: String,
    private_key: PrivateKey,
    region: Region,
    environment: Environment,
    environment_in_path: bool,
    algorithm: Algorithm,
    base_url: Url,
    host_header: String,
    ca_cert_pem: Option<Vec<u8>>,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("public_key_id", &self.public_key_id)
            .field("private_key", &"[REDACTED]")
            .field("region", &self.region)
            .field("environment", &self.environment)
            .field("algorithm", &self.algorithm)
            .field("base_url", &self.base_url.as_str())
            .field("ca_cert", &self.ca_cert_pem.is_some())
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .finish()
    }
}

impl Config {
    /// Starts an empty builder.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Builds a configuration from the `AMZPAY_*` environment variables alone (see
    /// [`ConfigBuilder::apply_env`]).
    ///
    /// ```no_run
    /// let config = amzpay::Config::from_env()?;
    /// # Ok::<(), amzpay::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Config, ConfigError> {
        let mut builder = ConfigBuilder::default();
        builder.apply_env(|name| std::env::var(name).ok())?;
        builder.build()
    }

    /// The public key id (`SANDBOX-…`, `LIVE-…` or a legacy id).
    pub fn public_key_id(&self) -> &str {
        &self.public_key_id
    }

    /// The private key used to sign requests.
    pub fn private_key(&self) -> &PrivateKey {
        &self.private_key
    }

    /// The region.
    pub fn region(&self) -> Region {
        self.region
    }

    /// The environment, implied by the key id or configured for a legacy key.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The signing algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The base URL requests go to: `https://pay-api.amazon.{com,eu,jp}` or the endpoint override.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The value of the signed `x-amz-pay-host` header: the host of the URL actually used, with
    /// the port when the URL names a non-default one (what the official Node.js SDK sends with
    /// `overrideServiceUrl: "127.0.0.1:8443"`).
    pub fn host_header(&self) -> &str {
        &self.host_header
    }

    /// The extra CA certificate (PEM) trusted for the endpoint, if any.
    pub fn ca_cert_pem(&self) -> Option<&[u8]> {
        self.ca_cert_pem.as_deref()
    }

    /// The connect timeout of one attempt.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The total timeout of one attempt.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The `user-agent` header value.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The path prefix of every operation: `/v2` for `SANDBOX-`/`LIVE-` keys, `/sandbox/v2` or
    /// `/live/v2` for legacy keys.
    pub fn path_prefix(&self) -> String {
        if self.environment_in_path {
            format!("/{}/v2", self.environment.as_str())
        } else {
            "/v2".to_owned()
        }
    }
}

/// Collects configuration from code, environment variables and profile files, then validates it
/// in [`build`](ConfigBuilder::build).
///
/// ```
/// # fn main() -> Result<(), amzpay::ConfigError> {
/// use amzpay::{Config, Environment, Region};
/// # let pem = amzpay::signing::PrivateKey::generate(2048).unwrap().to_pkcs8_pem().unwrap();
/// let config = Config::builder()
///     .public_key_id("ABCDEF0000000000000")
///     .private_key_pem(pem)
///     .region(Region::Eu)
///     .environment(Environment::Sandbox)
///     .endpoint("https://127.0.0.1:8443")?
///     .build()?;
/// assert_eq!(config.path_prefix(), "/sandbox/v2");
/// assert_eq!(config.host_header(), "127.0.0.1:8443");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct ConfigBuilder {
    public_key_id: Option<String>,
    private_key: Option<KeySource>,
    region: Option<Region>,
    environment: Option<Environment>,
    algorithm: Option<Algorithm>,
    endpoint: Option<Url>,
    ca_cert: Option<CaCert>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    max_attempts: Option<u32>,
    retry: Option<RetryPolicy>,
}

#[derive(Debug, Clone)]
enum CaCert {
    Pem(Vec<u8>),
    File(PathBuf),
}

/// A configuration that is missing something or cannot be used.
///
/// Its `Display` says what and where; the underlying I/O or key error is its
/// [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ConfigError(#[from] ConfigErrorKind);

impl ConfigError {
    fn new(kind: ConfigErrorKind) -> Self {
        ConfigError(kind)
    }

    /// Whether the error is a profile file that lacks the requested profile.
    pub fn is_missing_profile(&self) -> bool {
        matches!(self.0, ConfigErrorKind::ProfileMissing { .. })
    }
}

#[derive(Debug, thiserror::Error)]
enum ConfigErrorKind {
    #[error("no {0} is configured")]
    Missing(&'static str),
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("cannot read the {what} {path}")]
    Read {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid private key{}", path.as_ref().map(|p| format!(" in {}", p.display())).unwrap_or_default())]
    Key {
        path: Option<PathBuf>,
        #[source]
        source: amzpay_signing::KeyError,
    },
    #[error("invalid profile file {path}: {message}")]
    Profile { path: PathBuf, message: String },
    #[error("the profile file {path} has no [profile.{name}]")]
    ProfileMissing { path: PathBuf, name: String },
}
