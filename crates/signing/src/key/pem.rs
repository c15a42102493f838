//! PEM (RFC 7468, plus the RFC 1421 headers of OpenSSL's legacy encrypted keys) in and out.
//!
//! We read PEM ourselves rather than through the backend so that the label (`RSA PRIVATE KEY`,
//! `OPENSSH PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, ...) is known before any parsing, which is what
//! lets [`KeyError`](crate::KeyError) say exactly what was passed and how to convert it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// One `-----BEGIN <label>-----` ... `-----END <label>-----` block.
#[derive(Debug)]
pub(crate) struct PemBlock {
    /// The label between `BEGIN ` and the closing dashes.
    pub(crate) label: String,
    /// Whether the block carries `Proc-Type: 4,ENCRYPTED` (OpenSSL's legacy passphrase encryption).
    pub(crate) legacy_encrypted: bool,
    /// The decoded body, or `None` when it is not valid base64.
    pub(crate) der: Option<Vec<u8>>,
}

/// Why no block could be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PemError {
    /// There is no `-----BEGIN ` line at all.
    NoBlock,
    /// A block starts but its `-----END <same label>-----` line is missing.
    Unterminated(String),
}

fn boundary<'l>(line: &'l str, kind: &str) -> Option<&'l str> {
    line.strip_prefix("-----")?
        .strip_prefix(kind)?
        .strip_prefix(' ')?
        .strip_suffix("-----")
}

/// Reads every PEM block in `text`, ignoring anything outside the blocks (such as the
/// `Bag Attributes` that `openssl pkcs12` prints). Tolerates CRLF line ends, indentation and blank
/// lines.
pub(crate) fn parse_blocks(text: &str) -> Result<Vec<PemBlock>, PemError> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = boundary(line, "BEGIN") else {
            continue;
        };
        let mut legacy_encrypted = false;
        let mut body = String::new();
        let mut terminated = false;
        for line in lines.by_ref() {
            if let Some(end) = boundary(line, "END") {
                terminated = end == label;
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                // RFC 1421 encapsulated headers: base64 never contains ':'.
                if name.trim().eq_ignore_ascii_case("Proc-Type") && value.contains("ENCRYPTED") {
                    legacy_encrypted = true;
                }
                continue;
            }
            body.push_str(line);
        }
        if !terminated {
            return Err(PemError::Unterminated(label.to_owned()));
        }
        blocks.push(PemBlock {
            label: label.to_owned(),
            legacy_encrypted,
            der: STANDARD.decode(body.as_bytes()).ok(),
        });
    }
    if blocks.is_empty() {
        return Err(PemError::NoBlock);
    }
    Ok(blocks)
}

/// Writes DER as PEM with 64-character lines and a final newline, as OpenSSL does.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in body.as_bytes().chunks(64) {
        // Base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_then_parse_round_trips_with_crlf_and_blank_lines() {
        let der: Vec<u8> = (0..=255).collect();
        let pem = encode("PRIVATE KEY", &der);
        assert!(pem.lines().skip(1).all(|l| l.len() <= 64));
        let messy = format!("\r\n  \n{}\n\n\n", pem.replace('\n', "\r\n"));
        let blocks = parse_blocks(&messy).expect("parses");
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "PRIVATE KEY");
        assert_eq!(blocks[0].der.as_deref(), Some(&der[..]));
        assert!(!blocks[0].legacy_encrypted);
    }

    #[test]
    fn legacy_encryption_headers_are_detected() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let blocks = parse_blocks(pem).expect("parses");
        assert!(blocks[0].legacy_encrypted);
    }

    #[test]
    fn text_without_a_block_or_with_a_broken_block_is_an_error() {
        assert_eq!(parse_blocks("hello").unwrap_err(), PemError::NoBlock);
        assert_eq!(
            parse_blocks("-----BEGIN PUBLIC KEY-----\nAAAA\n").unwrap_err(),
            PemError::Unterminated("PUBLIC KEY".into())
        );
        assert_eq!(
            parse_blocks("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .unwrap_err(),
            PemError::Unterminated("PUBLIC KEY".into())
        );
    }

    #[test]
    fn bad_base64_is_reported_as_a_missing_body() {
        let blocks = parse_blocks("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----")
            .expect("parses");
        assert!(blocks[0].der.is_none());
    }
}
