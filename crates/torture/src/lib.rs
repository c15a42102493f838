//! `amzpay-torture`: proof from outside that the emulator keeps its promises.
//!
//! It drives a real `amzpay emulator serve` process (never the emulator's code in process) with
//! the SDK and the admin API. Read [`crash`] first: the crash-safety run behind
//! `scripts/crash-test` (SIGKILL under load, then check every acknowledged write). Then
//! [`calls`] (a request as data, so it can be replayed), [`emulator`] (the child process),
//! [`admin`] (merchants, buyer actions, object counts) and [`postgres`] (fresh databases and a
//! private throwaway cluster). The tests in `tests/torture` add two emulator processes on one
//! PostgreSQL database and a PostgreSQL restart under load.

pub mod admin;
pub mod calls;
pub mod crash;
pub mod emulator;
pub mod postgres;
pub mod receiver;
