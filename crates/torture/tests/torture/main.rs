//! The torture tests: real `amzpay emulator serve` processes, killed, doubled, and starved of
//! their database. PostgreSQL tests use `TEST_DATABASE_URL` (a fresh database per test) and fail
//! when it is missing under `CI`; elsewhere they are skipped with a note.

mod check_time;
mod crash;
mod helpers;
mod pg_restart;
mod two_processes;
