//! Unit tests of the checkout state machine (the HTTP-level rules are tested in the server).

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;
use crate::clock::DAY;
use crate::error::FieldError;
use crate::ids::{CheckoutSessionId, MerchantId, StoreId};
use crate::input::{MerchantContext, NewCheckoutSession, PaymentDetailsInput};
use crate::model::{
    ChargeState, Instrument, NonChargeableReason, PaymentIntent, PaymentStep, PermissionState,
    SessionState, StepAuthorization, WebCheckoutDetails,
};
use crate::money::{Currency, Money};

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Usd)
}

fn merchant() -> MerchantContext {
    MerchantContext {
        merchant_id: MerchantId::parse("AMERCHANT0001").unwrap(),
        store_id: StoreId::parse("amzn1.application-oa2-client.0123").unwrap(),
        region: Region::Na,
        environment: Environment::Sandbox,
    }
}

const T0: Timestamp = Timestamp::from_unix(1_700_000_000);

fn new_session(intent: PaymentIntent, amount: i64) -> NewCheckoutSession {
    NewCheckoutSession {
        store_id: merchant().store_id.to_string(),
        web_checkout_details: WebCheckoutDetails {
            checkout_review_return_url: Some("https://shop.example/review".into()),
            checkout_result_return_url: Some("https://shop.example/result?x=1".into()),
            ..Default::default()
        },
        payment_details: Some(PaymentDetailsInput {
            payment_intent: Some(intent),
            charge_amount: Some(usd(amount)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

struct World {
    rng: StdRng,
    checkout: Checkout,
}

impl World {
    fn new(input: NewCheckoutSession) -> World {
        let mut rng = StdRng::seed_from_u64(1);
        let (checkout, _) = create(&merchant(), input, T0, &mut rng).unwrap();
        World { rng, checkout }
    }

    fn run(&mut self, cmd: Command, now: Timestamp) -> Result<Vec<Effect>, DomainError> {
        let (c, e) = transition(&self.checkout, cmd, now, &mut self.rng)?;
        self.checkout = c;
        Ok(e)
    }

    fn pay_with(&mut self, instrument: &str) -> Vec<Effect> {
        let mut sign_in = SignIn::test_buyer();
        sign_in.instrument = Instrument::parse(instrument);
        self.run(Command::SignIn(sign_in), T0.plus(1)).unwrap();
        self.run(Command::RunPaymentStep, T0.plus(2)).unwrap()
    }

    fn complete(&mut self, amount: i64) -> Result<Vec<Effect>, DomainError> {
        self.run(
            Command::Complete(CompleteRequest {
                charge_amount: Some(usd(amount)),
                total_order_amount: None,
            }),
            T0.plus(3),
        )
    }
}

#[test]
fn a_new_session_lists_every_constraint_until_the_buyer_and_payment_details_are_set() {
    let mut input = new_session(PaymentIntent::Authorize, 1400);
    input.payment_details = None;
    input.web_checkout_details.checkout_result_return_url = None;
    let w = World::new(input);
    assert_eq!(
        w.checkout.constraints(),
        vec![
            Constraint::BuyerNotAssociated,
            Constraint::ChargeAmountNotSet,
            Constraint::CheckoutResultReturnUrlNotSet,
            Constraint::PaymentIntentNotSet
        ]
    );
    assert!(!w.checkout.redirect_url_ready());
}

#[test]
fn the_payment_step_redirects_to_the_result_url_with_the_session_id() {
    let mut w = World::new(new_session(PaymentIntent::Authorize, 1400));
    let effects = w.pay_with("1111");
    let id = w.checkout.session.id.clone();
    assert_eq!(
        effects,
        vec![Effect::Redirect(Redirect::Merchant(format!(
            "https://shop.example/result?x=1&amazonCheckoutSessionId={id}"
        )))]
    );
}

#[test]
fn a_buyer_cancel_goes_to_the_cancel_url_else_back_to_the_review_page() {
    let mut w = World::new(new_session(PaymentIntent::Authorize, 1400));
    let id = w.checkout.session.id.clone();
    // No checkoutCancelUrl: back to the review page, even with a result URL set.
    let effects = w.run(Command::CancelAsBuyer, T0.plus(1)).unwrap();
    assert_eq!(
        effects,
        vec![Effect::Redirect(Redirect::Merchant(format!(
            "https://shop.example/review?amazonCheckoutSessionId={id}"
        )))]
    );
    assert!(matches!(
        w.checkout.session.state,
        SessionState::Canceled {
            reason: SessionCancelReason::BuyerCanceled,
            ..
        }
    ));

    let mut input = new_session(PaymentIntent::Authorize, 1400);
    input.web_checkout_details.checkout_cancel_url = Some("https://shop.example/cart".into());
    let mut w = World::new(input);
    let id = w.checkout.session.id.clone();
    let effects = w.run(Command::CancelAsBuyer, T0.plus(1)).unwrap();
    assert_eq!(
        effects,
        vec![Effect::Redirect(Redirect::Merchant(format!(
            "https://shop.example/cart?amazonCheckoutSessionId={id}"
        )))]
    );
}

#[test]
fn complete_before_the_payment_step_is_an_invalid_status() {
    let mut w = World::new(new_session(PaymentIntent::Authorize, 1400));
    assert!(matches!(
        w.complete(1400),
        Err(DomainError::InvalidCheckoutSessionStatus(_))
    ));
}

#[test]
fn complete_with_another_amount_is_an_amount_mismatch_and_changes_nothing() {
    let mut w = World::new(new_session(PaymentIntent::Authorize, 1400));
    w.pay_with("1111");
    let before = w.checkout.clone();
    assert_eq!(
        w.complete(1401),
        Err(DomainError::AmountMismatch {
            field: "chargeAmount"
        })
    );
    assert_eq!(w.checkout, before);
}

#[test]
fn complete_creates_what_the_payment_intent_says() {
    // (intent, charge state, permission state)
    let cases = [
        (PaymentIntent::Confirm, None, "Chargeable"),
        (
            PaymentIntent::Authorize,
            Some("Authorized"),
            "NonChargeable",
        ),
        (
            PaymentIntent::AuthorizeWithCapture,
            Some("Captured"),
            "Closed",
        ),
    ];
    for (intent, charge, permission) in cases {
        let mut w = World::new(new_session(intent, 1400));
        w.pay_with("1111");
        assert_eq!(w.complete(1400).unwrap(), vec![], "{intent:?}");
        let c = &w.checkout;
        assert_eq!(c.session.state.as_str(), "Completed");
        assert_eq!(
            c.charges.first().map(|c| c.state.as_str()),
            charge,
            "{intent:?}"
        );
        assert_eq!(
            c.permission.as_ref().unwrap().state.as_str(),
            permission,
            "{intent:?}"
        );
        assert_eq!(c.completion_charge_id().is_some(), charge.is_some());
    }
}

#[test]
fn a_total_order_amount_leaves_a_balance_after_capture() {
    let mut input = new_session(PaymentIntent::AuthorizeWithCapture, 1000);
    input.payment_details.as_mut().unwrap().total_order_amount = Some(usd(2500));
    let mut w = World::new(input);
    w.pay_with("1111");
    assert_eq!(
        w.complete(1000),
        Err(DomainError::Field(FieldError::missing("totalOrderAmount")))
    );
    let effects = w.run(
        Command::Complete(CompleteRequest {
            charge_amount: Some(usd(1000)),
            total_order_amount: Some(usd(2500)),
        }),
        T0.plus(3),
    );
    assert!(effects.is_ok());
    assert_eq!(w.checkout.amount_balance(), Some(usd(1500)));
    assert_eq!(
        w.checkout.permission.as_ref().unwrap().state,
        PermissionState::Chargeable
    );
}

/// Split shipments (one-time-payment-scenarios guide, "Partial authorization or capture at
/// checkout"): open authorizations hold their amounts, and the permission is `ChargeInProgress`
/// only once they hold everything that is left.
#[test]
fn open_authorizations_leave_a_one_time_permission_chargeable_until_they_hold_the_balance() {
    let mut input = new_session(PaymentIntent::Authorize, 1000);
    input.payment_details.as_mut().unwrap().total_order_amount = Some(usd(3000));
    let mut w = World::new(input);
    w.pay_with("1111");
    w.run(
        Command::Complete(CompleteRequest {
            charge_amount: Some(usd(1000)),
            total_order_amount: Some(usd(3000)),
        }),
        T0.plus(3),
    )
    .unwrap();
    let state = |w: &World| w.checkout.permission.as_ref().unwrap().state.clone();
    assert_eq!(state(&w), PermissionState::Chargeable);

    w.run(Command::CreateCharge(NewCharge::of(usd(1500))), T0.plus(4))
        .unwrap();
    assert_eq!(state(&w), PermissionState::Chargeable);
    assert_eq!(w.checkout.amount_balance(), Some(usd(500)));

    w.run(Command::CreateCharge(NewCharge::of(usd(500))), T0.plus(5))
        .unwrap();
    assert_eq!(
        state(&w),
        PermissionState::NonChargeable(vec![NonChargeableReason::ChargeInProgress])
    );
    let last = w.checkout.charges.last().unwrap().id.clone();
    w.run(
        Command::CancelCharge {
            charge_id: last,
            reason: "Out of stock".into(),
        },
        T0.plus(6),
    )
    .unwrap();
    assert_eq!(state(&w), PermissionState::Chargeable);
}

#[test]
fn canceled_and_declined_sessions_answer_checkout_session_canceled() {
    for (card, reason) in [
        ("3064", SessionCancelReason::BuyerCanceled),
        ("3434", SessionCancelReason::Declined),
    ] {
        let mut w = World::new(new_session(PaymentIntent::Authorize, 1400));
        w.pay_with(card);
        assert_eq!(
            w.complete(1400),
            Err(DomainError::CheckoutSessionCanceled(reason))
        );
    }
}

#[test]
fn a_pending_instrument_completes_with_a_pending_charge_that_resolves_after_30_seconds() {
    let mut input = new_session(PaymentIntent::Authorize, 1400);
    input
        .payment_details
        .as_mut()
        .unwrap()
        .can_handle_pending_authorization = Some(true);
    let mut w = World::new(input);
    w.pay_with("0701");
    assert_eq!(
        w.complete(1400).unwrap(),
        vec![Effect::AuthorizationPending]
    );
    assert_eq!(
        w.checkout.charges[0].state.as_str(),
        "AuthorizationInitiated"
    );
    let due = w.checkout.next_due().unwrap();
    assert_eq!(due, T0.plus(3 + PENDING_RESOLUTION_SECS));
    let (later, _) = w.checkout.advance_to(due);
    assert_eq!(later.charges[0].state, ChargeState::Authorized);
}

#[test]
fn a_pending_instrument_without_pending_support_declines_the_session() {
    let mut w = World::new(new_session(PaymentIntent::Authorize, 1400));
    w.pay_with("4354");
    assert_eq!(
        w.checkout.session.state.as_str(),
        "Canceled",
        "{:?}",
        w.checkout.session.state
    );
}

#[test]
fn an_open_session_expires_after_24_hours_and_is_gone_after_30_days() {
    let mut w = World::new(new_session(PaymentIntent::Authorize, 1400));
    w.pay_with("1111");
    assert_eq!(w.checkout.next_due(), Some(T0.plus(SESSION_EXPIRY_SECS)));
    let (later, effects) = w.checkout.advance_to(T0.plus(SESSION_EXPIRY_SECS));
    assert_eq!(effects, vec![Effect::TimerFired(TimerKind::SessionExpired)]);
    assert!(matches!(
        later.session.state,
        SessionState::Canceled {
            reason: SessionCancelReason::Expired,
            ..
        }
    ));
    assert!(matches!(
        later.session.payment_step,
        PaymentStep::Ran {
            authorization: StepAuthorization::Canceled,
            ..
        }
    ));
    assert_eq!(later.next_due(), None);
    assert!(later.session_visible(T0.plus(SESSION_RETENTION_SECS - 1)));
    assert_eq!(
        transition(
            &later,
            Command::ApplyDue,
            T0.plus(SESSION_RETENTION_SECS),
            &mut w.rng
        )
        .map(|_| ()),
        Ok(())
    );
    assert_eq!(
        transition(
            &later,
            Command::CancelAsBuyer,
            T0.plus(SESSION_RETENTION_SECS),
            &mut w.rng
        )
        .map(|_| ()),
        Err(DomainError::NotFound)
    );
}

#[test]
fn updating_the_amount_after_the_payment_step_requires_a_new_payment_step() {
    let mut w = World::new(new_session(PaymentIntent::Authorize, 1400));
    w.pay_with("1111");
    let update = SessionUpdate {
        payment_details: Some(PaymentDetailsInput {
            charge_amount: Some(usd(1500)),
            ..Default::default()
        }),
        ..Default::default()
    };
    w.run(Command::Update(update), T0.plus(3)).unwrap();
    assert_eq!(w.checkout.session.payment_step, PaymentStep::NotRun);
    let metadata_only = SessionUpdate {
        merchant_metadata: Some(crate::model::MerchantMetadata {
            merchant_reference_id: Some("order-1".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    w.run(Command::RunPaymentStep, T0.plus(4)).unwrap();
    w.run(Command::Update(metadata_only), T0.plus(5)).unwrap();
    assert!(matches!(
        w.checkout.session.payment_step,
        PaymentStep::Ran { .. }
    ));
}

#[test]
fn session_ids_are_appended_to_urls_with_and_without_a_query() {
    let id = CheckoutSessionId::parse("7efe55c3-38c7-4a1b-944d-aded27032b9a").unwrap();
    assert_eq!(
        with_session_id("https://a.example/r", &id),
        format!("https://a.example/r?amazonCheckoutSessionId={id}")
    );
    assert_eq!(
        with_session_id("https://a.example/r?x=1#top", &id),
        format!("https://a.example/r?x=1&amazonCheckoutSessionId={id}#top")
    );
}

mod amounts {
    //! Amount arithmetic under random sequences of charges, captures, cancels, refunds and time.

    use proptest::prelude::*;

    use super::*;
    use crate::input::{CaptureRequest, NewCharge, NewRefund};
    use crate::limits::refund_ceiling;
    use crate::simulation::Simulation;

    #[derive(Clone, Debug)]
    enum Op {
        Charge { minor: i64, capture_now: bool },
        Capture { index: usize, minor: i64 },
        Cancel { index: usize },
        Refund { index: usize, minor: i64 },
        RefundDeclined { index: usize, minor: i64 },
        Wait { secs: i64 },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1i64..6_000, any::<bool>())
                .prop_map(|(minor, capture_now)| Op::Charge { minor, capture_now }),
            (0usize..30, 1i64..6_000).prop_map(|(index, minor)| Op::Capture { index, minor }),
            (0usize..30).prop_map(|index| Op::Cancel { index }),
            (0usize..30, 1i64..3_000).prop_map(|(index, minor)| Op::Refund { index, minor }),
            (0usize..30, 1i64..3_000)
                .prop_map(|(index, minor)| Op::RefundDeclined { index, minor }),
            (1i64..(40 * DAY)).prop_map(|secs| Op::Wait { secs }),
        ]
    }

    /// A deferred (Confirm) OneTime permission of `limit` minor units.
    fn deferred(limit: i64) -> World {
        let mut w = World::new(new_session(PaymentIntent::Confirm, limit));
        w.pay_with("1111");
        w.complete(limit).unwrap();
        w
    }

    fn check_invariants(c: &Checkout, limit: i64) -> Result<(), TestCaseError> {
        let held: i64 = c.charges.iter().map(|ch| ch.held_amount().minor()).sum();
        prop_assert!(held >= 0);
        prop_assert!(held <= limit, "held {held} > limit {limit}");
        let balance = c.amount_balance().unwrap();
        prop_assert!(balance.minor() >= 0);
        prop_assert!(balance.minor() <= limit);
        prop_assert_eq!(balance.minor(), limit - held);
        let text = balance.to_decimal_string();
        prop_assert_eq!(Money::parse_decimal(&text, Currency::Usd), Ok(balance));
        prop_assert!(c.charges.len() <= crate::limits::ONE_TIME_MAX_CHARGES);
        for ch in &c.charges {
            if let Some(captured) = ch.capture_amount {
                prop_assert!(captured.minor() <= ch.charge_amount.minor());
                let pending_or_done: i64 = c
                    .refunds
                    .iter()
                    .filter(|r| r.charge_id == ch.id && r.state.counts())
                    .map(|r| r.refund_amount.minor())
                    .sum();
                prop_assert!(pending_or_done <= refund_ceiling(captured).minor());
                let refunded = c.refunded_amount(ch).unwrap();
                prop_assert!(refunded.minor() >= 0 && refunded.minor() <= pending_or_done);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn balances_stay_within_the_limit_and_refunds_within_the_overage(
            limit in 1i64..20_000,
            ops in proptest::collection::vec(op(), 1..40),
        ) {
            let mut w = deferred(limit);
            let mut now = T0.plus(10);
            for op in ops {
                let charge_id = |w: &World, i: usize| {
                    (!w.checkout.charges.is_empty())
                        .then(|| w.checkout.charges[i % w.checkout.charges.len()].id.clone())
                };
                let (cmd, sim) = match op {
                    Op::Charge { minor, capture_now } => (
                        Some(Command::CreateCharge(NewCharge {
                            capture_now,
                            ..NewCharge::of(usd(minor))
                        })),
                        None,
                    ),
                    Op::Capture { index, minor } => (
                        charge_id(&w, index).map(|charge_id| Command::CaptureCharge {
                            charge_id,
                            request: CaptureRequest { capture_amount: usd(minor), soft_descriptor: None },
                        }),
                        None,
                    ),
                    Op::Cancel { index } => (
                        charge_id(&w, index).map(|charge_id| Command::CancelCharge {
                            charge_id,
                            reason: "test".into(),
                        }),
                        None,
                    ),
                    Op::Refund { index, minor } | Op::RefundDeclined { index, minor } => (
                        charge_id(&w, index).map(|charge_id| Command::CreateRefund {
                            charge_id,
                            refund: NewRefund { refund_amount: usd(minor), soft_descriptor: None },
                        }),
                        matches!(op, Op::RefundDeclined { .. }).then_some(Simulation::RefundDeclined),
                    ),
                    Op::Wait { secs } => {
                        now = now.plus(secs);
                        (Some(Command::ApplyDue), None)
                    }
                };
                let Some(cmd) = cmd else { continue };
                // A refused command changes nothing (the checkout is only borrowed).
                if let Ok((c, _)) = transition_with(&w.checkout, cmd, sim, now, &mut w.rng) {
                    w.checkout = c;
                }
                check_invariants(&w.checkout, limit)?;
            }
        }
    }

    #[test]
    fn a_rejected_command_leaves_the_checkout_unchanged() {
        let mut w = deferred(1_000);
        let before = w.checkout.clone();
        let too_much = Command::CreateCharge(NewCharge::of(usd(1_001)));
        assert!(matches!(
            transition(&w.checkout, too_much, T0.plus(10), &mut w.rng),
            Err(DomainError::TransactionAmountExceeded(_))
        ));
        assert_eq!(w.checkout, before);
    }
}
