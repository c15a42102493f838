//! [`AppState`]: what every handler shares.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use amzpay_emulator_core::Timestamp;
use amzpay_emulator_core::ids::PublicKeyId;
use amzpay_emulator_store::Store;
use amzpay_signing::PublicKey;
use secrecy::SecretString;

use crate::secret::Secret;
use crate::service::faults::RuleCache;
use crate::service::journal::Journal;
use crate::service::throttle::Throttle;
pub use crate::service::throttle::ThrottleMode;

/// Settings the handlers need (resolved from flags and environment by `amzpay emulator serve`).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Base URL of this emulator as a browser reaches it (no trailing slash); used for
    /// `amazonPayRedirectUrl`.
    pub public_base_url: String,
    /// Put the emulator's canonical request into `InvalidRequestSignature` messages.
    pub debug_signatures: bool,
    /// Largest accepted difference between `x-amz-pay-date` and real time, in seconds.
    pub max_clock_skew_secs: i64,
    /// Bearer token of the admin API.
    pub admin_token: SecretString,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// The key that signs buyer tokens and the hosted pages' form tokens (`Application::build`
    /// reads it from the database; a fresh one otherwise).
    pub secret: Secret,
    /// Amazon's throttling limits to apply (`--throttle`; default off).
    pub throttle: ThrottleMode,
    /// How notifications are delivered (timeouts and retries).
    pub ipn: crate::dispatch::DeliverySettings,
    /// Request-journal entries kept per merchant (`--journal-size`; 0 turns the journal off).
    pub journal_size: u32,
}

impl Settings {
    /// Defaults for tests and embedding: 15 minutes of skew, 256 KiB bodies.
    pub fn new(public_base_url: impl Into<String>, admin_token: impl Into<String>) -> Settings {
        Settings {
            public_base_url: public_base_url.into().trim_end_matches('/').to_owned(),
            debug_signatures: false,
            max_clock_skew_secs: 15 * 60,
            admin_token: SecretString::from(admin_token.into()),
            body_limit: 256 * 1024,
            secret: Secret::generate(),
            throttle: ThrottleMode::Off,
            ipn: crate::dispatch::DeliverySettings::default(),
            journal_size: crate::service::journal::DEFAULT_SIZE,
        }
    }
}

/// Shared state: the store, settings and a cache of parsed public keys.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn Store>,
    settings: Settings,
    // Keys never change once registered, so parsed keys are cached for good.
    keys: RwLock<HashMap<PublicKeyId, PublicKey>>,
    throttle: Throttle,
    fault_rules: RuleCache,
    dispatch: crate::dispatch::Dispatch,
    journal: Option<Journal>,
}

impl AppState {
    /// State over a store.
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                journal: Journal::start(Arc::clone(&store), settings.journal_size),
                store,
                throttle: Throttle::new(settings.throttle),
                fault_rules: RuleCache::default(),
                dispatch: crate::dispatch::Dispatch::default(),
                settings,
                keys: RwLock::new(HashMap::new()),
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The fault rules as last read (see [`RuleCache`]).
    pub(crate) fn fault_rules(&self) -> &RuleCache {
        &self.inner.fault_rules
    }

    /// The notification dispatcher's shared parts (signer, clients, wake-up).
    pub(crate) fn dispatch(&self) -> &crate::dispatch::Dispatch {
        &self.inner.dispatch
    }

    /// Wakes the notification dispatcher of this process after a write, when some merchant
    /// has IPN endpoints (otherwise there is nothing to deliver, and the dispatcher's periodic
    /// look covers changes made by other instances).
    pub(crate) fn notify_dispatcher(&self) {
        self.inner.dispatch.wake_if_enabled();
    }

    /// The request journal; `None` when it is off.
    pub(crate) fn journal(&self) -> Option<&Journal> {
        self.inner.journal.as_ref()
    }

    /// The throttle's token buckets.
    pub(crate) fn throttle(&self) -> &Throttle {
        &self.inner.throttle
    }

    /// The parsed public key for an id, parsing (and caching) its PEM on first use.
    pub(crate) fn public_key(
        &self,
        id: &PublicKeyId,
        pem: &str,
    ) -> Result<PublicKey, amzpay_signing::KeyError> {
        if let Some(k) = self.inner.keys.read().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(k);
        }
        let key = PublicKey::from_pem(pem)?;
        if let Ok(mut m) = self.inner.keys.write() {
            m.insert(id.clone(), key.clone());
        }
        Ok(key)
    }
}

/// The real time, to the second (signature dates and virtual clocks are based on it).
pub fn real_now() -> Timestamp {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Timestamp::from_unix(i64::try_from(secs).unwrap_or(i64::MAX))
}
