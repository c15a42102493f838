//! The `canonical_request` target and its structured input.

use std::collections::BTreeSet;
use std::panic::Location;
use std::sync::OnceLock;

use amzpay_signing::{
    Algorithm, AuthorizationHeader, CanonicalHeaders, CanonicalQuery, CanonicalRequest,
    CanonicalUri, MIN_KEY_BITS, PrivateKey, PublicKey, ReceivedRequest, VerifyError,
    format_amz_date, parse_amz_date, string_to_sign,
};
use arbitrary::{Arbitrary, Unstructured};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::authorization_header::is_header_token;

/// Header names the fuzzer picks by index, so that inputs reach the required and commonly signed
/// headers without having to guess them byte by byte.
const KNOWN_HEADERS: [&str; 10] = [
    "accept",
    "content-type",
    "x-amz-pay-date",
    "x-amz-pay-host",
    "x-amz-pay-region",
    "x-amz-pay-idempotency-key",
    "authorization",
    "user-agent",
    "x-amz-pay-sdk-type",
    "content-length",
];

const KNOWN_METHODS: [&str; 5] = ["GET", "POST", "PATCH", "DELETE", "PUT"];

/// The structured input of the `canonical_request` target, decoded from the raw fuzzer bytes with
/// `arbitrary` ([`CanonicalInput::decode`]).
#[derive(Debug, Clone, Arbitrary)]
pub struct CanonicalInput {
    /// The request method (used verbatim, like a server does).
    pub method: MethodInput,
    /// The path as on the request line.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// Client-side query pairs, for the `from_pairs` properties.
    pub pairs: Vec<(String, String)>,
    /// The received headers, in order.
    pub headers: Vec<HeaderInput>,
    /// Whether to verify with `AMZN-PAY-RSASSA-PSS-V2` (else `AMZN-PAY-RSASSA-PSS`).
    pub v2: bool,
    /// The raw body.
    pub body: Vec<u8>,
}

/// A request method: a usual one, or any text.
#[derive(Debug, Clone, Arbitrary)]
pub enum MethodInput {
    /// One of `GET POST PATCH DELETE PUT`, by index (modulo).
    Known(u8),
    /// Anything.
    Raw(String),
}

/// One received header.
#[derive(Debug, Clone, Arbitrary)]
pub struct HeaderInput {
    /// Its name.
    pub name: HeaderNameInput,
    /// Its value.
    pub value: ValueInput,
}

/// A header value: any text, or a valid `x-amz-pay-date` (so that inputs get past the date check of
/// `verify` without guessing a date byte by byte).
#[derive(Debug, Clone, Arbitrary)]
pub enum ValueInput {
    /// Anything.
    Raw(String),
    /// The date `seconds` after 2000-01-01, compact (`20180524T223710Z`) or, when `extended`,
    /// ISO 8601 extended (`2018-05-24T22:37:10Z`), with optional surrounding spaces.
    Date {
        /// Seconds after 2000-01-01T00:00:00Z.
        seconds: u32,
        /// Whether to write the extended form.
        extended: bool,
        /// Whether to add a space before and a tab after.
        padded: bool,
    },
}

impl ValueInput {
    fn render(&self) -> String {
        match self {
            ValueInput::Raw(s) => s.clone(),
            ValueInput::Date {
                seconds,
                extended,
                padded,
            } => {
                let date = OffsetDateTime::from_unix_timestamp(946_684_800 + i64::from(*seconds))
                    .expect("in range");
                let compact = format_amz_date(date);
                let text = if *extended {
                    let c = &compact;
                    format!(
                        "{}-{}-{}T{}:{}:{}Z",
                        &c[0..4],
                        &c[4..6],
                        &c[6..8],
                        &c[9..11],
                        &c[11..13],
                        &c[13..15]
                    )
                } else {
                    compact
                };
                if *padded { format!(" {text}\t") } else { text }
            }
        }
    }
}

/// A header name: a well-known one (optionally upper-cased), or any text.
#[derive(Debug, Clone, Arbitrary)]
pub enum HeaderNameInput {
    /// An entry of a fixed list of names, by index (modulo), upper-cased when the flag is set.
    Known(u8, bool),
    /// Anything.
    Raw(String),
}

impl CanonicalInput {
    /// Decodes raw fuzzer bytes (every byte string decodes to some input).
    pub fn decode(data: &[u8]) -> Option<CanonicalInput> {
        CanonicalInput::arbitrary_take_rest(Unstructured::new(data)).ok()
    }

    fn method(&self) -> &str {
        match &self.method {
            MethodInput::Known(i) => KNOWN_METHODS[usize::from(*i) % KNOWN_METHODS.len()],
            MethodInput::Raw(s) => s,
        }
    }

    fn headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|h| {
                let name = match &h.name {
                    HeaderNameInput::Known(i, upper) => {
                        let name = KNOWN_HEADERS[usize::from(*i) % KNOWN_HEADERS.len()];
                        if *upper {
                            name.to_ascii_uppercase()
                        } else {
                            name.to_owned()
                        }
                    }
                    HeaderNameInput::Raw(s) => s.clone(),
                };
                (name, h.value.render())
            })
            .collect()
    }
}

/// The canonical-request builder, server side (raw path, raw query), and the query
/// canonicalization.
///
/// The input is decoded with `arbitrary` into a [`CanonicalInput`]. Properties:
/// - nothing panics: [`CanonicalQuery::from_raw`], [`CanonicalQuery::from_pairs`],
///   [`CanonicalUri::verbatim`] and [`CanonicalUri::normalize`], [`CanonicalHeaders::new`],
///   [`CanonicalRequest::new`], the string to sign for both algorithms, and [`amzpay_signing::verify`];
/// - [`CanonicalHeaders::new`] fails exactly when a name is not an HTTP token or a value holds a
///   control character other than tab;
/// - the `SignedHeaders` line equals the sorted, de-duplicated, lower-cased declared names, and
///   each canonical value is the received values of that name, in order, each trimmed with runs of
///   spaces and tabs collapsed to one space, joined with `,`;
/// - the canonical request is `method \n path \n query \n headers \n signed \n hex(sha256(body))`
///   with the path verbatim, and building it (and the strings to sign) twice gives the same text;
/// - [`amzpay_signing::verify`] rebuilds exactly that canonical request: with every valid header
///   declared as signed and a signature that cannot be valid, it fails with `BadSignature` whose
///   diagnostics show our canonical request and string to sign, or with the earlier error the
///   input calls for (a required header not declared, an invalid date);
/// - query canonicalization is **idempotent**: `from_raw(from_raw(q)) == from_raw(q)` for every
///   raw query, because the canonical form contains only unreserved characters, `%XX` escapes with
///   upper-case hex, `=` and `&`, and every pair has its `=`. It is also independent of the order
///   of the `&`-separated pieces, and `from_raw(from_pairs(p)) == from_pairs(p)`;
/// - path normalization (client side) is **not** idempotent, by design: it percent-encodes `%`
///   itself (pass the path unencoded), so `/a b` becomes `/a%20b` and then `/a%2520b`. What holds:
///   the result starts with `/` (unless the input was a relative path), has no `//`, uses only unreserved characters, `/` and `%XX`, and
///   normalizing it again changes nothing when it contains no `%`.
pub fn check_canonical_request(data: &[u8]) {
    let Some(input) = CanonicalInput::decode(data) else {
        return;
    };
    check_query(input.query.as_deref().unwrap_or(""));
    check_pairs(&input.pairs);
    check_normalized_path(&input.path);

    let method = input.method();
    let headers = input.headers();
    let uri = CanonicalUri::verbatim(&input.path);
    assert_eq!(uri.as_str(), input.path, "verbatim changed the path");
    let query = input
        .query
        .as_deref()
        .map_or_else(CanonicalQuery::empty, CanonicalQuery::from_raw);

    let expected_valid = headers
        .iter()
        .all(|(name, value)| is_header_token(name) && is_header_value(value));
    let canonical_headers =
        CanonicalHeaders::new(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    assert_eq!(
        canonical_headers.is_ok(),
        expected_valid,
        "CanonicalHeaders::new returned {canonical_headers:?} for {headers:?}"
    );

    if let Ok(canonical_headers) = &canonical_headers {
        let declared: BTreeSet<String> = headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        let expected_signed = declared
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(";");
        assert_eq!(
            canonical_headers.signed_headers(),
            expected_signed,
            "SignedHeaders line"
        );
        assert!(
            canonical_headers
                .names()
                .eq(declared.iter().map(String::as_str)),
            "names()"
        );
        for name in &declared {
            let value = canonical_headers
                .get(name)
                .unwrap_or_else(|| panic!("get({name:?}) is None"));
            let expected = headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| collapse(v))
                .collect::<Vec<_>>()
                .join(",");
            assert_eq!(value, expected, "canonical value of {name:?}");
        }
        assert_eq!(
            canonical_headers.to_string().lines().count(),
            declared.len(),
            "one line per header"
        );

        let request = CanonicalRequest::new(method, &uri, &query, canonical_headers, &input.body);
        let again = CanonicalRequest::new(method, &uri, &query, canonical_headers, &input.body);
        assert_eq!(
            request, again,
            "building the canonical request is not deterministic"
        );
        assert_eq!(
            request.signed_headers(),
            expected_signed,
            "CanonicalRequest::signed_headers"
        );
        let expected_text = format!(
            "{method}\n{}\n{}\n{canonical_headers}\n{expected_signed}\n{}",
            input.path,
            query.as_str(),
            hex::encode(Sha256::digest(&input.body))
        );
        assert_eq!(request.as_str(), expected_text, "canonical request layout");
        for algorithm in Algorithm::ALL {
            let sts = request.string_to_sign(algorithm);
            assert_eq!(
                sts,
                request.string_to_sign(algorithm),
                "string to sign is not deterministic"
            );
            assert_eq!(sts, string_to_sign(algorithm, request.as_str()));
            let hash = hex::encode(Sha256::digest(request.as_str().as_bytes()));
            assert_eq!(
                sts,
                format!("{}\n{hash}", algorithm.as_str()),
                "string to sign layout"
            );
        }
        check_verify_rebuilds(&input, method, &headers, &declared, &request);
    } else {
        // Still must not panic with headers it cannot canonicalize.
        check_verify_does_not_panic(&input, method, &headers);
    }
}

/// Control characters other than tab cannot go into one line of a canonical request.
fn is_header_value(value: &str) -> bool {
    !value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
}

fn test_key() -> &'static PublicKey {
    static KEY: OnceLock<PublicKey> = OnceLock::new();
    KEY.get_or_init(|| {
        PrivateKey::generate(MIN_KEY_BITS)
            .expect("an RSA key can be generated")
            .public_key()
            .clone()
    })
}

fn algorithm(input: &CanonicalInput) -> Algorithm {
    if input.v2 {
        Algorithm::AmznPayRsassaPssV2
    } else {
        Algorithm::AmznPayRsassaPss
    }
}

/// A signature that is never valid: RSA signatures are as long as the modulus, and zero is not a
/// valid PSS encoding.
const BAD_SIGNATURE: [u8; 256] = [0; 256];

fn received<'a>(
    input: &'a CanonicalInput,
    method: &'a str,
    headers: &'a [(String, String)],
) -> ReceivedRequest<'a> {
    ReceivedRequest::new(method, &input.path)
        .query(input.query.as_deref())
        .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(&input.body)
}

fn check_verify_rebuilds(
    input: &CanonicalInput,
    method: &str,
    headers: &[(String, String)],
    declared: &BTreeSet<String>,
    request: &CanonicalRequest,
) {
    check_received_authorization(input, method, headers);
    let Ok(authorization) = AuthorizationHeader::new(
        algorithm(input),
        "FUZZ-KEY",
        declared,
        BAD_SIGNATURE.to_vec(),
    ) else {
        assert!(
            declared.is_empty(),
            "AuthorizationHeader::new refused {declared:?}"
        );
        return;
    };
    let received = received(input, method, headers);
    let result = amzpay_signing::verify(&received, &authorization, test_key());
    let date = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("x-amz-pay-date"))
        .map(|(_, v)| collapse(v))
        .collect::<Vec<_>>()
        .join(",");
    match result {
        Ok(_) => panic!("a zero signature verified"),
        Err(VerifyError::RequiredHeaderNotSigned(_)) => {
            assert!(
                !(declared.contains("x-amz-pay-date") && declared.contains("x-amz-pay-host")),
                "both required headers are signed, yet RequiredHeaderNotSigned"
            );
        }
        Err(VerifyError::InvalidDate(_)) => {
            assert!(
                parse_amz_date(&date).is_err(),
                "date {date:?} parses, yet InvalidDate"
            );
        }
        Err(VerifyError::BadSignature(bad)) => {
            assert!(declared.contains("x-amz-pay-date") && declared.contains("x-amz-pay-host"));
            assert!(
                parse_amz_date(&date).is_ok(),
                "date {date:?} does not parse, yet BadSignature"
            );
            let diagnostics = bad.diagnostics();
            assert_eq!(
                diagnostics.canonical_request(),
                request.as_str(),
                "verify built another canonical request"
            );
            assert_eq!(
                diagnostics.string_to_sign(),
                request.string_to_sign(algorithm(input))
            );
            assert_eq!(diagnostics.signed_headers(), request.signed_headers());
            assert_eq!(diagnostics.authorization(), authorization.to_string());
        }
        Err(other) => panic!("unexpected verify error: {other:?}"),
    }
}

/// What the canonical form of one header value is: trimmed, runs of spaces and tabs collapsed.
fn collapse(value: &str) -> String {
    value
        .split([' ', '\t'])
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn check_verify_does_not_panic(input: &CanonicalInput, method: &str, headers: &[(String, String)]) {
    check_received_authorization(input, method, headers);
    let names: BTreeSet<String> = headers
        .iter()
        .filter(|(n, _)| is_header_token(n))
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    if let Ok(authorization) =
        AuthorizationHeader::new(algorithm(input), "FUZZ-KEY", &names, BAD_SIGNATURE.to_vec())
    {
        let received = received(input, method, headers);
        let result = amzpay_signing::verify(&received, &authorization, test_key());
        assert!(result.is_err(), "a zero signature verified");
    }
}

/// `ReceivedRequest::authorization` finds the single `authorization` header (any case) and parses
/// it like [`AuthorizationHeader::parse`].
fn check_received_authorization(
    input: &CanonicalInput,
    method: &str,
    headers: &[(String, String)],
) {
    let received = received(input, method, headers);
    let values: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.as_str())
        .collect();
    match (values.as_slice(), received.authorization()) {
        ([one], result) => assert_eq!(result.ok(), AuthorizationHeader::parse(one).ok()),
        (_, Err(VerifyError::MissingAuthorization(missing))) => {
            assert_eq!(missing.is_repeated(), values.len() > 1);
        }
        (_, other) => panic!("{} authorization headers, yet {other:?}", values.len()),
    }
}

fn check_query(raw: &str) {
    let query = CanonicalQuery::from_raw(raw);
    assert_canonical_query_text(query.as_str());
    assert_eq!(
        CanonicalQuery::from_raw(query.as_str()),
        query,
        "from_raw is not idempotent on {raw:?}"
    );
    let reversed = raw.split('&').rev().collect::<Vec<_>>().join("&");
    assert_eq!(
        CanonicalQuery::from_raw(&reversed),
        query,
        "piece order matters for {raw:?}"
    );
}

fn check_pairs(pairs: &[(String, String)]) {
    let query = CanonicalQuery::from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    assert_canonical_query_text(query.as_str());
    assert_eq!(
        CanonicalQuery::from_raw(query.as_str()),
        query,
        "from_pairs does not read back"
    );
    let reversed =
        CanonicalQuery::from_pairs(pairs.iter().rev().map(|(n, v)| (n.as_str(), v.as_str())));
    assert_eq!(reversed, query, "pair order matters");
    assert_eq!(query.as_str().is_empty(), pairs.is_empty());
}

/// Only unreserved characters, `%XX` with upper-case hex, and `name=value` pieces joined by `&`.
fn assert_canonical_query_text(text: &str) {
    if text.is_empty() {
        return;
    }
    for piece in text.split('&') {
        assert_eq!(
            piece.matches('=').count(),
            1,
            "piece {piece:?} of {text:?} needs exactly one '='"
        );
        assert_escaped(&piece.replace('=', ""), b"-_.~", text);
    }
}

/// Every byte is alphanumeric, in `extra`, or part of an upper-case `%XX` escape.
#[track_caller]
fn assert_escaped(text: &str, extra: &[u8], whole: &str) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            let upper_hex = |c: &u8| c.is_ascii_digit() || (b'A'..=b'F').contains(c);
            assert!(
                hex.is_some_and(|h| h.iter().all(upper_hex)),
                "bad escape in {whole:?} (checked at {})",
                Location::caller()
            );
            i += 3;
        } else {
            assert!(
                b.is_ascii_alphanumeric() || extra.contains(&b),
                "byte {b:#04x} unescaped in {whole:?}"
            );
            i += 1;
        }
    }
}

fn check_normalized_path(path: &str) {
    let once = CanonicalUri::normalize(path);
    let text = once.as_str();
    // A relative path (`a/b`, which no Amazon Pay path is) stays relative.
    assert!(
        text.starts_with('/') || !(path.is_empty() || path.starts_with('/')),
        "normalize({path:?}) = {text:?} does not start with /"
    );
    assert!(
        !text.contains("//"),
        "normalize({path:?}) = {text:?} has //"
    );
    assert_escaped(text, b"-_.~/", text);
    if !text.contains('%') {
        assert_eq!(
            CanonicalUri::normalize(text),
            once,
            "normalize is not stable on {text:?}"
        );
    }
    assert_eq!(
        CanonicalUri::normalize(path),
        once,
        "normalize is not deterministic"
    );
}
