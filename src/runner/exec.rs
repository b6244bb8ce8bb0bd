//! Running one frame case on a fresh connection, with back-off when the
//! server sheds load, and the liveness probe: what the campaign, the
//! minimiser and replay share.

use std::time::{Duration, Instant};

use super::backoff::Backoff;
use super::drive::drive;
use super::target::{Connector, Target};
use crate::catalog::{Case, send};
use crate::codec::Frame;
use crate::session::{Observed, Reason, Session, SessionConfig, SessionEnd, Verdict};

/// Where and how inputs run.
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
}

impl Exec {
    /// Runs `case` with keys from `seed`; on load shedding waits and retries
    /// the same case, as the conformance runner does.
    pub async fn run(&self, case: &Case, seed: u64) -> Ran {
        let mut cfg = self.session.clone();
        cfg.seed = seed;
        let mut throttled = Vec::new();
        loop {
            let stream = match self.connector.connect(&self.target).await {
                Ok(s) => s,
                Err(e) => {
                    return ran(
                        Verdict::error(Reason::Connection, e.to_string()),
                        None,
                        throttled,
                    );
                }
            };
            match drive(stream, Session::new(case, cfg.clone(), Instant::now())).await {
                SessionEnd::Judged(v, o) => return ran(v, Some(o), throttled),
                SessionEnd::Throttled { code } => {
                    let attempt = throttled.len() as u32;
                    throttled.push(code);
                    if attempt >= self.backoff.retries {
                        let why = format!(
                            "server overloaded: {code} on every one of {} attempts",
                            attempt + 1
                        );
                        return ran(
                            Verdict::error(Reason::ServerOverloaded, why),
                            None,
                            throttled,
                        );
                    }
                    tokio::time::sleep(self.backoff.delay(attempt, seed)).await;
                }
            }
        }
    }

    /// A new connection completes the handshake and echoes one message
    /// (two tries).
    pub async fn alive(&self) -> bool {
        for attempt in 0..2 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let Ok(Ok(stream)) =
                tokio::time::timeout(Duration::from_secs(3), self.connector.connect(&self.target))
                    .await
            else {
                continue;
            };
            let session = Session::new(&probe_case(), self.session.clone(), Instant::now());
            match tokio::time::timeout(Duration::from_secs(5), drive(stream, session)).await {
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
}

fn ran(verdict: Verdict, observed: Option<Box<Observed>>, throttled: Vec<u16>) -> Ran {
    Ran {
        verdict,
        observed,
        throttled,
    }
}

fn probe_case() -> Case {
    Case::frames("liveness", "one text message", "5.6", "", || {
        vec![send(vec![Frame::text("wsgauntlet liveness probe")])]
    })
    .deadline(Duration::from_secs(2))
}
