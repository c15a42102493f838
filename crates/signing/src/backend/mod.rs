//! The RSA-PSS backend: the only code that touches a crypto library.
//!
//! Both backends offer the same crate-private surface (`PrivateKeyImpl`, `PublicKeyImpl`, `NAME`):
//! DER in and out, key generation, and PSS over SHA-256 with MGF1-SHA-256 and the algorithm's salt
//! length. PEM, key classification, canonicalization and headers live above this line and are
//! shared, so both backends pass the same test suite.
//!
//! - `openssl` (default): the system libcrypto. Private-key operations use RSA blinding and
//!   OpenSSL's constant-time modular exponentiation (`BN_FLG_CONSTTIME`); it is also several
//!   times faster than pure Rust. Verification decodes PSS in `pss.rs` (public data only).
//! - `rustcrypto`: the pure-Rust `rsa` crate, for targets without OpenSSL. It blinds private-key
//!   operations but its big-integer arithmetic is not constant-time (RUSTSEC-2023-0071, the
//!   "Marvin" timing side channel), which is why it is not the default.

/// Errors from the crypto library, reachable only through `source()`.
pub(crate) type BackendError = Box<dyn std::error::Error + Send + Sync>;

#[cfg(feature = "openssl")]
mod openssl;
#[cfg(feature = "openssl")]
mod pss;
#[cfg(feature = "openssl")]
pub(crate) use self::openssl::{NAME, PrivateKeyImpl, PublicKeyImpl};

#[cfg(all(feature = "rustcrypto", not(feature = "openssl")))]
mod rustcrypto;
#[cfg(all(feature = "rustcrypto", not(feature = "openssl")))]
pub(crate) use self::rustcrypto::{NAME, PrivateKeyImpl, PublicKeyImpl};

#[cfg(not(any(feature = "openssl", feature = "rustcrypto")))]
compile_error!(
    "amzpay-signing needs a crypto backend: enable the `openssl` (default) or the `rustcrypto` feature"
);
