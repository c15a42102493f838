//! The checks made with the workload paused: every order read back, object counts, replays.

use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;

use super::workload::str_at;
use super::{Acked, Op, Order, Shared};
use crate::admin::ObjectCounts;
use crate::calls::{Outcome, Sent};

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
    // With a running clock (`freeze_clock` off) note the virtual instants around the reads of
    // the charge and its refunds, so a disagreement shows whether a refund came due between them.
    let clock = async || {
        if shared.freeze_clock {
            None
        } else {
            shared
                .admin
                .clock_now(&shared.merchant.merchant_id)
                .await
                .ok()
        }
    };
    let read_from = clock().await;
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
    let mut completed_at = Vec::new();
    for (rid, amount) in &o.refunds {
        match fetch(shared, &format!("/refunds/{rid}")).await {
            Ok(r)
                if str_at(&r, "/refundAmount/amount") == amount_text(*amount)
                    && str_at(&r, "/chargeId") == charge =>
            {
                match str_at(&r, "/statusDetails/state") {
                    "Refunded" => {
                        refunded += amount;
                        let at = str_at(&r, "/statusDetails/lastUpdatedTimestamp");
                        completed_at.push(format!("{rid} Refunded at {at}"));
                    }
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
        let read_to = clock().await;
        let when = match (read_from, read_to) {
            (Some(from), Some(to)) => format!(
                "; charge read at or after {from}, refunds by {to}; {}",
                completed_at.join(", ")
            ),
            _ => String::new(),
        };
        wrong.push(format!(
            "{who}: charge {charge} refundedAmount {stored}, expected one of {sums:?} cents{when}"
        ));
    }
    wrong
}

/// Runs every check with the workload paused; replays acknowledged POSTs from index `replayed`
/// on. `last` requires exact counts (nothing may be in doubt any more). Returns how many
/// acknowledged POSTs have been replayed.
pub(super) async fn verify(shared: &Shared, replayed: usize, last: bool) -> usize {
    let frozen = freeze(shared).await;
    let total = verify_at_one_instant(shared, replayed, last).await;
    if let Some(at) = frozen {
        resume(shared, &at).await;
    }
    let violations = shared.stats.lock().expect("stats lock").violations.len();
    shared
        .journal
        .note(format_args!("checks done: {violations} violations so far"));
    total
}

/// Freezes the merchant's clock where it stands (when `freeze_clock` is on) and returns the
/// instant; a failure to do so is a violation, since the checks could then race the timers.
async fn freeze(shared: &Shared) -> Option<String> {
    if !shared.freeze_clock {
        shared.journal.note("checks start (clock running)");
        return None;
    }
    let id = &shared.merchant.merchant_id;
    let frozen = async {
        let now = shared.admin.clock_now(id).await?;
        shared.admin.set_clock(id, &now, true).await?;
        anyhow::Ok(now)
    }
    .await;
    match frozen {
        Ok(now) => {
            shared
                .journal
                .note(format_args!("checks start (clock frozen at {now})"));
            Some(now)
        }
        Err(e) => {
            shared.violation(format!("freezing the clock for the checks: {e:#}"));
            None
        }
    }
}

/// Lets the clock run on from the instant it was frozen at.
async fn resume(shared: &Shared, at: &str) {
    let id = &shared.merchant.merchant_id;
    if let Err(e) = shared.admin.set_clock(id, at, false).await {
        shared.violation(format!("letting the clock run again: {e:#}"));
    }
}

async fn verify_at_one_instant(shared: &Shared, replayed: usize, last: bool) -> usize {
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

    if shared.caps.notifications {
        let checked = check_notifications(shared, &orders).await;
        shared.count(|r| *r.checked.entry("notifications").or_default() += checked);
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

/// The outbox against the acknowledged changes: every acknowledged Complete has its charge
/// permission's and its charge's notification, every acknowledged refund its refund's (pending,
/// delivered or failed: all are kept), and no notification is about a charge permission that
/// was not committed (a rolled-back or lost change notifies nothing). Returns how many
/// notifications it checked.
async fn check_notifications(shared: &Shared, orders: &[Order]) -> u64 {
    let list = match shared
        .admin
        .notifications(&shared.merchant.merchant_id)
        .await
    {
        Ok(list) => list,
        Err(e) => {
            shared.violation(format!("notifications: {e:#}"));
            return 0;
        }
    };
    let noted: std::collections::HashSet<(String, String)> = list
        .iter()
        .map(|n| {
            (
                str_at(n, "/objectType").to_owned(),
                str_at(n, "/objectId").to_owned(),
            )
        })
        .collect();
    let expect = |kind: &str, id: &str, who: String| {
        if !noted.contains(&(kind.to_owned(), id.to_owned())) {
            shared.violation(format!("{who}: no {kind} notification for {id}"));
        }
    };
    let mut known = std::collections::HashSet::new();
    for o in orders {
        let Some((permission, charge, _, _)) = &o.completed else {
            continue;
        };
        known.insert(permission.clone());
        expect("CHARGE_PERMISSION", permission, format!("order {}", o.n));
        expect("CHARGE", charge, format!("order {}", o.n));
        for (rid, _) in &o.refunds {
            expect("REFUND", rid, format!("order {}", o.n));
        }
    }
    // A permission the workload does not know (its Complete in doubt) must exist.
    let unknown: std::collections::BTreeSet<&str> = list
        .iter()
        .map(|n| str_at(n, "/chargePermissionId"))
        .filter(|p| !known.contains(*p))
        .collect();
    for p in unknown {
        if let Err(e) = fetch(shared, &format!("/chargePermissions/{p}")).await {
            shared.violation(format!(
                "a notification is about charge permission {p}, which was not committed: {e}"
            ));
        }
    }
    list.len() as u64
}
