//! What was signed or verified, for people debugging a signature mismatch.

use std::fmt;

use crate::algorithm::Algorithm;

/// The intermediate values of one signing or verification: compare two of them (the client's and
/// the server's) to see why a signature does not match.
///
/// `Display` prints every part on its own labelled lines, with multi-line values indented behind
/// `| ` so that empty lines (such as an empty query) stay visible:
///
/// ```text
/// algorithm: AMZN-PAY-RSASSA-PSS-V2
/// signed headers: accept;x-amz-pay-date;x-amz-pay-host
/// canonical request:
///   | GET
///   | /v2/checkoutSessions/42
///   |
///   ...
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    algorithm: Algorithm,
    canonical_request: String,
    string_to_sign: String,
    signed_headers: String,
    authorization: String,
}

impl Diagnostics {
    pub(crate) fn new(
        algorithm: Algorithm,
        canonical_request: String,
        string_to_sign: String,
        signed_headers: String,
        authorization: String,
    ) -> Self {
        Diagnostics {
            algorithm,
            canonical_request,
            string_to_sign,
            signed_headers,
            authorization,
        }
    }

    /// The algorithm used.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The canonical request, exactly as hashed.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The string to sign, exactly as signed.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The `SignedHeaders` list (names joined with `;`).
    pub fn signed_headers(&self) -> &str {
        &self.signed_headers
    }

    /// The `authorization` header value (made, or as received).
    pub fn authorization(&self) -> &str {
        &self.authorization
    }
}

fn write_block(f: &mut fmt::Formatter<'_>, label: &str, text: &str) -> fmt::Result {
    writeln!(f, "{label}:")?;
    for line in text.split('\n') {
        if line.is_empty() {
            writeln!(f, "  |")?
        } else {
            writeln!(f, "  | {line}")?
        }
    }
    Ok(())
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "algorithm: {}", self.algorithm)?;
        writeln!(f, "signed headers: {}", self.signed_headers)?;
        write_block(f, "canonical request", &self.canonical_request)?;
        write_block(f, "string to sign", &self.string_to_sign)?;
        write!(f, "authorization: {}", self.authorization)
    }
}
