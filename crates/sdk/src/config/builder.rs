//! The builder's setters and its one validation step, [`ConfigBuilder::build`], with the parsers
//! of values that come from code as well as from the environment or a profile file.

use std::path::PathBuf;
use std::time::Duration;

use amzpay_signing::{Algorithm, PrivateKey};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::{
    CaCert, Config, ConfigBuilder, ConfigError, ConfigErrorKind, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, Environment, KeySource, Region, implied_environment,
};
use crate::retry::RetryPolicy;

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

pub(super) fn parse_endpoint(s: &str) -> Result<Url, ConfigError> {
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
