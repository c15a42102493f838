//! Amazon's per-operation throttling (`--throttle off|sandbox|live`): a token bucket per merchant
//! and operation, with Amazon's maximum quota (the burst) and restore rate.
//!
//! The limits are Amazon's table "API throttling limits" of the Amazon Pay API v2 reference
//! (<https://developer.amazon.com/zh/docs/amazon-pay-api-v2/api-throttling-limits.html>, the
//! same page in every locale): "Max quota" is the bucket's size, "Restore rate" the tokens it
//! gains per second. Finalize Checkout Session is not in the table; it gets Complete Checkout
//! Session's limits, its sibling. Get Buyer is not in the table either and is never throttled.
//!
//! The buckets live in the process, not in the database: two instances on one PostgreSQL
//! database throttle independently (as two Amazon hosts behind a balancer may). Time is tokio's,
//! so tests can pause and advance it.

use std::collections::HashMap;
use std::sync::Mutex;

use amzpay_emulator_core::ids::MerchantId;
use tokio::time::Instant;

use crate::error::{ApiError, Reason};
use crate::service::operations::ApiOperation;

/// Which of Amazon's limits apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ThrottleMode {
    /// No throttling (the default).
    #[default]
    Off,
    /// The limits Amazon documents for sandbox keys.
    Sandbox,
    /// The limits Amazon documents for live keys.
    Live,
}

impl ThrottleMode {
    /// `off`, `sandbox` or `live`.
    pub fn parse(text: &str) -> Option<ThrottleMode> {
        match text {
            "off" => Some(ThrottleMode::Off),
            "sandbox" => Some(ThrottleMode::Sandbox),
            "live" => Some(ThrottleMode::Live),
            _ => None,
        }
    }
}

/// `(max quota, restore rate per second)` of `op` under `mode`, `None` when it is not throttled.
pub(crate) fn limits(mode: ThrottleMode, op: ApiOperation) -> Option<(f64, f64)> {
    use ApiOperation as O;
    // (live max, live rate, sandbox max, sandbox rate), from Amazon's table.
    let (live_max, live_rate, sandbox_max, sandbox_rate) = match op {
        O::CancelCharge => (10, 2, 2, 1),
        O::CaptureCharge => (20, 4, 2, 1),
        O::CloseChargePermission => (10, 2, 2, 1),
        O::CompleteCheckoutSession | O::FinalizeCheckoutSession => (20, 4, 2, 1),
        O::CreateCharge => (10, 4, 2, 1),
        O::CreateCheckoutSession => (40, 16, 5, 1),
        O::CreateRefund => (10, 4, 2, 1),
        O::CreateDeliveryTracker => (10, 1, 1, 1),
        O::GetCharge => (20, 4, 5, 1),
        O::GetChargePermission => (20, 4, 10, 1),
        O::GetCheckoutSession => (40, 8, 10, 1),
        O::GetRefund => (20, 4, 5, 1),
        O::UpdateChargePermission => (10, 2, 5, 1),
        O::UpdateCheckoutSession => (20, 8, 5, 1),
        O::GetBuyer => return None,
    };
    match mode {
        ThrottleMode::Off => None,
        ThrottleMode::Sandbox => Some((f64::from(sandbox_max), f64::from(sandbox_rate))),
        ThrottleMode::Live => Some((f64::from(live_max), f64::from(live_rate))),
    }
}

/// The token buckets of one emulator process.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    mode: ThrottleMode,
    buckets: Mutex<HashMap<(MerchantId, ApiOperation), Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Throttle {
    /// Buckets applying `mode`'s limits.
    pub(crate) fn new(mode: ThrottleMode) -> Throttle {
        Throttle {
            mode,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `op` of `merchant`, or refuses with 429 `TooManyRequests` when the
    /// bucket is empty (the request then changes nothing).
    pub(crate) fn admit(&self, merchant: &MerchantId, op: ApiOperation) -> Result<(), ApiError> {
        let Some((max, rate)) = limits(self.mode, op) else {
            return Ok(());
        };
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = buckets.entry((merchant.clone(), op)).or_insert(Bucket {
            tokens: max,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(max);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        tracing::info!(operation = op.name(), merchant_id = %merchant, "throttled");
        Err(ApiError::new(
            Reason::TooManyRequests,
            "The request was throttled; retry it later with exponential back-off.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merchant() -> MerchantId {
        MerchantId::generate(&mut rand::thread_rng())
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_beyond_the_quota_is_refused_until_the_bucket_refills() {
        let throttle = Throttle::new(ThrottleMode::Sandbox);
        let m = merchant();
        let op = ApiOperation::CompleteCheckoutSession;
        assert!(throttle.admit(&m, op).is_ok());
        assert!(throttle.admit(&m, op).is_ok());
        let refused = throttle.admit(&m, op).unwrap_err();
        assert_eq!(refused.status_code(), 429);
        // Another operation and another merchant have their own buckets.
        assert!(throttle.admit(&m, ApiOperation::GetCheckoutSession).is_ok());
        assert!(throttle.admit(&merchant(), op).is_ok());
        tokio::time::advance(std::time::Duration::from_secs(1)).await;
        assert!(throttle.admit(&m, op).is_ok());
        assert!(throttle.admit(&m, op).is_err());
    }

    #[test]
    fn off_throttles_nothing_and_live_allows_more_than_sandbox() {
        for op in ApiOperation::ALL {
            assert_eq!(limits(ThrottleMode::Off, op), None);
            if let (Some(live), Some(sandbox)) = (
                limits(ThrottleMode::Live, op),
                limits(ThrottleMode::Sandbox, op),
            ) {
                assert!(live.0 >= sandbox.0 && live.1 >= sandbox.1, "{op:?}");
            }
        }
    }
}
