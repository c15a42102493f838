//! The test buyers of the hosted sign-in page, their address books, the test instruments, and
//! the `deliverySpecifications` rules that decide which addresses a merchant ships to.
//!
//! Everything here is fixed data and pure functions, so the pages and their tests agree on what
//! a buyer can choose. The rules live below HTTP: the hosted pages render their answers, and the
//! same answers decide which address a buyer may pick.

use amzpay_emulator_core::checkout::Checkout;
use amzpay_emulator_core::input::SignIn;
use amzpay_emulator_core::model::{Address, Instrument, InstrumentBehaviour};
use amzpay_types::{AddressRestrictionType, DeliverySpecifications, SpecialRestriction};

/// A test buyer who can sign in on the hosted page.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TestBuyer {
    /// Stable key used in forms.
    pub(crate) key: &'static str,
    /// Full name.
    pub(crate) name: &'static str,
    /// Email (the buyer id stays the same while the email does).
    pub(crate) email: &'static str,
    /// Phone number.
    pub(crate) phone: &'static str,
    /// Address book; the first entry is the billing address.
    pub(crate) addresses: &'static [TestAddress],
}

/// One address in a test buyer's address book: fixed data (`const`, so no `String`) from which
/// the domain [`Address`] is built ([`TestAddress::to_address`]); every rule reads the domain value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TestAddress {
    /// Stable key used in forms (unique across all buyers).
    pub(crate) key: &'static str,
    pub(crate) name: &'static str,
    pub(crate) line1: &'static str,
    pub(crate) line2: Option<&'static str>,
    pub(crate) city: &'static str,
    pub(crate) state: Option<&'static str>,
    pub(crate) postal_code: &'static str,
    pub(crate) country: &'static str,
    pub(crate) phone: &'static str,
}

impl TestAddress {
    /// The domain address.
    pub(crate) fn to_address(self) -> Address {
        Address {
            name: Some(self.name.to_owned()),
            address_line1: Some(self.line1.to_owned()),
            address_line2: self.line2.map(str::to_owned),
            city: Some(self.city.to_owned()),
            state_or_region: self.state.map(str::to_owned),
            postal_code: Some(self.postal_code.to_owned()),
            country_code: Some(self.country.to_owned()),
            phone_number: Some(self.phone.to_owned()),
            ..Address::default()
        }
    }

    /// One line for the page, e.g. `410 Terry Ave N, Seattle, WA 98109, US`.
    pub(crate) fn one_line(&self) -> String {
        let mut parts = vec![self.line1.to_owned()];
        if let Some(l2) = self.line2 {
            parts.push(l2.to_owned());
        }
        parts.push(self.city.to_owned());
        match self.state {
            Some(s) => parts.push(format!("{s} {}", self.postal_code)),
            None => parts.push(self.postal_code.to_owned()),
        }
        parts.push(self.country.to_owned());
        parts.join(", ")
    }
}

const US_HOME: TestAddress = TestAddress {
    key: "us-seattle",
    name: "Test Buyer",
    line1: "410 Terry Ave N",
    line2: None,
    city: "Seattle",
    state: Some("WA"),
    postal_code: "98109",
    country: "US",
    phone: "800-000-0000",
};

/// The test buyers, in page order. The first is the default of the admin API as well.
pub(crate) const TEST_BUYERS: &[TestBuyer] = &[
    TestBuyer {
        key: "test-buyer",
        name: "Test Buyer",
        email: "buyer@example.com",
        phone: "800-000-0000",
        addresses: &[
            US_HOME,
            TestAddress {
                key: "us-office",
                name: "Test Buyer",
                line1: "1 Market St",
                line2: Some("Suite 300"),
                city: "San Francisco",
                state: Some("CA"),
                postal_code: "94105",
                country: "US",
                phone: "800-000-0000",
            },
            TestAddress {
                key: "us-po-box",
                name: "Test Buyer",
                line1: "PO Box 1234",
                line2: None,
                city: "Seattle",
                state: Some("WA"),
                postal_code: "98111",
                country: "US",
                phone: "800-000-0000",
            },
            TestAddress {
                key: "ca-toronto",
                name: "Test Buyer",
                line1: "100 Queen St W",
                line2: None,
                city: "Toronto",
                state: Some("ON"),
                postal_code: "M5H 2N2",
                country: "CA",
                phone: "800-000-0000",
            },
        ],
    },
    TestBuyer {
        key: "erika",
        name: "Erika Mustermann",
        email: "erika@example.de",
        phone: "+49 30 1234567",
        addresses: &[
            TestAddress {
                key: "de-berlin",
                name: "Erika Mustermann",
                line1: "Unter den Linden 1",
                line2: None,
                city: "Berlin",
                state: None,
                postal_code: "10117",
                country: "DE",
                phone: "+49 30 1234567",
            },
            TestAddress {
                key: "de-packstation",
                name: "Erika Mustermann",
                line1: "Packstation 123",
                line2: Some("Postnummer 12345678"),
                city: "Berlin",
                state: None,
                postal_code: "10115",
                country: "DE",
                phone: "+49 30 1234567",
            },
            TestAddress {
                key: "gb-london",
                name: "Erika Mustermann",
                line1: "10 Downing Street",
                line2: None,
                city: "London",
                state: None,
                postal_code: "SW1A 2AA",
                country: "GB",
                phone: "+44 20 7946 0000",
            },
        ],
    },
    TestBuyer {
        key: "taro",
        name: "Taro Yamada",
        email: "taro@example.jp",
        phone: "03-0000-0000",
        addresses: &[TestAddress {
            key: "jp-tokyo",
            name: "Taro Yamada",
            line1: "1-1 Chiyoda",
            line2: None,
            city: "Chiyoda-ku",
            state: Some("Tokyo"),
            postal_code: "100-0001",
            country: "JP",
            phone: "03-0000-0000",
        }],
    },
];

/// A test buyer by key.
pub(crate) fn buyer(key: &str) -> Option<&'static TestBuyer> {
    TEST_BUYERS.iter().find(|b| b.key == key)
}

/// The test buyer with this email, if the signed-in buyer is one of ours.
pub(crate) fn buyer_by_email(email: &str) -> Option<&'static TestBuyer> {
    TEST_BUYERS.iter().find(|b| b.email == email)
}

impl TestBuyer {
    /// An address of this buyer by key.
    pub(crate) fn address(&self, key: &str) -> Option<&'static TestAddress> {
        self.addresses.iter().find(|a| a.key == key)
    }

    /// The sign-in command for this buyer with a shipping address and an instrument.
    pub(crate) fn sign_in(&self, shipping: &TestAddress, instrument: Instrument) -> SignIn {
        SignIn {
            name: self.name.to_owned(),
            email: self.email.to_owned(),
            phone_number: Some(self.phone.to_owned()),
            shipping_address: shipping.to_address(),
            billing_address: self.addresses[0].to_address(),
            instrument: Some(instrument),
        }
    }
}

/// What a test instrument does, in words for the page.
pub(crate) fn outcome_text(b: InstrumentBehaviour) -> &'static str {
    match b {
        InstrumentBehaviour::Succeeds => "succeeds",
        InstrumentBehaviour::BuyerCancels => "buyer cancels on the payment page",
        InstrumentBehaviour::Declined => "declined",
        InstrumentBehaviour::PendingThenAuthorized => {
            "pending, then authorized after 30 s (needs canHandlePendingAuthorization)"
        }
        InstrumentBehaviour::PendingThenDeclined => {
            "pending, then declined after 30 s (needs canHandlePendingAuthorization)"
        }
    }
}

/// The card brand shown for a test card (cosmetic, but stable).
pub(crate) fn brand(last_four: &str) -> &'static str {
    match last_four {
        "0005" => "Amex",
        "4444" | "9424" => "Mastercard",
        "0000" => "Discover",
        _ => "Visa",
    }
}

/// Why an address cannot be chosen under a merchant's `deliverySpecifications`, if it cannot.
/// The session's `deliverySpecifications` as the merchant sent them (none: no restriction).
pub(crate) fn delivery_specifications(c: &Checkout) -> DeliverySpecifications {
    c.session
        .delivery_specifications
        .as_ref()
        .and_then(|d| serde_json::from_str(&d.0).ok())
        .unwrap_or_default()
}

/// Why the merchant does not ship to `a` under `spec`, or `None` when it does.
pub(crate) fn restriction(spec: &DeliverySpecifications, a: &Address) -> Option<String> {
    let country = a.country_code.as_deref().unwrap_or_default();
    let postal_code = a.postal_code.as_deref().unwrap_or_default();
    let lines = [a.address_line1.as_deref(), a.address_line2.as_deref()];
    let text = lines
        .iter()
        .flatten()
        .map(|l| l.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    for special in spec.special_restrictions.iter().flatten() {
        match special {
            SpecialRestriction::RestrictPoBoxes if is_po_box(&text, country) => {
                return Some("This merchant does not ship to PO boxes.".to_owned());
            }
            SpecialRestriction::RestrictPackstations
                if country == "DE" && text.contains("packstation") =>
            {
                return Some("This merchant does not ship to Packstations.".to_owned());
            }
            _ => {}
        }
    }
    let restrictions = spec.address_restrictions.as_ref()?;
    let rules = restrictions.restrictions.as_ref();
    let matches = rules
        .and_then(|r| r.iter().find(|(c, _)| c.eq_ignore_ascii_case(country)))
        .is_some_and(|(_, rule)| {
            let states = rule.states_or_regions.as_deref().unwrap_or_default();
            let zips = rule.zip_codes.as_deref().unwrap_or_default();
            if states.is_empty() && zips.is_empty() {
                return true;
            }
            let state_hit = a
                .state_or_region
                .as_deref()
                .is_some_and(|s| states.iter().any(|x| x.eq_ignore_ascii_case(s)));
            let zip_hit = zips.iter().any(|z| z.eq_ignore_ascii_case(postal_code));
            state_hit || zip_hit
        });
    let restricted = match restrictions.restriction_type {
        Some(AddressRestrictionType::Allowed) => !matches,
        Some(AddressRestrictionType::NotAllowed) => matches,
        _ => false,
    };
    restricted.then(|| "This merchant does not ship to this address.".to_owned())
}

/// Countries where Amazon flags PO boxes (spec §2.10).
const PO_BOX_COUNTRIES: &[&str] = &["US", "CA", "GB", "FR", "DE", "ES", "PT", "IT", "AU"];

fn is_po_box(lower_lines: &str, country: &str) -> bool {
    if !PO_BOX_COUNTRIES.contains(&country) {
        return false;
    }
    let compact: String = lower_lines
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || c.is_whitespace())
        .collect();
    compact.contains("po box")
        || compact.contains("p o box")
        || compact.contains("post office box")
        || compact.contains("postfach")
}

/// The test cards in page order: (last four, what it does).
pub(crate) fn test_cards() -> impl Iterator<Item = (&'static str, InstrumentBehaviour)> {
    Instrument::TEST_CARDS.iter().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> DeliverySpecifications {
        serde_json::from_value(json).unwrap()
    }

    fn addr(key: &str) -> Address {
        TEST_BUYERS
            .iter()
            .flat_map(|b| b.addresses.iter())
            .find(|a| a.key == key)
            .unwrap()
            .to_address()
    }

    #[test]
    fn address_keys_are_unique_across_buyers() {
        let mut keys: Vec<&str> = TEST_BUYERS
            .iter()
            .flat_map(|b| b.addresses.iter().map(|a| a.key))
            .collect();
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }

    #[test]
    fn po_boxes_and_packstations_are_restricted_only_when_asked() {
        let none = DeliverySpecifications::default();
        assert_eq!(restriction(&none, &addr("us-po-box")), None);
        let s = spec(serde_json::json!({"specialRestrictions": ["RestrictPOBoxes"]}));
        assert!(restriction(&s, &addr("us-po-box")).is_some());
        assert_eq!(restriction(&s, &addr("us-seattle")), None);
        assert_eq!(restriction(&s, &addr("de-packstation")), None);
        let s = spec(serde_json::json!({"specialRestrictions": ["RestrictPackstations"]}));
        assert!(restriction(&s, &addr("de-packstation")).is_some());
        assert_eq!(restriction(&s, &addr("us-po-box")), None);
    }

    #[test]
    fn allowed_lists_restrict_everything_else_and_not_allowed_lists_restrict_matches() {
        let allowed = spec(serde_json::json!({"addressRestrictions": {
            "type": "Allowed", "restrictions": {"US": {"statesOrRegions": ["WA"]}}}}));
        assert_eq!(restriction(&allowed, &addr("us-seattle")), None);
        assert!(restriction(&allowed, &addr("us-office")).is_some());
        assert!(restriction(&allowed, &addr("ca-toronto")).is_some());
        let not_allowed = spec(serde_json::json!({"addressRestrictions": {
            "type": "NotAllowed", "restrictions": {"CA": {}, "US": {"zipCodes": ["94105"]}}}}));
        assert!(restriction(&not_allowed, &addr("ca-toronto")).is_some());
        assert!(restriction(&not_allowed, &addr("us-office")).is_some());
        assert_eq!(restriction(&not_allowed, &addr("us-seattle")), None);
    }
}
