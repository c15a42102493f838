//! Driver errors to [`StoreError`]: one mapping for both backends.
//!
//! A backend only says which of its database error codes mean "the same operation may succeed
//! later" ([`TransientCode`]); everything else is decided here, so an unreachable database is
//! [`StoreError::Unavailable`] and a unique violation is [`StoreError::Conflict`] on either.

use crate::StoreError;

/// Whether a database error code (PostgreSQL's SQLSTATE, SQLite's extended result code in
/// decimal) is transient: the connection or server went away, the database is busy or
/// overloaded, or the transaction lost a race.
pub(crate) type TransientCode = fn(&str) -> bool;

/// Maps a driver error raised while doing `message`.
pub(crate) fn from_driver(
    message: &str,
    e: sqlx::Error,
    transient_code: TransientCode,
) -> StoreError {
    let transient = match &e {
        sqlx::Error::RowNotFound => return StoreError::NotFound,
        sqlx::Error::PoolClosed => return StoreError::Closed,
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            return StoreError::Conflict(format!("{message}: {}", d.message()));
        }
        sqlx::Error::Database(d) => d.code().is_some_and(|c| transient_code(&c)),
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::WorkerCrashed => true,
        _ => false,
    };
    let message = message.to_owned();
    let source = Box::new(e);
    if transient {
        StoreError::Unavailable { message, source }
    } else {
        StoreError::Database { message, source }
    }
}

/// Maps a failure to apply the embedded migrations.
pub(crate) fn from_migration(
    e: sqlx::migrate::MigrateError,
    transient_code: TransientCode,
) -> StoreError {
    const MESSAGE: &str = "applying migrations";
    match e {
        sqlx::migrate::MigrateError::Execute(e) => from_driver(MESSAGE, e, transient_code),
        other => StoreError::Database {
            message: MESSAGE.into(),
            source: Box::new(other),
        },
    }
}

/// The error of every write in a batch whose transaction failed as a whole with `e` (SQLite's
/// group commit): each caller gets its own copy, retryable when `e` is.
pub(crate) fn for_batch(message: &str, e: &StoreError) -> StoreError {
    let source = e.to_string().into();
    let message = message.to_owned();
    match e {
        StoreError::Unavailable { .. } => StoreError::Unavailable { message, source },
        _ => StoreError::Database { message, source },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never(_: &str) -> bool {
        false
    }

    #[test]
    fn lost_connections_are_retryable_and_pool_states_are_named() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        for (e, retryable) in [
            (sqlx::Error::Io(io), true),
            (sqlx::Error::PoolTimedOut, true),
            (sqlx::Error::WorkerCrashed, true),
            (sqlx::Error::ColumnNotFound("x".into()), false),
        ] {
            let mapped = from_driver("x", e, never);
            assert_eq!(
                matches!(mapped, StoreError::Unavailable { .. }),
                retryable,
                "{mapped}"
            );
        }
        assert!(matches!(
            from_driver("x", sqlx::Error::PoolClosed, never),
            StoreError::Closed
        ));
        assert!(matches!(
            from_driver("x", sqlx::Error::RowNotFound, never),
            StoreError::NotFound
        ));
    }

    #[test]
    fn a_failed_batch_keeps_whether_it_may_be_retried() {
        let unavailable = StoreError::Unavailable {
            message: "commit".into(),
            source: "busy".into(),
        };
        assert!(matches!(
            for_batch("write batch", &unavailable),
            StoreError::Unavailable { .. }
        ));
        assert!(matches!(
            for_batch("write batch", &StoreError::Corrupt("x".into())),
            StoreError::Database { .. }
        ));
    }
}
