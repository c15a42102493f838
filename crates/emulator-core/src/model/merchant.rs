//! Merchants, their keys, and the region and environment they belong to.

use crate::clock::{Timestamp, VirtualClock};
use crate::ids::{MerchantId, PublicKeyId, StoreId};
use crate::money::Currency;

str_enum! {
    /// Amazon Pay region (spec §1.1).
    pub enum Region { Na = "na", Eu = "eu", Jp = "jp", }
}

impl Region {
    /// Parses a region code or alias, case-insensitively: `na`/`us`, `eu`/`de`/`uk`, `jp`.
    pub fn parse_alias(s: &str) -> Option<Region> {
        match s.to_ascii_lowercase().as_str() {
            "na" | "us" => Some(Region::Na),
            "eu" | "de" | "uk" => Some(Region::Eu),
            "jp" => Some(Region::Jp),
            _ => None,
        }
    }

    /// The currencies a Checkout Session may be priced in (ledger plus presentment currencies).
    pub fn allows_currency(self, currency: Currency) -> bool {
        match self {
            Region::Na => currency == Currency::Usd,
            Region::Eu => true,
            Region::Jp => currency == Currency::Jpy,
        }
    }

    /// The ledger currency a new merchant gets by default.
    pub fn default_currency(self) -> Currency {
        match self {
            Region::Na => Currency::Usd,
            Region::Eu => Currency::Eur,
            Region::Jp => Currency::Jpy,
        }
    }
}

str_enum! {
    /// Sandbox or live.
    pub enum Environment { Sandbox = "sandbox", Live = "live", }
}

impl Environment {
    /// `releaseEnvironment` on the wire.
    pub fn release_environment(self) -> &'static str {
        match self {
            Environment::Sandbox => "Sandbox",
            Environment::Live => "Live",
        }
    }
}

/// A merchant account of the emulator with its virtual clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merchant {
    /// The merchant id.
    pub merchant_id: MerchantId,
    /// The one store of the merchant.
    pub store_id: StoreId,
    /// The region (decides currencies and id digits).
    pub region: Region,
    /// Sandbox or live.
    pub environment: Environment,
    /// The merchant's virtual clock.
    pub clock: VirtualClock,
    /// When the merchant was created (real time).
    pub created_at: Timestamp,
}

/// A public key registered for a merchant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantKey {
    /// The key id clients put in `PublicKeyId=`.
    pub public_key_id: PublicKeyId,
    /// The owner.
    pub merchant_id: MerchantId,
    /// The SPKI (`BEGIN PUBLIC KEY`) PEM.
    pub public_key_pem: String,
}
