//! The admin API: missing or wrong tokens, bad bodies, unknown or traversing ids.

use axum::body::Body;
use axum::http::{Method, Request};

use super::{Case, World, case};
use crate::helpers::ADMIN_TOKEN;

/// A row of [`admin`]: name, method, path, bearer token, body, status, `reasonCode`.
type AdminRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a [u8],
    u16,
    &'static str,
);

/// Admin requests with a bad token, body or id.
#[rustfmt::skip]
pub(super) fn admin(w: &World) -> Vec<Case> {
    let merchants = "/__admin/merchants";
    let token = Some(ADMIN_TOKEN);
    let unknown_session = "/__admin/checkoutSessions/00000000-0000-4000-8000-000000000000/pay";
    let traversal = "/__admin/checkoutSessions/..%2F..%2Fmerchants/pay";
    let garbage_key = br#"{"publicKeyPem":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}"#;
    let rows: &[AdminRow] = &[
        ("no token",                             "GET",  merchants,                                     None,                    b"",                          401, "UnauthorizedAccess"),
        ("wrong token",                          "GET",  merchants,                                     Some("nope"),            b"",                          401, "UnauthorizedAccess"),
        ("token with a prefix of the right one", "GET",  merchants,                                     Some(&ADMIN_TOKEN[..4]), b"",                          401, "UnauthorizedAccess"),
        ("broken JSON",                          "POST", merchants,                                     token,                   b"{\"region\":",              400, "InvalidRequestFormat"),
        ("unknown field",                        "POST", merchants,                                     token,                   br#"{"owner":"me"}"#,         400, "UnrecognizedField"),
        ("unknown region",                       "POST", merchants,                                     token,                   br#"{"region":"mars"}"#,      400, "InvalidParameterValue"),
        ("garbage public key",                   "POST", merchants,                                     token,                   garbage_key,                  400, "InvalidParameterValue"),
        ("buyer action on an unknown session",   "POST", unknown_session,                               token,                   b"{}",                        404, "ResourceNotFound"),
        ("buyer action with a traversal id",     "POST", traversal,                                     token,                   b"{}",                        404, "ResourceNotFound"),
        ("clock of an unknown merchant",         "GET",  "/__admin/merchants/NOPE/clock",               token,                   b"",                          404, "ResourceNotFound"),
        ("clock advanced by garbage",            "POST", "/__admin/merchants/{merchant}/clock/advance", token,                   br#"{"duration":"forever"}"#, 400, "InvalidParameterValue"),
    ];
    rows.iter()
        .map(|&(name, method, path, token, body, status, reason)| case(format!("admin: {name}"), request(method, &w.path(path), token, body), status, reason))
        .collect()
}

/// An admin request with `token` as its bearer token, if any.
fn request(method: &str, path: &str, token: Option<&str>, body: &[u8]) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(path)
        .header("content-type", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_vec())).unwrap()
}
