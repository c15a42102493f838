//! Latency percentiles and medians: the only arithmetic the report does.

use std::time::Duration;

/// Latencies of one measured phase, sorted once.
#[derive(Clone, Debug, Default)]
pub(crate) struct Latencies {
    sorted_nanos: Vec<u64>,
}

impl Latencies {
    /// Takes the samples in any order.
    pub(crate) fn new(mut nanos: Vec<u64>) -> Latencies {
        nanos.sort_unstable();
        Latencies {
            sorted_nanos: nanos,
        }
    }

    /// Number of samples.
    pub(crate) fn len(&self) -> usize {
        self.sorted_nanos.len()
    }

    /// The `p`-th percentile (0 < p <= 100) by the nearest-rank method: the smallest sample
    /// that at least `p` % of the samples do not exceed. `None` without samples.
    pub(crate) fn percentile(&self, p: f64) -> Option<Duration> {
        let n = self.sorted_nanos.len();
        if n == 0 {
            return None;
        }
        // The epsilon keeps 99.9 % of 1000 at rank 999 despite binary floating point.
        let rank = ((p / 100.0) * n as f64 - 1e-9).ceil() as usize;
        let index = rank.clamp(1, n) - 1;
        Some(Duration::from_nanos(self.sorted_nanos[index]))
    }

    /// The mean, `None` without samples.
    pub(crate) fn mean(&self) -> Option<Duration> {
        let n = self.sorted_nanos.len();
        if n == 0 {
            return None;
        }
        let sum: u128 = self.sorted_nanos.iter().map(|&x| u128::from(x)).sum();
        Some(Duration::from_nanos((sum / n as u128) as u64))
    }
}

/// The median of some values (mean of the middle two for an even count); `NaN` when empty.
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// Milliseconds with three decimals, for the JSON report.
pub(crate) fn ms(d: Option<Duration>) -> Option<f64> {
    d.map(|d| (d.as_secs_f64() * 1e6).round() / 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lat(values: &[u64]) -> Latencies {
        Latencies::new(values.to_vec())
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let l = lat(&(1..=100).rev().collect::<Vec<_>>());
        assert_eq!(l.percentile(50.0), Some(Duration::from_nanos(50)));
        assert_eq!(l.percentile(99.0), Some(Duration::from_nanos(99)));
        assert_eq!(l.percentile(99.9), Some(Duration::from_nanos(100)));
        assert_eq!(l.percentile(100.0), Some(Duration::from_nanos(100)));
    }

    #[test]
    fn a_single_sample_is_every_percentile() {
        let l = lat(&[7]);
        assert_eq!(l.percentile(0.1), Some(Duration::from_nanos(7)));
        assert_eq!(l.percentile(99.9), Some(Duration::from_nanos(7)));
    }

    #[test]
    fn p999_of_a_thousand_samples_is_the_999th() {
        let l = lat(&(1..=1000).collect::<Vec<_>>());
        assert_eq!(l.percentile(99.9), Some(Duration::from_nanos(999)));
        assert_eq!(l.percentile(50.0), Some(Duration::from_nanos(500)));
    }

    #[test]
    fn no_samples_have_no_percentiles() {
        let l = lat(&[]);
        assert_eq!(l.percentile(50.0), None);
        assert_eq!(l.mean(), None);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }
}
