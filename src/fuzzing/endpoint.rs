//! In-process endpoint fuzzing: a server under test runs over an in-memory
//! duplex stream, the fuzz input chooses a scenario and mutations, the
//! conformance session plays the client, and the model judges. The whole
//! run happens on a current-thread runtime whose clock is paused (with the
//! crate's `in-process` feature, which the fuzz crate and the tests turn
//! on), so deadlines cost no wall time and a run is deterministic; coverage
//! comes from the library under test.
//!
//! A library author plugs a server in by implementing [`InProcessServer`]
//! (or passing a closure: any `Fn(DuplexStream) -> BoxFuture` is one) and
//! calling [`run_endpoint`] from a cargo-fuzz target.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use arbitrary::Unstructured;
pub use tokio::io::DuplexStream;
use tokio::runtime::{Builder, Runtime};

use crate::catalog::Case;
use crate::mutate::{Engine, Input, Mutator, all};
use crate::runner::{drive, input_case, signature};
use crate::server::{EchoConfig, serve_connection};
use crate::session::{Outcome, Reason, Session, SessionConfig, SessionEnd, Verdict};

pub use super::tolerated::Tolerated;

/// The future a server returns for one connection.
pub type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Capacity of each direction of the in-memory stream.
const PIPE: usize = 64 << 10;
/// Deadline of one input (before the session's factor).
const DEADLINE: Duration = Duration::from_secs(2);
/// Session deadlines are scaled by this: the clock is virtual, but short
/// deadlines keep a stuck run short in virtual time too.
const DEADLINE_FACTOR: f64 = 0.2;
/// A run that has not ended after this much virtual time is a hang.
const HANG: Duration = Duration::from_secs(60);
/// The same for a catalogue case, whose own deadline may be 480 s
/// (Autobahn's, for the large messages of sections 12 and 13).
const CASE_HANG: Duration = Duration::from_secs(1200);

/// A WebSocket server that serves one connection over an in-memory stream:
/// it reads the client's opening handshake from `stream`, answers it, and
/// echoes every text and binary message until the connection ends.
pub trait InProcessServer {
    /// Serves the connection; the future ends when the server is done with it.
    fn serve(&self, stream: DuplexStream) -> BoxFuture;
}

impl<F: Fn(DuplexStream) -> BoxFuture> InProcessServer for F {
    fn serve(&self, stream: DuplexStream) -> BoxFuture {
        self(stream)
    }
}

/// wsgauntlet's own strict reference server ([`serve_connection`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct ReferenceServer;

impl InProcessServer for ReferenceServer {
    fn serve(&self, stream: DuplexStream) -> BoxFuture {
        Box::pin(async move {
            let _ = serve_connection(stream, &EchoConfig::default()).await;
        })
    }
}

/// Bytes the plain part of an input is chosen from: the seed (8), how many
/// mutators (1) and up to three of them (1 each).
const PLAIN_BYTES: usize = 12;

/// The input `data` stands for: a seed and one to three mutators from the
/// registry, turned into input 0 of an engine with that seed and those
/// mutators. `None` when `data` is too short to choose.
///
/// The registry is that of the plain families: the deflate family (whose
/// inputs offer permessage-deflate) is left out, so the checked-in seeds
/// keep standing for the inputs they were recorded for. Only the first
/// [`PLAIN_BYTES`] bytes are read.
pub fn input_from(data: &[u8]) -> Option<(u64, Input)> {
    let (seed, chosen) = plain_choice(data)?;
    Some((seed, Engine::new(seed, chosen).input(0)))
}

/// The input `data` stands for at a server that negotiates
/// permessage-deflate: the first [`PLAIN_BYTES`] bytes choose as
/// [`input_from`] does (so a seed of that length stands for the same
/// input), and the bytes after them, if any, one to three mutators of the
/// deflate family more. With both kinds the engine makes one input in four
/// offer deflate (`mutate::engine::DEFLATE_SHARE`), as in a campaign; its
/// first mutator is then a deflate one.
pub fn input_with_deflate_from(data: &[u8]) -> Option<(u64, Input)> {
    let (head, tail) = data.split_at(data.len().min(PLAIN_BYTES));
    let (seed, mut chosen) = plain_choice(head)?;
    if !tail.is_empty() {
        let deflate = registry(true);
        let mut u = Unstructured::new(tail);
        let n = u.int_in_range(1..=3u8).ok()?;
        for _ in 0..n {
            chosen.push(*u.choose(&deflate).ok()?);
        }
    }
    Some((seed, Engine::new(seed, chosen).input(0)))
}

/// The mutators of the deflate family, or of every other family.
fn registry(deflate: bool) -> Vec<&'static Mutator> {
    all()
        .filter(|m| (m.family == "deflate") == deflate)
        .collect()
}

/// A seed and one to three plain mutators, read from the start of `data`.
fn plain_choice(data: &[u8]) -> Option<(u64, Vec<&'static Mutator>)> {
    let mut u = Unstructured::new(data);
    let seed: u64 = u.arbitrary().ok()?;
    let plain = registry(false);
    let n = u.int_in_range(1..=3u8).ok()?;
    let mut chosen = Vec::new();
    for _ in 0..n {
        chosen.push(*u.choose(&plain).ok()?);
    }
    Some((seed, chosen))
}

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's current-thread runtime ([`runtime`]).
fn block_on<T>(f: impl Future<Output = T>) -> T {
    RUNTIME.with(|cell| cell.borrow_mut().get_or_insert_with(runtime).block_on(f))
}

/// A current-thread runtime whose clock is paused when the crate's
/// `in-process` feature is on (as for the fuzz crate and the tests): when
/// both sides wait, the clock jumps to the next deadline. Without the
/// feature tokio's `test-util` is not compiled in and the clock is real:
/// the same rules judge, but every deadline and pause is waited out in wall
/// time, and a verdict may then depend on the machine's load.
fn runtime() -> Runtime {
    let mut builder = Builder::new_current_thread();
    builder.enable_all();
    #[cfg(feature = "in-process")]
    builder.start_paused(true);
    builder.build().expect("a current-thread runtime")
}

/// Runs the input `data` stands for ([`input_from`]) against `server` and
/// panics, with the input, the mutators and the verdict, when the server
/// fails it in a way `tolerated` does not cover (or the run hangs).
pub fn run_endpoint(data: &[u8], server: &dyn InProcessServer, tolerated: &[Tolerated]) {
    if let Some((seed, input)) = input_from(data) {
        check_endpoint(seed, &input, server, tolerated);
    }
}

/// As [`run_endpoint`], for a server that negotiates permessage-deflate:
/// the input comes from [`input_with_deflate_from`], so a share of them
/// offer deflate and carry the deflate mutators' compressed messages.
pub fn run_deflate_endpoint(data: &[u8], server: &dyn InProcessServer, tolerated: &[Tolerated]) {
    if let Some((seed, input)) = input_with_deflate_from(data) {
        check_endpoint(seed, &input, server, tolerated);
    }
}

/// Judges `input` against `server`; panics on a FAIL `tolerated` does not
/// cover, or an ERROR. INFORMATIONAL (a form the RFC leaves to the
/// receiver) and UNIMPLEMENTED (the offer declined, RFC 7692 §5: the
/// server's right) are no findings.
fn check_endpoint(seed: u64, input: &Input, server: &dyn InProcessServer, tolerated: &[Tolerated]) {
    let Some(verdict) = judge_in_process(seed, input, server) else {
        return;
    };
    match verdict.outcome {
        Outcome::Pass | Outcome::NonStrict | Outcome::Informational | Outcome::Unimplemented => {}
        Outcome::Fail if tolerated.iter().any(|t| t.covers(input, &verdict)) => {}
        _ => panic!("{}", describe_failure(seed, input, &verdict)),
    }
}

/// The verdict of `input` against `server` over an in-memory stream, or
/// `None` when the server shed load (never a conformance failure).
pub fn judge_in_process(seed: u64, input: &Input, server: &dyn InProcessServer) -> Option<Verdict> {
    let case = input_case(seed, input, DEADLINE);
    let mut cfg = SessionConfig::new("localhost", "/");
    cfg.seed = seed;
    cfg.deadline_factor = DEADLINE_FACTOR;
    judge_over_duplex(&case, cfg, server, HANG)
}

/// The verdict of a catalogue case (e.g. one of sections 12 and 13, which
/// offer permessage-deflate) against `server` over an in-memory stream, on
/// the same paused clock: the case's own deadlines cost no wall time. `None`
/// when the server shed load.
pub fn judge_case_in_process(case: &Case, server: &dyn InProcessServer) -> Option<Verdict> {
    let cfg = SessionConfig::new("localhost", "/");
    judge_over_duplex(case, cfg, server, CASE_HANG)
}

/// Drives `case` as the client against `server`; a run still going after
/// `hang` of virtual time is a FAIL `timeout`.
fn judge_over_duplex(
    case: &Case,
    cfg: SessionConfig,
    server: &dyn InProcessServer,
    hang: Duration,
) -> Option<Verdict> {
    let (mut client, theirs) = tokio::io::duplex(PIPE);
    let serving = server.serve(theirs);
    let end = block_on(async move {
        let session = Session::new(case, cfg, tokio::time::Instant::now().into_std());
        let run = async {
            // Drive ends by half-closing the client side: the server sees EOF.
            let (end, ()) = tokio::join!(drive(&mut client, session), serving);
            end
        };
        tokio::time::timeout(hang, run).await
    });
    match end {
        Ok(SessionEnd::Judged(v, _)) => Some(v),
        Ok(SessionEnd::Throttled { .. }) => None,
        Err(_) => Some(Verdict::new(
            Outcome::Fail,
            Some(Reason::Timeout),
            "the server ends the connection once the tester is done".into(),
            format!("client and server still running after {hang:?} of virtual time"),
        )),
    }
}

/// A readable account of a failed input: what libFuzzer prints on a crash.
pub fn describe_failure(seed: u64, input: &Input, v: &Verdict) -> String {
    let mut frames = String::new();
    for f in input.frames.iter().take(12) {
        frames.push_str(&format!("\n    {:?} ({} bytes)", f.header, f.payload.len()));
    }
    format!(
        "endpoint {outcome}: {sig}\n  seed: {seed} scenario: {sc} mutators: {m:?} delivery: {d:?}\n  \
         expected: {e}\n  actual:   {a}\n  frames ({n}):{frames}",
        outcome = v.outcome,
        sig = signature(input, v),
        sc = input.scenario,
        m = input.mutators,
        d = input.delivery,
        e = v.expected,
        a = v.actual,
        n = input.frames.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests turn `in-process` on (Cargo.toml: the crate is its own
    /// dev-dependency), so the harness they run has the paused clock.
    #[test]
    fn the_tests_run_the_harness_on_a_paused_clock() {
        const { assert!(cfg!(feature = "in-process")) };
        let wall = std::time::Instant::now();
        let virtual_time = block_on(async {
            let t0 = tokio::time::Instant::now();
            tokio::time::sleep(Duration::from_secs(3600)).await;
            t0.elapsed()
        });
        assert!(virtual_time >= Duration::from_secs(3600));
        assert!(
            wall.elapsed() < Duration::from_secs(5),
            "{:?}",
            wall.elapsed()
        );
    }
}
