//! Shared test plumbing: the `amzpay` binary, the PostgreSQL URL, emulators on one database.

use std::path::PathBuf;
use std::sync::OnceLock;

use amzpay_torture::admin::{Admin, MerchantKeys};
use amzpay_torture::emulator::{Emulator, EmulatorSpec, build_amzpay};

/// The `amzpay` binary, built once per test binary run (so a test never runs a stale emulator).
pub(crate) fn amzpay() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| build_amzpay().expect("building amzpay"))
        .clone()
}

/// `TEST_DATABASE_URL`; `None` (skip) when unset, except under `CI`, where it is a failure.
pub(crate) fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "{test}: CI is set but TEST_DATABASE_URL is not: the PostgreSQL guarantees must run in CI"
            )
        }
        _ => {
            eprintln!("{test}: skipped (set TEST_DATABASE_URL to run it on PostgreSQL)");
            None
        }
    }
}

/// The seed of a randomized test: `TORTURE_SEED` or a fresh one, printed so a failure can be
/// replayed.
pub(crate) fn seed() -> u64 {
    let seed = std::env::var("TORTURE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("seed {seed} (TORTURE_SEED={seed} to repeat)");
    seed
}

/// An emulator process on `database` with its own data directory.
pub(crate) async fn emulator(
    dir: &tempfile::TempDir,
    name: &str,
    database: Option<&str>,
    token: &str,
) -> Emulator {
    Emulator::start(EmulatorSpec {
        amzpay: amzpay(),
        data_dir: dir.path().join(name),
        database: database.map(str::to_owned),
        admin_token: token.to_owned(),
    })
    .await
    .expect("starting the emulator")
}

/// A merchant created through `emulator` with an SDK client for it.
pub(crate) async fn merchant(emulator: &Emulator) -> (Admin, MerchantKeys) {
    let admin = Admin::new(&emulator.base_url(), emulator.admin_token()).unwrap();
    let keys = admin.create_merchant().await.expect("creating a merchant");
    (admin, keys)
}
