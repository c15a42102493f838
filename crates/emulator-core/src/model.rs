//! The emulator's objects: merchants, Checkout Sessions, Charge Permissions, Charges, Refunds.
//!
//! States are enums with the state-specific data inside the variants. Wire vocabularies
//! (`"Open"`, `"BuyerCanceled"`, ...) are produced by the `as_str` methods at the edge.

use crate::clock::{Timestamp, VirtualClock};
use crate::ids::{
    BuyerId, ChargeId, ChargePermissionId, CheckoutSessionId, MerchantId, PublicKeyId, RefundId,
    StoreId,
};
use crate::money::{Currency, Money};

macro_rules! str_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* #[doc = concat!("`", $wire, "`")] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire (and storage) string.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }

            /// Parses the exact wire string.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

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

str_enum! {
    /// `productType`.
    pub enum ProductType { PayAndShip = "PayAndShip", PayOnly = "PayOnly", }
}

str_enum! {
    /// `paymentDetails.paymentIntent`.
    pub enum PaymentIntent { Confirm = "Confirm", Authorize = "Authorize", AuthorizeWithCapture = "AuthorizeWithCapture", }
}

str_enum! {
    /// `chargePermissionType`.
    pub enum ChargePermissionType { OneTime = "OneTime", Recurring = "Recurring", PaymentMethodOnFile = "PaymentMethodOnFile", }
}

str_enum! {
    /// `webCheckoutDetails.checkoutMode`.
    pub enum CheckoutMode { ProcessOrder = "ProcessOrder", }
}

str_enum! {
    /// `recurringMetadata.frequency.unit`.
    pub enum FrequencyUnit { Year = "Year", Month = "Month", Week = "Week", Day = "Day", Variable = "Variable", }
}

str_enum! {
    /// Buyer data scopes of Create Checkout Session.
    pub enum BuyerScope {
        Name = "name", Email = "email", PostalCode = "postalCode", ShippingAddress = "shippingAddress",
        PhoneNumber = "phoneNumber", PrimeStatus = "primeStatus", BillingAddress = "billingAddress",
    }
}

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

/// `merchantMetadata`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MerchantMetadata {
    /// `merchantReferenceId` (≤ 256).
    pub merchant_reference_id: Option<String>,
    /// `merchantStoreName` (≤ 50).
    pub merchant_store_name: Option<String>,
    /// `noteToBuyer` (≤ 255).
    pub note_to_buyer: Option<String>,
    /// `customInformation` (≤ 4096).
    pub custom_information: Option<String>,
}

/// `webCheckoutDetails` as the merchant set it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebCheckoutDetails {
    /// `checkoutReviewReturnUrl`.
    pub checkout_review_return_url: Option<String>,
    /// `checkoutResultReturnUrl`.
    pub checkout_result_return_url: Option<String>,
    /// `checkoutCancelUrl`.
    pub checkout_cancel_url: Option<String>,
    /// `checkoutMode`.
    pub checkout_mode: Option<CheckoutMode>,
}

impl WebCheckoutDetails {
    /// Where a buyer who leaves Amazon's pages without paying goes: `checkoutCancelUrl`, else
    /// back to the merchant's review page (`checkoutReviewReturnUrl`).
    pub fn cancel_target(&self) -> Option<&str> {
        self.checkout_cancel_url
            .as_deref()
            .or(self.checkout_review_return_url.as_deref())
    }
}

/// `paymentDetails`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentDetails {
    /// `paymentIntent`.
    pub payment_intent: Option<PaymentIntent>,
    /// `canHandlePendingAuthorization` (default false).
    pub can_handle_pending_authorization: bool,
    /// `chargeAmount`.
    pub charge_amount: Option<Money>,
    /// `totalOrderAmount`.
    pub total_order_amount: Option<Money>,
    /// `presentmentCurrency`.
    pub presentment_currency: Option<Currency>,
    /// `softDescriptor` (≤ 16, only with `AuthorizeWithCapture`).
    pub soft_descriptor: Option<String>,
    /// `allowOvercharge` (creation only).
    pub allow_overcharge: Option<bool>,
    /// `extendExpiration` (creation only).
    pub extend_expiration: Option<bool>,
}

/// `recurringMetadata.frequency`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frequency {
    /// `unit`.
    pub unit: FrequencyUnit,
    /// `value` (kept as the decimal string; the wire sends strings or numbers).
    pub value: String,
}

/// `recurringMetadata`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecurringMetadata {
    /// `frequency`.
    pub frequency: Option<Frequency>,
    /// `amount`.
    pub amount: Option<Money>,
}

/// A JSON value the emulator stores and echoes without interpreting it (e.g.
/// `deliverySpecifications`), kept as its compact JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpaqueJson(pub String);

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

/// What the payment step (the page behind `amazonPayRedirectUrl`) left behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentStep {
    /// The buyer has not been through the payment step (or the merchant changed the payment
    /// details afterwards, which requires a new one).
    NotRun,
    /// The payment step ran and the session can be completed.
    Ran {
        /// When.
        at: Timestamp,
        /// The authorization it made.
        authorization: StepAuthorization,
    },
}

/// The authorization the payment step made, which Complete turns into a Charge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepAuthorization {
    /// `Confirm`: nothing was authorized.
    NotNeeded,
    /// Authorized synchronously.
    Approved,
    /// Pending; the Charge will start in `AuthorizationInitiated` and resolve after 30 s.
    Pending {
        /// How it will resolve.
        resolves_to: PendingResolution,
    },
    /// Canceled because the session expired before Complete.
    Canceled,
}

/// How a pending authorization resolves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PendingResolution {
    /// Becomes `Authorized` (or `Captured` for a charge created with `captureNow`).
    Authorized,
    /// Becomes `Declined`/`HardDeclined`.
    HardDeclined,
    /// Becomes `Declined`/`SoftDeclined`.
    SoftDeclined,
    /// Becomes `Declined`/`TransactionTimedOut`.
    TransactionTimedOut,
}

str_enum! {
    /// Why a Checkout Session is `Canceled`.
    pub enum SessionCancelReason {
        BuyerCanceled = "BuyerCanceled", Declined = "Declined", AmazonCanceled = "AmazonCanceled", Expired = "Expired",
    }
}

/// The Checkout Session state (spec §3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// `Open`.
    Open,
    /// `Completed` by Complete or Finalize.
    Completed {
        /// When.
        at: Timestamp,
    },
    /// `Canceled`.
    Canceled {
        /// When.
        at: Timestamp,
        /// Why.
        reason: SessionCancelReason,
    },
}

impl SessionState {
    /// `statusDetails.state`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SessionState::Open => "Open",
            SessionState::Completed { .. } => "Completed",
            SessionState::Canceled { .. } => "Canceled",
        }
    }
}

/// A Checkout Session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutSession {
    /// `checkoutSessionId`.
    pub id: CheckoutSessionId,
    /// `storeId`.
    pub store_id: StoreId,
    /// `webCheckoutDetails` (without the computed `amazonPayRedirectUrl`).
    pub web_checkout_details: WebCheckoutDetails,
    /// `productType`.
    pub product_type: ProductType,
    /// `paymentDetails`.
    pub payment_details: PaymentDetails,
    /// `chargePermissionType`.
    pub charge_permission_type: ChargePermissionType,
    /// `recurringMetadata`.
    pub recurring_metadata: Option<RecurringMetadata>,
    /// `paymentMethodOnFileMetadata.setupOnly`.
    pub setup_only: Option<bool>,
    /// `merchantMetadata`.
    pub merchant_metadata: MerchantMetadata,
    /// `supplementaryData`.
    pub supplementary_data: Option<String>,
    /// `platformId`.
    pub platform_id: Option<String>,
    /// `providerMetadata.providerReferenceId`.
    pub provider_reference_id: Option<String>,
    /// `deliverySpecifications`, echoed.
    pub delivery_specifications: Option<OpaqueJson>,
    /// `scopes` requested at creation.
    pub scopes: Option<Vec<BuyerScope>>,
    /// `addressDetails` (APB `ProcessOrder` with `PayAndShip`).
    pub address_details: Option<Address>,
    /// The buyer's sign-in and selections, once signed in.
    pub buyer: Option<BuyerSelection>,
    /// The payment step's result.
    pub payment_step: PaymentStep,
    /// The state.
    pub state: SessionState,
    /// `creationTimestamp`.
    pub created_at: Timestamp,
    /// `statusDetails.lastUpdatedTimestamp`.
    pub updated_at: Timestamp,
}

str_enum! {
    /// Why a Charge Permission is `NonChargeable`.
    pub enum NonChargeableReason {
        PaymentMethodInvalid = "PaymentMethodInvalid", PaymentMethodDeleted = "PaymentMethodDeleted",
        BillingAddressDeleted = "BillingAddressDeleted", PaymentMethodExpired = "PaymentMethodExpired",
        PaymentMethodNotAllowed = "PaymentMethodNotAllowed", PaymentMethodNotSet = "PaymentMethodNotSet",
        ChargeInProgress = "ChargeInProgress", MfaFailed = "MFAFailed",
    }
}

impl NonChargeableReason {
    /// The `reasonDescription` Amazon returns with the reason.
    pub fn description(self) -> &'static str {
        match self {
            NonChargeableReason::ChargeInProgress => {
                "A charge is already in progress. You cannot initiate a new charge unless previous charge is canceled."
            }
            NonChargeableReason::PaymentMethodInvalid => {
                "The previous charge was declined. Ask the buyer to update the payment method."
            }
            NonChargeableReason::PaymentMethodDeleted => {
                "The buyer has deleted the selected payment method."
            }
            NonChargeableReason::BillingAddressDeleted => {
                "The buyer has deleted the billing address of the selected payment method."
            }
            NonChargeableReason::PaymentMethodExpired => "The selected payment method has expired.",
            NonChargeableReason::PaymentMethodNotAllowed => {
                "The payment method selected by the buyer is not allowed for this Charge Permission."
            }
            NonChargeableReason::PaymentMethodNotSet => {
                "There is no payment method associated with charge permission."
            }
            NonChargeableReason::MfaFailed => {
                "Buyer did not verify the transaction. Charge cannot be initiated unless buyer verifies the amount on the transaction."
            }
        }
    }
}

str_enum! {
    /// Why a Charge Permission is `Closed`.
    pub enum PermissionClosedReason {
        MerchantClosed = "MerchantClosed", BuyerClosed = "BuyerClosed", AmazonCanceled = "AmazonCanceled",
        AmazonClosed = "AmazonClosed", Expired = "Expired",
    }
}

/// The Charge Permission state (spec §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PermissionState {
    /// `Chargeable`.
    Chargeable,
    /// `NonChargeable` with one or more reasons.
    NonChargeable(Vec<NonChargeableReason>),
    /// `Closed`.
    Closed(PermissionClosedReason),
}

impl PermissionState {
    /// `statusDetails.state`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PermissionState::Chargeable => "Chargeable",
            PermissionState::NonChargeable(_) => "NonChargeable",
            PermissionState::Closed(_) => "Closed",
        }
    }
}

/// A Charge Permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargePermission {
    /// `chargePermissionId`.
    pub id: ChargePermissionId,
    /// `chargePermissionType`.
    pub charge_permission_type: ChargePermissionType,
    /// `buyer`.
    pub buyer: Option<Buyer>,
    /// `shippingAddress`.
    pub shipping_address: Option<Address>,
    /// `billingAddress`.
    pub billing_address: Option<Address>,
    /// `paymentPreferences[0].paymentDescriptor`.
    pub payment_descriptor: Option<String>,
    /// The state.
    pub state: PermissionState,
    /// `merchantMetadata`.
    pub merchant_metadata: MerchantMetadata,
    /// `platformId`.
    pub platform_id: Option<String>,
    /// `limits.amountLimit` (`None` for Recurring and PaymentMethodOnFile).
    pub amount_limit: Option<Money>,
    /// `recurringMetadata`.
    pub recurring_metadata: Option<RecurringMetadata>,
    /// `presentmentCurrency`.
    pub presentment_currency: Currency,
    /// `paymentMethodOnFileMetadata.setupOnly`.
    pub setup_only: Option<bool>,
    /// `creationTimestamp`.
    pub created_at: Timestamp,
    /// `statusDetails.lastUpdatedTimestamp`.
    pub updated_at: Timestamp,
    /// `expirationTimestamp`.
    pub expires_at: Option<Timestamp>,
    /// A problem with the buyer's instrument that keeps the permission `NonChargeable` until the
    /// buyer fixes it (a hard decline, a deleted or expired instrument, failed MFA, ...).
    pub instrument_issue: Option<NonChargeableReason>,
    /// The `closureReason` of Close Charge Permission.
    pub closure_reason: Option<String>,
}

str_enum! {
    /// `chargeInitiator` of Create Charge.
    pub enum ChargeInitiator { Citu = "CITU", Mitu = "MITU", Citr = "CITR", Mitr = "MITR", }
}

str_enum! {
    /// `channel` of Create Charge.
    pub enum Channel {
        Web = "Web", Phone = "Phone", App = "App", Alexa = "Alexa", PointOfSale = "PointOfSale",
        FireTv = "FireTv", Offline = "Offline", Amazon = "Amazon",
    }
}

str_enum! {
    /// Why a Charge is `Canceled`.
    pub enum ChargeCanceledReason {
        ExpiredUnused = "ExpiredUnused", AmazonCanceled = "AmazonCanceled", MerchantCanceled = "MerchantCanceled",
        ChargePermissionCanceled = "ChargePermissionCanceled", BuyerCanceled = "BuyerCanceled",
    }
}

str_enum! {
    /// Why a Charge is `Declined`.
    pub enum ChargeDeclinedReason {
        SoftDeclined = "SoftDeclined", HardDeclined = "HardDeclined", AmazonRejected = "AmazonRejected",
        ProcessingFailure = "ProcessingFailure", TransactionTimedOut = "TransactionTimedOut",
    }
}

/// How an asynchronous capture completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureResolution {
    /// Becomes `Captured`.
    Captured,
    /// Becomes `Declined` with the reason.
    Declined(ChargeDeclinedReason),
}

/// The Charge state (spec §3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeState {
    /// `AuthorizationInitiated`, resolving at `resolves_at`.
    AuthorizationInitiated {
        /// When the pending authorization resolves.
        resolves_at: Timestamp,
        /// How.
        resolves_to: PendingResolution,
    },
    /// `Authorized`.
    Authorized,
    /// `CaptureInitiated`: an asynchronous capture of `amount`, resolving at `resolves_at`.
    CaptureInitiated {
        /// When the capture completes.
        resolves_at: Timestamp,
        /// The amount being captured.
        amount: Money,
        /// How it completes.
        resolves_to: CaptureResolution,
    },
    /// `Captured`.
    Captured,
    /// `Canceled`.
    Canceled(ChargeCanceledReason),
    /// `Declined`.
    Declined(ChargeDeclinedReason),
}

impl ChargeState {
    /// `statusDetails.state`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChargeState::AuthorizationInitiated { .. } => "AuthorizationInitiated",
            ChargeState::Authorized => "Authorized",
            ChargeState::CaptureInitiated { .. } => "CaptureInitiated",
            ChargeState::Captured => "Captured",
            ChargeState::Canceled(_) => "Canceled",
            ChargeState::Declined(_) => "Declined",
        }
    }

    /// `statusDetails.reasonCode`.
    pub fn reason_code(&self) -> Option<&'static str> {
        match self {
            ChargeState::Canceled(r) => Some(r.as_str()),
            ChargeState::Declined(r) => Some(r.as_str()),
            _ => None,
        }
    }

    /// Whether the charge still holds (or has taken) money from the permission's balance.
    pub fn holds_funds(&self) -> bool {
        !matches!(self, ChargeState::Canceled(_) | ChargeState::Declined(_))
    }

    /// Whether the authorization is still open (not captured, canceled or declined).
    pub fn is_open_authorization(&self) -> bool {
        matches!(
            self,
            ChargeState::AuthorizationInitiated { .. } | ChargeState::Authorized
        )
    }

    /// Whether the charge keeps its permission `NonChargeable`/`ChargeInProgress`: its
    /// authorization is open or its capture has not completed.
    pub fn in_progress(&self) -> bool {
        self.is_open_authorization() || matches!(self, ChargeState::CaptureInitiated { .. })
    }
}

impl Charge {
    /// What the charge takes from its permission's balance: the charge amount while authorized,
    /// the amount being captured, the captured amount, or nothing once canceled or declined.
    pub fn held_amount(&self) -> Money {
        match &self.state {
            ChargeState::AuthorizationInitiated { .. } | ChargeState::Authorized => {
                self.charge_amount
            }
            ChargeState::CaptureInitiated { amount, .. } => *amount,
            ChargeState::Captured => self.capture_amount.unwrap_or(self.charge_amount),
            ChargeState::Canceled(_) | ChargeState::Declined(_) => {
                Money::zero(self.charge_amount.currency())
            }
        }
    }
}

/// A Charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charge {
    /// `chargeId`.
    pub id: ChargeId,
    /// `chargePermissionId`.
    pub charge_permission_id: ChargePermissionId,
    /// `chargeAmount`.
    pub charge_amount: Money,
    /// `captureAmount` (total captured).
    pub capture_amount: Option<Money>,
    /// `refundedAmount` (total refunded).
    pub refunded_amount: Option<Money>,
    /// `softDescriptor`.
    pub soft_descriptor: Option<String>,
    /// `providerMetadata.providerReferenceId`.
    pub provider_reference_id: Option<String>,
    /// `merchantMetadata`.
    pub merchant_metadata: MerchantMetadata,
    /// `platformId`.
    pub platform_id: Option<String>,
    /// `canHandlePendingAuthorization` of the request that created it.
    pub can_handle_pending_authorization: bool,
    /// `captureNow` of the request that created it (a pending authorization then ends
    /// `Captured`).
    pub capture_now: bool,
    /// `chargeInitiator`.
    pub charge_initiator: Option<ChargeInitiator>,
    /// `channel`.
    pub channel: Option<Channel>,
    /// When the authorization succeeded (the 7-day synchronous capture window starts here).
    pub authorized_at: Option<Timestamp>,
    /// `cancellationReason` of Cancel Charge.
    pub cancellation_reason: Option<String>,
    /// The state.
    pub state: ChargeState,
    /// `creationTimestamp`.
    pub created_at: Timestamp,
    /// `statusDetails.lastUpdatedTimestamp`.
    pub updated_at: Timestamp,
    /// `expirationTimestamp` (authorization expiry, 30 days).
    pub expires_at: Timestamp,
}

str_enum! {
    /// Why a Refund is `Declined`.
    pub enum RefundDeclinedReason { AmazonRejected = "AmazonRejected", ProcessingFailure = "ProcessingFailure", }
}

/// How a refund completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundResolution {
    /// Becomes `Refunded`.
    Refunded,
    /// Becomes `Declined` with the reason.
    Declined(RefundDeclinedReason),
}

/// The Refund state (spec §3.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundState {
    /// `RefundInitiated`, resolving at `resolves_at`.
    RefundInitiated {
        /// When the refund completes.
        resolves_at: Timestamp,
        /// How.
        resolves_to: RefundResolution,
    },
    /// `Refunded`.
    Refunded,
    /// `Declined`.
    Declined(RefundDeclinedReason),
}

impl RefundState {
    /// `statusDetails.state`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RefundState::RefundInitiated { .. } => "RefundInitiated",
            RefundState::Refunded => "Refunded",
            RefundState::Declined(_) => "Declined",
        }
    }

    /// `statusDetails.reasonCode`.
    pub fn reason_code(&self) -> Option<&'static str> {
        match self {
            RefundState::Declined(r) => Some(r.as_str()),
            _ => None,
        }
    }

    /// Whether the refund counts against the charge's refundable amount (not declined).
    pub fn counts(&self) -> bool {
        !matches!(self, RefundState::Declined(_))
    }
}

/// A Refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    /// `refundId`.
    pub id: RefundId,
    /// `chargeId`.
    pub charge_id: ChargeId,
    /// `refundAmount`.
    pub refund_amount: Money,
    /// `softDescriptor`.
    pub soft_descriptor: Option<String>,
    /// The state.
    pub state: RefundState,
    /// `creationTimestamp`.
    pub created_at: Timestamp,
    /// `statusDetails.lastUpdatedTimestamp`.
    pub updated_at: Timestamp,
}

/// A shipment reported with Create Delivery Tracker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryTracker {
    /// `trackingNumber` (accepted once per merchant).
    pub tracking_number: String,
    /// `carrierCode`.
    pub carrier_code: String,
    /// When it was reported.
    pub created_at: Timestamp,
}

/// Something the buyer (or Amazon) does to a Charge Permission outside the merchant's API:
/// the emulator's admin API offers these so every state of spec §3.2 can be reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PermissionEvent {
    /// The instrument has a problem: `NonChargeable` with this reason until fixed.
    InstrumentIssue(NonChargeableReason),
    /// The buyer fixed the instrument (clears the issue).
    InstrumentFixed,
    /// The buyer closed the permission (`Closed`/`BuyerClosed`, open charges `BuyerCanceled`).
    BuyerClosed,
    /// Amazon canceled the permission (`Closed`/`AmazonCanceled`, open charges `AmazonCanceled`).
    AmazonCanceled,
}
