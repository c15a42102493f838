//! RSA-PSS through the system OpenSSL.
//!
//! Each key keeps a small pool of initialized `EVP_PKEY_CTX`s per algorithm (padding, digests and
//! salt length already set), so a signature or a verification costs one lock, one SHA-256 and the
//! RSA operation itself. Creating and configuring a context per call costs several microseconds
//! with OpenSSL 3 (provider look-ups), which is a noticeable share of a ~30 µs verification.

use std::sync::{Mutex, PoisonError};

use openssl::md::Md;
use openssl::pkey::{HasPublic, PKey, Private, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::{Padding, Rsa};
use openssl::sign::RsaPssSaltlen;
use sha2::{Digest as _, Sha256};

use super::BackendError;
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
    pools: [CtxPool<Public>; 2],
}

impl PublicKeyImpl {
    fn new(pkey: PKey<Public>) -> Self {
        PublicKeyImpl {
            pkey,
            pools: [CtxPool::new(), CtxPool::new()],
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

    pub(crate) fn verify(&self, algorithm: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let pool = &self.pools[algorithm.index()];
        let ctx = match pool.take() {
            Some(ctx) => Ok(ctx),
            None => PkeyCtx::new(&self.pkey).and_then(|mut ctx| {
                ctx.verify_init()?;
                configure(&mut ctx, algorithm)?;
                Ok(ctx)
            }),
        };
        let Ok(mut ctx) = ctx else {
            return false;
        };
        let digest = Sha256::digest(message);
        // `verify` answers Ok(false) or Err (with OpenSSL's reason, such as a bad padding byte)
        // for a signature that does not match; both mean "not valid". The crate drains the error
        // queue, and a failed verification leaves the context's settings unchanged, so it goes
        // back to the pool either way (a flood of forged signatures must stay cheap to reject).
        let valid = matches!(ctx.verify(&digest, signature), Ok(true));
        pool.give_back(ctx);
        valid
    }
}

fn bits<T: HasPublic>(pkey: &PKey<T>) -> usize {
    pkey.bits() as usize
}
