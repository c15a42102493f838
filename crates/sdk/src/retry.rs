//! The retry policy: which failures are retried, and after how long.
//!
//! [`RetryPolicy::decide`] is a pure function of what happened to one attempt, so every rule is
//! tested without a clock or a network. The client calls it after each attempt, and sleeps or
//! stops as it says. Randomness (the jitter) is an input, too.

use std::time::Duration;

/// Retries with capped, jittered exponential backoff.
///
/// The delay before retry `n` (the first retry is `n = 1`) is drawn from
/// `[d/2, d]` where `d = min(max_delay, base_delay × 2^(n-1))` ("equal jitter": never zero, so
/// clients that failed together do not retry together). A `Retry-After` hint from the server wins
/// over the computed delay, as long as it is at most [`max_retry_after`](Self::max_retry_after);
/// a longer hint stops the retries instead of blocking the caller.
///
/// The default: 4 attempts in all, base 1 s, cap 20 s, `Retry-After` up to 60 s.
///
/// ```
/// use std::time::Duration;
/// use amzpay::retry::{AttemptFailure, Decision, RetryPolicy};
///
/// let policy = RetryPolicy::default();
/// // A 503 on the first attempt of a retry-safe request: retry after 0.5–1 s.
/// let decision = policy.decide(&AttemptFailure::Status(503), None, 1, true, 0.5);
/// assert_eq!(decision, Decision::Retry(Duration::from_millis(750)));
/// // A 400 is never retried.
/// assert_eq!(policy.decide(&AttemptFailure::Status(400), None, 1, true, 0.5), Decision::Stop);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
    budget: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            budget: DEFAULT_RETRY_BUDGET,
        }
    }
}

/// The default size of a client's retry budget, in tokens.
pub const DEFAULT_RETRY_BUDGET: u32 = 500;
/// What a retry after an error status or a refused connection costs.
pub const RETRY_COST: u32 = 5;
/// What a retry after a timeout or broken connection costs: those are slower and likelier to mean
/// an overloaded server.
pub const TIMEOUT_RETRY_COST: u32 = 10;
/// What a successful answer gives back.
pub const SUCCESS_REFUND: u32 = 1;

/// What went wrong with one attempt, as far as the retry decision cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptFailure {
    /// The server answered with this (non-2xx) status.
    Status(u16),
    /// The request never reached the server (connection refused, DNS, TLS handshake, connect
    /// timeout).
    NotSent,
    /// The request may have reached the server but no answer came (timeout or broken connection
    /// after sending).
    OutcomeUnknown,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Sleep this long, then send the request again (re-signed).
    Retry(Duration),
    /// Report the failure to the caller.
    Stop,
}

/// Whether an HTTP status is worth retrying: 408 Request Timeout, 425 Too Early, 429 Too Many
/// Requests, and every 5xx. The one list, used by [`RetryPolicy::decide`].
///
/// ```
/// assert!(amzpay::retry::is_retryable_status(429));
/// assert!(amzpay::retry::is_retryable_status(502));
/// assert!(!amzpay::retry::is_retryable_status(422));
/// ```
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 425 | 429 | 500..=599)
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy::default().with_max_attempts(1)
    }

    /// Sets the maximum number of attempts, the first included (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the base delay (the delay scale of the first retry).
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the cap on a computed delay.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the longest `Retry-After` the client is willing to wait for.
    pub fn with_max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// Sets the size of the client-wide retry budget (a token bucket that stops retry storms
    /// when most calls fail; see [`RetryBudget`]). `0` disables retries of every call.
    pub fn with_retry_budget(mut self, tokens: u32) -> Self {
        self.budget = tokens;
        self
    }

    /// The size of the client-wide retry budget.
    pub fn retry_budget(&self) -> u32 {
        self.budget
    }

    /// The maximum number of attempts, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The base delay.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The cap on a computed delay.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// The longest `Retry-After` honoured.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// Decides what follows a failed attempt.
    ///
    /// - `failure`: what happened;
    /// - `retry_after`: the server's `Retry-After` hint, if it sent one;
    /// - `attempt`: the number of the attempt that failed (the first is 1);
    /// - `retry_safe`: whether sending the request twice is harmless: `false` for a POST without
    ///   an idempotency key, which is never retried;
    /// - `jitter`: a number in `[0, 1)`, drawn at random by the caller.
    pub fn decide(
        &self,
        failure: &AttemptFailure,
        retry_after: Option<Duration>,
        attempt: u32,
        retry_safe: bool,
        jitter: f64,
    ) -> Decision {
        if !retry_safe || attempt >= self.max_attempts {
            return Decision::Stop;
        }
        let retryable = match failure {
            AttemptFailure::Status(status) => is_retryable_status(*status),
            AttemptFailure::NotSent | AttemptFailure::OutcomeUnknown => true,
        };
        if !retryable {
            return Decision::Stop;
        }
        if let Some(hint) = retry_after {
            return if hint <= self.max_retry_after {
                Decision::Retry(hint)
            } else {
                Decision::Stop
            };
        }
        Decision::Retry(self.backoff(attempt, jitter))
    }

    /// The jittered delay after the failed attempt number `attempt` (the first is 1), within
    /// `[d/2, d]` for `d = min(max_delay, base_delay × 2^(attempt-1))`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = amzpay::retry::RetryPolicy::default();
    /// assert_eq!(policy.backoff(1, 0.0), Duration::from_millis(500));
    /// assert_eq!(policy.backoff(3, 1.0), Duration::from_secs(4));
    /// assert_eq!(policy.backoff(30, 0.0), Duration::from_secs(10));
    /// ```
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let half = ceiling / 2;
        half + half.mul_f64(jitter)
    }
}

/// A token bucket shared by every call of one client, so that when Amazon Pay (or the network)
/// is failing most calls, the client stops multiplying the load with retries.
///
/// Each retry takes [`RETRY_COST`] tokens ([`TIMEOUT_RETRY_COST`] after a timeout or broken
/// connection); each success gives [`SUCCESS_REFUND`] back, up to the capacity. With no tokens
/// left, failures are reported without retrying until successes refill the bucket.
///
/// ```
/// use amzpay::retry::{AttemptFailure, RetryBudget};
/// let budget = RetryBudget::new(12);
/// assert!(budget.try_acquire(&AttemptFailure::Status(503)));       // 12 -> 7
/// assert!(budget.try_acquire(&AttemptFailure::Status(503)));       // 7 -> 2
/// assert!(!budget.try_acquire(&AttemptFailure::OutcomeUnknown));   // needs 10
/// budget.record_success();                                         // 2 -> 3
/// assert_eq!(budget.available(), 3);
/// ```
#[derive(Debug)]
pub struct RetryBudget {
    capacity: u32,
    tokens: std::sync::atomic::AtomicU32,
}

impl RetryBudget {
    /// A full bucket of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        RetryBudget {
            capacity,
            tokens: std::sync::atomic::AtomicU32::new(capacity),
        }
    }

    /// Takes the cost of retrying after `failure`; `false` (and nothing taken) when the bucket
    /// holds too few tokens.
    pub fn try_acquire(&self, failure: &AttemptFailure) -> bool {
        use std::sync::atomic::Ordering;
        let cost = match failure {
            AttemptFailure::OutcomeUnknown => TIMEOUT_RETRY_COST,
            _ => RETRY_COST,
        };
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    /// Gives back a token for a successful answer.
    pub fn record_success(&self) {
        use std::sync::atomic::Ordering;
        let capacity = self.capacity;
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                (t < capacity).then(|| (t + SUCCESS_REFUND).min(capacity))
            });
    }

    /// The tokens left.
    pub fn available(&self) -> u32 {
        self.tokens.load(std::sync::atomic::Ordering::Acquire)
    }
}

/// Parses a `Retry-After` header value: a number of seconds, or an HTTP date (then the delay is
/// measured from `now`, and a date in the past means "now").
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use amzpay::retry::parse_retry_after;
/// assert_eq!(parse_retry_after("3", SystemTime::now()), Some(Duration::from_secs(3)));
/// assert_eq!(parse_retry_after("soon", SystemTime::now()), None);
/// ```
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let date = time::PrimitiveDateTime::parse(value, format)
        .ok()?
        .assume_utc();
    let date: std::time::SystemTime = date.into();
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_within_half_and_full_ceiling_for_any_jitter() {
        let policy = RetryPolicy::default();
        for attempt in 1..12 {
            let ceiling = Duration::from_secs(1)
                .saturating_mul(1 << (attempt - 1))
                .min(Duration::from_secs(20));
            for jitter in [0.0, 0.25, 0.5, 0.999, 1.0, f64::NAN, -3.0] {
                let delay = policy.backoff(attempt, jitter);
                assert!(
                    delay >= ceiling / 2 && delay <= ceiling,
                    "{attempt} {jitter} {delay:?}"
                );
            }
        }
    }

    #[test]
    fn an_http_date_retry_after_is_measured_from_now() {
        let now: std::time::SystemTime = time::macros::datetime!(2015-10-21 07:28:00 UTC).into();
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
    }
}
