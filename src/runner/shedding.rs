//! Everything about a server that sheds load (1013 Try Again Later, 1012
//! Service Restart, HTTP 503/429), in one file: the exponential back-off
//! (1 s, doubling, capped, with jitter from the run seed so a run stays
//! reproducible) and the concurrency that halves each time it happens.
//! The session only recognises load shedding ([`crate::session::SessionEnd::Throttled`]);
//! the one case executor ([`super::Exec::run`]) retries with these.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use tokio::sync::{Semaphore, SemaphorePermit};

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

/// How many connections may run at once: lowered (halved, down to one)
/// each time the server sheds load, for every case of the run.
#[derive(Debug)]
pub struct Concurrency {
    slots: Semaphore,
    limit: Mutex<usize>,
    /// Permits still to take out of use as they come back.
    debt: AtomicUsize,
}

/// One connection's right to run; returned (or retired) on drop.
pub struct Slot<'a> {
    permit: Option<SemaphorePermit<'a>>,
    owner: &'a Concurrency,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let retire = self
            .owner
            .debt
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |d| d.checked_sub(1))
            .is_ok();
        if let (true, Some(p)) = (retire, self.permit.take()) {
            p.forget();
        }
    }
}

impl Concurrency {
    /// Up to `jobs` at once (at least one).
    pub fn new(jobs: usize) -> Concurrency {
        let jobs = jobs.max(1);
        Concurrency {
            slots: Semaphore::new(jobs),
            limit: Mutex::new(jobs),
            debt: AtomicUsize::new(0),
        }
    }

    /// Waits for a free slot.
    pub async fn acquire(&self) -> Slot<'_> {
        let permit = self.slots.acquire().await.ok();
        Slot {
            permit,
            owner: self,
        }
    }

    /// The current limit.
    pub fn limit(&self) -> usize {
        *self.limit.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Halves the limit (down to one) after load shedding; the new limit.
    pub fn lower(&self) -> usize {
        let mut limit = self.limit.lock().unwrap_or_else(|p| p.into_inner());
        let new = (*limit / 2).max(1);
        let cut = *limit - new;
        *limit = new;
        let forgotten = self.slots.forget_permits(cut);
        self.debt.fetch_add(cut - forgotten, Ordering::AcqRel);
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn load_shedding_halves_the_slots_in_use_and_free() {
        let c = Concurrency::new(8);
        let held: Vec<_> = [c.acquire().await, c.acquire().await, c.acquire().await].into();
        assert_eq!(c.lower(), 4);
        assert_eq!(c.lower(), 2);
        drop(held);
        let a = c.acquire().await;
        let b = c.acquire().await;
        let third = tokio::time::timeout(Duration::from_millis(20), c.acquire()).await;
        assert!(third.is_err(), "the limit is 2 now");
        drop((a, b));
        assert_eq!(c.lower(), 1);
        assert_eq!(c.lower(), 1, "never below one");
        let _one = c.acquire().await;
    }

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
