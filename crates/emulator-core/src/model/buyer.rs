//! The buyer: who signs in, their addresses, and the test instruments they choose.

use crate::ids::BuyerId;

/// A postal address (all fields optional, as on the wire).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Address {
    /// `name`.
    pub name: Option<String>,
    /// `addressLine1`.
    pub address_line1: Option<String>,
    /// `addressLine2`.
    pub address_line2: Option<String>,
    /// `addressLine3`.
    pub address_line3: Option<String>,
    /// `city`.
    pub city: Option<String>,
    /// `county`.
    pub county: Option<String>,
    /// `district`.
    pub district: Option<String>,
    /// `stateOrRegion`.
    pub state_or_region: Option<String>,
    /// `postalCode`.
    pub postal_code: Option<String>,
    /// `countryCode`.
    pub country_code: Option<String>,
    /// `phoneNumber`.
    pub phone_number: Option<String>,
}

/// The signed-in buyer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Buyer {
    /// `buyerId`.
    pub buyer_id: BuyerId,
    /// `name`.
    pub name: String,
    /// `email`.
    pub email: String,
    /// `phoneNumber`.
    pub phone_number: Option<String>,
}

/// What a test instrument does when the payment step runs (design.md §4, spec §9.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstrumentBehaviour {
    /// Authorizes (or confirms) successfully.
    Succeeds,
    /// The buyer cancels on the hosted page: session `Canceled`/`BuyerCanceled`.
    BuyerCancels,
    /// Declined on the hosted page: session `Canceled`/`Declined`.
    Declined,
    /// Authorization pending, then `Authorized` after 30 s.
    PendingThenAuthorized,
    /// Authorization pending, then `Declined`/`HardDeclined` after 30 s.
    PendingThenDeclined,
}

impl InstrumentBehaviour {
    /// The outcome name used by the admin API and CLI.
    pub fn name(self) -> &'static str {
        match self {
            InstrumentBehaviour::Succeeds => "success",
            InstrumentBehaviour::BuyerCancels => "buyer-cancels",
            InstrumentBehaviour::Declined => "declined",
            InstrumentBehaviour::PendingThenAuthorized => "pending-then-authorized",
            InstrumentBehaviour::PendingThenDeclined => "pending-then-declined",
        }
    }

    /// The last four digits of the default test card with this behaviour.
    pub fn default_last_four(self) -> &'static str {
        match self {
            InstrumentBehaviour::Succeeds => "1111",
            InstrumentBehaviour::BuyerCancels => "3064",
            InstrumentBehaviour::Declined => "3434",
            InstrumentBehaviour::PendingThenAuthorized => "0701",
            InstrumentBehaviour::PendingThenDeclined => "4354",
        }
    }
}

/// A test payment instrument chosen by the buyer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instrument {
    last_four: String,
    behaviour: InstrumentBehaviour,
}

impl Instrument {
    /// The test cards of spec §9.1, by last four digits.
    pub const TEST_CARDS: &'static [(&'static str, InstrumentBehaviour)] = &[
        ("1111", InstrumentBehaviour::Succeeds),
        ("0005", InstrumentBehaviour::Succeeds),
        ("4444", InstrumentBehaviour::Succeeds),
        ("9424", InstrumentBehaviour::Succeeds),
        ("0000", InstrumentBehaviour::Succeeds),
        ("3064", InstrumentBehaviour::BuyerCancels),
        ("3434", InstrumentBehaviour::Declined),
        ("0701", InstrumentBehaviour::PendingThenAuthorized),
        ("4354", InstrumentBehaviour::PendingThenDeclined),
    ];

    /// Parses a test card's last four digits or an outcome name (`success`, `buyer-cancels`,
    /// `declined`, `pending-then-authorized`, `pending-then-declined`).
    pub fn parse(s: &str) -> Option<Instrument> {
        let s = s.trim();
        if let Some((four, behaviour)) = Instrument::TEST_CARDS.iter().find(|(f, _)| *f == s) {
            return Some(Instrument {
                last_four: (*four).to_owned(),
                behaviour: *behaviour,
            });
        }
        let behaviour = [
            InstrumentBehaviour::Succeeds,
            InstrumentBehaviour::BuyerCancels,
            InstrumentBehaviour::Declined,
            InstrumentBehaviour::PendingThenAuthorized,
            InstrumentBehaviour::PendingThenDeclined,
        ]
        .into_iter()
        .find(|b| b.name().eq_ignore_ascii_case(s))?;
        Some(Instrument::with_behaviour(behaviour))
    }

    /// The default card with a behaviour.
    pub fn with_behaviour(behaviour: InstrumentBehaviour) -> Instrument {
        Instrument {
            last_four: behaviour.default_last_four().to_owned(),
            behaviour,
        }
    }

    /// The last four digits.
    pub fn last_four(&self) -> &str {
        &self.last_four
    }

    /// What the payment step does with it.
    pub fn behaviour(&self) -> InstrumentBehaviour {
        self.behaviour
    }

    /// `paymentPreferences[].paymentDescriptor`.
    pub fn descriptor(&self) -> String {
        format!("Visa ****{}", self.last_four)
    }
}

/// The buyer's sign-in and selections on the hosted pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuyerSelection {
    /// Who signed in.
    pub buyer: Buyer,
    /// The chosen shipping address (`None` for `PayOnly`).
    pub shipping_address: Option<Address>,
    /// The instrument's billing address.
    pub billing_address: Option<Address>,
    /// The chosen instrument.
    pub instrument: Instrument,
}
