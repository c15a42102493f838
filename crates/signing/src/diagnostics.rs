//! What was signed or verified, for people debugging a signature mismatch.

use std::fmt;

use std::sync::OnceLock;

use crate::algorithm::Algorithm;
use crate::authorization::AuthorizationHeader;
use crate::canonical::CanonicalRequest;

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
#[derive(Debug, Clone)]
pub struct Diagnostics {
    canonical_request: String,
    signed_headers: String,
    string_to_sign: String,
    header: AuthorizationHeader,
    /// The header's text, rendered on first use: a verification that succeeds never needs it.
    authorization: OnceLock<String>,
}

impl Diagnostics {
    /// Records a signing or verification; `authorization` is the header's text when the caller
    /// already has it.
    pub(crate) fn new(
        canonical: CanonicalRequest,
        string_to_sign: String,
        header: AuthorizationHeader,
        authorization: Option<String>,
    ) -> Self {
        let (canonical_request, signed_headers) = canonical.into_parts();
        let text = OnceLock::new();
        if let Some(authorization) = authorization {
            let _ = text.set(authorization);
        }
        Diagnostics {
            canonical_request,
            signed_headers,
            string_to_sign,
            header,
            authorization: text,
        }
    }

    /// The algorithm used.
    pub fn algorithm(&self) -> Algorithm {
        self.header.algorithm()
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
        self.authorization.get_or_init(|| self.header.to_string())
    }

    /// The parsed `authorization` header.
    pub fn authorization_header(&self) -> &AuthorizationHeader {
        &self.header
    }
}

impl PartialEq for Diagnostics {
    fn eq(&self, other: &Self) -> bool {
        // The authorization text is derived from the header, so it needs no comparison.
        self.canonical_request == other.canonical_request
            && self.string_to_sign == other.string_to_sign
            && self.header == other.header
    }
}

impl Eq for Diagnostics {}

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
        writeln!(f, "algorithm: {}", self.algorithm())?;
        writeln!(f, "signed headers: {}", self.signed_headers)?;
        write_block(f, "canonical request", &self.canonical_request)?;
        write_block(f, "string to sign", &self.string_to_sign)?;
        write!(f, "authorization: {}", self.authorization())
    }
}
