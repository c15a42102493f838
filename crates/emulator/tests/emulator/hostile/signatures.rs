//! Signatures: the `authorization` header, key ids, and requests changed or replayed after
//! they were signed.

use axum::http::Method;
use serde_json::json;

use super::{Case, World, appended, case, reauthorized, redirected, remethoded, set, without};

/// Get Checkout Session with a missing, malformed or repeated `authorization` header.
#[rustfmt::skip]
pub(super) fn authorization(w: &World) -> Vec<Case> {
    let get = || w.get_open().signed(&w.a);
    let authorized = |value: &str| w.get_open().authorization(&w.path(value)).signed(&w.a);
    let twice = {
        let first = get();
        let again = first.headers()["authorization"].as_bytes().to_vec();
        appended(first, "authorization", &again)
    };
    // `v2(rest)` sends the V2 algorithm and `a`'s key id, then `rest`.
    let v2 = |rest: &str| authorized(&format!("AMZN-PAY-RSASSA-PSS-V2 PublicKeyId={{key}}, {rest}"));
    let zeros = format!("SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature={}", "A".repeat(344));
    let huge = format!("SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature={}", "A".repeat(10_240));
    vec![
        case("authorization: missing",                  without(get(), "authorization"),                                                                                     400, "MissingHeader"),
        case("authorization: empty",                    authorized(""),                                                                                                      403, "InvalidRequestSignature"),
        case("authorization: garbage",                  authorized("garbage"),                                                                                               403, "InvalidRequestSignature"),
        case("authorization: a bearer token",           authorized("Bearer abc.def.ghi"),                                                                                    403, "InvalidRequestSignature"),
        case("authorization: algorithm only",           authorized("AMZN-PAY-RSASSA-PSS-V2"),                                                                                403, "InvalidRequestSignature"),
        case("authorization: unknown algorithm",        authorized("AMZN-PAY-HMAC-SHA1 PublicKeyId={key}, SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature=AAAA"),     403, "InvalidRequestSignature"),
        case("authorization: lower-case algorithm",     authorized("amzn-pay-rsassa-pss-v2 PublicKeyId={key}, SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature=AAAA"), 403, "InvalidRequestSignature"),
        case("authorization: no Signature",             v2("SignedHeaders=x-amz-pay-date;x-amz-pay-host"),                                                                   403, "InvalidRequestSignature"),
        case("authorization: no SignedHeaders",         v2("Signature=AAAA"),                                                                                                403, "InvalidRequestSignature"),
        case("authorization: empty SignedHeaders",      v2("SignedHeaders=, Signature=AAAA"),                                                                                403, "InvalidRequestSignature"),
        case("authorization: signature not base64",     v2("SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature=!!!not-base64!!!"),                                       403, "InvalidRequestSignature"),
        case("authorization: signature of zeros",       v2(&zeros),                                                                                                          403, "InvalidRequestSignature"),
        case("authorization: 10 KiB signature",         v2(&huge),                                                                                                           403, "InvalidRequestSignature"),
        case("authorization: signed header not sent",   v2("SignedHeaders=x-amz-pay-date;x-amz-pay-host;x-not-sent, Signature=AAAA"),                                        403, "InvalidRequestSignature"),
        case("authorization: SignedHeaders with a tab", v2("SignedHeaders=x-amz-pay-date;x-amz-pay-host;\t, Signature=AAAA"),                                                403, "InvalidRequestSignature"),
        case("authorization: sent twice",               twice,                                                                                                               403, "InvalidRequestSignature"),
        // A key id the authorization grammar refuses makes the header malformed (403); a
        // well-formed key id nobody registered is unknown (401, in `key_ids`).
        case("authorization: non-ASCII key id",         reauthorized(get(), |v| v.replace(&w.a.public_key_id, "SANDBOX-\u{c4}\u{d6}\u{dc}")),                                403, "InvalidRequestSignature"),
    ]
}

/// Get Checkout Session signed with the test key but naming another key id.
#[rustfmt::skip]
pub(super) fn key_ids(w: &World) -> Vec<Case> {
    let key = &w.a.public_key_id;
    let with_key = |key_id: &str| w.get_open().key_id(key_id).signed(&w.a);
    vec![
        case("key: unknown key id",                 with_key("SANDBOX-AAAAAAAAAAAAAAAAAAAAAAAA"),                   401, "UnauthorizedAccess"),
        case("key: empty key id",                   with_key(""),                                                   403, "InvalidRequestSignature"),
        case("key: key id with SQL",                with_key("SANDBOX-' OR '1'='1"),                                403, "InvalidRequestSignature"),
        case("key: key id with SQL and no spaces",  with_key("SANDBOX-'OR'1'--"),                                   401, "UnauthorizedAccess"),
        case("key: 4 KiB key id",                   with_key(&format!("SANDBOX-{}", "A".repeat(4096))),             401, "UnauthorizedAccess"),
        case("key: key id in another case",         with_key(&key.to_ascii_lowercase()),                            401, "UnauthorizedAccess"),
        case("key: a LIVE key id",                  with_key(&key.replacen("SANDBOX-", "LIVE-", 1)),                401, "UnauthorizedAccess"),
        case("key: another merchant's key id",      with_key(&w.c.public_key_id),                                   403, "InvalidRequestSignature"),
        case("key: a sandbox key on the live path", w.call("GET", "/live/v2/checkoutSessions/{open}").signed(&w.a), 401, "UnauthorizedAccess"),
    ]
}

/// Requests whose body, path, query, method or signature changed after signing, and an
/// accepted request's signature replayed on another body or path.
#[rustfmt::skip]
pub(super) fn tampered(w: &World) -> Vec<Case> {
    let get = || w.get_open().signed(&w.a);
    let create = || w.create().json(w.base());
    let base = w.base().to_string();
    let query_changed = w.get_open().query("a=1").signed(&w.a);
    let cheaper = set(w.base(), "/paymentDetails/chargeAmount/amount", json!("1.00")).to_string();
    vec![
        case("signature: body changed after signing",                                 create().tamper(br#"{"storeId":"x"}"#).signed(&w.a),                        403, "InvalidRequestSignature"),
        case("signature: body extended after signing",                                create().tamper(format!("{base} ").as_bytes()).signed(&w.a),                403, "InvalidRequestSignature"),
        case("signature: path changed after signing",                                 redirected(get(), &w.path("/v2/checkoutSessions/{session}")),               403, "InvalidRequestSignature"),
        case("signature: query added after signing",                                  redirected(get(), &w.path("/v2/checkoutSessions/{open}?x=1")),              403, "InvalidRequestSignature"),
        case("signature: query changed after signing",                                redirected(query_changed, &w.path("/v2/checkoutSessions/{open}?a=2")),      403, "InvalidRequestSignature"),
        case("signature: method changed after signing",                               remethoded(w.get_open().body(br#"{"foo":1}"#).signed(&w.a), Method::PATCH), 403, "InvalidRequestSignature"),
        case("signature: one bit flipped",                                            reauthorized(get(), flip_a_bit),                                            403, "InvalidRequestSignature"),
        case("signature: an accepted request's signature replayed with another body", w.replay("/v2/checkoutSessions", cheaper.as_bytes()),                       403, "InvalidRequestSignature"),
        case("signature: an accepted request's signature replayed on another path",   w.replay("/v2/checkoutSessions/{open}/complete", base.as_bytes()),          403, "InvalidRequestSignature"),
    ]
}

/// `authorization` with one character of the signature changed.
fn flip_a_bit(authorization: &str) -> String {
    let (head, signature) = authorization.rsplit_once("Signature=").unwrap();
    let mut signature = signature.as_bytes().to_vec();
    signature[10] = if signature[10] == b'A' { b'B' } else { b'A' };
    format!("{head}Signature={}", String::from_utf8(signature).unwrap())
}
