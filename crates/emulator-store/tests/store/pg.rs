//! A fresh PostgreSQL database per test, created on the server `TEST_DATABASE_URL` points at (a
//! superuser connection) and dropped afterwards, best effort.

use amzpay_emulator_store::PostgresStore;
use amzpay_emulator_store::postgres::PostgresSettings;
use sqlx::{Connection, Executor, PgConnection};

/// A uniquely named database `amzpay_test_<random>`; dropping it drops the database.
#[derive(Debug)]
pub(crate) struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates the database, or returns `None` (after printing why) when `TEST_DATABASE_URL` is
    /// unset on a developer machine. Under `CI` a missing URL fails the test.
    pub(crate) async fn create() -> Option<TestDatabase> {
        let admin_url = match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => url,
            _ if std::env::var_os("CI").is_some() => panic!(
                "TEST_DATABASE_URL is not set, but CI is: the PostgreSQL tests must run in CI \
                 (the test command starts a throwaway PostgreSQL 15 cluster and exports it)"
            ),
            _ => {
                eprintln!(
                    "note: PostgreSQL test skipped: set TEST_DATABASE_URL=postgres://USER@HOST:PORT/DB \
                     (a superuser connection) to run it"
                );
                return None;
            }
        };
        let name = format!("amzpay_test_{:016x}", rand::random::<u64>());
        let mut conn = PgConnection::connect(&admin_url)
            .await
            .expect("connecting to TEST_DATABASE_URL");
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("creating a test database");
        let _ = conn.close().await;
        let url = with_database(&admin_url, &name);
        Some(TestDatabase {
            admin_url,
            name,
            url,
        })
    }

    /// Settings for the test database with the store's defaults.
    pub(crate) fn settings(&self) -> PostgresSettings {
        PostgresSettings::new(&self.url)
    }

    /// The URL of the test database.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// A store on the test database (one emulator instance).
    pub(crate) async fn open(&self) -> PostgresStore {
        PostgresStore::open(self.settings())
            .await
            .expect("open PostgreSQL")
    }

    /// A plain connection to the test database.
    pub(crate) async fn connect(&self) -> PgConnection {
        PgConnection::connect(&self.url)
            .await
            .expect("connecting to the test database")
    }

    /// Terminates every server process connected to the test database (what a PostgreSQL
    /// restart or a network cut does to the stores' pools); returns how many.
    pub(crate) async fn kill_connections(&self) -> i64 {
        let mut conn = PgConnection::connect(&self.admin_url)
            .await
            .expect("connecting to TEST_DATABASE_URL");
        let killed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()) t",
        )
        .bind(&self.name)
        .fetch_one(&mut conn)
        .await
        .expect("terminating backends");
        let _ = conn.close().await;
        killed
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs in async tests (and while unwinding): use a runtime of our own on a thread.
        let admin_url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = PgConnection::connect(&admin_url).await.ok()?;
                conn.execute(sql.as_str()).await.ok()?;
                conn.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("note: could not drop test database {}", self.name);
        }
    }
}

/// `url` with its database (the path) replaced by `name`, keeping any query parameters.
fn with_database(url: &str, name: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[after_scheme..]
        .find(['/', '?'])
        .map_or(url.len(), |i| after_scheme + i);
    let query = url[authority_end..]
        .find('?')
        .map_or("", |i| &url[authority_end + i..]);
    format!("{}/{name}{query}", &url[..authority_end])
}

#[test]
fn with_database_replaces_only_the_path() {
    assert_eq!(
        with_database("postgres://u@h:1/postgres", "x"),
        "postgres://u@h:1/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}
