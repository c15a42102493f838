//! The reference shop.

fn main() {}
