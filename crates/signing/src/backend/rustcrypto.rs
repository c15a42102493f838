//! RSA-PSS through the pure-Rust `rsa` crate (feature `rustcrypto`).
//!
//! Signing keys are blinded (`BlindedSigningKey`), but the `rsa` 0.9 big-integer arithmetic is not
//! constant-time (RUSTSEC-2023-0071). Prefer the default `openssl` backend wherever it builds.

use rand::rngs::OsRng;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::pss::{BlindedSigningKey, Signature, VerifyingKey};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

use super::BackendError;
use crate::algorithm::Algorithm;

/// Human-readable backend name (for benchmarks and diagnostics).
pub(crate) const NAME: &str = "rustcrypto (rsa crate)";

pub(crate) struct PrivateKeyImpl {
    key: RsaPrivateKey,
    /// One signer per algorithm, indexed by `Algorithm::index`.
    signers: [BlindedSigningKey<Sha256>; 2],
}

impl PrivateKeyImpl {
    fn new(key: RsaPrivateKey) -> Result<Self, BackendError> {
        key.validate()?;
        let signer =
            |alg: Algorithm| BlindedSigningKey::new_with_salt_len(key.clone(), alg.salt_len());
        let signers = [
            signer(Algorithm::AmznPayRsassaPss),
            signer(Algorithm::AmznPayRsassaPssV2),
        ];
        Ok(PrivateKeyImpl { key, signers })
    }

    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self, BackendError> {
        Self::new(RsaPrivateKey::from_pkcs1_der(der)?)
    }

    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self, BackendError> {
        Self::new(RsaPrivateKey::from_pkcs8_der(der)?)
    }

    pub(crate) fn generate(bits: usize) -> Result<Self, BackendError> {
        Self::new(RsaPrivateKey::new(&mut OsRng, bits)?)
    }

    pub(crate) fn bits(&self) -> usize {
        self.key.n().bits()
    }

    pub(crate) fn to_pkcs8_der(&self) -> Result<Vec<u8>, BackendError> {
        Ok(self.key.to_pkcs8_der()?.as_bytes().to_vec())
    }

    pub(crate) fn public_key(&self) -> Result<PublicKeyImpl, BackendError> {
        Ok(PublicKeyImpl::new(self.key.to_public_key()))
    }

    pub(crate) fn sign(
        &self,
        algorithm: Algorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, BackendError> {
        let signature = self.signers[algorithm.index()].try_sign_with_rng(&mut OsRng, message)?;
        Ok(signature.to_vec())
    }
}

pub(crate) struct PublicKeyImpl {
    key: RsaPublicKey,
    /// One verifier per algorithm, indexed by `Algorithm::index`.
    verifiers: [VerifyingKey<Sha256>; 2],
}

impl PublicKeyImpl {
    fn new(key: RsaPublicKey) -> Self {
        let verifier =
            |alg: Algorithm| VerifyingKey::new_with_salt_len(key.clone(), alg.salt_len());
        let verifiers = [
            verifier(Algorithm::AmznPayRsassaPss),
            verifier(Algorithm::AmznPayRsassaPssV2),
        ];
        PublicKeyImpl { key, verifiers }
    }

    pub(crate) fn from_spki_der(der: &[u8]) -> Result<Self, BackendError> {
        Ok(Self::new(RsaPublicKey::from_public_key_der(der)?))
    }

    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self, BackendError> {
        Ok(Self::new(RsaPublicKey::from_pkcs1_der(der)?))
    }

    pub(crate) fn to_spki_der(&self) -> Result<Vec<u8>, BackendError> {
        Ok(self.key.to_public_key_der()?.into_vec())
    }

    pub(crate) fn bits(&self) -> usize {
        self.key.n().bits()
    }

    pub(crate) fn verify(&self, algorithm: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = Signature::try_from(signature) else {
            return false;
        };
        self.verifiers[algorithm.index()]
            .verify(message, &signature)
            .is_ok()
    }
}
