//! The canonical request and the string to sign (spec §6.2, §6.3).
//!
//! ```text
//! CanonicalRequest = Method "\n" CanonicalURI "\n" CanonicalQuery "\n"
//!                    ( lower(name) ":" value "\n" )*   -- one line per signed header, sorted
//!                    "\n" SignedHeaders "\n" hex(sha256(body))
//! StringToSign     = AlgorithmName "\n" hex(sha256(CanonicalRequest))
//! ```
//!
//! Each part has a type built in one of two ways: from what a client *means* to send
//! ([`CanonicalUri::normalize`], [`CanonicalQuery::from_pairs`], [`CanonicalHeaders::new`]), or from
//! what a server *received* ([`CanonicalUri::verbatim`], [`CanonicalQuery::from_raw`]). Both
//! signing and verification build the [`CanonicalRequest`] through this module, so the two sides
//! cannot drift apart.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};
use sha2::{Digest as _, Sha256};

use crate::algorithm::{Algorithm, truncate_for_display};

/// Bytes left alone in a query name or value: RFC 3986 unreserved characters.
const QUERY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// Bytes left alone in a path: the unreserved characters and `/`.
const PATH_ENCODE: &AsciiSet = &QUERY_ENCODE.remove(b'/');

/// Appends the lowercase hex SHA-256 of some bytes: the last line of a canonical request and of a
/// string to sign.
pub(crate) fn push_sha256_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in Sha256::digest(bytes) {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
}

/// Lowercase hex SHA-256 of some bytes.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    push_sha256_hex(&mut out, bytes);
    out
}

/// The path line of a canonical request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CanonicalUri(String);

impl CanonicalUri {
    /// The client side: canonicalizes a path the way the Java and .NET SDKs do.
    ///
    /// - A leading `//authority` is dropped, as RFC 3986 (and `java.net.URI`) read a reference that
    ///   starts with `//`: `//foo//` is authority `foo` and path `//`.
    /// - Every byte outside `A-Z a-z 0-9 - _ . ~ /` of the UTF-8 path is percent-encoded with
    ///   upper-case hex (so `%` itself becomes `%25`: pass the path *unencoded*).
    /// - Runs of `/` collapse to one.
    /// - An empty path becomes `/`.
    ///
    /// Send the result (`as_str`) as the request path so that the server, which signs the path it
    /// receives verbatim, computes the same line. For every real Amazon Pay path
    /// (`/v2/checkoutSessions/{id}`) the result is the input unchanged.
    ///
    /// ```
    /// use amzpay_signing::CanonicalUri;
    /// assert_eq!(CanonicalUri::normalize("/v2/checkoutSessions").as_str(), "/v2/checkoutSessions");
    /// assert_eq!(CanonicalUri::normalize("/a//b c/").as_str(), "/a/b%20c/");
    /// assert_eq!(CanonicalUri::normalize("").as_str(), "/");
    /// assert_eq!(CanonicalUri::normalize("/\u{1234}").as_str(), "/%E1%88%B4");
    /// ```
    pub fn normalize(path: &str) -> Self {
        let path = match path.strip_prefix("//") {
            Some(rest) => rest.find('/').map_or("", |slash| &rest[slash..]),
            None => path,
        };
        let mut out = String::with_capacity(path.len() + 1);
        for piece in percent_encode(path.as_bytes(), PATH_ENCODE) {
            for c in piece.chars() {
                if !(c == '/' && out.ends_with('/')) {
                    out.push(c);
                }
            }
        }
        if out.is_empty() {
            out.push('/');
        }
        CanonicalUri(out)
    }

    /// The server side: the path exactly as received on the request line (without the query),
    /// because that is what the client signed (including any trailing `/`).
    pub fn verbatim(path: &str) -> Self {
        CanonicalUri(path.to_owned())
    }

    /// The line as it goes into the canonical request.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for CanonicalUri {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CanonicalUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The query line of a canonical request: names and values percent-encoded with the RFC 3986
/// unreserved set (upper-case hex), pairs sorted by encoded name and then encoded value in byte
/// order, joined as `name=value` with `&`. Empty when there is no query.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CanonicalQuery(String);

impl CanonicalQuery {
    /// No query: an empty line.
    pub fn empty() -> Self {
        CanonicalQuery(String::new())
    }

    /// The client side: from decoded `(name, value)` pairs. Repeated names are kept (all their
    /// values are signed).
    ///
    /// The canonical string is itself a valid query string, so a client may send `as_str()` as
    /// its query; any encoding that decodes to the same pairs verifies.
    ///
    /// ```
    /// use amzpay_signing::CanonicalQuery;
    /// let q = CanonicalQuery::from_pairs([("foo", "b"), ("foo", "a"), ("f oo", "*")]);
    /// assert_eq!(q.as_str(), "f%20oo=%2A&foo=a&foo=b");
    /// ```
    pub fn from_pairs<I, N, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let mut encoded: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(n, v)| {
                (
                    percent_encode(n.as_ref(), QUERY_ENCODE).to_string(),
                    percent_encode(v.as_ref(), QUERY_ENCODE).to_string(),
                )
            })
            .collect();
        encoded.sort_unstable();
        let mut out = String::new();
        for (i, (name, value)) in encoded.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            out.push_str(value);
        }
        CanonicalQuery(out)
    }

    /// The server side: from the raw query string as received (the part after `?`, without it).
    ///
    /// The string is split on `&` (empty pieces are skipped) and each piece on its first `=` (a
    /// piece without `=` is a name with an empty value); names and values are percent-decoded
    /// (`+` stays a literal `+`, as in RFC 3986; a `%` not followed by two hex digits stays
    /// literal) and then re-encoded as by [`from_pairs`](Self::from_pairs).
    ///
    /// ```
    /// use amzpay_signing::CanonicalQuery;
    /// let q = CanonicalQuery::from_raw("foo=b&foo=a&f%20oo=%2a&flag");
    /// assert_eq!(q.as_str(), "f%20oo=%2A&flag=&foo=a&foo=b");
    /// ```
    pub fn from_raw(raw: &str) -> Self {
        Self::from_pairs(
            raw.split('&')
                .filter(|piece| !piece.is_empty())
                .map(|piece| {
                    let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
                    let decode = |s: &str| -> Vec<u8> { percent_decode_str(s).collect() };
                    (decode(name), decode(value))
                }),
        )
    }

    /// The line as it goes into the canonical request.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for CanonicalQuery {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CanonicalQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How header values are cleaned before they go into the canonical request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueForm {
    /// Trim, and collapse internal runs of spaces and tabs to one space (Java, .NET, and us).
    Collapsed,
    /// Trim only (the Node.js and PHP SDKs sign values as they are; HTTP strips the outer
    /// whitespace anyway).
    Trimmed,
}

fn is_http_whitespace(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn clean_value(value: &str, form: ValueForm, out: &mut String) {
    let value = value.trim_matches(is_http_whitespace);
    match form {
        ValueForm::Trimmed => out.push_str(value),
        ValueForm::Collapsed => {
            let mut in_space = false;
            for c in value.chars() {
                if is_http_whitespace(c) {
                    in_space = true;
                } else {
                    if in_space {
                        out.push(' ');
                        in_space = false;
                    }
                    out.push(c);
                }
            }
        }
    }
}

/// RFC 9110 `token` characters, the only ones allowed in a header name.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(is_token_byte)
}

/// A header value that cannot go into one line of a canonical request (or an HTTP header):
/// control characters other than tab.
fn is_header_value(value: &str) -> bool {
    !value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
}

/// The signed headers of a request, canonicalized: names lower-cased and sorted, each value trimmed
/// with internal runs of spaces and tabs collapsed to one space, and the values of a repeated name
/// joined with `,` in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalHeaders {
    /// Sorted by name, names unique.
    entries: Vec<(String, String)>,
}

impl CanonicalHeaders {
    /// Canonicalizes `(name, value)` pairs: every pair given is signed.
    ///
    /// ```
    /// use amzpay_signing::CanonicalHeaders;
    /// let h = CanonicalHeaders::new([("X-Amz-Pay-Region", " EU "), ("Accept", "a  \t b")])?;
    /// assert_eq!(h.signed_headers(), "accept;x-amz-pay-region");
    /// assert_eq!(h.to_string(), "accept:a b\nx-amz-pay-region:EU\n");
    /// # Ok::<(), amzpay_signing::InvalidHeaderError>(())
    /// ```
    pub fn new<I, N, V>(headers: I) -> Result<Self, InvalidHeaderError>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<str>,
    {
        let mut pairs = Vec::new();
        for (name, value) in headers {
            let (name, value) = (name.as_ref(), value.as_ref());
            if !is_header_name(name) {
                return Err(InvalidHeaderError::name(name));
            }
            if !is_header_value(value) {
                return Err(InvalidHeaderError::value(name));
            }
            pairs.push((name.to_ascii_lowercase(), value.to_owned()));
        }
        Ok(Self::from_lowercase(pairs, ValueForm::Collapsed))
    }

    /// Builds from pairs whose names are already lower-case and valid; values are cleaned per
    /// `form`. Entries with the same name are joined in their given order.
    pub(crate) fn from_lowercase<N: AsRef<str>, V: AsRef<str>>(
        mut pairs: Vec<(N, V)>,
        form: ValueForm,
    ) -> Self {
        // A stable sort keeps repeated names in the order given, which is the order their values
        // are joined in.
        pairs.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        let mut entries: Vec<(String, String)> = Vec::with_capacity(pairs.len());
        for (name, value) in &pairs {
            let (name, value) = (name.as_ref(), value.as_ref());
            match entries.last_mut() {
                Some((last, joined)) if last == name => {
                    joined.push(',');
                    clean_value(value, form, joined);
                }
                _ => {
                    let mut cleaned = String::with_capacity(value.len());
                    clean_value(value, form, &mut cleaned);
                    entries.push((name.to_owned(), cleaned));
                }
            }
        }
        CanonicalHeaders { entries }
    }

    /// The `SignedHeaders` line: the names joined with `;`.
    pub fn signed_headers(&self) -> String {
        let mut out = String::new();
        for (i, name) in self.names().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(name);
        }
        out
    }

    /// The lower-case names, sorted.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.entries.iter().map(|(name, _)| name.as_str())
    }

    /// The canonical value of a header, by lower-case name.
    pub fn get(&self, lowercase_name: &str) -> Option<&str> {
        self.entries
            .binary_search_by(|(name, _)| name.as_str().cmp(lowercase_name))
            .ok()
            .map(|i| self.entries[i].1.as_str())
    }
}

impl fmt::Display for CanonicalHeaders {
    /// The header block of the canonical request: one `name:value\n` line per header.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in &self.entries {
            writeln!(f, "{name}:{value}")?;
        }
        Ok(())
    }
}

/// A header name or value that cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidHeaderError {
    name: String,
    message: String,
}

impl InvalidHeaderError {
    fn name(name: &str) -> Self {
        let name = truncate_for_display(name);
        InvalidHeaderError {
            message: format!(
                "invalid header name {name:?}: use letters, digits and -_.!#$%&'*+^`|~"
            ),
            name,
        }
    }

    fn value(name: &str) -> Self {
        let name = truncate_for_display(name);
        InvalidHeaderError {
            message: format!(
                "the value of header {name:?} contains a control character (such as CR or LF)"
            ),
            name,
        }
    }

    /// The header name concerned (at most 64 characters of it).
    pub fn header_name(&self) -> &str {
        &self.name
    }
}

/// A canonical request (spec §6.2), ready to be turned into a string to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    text: String,
    signed_headers: String,
}

impl CanonicalRequest {
    /// Assembles the canonical request. `method` is used as given (HTTP methods are case-sensitive;
    /// Amazon Pay's are upper case); the body is hashed here.
    pub fn new(
        method: &str,
        uri: &CanonicalUri,
        query: &CanonicalQuery,
        headers: &CanonicalHeaders,
        body: &[u8],
    ) -> Self {
        let signed_headers = headers.signed_headers();
        let header_lines: usize = headers
            .entries
            .iter()
            .map(|(n, v)| n.len() + v.len() + 2)
            .sum();
        let mut text = String::with_capacity(
            method.len() + uri.0.len() + query.0.len() + header_lines + signed_headers.len() + 70,
        );
        for line in [method, &uri.0, &query.0] {
            text.push_str(line);
            text.push('\n');
        }
        for (name, value) in &headers.entries {
            text.push_str(name);
            text.push(':');
            text.push_str(value);
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&signed_headers);
        text.push('\n');
        push_sha256_hex(&mut text, body);
        CanonicalRequest {
            text,
            signed_headers,
        }
    }

    /// The canonical request text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text and the `SignedHeaders` line, without copying.
    pub(crate) fn into_parts(self) -> (String, String) {
        (self.text, self.signed_headers)
    }

    /// The `SignedHeaders` line (names joined with `;`).
    pub fn signed_headers(&self) -> &str {
        &self.signed_headers
    }

    /// The string to sign for this request.
    pub fn string_to_sign(&self, algorithm: Algorithm) -> String {
        string_to_sign(algorithm, &self.text)
    }
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `AlgorithmName "\n" hex(sha256(text))`: the string to sign for a canonical request, or for a
/// button payload (spec §6.7).
///
/// ```
/// use amzpay_signing::{Algorithm, string_to_sign};
/// assert_eq!(
///     string_to_sign(Algorithm::AmznPayRsassaPss, ""),
///     "AMZN-PAY-RSASSA-PSS\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/// );
/// ```
pub fn string_to_sign(algorithm: Algorithm, text: &str) -> String {
    let name = algorithm.as_str();
    let mut out = String::with_capacity(name.len() + 65);
    out.push_str(name);
    out.push('\n');
    push_sha256_hex(&mut out, text.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalize_drops_a_leading_authority_like_java() {
        assert_eq!(CanonicalUri::normalize("//foo//").as_str(), "/");
        assert_eq!(CanonicalUri::normalize("//foo").as_str(), "/");
        assert_eq!(
            CanonicalUri::normalize("//foo/bar//baz").as_str(),
            "/bar/baz"
        );
    }

    #[test]
    fn normalize_keeps_a_trailing_slash_and_encodes_reserved_bytes() {
        assert_eq!(
            CanonicalUri::normalize("/v2/refunds/R1/").as_str(),
            "/v2/refunds/R1/"
        );
        assert_eq!(CanonicalUri::normalize("/a%b?c").as_str(), "/a%25b%3Fc");
        assert_eq!(CanonicalUri::normalize("/é").as_str(), "/%C3%A9");
    }

    #[test]
    fn verbatim_keeps_the_path_exactly() {
        assert_eq!(CanonicalUri::verbatim("//a%2f//").as_str(), "//a%2f//");
    }

    #[test]
    fn query_pairs_sort_in_byte_order() {
        let q = CanonicalQuery::from_pairs([
            ("A.2", "x"),
            ("A.10", "x"),
            ("A.1", "x"),
            ("a", "Zoo"),
            ("a", "aha"),
        ]);
        assert_eq!(q.as_str(), "A.1=x&A.10=x&A.2=x&a=Zoo&a=aha");
        assert_eq!(
            CanonicalQuery::from_pairs(Vec::<(&str, &str)>::new()),
            CanonicalQuery::empty()
        );
    }

    #[test]
    fn raw_queries_decode_before_re_encoding() {
        assert_eq!(CanonicalQuery::from_raw("").as_str(), "");
        assert_eq!(CanonicalQuery::from_raw("&&").as_str(), "");
        assert_eq!(CanonicalQuery::from_raw("a=%7e&b=~").as_str(), "a=~&b=~");
        assert_eq!(CanonicalQuery::from_raw("a=1+2").as_str(), "a=1%2B2");
        assert_eq!(
            CanonicalQuery::from_raw("a=%zz&b==").as_str(),
            "a=%25zz&b=%3D"
        );
        assert_eq!(
            CanonicalQuery::from_raw("%E1%88%B4=bar").as_str(),
            "%E1%88%B4=bar"
        );
    }

    #[test]
    fn repeated_headers_join_in_order_and_values_collapse() {
        let h = CanonicalHeaders::new([("B", "2"), ("a", " x  y "), ("b", "1"), ("A-b", "\tq\t")])
            .expect("valid");
        assert_eq!(h.to_string(), "a:x y\na-b:q\nb:2,1\n");
        assert_eq!(h.signed_headers(), "a;a-b;b");
        assert_eq!(h.get("b"), Some("2,1"));
        assert_eq!(h.get("c"), None);
    }

    #[test]
    fn trimmed_form_keeps_internal_whitespace() {
        let h =
            CanonicalHeaders::from_lowercase(vec![("ua".to_owned(), " a  b ")], ValueForm::Trimmed);
        assert_eq!(h.to_string(), "ua:a  b\n");
    }

    #[test]
    fn unsignable_headers_are_rejected() {
        for (name, value) in [
            ("", "v"),
            ("a b", "v"),
            ("a:b", "v"),
            ("é", "v"),
            ("a", "x\r\ny: z"),
            ("a", "\0"),
        ] {
            assert!(
                CanonicalHeaders::new([(name, value)]).is_err(),
                "{name:?}: {value:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn a_canonical_query_reads_back_as_itself(pairs in proptest::collection::vec(("\\PC{0,8}", "\\PC{0,8}"), 0..6)) {
            let q = CanonicalQuery::from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
            prop_assert_eq!(CanonicalQuery::from_raw(q.as_str()), q.clone());
        }

        #[test]
        fn a_normalized_path_is_stable(path in "\\PC{0,24}") {
            let once = CanonicalUri::normalize(&path);
            prop_assert!(once.as_str().starts_with('/') || !path.starts_with('/'));
            prop_assert!(!once.as_str().contains("//"));
            prop_assert!(once.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~/%".contains(&b)));
        }
    }
}
