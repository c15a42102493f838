//! The request journal's bodies: `GET /__admin/journal` ([`JournalPage`]) and
//! `GET /__admin/journal/{requestId}` ([`JournalEntry`]).

use serde::{Deserialize, Serialize};

/// One request as the journal lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalSummary {
    /// The order of entries across merchants (larger is later): `?after=` takes it.
    pub id: i64,
    /// The request's `x-amz-pay-request-id`.
    pub request_id: String,
    /// The merchant, when the request named one.
    pub merchant_id: Option<String>,
    /// When the request arrived (real time, RFC 3339 with microseconds).
    pub at: String,
    /// The merchant's virtual time when the request ran.
    pub virtual_at: Option<String>,
    /// The operation (`CompleteCheckoutSession`, or `POST /__admin/merchants/{id}/clock/advance`
    /// for the emulator's own routes).
    pub operation: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The path as received.
    pub path: String,
    /// The answer's status.
    pub status: u16,
    /// The answer's `reasonCode`, for an error.
    pub reason_code: Option<String>,
    /// Time to the answer, in microseconds.
    pub latency_us: u64,
    /// The request's idempotency key.
    pub idempotency_key: Option<String>,
    /// Whether the answer was an idempotent replay.
    pub replayed: bool,
}

/// `GET /__admin/journal`: entries newest first (oldest first with `?after=`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalPage {
    /// The entries.
    pub entries: Vec<JournalSummary>,
    /// How many entries this emulator process dropped because the journal's queue was full.
    pub dropped: u64,
    /// The ring size per merchant (`--journal-size`; 0 when the journal is off).
    pub journal_size: u32,
}

/// `GET /__admin/journal/{requestId}`: one request in full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// What the list shows.
    #[serde(flatten)]
    pub summary: JournalSummary,
    /// Headers, bodies and the signature diagnosis.
    pub detail: JournalDetail,
}

/// What the journal keeps of a request besides its summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalDetail {
    /// The query string, as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The request's headers; the `authorization` signature is cut short, bearer tokens and
    /// cookies are replaced by `[redacted]`.
    #[serde(default)]
    pub request_headers: Vec<(String, String)>,
    /// The request body, at most the journal's body limit.
    #[serde(default)]
    pub request_body: Body,
    /// The answer's headers.
    #[serde(default)]
    pub response_headers: Vec<(String, String)>,
    /// The answer's body, at most the journal's body limit.
    #[serde(default)]
    pub response_body: Body,
    /// Why the signature was refused, for a request that failed authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureDiagnosis>,
    /// The fault rule that changed the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_rule: Option<String>,
}

/// A bounded body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    /// The body as text (invalid UTF-8 replaced), cut at the limit.
    pub text: String,
    /// The body's full length in bytes.
    pub length: u64,
    /// Whether `text` is cut short.
    pub truncated: bool,
}

/// The emulator's view of a refused signature.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureDiagnosis {
    /// Which step failed (`authorization header`, `public key`, `signed headers`, `date`,
    /// `signature`, `clock skew`, `region`, `environment`).
    pub step: String,
    /// What was wrong, as the answer's message says.
    pub message: String,
    /// The public key id the request named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_id: Option<String>,
    /// The algorithm the request named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// The headers the request declared signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_headers: Option<String>,
    /// The canonical request the emulator built (when it got that far).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_request: Option<String>,
    /// The string to sign the emulator built (when it got that far).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_to_sign: Option<String>,
}
