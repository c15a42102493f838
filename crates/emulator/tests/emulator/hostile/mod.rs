//! Hostile input: tables of malformed or malicious requests, each answered with its documented
//! status and `reasonCode` in Amazon's `{"reasonCode","message"}` shape (never a 5xx), and
//! leaving every stored object exactly as it was.
//!
//! The tables run against one [`World`]: two merchants sharing the test key, each with a
//! completed checkout (session, charge permission, charge), one open session, and a third
//! merchant whose key pair the emulator generated (so the test key's signatures do not verify
//! for it). The world records a [`Snapshot`] of what the merchants can see once it is built.
//! Each table is a function from the world to its rows, one row per case: a name, the request,
//! and the status and `reasonCode` it must get. [`check`] sends every row, checks the answer,
//! and compares a fresh snapshot with the baseline.
//!
//! Rows name the world's ids in plain strings (`{open}`, `{their_charge}`, ...), which
//! [`World::path`] fills in. The tables follow the families of the design's bad-input list
//! (design.md §8), one file per area:
//! - `bodies`: broken JSON, sizes, wrong types and values, unknown fields, Update, Complete and
//!   Finalize bodies;
//! - `headers`: dates, the host and region headers, idempotency keys;
//! - `signatures`: the `authorization` header, key ids, tampered and replayed signatures;
//! - `routes`: another merchant's ids, path tricks, methods;
//! - `admin`: the admin API.

mod admin;
mod bodies;
mod headers;
mod routes;
mod signatures;

use amzpay_emulator_core::ids::MerchantId;
use amzpay_emulator_store::ObjectKind;
use amzpay_signing::format_amz_date;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request};
use serde_json::{Value, json};

use crate::helpers::*;

/// A completed checkout's ids.
struct Completed {
    session: String,
    permission: String,
    charge: String,
}

/// The stored state a table runs against.
struct World {
    app: TestApp,
    a: Merchant,
    b: Merchant,
    /// A merchant whose key is not the test key: signatures made with it do not verify.
    c: Merchant,
    /// An `Open` session of `a` with everything set for the payment step.
    open: String,
    done: Completed,
    b_done: Completed,
    /// The idempotency key of `a`'s accepted Create Checkout Session request.
    used_key: String,
    /// That request's `authorization` and `x-amz-pay-date` headers.
    used_headers: Vec<(HeaderName, HeaderValue)>,
    /// What the merchants could see once the world was built; every row must leave it so.
    baseline: Snapshot,
}

impl World {
    async fn build() -> World {
        let app = spawn_app().await;
        let a = app.merchant().await;
        let b = app.merchant().await;
        let c = {
            let r = app
                .admin(Method::POST, "/__admin/merchants", Some(json!({})))
                .await;
            let v = r.expect(201);
            Merchant {
                merchant_id: v["merchantId"].as_str().unwrap().to_owned(),
                store_id: v["storeId"].as_str().unwrap().to_owned(),
                public_key_id: v["publicKeyId"].as_str().unwrap().to_owned(),
                region: v["region"].as_str().unwrap().to_owned(),
            }
        };
        let used_key = new_key();
        let accepted = Call::new("POST", "/v2/checkoutSessions")
            .json(session_body(&a, Some(authorize("14.00"))))
            .idempotency_key(&used_key)
            .signed(&a);
        let used_headers = ["authorization", "x-amz-pay-date"]
            .into_iter()
            .map(|n| (HeaderName::from_static(n), accepted.headers()[n].clone()))
            .collect();
        let created = app.raw(accepted).await;
        let open = created.expect(201)["checkoutSessionId"]
            .as_str()
            .unwrap()
            .to_owned();
        let done = completed(&app, &a).await;
        let b_done = completed(&app, &b).await;
        let mut world = World {
            app,
            a,
            b,
            c,
            open,
            done,
            b_done,
            used_key,
            used_headers,
            baseline: Snapshot(Vec::new()),
        };
        world.baseline = world.snapshot().await;
        world
    }

    /// Everything the merchants can see: each known object as `GET` answers it (status and
    /// bytes), the number of stored objects of each kind per merchant, and the merchants.
    async fn snapshot(&self) -> Snapshot {
        let mut seen = Vec::new();
        for (m, done, extra) in [
            (&self.a, &self.done, Some(&self.open)),
            (&self.b, &self.b_done, None),
        ] {
            let mut paths = vec![
                format!("/v2/checkoutSessions/{}", done.session),
                format!("/v2/chargePermissions/{}", done.permission),
                format!("/v2/charges/{}", done.charge),
            ];
            paths.extend(extra.map(|id| format!("/v2/checkoutSessions/{id}")));
            for path in paths {
                let r = self.app.get(m, &path).await;
                seen.push(format!(
                    "{path}: {} {}",
                    r.status.as_u16(),
                    String::from_utf8_lossy(&r.raw)
                ));
            }
        }
        for m in [&self.a, &self.b, &self.c] {
            let id = MerchantId::parse(&m.merchant_id).unwrap();
            for kind in [
                ObjectKind::CheckoutSession,
                ObjectKind::ChargePermission,
                ObjectKind::Charge,
                ObjectKind::Refund,
            ] {
                let n = self
                    .app
                    .state
                    .store()
                    .count_objects(&id, kind)
                    .await
                    .unwrap();
                seen.push(format!("{} {kind:?}: {n}", m.merchant_id));
            }
        }
        let merchants = self.app.state.store().merchants().await.unwrap();
        seen.push(format!("merchants: {}", merchants.len()));
        Snapshot(seen)
    }

    /// `template` with the world's ids in place of `{open}` (the open session), `{session}`,
    /// `{permission}` and `{charge}` (`a`'s completed checkout), `{their_session}`,
    /// `{their_permission}` and `{their_charge}` (`b`'s), `{key}` (`a`'s public key id) and
    /// `{merchant}` (`a`'s merchant id), so that rows can name them in plain strings.
    fn path(&self, template: &str) -> String {
        [
            ("{open}", &self.open),
            ("{session}", &self.done.session),
            ("{permission}", &self.done.permission),
            ("{charge}", &self.done.charge),
            ("{their_session}", &self.b_done.session),
            ("{their_permission}", &self.b_done.permission),
            ("{their_charge}", &self.b_done.charge),
            ("{key}", &self.a.public_key_id),
            ("{merchant}", &self.a.merchant_id),
        ]
        .into_iter()
        .fold(template.to_owned(), |s, (name, id)| s.replace(name, id))
    }

    /// The body of `a`'s accepted Create Checkout Session request: Authorize, 14.00 USD.
    fn base(&self) -> Value {
        session_body(&self.a, Some(authorize("14.00")))
    }

    /// A Create Checkout Session call with a fresh idempotency key and no body yet.
    fn create(&self) -> Call {
        Call::new("POST", "/v2/checkoutSessions").idempotency_key(&new_key())
    }

    /// Create Checkout Session with `body` as it is, signed by `a`.
    fn create_raw(&self, body: &[u8]) -> Request<Body> {
        self.create().body(body).signed(&self.a)
    }

    /// Create Checkout Session with [`World::base`] where the JSON pointer `pointer` is set to
    /// `value`, signed by `a`.
    fn create_with(&self, pointer: &str, value: Value) -> Request<Body> {
        self.create()
            .json(set(self.base(), pointer, value))
            .signed(&self.a)
    }

    /// A call of `method` on `path` (a [`World::path`] template) with no body.
    fn call(&self, method: &str, path: &str) -> Call {
        Call::new(method, &self.path(path))
    }

    /// Get Checkout Session of the open session, for `a` to sign.
    fn get_open(&self) -> Call {
        self.call("GET", "/v2/checkoutSessions/{open}")
    }

    /// `a`'s accepted Create Checkout Session request sent again (same idempotency key, same
    /// `authorization` and `x-amz-pay-date`) to `path` with `body`.
    fn replay(&self, path: &str, body: &[u8]) -> Request<Body> {
        let mut r = Request::builder()
            .method(Method::POST)
            .uri(self.path(path))
            .header("accept", "application/json")
            .header("content-type", "application/json")
            .header("x-amz-pay-host", "pay-api.amazon.com")
            .header("x-amz-pay-region", self.a.region.as_str())
            .header("x-amz-pay-idempotency-key", self.used_key.as_str())
            .body(Body::from(body.to_vec()))
            .unwrap();
        for (n, v) in &self.used_headers {
            r.headers_mut().insert(n.clone(), v.clone());
        }
        r
    }
}

/// What a [`World`] looks like from outside; equal snapshots mean nothing changed.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot(Vec<String>);

/// Creates a session for `m`, pays with a succeeding instrument and completes it.
async fn completed(app: &TestApp, m: &Merchant) -> Completed {
    let session = app.ready_session(m, authorize("14.00")).await;
    app.pay(&session, "1111").await.expect(200);
    let r = app
        .complete(m, &session, json!({"chargeAmount": usd("14.00")}))
        .await;
    let v = r.expect(200);
    Completed {
        permission: v["chargePermissionId"].as_str().unwrap().to_owned(),
        charge: v["chargeId"].as_str().unwrap().to_owned(),
        session,
    }
}

/// One row of a table: a request and the `(status, reasonCode)` it must get.
struct Case {
    name: String,
    request: Request<Body>,
    status: u16,
    reason: &'static str,
}

fn case(
    name: impl Into<String>,
    request: Request<Body>,
    status: u16,
    reason: &'static str,
) -> Case {
    Case {
        name: name.into(),
        request,
        status,
        reason,
    }
}

/// Sends every case of a table in order and fails with the list of all the mishandled ones.
///
/// A case is handled when the answer has its status and `reasonCode`, the body is exactly
/// `{"reasonCode","message"}`, the `x-amz-pay-request-id` header is there, and the world's
/// snapshot afterwards equals its baseline.
async fn check(w: &World, cases: impl IntoIterator<Item = Case>) {
    let mut total = 0;
    let mut failures = Vec::new();
    for case in cases {
        total += 1;
        failures.extend(check_one(w, case).await);
    }
    assert!(total > 0, "the table is empty");
    assert!(
        failures.is_empty(),
        "{} of {total} hostile requests were mishandled:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Sends one case and returns what is wrong with the answer or the state afterwards, if anything.
async fn check_one(w: &World, case: Case) -> Option<String> {
    let r = w.app.raw(case.request).await;
    let mut problems = Vec::new();
    let got = (r.status.as_u16(), r.reason());
    if got != (case.status, case.reason) {
        problems.push(format!(
            "answered {} {} instead of {} {}",
            got.0, got.1, case.status, case.reason
        ));
    }
    let shape_ok = r.body.as_object().is_some_and(|o| {
        o.len() == 2
            && o["reasonCode"].is_string()
            && o.get("message").is_some_and(Value::is_string)
    });
    if !shape_ok {
        problems.push("the body is not {\"reasonCode\",\"message\"}".to_owned());
    }
    if !r.headers.contains_key("x-amz-pay-request-id") {
        problems.push("no x-amz-pay-request-id header".to_owned());
    }
    let after = w.snapshot().await;
    if after != w.baseline {
        let changed: Vec<&String> = after
            .0
            .iter()
            .filter(|s| !w.baseline.0.contains(s))
            .collect();
        problems.push(format!("the stored state changed: now {changed:?}"));
    }
    (!problems.is_empty()).then(|| {
        format!(
            "{}: {}\n    body: {}",
            case.name,
            problems.join("; "),
            String::from_utf8_lossy(&r.raw[..r.raw.len().min(300)])
        )
    })
}

/// `value` with the JSON pointer `pointer` set to `to`.
fn set(mut value: Value, pointer: &str, to: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut value
    } else {
        value.pointer_mut(parent).unwrap()
    };
    target[key] = to;
    value
}

/// `request` with the header `name` removed after signing.
fn without(mut request: Request<Body>, name: &'static str) -> Request<Body> {
    request.headers_mut().remove(name);
    request
}

/// `request` with the header `name` set to the raw bytes `value` after signing (replacing
/// what was there).
fn replaced(mut request: Request<Body>, name: &'static str, value: &[u8]) -> Request<Body> {
    let value = HeaderValue::from_bytes(value).unwrap();
    request.headers_mut().insert(name, value);
    request
}

/// `request` with one more `name` header of `value` added after signing.
fn appended(mut request: Request<Body>, name: &'static str, value: &[u8]) -> Request<Body> {
    let value = HeaderValue::from_bytes(value).unwrap();
    request.headers_mut().append(name, value);
    request
}

/// `request` with its `authorization` header rewritten by `edit` after signing.
fn reauthorized(request: Request<Body>, edit: impl FnOnce(&str) -> String) -> Request<Body> {
    let v = edit(request.headers()["authorization"].to_str().unwrap());
    replaced(request, "authorization", v.as_bytes())
}

/// `request` sent to `uri` instead of the one it was signed for.
fn redirected(mut request: Request<Body>, uri: &str) -> Request<Body> {
    *request.uri_mut() = uri.parse().unwrap();
    request
}

/// `request` sent with `method` instead of the one it was signed for.
fn remethoded(mut request: Request<Body>, method: Method) -> Request<Body> {
    *request.method_mut() = method;
    request
}

/// A request to `path` with no signature at all (routing answers before authentication).
fn unsigned(method: &str, path: &str) -> Request<Body> {
    Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(path)
        .body(Body::empty())
        .unwrap()
}

/// The `x-amz-pay-date` of `seconds` from now.
fn date_offset(seconds: i64) -> String {
    format_amz_date(time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds))
}

/// Every table, in the order they run.
const TABLES: &[fn(&World) -> Vec<Case>] = &[
    bodies::broken_json,
    bodies::sizes,
    bodies::wrong_values,
    bodies::unknown_fields,
    bodies::other_bodies,
    headers::dates,
    headers::region_and_host,
    headers::idempotency_keys,
    signatures::authorization,
    signatures::key_ids,
    signatures::tampered,
    routes::tenancy,
    routes::paths,
    routes::methods,
    admin::admin,
];

// One test runs every table against one world: each test process generates the RSA test key
// and builds a world (a few seconds in a debug build), and `check` already names every
// mishandled row, so a test per table would cost time and tell nothing more.
#[tokio::test]
async fn every_hostile_request_gets_its_documented_error_and_changes_nothing() {
    // Arrange
    let w = World::build().await;
    let cases: Vec<Case> = TABLES.iter().flat_map(|table| table(&w)).collect();
    assert!(
        cases.len() >= 100,
        "the tables have only {} rows",
        cases.len()
    );

    // Act and assert
    check(&w, cases).await;
}
