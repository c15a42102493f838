//! The `authorization` header (spec §6.4):
//! `<ALG> PublicKeyId=<id>, SignedHeaders=<a;b;c>, Signature=<base64>`.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::algorithm::{Algorithm, UnknownAlgorithmError, truncate_for_display};
use crate::canonical::is_header_name;

/// A parsed (or built) `authorization` header.
///
/// Its [`Display`](fmt::Display) is the exact header value the SDKs send, and parsing that value
/// gives back an equal header.
///
/// ```
/// use amzpay_signing::{Algorithm, AuthorizationHeader};
/// let text = "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId=SANDBOX-AB12, SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature=AQID";
/// let header: AuthorizationHeader = text.parse()?;
/// assert_eq!(header.algorithm(), Algorithm::AmznPayRsassaPssV2);
/// assert_eq!(header.public_key_id(), "SANDBOX-AB12");
/// assert_eq!(header.signed_headers(), ["x-amz-pay-date", "x-amz-pay-host"]);
/// assert_eq!(header.signature(), [1, 2, 3]);
/// assert_eq!(header.to_string(), text);
/// # Ok::<(), amzpay_signing::ParseAuthorizationError>(())
/// ```
///
/// Cloning is cheap (the parts are shared), so diagnostics can keep a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationHeader(Arc<Parts>);

#[derive(Debug, PartialEq, Eq)]
struct Parts {
    algorithm: Algorithm,
    public_key_id: String,
    /// Lower-case, unique, in the order declared.
    signed_headers: Vec<String>,
    signature: Vec<u8>,
}

impl AuthorizationHeader {
    /// Builds a header from its parts, checking each as [`parse`](Self::parse) would: the key id is
    /// non-empty visible ASCII without `,` `;` or `=`, header names are HTTP tokens (lower-cased
    /// here) without duplicates, and there is at least one signed header and a non-empty signature.
    pub fn new<I, S>(
        algorithm: Algorithm,
        public_key_id: &str,
        signed_headers: I,
        signature: Vec<u8>,
    ) -> Result<Self, ParseAuthorizationError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        check_public_key_id(public_key_id)?;
        let mut names: Vec<String> = Vec::new();
        for name in signed_headers {
            let name = name.as_ref();
            if !is_header_name(name) {
                return Err(malformed(format!(
                    "SignedHeaders has an invalid header name {:?}",
                    truncate_for_display(name)
                )));
            }
            let name = name.to_ascii_lowercase();
            if names.contains(&name) {
                return Err(malformed(format!("SignedHeaders lists {name:?} twice")));
            }
            names.push(name);
        }
        if names.is_empty() {
            return Err(malformed("SignedHeaders is empty".into()));
        }
        if signature.is_empty() {
            return Err(malformed("Signature is empty".into()));
        }
        Ok(AuthorizationHeader(Arc::new(Parts {
            algorithm,
            public_key_id: public_key_id.to_owned(),
            signed_headers: names,
            signature,
        })))
    }

    /// Parses a header value. The structure is strict (an algorithm name, then exactly the three
    /// parameters `PublicKeyId`, `SignedHeaders` and `Signature`, each once, separated by commas;
    /// the signature is standard padded base64) but whitespace around the parts is tolerated.
    pub fn parse(value: &str) -> Result<Self, ParseAuthorizationError> {
        let value = value.trim();
        let Some((algorithm, params)) = value.split_once(|c: char| c.is_ascii_whitespace()) else {
            return Err(if value.is_empty() {
                malformed("the header is empty".into())
            } else {
                // A lone word is either an algorithm with nothing after it, or no algorithm at all.
                match value.parse::<Algorithm>() {
                    Ok(_) => malformed("nothing follows the algorithm name".into()),
                    Err(e) if value.contains('=') => {
                        malformed(format!("it must start with the algorithm name ({e})"))
                    }
                    Err(e) => ParseAuthorizationError {
                        kind: ErrorKind::UnknownAlgorithm(e),
                    },
                }
            });
        };
        let algorithm = algorithm.parse::<Algorithm>().map_err(|e| {
            if algorithm.contains('=') {
                malformed(format!("it must start with the algorithm name ({e})"))
            } else {
                ParseAuthorizationError {
                    kind: ErrorKind::UnknownAlgorithm(e),
                }
            }
        })?;

        let (mut key_id, mut signed_headers, mut signature) = (None, None, None);
        for part in params.split(',') {
            let part = part.trim();
            let Some((name, value)) = part.split_once('=') else {
                return Err(malformed(format!(
                    "expected Name=value, found {:?}",
                    truncate_for_display(part)
                )));
            };
            let (name, value) = (name.trim(), value.trim());
            let slot = match name {
                "PublicKeyId" => &mut key_id,
                "SignedHeaders" => &mut signed_headers,
                "Signature" => &mut signature,
                _ => {
                    return Err(malformed(format!(
                        "unknown parameter {:?}: expected PublicKeyId, SignedHeaders and Signature",
                        truncate_for_display(name)
                    )));
                }
            };
            if slot.replace(value).is_some() {
                return Err(malformed(format!("{name} appears twice")));
            }
        }
        let missing = |name: &str| malformed(format!("{name}= is missing"));
        let key_id = key_id.ok_or_else(|| missing("PublicKeyId"))?;
        let signed_headers = signed_headers.ok_or_else(|| missing("SignedHeaders"))?;
        let signature = signature.ok_or_else(|| missing("Signature"))?;
        let signature = STANDARD
            .decode(signature)
            .map_err(|_| malformed("Signature is not valid base64".into()))?;
        Self::new(
            algorithm,
            key_id,
            signed_headers.split(';').map(str::trim),
            signature,
        )
    }

    /// The signature algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.0.algorithm
    }

    /// The public key id (for example `SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B`).
    pub fn public_key_id(&self) -> &str {
        &self.0.public_key_id
    }

    /// The declared signed header names, lower-case, in declaration order.
    pub fn signed_headers(&self) -> &[String] {
        &self.0.signed_headers
    }

    /// Whether a header (by lower-case name) is declared as signed.
    pub fn is_signed(&self, lowercase_name: &str) -> bool {
        self.0.signed_headers.iter().any(|n| n == lowercase_name)
    }

    /// The raw signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.0.signature
    }

    /// The signature in standard padded base64, as in the header.
    pub fn signature_base64(&self) -> String {
        STANDARD.encode(&self.0.signature)
    }
}

impl fmt::Display for AuthorizationHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} PublicKeyId={}, SignedHeaders=",
            self.0.algorithm, self.0.public_key_id
        )?;
        for (i, name) in self.0.signed_headers.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(name)?;
        }
        write!(f, ", Signature={}", self.signature_base64())
    }
}

impl FromStr for AuthorizationHeader {
    type Err = ParseAuthorizationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

pub(crate) fn check_public_key_id(id: &str) -> Result<(), ParseAuthorizationError> {
    if id.is_empty() {
        return Err(malformed("PublicKeyId is empty".into()));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b",;=".contains(&b))
    {
        return Err(malformed(format!(
            "PublicKeyId {:?} contains a character other than visible ASCII without , ; =",
            truncate_for_display(id)
        )));
    }
    Ok(())
}

fn malformed(reason: String) -> ParseAuthorizationError {
    ParseAuthorizationError {
        kind: ErrorKind::Malformed(reason),
    }
}

/// An `authorization` header that could not be parsed (or built).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct ParseAuthorizationError {
    kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum ErrorKind {
    #[error(transparent)]
    UnknownAlgorithm(UnknownAlgorithmError),
    #[error("malformed authorization header: {0}")]
    Malformed(String),
}

impl ParseAuthorizationError {
    /// When the only problem is the algorithm name: which name it was.
    pub fn unknown_algorithm(&self) -> Option<&UnknownAlgorithmError> {
        match &self.kind {
            ErrorKind::UnknownAlgorithm(e) => Some(e),
            ErrorKind::Malformed(_) => None,
        }
    }

    pub(crate) fn into_unknown_algorithm(self) -> Result<UnknownAlgorithmError, Self> {
        match self.kind {
            ErrorKind::UnknownAlgorithm(e) => Ok(e),
            ErrorKind::Malformed(_) => Err(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str = "AMZN-PAY-RSASSA-PSS PublicKeyId=LIVE-ABC, SignedHeaders=accept;x-amz-pay-date, Signature=AAEC";

    #[test]
    fn extra_whitespace_and_parameter_order_are_tolerated() {
        let messy = "  AMZN-PAY-RSASSA-PSS \t Signature = AAEC ,SignedHeaders= Accept ; x-amz-pay-date,PublicKeyId=LIVE-ABC  ";
        assert_eq!(messy.parse::<AuthorizationHeader>(), GOOD.parse());
        assert_eq!(
            messy
                .parse::<AuthorizationHeader>()
                .expect("parses")
                .to_string(),
            GOOD
        );
    }

    #[test]
    fn malformed_headers_say_what_is_wrong() {
        let cases = [
            ("", "empty"),
            ("AMZN-PAY-RSASSA-PSS", "nothing follows"),
            (
                "PublicKeyId=a, SignedHeaders=b, Signature=AA==",
                "must start with the algorithm",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a, SignedHeaders=b",
                "Signature= is missing",
            ),
            (
                "AMZN-PAY-RSASSA-PSS SignedHeaders=b, Signature=AA==",
                "PublicKeyId= is missing",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a, Signature=AA==",
                "SignedHeaders= is missing",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a, PublicKeyId=a, SignedHeaders=b, Signature=AA==",
                "twice",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a, SignedHeaders=b, Signature=AA==, Extra=1",
                "unknown parameter",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a SignedHeaders=b, Signature=AA==",
                "SignedHeaders= is missing",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a b, SignedHeaders=b, Signature=AA==",
                "contains a character",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a, SignedHeaders=b;;c, Signature=AA==",
                "invalid header name",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a, SignedHeaders=b;B, Signature=AA==",
                "twice",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a, SignedHeaders=, Signature=AA==",
                "invalid header name",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a, SignedHeaders=b, Signature=AA",
                "base64",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a, SignedHeaders=b, Signature=",
                "Signature is empty",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=, SignedHeaders=b, Signature=AA==",
                "PublicKeyId is empty",
            ),
            (
                "AMZN-PAY-RSASSA-PSS PublicKeyId=a; SignedHeaders=b; Signature=AA==",
                "is missing",
            ),
            ("AMZN-PAY-RSASSA-PSS garbage", "expected Name=value"),
        ];
        for (input, expected) in cases {
            let err = input.parse::<AuthorizationHeader>().unwrap_err();
            assert!(err.unknown_algorithm().is_none(), "{input:?} -> {err}");
            assert!(err.to_string().contains(expected), "{input:?} -> {err}");
        }
    }

    #[test]
    fn an_unknown_algorithm_is_its_own_kind() {
        for input in [
            "AWS4-HMAC-SHA256 Credential=x, SignedHeaders=b, Signature=AA==",
            "Bearer abc",
            "Basic",
        ] {
            let err = input.parse::<AuthorizationHeader>().unwrap_err();
            assert!(err.unknown_algorithm().is_some(), "{input:?} -> {err}");
        }
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(
            v2 in any::<bool>(),
            id in "[!-+--:<>-~]{1,40}",
            names in proptest::collection::btree_set("[a-z0-9-]{1,12}", 1..6),
            signature in proptest::collection::vec(any::<u8>(), 1..300),
        ) {
            let alg = if v2 { Algorithm::AmznPayRsassaPssV2 } else { Algorithm::AmznPayRsassaPss };
            let header = AuthorizationHeader::new(alg, &id, &names, signature).expect("valid parts");
            prop_assert_eq!(header.to_string().parse::<AuthorizationHeader>(), Ok(header));
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,80}") {
            let _ = s.parse::<AuthorizationHeader>();
        }
    }
}
