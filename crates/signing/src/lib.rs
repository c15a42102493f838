//! Request signing and verification for Amazon Pay Checkout v2: `AMZN-PAY-RSASSA-PSS` (salt 20)
//! and `AMZN-PAY-RSASSA-PSS-V2` (salt 32).
//!
//! This crate is sans-IO: it never sends anything, reads no clock, and knows no HTTP library. A
//! client describes a request as borrowed parts ([`SignableRequest`]), calls [`sign`] with
//! [`SigningParams`] (key, key id, algorithm, time) and adds the returned headers to its own
//! request type. A server describes what it received ([`ReceivedRequest`]), parses the
//! [`AuthorizationHeader`], looks up the [`PublicKey`] by id and calls [`verify`].
//!
//! # Where to start reading
//!
//! [`canonical`] holds the heart of the protocol: how a request becomes a canonical request and a
//! string to sign (spec §6.2, §6.3). Then `sign.rs` (client), `verify.rs` (server), `key/` (PEM
//! loading with precise errors) and `backend/` (the only code that calls a crypto library).
//!
//! # Example
//!
//! ```
//! use amzpay_signing::{PrivateKey, ReceivedRequest, SignableRequest, SigningParams, sign, verify};
//!
//! let key = PrivateKey::generate(2048)?; // or PrivateKey::from_pem(&std::fs::read_to_string("private.pem")?)?
//! let body = br#"{"chargeAmount":{"amount":"14.00","currencyCode":"USD"}}"#;
//! let request = SignableRequest::new("POST", "/v2/checkoutSessions/42/complete")
//!     .header("accept", "application/json")
//!     .header("content-type", "application/json")
//!     .header("x-amz-pay-host", "pay-api.amazon.com")
//!     .header("x-amz-pay-region", "na")
//!     .body(body);
//! let now = time::OffsetDateTime::now_utc();
//! let params = SigningParams::new(&key, "SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B", now);
//! let output = sign(&request, &params)?;
//! // Add `output.headers` (x-amz-pay-date, authorization) to the HTTP request. When Amazon says the
//! // signature is wrong, `output.diagnostics` shows exactly what was signed.
//! assert!(output.authorization().starts_with("AMZN-PAY-RSASSA-PSS-V2 PublicKeyId=SANDBOX-"));
//!
//! // The server side, from the raw parts it received:
//! let received = ReceivedRequest::new("POST", "/v2/checkoutSessions/42/complete")
//!     .header("Accept", "application/json")
//!     .header("Content-Type", "application/json")
//!     .header("X-Amz-Pay-Host", "pay-api.amazon.com")
//!     .header("X-Amz-Pay-Region", "na")
//!     .header("X-Amz-Pay-Date", output.date())
//!     .header("Authorization", output.authorization())
//!     .body(body);
//! let authorization = received.authorization()?;
//! let verified = verify(&received, &authorization, key.public_key())?;
//! assert_eq!(verified.date().unix_timestamp(), now.unix_timestamp());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crypto backend and constant time
//!
//! RSA goes through one small internal module with two implementations, chosen by cargo feature:
//!
//! - `openssl` (default): the system libcrypto through the `openssl` crate. Private-key
//!   operations use RSA blinding and OpenSSL's constant-time modular exponentiation
//!   (`BN_FLG_CONSTTIME`, on by default for RSA private keys), so their timing does not depend on
//!   the key or the message. It is also about five times faster at signing than pure Rust, which
//!   the project's throughput goal needs (run `scripts/bench-signing` to compare with
//!   `openssl speed`). Each key keeps its parsed `EVP_PKEY` and a pool of configured contexts, so
//!   a call does no parsing or provider look-up.
//! - `rustcrypto` (used when `openssl` is off): the pure-Rust `rsa` crate, for targets without
//!   OpenSSL. It blinds private-key operations, but the `rsa` 0.9 arithmetic is not constant-time
//!   (RUSTSEC-2023-0071); prefer the default where it builds.
//!
//! Verification uses only public data (key, request, signature), so its timing reveals nothing
//! secret. With `openssl`, it runs OpenSSL's raw RSA public operation and decodes EMSA-PSS
//! (RFC 8017 §9.1.2) in Rust, which saves OpenSSL 3's per-call digest look-ups (about 7% of a
//! verification); a differential property test checks the decoder against OpenSSL's own PSS
//! verification, including tampered signatures and the other salt length.
//!
//! Keys are `Arc`s inside: cloning is cheap, and every public type is `Send + Sync`.

pub mod canonical;

mod algorithm;
mod authorization;
mod backend;
mod button;
mod date;
mod diagnostics;
mod key;
mod sign;
mod verify;

pub use algorithm::{Algorithm, UnknownAlgorithmError};
pub use authorization::{AuthorizationHeader, ParseAuthorizationError};
pub use button::{
    ButtonSignatureError, button_string_to_sign, sign_button_payload, verify_button_signature,
};
pub use canonical::{
    CanonicalHeaders, CanonicalQuery, CanonicalRequest, CanonicalUri, InvalidHeaderError,
    string_to_sign,
};
pub use date::{DateParseError, format_amz_date, parse_amz_date};
pub use diagnostics::Diagnostics;
pub use key::{
    DEFAULT_KEY_BITS, KeyError, KeyErrorKind, MAX_KEY_BITS, MIN_KEY_BITS, PrivateKey, PublicKey,
};
pub use sign::{
    AUTHORIZATION, SignableRequest, SigningError, SigningErrorKind, SigningOutput, SigningParams,
    X_AMZ_PAY_DATE, sign,
};
pub use verify::{
    BadSignature, InvalidDate, MissingAuthorization, MissingSignedHeader, REQUIRED_SIGNED_HEADERS,
    ReceivedRequest, RequiredHeaderNotSigned, Verified, VerifyError, X_AMZ_PAY_HOST, verify,
};

/// The crypto backend compiled in (`"openssl"` or `"rustcrypto (rsa crate)"`), for benchmarks and
/// diagnostics.
pub const BACKEND: &str = backend::NAME;
