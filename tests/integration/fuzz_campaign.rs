//! Network fuzz campaigns against in-process servers: each deliberately
//! broken server's defect is found with a fixed seed and a bounded number
//! of inputs, good servers give no finding that is not a real deviation,
//! findings are minimised, and replay files reproduce.

use std::net::SocketAddr;
use std::time::Duration;

use wsgauntlet::codec::{OpCode, PayloadLen};
use wsgauntlet::mutate::{Engine, all, select};
use wsgauntlet::runner::{
    Backoff, CampaignOptions, CampaignReport, Connector, Exec, Finding, Target, TlsOptions,
};
use wsgauntlet::session::{Outcome, Reason, SessionConfig};

use crate::support::broken::{Defect, broken};
use crate::support::broken_deflate::{DeflateDefect, broken_deflate};
use crate::support::servers;

/// An executor for a loopback server with short timeouts and back-off.
pub fn exec(addr: SocketAddr) -> Exec {
    let target = Target::parse(&format!("ws://{addr}/")).unwrap();
    let connector =
        Connector::new(&target, &TlsOptions::default(), Duration::from_secs(2)).unwrap();
    let mut session = SessionConfig::new(target.host_header.clone(), target.path.clone());
    session.close_timeout = Duration::from_millis(300);
    let mut exec = Exec::new(target, connector, session, 1);
    exec.backoff = Backoff {
        initial: Duration::from_millis(20),
        cap: Duration::from_millis(100),
        retries: 3,
    };
    exec
}

pub fn options(iterations: u64, minimise_attempts: usize) -> CampaignOptions {
    CampaignOptions {
        seed: 42,
        jobs: 6,
        iterations: Some(iterations),
        duration: Some(Duration::from_secs(60)),
        deadline: Duration::from_millis(400),
        probe_every: 50,
        minimise_attempts,
    }
}

/// A campaign of `iterations` inputs with `mutators` (all when empty).
async fn campaign(
    addr: SocketAddr,
    mutators: &[&str],
    iterations: u64,
    attempts: usize,
) -> CampaignReport {
    let names: Vec<String> = mutators.iter().map(|s| s.to_string()).collect();
    let engine = Engine::new(42, select(&names, &[]).unwrap());
    wsgauntlet::runner::run_campaign(engine, exec(addr), options(iterations, attempts), |_| {})
        .await
}

fn describe(r: &CampaignReport) -> String {
    let sigs: Vec<&str> = r.findings.iter().map(|f| f.signature.as_str()).collect();
    format!(
        "{} inputs, outcomes {:?}, findings {sigs:#?}",
        r.stats.inputs, r.stats.outcomes
    )
}

fn find(r: &CampaignReport, pred: impl Fn(&Finding) -> bool) -> &Finding {
    r.findings
        .iter()
        .find(|f| pred(f))
        .unwrap_or_else(|| panic!("defect not found: {}", describe(r)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finds_ignored_reserved_opcodes_minimised_to_one_frame() {
    let server = broken(Defect::IgnoresReservedOpcodes).await;
    let r = campaign(
        server.addr,
        &[
            "reserved-data-opcode",
            "reserved-control-opcode",
            "seq-insert",
        ],
        60,
        40,
    )
    .await;
    let f = find(&r, |f| {
        f.input.frames.iter().any(|x| x.header.opcode.is_reserved())
    });
    assert_eq!(
        f.input.frames.len(),
        1,
        "minimised to the one reserved frame: {f:?}"
    );
    assert!(f.original.frames.len() >= f.input.frames.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finds_accepted_unmasked_frames() {
    let server = broken(Defect::AcceptsUnmaskedFrames).await;
    let r = campaign(server.addr, &[], 300, 8).await;
    let f = find(&r, |f| f.input.mutators.contains(&"unmasked"));
    assert!(f.input.frames.iter().any(|x| x.header.mask.is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finds_1013_in_answer_to_protocol_errors() {
    let server = broken(Defect::Answers1013ToProtocolErrors).await;
    let r = campaign(server.addr, &[], 200, 4).await;
    let f = find(&r, |f| f.verdict.close_code == Some(1013));
    assert_eq!(f.verdict.reason, Some(Reason::WrongCloseCode), "{f:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn load_shedding_lowers_the_concurrency_and_is_never_a_finding() {
    let defect = Defect::ShedsAbove {
        limit: 2,
        after: Duration::from_millis(5),
    };
    let server = broken(defect).await;
    let mut opts = options(120, 4);
    opts.jobs = 8;
    let engine = Engine::new(42, select(&[], &[]).unwrap());
    let r = wsgauntlet::runner::run_campaign(engine, exec(server.addr), opts, |_| {}).await;
    assert!(r.stats.throttled > 0, "{}", describe(&r));
    assert!(r.final_jobs < 8, "concurrency lowered: {}", r.final_jobs);
    let shed: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| matches!(f.verdict.close_code, Some(1012 | 1013)))
        .collect();
    assert!(shed.is_empty(), "load shedding is no finding: {shed:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restarting_server_gives_no_finding() {
    // Frequent restarts, 5 ms after the 101, crossing what each input sends:
    // a confirming rerun waits after the 101, so a restart cannot confirm a
    // suspect by chance.
    let defect = Defect::RestartsEvery {
        every: 3,
        after: Duration::from_millis(5),
    };
    let server = broken(defect).await;
    let r = campaign(server.addr, &[], 200, 4).await;
    assert!(r.findings.is_empty(), "{}", describe(&r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finds_a_server_that_dies_on_an_msb_length() {
    let server = broken(Defect::DiesOnMsbLength).await;
    let r = campaign(server.addr, &[], 400, 4).await;
    assert!(r.server_died, "{}", describe(&r));
    let f = find(&r, |f| f.server_died);
    assert_eq!(f.verdict.reason, Some(Reason::ServerDied));
    let msb = |i: &wsgauntlet::mutate::Input| {
        i.frames
            .iter()
            .any(|x| matches!(x.header.len, PayloadLen::Len64(n) if n >> 63 == 1))
    };
    assert!(
        f.recent.iter().any(|(_, i)| msb(i)),
        "the killing input is among the last ones: {f:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finds_a_hang_on_an_orphan_continuation() {
    let server = broken(Defect::HangsOnOrphanContinuation).await;
    let r = campaign(
        server.addr,
        &["orphan-continuation", "fragment-message", "seq-insert"],
        40,
        12,
    )
    .await;
    let f = find(&r, |f| f.input.mutators.contains(&"orphan-continuation"));
    assert!(
        matches!(f.verdict.reason, Some(Reason::NoClose | Reason::Timeout)),
        "{f:?}"
    );
    assert_eq!(
        f.input.frames[0].header.opcode,
        OpCode::CONTINUATION,
        "{f:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finds_a_message_corrupted_by_a_mid_fragment_ping() {
    let server = broken(Defect::CorruptsMessageOnMidFragmentPing).await;
    let r = campaign(server.addr, &[], 300, 8).await;
    let f = find(&r, |f| f.verdict.reason == Some(Reason::EchoMismatch));
    let ping = f
        .input
        .frames
        .iter()
        .position(|x| x.header.opcode == OpCode::PING);
    assert!(ping.is_some(), "the finding keeps its ping: {f:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finds_the_last_byte_dropped_from_126() {
    let server = broken(Defect::DropsLastByteOf126).await;
    let r = campaign(server.addr, &[], 300, 8).await;
    let f = find(&r, |f| f.verdict.reason == Some(Reason::EchoMismatch));
    assert!(f.verdict.actual.contains("125 B"), "{}", f.verdict.actual);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finds_large_payloads_unmasked_wrongly() {
    let server = broken(Defect::UnmasksLargePayloadsWrongly).await;
    let r = campaign(server.addr, &["mask-key-variation", "frame-wise"], 200, 4).await;
    let f = find(&r, |f| f.verdict.reason == Some(Reason::EchoMismatch));
    assert!(
        f.input.frames.iter().any(|x| x.payload.len() > 64 * 1024),
        "{f:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_reference_server_gives_no_finding() {
    let server = servers::reference().await;
    let r = campaign(server.addr, &[], 600, 4).await;
    assert!(r.findings.is_empty(), "{}", describe(&r));
    assert_eq!(r.stats.inputs, 600);
    assert!(!r.server_died);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_seed_finds_the_same_defects_whatever_the_jobs() {
    let server = broken(Defect::IgnoresReservedOpcodes).await;
    let names = vec!["reserved-data-opcode".to_string(), "rsv1".to_string()];
    let mut sigs = Vec::new();
    for jobs in [1, 5] {
        let engine = Engine::new(9, select(&names, &[]).unwrap());
        let opts = CampaignOptions {
            jobs,
            ..options(30, 0)
        };
        let r = wsgauntlet::runner::run_campaign(engine, exec(server.addr), opts, |_| {}).await;
        let mut s: Vec<String> = r.findings.into_iter().map(|f| f.signature).collect();
        s.sort();
        sigs.push(s);
    }
    assert!(!sigs[0].is_empty());
    assert_eq!(sigs[0], sigs[1]);
    assert!(all().count() >= 30);
}

/// tokio-tungstenite judges a frame only once its whole payload has
/// arrived: a header that already breaks a rule (RSV bits, reserved or
/// oversized control frame, unmasked, orphan continuation), followed by a
/// payload that never completes, gets no Close — it waits for the payload.
/// The model (and our reference server) fail on the header alone. That is
/// the only class of finding allowed here.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tokio_tungstenite_only_waits_for_payloads_of_broken_headers() {
    let server = servers::tungstenite().await;
    let r = campaign(server.addr, &[], 600, 10).await;
    assert!(!r.server_died);
    for f in &r.findings {
        let (exp, incomplete) = f.input.expectation();
        let fails = matches!(exp.end, wsgauntlet::model::End::Fail { .. });
        assert!(
            incomplete && fails && f.verdict.reason == Some(Reason::NoClose),
            "a finding of another class: {f:?}"
        );
    }
}

/// Every mutator of the deflate family.
fn deflate_mutators() -> Vec<&'static str> {
    all()
        .filter(|m| m.family == "deflate")
        .map(|m| m.name)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deflate_mutators_against_the_reference_server_give_no_finding() {
    let server = servers::reference().await;
    let r = campaign(server.addr, &deflate_mutators(), 300, 4).await;
    assert!(r.findings.is_empty(), "{}", describe(&r));
    assert_eq!(r.stats.inputs, 300);
    // The reference server agrees to deflate: no input is UNIMPLEMENTED.
    let unimplemented = r.stats.outcomes.get(&Outcome::Unimplemented);
    assert_eq!(unimplemented, None, "{}", describe(&r));
    assert!(!r.server_died);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deflate_inputs_against_a_server_that_declines_are_unimplemented_never_findings() {
    // tokio-tungstenite has no permessage-deflate: it leaves the offer out
    // of its 101, so every deflate input is UNIMPLEMENTED.
    let server = servers::tungstenite().await;
    let r = campaign(server.addr, &deflate_mutators(), 40, 4).await;
    assert!(r.findings.is_empty(), "{}", describe(&r));
    assert_eq!(r.stats.outcomes.get(&Outcome::Unimplemented), Some(&40));
}

/// How many of the first `n` inputs of a `deflate-context-reference`
/// campaign offer `client_no_context_takeover`.
fn offers_no_context_takeover(n: u64) -> u64 {
    let names = ["deflate-context-reference".to_string()];
    let engine = Engine::new(42, select(&names, &[]).unwrap());
    (0..n)
        .filter(|&i| engine.input(i).deflate.unwrap().client_no_context_takeover)
        .count() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn references_into_the_previous_message_are_echoed_by_the_reference_server() {
    // With context takeover the echo is owed and comes back (PASS); with
    // client_no_context_takeover offered either answer conforms
    // (INFORMATIONAL).
    let server = servers::reference().await;
    let r = campaign(server.addr, &["deflate-context-reference"], 40, 4).await;
    assert!(r.findings.is_empty(), "{}", describe(&r));
    let reset = offers_no_context_takeover(40);
    assert!(reset > 5 && reset < 35, "{reset}");
    let o = &r.stats.outcomes;
    assert_eq!(
        o.get(&Outcome::Informational),
        Some(&reset),
        "{}",
        describe(&r)
    );
    assert_eq!(
        o.get(&Outcome::Pass),
        Some(&(40 - reset)),
        "{}",
        describe(&r)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finds_a_server_that_forgets_the_context_it_agreed_to_keep() {
    let server = broken_deflate(DeflateDefect::ForgetsContext).await;
    let r = campaign(server.addr, &["deflate-context-reference"], 40, 10).await;
    let f = find(&r, |f| f.input.mutators == ["deflate-context-reference"]);
    assert_eq!(f.verdict.outcome, Outcome::Fail, "{}", describe(&r));
    assert!(!f.input.deflate.unwrap().client_no_context_takeover);
    // Only the inputs that keep the context fail.
    let fails = r.stats.outcomes.get(&Outcome::Fail).copied().unwrap_or(0);
    assert_eq!(
        fails,
        40 - offers_no_context_takeover(40),
        "{}",
        describe(&r)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finds_rsv1_ignored_on_continuations_and_pings_and_minimises_it() {
    let server = broken_deflate(DeflateDefect::InflatesWithoutLimit).await;
    let r = campaign(server.addr, &deflate_mutators(), 200, 40).await;
    // RSV1 on a ping or a continuation, kept by the minimiser (which may
    // also drift to the server's other laxity, an orphan continuation).
    let misplaced = |f: &Finding| {
        f.input.frames.iter().any(|fr| {
            let op = fr.header.opcode;
            fr.header.rsv1() && (op.is_control() || op == OpCode::CONTINUATION)
        })
    };
    let f = find(&r, |f| {
        let m = &f.input.mutators;
        let rsv1 = m.contains(&"deflate-rsv1-control") || m.contains(&"deflate-rsv1-continuation");
        rsv1 && misplaced(f)
    });
    assert_eq!(f.verdict.outcome, Outcome::Fail, "{}", describe(&r));
    assert!(f.input.deflate.is_some());
    assert!(
        f.input.frames.len() <= 2 && f.input.frames.len() <= f.original.frames.len(),
        "minimised to {} of {} frames: {:?}",
        f.input.frames.len(),
        f.original.frames.len(),
        f.input.frames
    );
    // Its replay file records the offer and reproduces the deviation.
    let file = wsgauntlet::runner::finding_file(f, "ws://x/", 42, Duration::from_millis(400));
    assert!(
        file.deflate_offer
            .as_deref()
            .is_some_and(|o| o.starts_with("permessage-deflate"))
    );
    let replayed = wsgauntlet::runner::replay_file(&exec(server.addr), &file).await;
    assert!(replayed.reproduced, "{:?}", replayed.verdict);
}
