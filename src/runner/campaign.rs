//! The network fuzz campaign: workers draw input indices from one counter
//! (input `i` is a pure function of seed and `i`, whatever the number of
//! workers), run each input on a fresh connection, judge it with the model,
//! probe liveness after anything suspicious and every N inputs, deduplicate
//! findings by signature and minimise each.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::exec::{Exec, Ran};
use super::input::{input_case, signature};
use super::minimise::minimise;
use super::shedding::Concurrency;
use crate::mutate::{Engine, Input};
use crate::session::{Outcome, Verdict};

/// Inputs remembered for a dead-server finding.
const RECENT: usize = 8;

/// How long and how hard to fuzz.
#[derive(Clone, Debug)]
pub struct CampaignOptions {
    /// Master seed.
    pub seed: u64,
    /// Inputs in flight at once.
    pub jobs: usize,
    /// Stop after this many inputs.
    pub iterations: Option<u64>,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Deadline of each input once connected.
    pub deadline: Duration,
    /// Probe liveness every this many inputs (0: only after suspicious ones).
    pub probe_every: u64,
    /// Re-run attempts the minimiser may spend per finding (0: no minimising).
    pub minimise_attempts: usize,
}

/// Counts so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Inputs judged.
    pub inputs: u64,
    /// Inputs per outcome.
    pub outcomes: BTreeMap<Outcome, u64>,
    /// Distinct findings.
    pub findings: usize,
    /// Load-shedding answers met (each backed off).
    pub throttled: u64,
    /// Liveness probes made.
    pub probes: u64,
}

/// One finding, minimised.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Deduplication key.
    pub signature: String,
    /// Index of the input that showed it.
    pub index: u64,
    /// The input as generated.
    pub original: Input,
    /// The smallest input found that keeps the verdict.
    pub input: Input,
    /// The verdict of `input`.
    pub verdict: Verdict,
    /// Whether the server died (then `recent` holds what was sent before).
    pub server_died: bool,
    /// Inputs started just before the server died, oldest first.
    pub recent: Vec<(u64, Input)>,
}

/// Progress of a campaign.
#[derive(Clone, Debug)]
pub enum CampaignEvent {
    /// Periodic counts.
    Progress(Stats, Duration),
    /// A new finding.
    Found(Box<Finding>),
}

/// The end of a campaign.
#[derive(Clone, Debug)]
pub struct CampaignReport {
    /// Final counts.
    pub stats: Stats,
    /// Findings in the order found.
    pub findings: Vec<Finding>,
    /// The server stopped answering.
    pub server_died: bool,
    /// Wall time.
    pub elapsed: Duration,
    /// Connections at once at the end (below `jobs` after load shedding).
    pub final_jobs: usize,
}

struct Shared {
    engine: Engine,
    exec: Exec,
    opts: CampaignOptions,
    next: AtomicU64,
    stop: AtomicBool,
    started: Instant,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    stats: Stats,
    seen: HashSet<String>,
    recent: VecDeque<u64>,
    died: bool,
}

/// Runs a campaign; events arrive through `on_event` as they happen.
pub async fn run_campaign(
    engine: Engine,
    exec: Exec,
    opts: CampaignOptions,
    mut on_event: impl FnMut(CampaignEvent),
) -> CampaignReport {
    // The campaign's jobs are the executor's concurrency: lowered for every
    // worker when the server sheds load.
    let mut exec = exec;
    exec.concurrency = Arc::new(Concurrency::new(opts.jobs));
    let shared = Arc::new(Shared {
        engine,
        exec,
        next: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        started: Instant::now(),
        state: Mutex::new(State::default()),
        opts,
    });
    let (tx, mut rx) = mpsc::unbounded_channel::<Finding>();
    let mut workers = JoinSet::new();
    for _ in 0..shared.opts.jobs.max(1) {
        let (s, tx) = (Arc::clone(&shared), tx.clone());
        workers.spawn(async move { worker(&s, &tx).await });
    }
    drop(tx);
    let mut findings = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            f = rx.recv() => match f {
                Some(f) => {
                    on_event(CampaignEvent::Found(Box::new(f.clone())));
                    findings.push(f);
                }
                None => break,
            },
            _ = tick.tick() => on_event(CampaignEvent::Progress(shared.stats(), shared.started.elapsed())),
        }
    }
    while workers.join_next().await.is_some() {}
    let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    CampaignReport {
        stats: state.stats.clone(),
        findings,
        server_died: state.died,
        elapsed: shared.started.elapsed(),
        final_jobs: shared.exec.concurrency.limit(),
    }
}

impl Shared {
    fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next index, or `None` when the campaign is over.
    fn take_index(&self) -> Option<u64> {
        let out_of_time = self
            .opts
            .duration
            .is_some_and(|d| self.started.elapsed() >= d);
        if self.stop.load(Ordering::Relaxed) || out_of_time {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        if self.opts.iterations.is_some_and(|n| i >= n) {
            return None;
        }
        let mut st = self.lock();
        st.recent.push_back(i);
        if st.recent.len() > RECENT {
            st.recent.pop_front();
        }
        Some(i)
    }

    fn record(&self, ran: &Ran) {
        let mut st = self.lock();
        st.stats.inputs += 1;
        *st.stats.outcomes.entry(ran.verdict.outcome).or_default() += 1;
        st.stats.throttled += ran.throttled.len() as u64;
    }

    /// Probes liveness; on the first death, stops the campaign and returns
    /// the recent inputs.
    async fn check_alive(&self) -> Option<Vec<u64>> {
        self.lock().stats.probes += 1;
        if self.exec.alive().await {
            return None;
        }
        self.stop.store(true, Ordering::Relaxed);
        let mut st = self.lock();
        if std::mem::replace(&mut st.died, true) {
            return None;
        }
        Some(st.recent.iter().copied().collect())
    }

    /// Claims a signature; false when it was found before.
    fn claim(&self, sig: &str) -> bool {
        let mut st = self.lock();
        let new = st.seen.insert(sig.to_string());
        if new {
            st.stats.findings += 1;
        }
        new
    }
}

async fn worker(s: &Shared, tx: &mpsc::UnboundedSender<Finding>) {
    while let Some(i) = s.take_index() {
        let input = s.engine.input(i);
        let case = input_case(i, &input, s.opts.deadline);
        let ran = s.exec.run(&case, s.engine.seed() ^ i, &|_| {}).await;
        s.record(&ran);
        let periodic = s.opts.probe_every > 0 && (i + 1) % s.opts.probe_every == 0;
        if (suspicious(&ran) || periodic)
            && let Some(recent) = s.check_alive().await
        {
            let _ = tx.send(died(s, i, input, ran.verdict, recent));
            return;
        }
        if ran.verdict.outcome != Outcome::Fail || s.stop.load(Ordering::Relaxed) {
            continue;
        }
        let sig = signature(&input, &ran.verdict);
        if s.claim(&sig) {
            let (small, verdict) = minimise(
                &s.exec,
                &input,
                &ran.verdict,
                s.opts.deadline,
                s.opts.minimise_attempts,
            )
            .await;
            let _ = tx.send(Finding {
                signature: sig,
                index: i,
                original: input,
                input: small,
                verdict,
                server_died: false,
                recent: Vec::new(),
            });
        }
    }
}

/// Anything but a clean PASS, or a case that did not end with a close and
/// a TCP close.
fn suspicious(ran: &Ran) -> bool {
    let clean = ran
        .observed
        .as_ref()
        .is_some_and(|o| o.close.is_some() && o.eof && !o.timed_out);
    ran.verdict.outcome != Outcome::Pass || !clean
}

fn died(s: &Shared, i: u64, input: Input, verdict: Verdict, recent: Vec<u64>) -> Finding {
    let recent: Vec<(u64, Input)> = recent.into_iter().map(|r| (r, s.engine.input(r))).collect();
    let mut v = verdict;
    v.outcome = Outcome::Fail;
    v.reason = Some(crate::session::Reason::ServerDied);
    v.actual = format!(
        "the server stopped accepting connections after input {i} ({})",
        v.actual
    );
    let last = recent
        .iter()
        .rev()
        .find(|(r, _)| *r == i)
        .map_or(input.clone(), |(_, inp)| inp.clone());
    Finding {
        signature: format!("server-died/{}", input.mutators.join("+")),
        index: i,
        original: input,
        input: last,
        verdict: v,
        server_died: true,
        recent,
    }
}
