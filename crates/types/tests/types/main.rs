//! Integration tests for `amzpay-types`.
