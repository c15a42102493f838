//! The crash-safety run: a mixed checkout workload from several tasks against a real emulator
//! process that is killed with SIGKILL at random moments and started again.
//!
//! Every request is retried with its idempotency key until it is acknowledged, so every order
//! ends with a known outcome. While a request has been sent without an answer its effect is *in
//! doubt*: the checks accept the state before or after it. After every restart the workload is
//! paused (a write lock on [`Shared::gate`]; each request holds a read lock) and [`verify`]
//! checks that
//! - every acknowledged object is there and in the state, with the amounts, it was acknowledged
//!   with (`GET` of each session, charge permission, charge and refund);
//! - nothing is duplicated: the merchant's stored object counts equal the acknowledged ones
//!   (give or take the requests in doubt), so a Complete made once left one permission and one
//!   charge, a refund one refund;
//! - every acknowledged POST not replayed yet, sent again with its key and body, returns the
//!   original status and a JSON-equal body.
//!
//! At the end the workload stops (resolving every doubt), the emulator is killed once more, and
//! the final check requires exact counts and replays every acknowledged POST again.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amzpay::Client;
use anyhow::Context;
use futures::StreamExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tokio::sync::RwLock;

use crate::admin::{Admin, MerchantKeys, ObjectCounts};
use crate::calls::{Outcome, Sent, usd};
use crate::emulator::{Emulator, EmulatorSpec};

/// What to run.
#[derive(Clone, Debug)]
pub struct CrashConfig {
    /// The `amzpay` binary.
    pub amzpay: PathBuf,
    /// `--database` for the emulator (`None`: SQLite in the data directory).
    pub database: Option<String>,
    /// How many SIGKILLs.
    pub kills: u32,
    /// Seed of every random choice (amounts, flows, kill moments).
    pub seed: u64,
    /// Concurrent workload tasks.
    pub workers: usize,
    /// The workload runs for a random time in this range (ms) between two kills.
    pub run_ms: (u64, u64),
    /// Print progress lines.
    pub verbose: bool,
}

impl Default for CrashConfig {
    fn default() -> CrashConfig {
        CrashConfig {
            amzpay: PathBuf::from("amzpay"),
            database: None,
            kills: 20,
            seed: 1,
            workers: 4,
            run_ms: (100, 500),
            verbose: false,
        }
    }
}

/// Which operations the emulator has (Capture and Create Refund arrived with a later issue).
#[derive(Clone, Copy, Debug, Default)]
pub struct Capabilities {
    /// `POST /v2/charges/{id}/capture`.
    pub capture: bool,
    /// `POST /v2/refunds`.
    pub refund: bool,
}

/// What a run did and found.
#[derive(Debug, Default)]
pub struct Report {
    /// SIGKILLs.
    pub kills: u32,
    /// Orders started.
    pub orders: usize,
    /// Acknowledged requests per operation.
    pub acked: BTreeMap<&'static str, u64>,
    /// Checks made per kind.
    pub checked: BTreeMap<&'static str, u64>,
    /// Requests that got no answer while the emulator was down or being killed.
    pub unanswered: u64,
    /// Of those, how many may have reached the emulator (their outcome was in doubt).
    pub in_doubt: u64,
    /// 5xx answers (retried).
    pub retried_5xx: u64,
    /// What the emulator could do.
    pub capabilities: Capabilities,
    /// Wall time.
    pub duration: Duration,
    /// Every broken guarantee.
    pub violations: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "crash test: {} SIGKILLs, {} orders in {:.1} s",
            self.kills,
            self.orders,
            self.duration.as_secs_f64()
        )?;
        let list = |m: &BTreeMap<&str, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(f, "  acknowledged: {}", list(&self.acked))?;
        writeln!(f, "  checked:      {}", list(&self.checked))?;
        writeln!(
            f,
            "  unanswered requests (retried with their keys): {}, of which in doubt: {}; retried 5xx: {}",
            self.unanswered, self.in_doubt, self.retried_5xx
        )?;
        if !self.capabilities.capture || !self.capabilities.refund {
            writeln!(
                f,
                "  skipped: {}{}(not served by this emulator)",
                if self.capabilities.capture {
                    ""
                } else {
                    "capture "
                },
                if self.capabilities.refund {
                    ""
                } else {
                    "refund "
                },
            )?;
        }
        if self.violations.is_empty() {
            write!(f, "  no violations")
        } else {
            writeln!(f, "  {} VIOLATIONS:", self.violations.len())?;
            for v in self.violations.iter().take(50) {
                writeln!(f, "  - {v}")?;
            }
            Ok(())
        }
    }
}

/// The operations of the workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Create,
    SignIn,
    Update,
    Pay,
    Complete,
    Capture,
    Refund,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::SignIn => "buyer sign-in",
            Op::Update => "update",
            Op::Pay => "buyer pay",
            Op::Complete => "complete",
            Op::Capture => "capture",
            Op::Refund => "refund",
        }
    }
}

/// An acknowledged POST with its original answer (what a replay must return).
#[derive(Clone, Debug)]
struct Acked {
    op: Op,
    sent: Sent,
    status: u16,
    body: Value,
}

/// One checkout as the workload knows it: acknowledged facts plus what is in doubt.
#[derive(Clone, Debug, Default)]
struct Order {
    n: usize,
    capture_now: bool,
    created_amount: i64,
    session: Option<String>,
    /// Amount set by an acknowledged Update.
    updated_amount: Option<i64>,
    /// Set while an Update is sent but not acknowledged: the amount it sets.
    update_doubt: Option<i64>,
    /// Permission, charge and amount of the acknowledged Complete, and its answer.
    completed: Option<(String, String, i64, Value)>,
    captured: Option<i64>,
    refunds: Vec<(String, i64)>,
    /// The operation sent but not acknowledged yet.
    doubt: Option<Op>,
    /// The refund amount in doubt.
    refund_doubt: Option<i64>,
}

/// State shared by the workload tasks and the controller.
struct Shared {
    client: Client,
    admin: Admin,
    merchant: MerchantKeys,
    caps: Capabilities,
    /// Each request holds a read lock; the verifier takes the write lock (workload paused).
    gate: RwLock<()>,
    orders: Mutex<Vec<Order>>,
    acked: Mutex<Vec<Acked>>,
    stop: AtomicBool,
    stats: Mutex<Report>,
}

impl Shared {
    fn order<R>(&self, n: usize, f: impl FnOnce(&mut Order) -> R) -> R {
        let mut orders = self.orders.lock().expect("orders lock");
        f(&mut orders[n])
    }

    fn violation(&self, v: String) {
        self.stats.lock().expect("stats lock").violations.push(v);
    }

    fn count(&self, f: impl FnOnce(&mut Report)) {
        f(&mut self.stats.lock().expect("stats lock"));
    }
}

/// Runs the crash test and reports; `Err` only when the harness itself failed (e.g. the
/// emulator would not start). Violations are in the report.
pub async fn run(config: CrashConfig) -> anyhow::Result<Report> {
    let started = Instant::now();
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let mut emulator = Emulator::start(EmulatorSpec {
        amzpay: config.amzpay.clone(),
        data_dir: dir.path().join("data"),
        database: config.database.clone(),
        admin_token: uuid::Uuid::new_v4().simple().to_string(),
    })
    .await?;
    let base = emulator.base_url();
    let admin = Admin::new(&base, emulator.admin_token())?;
    let merchant = admin.create_merchant().await?;
    let caps = Capabilities {
        capture: admin
            .has_route(reqwest::Method::GET, "/v2/charges/x/capture")
            .await?,
        refund: admin.has_route(reqwest::Method::GET, "/v2/refunds").await?,
    };
    let shared = Arc::new(Shared {
        client: merchant.client(&base)?,
        admin,
        merchant,
        caps,
        gate: RwLock::new(()),
        orders: Mutex::new(Vec::new()),
        acked: Mutex::new(Vec::new()),
        stop: AtomicBool::new(false),
        stats: Mutex::new(Report {
            capabilities: caps,
            ..Report::default()
        }),
    });

    let workers: Vec<_> = (0..config.workers)
        .map(|w| {
            let shared = shared.clone();
            let seed = config.seed.wrapping_mul(1000).wrapping_add(w as u64);
            tokio::spawn(async move { worker(shared, StdRng::seed_from_u64(seed)).await })
        })
        .collect();

    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut replayed = 0;
    for kill in 1..=config.kills {
        let pause = rng.gen_range(config.run_ms.0..=config.run_ms.1);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        emulator.kill().await?;
        shared.count(|r| r.kills += 1);
        // Let the workload run into the dead port for a moment, then start again.
        tokio::time::sleep(Duration::from_millis(rng.gen_range(0..100))).await;
        emulator.restart().await?;
        let _paused = shared.gate.write().await;
        replayed = verify(&shared, replayed, false).await;
        if config.verbose {
            let r = shared.stats.lock().expect("stats lock");
            eprintln!(
                "kill {kill}/{}: {} orders, {} violations",
                config.kills,
                shared.orders.lock().expect("orders lock").len(),
                r.violations.len()
            );
        }
    }

    // Let every task finish its order (resolving what is in doubt), then one more crash and the
    // final, exact check.
    shared.stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.context("a workload task panicked")?;
    }
    emulator.kill().await?;
    shared.count(|r| r.kills += 1);
    emulator.restart().await?;
    {
        let _paused = shared.gate.write().await;
        verify(&shared, 0, true).await;
    }
    emulator.kill().await?;

    let mut report = std::mem::take(&mut *shared.stats.lock().expect("stats lock"));
    report.orders = shared.orders.lock().expect("orders lock").len();
    report.duration = started.elapsed();
    if !report.violations.is_empty() {
        report
            .violations
            .push(format!("emulator log tail:\n{}", emulator.log_tail()));
    }
    Ok(report)
}

fn new_key(rng: &mut StdRng) -> String {
    (0..32)
        .map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)]))
        .collect()
}

/// One workload task: orders one after another until told to stop.
async fn worker(shared: Arc<Shared>, mut rng: StdRng) {
    while !shared.stop.load(Ordering::SeqCst) {
        let n = {
            let mut orders = shared.orders.lock().expect("orders lock");
            let n = orders.len();
            orders.push(Order {
                n,
                capture_now: rng.gen_bool(0.3),
                created_amount: rng.gen_range(100..50_000),
                ..Order::default()
            });
            n
        };
        if let Err(v) = one_order(&shared, n, &mut rng).await {
            shared.violation(format!("order {n}: {v}"));
        }
    }
}

/// Sends `sent` until it is acknowledged; a refusal is a violation.
async fn until_acked(
    shared: &Shared,
    n: usize,
    op: Op,
    sent: &Sent,
) -> Result<(u16, Value), String> {
    shared.order(n, |o| o.doubt = Some(op));
    loop {
        let outcome = {
            let _running = shared.gate.read().await;
            sent.send(&shared.client).await
        };
        match outcome {
            Outcome::Acked { status, body } => {
                shared.count(|r| *r.acked.entry(op.name()).or_default() += 1);
                if sent.key.is_some() {
                    shared.acked.lock().expect("acked lock").push(Acked {
                        op,
                        sent: sent.clone(),
                        status,
                        body: body.clone(),
                    });
                }
                return Ok((status, body));
            }
            Outcome::Refused { status, .. } if status >= 500 => {
                shared.count(|r| r.retried_5xx += 1);
            }
            Outcome::Refused { status, body, .. } => {
                return Err(format!("{} answered {status}: {body}", op.name()));
            }
            Outcome::NoAnswer { maybe_sent, .. } => shared.count(|r| {
                r.unanswered += 1;
                r.in_doubt += u64::from(maybe_sent);
            }),
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A buyer action through the admin API, retried until it answers 200. Once an attempt may have
/// run, a later refusal is accepted (the action already happened).
async fn buyer(
    shared: &Shared,
    n: usize,
    op: Op,
    session: &str,
    action: &str,
    body: Value,
) -> Result<(), String> {
    shared.order(n, |o| o.doubt = Some(op));
    let mut maybe_ran = false;
    loop {
        let answer = {
            let _running = shared.gate.read().await;
            shared.admin.buyer(session, action, &body).await
        };
        match answer {
            Ok(a) if a.status == 200 => break,
            Ok(a) if a.status >= 500 => {
                shared.count(|r| r.retried_5xx += 1);
                maybe_ran = true;
            }
            Ok(_) if maybe_ran => break,
            Ok(a) => return Err(format!("{} answered {}: {}", op.name(), a.status, a.body)),
            Err(e) => {
                let sent = !e.is_connect();
                maybe_ran |= sent;
                shared.count(|r| {
                    r.unanswered += 1;
                    r.in_doubt += u64::from(sent);
                });
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    shared.count(|r| *r.acked.entry(op.name()).or_default() += 1);
    shared.order(n, |o| o.doubt = None);
    Ok(())
}

fn str_at<'v>(v: &'v Value, pointer: &str) -> &'v str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

async fn one_order(shared: &Shared, n: usize, rng: &mut StdRng) -> Result<(), String> {
    let (capture_now, created) = shared.order(n, |o| (o.capture_now, o.created_amount));
    let intent = if capture_now {
        "AuthorizeWithCapture"
    } else {
        "Authorize"
    };
    let body = json!({
        "storeId": shared.merchant.store_id,
        "webCheckoutDetails": {
            "checkoutReviewReturnUrl": "https://shop.example/review",
            "checkoutResultReturnUrl": "https://shop.example/result",
            "checkoutCancelUrl": "https://shop.example/cancel"
        },
        "paymentDetails": {"paymentIntent": intent, "chargeAmount": usd(created)},
        "merchantMetadata": {"merchantReferenceId": format!("order-{n}")}
    });
    let (_, session) = until_acked(
        shared,
        n,
        Op::Create,
        &Sent::post("/checkoutSessions", new_key(rng), body),
    )
    .await?;
    let id = str_at(&session, "/checkoutSessionId").to_owned();
    shared.order(n, |o| {
        o.session = Some(id.clone());
        o.doubt = None;
    });
    if rng.gen_bool(0.15) {
        return Ok(());
    }

    buyer(
        shared,
        n,
        Op::SignIn,
        &id,
        "sign-in",
        json!({"instrument": "1111"}),
    )
    .await?;
    let amount = rng.gen_range(100..50_000);
    shared.order(n, |o| o.update_doubt = Some(amount));
    let update = json!({"paymentDetails": {"chargeAmount": usd(amount)}});
    until_acked(
        shared,
        n,
        Op::Update,
        &Sent::patch(format!("/checkoutSessions/{id}"), update),
    )
    .await?;
    shared.order(n, |o| {
        o.updated_amount = Some(amount);
        o.update_doubt = None;
        o.doubt = None;
    });
    if rng.gen_bool(0.1) {
        return Ok(());
    }

    buyer(shared, n, Op::Pay, &id, "pay", json!({})).await?;
    let complete = Sent::post(
        format!("/checkoutSessions/{id}/complete"),
        new_key(rng),
        json!({"chargeAmount": usd(amount)}),
    );
    let (_, done) = until_acked(shared, n, Op::Complete, &complete).await?;
    let permission = str_at(&done, "/chargePermissionId").to_owned();
    let charge = str_at(&done, "/chargeId").to_owned();
    if permission.is_empty() || charge.is_empty() {
        return Err(format!("complete acknowledged without ids: {done}"));
    }
    shared.order(n, |o| {
        o.completed = Some((permission, charge.clone(), amount, done.clone()));
        o.doubt = None;
    });

    let mut captured = capture_now.then_some(amount);
    if !capture_now && shared.caps.capture && rng.gen_bool(0.8) {
        let capture = Sent::post(
            format!("/charges/{charge}/capture"),
            new_key(rng),
            json!({"captureAmount": usd(amount), "softDescriptor": "TORTURE"}),
        );
        until_acked(shared, n, Op::Capture, &capture).await?;
        shared.order(n, |o| {
            o.captured = Some(amount);
            o.doubt = None;
        });
        captured = Some(amount);
    }
    if let (Some(total), true) = (captured, shared.caps.refund) {
        let mut left = total;
        for _ in 0..rng.gen_range(0..=2) {
            if left < 2 {
                break;
            }
            let refund_amount = rng.gen_range(1..=left / 2);
            left -= refund_amount;
            shared.order(n, |o| o.refund_doubt = Some(refund_amount));
            let refund = Sent::post(
                "/refunds",
                new_key(rng),
                json!({"chargeId": charge, "refundAmount": usd(refund_amount)}),
            );
            let (_, r) = until_acked(shared, n, Op::Refund, &refund).await?;
            let rid = str_at(&r, "/refundId").to_owned();
            shared.order(n, |o| {
                o.refunds.push((rid, refund_amount));
                o.refund_doubt = None;
                o.doubt = None;
            });
        }
    }
    Ok(())
}

fn amount_text(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// GETs `path` (retrying while the emulator does not answer) and returns the body of a 200.
async fn fetch(shared: &Shared, path: &str) -> Result<Value, String> {
    let sent = Sent::get(path);
    for _ in 0..200 {
        match sent.send(&shared.client).await {
            Outcome::Acked { body, .. } => return Ok(body),
            Outcome::Refused { status, body, .. } if status < 500 => {
                return Err(format!("GET {path} answered {status}: {body}"));
            }
            _ => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
    Err(format!("GET {path} got no answer"))
}

/// The checks of one order against the stored state; returns what is wrong.
async fn check_order(shared: &Shared, o: &Order) -> Vec<String> {
    let mut wrong = Vec::new();
    let Some(id) = &o.session else {
        return wrong;
    };
    let who = format!("order {} (session {id})", o.n);
    let session = match fetch(shared, &format!("/checkoutSessions/{id}")).await {
        Ok(s) => s,
        Err(e) => return vec![format!("{who}: {e}")],
    };
    let state = str_at(&session, "/statusDetails/state");
    let in_doubt = |op| o.doubt == Some(op);
    let allowed_states: &[&str] = match (&o.completed, in_doubt(Op::Complete)) {
        (Some(_), _) => &["Completed"],
        (None, true) => &["Open", "Completed"],
        (None, false) => &["Open"],
    };
    if !allowed_states.contains(&state) {
        wrong.push(format!(
            "{who}: state {state}, expected one of {allowed_states:?}"
        ));
    }
    let mut amounts = vec![o.updated_amount.unwrap_or(o.created_amount)];
    amounts.extend(o.update_doubt);
    // A completed session no longer shows its payment details: the charge has the amount.
    let amount = str_at(&session, "/paymentDetails/chargeAmount/amount");
    if state == "Open" && !amounts.iter().any(|a| amount_text(*a) == amount) {
        wrong.push(format!(
            "{who}: chargeAmount {amount}, expected one of {amounts:?} cents; stored: {session}"
        ));
    }
    let Some((permission, charge, charged, completed)) = &o.completed else {
        return wrong;
    };
    if session != *completed {
        wrong.push(format!(
            "{who}: the session differs from the acknowledged Complete answer\n    stored: {session}\n    acked:  {completed}"
        ));
    }
    match fetch(shared, &format!("/chargePermissions/{permission}")).await {
        Ok(p) if str_at(&p, "/chargePermissionId") == permission => {}
        Ok(p) => wrong.push(format!("{who}: permission {permission} reads as {p}")),
        Err(e) => wrong.push(format!("{who}: {e}")),
    }
    let c = match fetch(shared, &format!("/charges/{charge}")).await {
        Ok(c) => c,
        Err(e) => {
            wrong.push(format!("{who}: {e}"));
            return wrong;
        }
    };
    if str_at(&c, "/chargeAmount/amount") != amount_text(*charged) {
        wrong.push(format!(
            "{who}: charge {charge} amount {}",
            c["chargeAmount"]
        ));
    }
    let charge_state = str_at(&c, "/statusDetails/state");
    let captured = o.capture_now || o.captured.is_some();
    let allowed: &[&str] = if captured {
        &["Captured"]
    } else if in_doubt(Op::Capture) {
        &["Authorized", "Captured"]
    } else {
        &["Authorized"]
    };
    if !allowed.contains(&charge_state) {
        wrong.push(format!(
            "{who}: charge {charge} is {charge_state}, expected one of {allowed:?}"
        ));
    }
    if let Some(cap) = o.captured
        && str_at(&c, "/captureAmount/amount") != amount_text(cap)
    {
        wrong.push(format!(
            "{who}: charge {charge} captureAmount {}",
            c["captureAmount"]
        ));
    }
    // `refundedAmount` counts the refunds that reached `Refunded` (30 s after their creation).
    let mut refunded = 0;
    for (rid, amount) in &o.refunds {
        match fetch(shared, &format!("/refunds/{rid}")).await {
            Ok(r)
                if str_at(&r, "/refundAmount/amount") == amount_text(*amount)
                    && str_at(&r, "/chargeId") == charge =>
            {
                match str_at(&r, "/statusDetails/state") {
                    "Refunded" => refunded += amount,
                    "RefundInitiated" => {}
                    other => wrong.push(format!("{who}: refund {rid} is {other}")),
                }
            }
            Ok(r) => wrong.push(format!("{who}: refund {rid} reads as {r}")),
            Err(e) => wrong.push(format!("{who}: {e}")),
        }
    }
    let mut sums = vec![refunded];
    sums.extend(o.refund_doubt.map(|d| refunded + d));
    let stored = c
        .pointer("/refundedAmount/amount")
        .and_then(Value::as_str)
        .unwrap_or("0.00");
    if !sums.iter().any(|s| amount_text(*s) == stored) {
        wrong.push(format!(
            "{who}: charge {charge} refundedAmount {stored}, expected one of {sums:?} cents"
        ));
    }
    wrong
}

/// Runs every check with the workload paused; replays acknowledged POSTs from index `replayed`
/// on. `last` requires exact counts (nothing may be in doubt any more). Returns how many
/// acknowledged POSTs have been replayed.
async fn verify(shared: &Shared, replayed: usize, last: bool) -> usize {
    let orders: Vec<Order> = shared.orders.lock().expect("orders lock").clone();
    let checks: Vec<Vec<String>> = futures::stream::iter(orders.iter())
        .map(|o| check_order(shared, o))
        .buffer_unordered(8)
        .collect()
        .await;
    let sessions = orders.iter().filter(|o| o.session.is_some()).count() as u64;
    let completed = orders.iter().filter(|o| o.completed.is_some()).count() as u64;
    let refunds: u64 = orders.iter().map(|o| o.refunds.len() as u64).sum();
    let checked_objects = sessions + 2 * completed + refunds;
    for wrong in checks.into_iter().flatten() {
        shared.violation(wrong);
    }

    // Counts: acknowledged ones, plus at most one per order with that operation in doubt.
    let doubt = |op: Op| orders.iter().filter(|o| o.doubt == Some(op)).count() as u64;
    if last {
        for o in &orders {
            if o.doubt.is_some() {
                shared.violation(format!(
                    "order {} still has {:?} in doubt at the end",
                    o.n, o.doubt
                ));
            }
        }
    }
    match shared.admin.objects(&shared.merchant.merchant_id).await {
        Ok(counts) => {
            let expect = |name: &str, stored: u64, acked: u64, op: Op| {
                let slack = doubt(op);
                if stored < acked || stored > acked + slack {
                    shared.violation(format!(
                        "{name}: {stored} stored, {acked} acknowledged (+{slack} in doubt)"
                    ));
                }
            };
            let ObjectCounts {
                checkout_sessions,
                charge_permissions,
                charges,
                refunds: stored_refunds,
            } = counts;
            expect("checkout sessions", checkout_sessions, sessions, Op::Create);
            expect(
                "charge permissions",
                charge_permissions,
                completed,
                Op::Complete,
            );
            expect("charges", charges, completed, Op::Complete);
            expect("refunds", stored_refunds, refunds, Op::Refund);
        }
        Err(e) => shared.violation(format!("object counts: {e:#}")),
    }

    // Replays: the original status and body, byte for byte as JSON.
    let acked: Vec<Acked> = shared.acked.lock().expect("acked lock")[replayed..].to_vec();
    let total = replayed + acked.len();
    let replays: Vec<Option<String>> = futures::stream::iter(acked.iter())
        .map(|a| async move {
            for _ in 0..200 {
                match a.sent.send(&shared.client).await {
                    Outcome::Acked { status, body } if status == a.status && body == a.body => {
                        return None;
                    }
                    Outcome::Acked { status, body } => {
                        return Some(format!(
                            "replay of {} {} answered {status} {body}, originally {} {}",
                            a.op.name(),
                            a.sent.path,
                            a.status,
                            a.body
                        ));
                    }
                    Outcome::Refused { status, body, .. } if status < 500 => {
                        return Some(format!(
                            "replay of {} {} answered {status} {body}",
                            a.op.name(),
                            a.sent.path
                        ));
                    }
                    _ => tokio::time::sleep(Duration::from_millis(25)).await,
                }
            }
            Some(format!(
                "replay of {} {} got no answer",
                a.op.name(),
                a.sent.path
            ))
        })
        .buffer_unordered(8)
        .collect()
        .await;
    for wrong in replays.into_iter().flatten() {
        shared.violation(wrong);
    }
    shared.count(|r| {
        *r.checked.entry("restarts verified").or_default() += 1;
        *r.checked.entry("objects read back").or_default() += checked_objects;
        *r.checked.entry("count checks").or_default() += 4;
        *r.checked.entry("idempotent replays").or_default() += acked.len() as u64;
    });
    total
}
