//! The `authorization_header` target.

use std::collections::BTreeSet;

use amzpay_signing::{AuthorizationHeader, ReceivedRequest};

/// The `authorization` header parser.
///
/// The input is read as UTF-8, lossily (invalid sequences become U+FFFD, which the parser must
/// reject like any other non-ASCII text). Properties:
/// - parsing never panics, through [`AuthorizationHeader::parse`], `FromStr` and
///   [`ReceivedRequest::authorization`] (which gets the raw bytes), and all three agree;
/// - a parsed header keeps its invariants: non-empty key id and signature, at least one signed
///   header, names lower-case HTTP tokens without duplicates;
/// - `Display` gives text that parses back to an equal header, and displays identically again.
pub fn check_authorization_header(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = AuthorizationHeader::parse(&text);
    assert_eq!(
        text.parse::<AuthorizationHeader>(),
        parsed,
        "FromStr and parse disagree"
    );

    let received = ReceivedRequest::new("POST", "/").header("Authorization", data);
    assert_eq!(
        received.authorization().ok(),
        parsed.clone().ok(),
        "ReceivedRequest::authorization and parse disagree"
    );

    let header = match parsed {
        Ok(header) => header,
        Err(error) => {
            assert!(!error.to_string().is_empty(), "an error without a message");
            return;
        }
    };
    assert!(!header.public_key_id().is_empty(), "empty key id accepted");
    assert!(!header.signature().is_empty(), "empty signature accepted");
    assert!(
        !header.signed_headers().is_empty(),
        "empty SignedHeaders accepted"
    );
    let mut seen = BTreeSet::new();
    for name in header.signed_headers() {
        assert!(
            is_header_token(name) && !name.bytes().any(|b| b.is_ascii_uppercase()),
            "signed header name {name:?} is not a lower-case token"
        );
        assert!(seen.insert(name), "signed header {name:?} listed twice");
        assert!(header.is_signed(name));
    }

    let shown = header.to_string();
    assert!(
        shown.starts_with(header.algorithm().as_str()),
        "Display: {shown:?}"
    );
    assert_eq!(shown.trim(), shown, "Display has surrounding whitespace");
    let reparsed = AuthorizationHeader::parse(&shown)
        .unwrap_or_else(|e| panic!("Display output {shown:?} does not parse: {e}"));
    assert_eq!(
        reparsed, header,
        "Display then parse changed the header ({shown:?})"
    );
    assert_eq!(reparsed.to_string(), shown, "Display is not stable");
}

/// RFC 9110 `token`: the header names the signing crate accepts.
pub(super) fn is_header_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}
