//! Bodies: broken JSON, sizes over the limit, wrong types and values, unknown fields, and the
//! same abuse on Update, Complete and Finalize.

use serde_json::{Value, json};

use super::{Case, World, case, replaced};

/// Create Checkout Session bodies that are not one JSON object in UTF-8.
#[rustfmt::skip]
pub(super) fn broken_json(w: &World) -> Vec<Case> {
    let deep_arrays = format!("{{\"storeId\":{}", "[".repeat(100_000));
    let deep_objects = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let deep_known = format!("{{\"webCheckoutDetails\":{}}}", "{\"checkoutMode\":".repeat(5_000));
    let rows: &[(&str, &[u8], u16, &str)] = &[
        ("empty body",                       b"",                           400, "InvalidRequestFormat"),
        ("whitespace body",                  b" \r\n\t ",                   400, "InvalidRequestFormat"),
        ("lone brace",                       b"{",                          400, "InvalidRequestFormat"),
        ("truncated object",                 br#"{"storeId":"#,             400, "InvalidRequestFormat"),
        ("truncated string",                 br#"{"storeId":"amzn1"#,       400, "InvalidRequestFormat"),
        ("single quotes",                    br#"{'storeId':'x'}"#,         400, "InvalidRequestFormat"),
        ("trailing comma",                   br#"{"storeId":"x",}"#,        400, "InvalidRequestFormat"),
        ("comment",                          br#"{/* hi */"storeId":"x"}"#, 400, "InvalidRequestFormat"),
        ("bare word",                        b"{storeId: 1}",               400, "InvalidRequestFormat"),
        ("two objects",                      b"{}{}",                       400, "InvalidRequestFormat"),
        ("trailing garbage",                 b"{} trailing",                400, "InvalidRequestFormat"),
        ("array body",                       b"[]",                         400, "InvalidRequestFormat"),
        ("null body",                        b"null",                       400, "InvalidRequestFormat"),
        ("string body",                      br#""{}""#,                    400, "InvalidRequestFormat"),
        ("number body",                      b"42",                         400, "InvalidRequestFormat"),
        ("byte order mark",                  b"\xEF\xBB\xBF{}",             400, "InvalidRequestFormat"),
        ("NaN literal",                      br#"{"storeId":NaN}"#,         400, "InvalidRequestFormat"),
        ("raw NUL byte in a string",         b"{\"storeId\":\"a\x00b\"}",   400, "InvalidRequestFormat"),
        ("raw NUL byte after the object",    b"{}\x00",                     400, "InvalidRequestFormat"),
        ("invalid UTF-8 in a string",        b"{\"storeId\":\"\xff\xfe\"}", 400, "InvalidRequestFormat"),
        ("overlong UTF-8 encoding",          b"{\"storeId\":\"\xc0\xaf\"}", 400, "InvalidRequestFormat"),
        ("invalid UTF-8 in a key",           b"{\"\xff\":1}",               400, "InvalidRequestFormat"),
        ("lone surrogate escape",            br#"{"storeId":"\ud800"}"#,    400, "InvalidRequestFormat"),
        ("unescaped control character",      b"{\"storeId\":\"a\nb\"}",     400, "InvalidRequestFormat"),
        ("100k nested arrays",               deep_arrays.as_bytes(),        400, "InvalidRequestFormat"),
        // Valid JSON: the first key is the problem, however deep its value goes.
        ("10k nested objects (balanced)",    deep_objects.as_bytes(),       400, "UnrecognizedField"),
        ("deep nesting under a known field", deep_known.as_bytes(),         400, "InvalidRequestFormat"),
    ];
    rows.iter()
        .map(|&(name, body, status, reason)| case(format!("create: {name}"), w.create_raw(body), status, reason))
        .collect()
}

/// Bodies over the 256 KiB limit, announced or not.
#[rustfmt::skip]
pub(super) fn sizes(w: &World) -> Vec<Case> {
    let huge = || w.create().json(super::set(w.base(), "/merchantMetadata", json!({"noteToBuyer": "x".repeat(300 * 1024)}))).signed(&w.a);
    let small = || w.create().json(w.base()).signed(&w.a);
    let length = |n: u64| n.to_string().into_bytes();
    vec![
        case("create: 300 KiB body",                            huge(),                                                        413, "RequestEntityTooLarge"),
        case("create: 300 KiB body declared in content-length", replaced(huge(), "content-length", &length(300 * 1024 + 200)), 413, "RequestEntityTooLarge"),
        case("create: content-length of 1 TB on a small body",  replaced(small(), "content-length", &length(1 << 40)),         413, "RequestEntityTooLarge"),
        case("create: 2 MiB of spaces",                         w.create_raw(&vec![b' '; 2 << 20]),                            413, "RequestEntityTooLarge"),
    ]
}

/// Create Checkout Session bodies with one field of the wrong type or value.
#[rustfmt::skip]
pub(super) fn wrong_values(w: &World) -> Vec<Case> {
    let amount = "/paymentDetails/chargeAmount/amount";
    let currency = "/paymentDetails/chargeAmount/currencyCode";
    let rows: Vec<(&str, &str, Value, u16, &str)> = vec![
        ("storeId as a number",                       "/storeId",                                      json!(123),                              400, "InvalidParameterValue"),
        ("storeId as an object",                      "/storeId",                                      json!({}),                               400, "InvalidParameterValue"),
        ("storeId with a NUL",                        "/storeId",                                      json!(format!("{}\u{0}", w.a.store_id)), 400, "InvalidParameterValue"),
        ("storeId of another merchant",               "/storeId",                                      json!(w.b.store_id),                     400, "InvalidParameterValue"),
        ("webCheckoutDetails as a string",            "/webCheckoutDetails",                           json!("x"),                              400, "InvalidParameterValue"),
        ("webCheckoutDetails as an array",            "/webCheckoutDetails",                           json!([]),                               400, "InvalidParameterValue"),
        ("review URL as a number",                    "/webCheckoutDetails/checkoutReviewReturnUrl",   json!(1),                                400, "InvalidParameterValue"),
        ("paymentDetails as an array",                "/paymentDetails",                               json!([1]),                              400, "InvalidParameterValue"),
        ("paymentIntent as a number",                 "/paymentDetails/paymentIntent",                 json!(1),                                400, "InvalidParameterValue"),
        ("paymentIntent in lower case",               "/paymentDetails/paymentIntent",                 json!("authorize"),                      400, "InvalidParameterValue"),
        ("canHandlePendingAuthorization as a string", "/paymentDetails/canHandlePendingAuthorization", json!("yes"),                            400, "InvalidParameterValue"),
        ("chargeAmount as an array",                  "/paymentDetails/chargeAmount",                  json!(["1.00", "USD"]),                  400, "InvalidParameterValue"),
        ("chargeAmount as a string",                  "/paymentDetails/chargeAmount",                  json!("14.00 USD"),                      400, "InvalidParameterValue"),
        ("amount as an object",                       amount,                                          json!({"v": 1}),                         400, "InvalidParameterValue"),
        ("amount as null",                            amount,                                          Value::Null,                             400, "InvalidParameterValue"),
        ("amount NaN",                                amount,                                          json!("NaN"),                            400, "InvalidParameterValue"),
        ("amount Infinity",                           amount,                                          json!("Infinity"),                       400, "InvalidParameterValue"),
        ("amount in hex",                             amount,                                          json!("0x10"),                           400, "InvalidParameterValue"),
        ("amount empty",                              amount,                                          json!(""),                               400, "InvalidParameterValue"),
        ("amount with 5000 digits",                   amount,                                          json!("9".repeat(5000)),                 400, "InvalidParameterValue"),
        ("amount with a NUL",                         amount,                                          json!("1\u{0}.00"),                      400, "InvalidParameterValue"),
        ("currency unknown",                          currency,                                        json!("XXX"),                            400, "InvalidParameterValue"),
        ("currency as a number",                      currency,                                        json!(840),                              400, "InvalidParameterValue"),
        ("currency with a NUL",                       currency,                                        json!("US\u{0}D"),                       400, "InvalidParameterValue"),
        ("merchantMetadata as an array",              "/merchantMetadata",                             json!([]),                               400, "InvalidParameterValue"),
    ];
    // Values `json!` cannot write: they go into the serialized body in place of `"14.00"`, or
    // as a first `storeId` before the real one.
    let base = w.base().to_string();
    let raw_rows: &[(&str, String, u16, &str)] = &[
        ("amount 1e400 as a JSON number", base.replace("\"14.00\"", "1e400"),               400, "InvalidParameterValue"),
        ("amount -0.0 as a JSON number",  base.replace("\"14.00\"", "-0.0"),                400, "InvalidParameterValue"),
        ("a key given twice",             base.replacen('{', "{\"storeId\":\"other\",", 1), 400, "InvalidRequestFormat"),
    ];
    let set_rows = rows
        .into_iter()
        .map(|(name, pointer, value, status, reason)| case(format!("create: {name}"), w.create_with(pointer, value), status, reason));
    let raw_rows = raw_rows
        .iter()
        .map(|(name, body, status, reason)| case(format!("create: {name}"), w.create_raw(body.as_bytes()), *status, reason));
    set_rows.chain(raw_rows).collect()
}

/// Create Checkout Session bodies with a field the API does not take, at every level.
#[rustfmt::skip]
pub(super) fn unknown_fields(w: &World) -> Vec<Case> {
    let rows: &[(&str, &str, Value, u16, &str)] = &[
        ("unknown top-level field",             "/foo",                                     json!(1),                400, "UnrecognizedField"),
        ("field name in another case",          "/StoreId",                                 json!(1),                400, "UnrecognizedField"),
        ("read-only checkoutSessionId",         "/checkoutSessionId",                       json!(1),                400, "UnrecognizedField"),
        ("__proto__",                           "/__proto__",                               json!(1),                400, "UnrecognizedField"),
        ("unknown field in webCheckoutDetails", "/webCheckoutDetails/foo",                  json!(1),                400, "UnrecognizedField"),
        ("read-only amazonPayRedirectUrl",      "/webCheckoutDetails/amazonPayRedirectUrl", json!(1),                400, "UnrecognizedField"),
        ("unknown field in chargeAmount",       "/paymentDetails/chargeAmount/precision",   json!(1),                400, "UnrecognizedField"),
        ("unknown field in paymentDetails",     "/paymentDetails/captureNow",               json!(1),                400, "UnrecognizedField"),
        ("unknown field in merchantMetadata",   "/merchantMetadata",                        json!({"orderId": "1"}), 400, "UnrecognizedField"),
    ];
    rows.iter()
        .map(|(name, pointer, value, status, reason)| case(format!("create: {name}"), w.create_with(pointer, value.clone()), *status, reason))
        .collect()
}

/// A row of [`other_bodies`]: name, method, what follows the open session's path, body,
/// status, `reasonCode`.
type OtherBodyRow<'a> = (&'a str, &'a str, &'a str, &'a [u8], u16, &'static str);

/// Broken Update, Complete and Finalize bodies for the open session.
#[rustfmt::skip]
pub(super) fn other_bodies(w: &World) -> Vec<Case> {
    let deep_update = format!("{{\"paymentDetails\":{}", "[".repeat(50_000));
    let deep_complete = format!("{{\"chargeAmount\":{}", "{\"a\":".repeat(50_000));
    let big = vec![b' '; 300 * 1024];
    let rows: &[OtherBodyRow] = &[
        ("update: empty body",                      "PATCH", "",          b"",                                                                               400, "InvalidRequestFormat"),
        ("update: broken JSON",                     "PATCH", "",          b"{\"paymentDetails\":",                                                           400, "InvalidRequestFormat"),
        ("update: array body",                      "PATCH", "",          b"[{}]",                                                                           400, "InvalidRequestFormat"),
        ("update: unknown top-level field",         "PATCH", "",          br#"{"foo":1}"#,                                                                   400, "UnrecognizedField"),
        ("update: unknown nested field",            "PATCH", "",          br#"{"paymentDetails":{"foo":1}}"#,                                                400, "UnrecognizedField"),
        ("update: creation-only storeId",           "PATCH", "",          br#"{"storeId":"x"}"#,                                                             400, "UnrecognizedField"),
        ("update: paymentDetails as a string",      "PATCH", "",          br#"{"paymentDetails":"x"}"#,                                                      400, "InvalidParameterValue"),
        ("update: amount with too many decimals",   "PATCH", "",          br#"{"paymentDetails":{"chargeAmount":{"amount":"1.001","currencyCode":"USD"}}}"#, 400, "InvalidParameterValue"),
        ("update: deep nesting",                    "PATCH", "",          deep_update.as_bytes(),                                                            400, "InvalidRequestFormat"),
        ("update: invalid UTF-8",                   "PATCH", "",          b"{\"merchantMetadata\":{\"merchantStoreName\":\"\xff\"}}",                        400, "InvalidRequestFormat"),
        ("complete: broken JSON",                   "POST",  "/complete", b"{\"chargeAmount\"",                                                              400, "InvalidRequestFormat"),
        ("complete: array body",                    "POST",  "/complete", b"[]",                                                                             400, "InvalidRequestFormat"),
        ("complete: unknown field",                 "POST",  "/complete", br#"{"chargeAmount":{"amount":"14.00","currencyCode":"USD"},"captureNow":true}"#,  400, "UnrecognizedField"),
        ("complete: chargeAmount as a number",      "POST",  "/complete", br#"{"chargeAmount":14}"#,                                                         400, "InvalidParameterValue"),
        ("complete: chargeAmount without currency", "POST",  "/complete", br#"{"chargeAmount":{"amount":"14.00"}}"#,                                         400, "MissingParameterValue"),
        ("complete: deep nesting",                  "POST",  "/complete", deep_complete.as_bytes(),                                                          400, "InvalidRequestFormat"),
        ("complete: 300 KiB body",                  "POST",  "/complete", &big,                                                                              413, "RequestEntityTooLarge"),
        ("finalize: empty body",                    "POST",  "/finalize", b"",                                                                               400, "InvalidRequestFormat"),
        ("finalize: unknown field",                 "POST",  "/finalize", br#"{"chargeAmount":{"amount":"1.00","currencyCode":"USD"},"x":1}"#,               400, "UnrecognizedField"),
    ];
    rows.iter()
        .map(|&(name, method, action, body, status, reason)| {
            let path = format!("/v2/checkoutSessions/{{open}}{action}");
            case(name, w.call(method, &path).body(body).signed(&w.a), status, reason)
        })
        .collect()
}
