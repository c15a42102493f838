//! A local, stateful, wire-compatible Amazon Pay Checkout v2 emulator.
//!
//! Start reading at [`cli`], the `amzpay emulator ...` commands.

pub mod cli;
