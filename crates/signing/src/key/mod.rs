//! RSA keys: loading from PEM with precise errors, generation, export.
//!
//! Keys are `Arc`s around the backend's parsed key, so cloning is cheap and one key can sign or
//! verify on many threads at once.

mod der;
mod pem;

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::algorithm::Algorithm;
use crate::backend::{BackendError, PrivateKeyImpl, PublicKeyImpl};
use crate::canonical::sha256_hex;
use der::KeyAlgorithm;
use pem::{PemBlock, PemError};

/// The smallest RSA modulus we accept, in bits (Amazon Pay keys are 2048-bit).
pub const MIN_KEY_BITS: usize = 2048;
/// The largest RSA modulus we accept, in bits.
pub const MAX_KEY_BITS: usize = 4096;
/// The size [`PrivateKey::generate`] is usually given: what Amazon's documentation tells merchants
/// to create.
pub const DEFAULT_KEY_BITS: usize = 2048;

const GENRSA: &str = "openssl genrsa -out private.pem 2048";

/// An RSA private key for signing requests and button payloads.
///
/// Its `Debug` output shows only the key size; the key material is never printed.
#[derive(Clone)]
pub struct PrivateKey {
    inner: Arc<PrivateInner>,
}

struct PrivateInner {
    key: PrivateKeyImpl,
    bits: usize,
    public: PublicKey,
}

impl PrivateKey {
    /// Loads a private key from PEM text: PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`) or PKCS#8
    /// (`-----BEGIN PRIVATE KEY-----`). CRLF line ends, indentation, surrounding blank lines and
    /// text outside the PEM block are tolerated.
    ///
    /// Anything else is a [`KeyError`] whose message says what was found and the command that
    /// converts it: OpenSSH keys, passphrase-protected keys, EC/Ed25519/DSA keys, RSA keys under
    /// 2048 bits, and public keys.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let block = select_block(pem, Role::Private)?;
        if block.legacy_encrypted {
            return Err(KeyError::encrypted());
        }
        let key = match block.label.as_str() {
            "RSA PRIVATE KEY" => {
                let der = body(&block)?;
                check_bits(
                    der::pkcs1_private_modulus_bits(der)
                        .map_err(|_| KeyError::bad_der(&block.label))?,
                )?;
                PrivateKeyImpl::from_pkcs1_der(der)
            }
            "PRIVATE KEY" => {
                let der = body(&block)?;
                match der::pkcs8_algorithm(der).map_err(|_| KeyError::bad_der(&block.label))? {
                    KeyAlgorithm::Rsa { bits } => check_bits(bits)?,
                    KeyAlgorithm::Other(name) => return Err(KeyError::not_rsa(name)),
                }
                PrivateKeyImpl::from_pkcs8_der(der)
            }
            "ENCRYPTED PRIVATE KEY" => return Err(KeyError::encrypted()),
            "OPENSSH PRIVATE KEY" => return Err(KeyError::openssh_private()),
            "EC PRIVATE KEY" => return Err(KeyError::not_rsa("EC")),
            "DSA PRIVATE KEY" => return Err(KeyError::not_rsa("DSA")),
            "PUBLIC KEY" | "RSA PUBLIC KEY" | "SSH2 PUBLIC KEY" | "CERTIFICATE" => {
                return Err(KeyError::public_as_private(&format!(
                    "`-----BEGIN {}-----`",
                    block.label
                )));
            }
            other => return Err(KeyError::unsupported(other, Role::Private)),
        };
        let key = key.map_err(|e| KeyError::backend_rejected(&block.label, e))?;
        Self::from_impl(key)
    }

    /// Generates a new RSA key pair of `bits` bits ([`DEFAULT_KEY_BITS`] is what Amazon asks for;
    /// [`MIN_KEY_BITS`]..=[`MAX_KEY_BITS`] is accepted).
    pub fn generate(bits: usize) -> Result<Self, KeyError> {
        check_bits(bits)?;
        let key = PrivateKeyImpl::generate(bits)
            .map_err(|e| KeyError::crypto("key generation failed", e))?;
        Self::from_impl(key)
    }

    fn from_impl(key: PrivateKeyImpl) -> Result<Self, KeyError> {
        let public = key
            .public_key()
            .map_err(|e| KeyError::crypto("could not derive the public key", e))
            .and_then(PublicKey::from_impl)?;
        let bits = key.bits();
        Ok(PrivateKey {
            inner: Arc::new(PrivateInner { key, bits, public }),
        })
    }

    /// The key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). This is secret: write it
    /// only to a file with restricted permissions.
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        let der = self
            .inner
            .key
            .to_pkcs8_der()
            .map_err(|e| KeyError::crypto("could not encode the key", e))?;
        Ok(pem::encode("PRIVATE KEY", &der))
    }

    /// The matching public key (computed once, when the key was loaded).
    pub fn public_key(&self) -> &PublicKey {
        &self.inner.public
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.inner.bits
    }

    /// RSASSA-PSS signature of `message` (hashed here with SHA-256) for the algorithm.
    pub(crate) fn sign_message(
        &self,
        algorithm: Algorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, BackendError> {
        self.inner.key.sign(algorithm, message)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &self.inner.bits)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// An RSA public key for verifying signatures.
///
/// Two public keys are equal when their SubjectPublicKeyInfo encodings are. `Debug` shows the size
/// and the SHA-256 fingerprint of that encoding, not the key itself.
#[derive(Clone)]
pub struct PublicKey {
    inner: Arc<PublicInner>,
}

struct PublicInner {
    key: PublicKeyImpl,
    bits: usize,
    /// DER SubjectPublicKeyInfo: identity, export and fingerprint.
    spki: Vec<u8>,
}

impl PublicKey {
    /// Loads a public key from PEM text: SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`, what
    /// Seller Central takes and `openssl pkey -pubout` writes) or PKCS#1
    /// (`-----BEGIN RSA PUBLIC KEY-----`). CRLF line ends, indentation, surrounding blank lines and
    /// text outside the PEM block are tolerated.
    ///
    /// A private key, an OpenSSH key, a certificate, a non-RSA key or an RSA key under 2048 bits is
    /// a [`KeyError`] that says what was found and how to convert it.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let block = select_block(pem, Role::Public)?;
        if block.legacy_encrypted {
            return Err(KeyError::private_as_public(&format!(
                "an encrypted `-----BEGIN {}-----`",
                block.label
            )));
        }
        let key = match block.label.as_str() {
            "PUBLIC KEY" => {
                let der = body(&block)?;
                match der::spki_algorithm(der).map_err(|_| KeyError::bad_der(&block.label))? {
                    KeyAlgorithm::Rsa { bits } => check_bits(bits)?,
                    KeyAlgorithm::Other(name) => return Err(KeyError::not_rsa(name)),
                }
                PublicKeyImpl::from_spki_der(der)
            }
            "RSA PUBLIC KEY" => {
                let der = body(&block)?;
                check_bits(
                    der::pkcs1_public_modulus_bits(der)
                        .map_err(|_| KeyError::bad_der(&block.label))?,
                )?;
                PublicKeyImpl::from_pkcs1_der(der)
            }
            "SSH2 PUBLIC KEY" => return Err(KeyError::openssh_public()),
            "CERTIFICATE" => return Err(KeyError::certificate()),
            label if label.ends_with("PRIVATE KEY") => {
                return Err(KeyError::private_as_public(&format!(
                    "`-----BEGIN {label}-----`"
                )));
            }
            other => return Err(KeyError::unsupported(other, Role::Public)),
        };
        let key = key.map_err(|e| KeyError::backend_rejected(&block.label, e))?;
        Self::from_impl(key)
    }

    fn from_impl(key: PublicKeyImpl) -> Result<Self, KeyError> {
        let spki = key
            .to_spki_der()
            .map_err(|e| KeyError::crypto("could not encode the public key", e))?;
        let bits = key.bits();
        Ok(PublicKey {
            inner: Arc::new(PublicInner { key, bits, spki }),
        })
    }

    /// The key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), the form to upload to
    /// Seller Central.
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.inner.spki)
    }

    /// The key as DER SubjectPublicKeyInfo.
    pub fn to_der(&self) -> &[u8] {
        &self.inner.spki
    }

    /// Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo: a stable fingerprint for logs.
    pub fn fingerprint(&self) -> String {
        sha256_hex(&self.inner.spki)
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.inner.bits
    }

    /// Whether `signature` is a valid RSASSA-PSS signature of `message` for the algorithm.
    pub(crate) fn verify_message(
        &self,
        algorithm: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        // An RSA signature is exactly as long as the modulus (RFC 8017 §8.1.2 step 1).
        signature.len() == self.inner.bits.div_ceil(8)
            && self.inner.key.verify(algorithm, message, signature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.inner.bits)
            .field("spki_sha256", &self.fingerprint())
            .finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.inner.spki == other.inner.spki
    }
}

impl Eq for PublicKey {}

impl Hash for PublicKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.spki.hash(state);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Private,
    Public,
}

/// Finds the key block, skipping the `EC PARAMETERS` block `openssl ecparam -genkey` writes first.
fn select_block(text: &str, role: Role) -> Result<PemBlock, KeyError> {
    match pem::parse_blocks(text) {
        Ok(blocks) => blocks
            .into_iter()
            .find(|b| b.label != "EC PARAMETERS")
            .ok_or_else(|| KeyError::not_rsa("EC")),
        Err(PemError::Unterminated(label)) => Err(KeyError::new(
            KeyErrorKind::Malformed,
            format!(
                "the PEM block `-----BEGIN {label}-----` has no matching `-----END {label}-----` line; is the file truncated?"
            ),
        )),
        Err(PemError::NoBlock) => {
            let trimmed = text.trim_start();
            let openssh_public = ["ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-", "ssh-dss "]
                .iter()
                .any(|p| trimmed.starts_with(p));
            Err(match (openssh_public, role) {
                (true, Role::Public) => KeyError::openssh_public(),
                (true, Role::Private) => KeyError::public_as_private("an OpenSSH public key"),
                (false, _) => KeyError::not_pem(role),
            })
        }
    }
}

fn body(block: &PemBlock) -> Result<&[u8], KeyError> {
    block.der.as_deref().ok_or_else(|| {
        KeyError::new(
            KeyErrorKind::Malformed,
            format!(
                "the body of the `{}` PEM block is not valid base64",
                block.label
            ),
        )
    })
}

fn check_bits(bits: usize) -> Result<(), KeyError> {
    if bits < MIN_KEY_BITS {
        let mut err = KeyError::new(
            KeyErrorKind::TooSmall,
            format!(
                "this RSA key has {bits} bits, but Amazon Pay needs at least {MIN_KEY_BITS}; create a new key with `{GENRSA}`"
            ),
        );
        err.bits = Some(bits);
        return Err(err);
    }
    if bits > MAX_KEY_BITS {
        let mut err = KeyError::new(
            KeyErrorKind::TooLarge,
            format!(
                "this RSA key has {bits} bits; keys over {MAX_KEY_BITS} bits are not supported; create one with `{GENRSA}`"
            ),
        );
        err.bits = Some(bits);
        return Err(err);
    }
    Ok(())
}

/// What kind of problem a [`KeyError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyErrorKind {
    /// The text contains no PEM block at all.
    NotPem,
    /// A PEM block is there but broken: truncated, bad base64, or a body that is not a key.
    Malformed,
    /// An OpenSSH-format key (`-----BEGIN OPENSSH PRIVATE KEY-----` or `ssh-rsa AAAA...`).
    OpenSsh,
    /// A passphrase-protected private key.
    Encrypted,
    /// A key for another algorithm (EC, Ed25519, DSA, ...): see [`KeyError::algorithm`].
    NotRsa,
    /// An RSA key smaller than [`MIN_KEY_BITS`]: see [`KeyError::bits`].
    TooSmall,
    /// An RSA key larger than [`MAX_KEY_BITS`]: see [`KeyError::bits`].
    TooLarge,
    /// A public key (or certificate) where a private key is needed.
    PublicKeyGivenAsPrivate,
    /// A private key where a public key is expected.
    PrivateKeyGivenAsPublic,
    /// A certificate or another PEM type that is not a key we can read.
    UnsupportedFormat,
    /// The crypto library failed (generating or encoding a key).
    Crypto,
}

/// A key that cannot be loaded, generated or exported. The message says what was found and,
/// where there is one, the command that fixes it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct KeyError {
    kind: KeyErrorKind,
    message: String,
    bits: Option<usize>,
    algorithm: Option<&'static str>,
    #[source]
    source: Option<BackendError>,
}

impl KeyError {
    fn new(kind: KeyErrorKind, message: String) -> Self {
        KeyError {
            kind,
            message,
            bits: None,
            algorithm: None,
            source: None,
        }
    }

    fn not_pem(role: Role) -> Self {
        let expected = match role {
            Role::Private => "`-----BEGIN RSA PRIVATE KEY-----` or `-----BEGIN PRIVATE KEY-----`",
            Role::Public => "`-----BEGIN PUBLIC KEY-----` or `-----BEGIN RSA PUBLIC KEY-----`",
        };
        Self::new(
            KeyErrorKind::NotPem,
            format!("no PEM key found: expected text with a {expected} line"),
        )
    }

    fn bad_der(label: &str) -> Self {
        Self::new(
            KeyErrorKind::Malformed,
            format!("the `{label}` PEM block does not contain a valid key"),
        )
    }

    fn backend_rejected(label: &str, source: BackendError) -> Self {
        let mut err = Self::bad_der(label);
        err.source = Some(source);
        err
    }

    fn crypto(what: &str, source: BackendError) -> Self {
        let mut err = Self::new(KeyErrorKind::Crypto, what.to_owned());
        err.source = Some(source);
        err
    }

    fn openssh_private() -> Self {
        Self::new(
            KeyErrorKind::OpenSsh,
            "this is an OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`), which cannot be used \
             as is; convert it to PEM with `ssh-keygen -p -m PEM -f key` (rewrites the file in place) or \
             `openssl pkey -in key -out key.pem`"
                .into(),
        )
    }

    fn openssh_public() -> Self {
        Self::new(
            KeyErrorKind::OpenSsh,
            "this is an OpenSSH public key, which cannot be used as is; convert it to PEM with \
             `ssh-keygen -e -m PKCS8 -f key.pub > public.pem`"
                .into(),
        )
    }

    fn encrypted() -> Self {
        Self::new(
            KeyErrorKind::Encrypted,
            "this private key is encrypted with a passphrase; write an unencrypted copy with \
             `openssl pkey -in enc.pem -out plain.pem` (it asks for the passphrase) and keep that file secret"
                .into(),
        )
    }

    fn not_rsa(algorithm: &'static str) -> Self {
        let mut err = Self::new(
            KeyErrorKind::NotRsa,
            format!(
                "this is an {algorithm} key, but Amazon Pay signs with RSA; create an RSA key with `{GENRSA}`"
            ),
        );
        err.algorithm = Some(algorithm);
        err
    }

    fn public_as_private(found: &str) -> Self {
        Self::new(
            KeyErrorKind::PublicKeyGivenAsPrivate,
            format!(
                "this is a public key ({found}), but signing needs the private key: pass the file with \
                 `-----BEGIN RSA PRIVATE KEY-----` or `-----BEGIN PRIVATE KEY-----`"
            ),
        )
    }

    fn private_as_public(found: &str) -> Self {
        Self::new(
            KeyErrorKind::PrivateKeyGivenAsPublic,
            format!(
                "this is a private key ({found}), but a public key is expected here; extract the public key \
                 with `openssl pkey -in private.pem -pubout -out public.pem` and keep the private key secret"
            ),
        )
    }

    fn certificate() -> Self {
        Self::new(
            KeyErrorKind::UnsupportedFormat,
            "this is a certificate, not a public key; extract its key with \
             `openssl x509 -in cert.pem -pubkey -noout > public.pem`"
                .into(),
        )
    }

    fn unsupported(label: &str, role: Role) -> Self {
        let err = Self::not_pem(role);
        let label = crate::algorithm::truncate_for_display(label);
        Self::new(
            KeyErrorKind::UnsupportedFormat,
            format!(
                "unsupported PEM block `-----BEGIN {label}-----`{}",
                err.message.trim_start_matches("no PEM key found")
            ),
        )
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> KeyErrorKind {
        self.kind
    }

    /// For [`KeyErrorKind::TooSmall`] and [`KeyErrorKind::TooLarge`]: the key's size in bits.
    pub fn bits(&self) -> Option<usize> {
        self.bits
    }

    /// For [`KeyErrorKind::NotRsa`]: the algorithm found (`"EC"`, `"Ed25519"`, ...).
    pub fn algorithm(&self) -> Option<&str> {
        self.algorithm
    }
}
