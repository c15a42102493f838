//! The buyer's side of a checkout: what a person does on Amazon's hosted pages, as direct calls
//! of the admin API's buyer actions.

use amzpay_emulator::admin_api::{AddressInput, BuyerActionResult, ChooseBody, SignInBody};

use crate::Error;
use crate::admin::Admin;

/// A sandbox test instrument: what happens when the buyer pays with it (Amazon's sandbox test
/// cards; the emulator's `docs/simulation.md` lists them).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Instrument {
    /// Authorizes (card ending 1111).
    Success,
    /// The buyer cancels on Amazon's page: the session is `Canceled` with `BuyerCanceled`.
    BuyerCancels,
    /// Declined on Amazon's page: the session is `Canceled` with `Declined`.
    Declined,
    /// The authorization is pending, then `Authorized` 30 virtual seconds later (needs
    /// `canHandlePendingAuthorization`).
    PendingThenAuthorized,
    /// The authorization is pending, then `Declined` 30 virtual seconds later.
    PendingThenDeclined,
    /// A test card by its last four digits (`"0005"`, `"3434"`, ...).
    Card(String),
}

impl Instrument {
    /// The name the admin API takes.
    fn as_admin(&self) -> &str {
        match self {
            Instrument::Success => "success",
            Instrument::BuyerCancels => "buyer-cancels",
            Instrument::Declined => "declined",
            Instrument::PendingThenAuthorized => "pending-then-authorized",
            Instrument::PendingThenDeclined => "pending-then-declined",
            Instrument::Card(last_four) => last_four,
        }
    }
}

/// The buyer of one Checkout Session.
#[derive(Debug)]
pub struct Buyer<'e> {
    admin: &'e Admin,
    session: String,
}

impl<'e> Buyer<'e> {
    pub(crate) fn new(admin: &'e Admin, session: &str) -> Buyer<'e> {
        Buyer {
            admin,
            session: session.to_owned(),
        }
    }

    /// Signs in on the hosted page as the default test buyer and picks `instrument`; the session
    /// gets its buyer, addresses and payment descriptor, as after the Amazon Pay button.
    pub async fn sign_in(&self, instrument: Instrument) -> Result<BuyerActionResult, Error> {
        self.sign_in_as(SignInBody {
            instrument: Some(instrument.as_admin().to_owned()),
            ..Default::default()
        })
        .await
    }

    /// Signs in with every detail given (name, email, phone, addresses, instrument).
    pub async fn sign_in_as(&self, body: SignInBody) -> Result<BuyerActionResult, Error> {
        self.act("sign-in", &body).await
    }

    /// Changes the payment instrument (the buyer's "Change" link on the review page).
    pub async fn choose(&self, instrument: Instrument) -> Result<BuyerActionResult, Error> {
        self.act(
            "choose",
            &ChooseBody {
                instrument: Some(instrument.as_admin().to_owned()),
                shipping_address: None,
            },
        )
        .await
    }

    /// Changes the shipping address.
    pub async fn ship_to(&self, address: AddressInput) -> Result<BuyerActionResult, Error> {
        self.act(
            "choose",
            &ChooseBody {
                instrument: None,
                shipping_address: Some(address),
            },
        )
        .await
    }

    /// The payment step behind `amazonPayRedirectUrl`: the chosen instrument authorizes (or
    /// declines, or cancels) and the buyer is sent to `checkoutResultReturnUrl`.
    pub async fn pay(&self) -> Result<BuyerActionResult, Error> {
        self.act("pay", &serde_json::json!({})).await
    }

    /// The buyer cancels on Amazon's page.
    pub async fn cancel(&self) -> Result<BuyerActionResult, Error> {
        self.act("cancel", &serde_json::json!({})).await
    }

    async fn act(
        &self,
        action: &str,
        body: &impl serde::Serialize,
    ) -> Result<BuyerActionResult, Error> {
        self.admin
            .post(
                &format!("/__admin/checkoutSessions/{}/{action}", self.session),
                body,
            )
            .await
    }
}
