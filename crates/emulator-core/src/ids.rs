//! One id type per entity, generated in one place in the formats of design.md §4.
//!
//! Generation takes the randomness as an input (`&mut dyn RngCore`), so tests can use a seeded
//! generator. `parse` validates an id read from a request path or from storage.

use std::fmt;

use rand::{Rng, RngCore};

use crate::model::{Environment, Region};

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn random_chars(rng: &mut dyn RngCore, alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect()
}

fn random_digits(rng: &mut dyn RngCore, n: usize) -> String {
    random_chars(rng, b"0123456789", n)
}

fn all(s: &str, f: impl Fn(u8) -> bool) -> bool {
    s.bytes().all(f)
}

fn is_upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The id as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A merchant id: 13 upper-case alphanumerics starting with `A` (like `A11TDGUOI15DHQ`).
    MerchantId
);
id_type!(
    /// A store id: `amzn1.application-oa2-client.` + 32 lower-case hex digits.
    StoreId
);
id_type!(
    /// A public key id: `SANDBOX-`/`LIVE-` + 24 upper-case alphanumerics, or a legacy id
    /// without the environment prefix.
    PublicKeyId
);
id_type!(
    /// A checkout session id: a lower-case UUID v4.
    CheckoutSessionId
);
id_type!(
    /// A charge permission id: `S01-1234567-1234567` (`P` for live; `01` NA, `02` EU, `03` JP),
    /// or `BA01-1234567-1234567` for `PaymentMethodOnFile` permissions.
    ChargePermissionId
);
id_type!(
    /// A charge id: `{chargePermissionId}-C123456`.
    ChargeId
);
id_type!(
    /// A refund id: `{chargePermissionId}-R123456`.
    RefundId
);
id_type!(
    /// A buyer id: `amzn1.account.` + 28 upper-case alphanumerics.
    BuyerId
);

const STORE_PREFIX: &str = "amzn1.application-oa2-client.";
const BUYER_PREFIX: &str = "amzn1.account.";

impl MerchantId {
    /// A fresh merchant id.
    pub fn generate(rng: &mut dyn RngCore) -> MerchantId {
        MerchantId(format!("A{}", random_chars(rng, UPPER_ALNUM, 12)))
    }

    /// Validates a merchant id (1 to 32 upper-case alphanumerics).
    pub fn parse(s: &str) -> Option<MerchantId> {
        (!s.is_empty() && s.len() <= 32 && all(s, is_upper_alnum)).then(|| MerchantId(s.to_owned()))
    }
}

impl StoreId {
    /// A fresh store id.
    pub fn generate(rng: &mut dyn RngCore) -> StoreId {
        StoreId(format!(
            "{STORE_PREFIX}{}",
            random_chars(rng, b"0123456789abcdef", 32)
        ))
    }

    /// Validates a store id: any non-empty printable ASCII string up to 128 characters.
    ///
    /// The check is loose on purpose: a wrong store id is reported by comparing with the
    /// merchant's, which gives a better message than a format error.
    pub fn parse(s: &str) -> Option<StoreId> {
        (!s.is_empty() && s.len() <= 128 && all(s, |b| b.is_ascii_graphic()))
            .then(|| StoreId(s.to_owned()))
    }
}

impl PublicKeyId {
    /// A fresh environment-specific public key id (`SANDBOX-…` or `LIVE-…`).
    pub fn generate(rng: &mut dyn RngCore, environment: Environment) -> PublicKeyId {
        let prefix = match environment {
            Environment::Sandbox => "SANDBOX",
            Environment::Live => "LIVE",
        };
        PublicKeyId(format!("{prefix}-{}", random_chars(rng, UPPER_ALNUM, 24)))
    }

    /// A fresh legacy public key id: 24 upper-case alphanumerics, no environment prefix.
    pub fn generate_legacy(rng: &mut dyn RngCore) -> PublicKeyId {
        PublicKeyId(random_chars(rng, UPPER_ALNUM, 24))
    }

    /// Validates a public key id: 1 to 64 characters of `[A-Za-z0-9_-]`.
    pub fn parse(s: &str) -> Option<PublicKeyId> {
        (!s.is_empty()
            && s.len() <= 64
            && all(s, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| PublicKeyId(s.to_owned()))
    }

    /// The environment the key's prefix names (case-insensitive, as every SDK tests it), or
    /// `None` for a legacy key whose environment comes from the request path.
    pub fn environment(&self) -> Option<Environment> {
        let upper = self.0.to_ascii_uppercase();
        if upper.starts_with("SANDBOX") {
            Some(Environment::Sandbox)
        } else if upper.starts_with("LIVE") {
            Some(Environment::Live)
        } else {
            None
        }
    }
}

impl CheckoutSessionId {
    /// A fresh lower-case UUID v4.
    pub fn generate(rng: &mut dyn RngCore) -> CheckoutSessionId {
        let mut b = [0u8; 16];
        rng.fill_bytes(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
        CheckoutSessionId(format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        ))
    }

    /// Validates a UUID in its hyphenated form (any case is read, ids are stored lower case).
    pub fn parse(s: &str) -> Option<CheckoutSessionId> {
        let b = s.as_bytes();
        let ok = b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            });
        ok.then(|| CheckoutSessionId(s.to_ascii_lowercase()))
    }
}

fn region_digits(region: Region) -> &'static str {
    match region {
        Region::Na => "01",
        Region::Eu => "02",
        Region::Jp => "03",
    }
}

fn is_permission_id(s: &str) -> bool {
    // `X99-9999999-9999999` or `BA99-9999999-9999999`.
    let (head, rest) = match s.split_once('-') {
        Some(x) => x,
        None => return false,
    };
    let head_ok = match head.len() {
        3 => head.as_bytes()[0].is_ascii_uppercase() && all(&head[1..], |b| b.is_ascii_digit()),
        4 => all(&head[..2], |b| b.is_ascii_uppercase()) && all(&head[2..], |b| b.is_ascii_digit()),
        _ => false,
    };
    let mut parts = rest.split('-');
    let tail_ok = matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(a), Some(b), None)
            if a.len() == 7 && b.len() == 7 && all(a, |c| c.is_ascii_digit()) && all(b, |c| c.is_ascii_digit())
    );
    head_ok && tail_ok
}

impl ChargePermissionId {
    /// A fresh charge permission id for a merchant in `region` and `environment`;
    /// `payment_method_on_file` selects the `BA01-…` form.
    pub fn generate(
        rng: &mut dyn RngCore,
        region: Region,
        environment: Environment,
        payment_method_on_file: bool,
    ) -> ChargePermissionId {
        let head = if payment_method_on_file {
            "BA"
        } else {
            match environment {
                Environment::Sandbox => "S",
                Environment::Live => "P",
            }
        };
        ChargePermissionId(format!(
            "{head}{}-{}-{}",
            region_digits(region),
            random_digits(rng, 7),
            random_digits(rng, 7)
        ))
    }

    /// Validates a charge permission id.
    pub fn parse(s: &str) -> Option<ChargePermissionId> {
        is_permission_id(s).then(|| ChargePermissionId(s.to_owned()))
    }
}

fn child_id_parts(s: &str, marker: char) -> bool {
    match s.rsplit_once('-') {
        Some((perm, tail)) => {
            is_permission_id(perm)
                && tail.len() == 7
                && tail.starts_with(marker)
                && all(&tail[1..], |b| b.is_ascii_digit())
        }
        None => false,
    }
}

impl ChargeId {
    /// A fresh charge id under `permission`.
    pub fn generate(rng: &mut dyn RngCore, permission: &ChargePermissionId) -> ChargeId {
        ChargeId(format!("{permission}-C{}", random_digits(rng, 6)))
    }

    /// Validates a charge id.
    pub fn parse(s: &str) -> Option<ChargeId> {
        child_id_parts(s, 'C').then(|| ChargeId(s.to_owned()))
    }
}

impl RefundId {
    /// A fresh refund id under `permission`.
    pub fn generate(rng: &mut dyn RngCore, permission: &ChargePermissionId) -> RefundId {
        RefundId(format!("{permission}-R{}", random_digits(rng, 6)))
    }

    /// Validates a refund id.
    pub fn parse(s: &str) -> Option<RefundId> {
        child_id_parts(s, 'R').then(|| RefundId(s.to_owned()))
    }
}

impl BuyerId {
    /// A fresh buyer id.
    pub fn generate(rng: &mut dyn RngCore) -> BuyerId {
        BuyerId(format!(
            "{BUYER_PREFIX}{}",
            random_chars(rng, UPPER_ALNUM, 28)
        ))
    }

    /// Validates a buyer id.
    pub fn parse(s: &str) -> Option<BuyerId> {
        s.strip_prefix(BUYER_PREFIX)
            .filter(|rest| !rest.is_empty() && all(rest, is_upper_alnum))
            .map(|_| BuyerId(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn generated_ids_have_the_documented_shapes_and_parse_back() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let m = MerchantId::generate(&mut rng);
        assert_eq!(m.as_str().len(), 13);
        assert_eq!(MerchantId::parse(m.as_str()), Some(m));
        let s = StoreId::generate(&mut rng);
        assert!(
            s.as_str().starts_with(STORE_PREFIX) && s.as_str().len() == STORE_PREFIX.len() + 32
        );
        let k = PublicKeyId::generate(&mut rng, Environment::Sandbox);
        assert!(k.as_str().starts_with("SANDBOX-") && k.as_str().len() == 32);
        assert_eq!(k.environment(), Some(Environment::Sandbox));
        assert_eq!(PublicKeyId::generate_legacy(&mut rng).environment(), None);
        let cs = CheckoutSessionId::generate(&mut rng);
        assert_eq!(cs.as_str().as_bytes()[14], b'4');
        assert_eq!(CheckoutSessionId::parse(cs.as_str()), Some(cs));
        let p = ChargePermissionId::generate(&mut rng, Region::Eu, Environment::Sandbox, false);
        assert!(
            p.as_str().starts_with("S02-") && p.as_str().len() == 19,
            "{p}"
        );
        assert_eq!(ChargePermissionId::parse(p.as_str()), Some(p.clone()));
        let ba = ChargePermissionId::generate(&mut rng, Region::Na, Environment::Live, true);
        assert!(ba.as_str().starts_with("BA01-"), "{ba}");
        assert!(ChargePermissionId::parse(ba.as_str()).is_some());
        let c = ChargeId::generate(&mut rng, &p);
        assert!(ChargeId::parse(c.as_str()).is_some());
        assert!(RefundId::parse(c.as_str()).is_none());
        let r = RefundId::generate(&mut rng, &ba);
        assert!(RefundId::parse(r.as_str()).is_some());
        let b = BuyerId::generate(&mut rng);
        assert_eq!(BuyerId::parse(b.as_str()), Some(b));
    }

    #[test]
    fn malformed_ids_are_rejected() {
        assert!(CheckoutSessionId::parse("not-a-uuid").is_none());
        assert!(ChargePermissionId::parse("S01-123-123").is_none());
        assert!(ChargeId::parse("S01-1234567-1234567-R123456").is_none());
        assert!(PublicKeyId::parse("has space").is_none());
    }
}
