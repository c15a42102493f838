//! Instant Payment Notifications: the emulator posts them to the shop's `/ipn`, and the shop
//! updates the order without anyone pressing "Refresh from Amazon Pay".
//!
//! The first two tests watch the back office in the browser while the virtual clock moves.
//! The last two post notifications to `/ipn` themselves: genuine ones, signed by the emulator
//! and caught on their way to a stand-in endpoint, sent once, twice, or tampered with. They use
//! the browser only to place the order.

use amzpay_shop::db::Order;
use serde_json::Value;

use crate::R;
use crate::helpers::{Buyer, NotificationCatcher, Stack, message_of};

/// The order's history lines.
async fn history(stack: &Stack, o: &Order) -> Vec<String> {
    stack
        .shop
        .db()
        .events(o.id)
        .await
        .expect("read the history")
        .into_iter()
        .map(|e| e.text)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_authorization_becomes_authorized_on_the_order_page_through_a_notification() -> R
{
    // Arrange: the emulator notifies the shop; a pending authorization (card 0701).
    let stack = Stack::start().await?;
    stack.send_notifications_to_shop().await?;
    let mut buyer = Buyer::new("ipn-pending").await?;
    buyer.checkout(&stack, &["kettle"], "0701").await?;
    assert_eq!(
        buyer.browser.text("#order-status").await?,
        "Payment pending"
    );
    let o = stack.orders().await.remove(0);
    let charge_id = o.charge_id.clone().expect("a charge id");
    buyer.open_order(&stack, &o.reference).await?;
    let b = &mut buyer.browser;
    assert_eq!(b.text("#order-status").await?, "Payment pending");
    b.find("#in-progress").await?;
    b.screenshot("ipn-admin-pending").await?;

    // Act: Amazon Pay decides 30 s later; nobody touches the page.
    stack.advance_clock("31s").await?;

    // Assert: the page changed by itself, because the notification updated the order.
    b.wait_for_text("#order-status", "Payment authorized")
        .await?;
    b.wait_for_text("#charge-state", "Authorized").await?;
    b.wait_for_text("#history", "Amazon Pay notified: CHARGE")
        .await?;
    b.execute(
        "document.getElementById('history').scrollIntoView();",
        vec![],
    )
    .await?;
    b.screenshot("ipn-admin-authorized").await?;
    let o = stack.orders().await.remove(0);
    assert_eq!(o.charge_state.as_deref(), Some("Authorized"));
    let expected =
        format!("Amazon Pay notified: CHARGE {charge_id} STATE_CHANGE; charge is now Authorized.");
    let lines = history(&stack, &o).await;
    assert!(lines.contains(&expected), "{lines:#?}");
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("is now Authorized.") && !l.starts_with("Amazon Pay notified")),
        "the refresh button was not used: {lines:#?}"
    );
    assert!(stack.shop.db().notification_count(o.id).await? >= 1);
    // Nothing is pending any more: the page stops reloading itself.
    assert_eq!(
        b.execute(
            "return document.getElementById('in-progress') === null;",
            vec![]
        )
        .await?,
        serde_json::json!(true)
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_shows_initiated_then_refunded_through_a_notification() -> R {
    // Arrange: a paid order.
    let stack = Stack::start().await?;
    stack.send_notifications_to_shop().await?;
    let mut buyer = Buyer::new("ipn-refund").await?;
    buyer.checkout(&stack, &["mug"], "1111").await?;
    let o = stack.orders().await.remove(0);
    buyer.open_order(&stack, &o.reference).await?;

    // Act: refund it all; Amazon Pay completes refunds 30 s later.
    buyer.act("#refund", "RefundInitiated").await?;
    let b = &mut buyer.browser;
    assert_eq!(b.text("#refund-state").await?, "RefundInitiated");
    b.find("#in-progress").await?;
    b.screenshot("ipn-refund-initiated").await?;
    stack.advance_clock("31s").await?;

    // Assert
    b.wait_for_text("#refund-state", "Refunded").await?;
    b.wait_for_text("#history", "Amazon Pay notified: REFUND")
        .await?;
    b.execute(
        "document.getElementById('history').scrollIntoView();",
        vec![],
    )
    .await?;
    b.screenshot("ipn-refund-refunded").await?;
    let o = stack.orders().await.remove(0);
    let refund_id = o.refund_id.clone().expect("a refund id");
    assert_eq!(o.refund_state.as_deref(), Some("Refunded"));
    assert_eq!(o.refunded_minor, o.total_minor);
    let expected =
        format!("Amazon Pay notified: REFUND {refund_id} STATE_CHANGE; refund is now Refunded.");
    let lines = history(&stack, &o).await;
    assert!(lines.contains(&expected), "{lines:#?}");
    Ok(())
}

/// A paid order whose notifications went to a stand-in endpoint instead of the shop; returns
/// the stack, the order and the signed body of its charge's notification.
async fn order_and_its_charge_notification(
    test_name: &str,
) -> anyhow::Result<(Stack, NotificationCatcher, Order, String)> {
    let stack = Stack::start().await?;
    let catcher = NotificationCatcher::start().await?;
    stack.send_notifications_to(&catcher.url).await?;
    let mut buyer = Buyer::new(test_name).await?;
    buyer.checkout(&stack, &["mug"], "1111").await?;
    stack.dispatch_notifications().await?;
    let o = stack.orders().await.remove(0);
    let charge_id = o.charge_id.clone().expect("a charge id");
    let body = catcher
        .about("CHARGE")
        .into_iter()
        .find(|b| {
            let m = message_of(b);
            m["ObjectId"] == charge_id.as_str() && m["NotificationType"] == "STATE_CHANGE"
        })
        .ok_or_else(|| anyhow::anyhow!("no notification about charge {charge_id}"))?;
    Ok((stack, catcher, o, body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_notification_is_refused_with_400_and_changes_nothing() -> R {
    // Arrange: the shop believes the charge is still Authorized; a genuine notification would
    // correct that. Someone changes the message after the emulator signed it.
    let (stack, _catcher, o, body) = order_and_its_charge_notification("ipn-tampered").await?;
    let charge_id = o.charge_id.clone().expect("a charge id");
    stack
        .shop
        .db()
        .set_charge(o.id, &charge_id, "Authorized", 0)
        .await?;
    let before = history(&stack, &o).await;
    let mut envelope: Value = serde_json::from_str(&body)?;
    let message = envelope["Message"].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("STATE_CHANGE"), "{message}");
    envelope["Message"] = Value::String(message.replace("STATE_CHANGE", "ATTRIBUTE_CHANGE"));
    let tampered = serde_json::to_string(&envelope)?;

    // Act
    let status = stack.post_to_shop_ipn(&tampered).await?;

    // Assert
    assert_eq!(status, 400);
    let after = stack.orders().await.remove(0);
    assert_eq!(after.charge_state.as_deref(), Some("Authorized"));
    assert_eq!(history(&stack, &o).await, before);
    assert_eq!(stack.shop.db().notification_count(o.id).await?, 0);
    // The genuine notification is accepted: the 400 was the tampering.
    assert_eq!(stack.post_to_shop_ipn(&body).await?, 200);
    let fixed = stack.orders().await.remove(0);
    assert_eq!(fixed.charge_state.as_deref(), Some("Captured"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_notification_twice_changes_the_order_once() -> R {
    // Arrange: the shop's copy of the charge is stale, so the notification changes the order.
    let (stack, _catcher, o, body) = order_and_its_charge_notification("ipn-twice").await?;
    let charge_id = o.charge_id.clone().expect("a charge id");
    let db = stack.shop.db();
    db.set_charge(o.id, &charge_id, "Authorized", 0).await?;

    // Act: SNS delivers at least once: the same notification arrives twice. In between, the
    // shop's copy goes stale again, so a second update would show.
    let first = stack.post_to_shop_ipn(&body).await?;
    let updated = stack.orders().await.remove(0);
    db.set_charge(o.id, &charge_id, "Authorized", 0).await?;
    let second = stack.post_to_shop_ipn(&body).await?;

    // Assert
    assert_eq!((first, second), (200, 200));
    assert_eq!(updated.charge_state.as_deref(), Some("Captured"));
    assert_eq!(updated.captured_minor, o.total_minor);
    let after = stack.orders().await.remove(0);
    assert_eq!(
        after.charge_state.as_deref(),
        Some("Authorized"),
        "the second delivery was ignored"
    );
    let notified: Vec<String> = history(&stack, &o)
        .await
        .into_iter()
        .filter(|l| l.starts_with("Amazon Pay notified"))
        .collect();
    assert_eq!(
        notified,
        vec![format!(
            "Amazon Pay notified: CHARGE {charge_id} STATE_CHANGE; charge is now Captured."
        )]
    );
    assert_eq!(db.notification_count(o.id).await?, 1);
    Ok(())
}
