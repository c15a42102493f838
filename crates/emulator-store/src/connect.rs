//! Choosing the backend from a database URL: the one place that knows the URL schemes.

use std::sync::Arc;

use crate::postgres::{PostgresSettings, PostgresStore};
use crate::sqlite::{SqliteSettings, SqliteStore};
use crate::{Store, StoreError};

/// What [`connect`] passes to the backend beyond the URL. Start from `default()` and set fields.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// SQLite: `synchronous=FULL` (default) rather than `NORMAL`; turn off only for throwaway
    /// databases. PostgreSQL commits are always durable.
    pub durable: bool,
    /// Pool size: SQLite's read pool or PostgreSQL's connection pool (default: the backend's,
    /// see [`SqliteSettings::new`] and [`PostgresSettings::new`]).
    pub max_connections: Option<u32>,
}

impl Default for ConnectOptions {
    fn default() -> ConnectOptions {
        ConnectOptions {
            durable: true,
            max_connections: None,
        }
    }
}

/// Opens the store `database_url` names, applying its migrations: `sqlite://PATH` (created when
/// missing), or `postgres://...` / `postgresql://...` (the database must exist; several
/// instances may share it).
pub async fn connect(
    database_url: &str,
    options: ConnectOptions,
) -> Result<Arc<dyn Store>, StoreError> {
    let scheme = database_url
        .split_once(':')
        .map_or("", |(scheme, _)| scheme)
        .to_ascii_lowercase();
    match scheme.as_str() {
        "sqlite" => {
            let mut settings = SqliteSettings::new(database_url);
            settings.full_sync = options.durable;
            if let Some(n) = options.max_connections {
                settings.read_connections = n;
            }
            Ok(Arc::new(SqliteStore::open(settings).await?))
        }
        "postgres" | "postgresql" => {
            let mut settings = PostgresSettings::new(database_url);
            if let Some(n) = options.max_connections {
                settings.max_connections = n;
            }
            Ok(Arc::new(PostgresStore::open(settings).await?))
        }
        // The URL itself may hold a password: name only the scheme.
        other => Err(StoreError::Database {
            message: "choosing the storage backend".into(),
            source: format!(
                "unsupported database URL scheme `{other}:` (use sqlite://PATH or postgres://...)"
            )
            .into(),
        }),
    }
}
