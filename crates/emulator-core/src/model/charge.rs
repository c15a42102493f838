//! The Charge and its states (spec §3.3).

use super::MerchantMetadata;
use crate::clock::Timestamp;
use crate::ids::{ChargeId, ChargePermissionId};
use crate::money::Money;

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

    /// Whether the charge is still in progress: its authorization is open or its capture has
    /// not completed. Such a charge makes its permission `NonChargeable`/`ChargeInProgress` when
    /// nothing is left to charge besides it (`Checkout::refresh_permission_state`).
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
