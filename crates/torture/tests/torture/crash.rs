//! The crash-safety run (`scripts/crash-test`) in a short form: 20 SIGKILLs under load.

use amzpay_torture::crash::{CrashConfig, run};
use amzpay_torture::postgres::FreshDatabase;

use crate::helpers::{amzpay, postgres_url, seed};

async fn crash_run(database: Option<String>) {
    // Arrange
    let config = CrashConfig {
        amzpay: amzpay(),
        database,
        kills: 20,
        seed: seed(),
        run_ms: (80, 300),
        ..CrashConfig::default()
    };

    // Act
    let report = run(config).await.expect("the crash run itself failed");

    // Assert
    eprintln!("{report}");
    assert!(report.kills >= 20, "{report}");
    assert!(report.violations.is_empty(), "{report}");
    assert!(
        report.acked.get("complete").copied().unwrap_or(0) > 0,
        "{report}"
    );
    // The notifications were checked against the acknowledged changes at every restart.
    assert!(report.capabilities.notifications, "{report}");
    assert!(
        report.checked.get("notifications").copied().unwrap_or(0) > 0,
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_write_is_lost_or_duplicated_across_20_sigkills_on_sqlite() {
    crash_run(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_write_is_lost_or_duplicated_across_20_sigkills_on_postgres() {
    let Some(server) = postgres_url("crash test on PostgreSQL") else {
        return;
    };
    let db = FreshDatabase::create(&server).await.unwrap();
    crash_run(Some(db.url.clone())).await;
    db.drop_now().await.ok();
}
