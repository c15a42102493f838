//! RSA-PSS through the system OpenSSL.
//!
//! Each key keeps a small pool of initialized `EVP_PKEY_CTX`s (padding, digests and salt length
//! already set), so a call costs one lock and the RSA operation itself: creating and configuring a
//! context per call costs several microseconds with OpenSSL 3 (provider look-ups), a noticeable
//! share of a 13 µs verification.
//!
//! Signing is OpenSSL's RSASSA-PSS end to end (blinding, constant-time exponentiation, its own
//! salt generation). Verification runs OpenSSL's raw public operation and decodes PSS in
//! `super::pss`, which is faster than OpenSSL 3's PSS decoding and needs no secret.

use std::sync::{Mutex, PoisonError};

use openssl::md::Md;
use openssl::pkey::{HasPublic, PKey, Private, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::{Padding, Rsa};
use openssl::sign::RsaPssSaltlen;
use sha2::{Digest as _, Sha256};

use super::{BackendError, pss};
use crate::algorithm::Algorithm;

/// Human-readable backend name (for benchmarks and diagnostics).
pub(crate) const NAME: &str = "openssl";

/// Contexts kept per key and algorithm; more concurrent callers than this simply create and drop
/// extra contexts.
const POOL_CAP: usize = 32;

/// Initialized PSS contexts for one algorithm.
struct CtxPool<T> {
    free: Mutex<Vec<PkeyCtx<T>>>,
}

impl<T> CtxPool<T> {
    fn new() -> Self {
        CtxPool {
            free: Mutex::new(Vec::new()),
        }
    }

    fn take(&self) -> Option<PkeyCtx<T>> {
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    fn give_back(&self, ctx: PkeyCtx<T>) {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        if free.len() < POOL_CAP {
            free.push(ctx);
        }
    }
}

/// Configures a context for RSASSA-PSS, SHA-256, MGF1-SHA-256 and the algorithm's salt length.
fn configure<T>(
    ctx: &mut PkeyCtx<T>,
    algorithm: Algorithm,
) -> Result<(), openssl::error::ErrorStack> {
    ctx.set_rsa_padding(Padding::PKCS1_PSS)?;
    ctx.set_signature_md(Md::sha256())?;
    ctx.set_rsa_mgf1_md(Md::sha256())?;
    // The salt lengths are 20 and 32, so the cast cannot truncate.
    ctx.set_rsa_pss_saltlen(RsaPssSaltlen::custom(algorithm.salt_len() as i32))
}

pub(crate) struct PrivateKeyImpl {
    pkey: PKey<Private>,
    pools: [CtxPool<Private>; 2],
}

impl PrivateKeyImpl {
    fn new(pkey: PKey<Private>) -> Self {
        PrivateKeyImpl {
            pkey,
            pools: [CtxPool::new(), CtxPool::new()],
        }
    }

    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self, BackendError> {
        Ok(Self::new(PKey::from_rsa(Rsa::private_key_from_der(der)?)?))
    }

    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self, BackendError> {
        Ok(Self::new(PKey::private_key_from_pkcs8(der)?))
    }

    pub(crate) fn generate(bits: usize) -> Result<Self, BackendError> {
        Ok(Self::new(PKey::from_rsa(Rsa::generate(u32::try_from(
            bits,
        )?)?)?))
    }

    pub(crate) fn bits(&self) -> usize {
        bits(&self.pkey)
    }

    pub(crate) fn to_pkcs8_der(&self) -> Result<Vec<u8>, BackendError> {
        Ok(self.pkey.private_key_to_pkcs8()?)
    }

    pub(crate) fn public_key(&self) -> Result<PublicKeyImpl, BackendError> {
        PublicKeyImpl::from_spki_der(&self.pkey.public_key_to_der()?)
    }

    pub(crate) fn sign(
        &self,
        algorithm: Algorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, BackendError> {
        let pool = &self.pools[algorithm.index()];
        let mut ctx = match pool.take() {
            Some(ctx) => ctx,
            None => {
                let mut ctx = PkeyCtx::new(&self.pkey)?;
                ctx.sign_init()?;
                configure(&mut ctx, algorithm)?;
                ctx
            }
        };
        let digest = Sha256::digest(message);
        let mut signature = Vec::with_capacity(self.pkey.size());
        // A context that failed is dropped rather than returned to the pool.
        ctx.sign_to_vec(&digest, &mut signature)?;
        pool.give_back(ctx);
        Ok(signature)
    }
}

pub(crate) struct PublicKeyImpl {
    pkey: PKey<Public>,
    /// Contexts for the raw public operation (`verify_recover` without padding); the PSS
    /// decoding happens in `super::pss`, so one pool serves both algorithms.
    raw: CtxPool<Public>,
}

impl PublicKeyImpl {
    fn new(pkey: PKey<Public>) -> Self {
        PublicKeyImpl {
            pkey,
            raw: CtxPool::new(),
        }
    }

    pub(crate) fn from_spki_der(der: &[u8]) -> Result<Self, BackendError> {
        Ok(Self::new(PKey::public_key_from_der(der)?))
    }

    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self, BackendError> {
        Ok(Self::new(PKey::from_rsa(Rsa::public_key_from_der_pkcs1(
            der,
        )?)?))
    }

    pub(crate) fn to_spki_der(&self) -> Result<Vec<u8>, BackendError> {
        Ok(self.pkey.public_key_to_der()?)
    }

    pub(crate) fn bits(&self) -> usize {
        bits(&self.pkey)
    }

    /// RSAVP1 (`s^e mod n`) by OpenSSL, then EMSA-PSS decoding in Rust.
    pub(crate) fn verify(&self, algorithm: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let ctx = match self.raw.take() {
            Some(ctx) => Ok(ctx),
            None => PkeyCtx::new(&self.pkey).and_then(|mut ctx| {
                ctx.verify_recover_init()?;
                ctx.set_rsa_padding(Padding::NONE)?;
                Ok(ctx)
            }),
        };
        let Ok(mut ctx) = ctx else {
            return false;
        };
        let mut em = [0u8; MAX_MODULUS_BYTES];
        let Some(em) = em.get_mut(..self.pkey.size()) else {
            return false;
        };
        // An error here means the signature is not a number below the modulus (RFC 8017 §5.2.2):
        // invalid. The crate drains OpenSSL's error queue, and the context keeps its settings, so
        // it goes back to the pool either way (forged signatures must stay cheap to reject).
        let recovered = ctx.verify_recover(signature, Some(em));
        self.raw.give_back(ctx);
        match recovered {
            Ok(len) if len == em.len() => {
                pss::emsa_pss_verify(message, em, self.bits(), algorithm.salt_len())
            }
            _ => false,
        }
    }
}

/// The largest modulus a key may have (`MAX_KEY_BITS`), in bytes.
const MAX_MODULUS_BYTES: usize = crate::key::MAX_KEY_BITS / 8;

fn bits<T: HasPublic>(pkey: &PKey<T>) -> usize {
    pkey.bits() as usize
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;

    fn keys() -> &'static (PrivateKeyImpl, PublicKeyImpl) {
        static KEYS: OnceLock<(PrivateKeyImpl, PublicKeyImpl)> = OnceLock::new();
        KEYS.get_or_init(|| {
            let private = PrivateKeyImpl::generate(2048).expect("generates");
            let public = private.public_key().expect("derives");
            (private, public)
        })
    }

    /// OpenSSL's own RSASSA-PSS verification, the reference for our decoder.
    fn openssl_verifies(algorithm: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let public = &keys().1;
        let mut ctx = PkeyCtx::new(&public.pkey).expect("context");
        ctx.verify_init().expect("init");
        configure(&mut ctx, algorithm).expect("configures");
        matches!(ctx.verify(&Sha256::digest(message), signature), Ok(true))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn our_pss_decoding_agrees_with_openssl(
            message in proptest::collection::vec(any::<u8>(), 0..200),
            v2 in any::<bool>(),
            check_v2 in any::<bool>(),
            flip in proptest::option::of((0usize..256, 0u8..8)),
        ) {
            let pick = |v2: bool| if v2 { Algorithm::AmznPayRsassaPssV2 } else { Algorithm::AmznPayRsassaPss };
            let (sign_alg, check_alg) = (pick(v2), pick(check_v2));
            let mut signature = keys().0.sign(sign_alg, &message).expect("signs");
            if let Some((byte, bit)) = flip {
                signature[byte] ^= 1 << bit;
            }
            let ours = keys().1.verify(check_alg, &message, &signature);
            prop_assert_eq!(ours, openssl_verifies(check_alg, &message, &signature));
            prop_assert_eq!(ours, flip.is_none() && sign_alg == check_alg);
        }
    }

    #[test]
    fn a_signature_not_below_the_modulus_is_rejected() {
        assert!(!keys().1.verify(Algorithm::default(), b"m", &[0xff; 256]));
        assert!(!keys().1.verify(Algorithm::default(), b"m", &[0; 256]));
    }
}
