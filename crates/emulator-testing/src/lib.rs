//! The amzpay emulator inside your Rust tests: a real, stateful Amazon Pay Checkout v2 on a random
//! loopback port, a ready [`amzpay::Client`] for a fresh merchant, typed buyer actions and the
//! merchant's virtual clock.
//!
//! [`Emulator::start`] runs the same server as `amzpay emulator serve` in the test's own tokio
//! runtime, on a temporary SQLite database that is deleted with the [`Emulator`]. Every emulator is
//! independent (its own port, database and admin token), so parallel tests do not share state.
//! Requests are signed and verified for real; nothing is mocked.
//!
//! # The completion step, tested
//!
//! ```toml
//! [dev-dependencies]
//! amzpay = "0.1"
//! amzpay-emulator-testing = "0.1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! ```
//! use amzpay::completion::CompletionOutcome;
//! use amzpay::types::{
//!     CreateCheckoutSessionRequest, Currency, PaymentDetailsInput, PaymentIntent, Price,
//!     UpdateCheckoutSessionRequest, WebCheckoutDetailsInput,
//! };
//! use amzpay_emulator_testing::{Emulator, Instrument};
//!
//! # /*
//! #[tokio::test]
//! # */
//! async fn a_paid_checkout_completes() -> Result<(), Box<dyn std::error::Error>> {
//!     let emu = Emulator::start().await?;
//!     let merchant = emu.merchant().await?;
//!     let client = merchant.client()?;
//!
//!     // What the merchant's server does when the buyer presses the Amazon Pay button...
//!     let session = client
//!         .create_checkout_session(&CreateCheckoutSessionRequest {
//!             web_checkout_details: WebCheckoutDetailsInput {
//!                 checkout_review_return_url: Some("https://shop.example/review".into()),
//!                 ..Default::default()
//!             },
//!             store_id: merchant.store_id().into(),
//!             ..Default::default()
//!         })
//!         .await?;
//!     let id = session.checkout_session_id.to_string();
//!     let total = Price::parse("14.00", Currency::Usd)?;
//!     client
//!         .update_checkout_session(&id, &UpdateCheckoutSessionRequest {
//!             web_checkout_details: Some(WebCheckoutDetailsInput {
//!                 checkout_result_return_url: Some("https://shop.example/result".into()),
//!                 ..Default::default()
//!             }),
//!             payment_details: Some(PaymentDetailsInput {
//!                 payment_intent: Some(PaymentIntent::AuthorizeWithCapture),
//!                 charge_amount: Some(total.clone()),
//!                 ..Default::default()
//!             }),
//!             ..Default::default()
//!         })
//!         .await?;
//!
//!     // ...what the buyer does on Amazon's pages...
//!     emu.buyer(&id).sign_in(Instrument::Success).await?;
//!     let back = emu.buyer(&id).pay().await?;
//!     assert!(back.redirect_url.starts_with("https://shop.example/result"));
//!
//!     // ...and the step under test: complete with the exact amount, keep the ids.
//!     match client.complete_checkout(&id, total, None).await? {
//!         CompletionOutcome::Completed(done) => {
//!             assert!(done.charge.is_some(), "AuthorizeWithCapture creates a charge");
//!         }
//!         other => panic!("not completed: {other:?}"),
//!     }
//!     Ok(())
//! }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! #     tokio::runtime::Runtime::new()?.block_on(a_paid_checkout_completes())
//! # }
//! ```
//!
//! # Time
//!
//! Every merchant has a virtual clock. [`Emulator::clock`] moves it: a pending authorization
//! resolves 30 seconds later, an open session expires after 24 hours, a refund completes after
//! 30 seconds, all without sleeping. See the emulator's `docs/simulation.md` for every timer.
//!
//! # Choices
//!
//! - Plain HTTP by default: the SDK accepts `http://` endpoints, and a test has no use for TLS.
//!   [`EmulatorBuilder::https`] serves HTTPS with a generated CA instead, and the merchant's
//!   [`Merchant::config_builder`] trusts it.
//! - Merchants sign with one RSA key per test process (generated on first use, the slow part),
//!   each registered under its own public key id, so a test pays for key generation once.
//! - The database is SQLite without `fsync` (a throwaway file); [`EmulatorBuilder::database_url`]
//!   points at another database, for example a PostgreSQL one.

mod admin;
mod buyer;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use amzpay::signing::PrivateKey;
use amzpay::{Config, ConfigBuilder, Region};
use amzpay_emulator::admin_api::{AdvanceClock, ClockInfo, CreateMerchant, MerchantCreated};
use amzpay_emulator::startup::{Application, ServerConfig, TlsMode};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use amzpay_emulator::ThrottleMode;
pub use amzpay_emulator::admin_api::BuyerActionResult;
pub use amzpay_emulator::admin_api::{AddFault, FaultRuleInfo, FaultSpec, ObjectCounts};
pub use amzpay_emulator::admin_api::{
    AttemptInfo, ChargebackCreated, IpnInfo, NotificationDetail, NotificationInfo, UpdateIpn,
};
use amzpay_emulator::admin_api::{Dispatched, FaultRules, FaultsCleared};
/// The response header naming the fault rule that changed an answer.
pub use amzpay_emulator::http::FAULT_HEADER;

use crate::admin::Admin;
pub use crate::buyer::{Buyer, Instrument};

/// What can go wrong while driving the emulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The emulator could not start (database, port, TLS files).
    #[error("the emulator did not start: {0}")]
    Start(String),
    /// The admin API refused a request; `body` is its answer.
    #[error("the emulator's admin API answered {status}: {body}")]
    Admin {
        /// The HTTP status.
        status: u16,
        /// The answer's body.
        body: String,
    },
    /// The admin API could not be reached or answered something unreadable.
    #[error("calling the emulator's admin API: {0}")]
    Http(#[from] reqwest::Error),
    /// The test key could not be generated or encoded.
    #[error("the test key: {0}")]
    Key(String),
    /// The SDK configuration for a merchant is invalid.
    #[error(transparent)]
    Config(#[from] amzpay::ConfigError),
    /// The SDK's HTTP client could not be built.
    #[error(transparent)]
    Transport(#[from] amzpay::transport::BuildTransportError),
}

/// A running emulator, stopped when dropped.
#[derive(Debug)]
pub struct Emulator {
    base_url: String,
    ca_pem: Option<Vec<u8>>,
    admin: Admin,
    stop: Option<oneshot::Sender<()>>,
    /// The server task; its error is text so that this crate's API does not name `anyhow`.
    task: Option<JoinHandle<Result<(), String>>>,
    /// The data directory, deleted on drop (declared last, so dropped after the rest).
    dir: tempfile::TempDir,
}

/// Options for [`Emulator`]; [`Emulator::start`] uses the defaults.
#[derive(Debug, Clone, Default)]
pub struct EmulatorBuilder {
    throttle: ThrottleMode,
    https: bool,
    database_url: Option<String>,
    timer_interval: Option<Duration>,
}

impl EmulatorBuilder {
    /// Serves HTTPS with a CA generated in the emulator's temporary directory; merchants'
    /// configurations trust it. Default: plain HTTP.
    pub fn https(mut self, on: bool) -> Self {
        self.https = on;
        self
    }

    /// Uses this database (`sqlite://path` or `postgres://...`) instead of a temporary SQLite
    /// file. A PostgreSQL database is not emptied: give each test its own.
    pub fn database_url(mut self, url: impl Into<String>) -> Self {
        self.database_url = Some(url.into());
        self
    }

    /// Applies Amazon's throttling limits (default: [`ThrottleMode::Off`]).
    pub fn throttle(mut self, mode: ThrottleMode) -> Self {
        self.throttle = mode;
        self
    }

    /// How often the background step applies due timers on running clocks (default 1 s).
    /// Moving a clock with [`Clock::advance`] applies due timers at once either way.
    pub fn timer_interval(mut self, interval: Duration) -> Self {
        self.timer_interval = Some(interval);
        self
    }

    /// Starts the emulator in the current tokio runtime and returns once it accepts requests.
    pub async fn start(self) -> Result<Emulator, Error> {
        let dir = tempfile::Builder::new()
            .prefix("amzpay-emulator-")
            .tempdir()
            .map_err(|e| Error::Start(format!("creating a temporary directory: {e}")))?;
        let mut config = ServerConfig::new(dir.path());
        config.listen = ([127, 0, 0, 1], 0).into();
        config.tls = if self.https {
            TlsMode::SelfSigned
        } else {
            TlsMode::Off
        };
        config.database_url = self.database_url;
        config.durable = false;
        config.throttle = self.throttle;
        config.admin_token = Some(random_token().into());
        if let Some(interval) = self.timer_interval {
            config.timer_interval = interval;
        }
        let app = Application::build(config)
            .await
            .map_err(|e| Error::Start(format!("{e:#}")))?;
        let base_url = app.base_url().to_owned();
        let ca_pem = match app.ca_path() {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                Error::Start(format!(
                    "reading the CA certificate {}: {e}",
                    path.display()
                ))
            })?),
            None => None,
        };
        let admin = Admin::new(&base_url, app.admin_token(), ca_pem.as_deref())?;
        let (stop, stopped) = oneshot::channel::<()>();
        // The listener is bound before `build` returns, so requests made from now on queue in
        // the socket's backlog until the task accepts them: the emulator is ready here.
        let task = tokio::spawn(async move {
            app.run_until_stopped(async {
                let _ = stopped.await;
            })
            .await
            .map_err(|e| format!("{e:#}"))
        });
        Ok(Emulator {
            base_url,
            ca_pem,
            admin,
            stop: Some(stop),
            task: Some(task),
            dir,
        })
    }
}

impl Emulator {
    /// Starts an emulator with the defaults: plain HTTP on a random loopback port, a temporary
    /// SQLite database.
    pub async fn start() -> Result<Emulator, Error> {
        EmulatorBuilder::default().start().await
    }

    /// Options for an emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// How many objects of each kind `merchant` has stored (what a test compares with what it
    /// was acknowledged: one charge after a retried Complete).
    pub async fn object_counts(&self, merchant: &Merchant) -> Result<ObjectCounts, Error> {
        self.admin
            .get(&format!(
                "/__admin/merchants/{}/objects",
                merchant.merchant_id()
            ))
            .await
    }

    /// The fault rules of this emulator.
    pub fn faults(&self) -> Faults<'_> {
        Faults { admin: &self.admin }
    }

    /// Instant Payment Notifications: endpoints, deliveries, the chargeback simulation.
    pub fn notifications(&self) -> Notifications<'_> {
        Notifications { admin: &self.admin }
    }

    /// The emulator's base URL, e.g. `http://127.0.0.1:40123`; `checkout.js` and the hosted
    /// pages are served from it too.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The emulator's data directory (database, certificates), deleted on drop.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// The CA certificate (PEM) to trust, when the emulator serves HTTPS.
    pub fn ca_pem(&self) -> Option<&[u8]> {
        self.ca_pem.as_deref()
    }

    /// A new sandbox merchant in North America.
    pub async fn merchant(&self) -> Result<Merchant, Error> {
        self.merchant_in(Region::Na).await
    }

    /// A new sandbox merchant in `region`.
    pub async fn merchant_in(&self, region: Region) -> Result<Merchant, Error> {
        let key = test_key()?;
        let body = CreateMerchant {
            region: Some(region.code().to_owned()),
            environment: None,
            public_key_pem: Some(key.public_key().to_pem()),
            ..CreateMerchant::default()
        };
        let created: MerchantCreated = self.admin.post("/__admin/merchants", &body).await?;
        Ok(Merchant {
            created,
            region,
            base_url: self.base_url.clone(),
            ca_pem: self.ca_pem.clone(),
        })
    }

    /// The buyer of Checkout Session `checkout_session_id`: what a person does on Amazon's
    /// hosted pages, as direct calls.
    pub fn buyer<'e>(&'e self, checkout_session_id: &str) -> Buyer<'e> {
        Buyer::new(&self.admin, checkout_session_id)
    }

    /// `merchant`'s virtual clock.
    pub fn clock<'e>(&'e self, merchant: &Merchant) -> Clock<'e> {
        Clock {
            admin: &self.admin,
            merchant_id: merchant.merchant_id().to_owned(),
        }
    }

    /// Applies every due timer of every merchant now (the background step also does, every
    /// second on running clocks). Returns how many checkouts changed.
    pub async fn run_timers(&self) -> Result<u64, Error> {
        let run: amzpay_emulator::admin_api::TimersRun = self
            .admin
            .post("/__admin/timers/run", &serde_json::json!({}))
            .await?;
        Ok(run.applied)
    }

    /// Stops the emulator and waits until its connections and background work have ended.
    pub async fn stop(mut self) -> Result<(), Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => match task.await {
                Ok(result) => result.map_err(Error::Start),
                Err(e) => Err(Error::Start(format!("the server task failed: {e}"))),
            },
            None => Ok(()),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A merchant registered with the emulator, with the key it signs with.
#[derive(Clone)]
pub struct Merchant {
    created: MerchantCreated,
    region: Region,
    base_url: String,
    ca_pem: Option<Vec<u8>>,
}

// The private key never appears in debug output.
impl std::fmt::Debug for Merchant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merchant")
            .field("merchant_id", &self.created.merchant_id)
            .field("store_id", &self.created.store_id)
            .field("public_key_id", &self.created.public_key_id)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Merchant {
    /// The merchant id (for `merchantId` in the button configuration).
    pub fn merchant_id(&self) -> &str {
        &self.created.merchant_id
    }

    /// The store id (`storeId` of Create Checkout Session).
    pub fn store_id(&self) -> &str {
        &self.created.store_id
    }

    /// The public key id the merchant signs with (`SANDBOX-...`).
    pub fn public_key_id(&self) -> &str {
        &self.created.public_key_id
    }

    /// The merchant's private key (PKCS#8 PEM).
    pub fn private_key_pem(&self) -> Result<String, Error> {
        test_key()?
            .to_pkcs8_pem()
            .map_err(|e| Error::Key(e.to_string()))
    }

    /// An SDK configuration pointed at the emulator (endpoint, key, region and, with HTTPS, the
    /// CA), to adjust before building: timeouts, retries, algorithm.
    pub fn config_builder(&self) -> Result<ConfigBuilder, Error> {
        let mut builder = Config::builder()
            .public_key_id(self.public_key_id())
            .private_key_pem(self.private_key_pem()?)
            .region(self.region)
            .endpoint(&self.base_url)?;
        if let Some(pem) = &self.ca_pem {
            builder = builder.ca_cert_pem(pem.clone());
        }
        Ok(builder)
    }

    /// The SDK configuration with its defaults.
    pub fn config(&self) -> Result<Config, Error> {
        Ok(self.config_builder()?.build()?)
    }

    /// A client with the default configuration.
    pub fn client(&self) -> Result<amzpay::Client, Error> {
        Ok(amzpay::Client::new(self.config()?)?)
    }
}

/// The emulator's fault rules (`/__admin/faults`): what to do to the API requests they match.
#[derive(Debug)]
pub struct Faults<'e> {
    admin: &'e Admin,
}

impl Faults<'_> {
    /// Adds a rule; the answer carries its id (the `x-amzpay-emulator-fault` header of every
    /// answer it changes).
    pub async fn add(&self, rule: AddFault) -> Result<FaultRuleInfo, Error> {
        self.admin.post("/__admin/faults", &rule).await
    }

    /// Every rule with its counters, in the order they apply.
    pub async fn list(&self) -> Result<Vec<FaultRuleInfo>, Error> {
        let rules: FaultRules = self.admin.get("/__admin/faults").await?;
        Ok(rules.rules)
    }

    /// One rule with its counters.
    pub async fn get(&self, id: &str) -> Result<Option<FaultRuleInfo>, Error> {
        Ok(self.list().await?.into_iter().find(|r| r.id == id))
    }

    /// Deletes every rule; returns how many there were.
    pub async fn clear(&self) -> Result<u64, Error> {
        let cleared: FaultsCleared = self.admin.delete("/__admin/faults").await?;
        Ok(cleared.deleted)
    }

    /// Deletes one rule.
    pub async fn remove(&self, id: &str) -> Result<(), Error> {
        let _: FaultsCleared = self.admin.delete(&format!("/__admin/faults/{id}")).await?;
        Ok(())
    }
}

/// Instant Payment Notifications (`/__admin/merchants/{id}/ipn`, `/__admin/notifications`).
///
/// The emulator posts to the endpoints itself, signed as Amazon SNS signs; its dispatcher runs
/// in the background (woken by every write), and [`Notifications::dispatch`] delivers what is
/// due at once, for tests that want no wait at all.
#[derive(Debug)]
pub struct Notifications<'e> {
    admin: &'e Admin,
}

impl Notifications<'_> {
    /// Sets `merchant`'s sandbox IPN endpoints (`http://` is accepted on loopback hosts).
    pub async fn set_endpoints(
        &self,
        merchant: &Merchant,
        urls: &[&str],
    ) -> Result<IpnInfo, Error> {
        let body = UpdateIpn {
            sandbox: Some(urls.iter().map(|u| (*u).to_owned()).collect()),
            ..UpdateIpn::default()
        };
        self.admin
            .put(
                &format!("/__admin/merchants/{}/ipn", merchant.merchant_id()),
                &body,
            )
            .await
    }

    /// Changes `merchant`'s IPN settings.
    pub async fn update(&self, merchant: &Merchant, update: &UpdateIpn) -> Result<IpnInfo, Error> {
        self.admin
            .put(
                &format!("/__admin/merchants/{}/ipn", merchant.merchant_id()),
                update,
            )
            .await
    }

    /// `merchant`'s deliveries, newest first.
    pub async fn list(&self, merchant: &Merchant) -> Result<Vec<NotificationInfo>, Error> {
        self.admin
            .get(&format!(
                "/__admin/notifications?merchantId={}&limit=1000",
                merchant.merchant_id()
            ))
            .await
    }

    /// Delivers every due notification now; returns how many attempts were made.
    pub async fn dispatch(&self) -> Result<u64, Error> {
        let done: Dispatched = self
            .admin
            .post("/__admin/notifications/dispatch", &serde_json::json!({}))
            .await?;
        Ok(done.attempts)
    }

    /// Simulates a chargeback on a captured charge.
    pub async fn chargeback(&self, charge_id: &str) -> Result<ChargebackCreated, Error> {
        self.admin
            .post(
                &format!("/__admin/charges/{charge_id}/chargeback"),
                &serde_json::json!({}),
            )
            .await
    }
}

/// A merchant's virtual clock (`/__admin/merchants/{id}/clock`).
#[derive(Debug)]
pub struct Clock<'e> {
    admin: &'e Admin,
    merchant_id: String,
}

impl Clock<'_> {
    /// The clock as it is now.
    pub async fn get(&self) -> Result<ClockInfo, Error> {
        self.admin
            .get(&format!("/__admin/merchants/{}/clock", self.merchant_id))
            .await
    }

    /// Moves the clock forward by `by` and applies the merchant's timers that became due, before
    /// it returns (`applied_timers` says how many checkouts changed).
    pub async fn advance(&self, by: Duration) -> Result<ClockInfo, Error> {
        let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.admin
            .post(
                &format!("/__admin/merchants/{}/clock/advance", self.merchant_id),
                &AdvanceClock {
                    seconds: Some(seconds),
                    duration: None,
                },
            )
            .await
    }

    /// Stops the clock where it is, so reads at different real times agree.
    pub async fn freeze(&self) -> Result<ClockInfo, Error> {
        let now = self.get().await?.now;
        self.set(&now, true).await
    }

    /// Sets the clock to `now` (`yyyyMMddTHHmmssZ` or `yyyy-MM-ddTHH:mm:ssZ`), frozen there or
    /// running from there.
    pub async fn set(&self, now: &str, frozen: bool) -> Result<ClockInfo, Error> {
        self.admin
            .put(
                &format!("/__admin/merchants/{}/clock", self.merchant_id),
                &amzpay_emulator::admin_api::SetClock {
                    now: now.to_owned(),
                    frozen: Some(frozen),
                },
            )
            .await
    }
}

/// One RSA key for the whole test process: generating one is the slow part of a merchant.
fn test_key() -> Result<&'static PrivateKey, Error> {
    static KEY: OnceLock<Result<PrivateKey, String>> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate(2048).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::Key(e.clone()))
}

/// An admin token nobody else knows: 256 random bits from the operating system's generator
/// (UUID v4 reads it).
fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
