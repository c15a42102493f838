//! Buyer tokens: what Amazon Sign-in hands the merchant (`signInReturnUrl?buyerToken=...`) and
//! Get Buyer (`GET /v2/buyers/{buyerToken}`) reads.
//!
//! A token carries the signed-in buyer itself, so it needs no storage and works on every
//! emulator process sharing a database: `BT1-` + hex of a compact JSON payload (merchant,
//! environment, issue time, buyer, scopes) + `-` + an HMAC-SHA256 tag (the first 16 bytes) made
//! with the emulator's [`Secret`] over the merchant id and the payload. Nobody without the secret
//! can make or edit one; another merchant's token, an edited one or an expired one answers 404
//! like an unknown id.
//!
//! A token expires [`LIFETIME_SECS`] (24 hours) after it was issued, on the merchant's virtual
//! clock: the lifetime Amazon documents for the id its sign-in appends to `signInReturnUrl`
//! (docs/guarantees.md cites the page).

use amzpay_emulator_core::Timestamp;
use amzpay_emulator_core::input::SignIn;
use amzpay_emulator_core::model::{BuyerScope, Environment, Merchant};
use amzpay_types as wire;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::convert::address_out;
use crate::secret::Secret;

const PREFIX: &str = "BT1-";

/// The purpose the tag is made for (see [`Secret`]).
const PURPOSE: &str = "buyer-token";

/// How long a token opens after it was issued (virtual clock): 24 hours.
pub const LIFETIME_SECS: i64 = 24 * 60 * 60;

#[derive(Serialize, Deserialize)]
struct Payload {
    m: String,
    e: String,
    t: i64,
    b: wire::Buyer,
}

/// A stable buyer id for an email address (the same test buyer keeps one id).
pub fn buyer_id_for(email: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let digest = Sha256::digest(email.trim().to_ascii_lowercase().as_bytes());
    let tail: String = digest
        .iter()
        .take(28)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    format!("amzn1.account.{tail}")
}

/// The Get Buyer body for a sign-in with `scopes` (spec §2.18): `buyerId` always; with no
/// scopes, name and email; otherwise exactly what the scopes ask for.
pub fn buyer_view(sign_in: &SignIn, scopes: &[BuyerScope]) -> wire::Buyer {
    let wants = |s: BuyerScope| {
        scopes.is_empty() && matches!(s, BuyerScope::Name | BuyerScope::Email)
            || scopes.contains(&s)
    };
    let shipping = &sign_in.shipping_address;
    wire::Buyer {
        buyer_id: buyer_id_for(&sign_in.email).into(),
        name: wants(BuyerScope::Name).then(|| sign_in.name.clone()),
        email: wants(BuyerScope::Email).then(|| sign_in.email.clone()),
        postal_code: shipping
            .postal_code
            .clone()
            .filter(|_| wants(BuyerScope::PostalCode)),
        country_code: shipping
            .country_code
            .clone()
            .filter(|_| wants(BuyerScope::PostalCode)),
        phone_number: sign_in
            .phone_number
            .clone()
            .filter(|_| wants(BuyerScope::PhoneNumber)),
        shipping_address: wants(BuyerScope::ShippingAddress).then(|| address_out(shipping)),
        billing_address: wants(BuyerScope::BillingAddress)
            .then(|| address_out(&sign_in.billing_address)),
        prime_membership_types: wants(BuyerScope::PrimeStatus).then(Vec::new),
    }
}

/// Issues the token a sign-in redirect carries: the buyer of `sign_in` as Get Buyer will show
/// it to `merchant` in `environment`, signed with `secret`.
pub fn issue(
    secret: &Secret,
    merchant: &Merchant,
    environment: Environment,
    sign_in: &SignIn,
    scopes: &[BuyerScope],
    now: Timestamp,
) -> String {
    let payload = Payload {
        m: merchant.merchant_id.to_string(),
        e: environment.as_str().to_owned(),
        t: now.unix(),
        b: buyer_view(sign_in, scopes),
    };
    let json = serde_json::to_vec(&payload).unwrap_or_default();
    let tag = secret.tag(PURPOSE, &[merchant.merchant_id.as_str().as_bytes(), &json]);
    format!("{PREFIX}{}-{tag}", hex::encode(&json))
}

/// The buyer behind a token, if `secret` signed it for `merchant` in `environment` and it has
/// not expired at the merchant's virtual `now`.
pub fn open(
    secret: &Secret,
    token: &str,
    merchant: &Merchant,
    environment: Environment,
    now: Timestamp,
) -> Option<wire::Buyer> {
    let rest = token.strip_prefix(PREFIX)?;
    let (body, tag) = rest.rsplit_once('-')?;
    let json = hex::decode(body).ok()?;
    if !secret.verify(
        PURPOSE,
        &[merchant.merchant_id.as_str().as_bytes(), &json],
        tag,
    ) {
        return None;
    }
    let payload: Payload = serde_json::from_slice(&json).ok()?;
    let fresh = now < Timestamp::from_unix(payload.t).plus(LIFETIME_SECS);
    (payload.m == merchant.merchant_id.as_str() && payload.e == environment.as_str() && fresh)
        .then_some(payload.b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use amzpay_emulator_core::VirtualClock;
    use amzpay_emulator_core::ids::{MerchantId, StoreId};
    use amzpay_emulator_core::model::Region;

    fn merchant(id: &str) -> Merchant {
        Merchant {
            merchant_id: MerchantId::parse(id).unwrap(),
            store_id: StoreId::parse(&format!("amzn1.application-oa2-client.{id}")).unwrap(),
            region: Region::Na,
            environment: Environment::Sandbox,
            clock: VirtualClock::default(),
            created_at: Timestamp::from_unix(0),
        }
    }

    #[test]
    fn a_token_opens_for_its_merchant_only() {
        let key = Secret::generate();
        let a = merchant("AAAAAAAAAAAAA");
        let b = merchant("BBBBBBBBBBBBB");
        let now = Timestamp::from_unix(5);
        let token = issue(
            &key,
            &a,
            Environment::Sandbox,
            &SignIn::test_buyer(),
            &[],
            now,
        );
        let buyer = open(&key, &token, &a, Environment::Sandbox, now).unwrap();
        assert_eq!(buyer.name.as_deref(), Some("Test Buyer"));
        assert_eq!(buyer.email.as_deref(), Some("buyer@example.com"));
        assert_eq!(buyer.shipping_address, None, "no scope, no address");
        assert!(open(&key, &token, &b, Environment::Sandbox, now).is_none());
        assert!(open(&key, &token, &a, Environment::Live, now).is_none());
        let tampered = token.replacen("BT1-7b", "BT1-7c", 1);
        assert!(open(&key, &tampered, &a, Environment::Sandbox, now).is_none());
        assert!(open(&key, "nonsense", &a, Environment::Sandbox, now).is_none());
    }

    /// What the old check was: a SHA-256 over the public store id and the payload, which anyone
    /// who knows the store id can compute.
    fn forged(m: &Merchant, now: Timestamp) -> String {
        let payload = Payload {
            m: m.merchant_id.to_string(),
            e: "Sandbox".to_owned(),
            t: now.unix(),
            b: buyer_view(&SignIn::test_buyer(), &[]),
        };
        let json = serde_json::to_vec(&payload).unwrap();
        let mut h = Sha256::new();
        h.update(m.store_id.as_str().as_bytes());
        h.update(b"\n");
        h.update(&json);
        format!(
            "{PREFIX}{}-{}",
            hex::encode(&json),
            hex::encode(&h.finalize()[..16])
        )
    }

    #[test]
    fn a_token_made_from_public_ids_or_with_another_secret_does_not_open() {
        let key = Secret::generate();
        let a = merchant("AAAAAAAAAAAAA");
        let now = Timestamp::from_unix(5);
        let other = issue(
            &Secret::generate(),
            &a,
            Environment::Sandbox,
            &SignIn::test_buyer(),
            &[],
            now,
        );

        assert!(open(&key, &forged(&a, now), &a, Environment::Sandbox, now).is_none());
        assert!(open(&key, &other, &a, Environment::Sandbox, now).is_none());
    }

    #[test]
    fn a_token_expires_24_hours_after_it_was_issued() {
        let key = Secret::generate();
        let a = merchant("AAAAAAAAAAAAA");
        let issued = Timestamp::from_unix(1_700_000_000);
        let token = issue(
            &key,
            &a,
            Environment::Sandbox,
            &SignIn::test_buyer(),
            &[],
            issued,
        );
        let at = |t: Timestamp| open(&key, &token, &a, Environment::Sandbox, t);

        assert!(at(issued.plus(LIFETIME_SECS - 1)).is_some());
        assert!(at(issued.plus(LIFETIME_SECS)).is_none());
    }

    #[test]
    fn scopes_decide_the_fields_and_the_buyer_id_is_stable() {
        let view = buyer_view(
            &SignIn::test_buyer(),
            &[BuyerScope::ShippingAddress, BuyerScope::PostalCode],
        );
        assert_eq!(view.name, None);
        assert_eq!(view.postal_code.as_deref(), Some("98109"));
        assert!(view.shipping_address.is_some());
        assert_eq!(
            buyer_id_for("Buyer@Example.com"),
            buyer_id_for("buyer@example.com")
        );
    }
}
