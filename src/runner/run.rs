//! Runs a selection of cases against one server: parallel connections,
//! back-off on load shedding, liveness probes after abnormal ends, and a
//! quick, clear end when the server dies.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::backoff::Backoff;
use super::drive::drive;
use super::target::{ConnectError, Connector, Target};
use crate::catalog::{Case, send};
use crate::codec::Frame;
use crate::session::{Observed, Outcome, Reason, Session, SessionConfig, SessionEnd, Verdict};

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
    Done(Box<CaseRun>),
    Throttled {
        id: String,
        code: u16,
        wait: Duration,
    },
}

/// Checks the server answers the opening handshake before a run starts.
pub async fn preflight(
    target: &Target,
    connector: &Connector,
    cfg: &SessionConfig,
) -> Result<(), ConnectError> {
    let stream = connector.connect(target).await?;
    let _ = drive(
        stream,
        Session::new(&probe_case(), cfg.clone(), Instant::now()),
    )
    .await;
    Ok(())
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
    let ctx = Arc::new(Ctx {
        target: target.clone(),
        connector: connector.clone(),
        opts: opts.clone(),
    });
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
    let mut limit = opts.jobs.max(1);
    let mut active = 0usize;
    let mut tasks = JoinSet::new();
    let mut results: Vec<Option<CaseRun>> = (0..total).map(|_| None).collect();
    let mut dead: Option<String> = None;
    loop {
        while dead.is_none() && active < limit {
            let Some((index, case)) = queue.next() else {
                break;
            };
            active += 1;
            let (ctx, tx) = (ctx.clone(), tx.clone());
            tasks.spawn(async move {
                let run = run_case(&ctx, index, case, &tx).await;
                let _ = tx.send(Msg::Done(Box::new(run)));
            });
        }
        if active == 0 {
            break;
        }
        let Some(msg) = rx.recv().await else { break };
        match msg {
            Msg::Throttled { id, code, wait } => {
                limit = (limit / 2).max(1);
                on_event(RunEvent::Throttled {
                    id,
                    code,
                    wait,
                    jobs: limit,
                });
            }
            Msg::Done(mut run) => {
                active -= 1;
                if dead.is_none() && opts.probe && ended_abnormally(&run) && !alive(&ctx).await {
                    mark_died(&mut run);
                    dead = Some(run.id.clone());
                    on_event(RunEvent::ServerDied {
                        after: run.id.clone(),
                    });
                    tasks.abort_all();
                    active = 0;
                }
                on_event(RunEvent::Finished(run.clone()));
                let i = run.index;
                results[i] = Some(*run);
            }
        }
    }
    fill_not_run(results, queue, dead.as_deref(), &mut on_event)
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

struct Ctx {
    target: Target,
    connector: Connector,
    opts: RunOptions,
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
    }
}

fn case_seed(master: u64, id: &str) -> u64 {
    id.bytes().fold(master ^ 0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

async fn run_case(ctx: &Ctx, index: usize, case: Case, tx: &mpsc::UnboundedSender<Msg>) -> CaseRun {
    let mut cfg = ctx.opts.session.clone();
    cfg.seed = case_seed(ctx.opts.seed, &case.id);
    let mut throttled = Vec::new();
    let started = SystemTime::now();
    loop {
        // Building a plan encodes, masks and models every payload (up to
        // 64 MiB): off the async workers, and before the clock starts.
        let (c, k) = (case.clone(), cfg.clone());
        let session =
            tokio::task::spawn_blocking(move || Session::new(&c, k, Instant::now())).await;
        let t0 = Instant::now();
        let end = match (session, ctx.connector.connect(&ctx.target).await) {
            (Ok(mut session), Ok(stream)) => {
                session.reset_clock(Instant::now());
                drive(stream, session).await
            }
            (Err(e), _) => SessionEnd::Judged(
                Verdict::error(Reason::Connection, format!("case could not be built: {e}")),
                Box::default(),
            ),
            (_, Err(e)) => SessionEnd::Judged(
                Verdict::error(Reason::Connection, e.to_string()),
                Box::default(),
            ),
        };
        let duration = t0.elapsed();
        let (verdict, observed) = match end {
            SessionEnd::Judged(v, o) => (v, Some(o)),
            SessionEnd::Throttled { code } => {
                let attempt = throttled.len() as u32;
                throttled.push(code);
                if attempt < ctx.opts.backoff.retries {
                    let wait = ctx.opts.backoff.delay(attempt, cfg.seed);
                    let _ = tx.send(Msg::Throttled {
                        id: case.id.clone(),
                        code,
                        wait,
                    });
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
        return CaseRun {
            index,
            id: case.id.clone(),
            verdict,
            observed,
            duration,
            started,
            throttled,
        };
    }
}

/// A case that did not end with a closing handshake and a TCP close.
fn ended_abnormally(run: &CaseRun) -> bool {
    match &run.observed {
        None => run.verdict.outcome == Outcome::Error,
        Some(o) => o.close.is_none() || !o.eof || o.timed_out,
    }
}

fn mark_died(run: &mut CaseRun) {
    let before = std::mem::take(&mut run.verdict.actual);
    run.verdict.outcome = Outcome::Fail;
    run.verdict.reason = Some(Reason::ServerDied);
    run.verdict.actual =
        format!("the server stopped accepting connections after this case ({before})");
}

fn probe_case() -> Case {
    Case::frames("liveness", "one text message", "5.6", "", || {
        vec![send(vec![Frame::text("wsgauntlet liveness probe")])]
    })
    .deadline(Duration::from_secs(2))
}

/// A new connection completes the opening handshake (twice tried).
async fn alive(ctx: &Ctx) -> bool {
    for attempt in 0..2 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let Ok(Ok(stream)) =
            tokio::time::timeout(Duration::from_secs(3), ctx.connector.connect(&ctx.target)).await
        else {
            continue;
        };
        let session = Session::new(&probe_case(), ctx.opts.session.clone(), Instant::now());
        match tokio::time::timeout(Duration::from_secs(5), drive(stream, session)).await {
            Ok(SessionEnd::Throttled { .. }) => return true,
            Ok(SessionEnd::Judged(_, o)) if o.handshake_status.is_some() => return true,
            _ => {}
        }
    }
    false
}
