//! The one case executor every command shares (`conform`, `fuzz`, the
//! minimiser, `replay`): connect → session → back-off and retry on load
//! shedding → liveness probe → result. And the one definition of "alive".

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::drive::{drive, now};
use super::shedding::{Backoff, Concurrency};
use super::target::{ConnectError, Connector, Target};
use crate::catalog::{Case, send};
use crate::codec::Frame;
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
    /// Load-shedding codes met (each followed by a back-off).
    pub throttled: Vec<u16>,
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

    /// Runs `case` with keys from `seed`. On load shedding it tells
    /// `on_throttle`, lowers the concurrency, waits and retries the same
    /// case; after the retry budget the case is ERROR (server overloaded),
    /// never a conformance failure.
    pub async fn run(
        &self,
        case: &Case,
        seed: u64,
        on_throttle: &(dyn Fn(Throttle) + Sync),
    ) -> Ran {
        let mut cfg = self.session.clone();
        cfg.seed = seed;
        let mut throttled = Vec::new();
        let started = SystemTime::now();
        loop {
            let (end, duration) = self.attempt(case, &cfg).await;
            let (verdict, observed) = match end {
                SessionEnd::Judged(v, o) => (v, Some(o)),
                SessionEnd::Throttled { code } => {
                    let attempt = throttled.len() as u32;
                    throttled.push(code);
                    if attempt < self.backoff.retries {
                        let wait = self.backoff.delay(attempt, seed);
                        let jobs = self.concurrency.lower();
                        on_throttle(Throttle { code, wait, jobs });
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    let why = format!(
                        "server overloaded: {code} on every one of {} attempts",
                        attempt + 1
                    );
                    (Verdict::error(Reason::ServerOverloaded, why), None)
                }
            };
            let mut ran = Ran {
                verdict,
                observed,
                throttled,
                duration,
                started,
                probed: false,
                server_died: false,
            };
            if self.probe && ended_abnormally(&ran) {
                ran.probed = true;
                if !self.alive().await {
                    mark_died(&mut ran);
                }
            }
            return ran;
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

    /// Alive means: a fresh connection completes the opening handshake
    /// (101) and echoes one text message — or sheds load, which only a
    /// running server does. Two tries.
    pub async fn alive(&self) -> bool {
        for attempt in 0..2 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let connect = self.connector.connect(&self.target);
            let Ok(Ok(mut stream)) = tokio::time::timeout(Duration::from_secs(3), connect).await
            else {
                continue;
            };
            let session = Session::new(&probe_case(), self.session.clone(), now());
            let probe = tokio::time::timeout(Duration::from_secs(5), drive(&mut stream, session));
            match probe.await {
                Ok(SessionEnd::Throttled { .. }) => return true,
                Ok(SessionEnd::Judged(_, o))
                    if o.handshake_status == Some(101) && !o.events.is_empty() =>
                {
                    return true;
                }
                _ => {}
            }
        }
        false
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
