//! Just enough DER to classify a key before any crypto library sees it.
//!
//! Both backends would reject an EC key or a 1024-bit RSA key, but with different messages (and the
//! `rsa` crate cannot say *which* algorithm it found). Reading the few fields we need ourselves gives
//! one set of precise [`KeyError`](crate::KeyError)s whatever the backend.

/// ASN.1 universal tags used by the structures we read.
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const SEQUENCE: u8 = 0x30;

/// DER encodings (content bytes) of the algorithm identifiers we recognise.
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
const OID_X25519: &[u8] = &[0x2b, 0x65, 0x6e];
const OID_X448: &[u8] = &[0x2b, 0x65, 0x6f];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_ED448: &[u8] = &[0x2b, 0x65, 0x71];

/// The structure is not the DER we expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DerError;

/// What the algorithm identifier of a PKCS#8 or SPKI structure says the key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyAlgorithm {
    /// `rsaEncryption`, with the modulus size read from the embedded PKCS#1 structure.
    Rsa { bits: usize },
    /// Anything else, named for people (`"EC"`, `"Ed25519"`, `"RSASSA-PSS"`, ...).
    Other(&'static str),
}

/// A forward-only reader over DER bytes.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    /// Reads one tag-length-value and returns its content, requiring the given tag.
    fn take(&mut self, tag: u8) -> Result<&'a [u8], DerError> {
        let (&found, rest) = self.rest.split_first().ok_or(DerError)?;
        if found != tag {
            return Err(DerError);
        }
        let (&first, mut rest) = rest.split_first().ok_or(DerError)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            // Long form: the low bits count the length bytes. Indefinite lengths (0x80) are not DER,
            // and four length bytes are more than any key needs.
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count {
                return Err(DerError);
            }
            let (len_bytes, after) = rest.split_at(count);
            rest = after;
            len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        };
        if rest.len() < len {
            return Err(DerError);
        }
        let (content, after) = rest.split_at(len);
        self.rest = after;
        Ok(content)
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

/// Bit length of a non-negative DER INTEGER's content.
fn integer_bits(content: &[u8]) -> usize {
    let significant = match content.iter().position(|&b| b != 0) {
        Some(i) => &content[i..],
        None => return 0,
    };
    (significant.len() - 1) * 8 + (8 - significant[0].leading_zeros() as usize)
}

/// Modulus size of a PKCS#1 `RSAPrivateKey` (`SEQUENCE { version, n, e, d, ... }`).
pub(crate) fn pkcs1_private_modulus_bits(der: &[u8]) -> Result<usize, DerError> {
    let mut outer = Reader::new(der);
    let mut seq = Reader::new(outer.take(SEQUENCE)?);
    seq.take(INTEGER)?;
    Ok(integer_bits(seq.take(INTEGER)?))
}

/// Modulus size of a PKCS#1 `RSAPublicKey` (`SEQUENCE { n, e }`).
pub(crate) fn pkcs1_public_modulus_bits(der: &[u8]) -> Result<usize, DerError> {
    let mut outer = Reader::new(der);
    let mut seq = Reader::new(outer.take(SEQUENCE)?);
    let bits = integer_bits(seq.take(INTEGER)?);
    seq.take(INTEGER)?;
    if !seq.is_empty() {
        return Err(DerError);
    }
    Ok(bits)
}

/// Reads `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`.
fn algorithm_oid<'a>(reader: &mut Reader<'a>) -> Result<&'a [u8], DerError> {
    let mut alg = Reader::new(reader.take(SEQUENCE)?);
    alg.take(OID)
}

fn classify(
    oid: &[u8],
    rsa_bits: impl FnOnce() -> Result<usize, DerError>,
) -> Result<KeyAlgorithm, DerError> {
    let name = match oid {
        OID_RSA_ENCRYPTION => return Ok(KeyAlgorithm::Rsa { bits: rsa_bits()? }),
        OID_RSASSA_PSS => "RSASSA-PSS (an RSA key restricted to PSS)",
        OID_EC_PUBLIC_KEY => "EC",
        OID_DSA => "DSA",
        OID_ED25519 => "Ed25519",
        OID_ED448 => "Ed448",
        OID_X25519 => "X25519",
        OID_X448 => "X448",
        _ => "non-RSA",
    };
    Ok(KeyAlgorithm::Other(name))
}

/// Classifies a PKCS#8 `PrivateKeyInfo` (`SEQUENCE { version, AlgorithmIdentifier, OCTET STRING }`).
pub(crate) fn pkcs8_algorithm(der: &[u8]) -> Result<KeyAlgorithm, DerError> {
    let mut outer = Reader::new(der);
    let mut seq = Reader::new(outer.take(SEQUENCE)?);
    seq.take(INTEGER)?;
    let oid = algorithm_oid(&mut seq)?;
    let key = seq.take(OCTET_STRING)?;
    classify(oid, || pkcs1_private_modulus_bits(key))
}

/// Classifies an X.509 `SubjectPublicKeyInfo` (`SEQUENCE { AlgorithmIdentifier, BIT STRING }`).
pub(crate) fn spki_algorithm(der: &[u8]) -> Result<KeyAlgorithm, DerError> {
    let mut outer = Reader::new(der);
    let mut seq = Reader::new(outer.take(SEQUENCE)?);
    let oid = algorithm_oid(&mut seq)?;
    let bits = seq.take(BIT_STRING)?;
    classify(oid, || match bits.split_first() {
        // The first byte of a BIT STRING counts the unused bits, which is 0 for a DER key.
        Some((0, key)) => pkcs1_public_modulus_bits(key),
        _ => Err(DerError),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_bits_ignores_the_sign_padding_byte() {
        assert_eq!(integer_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(integer_bits(&[0x01]), 1);
        assert_eq!(integer_bits(&[0x7f, 0xff]), 15);
        assert_eq!(integer_bits(&[]), 0);
    }

    #[test]
    fn truncated_or_indefinite_lengths_are_rejected() {
        assert_eq!(
            Reader::new(&[0x30, 0x05, 0x02]).take(SEQUENCE),
            Err(DerError)
        );
        assert_eq!(
            Reader::new(&[0x30, 0x80, 0x00, 0x00]).take(SEQUENCE),
            Err(DerError)
        );
        assert_eq!(
            Reader::new(&[0x30, 0x85, 1, 1, 1, 1, 1]).take(SEQUENCE),
            Err(DerError)
        );
        assert_eq!(Reader::new(&[]).take(SEQUENCE), Err(DerError));
    }

    #[test]
    fn long_form_lengths_are_read() {
        let mut bytes = vec![0x04, 0x81, 200];
        bytes.extend([7u8; 200]);
        assert_eq!(
            Reader::new(&bytes).take(OCTET_STRING).map(<[u8]>::len),
            Ok(200)
        );
    }

    #[test]
    fn a_pkcs1_public_key_reports_its_modulus_size() {
        // SEQUENCE { INTEGER 0x00c3 (8 bits), INTEGER 3 }
        let der = [0x30, 0x07, 0x02, 0x02, 0x00, 0xc3, 0x02, 0x01, 0x03];
        assert_eq!(pkcs1_public_modulus_bits(&der), Ok(8));
    }

    #[test]
    fn an_ed25519_spki_is_named() {
        // The SPKI of an Ed25519 public key: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }.
        let mut der = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ];
        der.extend([0x11; 32]);
        assert_eq!(spki_algorithm(&der), Ok(KeyAlgorithm::Other("Ed25519")));
    }
}
