//! The Amazon Pay region and environment, and the environment a key id implies.

use std::fmt;
use std::str::FromStr;

use super::{ConfigError, ConfigErrorKind};

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
