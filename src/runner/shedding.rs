//! Everything about a server that sheds load (1013 Try Again Later, 1012
//! Service Restart, HTTP 503/429), in one file: the exponential back-off
//! (1 s, doubling, capped, with jitter from the run seed so a run stays
//! reproducible), the concurrency that halves each time it happens, and
//! the retry policy that never judges a 1012/1013 on one sighting.
//!
//! A server that restarts or sheds load sends 1012/1013 without reading
//! what the tester wrote, so its Close and the case's bytes cross on the
//! wire. The session calls it load shedding when it came before any byte of
//! the violation ([`SessionEnd::Throttled`]); after that it is only a
//! *suspect*: the executor ([`super::Exec::run`]) probes the server (a fresh
//! connection and an echo) and reruns the case at once when it is healthy.
//! The rerun waits [`CONFIRM_PAUSE`] after the 101 before it writes, so a
//! server that closes right after its 101 without reading is seen shedding
//! load rather than answering the case. Only the same answer again, from a
//! healthy server, with no load shedding seen anywhere in the run
//! meanwhile, confirms `FAIL wrong-close-code`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use crate::results::{Attempt, Outcome};
use crate::session::SessionEnd;

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
    /// Load-shedding events seen so far (a suspect is confirmed only while
    /// this stays the same).
    epoch: AtomicU64,
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
            epoch: AtomicU64::new(0),
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

    /// Load-shedding events so far.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Halves the limit (down to one) after load shedding; the new limit.
    pub fn lower(&self) -> usize {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        let mut limit = self.limit.lock().unwrap_or_else(|p| p.into_inner());
        let new = (*limit / 2).max(1);
        let cut = *limit - new;
        *limit = new;
        let forgotten = self.slots.forget_permits(cut);
        self.debt.fetch_add(cut - forgotten, Ordering::AcqRel);
        new
    }
}

/// The wait between the 101 and the first byte of a confirming rerun.
pub const CONFIRM_PAUSE: Duration = Duration::from_millis(100);

/// What a liveness probe found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// A fresh connection got a 101 and a valid echo.
    Healthy,
    /// The probe itself met load shedding.
    Shedding,
    /// No connection, or no valid echo.
    Dead,
}

impl Health {
    /// The name in an attempt record.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Shedding => "shedding",
            Health::Dead => "dead",
        }
    }
}

/// A 1012/1013 (or HTTP 503/429) an attempt met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sighting {
    /// The code.
    pub code: u16,
    /// When, in ms since the attempt started.
    pub at_ms: u64,
    /// Case bytes written by then.
    pub bytes_written: u64,
    /// After the violation was written (else load shedding for sure).
    pub suspect: bool,
}

/// The sighting in an attempt's end, if any: load shedding the session
/// recognised, or a FAIL whose close code is 1012/1013.
pub fn sighting(end: &SessionEnd) -> Option<Sighting> {
    match end {
        SessionEnd::Throttled {
            code,
            at_ms,
            bytes_written,
        } => Some(Sighting {
            code: *code,
            at_ms: *at_ms,
            bytes_written: *bytes_written,
            suspect: false,
        }),
        SessionEnd::Judged(v, obs) if v.outcome == Outcome::Fail => {
            let close = obs.close.as_ref()?;
            let code = close.code.filter(|c| matches!(c.0, 1012 | 1013))?;
            Some(Sighting {
                code: code.0,
                at_ms: close.at_ms,
                bytes_written: close.bytes_written,
                suspect: true,
            })
        }
        SessionEnd::Judged(..) => None,
    }
}

/// What the executor does after a sighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Load shedding: lower the concurrency, wait this long, rerun.
    BackOff(Duration),
    /// A suspect: probe, then rerun (at once when healthy).
    Probe,
    /// The same answer again from a healthy server: the verdict stands.
    Confirmed,
    /// The retry budget is spent: ERROR (server overloaded).
    GiveUp,
    /// The probe found the server dead.
    Died,
}

/// The retry state of one case.
#[derive(Clone, Debug)]
pub struct Retry {
    backoff: Backoff,
    seed: u64,
    backoffs: u32,
    /// The last suspect, if the probe after it found the server healthy,
    /// with the load-shedding epoch then.
    healthy_suspect: Option<u64>,
    /// Every sighting, in order.
    pub attempts: Vec<Attempt>,
}

impl Retry {
    /// No sighting yet.
    pub fn new(backoff: Backoff, seed: u64) -> Retry {
        Retry {
            backoff,
            seed,
            backoffs: 0,
            healthy_suspect: None,
            attempts: Vec::new(),
        }
    }

    /// Decides on `s`, seen by an attempt that started at load-shedding
    /// epoch `started` (the epoch is `now` at its end).
    pub fn on_sighting(&mut self, s: Sighting, started: u64, now: u64) -> Next {
        let confirmed = s.suspect && self.healthy_suspect == Some(started) && started == now;
        let judged = match (confirmed, s.suspect) {
            (true, _) => "confirmed",
            (false, true) => "suspect",
            (false, false) => "load-shedding",
        };
        self.attempts.push(Attempt {
            code: s.code,
            at_ms: s.at_ms,
            bytes_written: s.bytes_written,
            judged: judged.into(),
            probe: None,
        });
        self.healthy_suspect = None;
        if confirmed {
            return Next::Confirmed;
        }
        if self.attempts.len() as u32 > self.backoff.retries {
            return Next::GiveUp;
        }
        if s.suspect {
            Next::Probe
        } else {
            self.back_off()
        }
    }

    /// The probe after a suspect found `health` (epoch `now`): rerun at
    /// once when healthy, back off when shedding.
    pub fn on_probe(&mut self, health: Health, now: u64) -> Next {
        if let Some(a) = self.attempts.last_mut() {
            a.probe = Some(health.as_str().into());
        }
        match health {
            Health::Healthy => {
                self.healthy_suspect = Some(now);
                Next::Probe
            }
            Health::Shedding => self.back_off(),
            Health::Dead => Next::Died,
        }
    }

    fn back_off(&mut self) -> Next {
        let wait = self.backoff.delay(self.backoffs, self.seed);
        self.backoffs += 1;
        Next::BackOff(wait)
    }

    /// Whether the next attempt confirms a suspect (the probe after it was
    /// healthy): it then waits [`CONFIRM_PAUSE`] after the 101, so a server
    /// that sheds load or restarts right after its 101 shows it before the
    /// case writes a byte, and cannot confirm by chance.
    pub fn confirming(&self) -> bool {
        self.healthy_suspect.is_some()
    }

    /// The load-shedding codes met, for the results' `throttled` list.
    pub fn codes(&self) -> Vec<u16> {
        self.attempts
            .iter()
            .filter(|a| a.judged != "confirmed")
            .map(|a| a.code)
            .collect()
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

    fn seen(code: u16, suspect: bool) -> Sighting {
        Sighting {
            code,
            at_ms: 3,
            bytes_written: 10,
            suspect,
        }
    }

    #[test]
    fn a_suspect_is_confirmed_only_after_a_healthy_probe_with_no_shedding_between() {
        let mut r = Retry::new(Backoff::default(), 1);
        assert_eq!(r.on_sighting(seen(1013, true), 0, 0), Next::Probe);
        assert_eq!(r.on_probe(Health::Healthy, 0), Next::Probe);
        assert_eq!(r.on_sighting(seen(1013, true), 0, 0), Next::Confirmed);
        let judged: Vec<&str> = r.attempts.iter().map(|a| a.judged.as_str()).collect();
        assert_eq!(judged, ["suspect", "confirmed"]);
        assert_eq!(r.attempts[0].probe.as_deref(), Some("healthy"));

        let mut r = Retry::new(Backoff::default(), 1);
        r.on_sighting(seen(1012, true), 0, 0);
        r.on_probe(Health::Healthy, 0);
        assert_eq!(
            r.on_sighting(seen(1012, true), 0, 1),
            Next::Probe,
            "load shedding elsewhere in the run during the rerun: not a confirmation"
        );
    }

    #[test]
    fn shedding_backs_off_and_a_shedding_probe_is_no_health() {
        let mut r = Retry::new(Backoff::default(), 1);
        let Next::BackOff(w) = r.on_sighting(seen(1013, false), 0, 0) else {
            panic!("load shedding backs off")
        };
        assert!(w >= Duration::from_secs(1));
        assert_eq!(r.on_sighting(seen(1013, true), 1, 1), Next::Probe);
        assert!(matches!(r.on_probe(Health::Shedding, 1), Next::BackOff(_)));
        assert_eq!(
            r.on_sighting(seen(1013, true), 2, 2),
            Next::Probe,
            "no healthy probe before it: still a suspect"
        );
        assert_eq!(r.on_probe(Health::Dead, 2), Next::Died);
    }

    #[test]
    fn the_budget_ends_in_give_up() {
        let b = Backoff {
            retries: 2,
            ..Backoff::default()
        };
        let mut r = Retry::new(b, 1);
        assert!(matches!(
            r.on_sighting(seen(1013, false), 0, 0),
            Next::BackOff(_)
        ));
        assert!(matches!(
            r.on_sighting(seen(1013, false), 1, 1),
            Next::BackOff(_)
        ));
        assert_eq!(r.on_sighting(seen(1013, false), 2, 2), Next::GiveUp);
        assert_eq!(r.codes(), [1013, 1013, 1013]);
    }
}
