//! Client configuration: keys, region, environment, endpoint, timeouts and retries.
//!
//! A [`Config`] is built once, validated once, and then only read. It comes from code
//! ([`Config::builder`]), from environment variables ([`ConfigBuilder::apply_env`]), from a profile
//! file ([`ConfigBuilder::apply_profile`]), or from a mix of the three, later layers overriding
//! earlier ones. The private key is never printed: [`Config`] and [`ConfigBuilder`] redact it in
//! `Debug`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use amzpay_signing::{Algorithm, PrivateKey};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::retry::RetryPolicy;

/// The default connect timeout: generous for a TLS handshake across a continent, short enough
/// that a dead host is noticed before a buyer gives up.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The default total timeout of one attempt (connect, send, wait, read).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The user agent sent unless configured otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("amzpay-rust/", env!("CARGO_PKG_VERSION"));

/// The Amazon Pay region a merchant account belongs to.
///
/// Parsing accepts the codes every official SDK accepts, case-insensitively: `na` and `us` for
/// North America, `eu`, `de` and `uk` for Europe and the UK, `jp` for Japan.
///
/// ```
/// use amzpay::Region;
/// assert_eq!("US".parse::<Region>().unwrap(), Region::Na);
/// assert_eq!("uk".parse::<Region>().unwrap(), Region::Eu);
/// assert_eq!(Region::Jp.host(), "pay-api.amazon.jp");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Region {
    /// North America (`pay-api.amazon.com`).
    Na,
    /// Europe and the United Kingdom (`pay-api.amazon.eu`).
    Eu,
    /// Japan (`pay-api.amazon.jp`).
    Jp,
}

impl Region {
    /// The API host of this region.
    pub fn host(self) -> &'static str {
        match self {
            Region::Na => "pay-api.amazon.com",
            Region::Eu => "pay-api.amazon.eu",
            Region::Jp => "pay-api.amazon.jp",
        }
    }

    /// The value sent in the `x-amz-pay-region` header (`na`, `eu` or `jp`).
    pub fn code(self) -> &'static str {
        match self {
            Region::Na => "na",
            Region::Eu => "eu",
            Region::Jp => "jp",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Region {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "na" | "us" => Ok(Region::Na),
            "eu" | "de" | "uk" => Ok(Region::Eu),
            "jp" => Ok(Region::Jp),
            _ => Err(ConfigError::new(ConfigErrorKind::Invalid {
                field: "region",
                message: format!("unknown region {s:?} (expected na, us, eu, de, uk or jp)"),
            })),
        }
    }
}

/// Sandbox or live.
///
/// ```
/// use amzpay::Environment;
/// assert_eq!("Sandbox".parse::<Environment>().unwrap(), Environment::Sandbox);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    /// The sandbox: no money moves.
    Sandbox,
    /// Production.
    Live,
}

impl Environment {
    /// The path segment used by legacy keys (`sandbox` or `live`).
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Live => "live",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Environment {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sandbox" => Ok(Environment::Sandbox),
            "live" | "production" => Ok(Environment::Live),
            _ => Err(ConfigError::new(ConfigErrorKind::Invalid {
                field: "environment",
                message: format!("unknown environment {s:?} (expected sandbox or live)"),
            })),
        }
    }
}

/// The environment a public key id implies: `SANDBOX-…` and `LIVE-…` keys carry it, legacy keys
/// do not (and then the path carries it).
///
/// ```
/// use amzpay::{config::implied_environment, Environment};
/// assert_eq!(implied_environment("SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B"), Some(Environment::Sandbox));
/// assert_eq!(implied_environment("live-ABC"), Some(Environment::Live));
/// assert_eq!(implied_environment("ABCDEF0000000000000"), None);
/// ```
pub fn implied_environment(public_key_id: &str) -> Option<Environment> {
    let upper = public_key_id.to_ascii_uppercase();
    if upper.starts_with("SANDBOX") {
        Some(Environment::Sandbox)
    } else if upper.starts_with("LIVE") {
        Some(Environment::Live)
    } else {
        None
    }
}

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

impl ConfigBuilder {
    /// Sets the public key id.
    pub fn public_key_id(mut self, id: impl Into<String>) -> Self {
        self.public_key_id = Some(id.into());
        self
    }

    /// Sets the private key from PEM text (PKCS#8 or PKCS#1).
    pub fn private_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.private_key = Some(KeySource::Pem(SecretString::from(pem.into())));
        self
    }

    /// Reads the private key from a PEM file when [`build`](Self::build) runs.
    pub fn private_key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.private_key = Some(KeySource::File(path.into()));
        self
    }

    /// Sets the region.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// Sets the environment. Required for legacy key ids; for `SANDBOX-`/`LIVE-` key ids it must
    /// agree with the prefix.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// Sets the signing algorithm (default [`Algorithm::AmznPayRsassaPssV2`]).
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = Some(algorithm);
        self
    }

    /// Sends every request to this base URL instead of the region's host, e.g. a local emulator
    /// at `https://127.0.0.1:8443`. The URL must have a scheme (`http` or `https`) and no path.
    pub fn endpoint(mut self, url: &str) -> Result<Self, ConfigError> {
        self.endpoint = Some(parse_endpoint(url)?);
        Ok(self)
    }

    /// Trusts this CA certificate (PEM), in addition to the built-in roots, e.g. the emulator's
    /// self-signed certificate.
    pub fn ca_cert_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_cert = Some(CaCert::Pem(pem.into()));
        self
    }

    /// Reads the extra CA certificate (PEM) from a file when [`build`](Self::build) runs.
    pub fn ca_cert_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_cert = Some(CaCert::File(path.into()));
        self
    }

    /// Sets the connect timeout of one attempt (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the total timeout of one attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the `user-agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sets the maximum number of attempts per call, the first included (default 4). `1` turns
    /// retries off.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// Replaces the whole retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The public key id set so far.
    pub fn public_key_id_value(&self) -> Option<&str> {
        self.public_key_id.as_deref()
    }

    /// The region set so far.
    pub fn region_value(&self) -> Option<Region> {
        self.region
    }

    /// The environment set so far.
    pub fn environment_value(&self) -> Option<Environment> {
        self.environment
    }

    /// Applies the `AMZPAY_*` environment variables that are set, overriding what the builder
    /// holds. `var` looks a variable up (pass `|n| std::env::var(n).ok()`; tests pass a map).
    ///
    /// | variable | meaning |
    /// | --- | --- |
    /// | `AMZPAY_PUBLIC_KEY_ID` | public key id |
    /// | `AMZPAY_PRIVATE_KEY` | private key PEM text |
    /// | `AMZPAY_PRIVATE_KEY_FILE` | path of the private key PEM file |
    /// | `AMZPAY_REGION` | `na`, `us`, `eu`, `de`, `uk`, `jp` |
    /// | `AMZPAY_ENVIRONMENT` | `sandbox` or `live` |
    /// | `AMZPAY_ALGORITHM` | `AMZN-PAY-RSASSA-PSS` or `AMZN-PAY-RSASSA-PSS-V2` |
    /// | `AMZPAY_ENDPOINT` | base URL override, e.g. `https://127.0.0.1:8443` |
    /// | `AMZPAY_CA_CERT` | path of a CA certificate PEM file to trust |
    /// | `AMZPAY_CONNECT_TIMEOUT` | seconds (decimals allowed) |
    /// | `AMZPAY_TIMEOUT` | seconds (decimals allowed) |
    /// | `AMZPAY_MAX_ATTEMPTS` | attempts per call |
    /// | `AMZPAY_USER_AGENT` | user agent |
    ///
    /// ```
    /// let vars = std::collections::HashMap::from([("AMZPAY_REGION", "uk")]);
    /// let mut builder = amzpay::Config::builder();
    /// builder.apply_env(|name| vars.get(name).map(|v| v.to_string()))?;
    /// # Ok::<(), amzpay::ConfigError>(())
    /// ```
    pub fn apply_env(
        &mut self,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<&mut Self, ConfigError> {
        let get = |name: &str| var(name).filter(|v| !v.is_empty());
        let layer = ProfileLayer {
            public_key_id: get("AMZPAY_PUBLIC_KEY_ID"),
            private_key: get("AMZPAY_PRIVATE_KEY"),
            private_key_file: get("AMZPAY_PRIVATE_KEY_FILE").map(PathBuf::from),
            region: get("AMZPAY_REGION"),
            environment: get("AMZPAY_ENVIRONMENT"),
            algorithm: get("AMZPAY_ALGORITHM"),
            endpoint: get("AMZPAY_ENDPOINT"),
            ca_cert: get("AMZPAY_CA_CERT").map(PathBuf::from),
            connect_timeout: get("AMZPAY_CONNECT_TIMEOUT")
                .map(|v| parse_seconds("AMZPAY_CONNECT_TIMEOUT", &v))
                .transpose()?,
            timeout: get("AMZPAY_TIMEOUT")
                .map(|v| parse_seconds("AMZPAY_TIMEOUT", &v))
                .transpose()?,
            max_attempts: get("AMZPAY_MAX_ATTEMPTS")
                .map(|v| {
                    v.trim().parse::<u32>().map_err(|_| {
                        ConfigError::new(ConfigErrorKind::Invalid {
                            field: "AMZPAY_MAX_ATTEMPTS",
                            message: format!("{v:?} is not a whole number"),
                        })
                    })
                })
                .transpose()?,
            user_agent: get("AMZPAY_USER_AGENT"),
        };
        self.apply_layer(layer, None)?;
        Ok(self)
    }

    /// Applies the profile `name` of a TOML profile file, overriding what the builder holds.
    ///
    /// The file holds one table per profile; every key is optional:
    ///
    /// ```toml
    /// [profile.default]
    /// public_key_id = "SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B"
    /// private_key_file = "~/.config/amzpay/sandbox.pem"  # or private_key = "-----BEGIN ..."
    /// region = "eu"
    /// environment = "sandbox"          # legacy key ids only
    /// algorithm = "AMZN-PAY-RSASSA-PSS-V2"
    /// endpoint = "https://127.0.0.1:8443"
    /// ca_cert = "/path/to/emulator-ca.pem"
    /// connect_timeout = 5              # seconds
    /// timeout = 30                     # seconds
    /// max_attempts = 4
    /// user_agent = "my-shop/1.0"
    /// ```
    ///
    /// Relative paths (and `~/`) in the file are resolved against the file's folder (the home
    /// folder). A missing profile is an error.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("config.toml");
    /// std::fs::write(&path, "[profile.shop]\nregion = \"jp\"\n")?;
    /// let mut builder = amzpay::Config::builder();
    /// builder.apply_profile(&path, "shop")?;
    /// # Ok(()) }
    /// ```
    pub fn apply_profile(&mut self, path: &Path, name: &str) -> Result<&mut Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| {
            ConfigError::new(ConfigErrorKind::Read {
                what: "profile file",
                path: path.to_owned(),
                source,
            })
        })?;
        let file: ProfileFile = toml::from_str(&text).map_err(|source| {
            ConfigError::new(ConfigErrorKind::Profile {
                path: path.to_owned(),
                message: source.to_string(),
            })
        })?;
        let mut profiles = file.profile;
        let Some(table) = profiles.remove(name) else {
            return Err(ConfigError::new(ConfigErrorKind::ProfileMissing {
                path: path.to_owned(),
                name: name.to_owned(),
            }));
        };
        // Only the chosen profile is validated, so a typo elsewhere does not block it.
        let layer: ProfileLayer = table.try_into().map_err(|source: toml::de::Error| {
            ConfigError::new(ConfigErrorKind::Profile {
                path: path.to_owned(),
                message: format!("[profile.{name}]: {}", source.message()),
            })
        })?;
        self.apply_layer(layer, path.parent())?;
        Ok(self)
    }

    fn apply_layer(&mut self, layer: ProfileLayer, base: Option<&Path>) -> Result<(), ConfigError> {
        let resolve = |p: PathBuf| resolve_path(p, base);
        if let Some(v) = layer.public_key_id {
            self.public_key_id = Some(v);
        }
        // A key given as text wins over a key file from the same layer.
        if let Some(v) = layer.private_key_file {
            self.private_key = Some(KeySource::File(resolve(v)));
        }
        if let Some(v) = layer.private_key {
            self.private_key = Some(KeySource::Pem(SecretString::from(v)));
        }
        if let Some(v) = layer.region {
            self.region = Some(v.parse()?);
        }
        if let Some(v) = layer.environment {
            self.environment = Some(v.parse()?);
        }
        if let Some(v) = layer.algorithm {
            self.algorithm = Some(parse_algorithm(&v)?);
        }
        if let Some(v) = layer.endpoint {
            self.endpoint = Some(parse_endpoint(&v)?);
        }
        if let Some(v) = layer.ca_cert {
            self.ca_cert = Some(CaCert::File(resolve(v)));
        }
        if let Some(v) = layer.connect_timeout {
            self.connect_timeout = Some(v);
        }
        if let Some(v) = layer.timeout {
            self.timeout = Some(v);
        }
        if let Some(v) = layer.max_attempts {
            self.max_attempts = Some(v);
        }
        if let Some(v) = layer.user_agent {
            self.user_agent = Some(v);
        }
        Ok(())
    }

    /// Validates everything, loads the key and CA files, and returns the configuration.
    pub fn build(self) -> Result<Config, ConfigError> {
        let public_key_id = self
            .public_key_id
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| ConfigError::new(ConfigErrorKind::Missing("public key id")))?;
        let public_key_id = public_key_id.trim().to_owned();
        let private_key = match self.private_key {
            None => return Err(ConfigError::new(ConfigErrorKind::Missing("private key"))),
            Some(KeySource::Pem(pem)) => PrivateKey::from_pem(pem.expose_secret())
                .map_err(|source| ConfigError::new(ConfigErrorKind::Key { path: None, source }))?,
            Some(KeySource::File(path)) => {
                let pem = std::fs::read_to_string(&path).map_err(|source| {
                    ConfigError::new(ConfigErrorKind::Read {
                        what: "private key file",
                        path: path.clone(),
                        source,
                    })
                })?;
                let pem = SecretString::from(pem);
                PrivateKey::from_pem(pem.expose_secret()).map_err(|source| {
                    ConfigError::new(ConfigErrorKind::Key {
                        path: Some(path),
                        source,
                    })
                })?
            }
        };
        let region = self
            .region
            .ok_or_else(|| ConfigError::new(ConfigErrorKind::Missing("region")))?;
        let (environment, environment_in_path) = match (
            implied_environment(&public_key_id),
            self.environment,
        ) {
            (Some(implied), Some(explicit)) if implied != explicit => {
                return Err(ConfigError::new(ConfigErrorKind::Invalid {
                    field: "environment",
                    message: format!(
                        "the key id {public_key_id:?} is a {implied} key but the environment is set to {explicit}"
                    ),
                }));
            }
            (Some(implied), _) => (implied, false),
            (None, Some(explicit)) => (explicit, true),
            (None, None) => {
                return Err(ConfigError::new(ConfigErrorKind::Invalid {
                    field: "environment",
                    message: format!(
                        "the key id {public_key_id:?} has no SANDBOX- or LIVE- prefix, so the environment (sandbox or live) must be set"
                    ),
                }));
            }
        };
        let base_url = match self.endpoint {
            Some(url) => url,
            None => Url::parse(&format!("https://{}", region.host()))
                .expect("the region hosts are valid URLs"),
        };
        let host_header = authority(&base_url);
        let ca_cert_pem = match self.ca_cert {
            None => None,
            Some(CaCert::Pem(pem)) => Some(pem),
            Some(CaCert::File(path)) => Some(std::fs::read(&path).map_err(|source| {
                ConfigError::new(ConfigErrorKind::Read {
                    what: "CA certificate file",
                    path,
                    source,
                })
            })?),
        };
        let mut retry = self.retry.unwrap_or_default();
        if let Some(n) = self.max_attempts {
            retry = retry.with_max_attempts(n);
        }
        Ok(Config {
            public_key_id,
            private_key,
            region,
            environment,
            environment_in_path,
            algorithm: self.algorithm.unwrap_or_default(),
            base_url,
            host_header,
            ca_cert_pem,
            connect_timeout: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            user_agent: self
                .user_agent
                .unwrap_or_else(|| DEFAULT_USER_AGENT.to_owned()),
            retry,
        })
    }
}

/// The default profile file: `$AMZPAY_CONFIG` when set, else
/// `$XDG_CONFIG_HOME/amzpay/config.toml`, else `~/.config/amzpay/config.toml`.
pub fn default_profile_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("AMZPAY_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(dir).join("amzpay").join("config.toml"));
    }
    std::env::var_os("HOME")
        .filter(|p| !p.is_empty())
        .map(|home| PathBuf::from(home).join(".config/amzpay/config.toml"))
}

/// Parses an algorithm name as it appears in the `authorization` header (also accepts `v1`/`v2`).
///
/// ```
/// use amzpay::{config::parse_algorithm, signing::Algorithm};
/// assert_eq!(parse_algorithm("AMZN-PAY-RSASSA-PSS").unwrap(), Algorithm::AmznPayRsassaPss);
/// assert_eq!(parse_algorithm("v2").unwrap(), Algorithm::AmznPayRsassaPssV2);
/// ```
pub fn parse_algorithm(s: &str) -> Result<Algorithm, ConfigError> {
    match s.trim().to_ascii_uppercase().as_str() {
        "AMZN-PAY-RSASSA-PSS" | "V1" | "1" => Ok(Algorithm::AmznPayRsassaPss),
        "AMZN-PAY-RSASSA-PSS-V2" | "V2" | "2" => Ok(Algorithm::AmznPayRsassaPssV2),
        _ => Err(ConfigError::new(ConfigErrorKind::Invalid {
            field: "algorithm",
            message: format!(
                "unknown algorithm {s:?} (expected AMZN-PAY-RSASSA-PSS or AMZN-PAY-RSASSA-PSS-V2)"
            ),
        })),
    }
}

fn parse_endpoint(s: &str) -> Result<Url, ConfigError> {
    let invalid = |message: String| {
        ConfigError::new(ConfigErrorKind::Invalid {
            field: "endpoint",
            message,
        })
    };
    let url = Url::parse(s.trim()).map_err(|e| {
        invalid(format!(
            "{s:?} is not a URL ({e}); give a scheme, e.g. https://127.0.0.1:8443"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!("{s:?} must use http or https")));
    }
    if url.host_str().is_none() {
        return Err(invalid(format!("{s:?} has no host")));
    }
    if !(url.path().is_empty() || url.path() == "/") || url.query().is_some() {
        return Err(invalid(format!(
            "{s:?} must be a base URL without a path or query"
        )));
    }
    Ok(url)
}

/// `host[:port]` of a URL, the port only when it is not the scheme's default.
fn authority(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

fn parse_seconds(field: &'static str, v: &str) -> Result<Duration, ConfigError> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            ConfigError::new(ConfigErrorKind::Invalid {
                field,
                message: format!("{v:?} is not a positive number of seconds"),
            })
        })
}

fn resolve_path(path: PathBuf, base: Option<&Path>) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    match base {
        Some(base) if path.is_relative() => base.join(path),
        _ => path,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    #[serde(default)]
    profile: std::collections::BTreeMap<String, toml::Value>,
}

#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileLayer {
    public_key_id: Option<String>,
    private_key: Option<String>,
    private_key_file: Option<PathBuf>,
    region: Option<String>,
    environment: Option<String>,
    algorithm: Option<String>,
    endpoint: Option<String>,
    ca_cert: Option<PathBuf>,
    #[serde(default, deserialize_with = "de_seconds")]
    connect_timeout: Option<Duration>,
    #[serde(default, deserialize_with = "de_seconds")]
    timeout: Option<Duration>,
    max_attempts: Option<u32>,
    user_agent: Option<String>,
}

impl fmt::Debug for ProfileLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileLayer")
            .field("public_key_id", &self.public_key_id)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "[REDACTED]"),
            )
            .finish_non_exhaustive()
    }
}

fn de_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let v: Option<f64> = serde::Deserialize::deserialize(d)?;
    v.map(|s| {
        if s.is_finite() && s > 0.0 {
            Ok(Duration::from_secs_f64(s))
        } else {
            Err(serde::de::Error::custom(
                "must be a positive number of seconds",
            ))
        }
    })
    .transpose()
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
