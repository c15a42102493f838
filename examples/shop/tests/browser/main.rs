//! The whole checkout in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`) drives the shop and the emulator's hosted pages, both running in this
//! process. Each test starts its own emulator, merchant, shop and browser. Screenshots of every
//! page go to `target/artifacts/screenshots/`.
//!
//! Missing Chromium or ChromeDriver fails the tests with the packages to install.

mod harness;
mod helpers;
mod ipn;

// The WebDriver client is shared with the emulator's dashboard tests (crate `amzpay-webdriver`).
use amzpay_webdriver as webdriver;

use amzpay::types::CheckoutSessionState;
use amzpay_emulator_store::ObjectKind;
use amzpay_shop::shop::AMAZON_PAY_BUSY;
use serde_json::json;

use crate::helpers::{Buyer, Stack, session_id_of};

type R = anyhow::Result<()>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorize_with_capture_stores_a_paid_order_with_its_ids_and_a_reload_changes_nothing() -> R
{
    // Arrange
    let stack = Stack::start().await?;
    let mut buyer = Buyer::new("capture").await?;

    // Act
    let result_url = buyer.checkout(&stack, &["mug"], "1111").await?;

    // Assert
    assert_eq!(buyer.browser.text("#order-status").await?, "Paid");
    let orders = stack.orders().await;
    assert_eq!(orders.len(), 1);
    let o = &orders[0];
    assert_eq!(o.payment_intent, "AuthorizeWithCapture");
    assert_eq!(o.charge_permission_type, "OneTime");
    assert_eq!(o.charge_state.as_deref(), Some("Captured"));
    assert_eq!(o.total_minor, 1400 + 500);
    let session_id = session_id_of(&result_url);
    assert_eq!(o.checkout_session_id, session_id);
    let session = stack
        .client
        .get_checkout_session(&session_id)
        .await?
        .into_inner();
    assert_eq!(
        session.status_details.state,
        CheckoutSessionState::Completed
    );
    assert_eq!(
        session.charge_permission_id.as_ref().map(|i| i.as_str()),
        Some(o.charge_permission_id.as_str())
    );
    assert_eq!(
        session.charge_id.as_ref().map(|i| i.as_str()),
        o.charge_id.as_deref()
    );
    assert!(o.charge_id.is_some());

    // A reload of the result page shows the confirmation again and stores nothing new.
    buyer.browser.refresh().await?;
    assert_eq!(buyer.browser.text("#order-reference").await?, o.reference);
    buyer.browser.screenshot("confirmation-reloaded").await?;
    assert_eq!(stack.orders().await.len(), 1);

    // A result URL with a session the shop never started is an error, and stores nothing.
    buyer
        .browser
        .goto(&format!(
            "{}/checkout/result?amazonCheckoutSessionId=0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d",
            stack.shop_url
        ))
        .await?;
    let message = buyer.browser.text("#error-message").await?;
    assert!(
        message.contains("did not start this Amazon Pay checkout"),
        "{message}"
    );
    buyer.browser.screenshot("foreign-session").await?;
    assert_eq!(stack.orders().await.len(), 1);

    // The back office shows the order and the charge permission's 30-day rule.
    buyer
        .browser
        .goto(&format!("{}/admin/orders/{}", stack.shop_url, o.reference))
        .await?;
    assert_eq!(
        buyer.browser.text("#charge-permission-id").await?,
        o.charge_permission_id
    );
    buyer.browser.screenshot("admin-order").await?;
    buyer
        .browser
        .goto(&format!(
            "{}/admin/orders/{}/permission",
            stack.shop_url, o.reference
        ))
        .await?;
    assert!(
        buyer
            .browser
            .text("#thirty-day-rule")
            .await?
            .contains("30 days")
    );
    buyer.browser.screenshot("admin-permission").await?;

    // Ship: a Delivery Tracker with the tracking number and carrier code.
    buyer.open_order(&stack, &o.reference).await?;
    buyer
        .browser
        .find("#tracking-number")
        .await?
        .fill("1Z999AA10123456784")
        .await?;
    buyer
        .act("#ship", "Shipped: UPS 1Z999AA10123456784")
        .await?;
    assert_eq!(
        buyer.browser.text("#tracking").await?,
        "UPS 1Z999AA10123456784"
    );

    // Refund the whole amount with the stored charge id; it completes 30 s later.
    buyer.act("#refund", "RefundInitiated").await?;
    stack.advance_clock("31s").await?;
    buyer.act("#refresh", "is now Refunded").await?;
    buyer
        .browser
        .wait_for_text("#order-status", "Refunded")
        .await?;
    buyer.browser.screenshot("admin-refunded").await?;
    let o = stack.orders().await.remove(0);
    assert_eq!(o.refund_state.as_deref(), Some("Refunded"));
    assert_eq!(o.refunded_minor, 1900);
    assert!(o.tracking_number.is_some());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorize_stores_an_authorized_order() -> R {
    let stack = Stack::start().await?;
    let mut buyer = Buyer::new("authorize").await?;

    let result_url = buyer.checkout(&stack, &["kettle"], "4444").await?;

    assert_eq!(
        buyer.browser.text("#order-status").await?,
        "Payment authorized"
    );
    let orders = stack.orders().await;
    assert_eq!(orders.len(), 1);
    let o = &orders[0];
    assert_eq!(o.payment_intent, "Authorize");
    assert_eq!(o.charge_state.as_deref(), Some("Authorized"));
    let session = stack
        .client
        .get_checkout_session(session_id_of(&result_url))
        .await?
        .into_inner();
    assert_eq!(
        session.charge_id.as_ref().map(|i| i.as_str()),
        o.charge_id.as_deref()
    );
    assert_eq!(
        session.charge_permission_id.as_ref().map(|i| i.as_str()),
        Some(o.charge_permission_id.as_str())
    );

    // The back office captures the authorized charge when it ships.
    let reference = o.reference.clone();
    buyer.open_order(&stack, &reference).await?;
    buyer.act("#capture", "Captured 54.99 USD").await?;
    buyer
        .browser
        .wait_for_text("#charge-state", "Captured")
        .await?;
    buyer.browser.wait_for_text("#order-status", "Paid").await?;
    buyer.browser.screenshot("admin-captured").await?;
    let o = stack.orders().await.remove(0);
    assert_eq!(o.charge_state.as_deref(), Some("Captured"));
    assert_eq!(o.captured_minor, 5499);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirm_stores_a_charge_permission_without_a_charge() -> R {
    let stack = Stack::start().await?;
    let mut buyer = Buyer::new("confirm").await?;

    let result_url = buyer.checkout(&stack, &["espresso"], "0005").await?;

    assert_eq!(
        buyer.browser.text("#order-status").await?,
        "Confirmed: paid when it ships"
    );
    let orders = stack.orders().await;
    assert_eq!(orders.len(), 1);
    let o = &orders[0];
    assert_eq!(o.payment_intent, "Confirm");
    assert_eq!(o.charge_id, None);
    let session = stack
        .client
        .get_checkout_session(session_id_of(&result_url))
        .await?
        .into_inner();
    assert_eq!(session.charge_id, None);
    assert_eq!(
        session.charge_permission_id.as_ref().map(|i| i.as_str()),
        Some(o.charge_permission_id.as_str())
    );

    // Later, the back office charges the permission (which closes it: nothing is left).
    let reference = o.reference.clone();
    buyer.open_order(&stack, &reference).await?;
    buyer.act("#charge", "Charged 204.00 USD").await?;
    buyer
        .browser
        .wait_for_text("#charge-state", "Captured")
        .await?;
    buyer.browser.screenshot("admin-charged").await?;
    let o = stack.orders().await.remove(0);
    assert!(o.charge_id.is_some());
    assert_eq!(o.captured_minor, 20400);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_who_cancels_or_is_declined_is_back_at_the_cart_with_the_message_and_no_order() -> R
{
    let stack = Stack::start().await?;
    let mut buyer = Buyer::new("cancel-decline").await?;

    let canceled = buyer.checkout(&stack, &["mug"], "3064").await?;
    assert!(
        canceled.starts_with(&format!("{}/cart", stack.shop_url)),
        "{canceled}"
    );
    buyer.assert_payment_failed().await?;
    assert!(stack.orders().await.is_empty());

    // The cart is still there: try again with a card that is declined.
    buyer.browser.find("#AmazonPayButton button").await?;
    buyer.sign_in(&stack).await?;
    buyer.choose(&stack, "3434", None).await?;
    let declined = buyer.place_order(&stack).await?;
    assert!(
        declined.starts_with(&format!("{}/cart", stack.shop_url)),
        "{declined}"
    );
    buyer.assert_payment_failed().await?;
    assert!(stack.orders().await.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_authorization_shows_pending_then_authorized_after_the_clock_moves() -> R {
    let stack = Stack::start().await?;
    let mut buyer = Buyer::new("pending").await?;

    buyer.checkout(&stack, &["kettle"], "0701").await?;
    assert_eq!(
        buyer.browser.text("#order-status").await?,
        "Payment pending"
    );
    let o = stack.orders().await.remove(0);
    assert_eq!(o.charge_state.as_deref(), Some("AuthorizationInitiated"));
    assert!(o.charge_id.is_some());

    stack.advance_clock("31s").await?;
    let b = &mut buyer.browser;
    b.goto(&format!("{}/admin/orders/{}", stack.shop_url, o.reference))
        .await?;
    assert_eq!(b.text("#order-status").await?, "Payment pending");
    b.screenshot("admin-pending").await?;
    b.click("#refresh").await?;
    b.wait_for_url(&format!("{}/admin/orders/{}", stack.shop_url, o.reference))
        .await?;

    b.wait_for_text("#charge-state", "Authorized").await?;
    b.wait_for_text("#order-status", "Payment authorized")
        .await?;
    b.screenshot("admin-authorized").await?;
    let o = stack.orders().await.remove(0);
    assert_eq!(o.charge_state.as_deref(), Some("Authorized"));

    // The merchant cancels the order instead of shipping: closing the permission cancels the
    // open authorization.
    buyer.act("#close", "Closed charge permission").await?;
    buyer.act("#refresh", "is now Canceled").await?;
    assert!(stack.orders().await.remove(0).permission_closed);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_buyer_changes_the_address_through_bind_change_action() -> R {
    let stack = Stack::start().await?;
    let mut buyer = Buyer::new("change-address").await?;
    buyer.fill_cart(&stack, &["mug"]).await?;
    buyer.sign_in(&stack).await?;
    buyer.choose(&stack, "1111", None).await?;
    assert!(
        buyer
            .browser
            .text("#shipping-address")
            .await?
            .contains("Seattle")
    );

    buyer.browser.click("#change-address").await?;
    let url = buyer
        .browser
        .wait_for_url(&format!("{}/checkout/select", stack.emulator_url))
        .await?;
    assert!(url.contains("changeAction=changeAddress"), "{url}");
    // The shop does not ship to PO boxes: Amazon's page does not offer it.
    let po_box_disabled = buyer
        .browser
        .execute(
            "return document.getElementById('address-us-po-box').disabled;",
            vec![],
        )
        .await?;
    assert_eq!(po_box_disabled, serde_json::json!(true));
    buyer.choose(&stack, "1111", Some("us-office")).await?;

    let address = buyer.browser.text("#shipping-address").await?;
    assert!(address.contains("San Francisco"), "{address}");
    buyer.place_order(&stack).await?;
    let o = stack.orders().await.remove(0);
    assert!(
        o.shipping_address
            .as_deref()
            .is_some_and(|a| a.contains("San Francisco")),
        "{o:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_button_signature_shows_the_error_on_the_button_and_creates_nothing() -> R {
    let stack = Stack::start().await?;
    let mut buyer = Buyer::new("tampered").await?;
    buyer.fill_cart(&stack, &["mug"]).await?;

    // The page re-renders the button with a payload changed after signing.
    buyer
        .browser
        .execute(
            "const el = document.getElementById('AmazonPayButton');\
             const config = JSON.parse(el.getAttribute('data-config'));\
             config.createCheckoutSessionConfig.payloadJSON = \
               config.createCheckoutSessionConfig.payloadJSON.replace('/checkout/review', '/checkout/review?evil=1');\
             amazon.Pay.renderButton('#AmazonPayButton', config);",
            vec![],
        )
        .await?;
    buyer.browser.click("#AmazonPayButton button").await?;

    let error = buyer.browser.text(".amazonpay-error").await?;
    assert!(error.contains("signature"), "{error}");
    assert!(error.contains("InvalidRequestSignature"), "{error}");
    buyer.browser.screenshot("tampered-button").await?;
    assert!(
        buyer
            .browser
            .url()
            .await?
            .starts_with(&format!("{}/cart", stack.shop_url))
    );
    assert_eq!(stack.sessions_at_amazon().await, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_checkout_js_does_not_load_the_page_says_why_and_how_to_fix_it() -> R {
    // Arrange: nothing answers at this address, as when the browser refuses the emulator's
    // certificate, the script does not load.
    let unreachable = "https://127.0.0.1:9/checkout.js";
    let stack = Stack::start_with_checkout_js(Some(unreachable)).await?;
    let mut buyer = Buyer::new("checkout-js-missing").await?;
    let b = &mut buyer.browser;
    b.goto(&format!("{}/", stack.shop_url)).await?;
    b.click("#add-mug").await?;

    // Act
    b.goto(&format!("{}/cart", stack.shop_url)).await?;

    // Assert
    let message = b.text("#amazon-pay-unavailable").await?;
    assert!(message.contains("not available"), "{message}");
    let note = b.text("#amazon-pay-unavailable-note").await?;
    assert!(note.contains(unreachable), "{note}");
    assert!(note.contains("accept the warning"), "{note}");
    assert!(note.contains("tls/ca.pem"), "{note}");
    b.screenshot("checkout-js-missing").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buyers_read_plain_words_and_the_pages_fit_a_phone_screen() -> R {
    // Arrange
    let stack = Stack::start().await?;
    let mut buyer = Buyer::new("plain-words").await?;

    // Act: a mug (14.00 USD) with 5.00 USD shipping.
    buyer.checkout(&stack, &["mug"], "1111").await?;

    // Assert: the confirmation shows how the total is made up.
    let b = &mut buyer.browser;
    assert_eq!(b.text("#order-subtotal").await?, "14.00 USD");
    assert_eq!(b.text("#order-shipping").await?, "5.00 USD");
    assert_eq!(b.text("#order-total").await?, "19.00 USD");
    // Amazon Pay's vocabulary is for developers: only in the developer note.
    let visible_without_notes = "return Array.from(document.querySelectorAll('main > *'))\
         .filter(e => !e.classList.contains('dev-note')).map(e => e.innerText).join('\\n');";
    b.goto(&format!("{}/", stack.shop_url)).await?;
    b.click("#add-mug").await?;
    b.wait_for_url(&format!("{}/cart", stack.shop_url)).await?;
    assert_eq!(
        b.text("#payment-terms").await?,
        "You are charged when you place the order."
    );
    for page in ["/", "/cart"] {
        b.goto(&format!("{}{page}", stack.shop_url)).await?;
        let text = b.execute(visible_without_notes, vec![]).await?;
        let text = text.as_str().unwrap_or_default();
        for jargon in [
            "AuthorizeWithCapture",
            "(Authorize)",
            "(Confirm)",
            "PayOnly",
        ] {
            assert!(!text.contains(jargon), "{page} shows {jargon}: {text}");
        }
    }

    // The back office shows times to the second, and no page scrolls sideways at 390 px.
    let order = stack.orders().await.remove(0);
    b.goto(&format!("{}/admin/orders", stack.shop_url)).await?;
    let time = b.text("#orders .order-time").await?;
    assert!(time.ends_with(" UTC") && !time.contains('.'), "{time}");
    b.set_window_size(390, 844).await?;
    let fits = "return [window.innerWidth, document.documentElement.scrollWidth];";
    for page in [
        "/".to_owned(),
        "/admin/orders".to_owned(),
        format!("/admin/orders/{}", order.reference),
        format!("/admin/orders/{}/permission", order.reference),
        "/admin/products".to_owned(),
    ] {
        b.goto(&format!("{}{page}", stack.shop_url)).await?;
        let sizes = b.execute(fits, vec![]).await?;
        let (viewport, content) = (sizes[0].as_u64(), sizes[1].as_u64());
        assert!(viewport <= Some(390), "the window is phone-sized: {sizes}");
        assert!(content <= viewport, "{page} scrolls sideways: {sizes}");
        let name = page.trim_matches('/').replace('/', "-");
        b.screenshot(&format!("phone-{name}")).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_complete_answer_still_ends_in_one_confirmation_and_one_charge() -> R {
    // Arrange: Amazon completes the checkout but its answer never reaches the shop.
    let stack = Stack::start().await?;
    let mut buyer = Buyer::new("lost-complete").await?;
    buyer.fill_cart(&stack, &["mug"]).await?;
    buyer.sign_in(&stack).await?;
    buyer.choose(&stack, "1111", None).await?;
    let lost = stack
        .add_fault(json!({
            "operation": "CompleteCheckoutSession",
            "count": 1,
            "fault": {"kind": "lostAnswer"},
        }))
        .await?;

    // Act
    let result_url = buyer.place_order(&stack).await?;

    // Assert: the fault happened, and the buyer still got one confirmation of a paid order.
    assert_eq!(stack.fault_hits(&lost).await?, 1);
    assert!(
        result_url.starts_with(&format!("{}/checkout/result", stack.shop_url)),
        "{result_url}"
    );
    assert_eq!(buyer.browser.text("#order-status").await?, "Paid");
    let orders = stack.orders().await;
    assert_eq!(orders.len(), 1);
    let o = &orders[0];
    assert_eq!(o.checkout_session_id, session_id_of(&result_url));
    assert_eq!(o.charge_state.as_deref(), Some("Captured"));
    assert_eq!(stack.objects_at_amazon(ObjectKind::Charge).await, 1);
    assert_eq!(
        stack.objects_at_amazon(ObjectKind::ChargePermission).await,
        1
    );

    // The back office shows the one charge Amazon holds.
    let charge_id = o.charge_id.clone().expect("a charge id");
    buyer.open_order(&stack, &o.reference).await?;
    assert_eq!(buyer.browser.text("#charge-id").await?, charge_id);
    assert_eq!(buyer.browser.text("#charge-state").await?, "Captured");
    buyer
        .browser
        .screenshot("admin-order-after-lost-answer")
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_amazon_pay_tells_the_buyer_to_try_again_and_a_second_try_succeeds() -> R {
    // Arrange: every Update Checkout Session ("Place your order") answers 429, so the SDK's own
    // retries run out. The shop never calls Create Checkout Session itself (the button creates
    // the session through checkout.js, which fault rules do not touch), so Update is the first
    // call of the buyer's checkout that Amazon can throttle.
    let stack = Stack::start().await?;
    let mut buyer = Buyer::new("throttled").await?;
    buyer.fill_cart(&stack, &["mug"]).await?;
    buyer.sign_in(&stack).await?;
    buyer.choose(&stack, "1111", None).await?;
    let throttled = stack
        .add_fault(json!({
            "operation": "UpdateCheckoutSession",
            "fault": {"kind": "error", "status": 429},
        }))
        .await?;

    // Act
    let ended_at = buyer.place_order(&stack).await?;

    // Assert: back at the cart with a plain "try again", no error page, nothing stored.
    assert!(
        ended_at.starts_with(&format!("{}/cart", stack.shop_url)),
        "{ended_at}"
    );
    assert_eq!(
        buyer.browser.text("#payment-message").await?,
        AMAZON_PAY_BUSY
    );
    let page = buyer.browser.text("body").await?;
    assert!(
        !page.contains("panicked") && !page.contains("Error:"),
        "{page}"
    );
    buyer.browser.find("#AmazonPayButton button").await?;
    assert!(stack.fault_hits(&throttled).await? >= 1);
    assert!(stack.orders().await.is_empty());
    assert_eq!(stack.objects_at_amazon(ObjectKind::Charge).await, 0);

    // Amazon Pay has room again: the buyer checks out from the same cart.
    stack.clear_fault(&throttled).await?;
    buyer.sign_in(&stack).await?;
    buyer.choose(&stack, "1111", None).await?;
    let result_url = buyer.place_order(&stack).await?;
    assert!(
        result_url.starts_with(&format!("{}/checkout/result", stack.shop_url)),
        "{result_url}"
    );
    assert_eq!(buyer.browser.text("#order-status").await?, "Paid");
    assert_eq!(stack.orders().await.len(), 1);
    assert_eq!(stack.objects_at_amazon(ObjectKind::Charge).await, 1);
    Ok(())
}
