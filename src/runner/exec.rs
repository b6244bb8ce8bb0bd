//! The one case executor every command shares (`conform`, `fuzz`, the
//! minimiser, `replay`): connect → session → back-off and retry on load
//! shedding → liveness probe → result. And the one definition of "alive".

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::drive::{drive, now};
use super::shedding::{Backoff, CONFIRM_PAUSE, Concurrency, Health, Next, Retry, sighting};
use super::target::{ConnectError, Connector, Target};
use crate::catalog::{Case, send};
use crate::codec::Frame;
use crate::results::Attempt;
use crate::session::{Observed, Outcome, Reason, Session, SessionConfig, SessionEnd, Verdict};

/// Where and how cases run.
#[derive(Clone)]
pub struct Exec {
    /// The server.
    pub target: Target,
    /// How to connect.
    pub connector: Connector,
    /// Request and limits.
    pub session: SessionConfig,
    /// Back-off on 1013/1012/503.
    pub backoff: Backoff,
    /// Connections at once, lowered on load shedding (shared by every case).
    pub concurrency: Arc<Concurrency>,
    /// Probe liveness after a case that ended abnormally.
    pub probe: bool,
}

/// The server shed load; the case waits and retries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// 1013, 1012 or an HTTP status.
    pub code: u16,
    /// The wait before the retry.
    pub wait: Duration,
    /// Connections at once from now on.
    pub jobs: usize,
}

/// The result of one case.
#[derive(Clone, Debug)]
pub struct Ran {
    /// The verdict (ERROR when it could not run or the server stayed overloaded).
    pub verdict: Verdict,
    /// What was observed.
    pub observed: Option<Box<Observed>>,
    /// Load-shedding codes met (each followed by a back-off or a probe).
    pub throttled: Vec<u16>,
    /// Every 1012/1013 sighting and how it was judged.
    pub attempts: Vec<Attempt>,
    /// Wall time of the last attempt.
    pub duration: Duration,
    /// When the case started.
    pub started: SystemTime,
    /// A liveness probe ran after the case.
    pub probed: bool,
    /// The probe found the server dead (the verdict says so).
    pub server_died: bool,
}

impl Exec {
    /// Runs cases against `target`, up to `jobs` connections at once, with
    /// the default back-off and no probe after each case.
    pub fn new(target: Target, connector: Connector, session: SessionConfig, jobs: usize) -> Exec {
        Exec {
            target,
            connector,
            session,
            backoff: Backoff::default(),
            concurrency: Arc::new(Concurrency::new(jobs)),
            probe: false,
        }
    }

    /// Runs `case` with keys from `seed`. Load shedding is retried with
    /// back-off and lowered concurrency (telling `on_throttle`); a 1012/1013
    /// after the case did something wrong is never judged on one sighting
    /// (see [`super::shedding`]). After the retry budget the case is ERROR
    /// (server overloaded), never a conformance failure.
    pub async fn run(
        &self,
        case: &Case,
        seed: u64,
        on_throttle: &(dyn Fn(Throttle) + Sync),
    ) -> Ran {
        let mut cfg = self.session.clone();
        cfg.seed = seed;
        let started = SystemTime::now();
        let mut retry = Retry::new(self.backoff, seed);
        let (end, duration) = loop {
            let epoch = self.concurrency.epoch();
            cfg.opening_pause = if retry.confirming() {
                CONFIRM_PAUSE
            } else {
                Duration::ZERO
            };
            let (end, duration) = self.attempt(case, &cfg).await;
            let Some(seen) = sighting(&end) else {
                break (end, duration);
            };
            let mut next = retry.on_sighting(seen, epoch, self.concurrency.epoch());
            if next == Next::Probe {
                let health = self.health().await;
                next = retry.on_probe(health, self.concurrency.epoch());
            }
            match next {
                Next::Confirmed => break (end, duration),
                Next::Probe => continue,
                Next::BackOff(wait) => {
                    let jobs = self.concurrency.lower();
                    on_throttle(Throttle {
                        code: seen.code,
                        wait,
                        jobs,
                    });
                    tokio::time::sleep(wait).await;
                }
                Next::GiveUp => {
                    let n = retry.attempts.len();
                    let why = format!(
                        "server overloaded: {} on every one of {n} attempts",
                        seen.code
                    );
                    let end = SessionEnd::Judged(
                        Verdict::error(Reason::ServerOverloaded, why),
                        Box::default(),
                    );
                    break (end, duration);
                }
                Next::Died => {
                    let mut ran = self.ran(end, duration, started, retry);
                    ran.probed = true;
                    mark_died(&mut ran);
                    return ran;
                }
            }
        };
        let mut ran = self.ran(end, duration, started, retry);
        if self.probe && ended_abnormally(&ran) {
            ran.probed = true;
            if !self.alive().await {
                mark_died(&mut ran);
            }
        }
        ran
    }

    fn ran(&self, end: SessionEnd, duration: Duration, started: SystemTime, retry: Retry) -> Ran {
        let (verdict, observed) = match end {
            SessionEnd::Judged(v, o) => (v, Some(o)),
            SessionEnd::Throttled { code, .. } => (
                Verdict::error(
                    Reason::ServerOverloaded,
                    format!("server overloaded: {code}"),
                ),
                None,
            ),
        };
        Ran {
            verdict,
            observed,
            throttled: retry.codes(),
            attempts: retry.attempts,
            duration,
            started,
            probed: false,
            server_died: false,
        }
    }

    /// One connection running `case`, in a slot of the concurrency.
    async fn attempt(&self, case: &Case, cfg: &SessionConfig) -> (SessionEnd, Duration) {
        let _slot = self.concurrency.acquire().await;
        // Building a plan encodes, masks and models every payload: off the
        // async workers, and before the clock starts.
        let (c, k) = (case.clone(), cfg.clone());
        let built = tokio::task::spawn_blocking(move || Session::new(&c, k, now())).await;
        let t0 = Instant::now();
        let end = match (built, self.connector.connect(&self.target).await) {
            (Ok(mut session), Ok(mut stream)) => {
                session.reset_clock(now());
                drive(&mut stream, session).await
            }
            (Err(e), _) => judged_error(format!("case could not be built: {e}")),
            (_, Err(e)) => judged_error(e.to_string()),
        };
        (end, t0.elapsed())
    }

    /// Alive: not [`Health::Dead`].
    pub async fn alive(&self) -> bool {
        self.health().await != Health::Dead
    }

    /// The one liveness probe: a fresh connection completes the opening
    /// handshake (101) and echoes one text message — healthy; it sheds load
    /// — alive but not healthy; anything else, twice — dead. The probe takes
    /// a slot of the concurrency like any connection.
    pub async fn health(&self) -> Health {
        for attempt in 0..2 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let _slot = self.concurrency.acquire().await;
            let connect = self.connector.connect(&self.target);
            let Ok(Ok(mut stream)) = tokio::time::timeout(Duration::from_secs(3), connect).await
            else {
                continue;
            };
            let session = Session::new(&probe_case(), self.session.clone(), now());
            let probe = tokio::time::timeout(Duration::from_secs(5), drive(&mut stream, session));
            match probe.await {
                Ok(SessionEnd::Throttled { .. }) => return Health::Shedding,
                Ok(SessionEnd::Judged(_, o))
                    if o.handshake_status == Some(101) && !o.events.is_empty() =>
                {
                    return Health::Healthy;
                }
                _ => {}
            }
        }
        Health::Dead
    }

    /// Checks the server can be reached before a run starts.
    pub async fn preflight(&self) -> Result<(), ConnectError> {
        let mut stream = self.connector.connect(&self.target).await?;
        let session = Session::new(&probe_case(), self.session.clone(), now());
        let _ = drive(&mut stream, session).await;
        Ok(())
    }
}

fn judged_error(why: String) -> SessionEnd {
    SessionEnd::Judged(Verdict::error(Reason::Connection, why), Box::default())
}

/// A case that did not end with a closing handshake and a TCP close.
pub fn ended_abnormally(ran: &Ran) -> bool {
    match &ran.observed {
        None => ran.verdict.outcome == Outcome::Error,
        Some(o) => o.close.is_none() || !o.eof || o.timed_out,
    }
}

fn mark_died(ran: &mut Ran) {
    let before = std::mem::take(&mut ran.verdict.actual);
    ran.verdict.outcome = Outcome::Fail;
    ran.verdict.reason = Some(Reason::ServerDied);
    ran.verdict.actual =
        format!("the server stopped accepting connections after this case ({before})");
    ran.server_died = true;
}

fn probe_case() -> Case {
    Case::frames("liveness", "one text message", "5.6", "", || {
        vec![send(vec![Frame::text("wsgauntlet liveness probe")])]
    })
    .deadline(Duration::from_secs(2))
}
