//! Headers: `x-amz-pay-date`, the signed host and region headers, and idempotency keys.

use serde_json::json;

use super::{Case, World, appended, case, date_offset, replaced, set, without};
use crate::helpers::{Call, Merchant, new_key, usd};

/// Get Checkout Session with an unparseable, skewed or repeated `x-amz-pay-date`.
#[rustfmt::skip]
pub(super) fn dates(w: &World) -> Vec<Case> {
    let dated = |date: &str| w.get_open().date(date).signed(&w.a);
    vec![
        case("date: date only",          dated("2024-05-24"),                                                 400, "InvalidHeaderValue"),
        case("date: a word",             dated("yesterday"),                                                  400, "InvalidHeaderValue"),
        case("date: empty",              dated(""),                                                           400, "InvalidHeaderValue"),
        case("date: with an offset",     dated("2024-05-24T22:37:10+01:00"),                                  400, "InvalidHeaderValue"),
        case("date: unix seconds",       dated("1716590230"),                                                 400, "InvalidHeaderValue"),
        case("date: fractional seconds", dated("2024-05-24T22:37:10.123Z"),                                   400, "InvalidHeaderValue"),
        case("date: no zone",            dated("20240524T223710"),                                            400, "InvalidHeaderValue"),
        case("date: HTTP date",          dated("Fri, 24 May 2024 22:37:10 GMT"),                              400, "InvalidHeaderValue"),
        case("date: month 13",           dated("20241324T223710Z"),                                           400, "InvalidHeaderValue"),
        case("date: non-ASCII digits",   dated("２０２４0524T223710Z"),                                       400, "InvalidHeaderValue"),
        case("date: 16 minutes ahead",   dated(&date_offset(16 * 60)),                                        403, "InvalidRequestSignature"),
        case("date: 16 minutes behind",  dated(&date_offset(-16 * 60)),                                       403, "InvalidRequestSignature"),
        case("date: year 9999",          dated("99991231T235959Z"),                                           403, "InvalidRequestSignature"),
        case("date: the epoch",          dated("19700101T000000Z"),                                           403, "InvalidRequestSignature"),
        case("date: skewed on a create", w.create().json(w.base()).date(&date_offset(-20 * 60)).signed(&w.a), 403, "InvalidRequestSignature"),
        case("date: sent twice",         w.get_open().header("x-amz-pay-date", &date_offset(0)).signed(&w.a), 400, "InvalidHeaderValue"),
    ]
}

/// Get Checkout Session with `x-amz-pay-date` or `x-amz-pay-host` left out of the signature or
/// changed after it, or with a bad `x-amz-pay-region`.
#[rustfmt::skip]
pub(super) fn region_and_host(w: &World) -> Vec<Case> {
    let get = || w.get_open().signed(&w.a);
    let unsigned = |name: &str| w.get_open().unsigned(name).signed(&w.a);
    let jp = Merchant { region: "jp".into(), ..w.a.clone() };
    let host = "x-amz-pay-host";
    let region = "x-amz-pay-region";
    vec![
        case("headers: x-amz-pay-date not signed",             unsigned("x-amz-pay-date"),                               403, "InvalidRequestSignature"),
        case("headers: x-amz-pay-host not signed",             unsigned(host),                                           403, "InvalidRequestSignature"),
        case("headers: signed x-amz-pay-date removed",         without(get(), "x-amz-pay-date"),                         403, "InvalidRequestSignature"),
        case("headers: signed x-amz-pay-host removed",         without(get(), host),                                     403, "InvalidRequestSignature"),
        case("headers: signed x-amz-pay-host changed",         replaced(get(), host, b"evil.example"),                   403, "InvalidRequestSignature"),
        case("headers: signed header repeated after signing",  appended(get(), host, b"pay-api.amazon.com"),             403, "InvalidRequestSignature"),
        case("headers: non-ASCII x-amz-pay-region (unsigned)", replaced(unsigned(region), region, "n\u{e4}".as_bytes()), 400, "InvalidHeaderValue"),
        case("headers: non-ASCII x-amz-pay-region (signed)",   w.get_open().header(region, "\u{fc}s").signed(&w.a),      400, "InvalidHeaderValue"),
        case("headers: two x-amz-pay-region values",           w.get_open().header(region, "eu").signed(&w.a),           400, "InvalidHeaderValue"),
        case("headers: empty x-amz-pay-region",                replaced(unsigned(region), region, b""),                  400, "InvalidHeaderValue"),
        case("headers: another region",                        w.get_open().signed(&jp),                                 400, "InvalidHeaderValue"),
    ]
}

/// Malformed, missing, repeated or reused `x-amz-pay-idempotency-key` headers.
#[rustfmt::skip]
pub(super) fn idempotency_keys(w: &World) -> Vec<Case> {
    let idempotency_key = "x-amz-pay-idempotency-key";
    let create = || Call::new("POST", "/v2/checkoutSessions").json(w.base());
    let keyed = |key: &str| create().idempotency_key(key);
    let complete = || w.call("POST", "/v2/checkoutSessions/{open}/complete").json(json!({"chargeAmount": usd("14.00")}));
    let other_amount = set(w.base(), "/paymentDetails/chargeAmount/amount", json!("15.00"));
    let extra_field = set(w.base(), "/merchantMetadata", json!({"merchantReferenceId": "1"}));
    let non_ascii = keyed("placeholder").unsigned(idempotency_key).signed(&w.a);
    vec![
        case("idempotency key: 33 characters",              keyed(&"k".repeat(33)).signed(&w.a),                         400, "InvalidHeaderValue"),
        case("idempotency key: 1000 characters",            keyed(&"k".repeat(1000)).signed(&w.a),                       400, "InvalidHeaderValue"),
        case("idempotency key: a space",                    keyed("a b").signed(&w.a),                                   400, "InvalidHeaderValue"),
        case("idempotency key: a slash",                    keyed("a/b").signed(&w.a),                                   400, "InvalidHeaderValue"),
        case("idempotency key: a dot",                      keyed("a.b").signed(&w.a),                                   400, "InvalidHeaderValue"),
        case("idempotency key: SQL",                        keyed("k'--").signed(&w.a),                                  400, "InvalidHeaderValue"),
        case("idempotency key: a percent sign",             keyed("100%").signed(&w.a),                                  400, "InvalidHeaderValue"),
        case("idempotency key: empty",                      keyed("").signed(&w.a),                                      400, "MissingHeaderValue"),
        case("idempotency key: non-ASCII",                  replaced(non_ascii, idempotency_key, "k\u{e9}y".as_bytes()), 400, "InvalidHeaderValue"),
        case("idempotency key: two different keys",         keyed(&new_key()).idempotency_key(&new_key()).signed(&w.a),  400, "InvalidHeaderValue"),
        case("idempotency key: missing on create",          create().signed(&w.a),                                       400, "MissingHeader"),
        case("idempotency key: too long on complete",       complete().idempotency_key(&"k".repeat(40)).signed(&w.a),    400, "InvalidHeaderValue"),
        case("idempotency key: reused with another body",   keyed(&w.used_key).json(other_amount).signed(&w.a),          400, "DuplicateIdempotencyKey"),
        case("idempotency key: reused with another path",   complete().idempotency_key(&w.used_key).signed(&w.a),        400, "DuplicateIdempotencyKey"),
        case("idempotency key: reused with an extra field", keyed(&w.used_key).json(extra_field).signed(&w.a),           400, "DuplicateIdempotencyKey"),
    ]
}
