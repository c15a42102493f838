//! Hostile input: one table of malformed or malicious requests, each answered with its
//! documented status and `reasonCode` in Amazon's `{"reasonCode","message"}` shape (never a 5xx),
//! and leaving every stored object exactly as it was.
//!
//! The table runs against one [`World`]: two merchants sharing the test key, each with a
//! completed checkout (session, charge permission, charge), one open session, and a third
//! merchant whose key pair the emulator generated (so the test key's signatures do not verify
//! for it). [`Snapshot`] records what the merchants can see before the table runs; [`check`]
//! sends one request, checks the answer, and compares a fresh snapshot with that baseline.

use amzpay_emulator_core::ObjectKind;
use amzpay_emulator_core::ids::MerchantId;
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

/// The stored state the table runs against.
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
        World {
            app,
            a,
            b,
            c,
            open,
            done,
            b_done,
            used_key,
            used_headers,
        }
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

/// One row of the table: a request and the `(status, reasonCode)` it must get.
struct Case {
    name: String,
    request: Request<Body>,
    status: u16,
    reason: &'static str,
}

/// Sends a case and returns what is wrong with the answer or the state afterwards, if anything.
async fn check(w: &World, baseline: &Snapshot, case: Case) -> Option<String> {
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
    if after != *baseline {
        let changed: Vec<&String> = after.0.iter().filter(|s| !baseline.0.contains(s)).collect();
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

/// A request with its headers edited after signing (the signature no longer covers them).
fn edited(
    mut request: Request<Body>,
    edit: impl FnOnce(&mut axum::http::HeaderMap),
) -> Request<Body> {
    edit(request.headers_mut());
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

fn admin(method: &str, path: &str, token: Option<&str>, body: &[u8]) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(path)
        .header("content-type", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_vec())).unwrap()
}

fn date_offset(seconds: i64) -> String {
    format_amz_date(time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds))
}

/// The table. Each section is a family of the design's bad-input list (design.md §8).
fn table(w: &World) -> Vec<Case> {
    let a = &w.a;
    let open = format!("/v2/checkoutSessions/{}", w.open);
    let complete = format!("{open}/complete");
    let finalize = format!("{open}/finalize");
    let base = session_body(a, Some(authorize("14.00")));
    let create = || Call::new("POST", "/v2/checkoutSessions").idempotency_key(&new_key());
    let create_raw = |body: &[u8]| create().body(body).signed(a);
    let create_json = |body: Value| create().json(body).signed(a);
    let get_open = || Call::new("GET", &open);
    let mut t = Vec::new();

    // ---- Broken JSON ------------------------------------------------------------------
    for (name, body) in [
        ("empty body", &b""[..]),
        ("whitespace body", b" \r\n\t "),
        ("lone brace", b"{"),
        ("truncated object", br#"{"storeId":"#),
        ("truncated string", br#"{"storeId":"amzn1"#),
        ("single quotes", br#"{'storeId':'x'}"#),
        ("trailing comma", br#"{"storeId":"x",}"#),
        ("comment", br#"{/* hi */"storeId":"x"}"#),
        ("bare word", b"{storeId: 1}"),
        ("two objects", b"{}{}"),
        ("trailing garbage", b"{} trailing"),
        ("array body", b"[]"),
        ("null body", b"null"),
        ("string body", br#""{}""#),
        ("number body", b"42"),
        ("byte order mark", b"\xEF\xBB\xBF{}"),
        ("NaN literal", br#"{"storeId":NaN}"#),
        ("raw NUL byte in a string", b"{\"storeId\":\"a\x00b\"}"),
        ("raw NUL byte after the object", b"{}\x00"),
        ("invalid UTF-8 in a string", b"{\"storeId\":\"\xff\xfe\"}"),
        ("overlong UTF-8 encoding", b"{\"storeId\":\"\xc0\xaf\"}"),
        ("invalid UTF-8 in a key", b"{\"\xff\":1}"),
        ("lone surrogate escape", br#"{"storeId":"\ud800"}"#),
        ("unescaped control character", b"{\"storeId\":\"a\nb\"}"),
    ] {
        t.push(case(
            format!("create: {name}"),
            create_raw(body),
            400,
            "InvalidRequestFormat",
        ));
    }
    let deep_arrays = format!("{{\"storeId\":{}", "[".repeat(100_000));
    t.push(case(
        "create: 100k nested arrays",
        create_raw(deep_arrays.as_bytes()),
        400,
        "InvalidRequestFormat",
    ));
    let deep_objects = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    // Valid JSON: the first key is the problem, however deep its value goes.
    t.push(case(
        "create: 10k nested objects (balanced)",
        create_raw(deep_objects.as_bytes()),
        400,
        "UnrecognizedField",
    ));
    let deep_known = format!(
        "{{\"webCheckoutDetails\":{}}}",
        "{\"checkoutMode\":".repeat(5_000)
    );
    t.push(case(
        "create: deep nesting under a known field",
        create_raw(deep_known.as_bytes()),
        400,
        "InvalidRequestFormat",
    ));

    // ---- Size -------------------------------------------------------------------------
    let huge = set(
        base.clone(),
        "/merchantMetadata",
        json!({"noteToBuyer": "x".repeat(300 * 1024)}),
    );
    t.push(case(
        "create: 300 KiB body",
        create_json(huge.clone()),
        413,
        "RequestEntityTooLarge",
    ));
    t.push(case(
        "create: 300 KiB body declared in content-length",
        edited(create_json(huge), |h| {
            h.insert("content-length", HeaderValue::from(300 * 1024 + 200));
        }),
        413,
        "RequestEntityTooLarge",
    ));
    t.push(case(
        "create: content-length of 1 TB on a small body",
        edited(create_json(base.clone()), |h| {
            h.insert("content-length", HeaderValue::from(1u64 << 40));
        }),
        413,
        "RequestEntityTooLarge",
    ));
    t.push(case(
        "create: 2 MiB of spaces",
        create_raw(&vec![b' '; 2 << 20]),
        413,
        "RequestEntityTooLarge",
    ));

    // ---- Wrong types and values -------------------------------------------------------
    let bad_values: Vec<(&str, &str, Value, &str)> = vec![
        (
            "storeId as a number",
            "/storeId",
            json!(123),
            "InvalidParameterValue",
        ),
        (
            "storeId as an object",
            "/storeId",
            json!({}),
            "InvalidParameterValue",
        ),
        (
            "storeId with a NUL",
            "/storeId",
            json!(format!("{}\u{0}", a.store_id)),
            "InvalidParameterValue",
        ),
        (
            "storeId of another merchant",
            "/storeId",
            json!(w.b.store_id),
            "InvalidParameterValue",
        ),
        (
            "webCheckoutDetails as a string",
            "/webCheckoutDetails",
            json!("x"),
            "InvalidParameterValue",
        ),
        (
            "webCheckoutDetails as an array",
            "/webCheckoutDetails",
            json!([]),
            "InvalidParameterValue",
        ),
        (
            "review URL as a number",
            "/webCheckoutDetails/checkoutReviewReturnUrl",
            json!(1),
            "InvalidParameterValue",
        ),
        (
            "paymentDetails as an array",
            "/paymentDetails",
            json!([1]),
            "InvalidParameterValue",
        ),
        (
            "paymentIntent as a number",
            "/paymentDetails/paymentIntent",
            json!(1),
            "InvalidParameterValue",
        ),
        (
            "paymentIntent in lower case",
            "/paymentDetails/paymentIntent",
            json!("authorize"),
            "InvalidParameterValue",
        ),
        (
            "canHandlePendingAuthorization as a string",
            "/paymentDetails/canHandlePendingAuthorization",
            json!("yes"),
            "InvalidParameterValue",
        ),
        (
            "chargeAmount as an array",
            "/paymentDetails/chargeAmount",
            json!(["1.00", "USD"]),
            "InvalidParameterValue",
        ),
        (
            "chargeAmount as a string",
            "/paymentDetails/chargeAmount",
            json!("14.00 USD"),
            "InvalidParameterValue",
        ),
        (
            "amount as an object",
            "/paymentDetails/chargeAmount/amount",
            json!({"v": 1}),
            "InvalidParameterValue",
        ),
        (
            "amount as null",
            "/paymentDetails/chargeAmount/amount",
            Value::Null,
            "InvalidParameterValue",
        ),
        (
            "amount NaN",
            "/paymentDetails/chargeAmount/amount",
            json!("NaN"),
            "InvalidParameterValue",
        ),
        (
            "amount Infinity",
            "/paymentDetails/chargeAmount/amount",
            json!("Infinity"),
            "InvalidParameterValue",
        ),
        (
            "amount in hex",
            "/paymentDetails/chargeAmount/amount",
            json!("0x10"),
            "InvalidParameterValue",
        ),
        (
            "amount empty",
            "/paymentDetails/chargeAmount/amount",
            json!(""),
            "InvalidParameterValue",
        ),
        (
            "amount with 5000 digits",
            "/paymentDetails/chargeAmount/amount",
            json!("9".repeat(5000)),
            "InvalidParameterValue",
        ),
        (
            "amount with a NUL",
            "/paymentDetails/chargeAmount/amount",
            json!("1\u{0}.00"),
            "InvalidParameterValue",
        ),
        (
            "currency unknown",
            "/paymentDetails/chargeAmount/currencyCode",
            json!("XXX"),
            "InvalidParameterValue",
        ),
        (
            "currency as a number",
            "/paymentDetails/chargeAmount/currencyCode",
            json!(840),
            "InvalidParameterValue",
        ),
        (
            "currency with a NUL",
            "/paymentDetails/chargeAmount/currencyCode",
            json!("US\u{0}D"),
            "InvalidParameterValue",
        ),
        (
            "merchantMetadata as an array",
            "/merchantMetadata",
            json!([]),
            "InvalidParameterValue",
        ),
    ];
    for (name, pointer, value, reason) in bad_values {
        t.push(case(
            format!("create: {name}"),
            create_json(set(base.clone(), pointer, value)),
            400,
            reason,
        ));
    }
    let huge_number = serde_json::to_string(&base)
        .unwrap()
        .replace("\"14.00\"", "1e400");
    t.push(case(
        "create: amount 1e400 as a JSON number",
        create_raw(huge_number.as_bytes()),
        400,
        "InvalidParameterValue",
    ));
    let negative_zero = serde_json::to_string(&base)
        .unwrap()
        .replace("\"14.00\"", "-0.0");
    t.push(case(
        "create: amount -0.0 as a JSON number",
        create_raw(negative_zero.as_bytes()),
        400,
        "InvalidParameterValue",
    ));
    let duplicated =
        serde_json::to_string(&base)
            .unwrap()
            .replacen('{', "{\"storeId\":\"other\",", 1);
    t.push(case(
        "create: a key given twice",
        create_raw(duplicated.as_bytes()),
        400,
        "InvalidRequestFormat",
    ));

    // ---- Unknown fields -----------------------------------------------------------------
    for (name, pointer) in [
        ("unknown top-level field", "/foo"),
        ("field name in another case", "/StoreId"),
        ("read-only checkoutSessionId", "/checkoutSessionId"),
        ("__proto__", "/__proto__"),
        (
            "unknown field in webCheckoutDetails",
            "/webCheckoutDetails/foo",
        ),
        (
            "read-only amazonPayRedirectUrl",
            "/webCheckoutDetails/amazonPayRedirectUrl",
        ),
        (
            "unknown field in chargeAmount",
            "/paymentDetails/chargeAmount/precision",
        ),
        (
            "unknown field in paymentDetails",
            "/paymentDetails/captureNow",
        ),
    ] {
        t.push(case(
            format!("create: {name}"),
            create_json(set(base.clone(), pointer, json!(1))),
            400,
            "UnrecognizedField",
        ));
    }
    t.push(case(
        "create: unknown field in merchantMetadata",
        create_json(set(
            base.clone(),
            "/merchantMetadata",
            json!({"orderId": "1"}),
        )),
        400,
        "UnrecognizedField",
    ));

    // ---- Update, Complete, Finalize bodies ----------------------------------------------
    let patch = |body: &[u8]| Call::new("PATCH", &open).body(body).signed(a);
    let post = |path: &str, body: &[u8]| Call::new("POST", path).body(body).signed(a);
    for (name, request, status, reason) in [
        (
            "update: empty body",
            patch(b""),
            400,
            "InvalidRequestFormat",
        ),
        (
            "update: broken JSON",
            patch(b"{\"paymentDetails\":"),
            400,
            "InvalidRequestFormat",
        ),
        (
            "update: array body",
            patch(b"[{}]"),
            400,
            "InvalidRequestFormat",
        ),
        (
            "update: unknown top-level field",
            patch(br#"{"foo":1}"#),
            400,
            "UnrecognizedField",
        ),
        (
            "update: unknown nested field",
            patch(br#"{"paymentDetails":{"foo":1}}"#),
            400,
            "UnrecognizedField",
        ),
        (
            "update: creation-only storeId",
            patch(br#"{"storeId":"x"}"#),
            400,
            "UnrecognizedField",
        ),
        (
            "update: paymentDetails as a string",
            patch(br#"{"paymentDetails":"x"}"#),
            400,
            "InvalidParameterValue",
        ),
        (
            "update: amount with too many decimals",
            patch(
                br#"{"paymentDetails":{"chargeAmount":{"amount":"1.001","currencyCode":"USD"}}}"#,
            ),
            400,
            "InvalidParameterValue",
        ),
        (
            "update: deep nesting",
            patch(format!("{{\"paymentDetails\":{}", "[".repeat(50_000)).as_bytes()),
            400,
            "InvalidRequestFormat",
        ),
        (
            "update: invalid UTF-8",
            patch(b"{\"merchantMetadata\":{\"merchantStoreName\":\"\xff\"}}"),
            400,
            "InvalidRequestFormat",
        ),
        (
            "complete: broken JSON",
            post(&complete, b"{\"chargeAmount\""),
            400,
            "InvalidRequestFormat",
        ),
        (
            "complete: array body",
            post(&complete, b"[]"),
            400,
            "InvalidRequestFormat",
        ),
        (
            "complete: unknown field",
            post(
                &complete,
                br#"{"chargeAmount":{"amount":"14.00","currencyCode":"USD"},"captureNow":true}"#,
            ),
            400,
            "UnrecognizedField",
        ),
        (
            "complete: chargeAmount as a number",
            post(&complete, br#"{"chargeAmount":14}"#),
            400,
            "InvalidParameterValue",
        ),
        (
            "complete: chargeAmount without currency",
            post(&complete, br#"{"chargeAmount":{"amount":"14.00"}}"#),
            400,
            "MissingParameterValue",
        ),
        (
            "complete: deep nesting",
            post(
                &complete,
                format!("{{\"chargeAmount\":{}", "{\"a\":".repeat(50_000)).as_bytes(),
            ),
            400,
            "InvalidRequestFormat",
        ),
        (
            "complete: 300 KiB body",
            post(&complete, &vec![b' '; 300 * 1024]),
            413,
            "RequestEntityTooLarge",
        ),
        (
            "finalize: empty body",
            post(&finalize, b""),
            400,
            "InvalidRequestFormat",
        ),
        (
            "finalize: unknown field",
            post(
                &finalize,
                br#"{"chargeAmount":{"amount":"1.00","currencyCode":"USD"},"x":1}"#,
            ),
            400,
            "UnrecognizedField",
        ),
    ] {
        t.push(case(name, request, status, reason));
    }

    // ---- Dates --------------------------------------------------------------------------
    for (name, date) in [
        ("date only", "2024-05-24".to_owned()),
        ("a word", "yesterday".to_owned()),
        ("empty", String::new()),
        ("with an offset", "2024-05-24T22:37:10+01:00".to_owned()),
        ("unix seconds", "1716590230".to_owned()),
        ("fractional seconds", "2024-05-24T22:37:10.123Z".to_owned()),
        ("no zone", "20240524T223710".to_owned()),
        ("HTTP date", "Fri, 24 May 2024 22:37:10 GMT".to_owned()),
        ("month 13", "20241324T223710Z".to_owned()),
        ("non-ASCII digits", "２０２４0524T223710Z".to_owned()),
    ] {
        t.push(case(
            format!("date: {name}"),
            get_open().date(&date).signed(a),
            400,
            "InvalidHeaderValue",
        ));
    }
    for (name, date) in [
        ("16 minutes ahead", date_offset(16 * 60)),
        ("16 minutes behind", date_offset(-16 * 60)),
        ("year 9999", "99991231T235959Z".to_owned()),
        ("the epoch", "19700101T000000Z".to_owned()),
    ] {
        t.push(case(
            format!("date: {name}"),
            get_open().date(&date).signed(a),
            403,
            "InvalidRequestSignature",
        ));
    }
    t.push(case(
        "date: skewed on a create",
        create()
            .json(base.clone())
            .date(&date_offset(-20 * 60))
            .signed(a),
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "date: sent twice",
        get_open()
            .header("x-amz-pay-date", &date_offset(0))
            .signed(a),
        400,
        "InvalidHeaderValue",
    ));

    // ---- Signed headers and the authorization header -------------------------------------
    t.push(case(
        "headers: x-amz-pay-date not signed",
        get_open().unsigned("x-amz-pay-date").signed(a),
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "headers: x-amz-pay-host not signed",
        get_open().unsigned("x-amz-pay-host").signed(a),
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "headers: signed x-amz-pay-date removed",
        edited(get_open().signed(a), |h| {
            h.remove("x-amz-pay-date");
        }),
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "headers: signed x-amz-pay-host removed",
        edited(get_open().signed(a), |h| {
            h.remove("x-amz-pay-host");
        }),
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "headers: signed x-amz-pay-host changed",
        edited(get_open().signed(a), |h| {
            h.insert("x-amz-pay-host", HeaderValue::from_static("evil.example"));
        }),
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "headers: signed header repeated after signing",
        edited(get_open().signed(a), |h| {
            h.append(
                "x-amz-pay-host",
                HeaderValue::from_static("pay-api.amazon.com"),
            );
        }),
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "headers: non-ASCII x-amz-pay-region (unsigned)",
        edited(get_open().unsigned("x-amz-pay-region").signed(a), |h| {
            h.insert(
                "x-amz-pay-region",
                HeaderValue::from_bytes("n\u{e4}".as_bytes()).unwrap(),
            );
        }),
        400,
        "InvalidHeaderValue",
    ));
    t.push(case(
        "headers: non-ASCII x-amz-pay-region (signed)",
        get_open().header("x-amz-pay-region", "\u{fc}s").signed(a),
        400,
        "InvalidHeaderValue",
    ));
    t.push(case(
        "headers: two x-amz-pay-region values",
        get_open().header("x-amz-pay-region", "eu").signed(a),
        400,
        "InvalidHeaderValue",
    ));
    t.push(case(
        "headers: empty x-amz-pay-region",
        edited(get_open().unsigned("x-amz-pay-region").signed(a), |h| {
            h.insert("x-amz-pay-region", HeaderValue::from_static(""));
        }),
        400,
        "InvalidHeaderValue",
    ));
    t.push(case(
        "headers: another region",
        get_open().signed(&Merchant {
            region: "jp".into(),
            ..a.clone()
        }),
        400,
        "InvalidHeaderValue",
    ));
    t.push(case(
        "authorization: missing",
        edited(get_open().signed(a), |h| {
            h.remove("authorization");
        }),
        400,
        "MissingHeader",
    ));
    let key = &a.public_key_id;
    for (name, value) in [
        ("empty", String::new()),
        ("garbage", "garbage".to_owned()),
        ("a bearer token", "Bearer abc.def.ghi".to_owned()),
        ("algorithm only", "AMZN-PAY-RSASSA-PSS-V2".to_owned()),
        (
            "unknown algorithm",
            format!(
                "AMZN-PAY-HMAC-SHA1 PublicKeyId={key}, SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature=AAAA"
            ),
        ),
        (
            "lower-case algorithm",
            format!(
                "amzn-pay-rsassa-pss-v2 PublicKeyId={key}, SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature=AAAA"
            ),
        ),
        (
            "no Signature",
            format!(
                "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId={key}, SignedHeaders=x-amz-pay-date;x-amz-pay-host"
            ),
        ),
        (
            "no SignedHeaders",
            format!("AMZN-PAY-RSASSA-PSS-V2 PublicKeyId={key}, Signature=AAAA"),
        ),
        (
            "empty SignedHeaders",
            format!("AMZN-PAY-RSASSA-PSS-V2 PublicKeyId={key}, SignedHeaders=, Signature=AAAA"),
        ),
        (
            "signature not base64",
            format!(
                "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId={key}, SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature=!!!not-base64!!!"
            ),
        ),
        (
            "signature of zeros",
            format!(
                "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId={key}, SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature={}",
                "A".repeat(344)
            ),
        ),
        (
            "10 KiB signature",
            format!(
                "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId={key}, SignedHeaders=x-amz-pay-date;x-amz-pay-host, Signature={}",
                "A".repeat(10_240)
            ),
        ),
        (
            "signed header not sent",
            format!(
                "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId={key}, SignedHeaders=x-amz-pay-date;x-amz-pay-host;x-not-sent, Signature=AAAA"
            ),
        ),
        (
            "SignedHeaders with a tab",
            format!(
                "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId={key}, SignedHeaders=x-amz-pay-date;x-amz-pay-host;\t, Signature=AAAA"
            ),
        ),
    ] {
        t.push(case(
            format!("authorization: {name}"),
            get_open().authorization(&value).signed(a),
            403,
            "InvalidRequestSignature",
        ));
    }
    t.push(case(
        "authorization: sent twice",
        {
            let first = get_open().signed(a);
            let again = first.headers()["authorization"].clone();
            edited(first, |h| {
                h.append("authorization", again);
            })
        },
        403,
        "InvalidRequestSignature",
    ));
    // A key id the authorization grammar refuses makes the header malformed (403); a well-formed
    // key id nobody registered is unknown (401).
    t.push(case(
        "authorization: non-ASCII key id",
        edited(get_open().signed(a), |h| {
            let v = h["authorization"]
                .to_str()
                .unwrap()
                .replace(key.as_str(), "SANDBOX-\u{c4}\u{d6}\u{dc}");
            h.insert(
                "authorization",
                HeaderValue::from_bytes(v.as_bytes()).unwrap(),
            );
        }),
        403,
        "InvalidRequestSignature",
    ));
    for (name, key_id, status, reason) in [
        (
            "unknown key id",
            "SANDBOX-AAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            401,
            "UnauthorizedAccess",
        ),
        (
            "empty key id",
            String::new(),
            403,
            "InvalidRequestSignature",
        ),
        (
            "key id with SQL",
            "SANDBOX-' OR '1'='1".to_owned(),
            403,
            "InvalidRequestSignature",
        ),
        (
            "key id with SQL and no spaces",
            "SANDBOX-'OR'1'--".to_owned(),
            401,
            "UnauthorizedAccess",
        ),
        (
            "4 KiB key id",
            format!("SANDBOX-{}", "A".repeat(4096)),
            401,
            "UnauthorizedAccess",
        ),
        (
            "key id in another case",
            key.to_ascii_lowercase(),
            401,
            "UnauthorizedAccess",
        ),
        (
            "a LIVE key id",
            key.replacen("SANDBOX-", "LIVE-", 1),
            401,
            "UnauthorizedAccess",
        ),
        (
            "another merchant's key id",
            w.c.public_key_id.clone(),
            403,
            "InvalidRequestSignature",
        ),
    ] {
        t.push(case(
            format!("key: {name}"),
            get_open().key_id(&key_id).signed(a),
            status,
            reason,
        ));
    }
    t.push(case(
        "key: a sandbox key on the live path",
        Call::new("GET", &format!("/live{open}")).signed(a),
        401,
        "UnauthorizedAccess",
    ));

    // ---- Tampered and replayed signatures ------------------------------------------------
    t.push(case(
        "signature: body changed after signing",
        create()
            .json(base.clone())
            .tamper(br#"{"storeId":"x"}"#)
            .signed(a),
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "signature: body extended after signing",
        create()
            .json(base.clone())
            .tamper(format!("{base} ").as_bytes())
            .signed(a),
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "signature: path changed after signing",
        {
            let mut r = get_open().signed(a);
            *r.uri_mut() = format!("/v2/checkoutSessions/{}", w.done.session)
                .parse()
                .unwrap();
            r
        },
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "signature: query added after signing",
        {
            let mut r = get_open().signed(a);
            *r.uri_mut() = format!("{open}?x=1").parse().unwrap();
            r
        },
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "signature: query changed after signing",
        {
            let mut call = get_open();
            call.query = Some("a=1".into());
            let mut r = call.signed(a);
            *r.uri_mut() = format!("{open}?a=2").parse().unwrap();
            r
        },
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "signature: method changed after signing",
        {
            let mut r = Call::new("GET", &open).body(br#"{"foo":1}"#).signed(a);
            *r.method_mut() = Method::PATCH;
            r
        },
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "signature: one bit flipped",
        edited(get_open().signed(a), |h| {
            let v = h["authorization"].to_str().unwrap().to_owned();
            let (head, sig) = v.rsplit_once("Signature=").unwrap();
            let mut sig = sig.as_bytes().to_vec();
            sig[10] = if sig[10] == b'A' { b'B' } else { b'A' };
            let v = format!("{head}Signature={}", String::from_utf8(sig).unwrap());
            h.insert("authorization", HeaderValue::from_str(&v).unwrap());
        }),
        403,
        "InvalidRequestSignature",
    ));
    let replay = |path: &str, body: Vec<u8>| {
        let mut r = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("accept", "application/json")
            .header("content-type", "application/json")
            .header("x-amz-pay-host", "pay-api.amazon.com")
            .header("x-amz-pay-region", a.region.as_str())
            .header("x-amz-pay-idempotency-key", w.used_key.as_str())
            .body(Body::from(body))
            .unwrap();
        for (n, v) in &w.used_headers {
            r.headers_mut().insert(n.clone(), v.clone());
        }
        r
    };
    t.push(case(
        "signature: an accepted request's signature replayed with another body",
        replay(
            "/v2/checkoutSessions",
            set(
                base.clone(),
                "/paymentDetails/chargeAmount/amount",
                json!("1.00"),
            )
            .to_string()
            .into_bytes(),
        ),
        403,
        "InvalidRequestSignature",
    ));
    t.push(case(
        "signature: an accepted request's signature replayed on another path",
        replay(&complete, base.to_string().into_bytes()),
        403,
        "InvalidRequestSignature",
    ));

    // ---- Tenancy: another merchant's ids --------------------------------------------------
    let theirs = &w.b_done;
    for (name, request) in [
        (
            "get their session",
            Call::new("GET", &format!("/v2/checkoutSessions/{}", theirs.session)).signed(a),
        ),
        (
            "update their session",
            Call::new("PATCH", &format!("/v2/checkoutSessions/{}", theirs.session))
                .json(json!({"merchantMetadata": {"merchantReferenceId": "mine"}}))
                .signed(a),
        ),
        (
            "complete their session",
            Call::new(
                "POST",
                &format!("/v2/checkoutSessions/{}/complete", theirs.session),
            )
            .json(json!({"chargeAmount": usd("14.00")}))
            .signed(a),
        ),
        (
            "finalize their session",
            Call::new(
                "POST",
                &format!("/v2/checkoutSessions/{}/finalize", theirs.session),
            )
            .json(json!({"paymentIntent": "Authorize", "chargeAmount": usd("14.00")}))
            .signed(a),
        ),
        (
            "get their charge permission",
            Call::new(
                "GET",
                &format!("/v2/chargePermissions/{}", theirs.permission),
            )
            .signed(a),
        ),
        (
            "get their charge",
            Call::new("GET", &format!("/v2/charges/{}", theirs.charge)).signed(a),
        ),
        (
            "get their session as a third merchant",
            Call::new("GET", &format!("/v2/checkoutSessions/{}", theirs.session))
                .key_id(&w.c.public_key_id)
                .signed(&w.c),
        ),
        (
            "unknown session id",
            Call::new(
                "GET",
                "/v2/checkoutSessions/00000000-0000-4000-8000-000000000000",
            )
            .signed(a),
        ),
        (
            "unknown charge permission id",
            Call::new("GET", "/v2/chargePermissions/S01-0000000-0000000").signed(a),
        ),
        (
            "unknown charge id",
            Call::new("GET", "/v2/charges/S01-0000000-0000000-C000000").signed(a),
        ),
        (
            "a charge permission id on the charges path",
            Call::new("GET", &format!("/v2/charges/{}", w.done.permission)).signed(a),
        ),
        (
            "a charge id on the charge permissions path",
            Call::new("GET", &format!("/v2/chargePermissions/{}", w.done.charge)).signed(a),
        ),
        (
            "a session id on the charge permissions path",
            Call::new("GET", &format!("/v2/chargePermissions/{}", w.done.session)).signed(a),
        ),
    ] {
        let name = format!("tenancy: {name}");
        // The third merchant's key is not the test key: that row expects the signature error.
        if name.contains("third merchant") {
            t.push(case(name, request, 403, "InvalidRequestSignature"));
        } else {
            t.push(case(name, request, 404, "ResourceNotFound"));
        }
    }

    // ---- Path tricks ------------------------------------------------------------------------
    let s = &w.open;
    let p = &w.done.permission;
    let long = "a".repeat(8_000);
    for (name, method, path) in [
        ("dot-dot id", "GET", "/v2/checkoutSessions/..".to_owned()),
        (
            "encoded dot-dot id",
            "GET",
            "/v2/checkoutSessions/%2e%2e".to_owned(),
        ),
        (
            "dot-dot segment",
            "GET",
            format!("/v2/checkoutSessions/x/../{s}"),
        ),
        (
            "dot-dot before the version",
            "GET",
            format!("/v2/../v2/checkoutSessions/{s}"),
        ),
        (
            "encoded dot-dot segment",
            "GET",
            format!("/v2/checkoutSessions/%2e%2e/checkoutSessions/{s}"),
        ),
        (
            "leading double slash",
            "GET",
            format!("//v2/checkoutSessions/{s}"),
        ),
        (
            "inner double slash",
            "GET",
            format!("/v2//checkoutSessions/{s}"),
        ),
        (
            "double slash before the id",
            "GET",
            format!("/v2/checkoutSessions//{s}"),
        ),
        (
            "two trailing slashes",
            "GET",
            format!("/v2/checkoutSessions/{s}//"),
        ),
        (
            "encoded slash",
            "GET",
            format!("/v2/checkoutSessions/{s}%2Fcomplete"),
        ),
        (
            "encoded backslash",
            "GET",
            format!("/v2/checkoutSessions/..%5C{s}"),
        ),
        (
            "extra segment",
            "POST",
            format!("/v2/checkoutSessions/{s}/complete/now"),
        ),
        (
            "trailing garbage on the id",
            "GET",
            format!("/v2/checkoutSessions/{s}x"),
        ),
        (
            "matrix parameter",
            "GET",
            format!("/v2/checkoutSessions/{s};jsessionid=1"),
        ),
        (
            "encoded NUL in the id",
            "GET",
            format!("/v2/checkoutSessions/{s}%00"),
        ),
        (
            "8000-character id",
            "GET",
            format!("/v2/checkoutSessions/{long}"),
        ),
        (
            "SQL in a session id",
            "GET",
            "/v2/checkoutSessions/%27%20OR%20%271%27%3D%271".to_owned(),
        ),
        (
            "SQL in a permission id",
            "GET",
            format!("/v2/chargePermissions/{p}%27--"),
        ),
        (
            "SQL wildcard in a charge id",
            "GET",
            "/v2/charges/S01-%25".to_owned(),
        ),
        (
            "HTML in an id",
            "GET",
            "/v2/checkoutSessions/%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_owned(),
        ),
        (
            "non-ASCII id",
            "GET",
            "/v2/checkoutSessions/%C3%A9".to_owned(),
        ),
        ("version v1", "GET", format!("/v1/checkoutSessions/{s}")),
        ("version v3", "GET", format!("/v3/checkoutSessions/{s}")),
        (
            "version V2 in upper case",
            "GET",
            format!("/V2/checkoutSessions/{s}"),
        ),
        (
            "resource in another case",
            "GET",
            format!("/v2/CheckoutSessions/{s}"),
        ),
        (
            "legacy prefix with v1",
            "GET",
            format!("/sandbox/v1/checkoutSessions/{s}"),
        ),
        (
            "unknown environment prefix",
            "GET",
            format!("/test/v2/checkoutSessions/{s}"),
        ),
        ("version root", "GET", "/v2".to_owned()),
        ("root", "GET", "/".to_owned()),
        ("unknown resource", "GET", "/v2/payments/1".to_owned()),
    ] {
        t.push(case(
            format!("path: {name}"),
            Call::new(method, &path).json(json!({})).signed(a),
            404,
            "ResourceNotFound",
        ));
    }

    // ---- Methods --------------------------------------------------------------------------
    for (method, path) in [
        ("DELETE", open.clone()),
        ("PUT", open.clone()),
        ("POST", open.clone()),
        ("OPTIONS", open.clone()),
        ("TRACE", open.clone()),
        ("PURGE", open.clone()),
        ("GET", "/v2/checkoutSessions".to_owned()),
        ("DELETE", "/v2/checkoutSessions".to_owned()),
        ("GET", complete.clone()),
        ("PATCH", complete.clone()),
        ("PUT", finalize.clone()),
        (
            "DELETE",
            format!("/v2/chargePermissions/{}", w.done.permission),
        ),
        ("PUT", format!("/v2/charges/{}", w.done.charge)),
        // An encoded slash does not split the path: this is the session route, which has no POST.
        ("POST", format!("{open}%2Fcomplete")),
    ] {
        t.push(case(
            format!("method: {method} {}", path.replace(&w.open, "{id}")),
            Call::new(method, &path).signed(a),
            405,
            "RequestNotSupported",
        ));
    }
    t.push(case(
        "method: unsigned DELETE",
        unsigned("DELETE", &open),
        405,
        "RequestNotSupported",
    ));

    // ---- Idempotency keys ---------------------------------------------------------------------
    let keyed = |key: &str| {
        Call::new("POST", "/v2/checkoutSessions")
            .json(base.clone())
            .idempotency_key(key)
    };
    for (name, key, reason) in [
        ("33 characters", "k".repeat(33), "InvalidHeaderValue"),
        ("1000 characters", "k".repeat(1000), "InvalidHeaderValue"),
        ("a space", "a b".to_owned(), "InvalidHeaderValue"),
        ("a slash", "a/b".to_owned(), "InvalidHeaderValue"),
        ("a dot", "a.b".to_owned(), "InvalidHeaderValue"),
        ("SQL", "k'--".to_owned(), "InvalidHeaderValue"),
        ("a percent sign", "100%".to_owned(), "InvalidHeaderValue"),
        ("empty", String::new(), "MissingHeaderValue"),
    ] {
        t.push(case(
            format!("idempotency key: {name}"),
            keyed(&key).signed(a),
            400,
            reason,
        ));
    }
    t.push(case(
        "idempotency key: non-ASCII",
        edited(
            keyed("placeholder")
                .unsigned("x-amz-pay-idempotency-key")
                .signed(a),
            |h| {
                h.insert(
                    "x-amz-pay-idempotency-key",
                    HeaderValue::from_bytes("k\u{e9}y".as_bytes()).unwrap(),
                );
            },
        ),
        400,
        "InvalidHeaderValue",
    ));
    t.push(case(
        "idempotency key: two different keys",
        keyed(&new_key()).idempotency_key(&new_key()).signed(a),
        400,
        "InvalidHeaderValue",
    ));
    t.push(case(
        "idempotency key: missing on create",
        Call::new("POST", "/v2/checkoutSessions")
            .json(base.clone())
            .signed(a),
        400,
        "MissingHeader",
    ));
    t.push(case(
        "idempotency key: too long on complete",
        Call::new("POST", &complete)
            .json(json!({"chargeAmount": usd("14.00")}))
            .idempotency_key(&"k".repeat(40))
            .signed(a),
        400,
        "InvalidHeaderValue",
    ));
    t.push(case(
        "idempotency key: reused with another body",
        keyed(&w.used_key)
            .json(set(
                base.clone(),
                "/paymentDetails/chargeAmount/amount",
                json!("15.00"),
            ))
            .signed(a),
        400,
        "DuplicateIdempotencyKey",
    ));
    t.push(case(
        "idempotency key: reused with another path",
        Call::new("POST", &complete)
            .json(json!({"chargeAmount": usd("14.00")}))
            .idempotency_key(&w.used_key)
            .signed(a),
        400,
        "DuplicateIdempotencyKey",
    ));
    t.push(case(
        "idempotency key: reused with an extra field",
        keyed(&w.used_key)
            .json(set(
                base.clone(),
                "/merchantMetadata",
                json!({"merchantReferenceId": "1"}),
            ))
            .signed(a),
        400,
        "DuplicateIdempotencyKey",
    ));

    // ---- The admin API ------------------------------------------------------------------------
    let merchants = "/__admin/merchants";
    for (name, request, status, reason) in [
        ("no token", admin("GET", merchants, None, b""), 401, "UnauthorizedAccess"),
        ("wrong token", admin("GET", merchants, Some("nope"), b""), 401, "UnauthorizedAccess"),
        ("token with a prefix of the right one", admin("GET", merchants, Some(&ADMIN_TOKEN[..4]), b""), 401, "UnauthorizedAccess"),
        ("broken JSON", admin("POST", merchants, Some(ADMIN_TOKEN), b"{\"region\":"), 400, "InvalidRequestFormat"),
        ("unknown field", admin("POST", merchants, Some(ADMIN_TOKEN), br#"{"owner":"me"}"#), 400, "UnrecognizedField"),
        ("unknown region", admin("POST", merchants, Some(ADMIN_TOKEN), br#"{"region":"mars"}"#), 400, "InvalidParameterValue"),
        ("garbage public key", admin("POST", merchants, Some(ADMIN_TOKEN), br#"{"publicKeyPem":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}"#), 400, "InvalidParameterValue"),
        ("buyer action on an unknown session", admin("POST", "/__admin/checkoutSessions/00000000-0000-4000-8000-000000000000/pay", Some(ADMIN_TOKEN), b"{}"), 404, "ResourceNotFound"),
        ("buyer action with a traversal id", admin("POST", "/__admin/checkoutSessions/..%2F..%2Fmerchants/pay", Some(ADMIN_TOKEN), b"{}"), 404, "ResourceNotFound"),
        ("clock of an unknown merchant", admin("GET", "/__admin/merchants/NOPE/clock", Some(ADMIN_TOKEN), b""), 404, "ResourceNotFound"),
        ("clock advanced by garbage", admin("POST", &format!("/__admin/merchants/{}/clock/advance", a.merchant_id), Some(ADMIN_TOKEN), br#"{"duration":"forever"}"#), 400, "InvalidParameterValue"),
    ] {
        t.push(case(format!("admin: {name}"), request, status, reason));
    }
    t
}

#[tokio::test]
async fn every_hostile_request_gets_its_documented_error_and_changes_nothing() {
    // Arrange
    let w = World::build().await;
    let baseline = w.snapshot().await;
    let cases = table(&w);
    assert!(
        cases.len() >= 100,
        "the table has only {} rows",
        cases.len()
    );

    // Act
    let total = cases.len();
    let mut failures = Vec::new();
    for c in cases {
        failures.extend(check(&w, &baseline, c).await);
    }

    // Assert
    assert!(
        failures.is_empty(),
        "{} of {total} hostile requests were mishandled:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
