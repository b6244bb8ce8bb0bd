//! Runs a selection of cases against one server: parallel connections,
//! each case through the one executor ([`Exec::run`]: back-off on load
//! shedding, liveness probe after abnormal ends), and a quick, clear end
//! when the server dies.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::exec::{Exec, Ran, Throttle};
use super::shedding::{Backoff, Concurrency};
use super::target::{Connector, Target};
use crate::catalog::Case;
use crate::session::{Observed, Reason, SessionConfig, Verdict};

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Cases in flight at once (lowered when the server sheds load).
    pub jobs: usize,
    /// Master seed; each case's keys derive from it and the case id.
    pub seed: u64,
    /// Request and limits shared by every case.
    pub session: SessionConfig,
    /// Back-off on 1013/1012/503.
    pub backoff: Backoff,
    /// Probe liveness after cases that end abnormally.
    pub probe: bool,
}

impl RunOptions {
    /// The executor of these options against `target`.
    pub fn exec(&self, target: &Target, connector: &Connector) -> Exec {
        Exec {
            target: target.clone(),
            connector: connector.clone(),
            session: self.session.clone(),
            backoff: self.backoff,
            concurrency: Arc::new(Concurrency::new(self.jobs)),
            probe: self.probe,
        }
    }
}

/// One finished case.
#[derive(Clone, Debug)]
pub struct CaseRun {
    /// Position in the selection.
    pub index: usize,
    /// Case id.
    pub id: String,
    /// The verdict.
    pub verdict: Verdict,
    /// What was observed (absent when the case never connected).
    pub observed: Option<Box<Observed>>,
    /// Wall time of the last attempt.
    pub duration: Duration,
    /// When the case started.
    pub started: SystemTime,
    /// Load-shedding codes met before the last attempt.
    pub throttled: Vec<u16>,
    /// Every 1012/1013 sighting and how it was judged.
    pub attempts: Vec<crate::results::Attempt>,
}

/// Progress of a run, in order of occurrence.
#[derive(Clone, Debug)]
pub enum RunEvent {
    /// A case finished (streamed to results.jsonl at once).
    Finished(Box<CaseRun>),
    /// The server shed load; the case waits and retries.
    Throttled {
        /// Case id.
        id: String,
        /// 1013, 1012 or an HTTP status.
        code: u16,
        /// The wait before the retry.
        wait: Duration,
        /// Concurrency from now on.
        jobs: usize,
    },
    /// The server stopped answering after this case.
    ServerDied {
        /// The case after which it died.
        after: String,
    },
}

enum Msg {
    Done(Box<CaseRun>, bool),
    Throttled(String, Throttle),
}

/// Runs `cases` in order of their index; results come back through `on_event`
/// as they finish, and all of them, in selection order, at the end.
pub async fn run_cases(
    target: &Target,
    connector: &Connector,
    cases: Vec<Case>,
    opts: &RunOptions,
    mut on_event: impl FnMut(RunEvent),
) -> Vec<CaseRun> {
    let exec = Arc::new(opts.exec(target, connector));
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let total = cases.len();
    // Idle waits first (5.19, 6.4.x wait 1 s at a time), then the longest by
    // deadline (section 9), so the waits overlap the work; results still
    // come back in selection order. One job at a time keeps catalogue order.
    let mut order: Vec<(usize, Case)> = cases.into_iter().enumerate().collect();
    if opts.jobs > 1 {
        order.sort_by_cached_key(|(i, c)| {
            (
                std::cmp::Reverse(built_in_wait(c)),
                std::cmp::Reverse(c.deadline),
                *i,
            )
        });
    }
    let mut queue = order.into_iter();
    let jobs = opts.jobs.max(1);
    let mut active = 0usize;
    let mut tasks = JoinSet::new();
    let mut results: Vec<Option<CaseRun>> = (0..total).map(|_| None).collect();
    let mut dead: Option<String> = None;
    loop {
        // The executor's concurrency decides how many connect at once; this
        // only bounds how many cases are taken from the queue.
        while dead.is_none() && active < jobs.min(exec.concurrency.limit() + 1) {
            let Some((index, case)) = queue.next() else {
                break;
            };
            active += 1;
            let (exec, tx) = (exec.clone(), tx.clone());
            let seed = case_seed(opts.seed, &case.id);
            tasks.spawn(async move {
                let id = case.id.clone();
                let notify = |t: Throttle| {
                    let _ = tx.send(Msg::Throttled(id.clone(), t));
                };
                let ran = exec.run(&case, seed, &notify).await;
                let died = ran.server_died;
                let _ = tx.send(Msg::Done(Box::new(case_run(index, case.id, ran)), died));
            });
        }
        if active == 0 {
            break;
        }
        let Some(msg) = rx.recv().await else { break };
        match msg {
            Msg::Throttled(id, t) => on_event(RunEvent::Throttled {
                id,
                code: t.code,
                wait: t.wait,
                jobs: t.jobs,
            }),
            Msg::Done(run, died) => {
                active -= 1;
                if died && dead.is_none() {
                    dead = Some(run.id.clone());
                    on_event(RunEvent::ServerDied {
                        after: run.id.clone(),
                    });
                    tasks.abort_all();
                    active = 0;
                }
                on_event(RunEvent::Finished(run.clone()));
                let i = run.index;
                results[i] = Some(run.retained());
            }
        }
    }
    fill_not_run(results, queue, dead.as_deref(), &mut on_event)
}

impl CaseRun {
    /// The run as kept until the whole run is over: its events past the
    /// first few dropped ([`Observed::retained`]); the result record was
    /// made from the whole run when it finished.
    pub fn retained(self) -> CaseRun {
        CaseRun {
            observed: self.observed.map(|o| Box::new(o.retained())),
            ..self
        }
    }
}

fn case_run(index: usize, id: String, ran: Ran) -> CaseRun {
    CaseRun {
        index,
        id,
        verdict: ran.verdict,
        observed: ran.observed,
        duration: ran.duration,
        started: ran.started,
        throttled: ran.throttled,
        attempts: ran.attempts,
    }
}

/// The fixed waits a case spends idle; only cheap cases (short deadline) are
/// built to find out, so no large payload is made twice.
fn built_in_wait(case: &Case) -> Duration {
    if case.deadline > Duration::from_secs(10) {
        return Duration::ZERO;
    }
    let steps = case.steps();
    let waits = steps.iter().map(|s| match s {
        crate::catalog::Step::Wait(d) => *d,
        crate::catalog::Step::Send(_, crate::catalog::Delivery::PayloadParts { cuts, pause }) => {
            pause.saturating_mul(cuts.len() as u32)
        }
        _ => Duration::ZERO,
    });
    waits.sum()
}

fn fill_not_run(
    results: Vec<Option<CaseRun>>,
    queue: impl Iterator<Item = (usize, Case)>,
    dead: Option<&str>,
    on_event: &mut impl FnMut(RunEvent),
) -> Vec<CaseRun> {
    let mut pending: Vec<(usize, String)> = queue.map(|(i, c)| (i, c.id)).collect();
    let mut out = Vec::with_capacity(results.len());
    for (i, r) in results.into_iter().enumerate() {
        let run = match r {
            Some(r) => r,
            None => {
                let id = pending
                    .iter()
                    .find(|(j, _)| *j == i)
                    .map(|(_, id)| id.clone())
                    .unwrap_or_default();
                let why = match dead {
                    Some(after) => {
                        format!("not run: the server stopped answering after case {after}")
                    }
                    None => "not run".to_string(),
                };
                let run = not_run(i, id, why);
                on_event(RunEvent::Finished(Box::new(run.clone())));
                run
            }
        };
        out.push(run);
    }
    pending.clear();
    out
}

fn not_run(index: usize, id: String, why: String) -> CaseRun {
    CaseRun {
        index,
        id,
        verdict: Verdict::error(Reason::ServerDied, why),
        observed: None,
        duration: Duration::ZERO,
        started: SystemTime::now(),
        throttled: Vec::new(),
        attempts: Vec::new(),
    }
}

fn case_seed(master: u64, id: &str) -> u64 {
    id.bytes().fold(master ^ 0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}
