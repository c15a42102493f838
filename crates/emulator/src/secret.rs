//! The emulator's own secret: the HMAC-SHA256 key that signs what it hands out and reads back
//! later (buyer tokens, the hosted pages' form tokens), so that nobody can forge them from public
//! ids.
//!
//! `Application::build` keeps it in the database (`Store::secret`), so every emulator process
//! sharing the database signs alike and tokens survive restarts; [`Secret::generate`] makes one
//! for an emulator built in process. Each use names its purpose, which is signed first, so a MAC
//! made for one purpose never verifies for another.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// An HMAC-SHA256 key. Its `Debug` does not show it.
#[derive(Clone)]
pub struct Secret([u8; 32]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// A fresh random key.
    pub fn generate() -> Secret {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Secret(key)
    }

    /// The key from its stored form (64 hex digits).
    pub fn from_hex(hex: &str) -> Option<Secret> {
        let bytes = hex::decode(hex.trim()).ok()?;
        Some(Secret(bytes.try_into().ok()?))
    }

    /// The stored form.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn keyed(&self, purpose: &str, parts: &[&[u8]]) -> Hmac<Sha256> {
        // A 32-byte key is always a valid HMAC key.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        // Each part is length-prefixed so that no two lists of parts sign the same bytes.
        for part in std::iter::once(purpose.as_bytes()).chain(parts.iter().copied()) {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }

    /// The first 16 bytes of the MAC of `parts` for `purpose`, as 32 hex digits.
    pub(crate) fn tag(&self, purpose: &str, parts: &[&[u8]]) -> String {
        let full = self.keyed(purpose, parts).finalize().into_bytes();
        hex::encode(&full[..16])
    }

    /// Whether `tag` is [`Secret::tag`] of `parts` for `purpose` (compared in constant time).
    pub(crate) fn verify(&self, purpose: &str, parts: &[&[u8]], tag: &str) -> bool {
        let Ok(bytes) = hex::decode(tag) else {
            return false;
        };
        bytes.len() == 16
            && self
                .keyed(purpose, parts)
                .verify_truncated_left(&bytes)
                .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_verifies_for_its_key_purpose_and_parts_only() {
        let key = Secret::generate();
        let tag = key.tag("form", &[b"session"]);
        assert!(key.verify("form", &[b"session"], &tag));
        assert!(!key.verify("buyer", &[b"session"], &tag));
        assert!(!key.verify("form", &[b"sessio", b"n"], &tag));
        assert!(!Secret::generate().verify("form", &[b"session"], &tag));
        assert!(!key.verify("form", &[b"session"], "not hex"));
        let stored = Secret::from_hex(&key.to_hex()).unwrap();
        assert!(stored.verify("form", &[b"session"], &tag));
        assert_eq!(format!("{key:?}"), "Secret(..)");
    }
}
