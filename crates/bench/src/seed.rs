//! Seeding a database directly through the store crate, before the emulator starts: a merchant
//! with its key, checkouts "already stored" (history), and sessions ready to complete (created,
//! buyer signed in, payment step run) for the timed phase.
//!
//! Writing through [`Store::execute`] keeps the rows exactly what the emulator writes (the same
//! aggregate documents, id index and transactions); many mutations are in flight at once so the
//! SQLite writer commits them in batches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use amzpay_emulator_core::checkout::{self, Checkout, Command};
use amzpay_emulator_core::ids::{MerchantId, PublicKeyId, StoreId};
use amzpay_emulator_core::input::{
    CompleteRequest, MerchantContext, NewCheckoutSession, PaymentDetailsInput, SignIn,
};
use amzpay_emulator_core::model::{
    Environment, Merchant, MerchantKey, PaymentIntent, Region, WebCheckoutDetails,
};
use amzpay_emulator_core::{Currency, Money, Timestamp, VirtualClock};
use amzpay_emulator_store::{
    Applied, ConnectOptions, Mutation, Store, StoredResponse, Target, Tenant,
};
use amzpay_signing::PrivateKey;
use anyhow::Context;
use futures::StreamExt;

/// How many writes are in flight while seeding (the SQLite writer takes up to 256 per commit).
const IN_FLIGHT: usize = 1024;

/// The amount every benchmark checkout pays.
pub(crate) const AMOUNT: &str = "14.00";

/// The merchant the load generator signs as.
#[derive(Debug)]
pub(crate) struct SeededMerchant {
    /// `SANDBOX-...` key id.
    pub(crate) public_key_id: String,
    /// Its private key.
    pub(crate) private_key: PrivateKey,
    /// Its store id (`amzn1.application-oa2-client....`), for Create Checkout Session.
    pub(crate) store_id: String,
}

/// What seeding did.
#[derive(Debug)]
pub(crate) struct Seeded {
    /// The merchant.
    pub(crate) merchant: SeededMerchant,
    /// Sessions ready to complete, in creation order.
    pub(crate) ready: Vec<String>,
    /// Completed checkouts stored as history.
    pub(crate) history: u64,
    /// Time spent writing the history.
    pub(crate) history_time: Duration,
    /// Time spent writing the ready sessions.
    pub(crate) ready_time: Duration,
}

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// A session as the review page leaves it and the buyer pays it: created (Authorize, 14.00 USD,
/// both return URLs), buyer signed in with the test card, payment step run.
fn ready_session(ctx: &MerchantContext, now: Timestamp) -> anyhow::Result<Checkout> {
    let mut rng = rand::thread_rng();
    let amount = Money::parse_decimal(AMOUNT, Currency::Usd)
        .map_err(|e| anyhow::anyhow!("amount: {e:?}"))?;
    let input = NewCheckoutSession {
        store_id: ctx.store_id.to_string(),
        web_checkout_details: WebCheckoutDetails {
            checkout_review_return_url: Some("https://shop.example/review".into()),
            checkout_result_return_url: Some("https://shop.example/result".into()),
            ..Default::default()
        },
        payment_details: Some(PaymentDetailsInput {
            payment_intent: Some(PaymentIntent::Authorize),
            charge_amount: Some(amount),
            ..Default::default()
        }),
        ..Default::default()
    };
    let domain = |e| anyhow::anyhow!("seeding a checkout: {e:?}");
    let (c, _) = checkout::create(ctx, input, now, &mut rng).map_err(domain)?;
    let (c, _) = checkout::transition(&c, Command::SignIn(SignIn::test_buyer()), now, &mut rng)
        .map_err(domain)?;
    let (c, _) =
        checkout::transition(&c, Command::RunPaymentStep, now, &mut rng).map_err(domain)?;
    Ok(c)
}

/// A completed checkout (session, charge permission, charge): what history looks like.
fn completed_checkout(ctx: &MerchantContext, now: Timestamp) -> anyhow::Result<Checkout> {
    let c = ready_session(ctx, now)?;
    let amount = Money::parse_decimal(AMOUNT, Currency::Usd)
        .map_err(|e| anyhow::anyhow!("amount: {e:?}"))?;
    let request = CompleteRequest {
        charge_amount: Some(amount),
        ..Default::default()
    };
    let (c, _) = checkout::transition(&c, Command::Complete(request), now, &mut rand::thread_rng())
        .map_err(|e| anyhow::anyhow!("completing a seeded checkout: {e:?}"))?;
    Ok(c)
}

/// Writes `count` checkouts made by `make` with up to [`IN_FLIGHT`] writes at once; returns
/// their session ids when `keep_ids`.
async fn write_many(
    store: &Arc<dyn Store>,
    tenant: &Tenant,
    ctx: &MerchantContext,
    count: u64,
    keep_ids: bool,
    make: fn(&MerchantContext, Timestamp) -> anyhow::Result<Checkout>,
) -> anyhow::Result<Vec<String>> {
    let now = now();
    let mut ids = Vec::new();
    let mut results = futures::stream::iter(0..count)
        .map(|_| {
            let made = make(ctx, now);
            let store = Arc::clone(store);
            let tenant = tenant.clone();
            async move {
                let c = made?;
                let id = c.session.id.to_string();
                let outcome = store
                    .execute(Mutation {
                        tenant,
                        target: Target::New,
                        idempotency: None,
                        apply: Box::new(move |_| Applied::Write {
                            checkout: Box::new(c),
                            response: StoredResponse {
                                status: 201,
                                body: Vec::new(),
                            },
                            notifications: Vec::new(),
                        }),
                    })
                    .await
                    .context("storing a seeded checkout")?;
                anyhow::ensure!(
                    matches!(outcome, amzpay_emulator_store::Outcome::Executed(_)),
                    "seeding was refused: {outcome:?}"
                );
                anyhow::Ok(id)
            }
        })
        .buffer_unordered(IN_FLIGHT);
    let mut done = 0u64;
    let step = (count / 10).max(1);
    while let Some(result) = results.next().await {
        let id = result?;
        if keep_ids {
            ids.push(id);
        }
        done += 1;
        if count >= 100_000 && done % step == 0 {
            eprintln!("    seeded {done}/{count}");
        }
    }
    Ok(ids)
}

/// Opens the store at `database`, adds a merchant, `history` completed checkouts and `ready`
/// sessions ready to complete, and closes it again.
pub(crate) async fn seed(database: &str, history: u64, ready: usize) -> anyhow::Result<Seeded> {
    let store = amzpay_emulator_store::connect(database, ConnectOptions::default())
        .await
        .context("opening the store to seed it")?;
    let (merchant, key, private_key) = {
        let mut rng = rand::thread_rng();
        let merchant = Merchant {
            merchant_id: MerchantId::generate(&mut rng),
            store_id: StoreId::generate(&mut rng),
            region: Region::Na,
            environment: Environment::Sandbox,
            clock: VirtualClock::default(),
            created_at: now(),
        };
        let private_key = PrivateKey::generate(2048).context("generating the merchant key")?;
        let key = MerchantKey {
            public_key_id: PublicKeyId::generate(&mut rng, Environment::Sandbox),
            merchant_id: merchant.merchant_id.clone(),
            public_key_pem: private_key.public_key().to_pem(),
        };
        (merchant, key, private_key)
    };
    store
        .insert_merchant(&merchant, &key)
        .await
        .context("storing the merchant")?;
    let tenant = Tenant {
        merchant_id: merchant.merchant_id.clone(),
        environment: Environment::Sandbox,
    };
    let ctx = MerchantContext {
        merchant_id: merchant.merchant_id.clone(),
        store_id: merchant.store_id.clone(),
        region: merchant.region,
        environment: Environment::Sandbox,
    };
    let start = Instant::now();
    write_many(&store, &tenant, &ctx, history, false, completed_checkout).await?;
    let history_time = start.elapsed();
    let start = Instant::now();
    let ready = write_many(&store, &tenant, &ctx, ready as u64, true, ready_session).await?;
    let ready_time = start.elapsed();
    drop(store);
    // Let the SQLite writer task see its channel close and release the database.
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(Seeded {
        merchant: SeededMerchant {
            public_key_id: key.public_key_id.to_string(),
            private_key,
            store_id: merchant.store_id.to_string(),
        },
        ready,
        history,
        history_time,
        ready_time,
    })
}
