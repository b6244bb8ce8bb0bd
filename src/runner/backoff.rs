//! Exponential back-off for servers that shed load: 1 s, doubling, capped,
//! with jitter from the run seed so a run stays reproducible.

use std::time::Duration;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// Retry policy for 1013 (Try Again Later), 1012 (Service Restart) and HTTP 503.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait.
    pub initial: Duration,
    /// The largest wait.
    pub cap: Duration,
    /// Retries before the case is ERROR (server overloaded).
    pub retries: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(1),
            cap: Duration::from_secs(16),
            retries: 6,
        }
    }
}

impl Backoff {
    /// The wait before retry `attempt` (0-based): initial × 2^attempt, capped,
    /// plus up to 25 % jitter drawn from `seed`.
    pub fn delay(&self, attempt: u32, seed: u64) -> Duration {
        let base = self
            .initial
            .saturating_mul(1u32 << attempt.min(20))
            .min(self.cap);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ u64::from(attempt));
        let jitter = (rng.next_u32() % 1000) as f64 / 4000.0;
        base.mul_f64(1.0 + jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_one_second_and_caps() {
        let b = Backoff::default();
        let secs: Vec<f64> = (0..7).map(|a| b.delay(a, 1).as_secs_f64()).collect();
        for (a, want) in [1.0, 2.0, 4.0, 8.0, 16.0, 16.0, 16.0].iter().enumerate() {
            assert!(
                secs[a] >= *want && secs[a] <= want * 1.25,
                "attempt {a}: {}",
                secs[a]
            );
        }
        assert_eq!(b.delay(3, 9), b.delay(3, 9), "same seed, same jitter");
    }
}
