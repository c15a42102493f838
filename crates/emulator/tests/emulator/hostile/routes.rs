//! Routes: another merchant's ids, unknown ids, path tricks, and methods a route does not take.

use serde_json::{Value, json};

use super::{Case, World, case, unsigned};
use crate::helpers::usd;

/// `a` asking for `b`'s objects, unknown ids, and ids of one kind on another kind's path.
#[rustfmt::skip]
pub(super) fn tenancy(w: &World) -> Vec<Case> {
    let get = |path: &str| w.call("GET", path).signed(&w.a);
    let send = |method: &str, path: &str, body: Value| w.call(method, path).json(body).signed(&w.a);
    let update = json!({"merchantMetadata": {"merchantReferenceId": "mine"}});
    let complete = json!({"chargeAmount": usd("14.00")});
    let finalize = json!({"paymentIntent": "Authorize", "chargeAmount": usd("14.00")});
    // The third merchant's key is not the test key: that row gets the signature error.
    let as_c = w.call("GET", "/v2/checkoutSessions/{their_session}").key_id(&w.c.public_key_id).signed(&w.c);
    vec![
        case("tenancy: get their session",                           get("/v2/checkoutSessions/{their_session}"),                             404, "ResourceNotFound"),
        case("tenancy: update their session",                        send("PATCH", "/v2/checkoutSessions/{their_session}", update),           404, "ResourceNotFound"),
        case("tenancy: complete their session",                      send("POST", "/v2/checkoutSessions/{their_session}/complete", complete), 404, "ResourceNotFound"),
        case("tenancy: finalize their session",                      send("POST", "/v2/checkoutSessions/{their_session}/finalize", finalize), 404, "ResourceNotFound"),
        case("tenancy: get their charge permission",                 get("/v2/chargePermissions/{their_permission}"),                         404, "ResourceNotFound"),
        case("tenancy: get their charge",                            get("/v2/charges/{their_charge}"),                                       404, "ResourceNotFound"),
        case("tenancy: get their session as a third merchant",       as_c,                                                                    403, "InvalidRequestSignature"),
        case("tenancy: unknown session id",                          get("/v2/checkoutSessions/00000000-0000-4000-8000-000000000000"),        404, "ResourceNotFound"),
        case("tenancy: unknown charge permission id",                get("/v2/chargePermissions/S01-0000000-0000000"),                        404, "ResourceNotFound"),
        case("tenancy: unknown charge id",                           get("/v2/charges/S01-0000000-0000000-C000000"),                          404, "ResourceNotFound"),
        case("tenancy: a charge permission id on the charges path",  get("/v2/charges/{permission}"),                                         404, "ResourceNotFound"),
        case("tenancy: a charge id on the charge permissions path",  get("/v2/chargePermissions/{charge}"),                                   404, "ResourceNotFound"),
        case("tenancy: a session id on the charge permissions path", get("/v2/chargePermissions/{session}"),                                  404, "ResourceNotFound"),
    ]
}

/// Paths that only look like a route: traversal, doubled or encoded slashes, junk in ids, other
/// API versions and prefixes. Each is sent signed, with `{}` as the body.
#[rustfmt::skip]
pub(super) fn paths(w: &World) -> Vec<Case> {
    let long = format!("/v2/checkoutSessions/{}", "a".repeat(8_000));
    let rows: &[(&str, &str, &str, u16, &str)] = &[
        ("dot-dot id",                  "GET",  "/v2/checkoutSessions/..",                                  404, "ResourceNotFound"),
        ("encoded dot-dot id",          "GET",  "/v2/checkoutSessions/%2e%2e",                              404, "ResourceNotFound"),
        ("dot-dot segment",             "GET",  "/v2/checkoutSessions/x/../{open}",                         404, "ResourceNotFound"),
        ("dot-dot before the version",  "GET",  "/v2/../v2/checkoutSessions/{open}",                        404, "ResourceNotFound"),
        ("encoded dot-dot segment",     "GET",  "/v2/checkoutSessions/%2e%2e/checkoutSessions/{open}",      404, "ResourceNotFound"),
        ("leading double slash",        "GET",  "//v2/checkoutSessions/{open}",                             404, "ResourceNotFound"),
        ("inner double slash",          "GET",  "/v2//checkoutSessions/{open}",                             404, "ResourceNotFound"),
        ("double slash before the id",  "GET",  "/v2/checkoutSessions//{open}",                             404, "ResourceNotFound"),
        ("two trailing slashes",        "GET",  "/v2/checkoutSessions/{open}//",                            404, "ResourceNotFound"),
        ("encoded slash",               "GET",  "/v2/checkoutSessions/{open}%2Fcomplete",                   404, "ResourceNotFound"),
        ("encoded backslash",           "GET",  "/v2/checkoutSessions/..%5C{open}",                         404, "ResourceNotFound"),
        ("extra segment",               "POST", "/v2/checkoutSessions/{open}/complete/now",                 404, "ResourceNotFound"),
        ("trailing garbage on the id",  "GET",  "/v2/checkoutSessions/{open}x",                             404, "ResourceNotFound"),
        ("matrix parameter",            "GET",  "/v2/checkoutSessions/{open};jsessionid=1",                 404, "ResourceNotFound"),
        ("encoded NUL in the id",       "GET",  "/v2/checkoutSessions/{open}%00",                           404, "ResourceNotFound"),
        ("8000-character id",           "GET",  &long,                                                      404, "ResourceNotFound"),
        ("SQL in a session id",         "GET",  "/v2/checkoutSessions/%27%20OR%20%271%27%3D%271",           404, "ResourceNotFound"),
        ("SQL in a permission id",      "GET",  "/v2/chargePermissions/{permission}%27--",                  404, "ResourceNotFound"),
        ("SQL wildcard in a charge id", "GET",  "/v2/charges/S01-%25",                                      404, "ResourceNotFound"),
        ("HTML in an id",               "GET",  "/v2/checkoutSessions/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404, "ResourceNotFound"),
        ("non-ASCII id",                "GET",  "/v2/checkoutSessions/%C3%A9",                              404, "ResourceNotFound"),
        ("version v1",                  "GET",  "/v1/checkoutSessions/{open}",                              404, "ResourceNotFound"),
        ("version v3",                  "GET",  "/v3/checkoutSessions/{open}",                              404, "ResourceNotFound"),
        ("version V2 in upper case",    "GET",  "/V2/checkoutSessions/{open}",                              404, "ResourceNotFound"),
        ("resource in another case",    "GET",  "/v2/CheckoutSessions/{open}",                              404, "ResourceNotFound"),
        ("legacy prefix with v1",       "GET",  "/sandbox/v1/checkoutSessions/{open}",                      404, "ResourceNotFound"),
        ("unknown environment prefix",  "GET",  "/test/v2/checkoutSessions/{open}",                         404, "ResourceNotFound"),
        // Schemathesis (tests/python/test_contract.py) sent this before docs/openapi.json listed 404 on creates.
        ("unknown environment, create", "POST", "/AAA/v2/checkoutSessions",                                 404, "ResourceNotFound"),
        ("version root",                "GET",  "/v2",                                                      404, "ResourceNotFound"),
        ("root",                        "GET",  "/",                                                        404, "ResourceNotFound"),
        ("unknown resource",            "GET",  "/v2/payments/1",                                           404, "ResourceNotFound"),
    ];
    rows.iter()
        .map(|&(name, method, path, status, reason)| case(format!("path: {name}"), w.call(method, path).json(json!({})).signed(&w.a), status, reason))
        .collect()
}

/// Signed requests with a method the route does not take, and one unsigned.
#[rustfmt::skip]
pub(super) fn methods(w: &World) -> Vec<Case> {
    let rows: &[(&str, &str, u16, &str)] = &[
        ("DELETE",  "/v2/checkoutSessions/{open}",            405, "RequestNotSupported"),
        ("PUT",     "/v2/checkoutSessions/{open}",            405, "RequestNotSupported"),
        ("POST",    "/v2/checkoutSessions/{open}",            405, "RequestNotSupported"),
        ("OPTIONS", "/v2/checkoutSessions/{open}",            405, "RequestNotSupported"),
        ("TRACE",   "/v2/checkoutSessions/{open}",            405, "RequestNotSupported"),
        ("PURGE",   "/v2/checkoutSessions/{open}",            405, "RequestNotSupported"),
        ("GET",     "/v2/checkoutSessions",                   405, "RequestNotSupported"),
        ("DELETE",  "/v2/checkoutSessions",                   405, "RequestNotSupported"),
        ("GET",     "/v2/checkoutSessions/{open}/complete",   405, "RequestNotSupported"),
        ("PATCH",   "/v2/checkoutSessions/{open}/complete",   405, "RequestNotSupported"),
        ("PUT",     "/v2/checkoutSessions/{open}/finalize",   405, "RequestNotSupported"),
        ("DELETE",  "/v2/chargePermissions/{permission}",     405, "RequestNotSupported"),
        ("PUT",     "/v2/charges/{charge}",                   405, "RequestNotSupported"),
        // An encoded slash does not split the path: this is the session route, which has no POST.
        ("POST",    "/v2/checkoutSessions/{open}%2Fcomplete", 405, "RequestNotSupported"),
    ];
    let open = w.path("/v2/checkoutSessions/{open}");
    rows.iter()
        .map(|&(method, path, status, reason)| case(format!("method: {method} {path}"), w.call(method, path).signed(&w.a), status, reason))
        .chain([case("method: unsigned DELETE", unsigned("DELETE", &open), 405, "RequestNotSupported")])
        .collect()
}
