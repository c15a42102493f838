//! Request and response bodies of the emulator's admin API (`/__admin/...`), shared by the
//! server and the `amzpay emulator` CLI. These are the emulator's own surface, not Amazon's wire
//! format, so they live here rather than in `amzpay-types`.

use serde::{Deserialize, Serialize};

mod journal;

pub use journal::{
    Body as JournalBody, JournalDetail, JournalEntry, JournalPage, JournalSummary,
    SignatureDiagnosis,
};

/// `POST /__admin/merchants`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateMerchant {
    /// `na` (default), `eu` or `jp` (aliases `us`, `de`, `uk` accepted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `sandbox` (default) or `live`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// An SPKI (`BEGIN PUBLIC KEY`) PEM to register instead of generating a key pair.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key_pem: Option<String>,
    /// Issue a legacy public key id without the `SANDBOX-`/`LIVE-` prefix (clients must then use
    /// the `/{sandbox|live}/v2` paths).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_key_id: Option<bool>,
    /// IPN endpoints for the merchant's environment (at most five; `https://`, or `http://` on a
    /// loopback host).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipn_urls: Option<Vec<String>>,
    /// The SNS signature version of its notifications: 1 or 2 (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipn_signature_version: Option<u8>,
}

/// The answer to [`CreateMerchant`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantCreated {
    /// The merchant id.
    pub merchant_id: String,
    /// The merchant's store id.
    pub store_id: String,
    /// The public key id to sign with.
    pub public_key_id: String,
    /// Region.
    pub region: String,
    /// Environment.
    pub environment: String,
    /// The generated private key (PKCS#8 PEM); absent when a public key was uploaded.
    pub private_key_pem: Option<String>,
}

/// A merchant as `GET /__admin/merchants` lists it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantInfo {
    /// The merchant id.
    pub merchant_id: String,
    /// The merchant's store id.
    pub store_id: String,
    /// Region.
    pub region: String,
    /// Environment.
    pub environment: String,
    /// The merchant's virtual clock.
    pub clock: ClockInfo,
}

/// A merchant's virtual clock.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClockInfo {
    /// The merchant.
    pub merchant_id: String,
    /// The virtual now, `yyyyMMddTHHmmssZ`.
    pub now: String,
    /// Whether the clock stands still.
    pub frozen: bool,
    /// Virtual minus real time in seconds (running clocks).
    pub offset_seconds: Option<i64>,
    /// How many timers the change applied (advance and set only).
    pub applied_timers: u64,
}

/// `POST /__admin/merchants/{id}/clock/advance`: give `seconds` or a `duration` like `24h`,
/// `30d`, `1h30m`, `90s`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdvanceClock {
    /// Seconds to advance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<i64>,
    /// A duration such as `24h`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
}

/// `PUT /__admin/merchants/{id}/clock`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetClock {
    /// The new virtual now: `yyyyMMddTHHmmssZ` or `yyyy-MM-ddTHH:mm:ssZ`.
    pub now: String,
    /// Freeze the clock there (default: keep running from there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frozen: Option<bool>,
}

/// A postal address for buyer actions: the wire's request address ([`AddressInput`], the shape
/// of Finalize's `shippingAddress`), so the admin API and Amazon's API read addresses alike.
pub use amzpay_types::AddressInput;

/// `POST /__admin/checkoutSessions/{id}/sign-in`: every field optional (a default test buyer).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignInBody {
    /// Buyer name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Buyer email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Buyer phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Shipping address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<AddressInput>,
    /// Billing address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<AddressInput>,
    /// Test instrument: last four digits (`1111`, `3064`, ...) or an outcome name (`success`,
    /// `buyer-cancels`, `declined`, `pending-then-authorized`, `pending-then-declined`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instrument: Option<String>,
}

/// `POST /__admin/checkoutSessions/{id}/choose`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChooseBody {
    /// Test instrument (as in [`SignInBody::instrument`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instrument: Option<String>,
    /// New shipping address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<AddressInput>,
}

/// The answer to every buyer action.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuyerActionResult {
    /// The session.
    pub checkout_session_id: String,
    /// Its state after the action.
    pub state: String,
    /// Its `statusDetails.reasonCode` after the action.
    pub reason_code: Option<String>,
    /// Where a browser would go next.
    pub redirect_url: String,
}

/// `POST /__admin/merchants/{id}/sign-in`: a buyer signs in with Amazon Sign-in (the
/// `SignIn` button) and the merchant gets a buyer token for Get Buyer.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuyerSignIn {
    /// Buyer name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Buyer email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Buyer phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Shipping address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<AddressInput>,
    /// Billing address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<AddressInput>,
    /// `signInScopes` of the button payload (`name`, `email`, `postalCode`, `shippingAddress`,
    /// `phoneNumber`, `primeStatus`, `billingAddress`); none: name and email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// `signInReturnUrl`: the answer's `redirectUrl` is this with `buyerToken` appended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_return_url: Option<String>,
}

/// The answer to [`BuyerSignIn`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuyerSignedIn {
    /// The token for `GET /v2/buyers/{buyerToken}`.
    pub buyer_token: String,
    /// The buyer's id.
    pub buyer_id: String,
    /// `signInReturnUrl?buyerToken=...`, when a return URL was given.
    pub redirect_url: Option<String>,
}

/// `POST /__admin/chargePermissions/{id}/events`: something the buyer or Amazon does to a
/// Charge Permission. `event` is a `NonChargeable` reason (`PaymentMethodInvalid`,
/// `PaymentMethodDeleted`, `BillingAddressDeleted`, `PaymentMethodExpired`,
/// `PaymentMethodNotAllowed`, `PaymentMethodNotSet`, `MFAFailed`), `PaymentMethodUpdated` (the
/// buyer fixed the instrument), `BuyerClosed` or `AmazonCanceled`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PermissionEventBody {
    /// The event.
    pub event: String,
}

/// The answer to `POST /__admin/timers/run`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimersRun {
    /// How many checkouts had due timers applied.
    pub applied: u64,
}

/// Answer of `GET /__admin/merchants/{id}/objects`: how many objects of each kind the merchant
/// has stored (what crash and concurrency tests compare with what they were acknowledged).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectCounts {
    /// The merchant.
    pub merchant_id: String,
    /// Checkout Sessions.
    pub checkout_sessions: u64,
    /// Charge Permissions.
    pub charge_permissions: u64,
    /// Charges.
    pub charges: u64,
    /// Refunds.
    pub refunds: u64,
}

/// `POST /__admin/faults`: a fault-injection rule. The filters that are given must all match an
/// Amazon Pay API request for the rule to apply; the first matching rule (in the order they were
/// added) decides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddFault {
    /// Only this merchant's requests (default: every merchant's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_id: Option<String>,
    /// Only this operation, named as in Amazon's documentation (`CompleteCheckoutSession`,
    /// `CreateCharge`, `CaptureCharge`, `GetCheckoutSession`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Only this HTTP method (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Only this path (without the `/sandbox` or `/live` prefix); `*` matches any run of
    /// characters, e.g. `/v2/checkoutSessions/*/complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Apply to the next `count` matching requests only (default: every one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Apply to a matching request with this probability (0 to 1; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// The seed of the probability draws: the same seed and the same sequence of matching
    /// requests inject the same faults (default: drawn at random, shown by the list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// What to do.
    pub fault: FaultSpec,
}

impl AddFault {
    /// A rule with no filters (every request of every merchant) doing `fault`.
    pub fn new(fault: FaultSpec) -> AddFault {
        AddFault {
            merchant_id: None,
            operation: None,
            method: None,
            path: None,
            count: None,
            probability: None,
            seed: None,
            fault,
        }
    }

    /// Only this merchant's requests.
    pub fn merchant(mut self, merchant_id: impl Into<String>) -> AddFault {
        self.merchant_id = Some(merchant_id.into());
        self
    }

    /// Only this operation (`CompleteCheckoutSession`, ...).
    pub fn operation(mut self, name: impl Into<String>) -> AddFault {
        self.operation = Some(name.into());
        self
    }

    /// Only the next `n` matching requests.
    pub fn count(mut self, n: u64) -> AddFault {
        self.count = Some(n);
        self
    }

    /// Only with this probability, drawn from `seed`.
    pub fn probability(mut self, p: f64, seed: u64) -> AddFault {
        self.probability = Some(p);
        self.seed = Some(seed);
        self
    }
}

/// What a fault rule does to a request it applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum FaultSpec {
    /// Wait before processing the request: `ms`, or a uniform draw between `ms` and `maxMs`.
    #[serde(rename_all = "camelCase")]
    Latency {
        /// Milliseconds (the lower bound of a range).
        ms: u64,
        /// The upper bound of a range, in milliseconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_ms: Option<u64>,
    },
    /// Answer with an error and change nothing: `status` (default 500, or the one
    /// `reasonCode` implies) and `reasonCode` (default `InternalServerError` for 500,
    /// `ServiceUnavailable` for 503, `TooManyRequests` for 429).
    #[serde(rename_all = "camelCase")]
    Error {
        /// The HTTP status (400 to 599).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// The `reasonCode` of the body.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason_code: Option<String>,
        /// The `message` of the body.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Close the connection without an answer before the request is processed (nothing
    /// changes).
    Reset,
    /// Process the request (its change commits), then close the connection before the answer
    /// is written.
    LostAnswer,
    /// Send the answer `chunkBytes` at a time (default 16), one chunk every `intervalMs`
    /// (default 100).
    #[serde(rename_all = "camelCase")]
    SlowBody {
        /// Bytes per chunk.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chunk_bytes: Option<u64>,
        /// Milliseconds between chunks.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval_ms: Option<u64>,
    },
    /// Answer normally with a `Date` header `seconds` away from the real time.
    #[serde(rename_all = "camelCase")]
    ClockSkew {
        /// Seconds added to the real time (negative: behind).
        seconds: i64,
    },
}

/// A fault rule as `GET /__admin/faults` lists it (and `POST` answers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRuleInfo {
    /// The rule's id (in the `x-amzpay-emulator-fault` header of every answer it changed).
    pub id: String,
    /// The rule as added (with its seed, drawn when none was given).
    #[serde(flatten)]
    pub rule: AddFault,
    /// How many requests its filters matched while it had hits left (the number of the match
    /// is what a probability draw uses).
    pub matched: u64,
    /// How many faults it injected.
    pub hits: u64,
}

/// The answer to `GET /__admin/faults`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRules {
    /// Every rule, in the order they apply.
    pub rules: Vec<FaultRuleInfo>,
}

/// The answer to `DELETE /__admin/faults` (every rule) and `DELETE /__admin/faults/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultsCleared {
    /// How many rules were deleted.
    pub deleted: u64,
}

/// Parses `90`, `90s`, `15m`, `24h`, `30d`, `1w` or a concatenation like `1h30m` into seconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    let mut any = false;
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        let n: i64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        number.clear();
        any = true;
    }
    (any && number.is_empty()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_parse_with_units_and_combinations() {
        assert_eq!(parse_duration("90"), Some(90));
        assert_eq!(parse_duration("24h"), Some(86_400));
        assert_eq!(parse_duration("1h30m"), Some(5_400));
        assert_eq!(parse_duration("30d"), Some(2_592_000));
        assert_eq!(parse_duration("3x"), None);
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("1h3"), None);
    }
}

/// `PUT /__admin/merchants/{id}/ipn`: what to change of a merchant's IPN settings (absent
/// fields stay as they are).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateIpn {
    /// The sandbox endpoints (replaces them; an empty list removes them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<Vec<String>>,
    /// The live endpoints (replaces them; an empty list removes them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<Vec<String>>,
    /// 1 (SHA1withRSA) or 2 (SHA256withRSA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_version: Option<u8>,
    /// A CA certificate (PEM) to trust for the merchant's https endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<String>,
    /// Forget the CA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clear_ca: Option<bool>,
}

/// A merchant's IPN settings (`GET`/`PUT /__admin/merchants/{id}/ipn`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpnInfo {
    /// The merchant id.
    pub merchant_id: String,
    /// Sandbox endpoints.
    pub sandbox: Vec<String>,
    /// Live endpoints.
    pub live: Vec<String>,
    /// The SNS signature version.
    pub signature_version: u8,
    /// The trusted CA, if any.
    pub ca_pem: Option<String>,
    /// Where receivers fetch the signing certificate (`SigningCertURL`).
    pub signing_cert_url: String,
    /// The CA that issued it.
    pub signing_ca_url: String,
}

/// One delivery of a notification to one endpoint.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationInfo {
    /// The delivery's number (`notifications show`/`redeliver` take it).
    pub id: u64,
    /// Amazon's `NotificationId` (the same for every endpoint).
    pub notification_id: String,
    /// The SNS `MessageId`.
    pub message_id: String,
    /// The merchant.
    pub merchant_id: String,
    /// `sandbox` or `live`.
    pub environment: String,
    /// Where it goes.
    pub endpoint: String,
    /// `CHARGE_PERMISSION`, `CHARGE`, `REFUND` or `CHARGEBACK`.
    pub object_type: String,
    /// The object.
    pub object_id: String,
    /// Its charge permission.
    pub charge_permission_id: String,
    /// `STATE_CHANGE` or `ATTRIBUTE_CHANGE`.
    pub notification_type: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    /// Attempts made.
    pub attempts: u32,
    /// When it was published (RFC 3339, real time).
    pub created_at: String,
    /// When it is tried next, while pending.
    pub next_attempt_at: Option<String>,
    /// When an endpoint accepted it.
    pub delivered_at: Option<String>,
    /// The SNS `Message` (Amazon's notification JSON).
    pub message: String,
}

/// One attempt of a delivery.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptInfo {
    /// 1 for the first.
    pub attempt: u32,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// Milliseconds until the answer (or the failure).
    pub latency_ms: i64,
    /// The endpoint's status.
    pub status: Option<u16>,
    /// The transport error.
    pub error: Option<String>,
    /// The first bytes of the answer.
    pub response_head: Option<String>,
}

/// `GET /__admin/notifications/{id}`: a delivery with its attempts.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationDetail {
    /// The delivery.
    pub notification: NotificationInfo,
    /// Its attempts, oldest first.
    pub attempts: Vec<AttemptInfo>,
}

/// `POST /__admin/notifications/dispatch`: deliveries attempted now.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dispatched {
    /// How many attempts were made.
    pub attempts: u64,
}

/// `POST /__admin/charges/{id}/chargeback`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargebackCreated {
    /// The id in the `CHARGEBACK` notification's `ObjectId`.
    pub chargeback_id: String,
    /// The charge.
    pub charge_id: String,
    /// Its charge permission.
    pub charge_permission_id: Option<String>,
}
