//! The two signature algorithms of Amazon Pay v2.

use std::fmt;
use std::str::FromStr;

/// An Amazon Pay signature algorithm: RSASSA-PSS with SHA-256 and MGF1-SHA-256, differing only in
/// the salt length.
///
/// The name appears literally at the start of the `authorization` header and on the first line of
/// the string to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// `AMZN-PAY-RSASSA-PSS`: salt length 20 bytes. The default of the official SDKs.
    AmznPayRsassaPss,
    /// `AMZN-PAY-RSASSA-PSS-V2`: salt length 32 bytes. Recommended by Amazon since 2022, and our
    /// default.
    #[default]
    AmznPayRsassaPssV2,
}

impl Algorithm {
    /// Both algorithms, oldest first.
    pub const ALL: [Algorithm; 2] = [Algorithm::AmznPayRsassaPss, Algorithm::AmznPayRsassaPssV2];

    /// The literal name, as written in the `authorization` header.
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::AmznPayRsassaPss => "AMZN-PAY-RSASSA-PSS",
            Algorithm::AmznPayRsassaPssV2 => "AMZN-PAY-RSASSA-PSS-V2",
        }
    }

    /// The PSS salt length in bytes (20 or 32).
    pub const fn salt_len(self) -> usize {
        match self {
            Algorithm::AmznPayRsassaPss => 20,
            Algorithm::AmznPayRsassaPssV2 => 32,
        }
    }

    /// A small dense index, for per-algorithm tables.
    pub(crate) const fn index(self) -> usize {
        match self {
            Algorithm::AmznPayRsassaPss => 0,
            Algorithm::AmznPayRsassaPssV2 => 1,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Algorithm {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for Algorithm {
    type Err = UnknownAlgorithmError;

    /// Parses the exact (case-sensitive) algorithm name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|alg| alg.as_str() == s)
            .ok_or_else(|| UnknownAlgorithmError {
                name: truncate_for_display(s),
            })
    }
}

/// The algorithm name is not one of [`Algorithm::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown signing algorithm {name:?}: expected \"AMZN-PAY-RSASSA-PSS\" or \"AMZN-PAY-RSASSA-PSS-V2\""
)]
pub struct UnknownAlgorithmError {
    name: String,
}

impl UnknownAlgorithmError {
    /// The name that was given (at most 64 characters of it).
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Shortens untrusted text that ends up in error messages and logs.
pub(crate) fn truncate_for_display(s: &str) -> String {
    const MAX: usize = 64;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
            assert_eq!(alg.to_string(), alg.as_str());
        }
    }

    #[test]
    fn the_default_is_v2_with_a_32_byte_salt() {
        assert_eq!(Algorithm::default(), Algorithm::AmznPayRsassaPssV2);
        assert_eq!(Algorithm::default().salt_len(), 32);
        assert_eq!(Algorithm::AmznPayRsassaPss.salt_len(), 20);
    }

    #[test]
    fn unknown_and_differently_cased_names_are_rejected() {
        for name in [
            "",
            "amzn-pay-rsassa-pss",
            "AMZN-PAY-RSASSA-PSS-V3",
            "AWS4-HMAC-SHA256",
        ] {
            let err = name.parse::<Algorithm>().unwrap_err();
            assert_eq!(err.name(), name);
        }
    }

    #[test]
    fn long_unknown_names_are_truncated_in_the_error() {
        let err = "X".repeat(1000).parse::<Algorithm>().unwrap_err();
        assert_eq!(err.name().len(), 67);
    }
}
