//! [`Buyer`]: the response of Get Buyer.

use serde::{Deserialize, Serialize};

use crate::common::Address;
use crate::ids::BuyerId;

/// The response of Get Buyer (spec §2.18). Every field is written, `null` when unset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Buyer {
    /// `buyerId`: always returned.
    pub buyer_id: BuyerId,
    /// `name`.
    pub name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `postalCode`.
    pub postal_code: Option<String>,
    /// `countryCode`.
    pub country_code: Option<String>,
    /// `phoneNumber`.
    pub phone_number: Option<String>,
    /// `shippingAddress`.
    pub shipping_address: Option<Address>,
    /// `billingAddress`.
    pub billing_address: Option<Address>,
    /// `primeMembershipTypes`: null when not allow-listed, `[]` when none.
    pub prime_membership_types: Option<Vec<String>>,
}
