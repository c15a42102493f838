//! The workload: orders one after another per task, each request retried with its key until it
//! is acknowledged.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use super::{Acked, Op, Order, Shared};
use crate::calls::{Outcome, Sent, usd};

fn new_key(rng: &mut StdRng) -> String {
    (0..32)
        .map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)]))
        .collect()
}

/// One workload task: orders one after another until told to stop.
pub(super) async fn worker(shared: Arc<Shared>, w: usize, mut rng: StdRng) {
    while !shared.stop.load(Ordering::SeqCst) {
        let n = {
            let mut orders = shared.orders.lock().expect("orders lock");
            let n = orders.len();
            orders.push(Order {
                n,
                worker: w,
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
    let w = shared.order(n, |o| {
        o.doubt = Some(op);
        o.worker
    });
    loop {
        let outcome = {
            let _running = shared.gate.read().await;
            shared.journal.note(format_args!(
                "w{w} order {n} {}: {} {} key={} body={}",
                op.name(),
                sent.method.as_str(),
                sent.path,
                sent.key.as_deref().unwrap_or("-"),
                sent.body
                    .as_ref()
                    .map_or_else(String::new, Value::to_string)
            ));
            sent.send(&shared.client).await
        };
        shared.journal.note(format_args!(
            "w{w} order {n} {}: {}",
            op.name(),
            outcome.summary()
        ));
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
    let w = shared.order(n, |o| {
        o.doubt = Some(op);
        o.worker
    });
    let mut maybe_ran = false;
    loop {
        let answer = {
            let _running = shared.gate.read().await;
            shared.journal.note(format_args!(
                "w{w} order {n} {}: admin {action} {session} body={body}",
                op.name()
            ));
            shared.admin.buyer(session, action, &body).await
        };
        match &answer {
            Ok(a) => shared.journal.note(format_args!(
                "w{w} order {n} {}: answered {} {}",
                op.name(),
                a.status,
                a.body
            )),
            Err(e) => shared.journal.note(format_args!(
                "w{w} order {n} {}: no answer ({})",
                op.name(),
                if e.is_connect() {
                    "not sent"
                } else {
                    "maybe sent"
                }
            )),
        }
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

pub(super) fn str_at<'v>(v: &'v Value, pointer: &str) -> &'v str {
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
