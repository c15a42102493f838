//! The `amzpay` command line.

fn main() {}
