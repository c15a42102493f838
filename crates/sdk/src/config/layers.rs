//! The layers a [`ConfigBuilder`] can take besides code: `AMZPAY_*` environment variables and a
//! TOML profile file. Both go through one [`ProfileLayer`], so a setting means the same in each.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;

use super::builder::parse_endpoint;
use super::{CaCert, ConfigBuilder, ConfigError, ConfigErrorKind, KeySource, parse_algorithm};

impl ConfigBuilder {
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
