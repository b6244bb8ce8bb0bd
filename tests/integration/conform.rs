//! The catalogue through the library API against real servers: our
//! reference server (nothing may fail), three Rust libraries (whatever they
//! really do, snapshotted), and each deliberately broken server (its defect
//! must be caught, by name).

use std::time::{Duration, Instant};

use wsgauntlet::runner::{Backoff, CaseRun};
use wsgauntlet::session::{Outcome, Reason};

use crate::support::broken::{Defect, broken};
use crate::support::run::{Plan, run};
use crate::support::servers;

/// Sections that are quick to run (no section 9, 19 or 20).
const MAIN: &str = "1.*,2.*,3.*,4.*,5.*,6.1*,6.2*,6.3*,7.*,10.*,14.*,15.*,16.*,17.*,18.*";
/// A few cases of the heavy sections (sizes, interleavings, floods).
const HEAVY: &str = "9.1.1,9.2.3,9.4.5,9.6.1,9.7.1,19.1*,19.2*,19.4*,20.3.2,20.4*";

/// One line per case: `id outcome reason close_code` (no durations).
fn table(runs: &[CaseRun]) -> String {
    let mut out = String::new();
    for r in runs {
        let v = &r.verdict;
        let reason = v.reason.map_or("-", Reason::as_str);
        let code = v.close_code.map_or("-".to_string(), |c| c.to_string());
        out.push_str(&format!("{} {} {reason} {code}\n", r.id, v.outcome));
    }
    out
}

fn find<'a>(runs: &'a [CaseRun], id: &str) -> &'a CaseRun {
    runs.iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("case {id} not run"))
}

/// Asserts case `id` ended with `outcome` and `reason`.
fn assert_case(runs: &[CaseRun], id: &str, outcome: Outcome, reason: Option<Reason>) {
    let v = &find(runs, id).verdict;
    assert_eq!(
        (v.outcome, v.reason),
        (outcome, reason),
        "case {id}: {}",
        v.actual
    );
}

fn count(runs: &[CaseRun], outcome: Outcome) -> usize {
    runs.iter().filter(|r| r.verdict.outcome == outcome).count()
}

/// No FAIL or ERROR, with every offender listed.
fn assert_clean(runs: &[CaseRun]) {
    let bad: Vec<String> = runs
        .iter()
        .filter(|r| matches!(r.verdict.outcome, Outcome::Fail | Outcome::Error))
        .map(|r| format!("{} {:?}: {}", r.id, r.verdict.reason, r.verdict.actual))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_passes_everything() {
    let server = servers::reference().await;
    let mut runs = run(server.addr, Plan::new(MAIN)).await;
    runs.extend(run(server.addr, Plan::new(HEAVY)).await);
    assert_clean(&runs);
    assert!(count(&runs, Outcome::Pass) > 300, "{}", table(&runs));
    insta::assert_snapshot!("reference", table(&runs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tungstenite() {
    let server = servers::tungstenite().await;
    let mut runs = run(server.addr, Plan::new(MAIN)).await;
    runs.extend(run(server.addr, Plan::new(HEAVY)).await);
    insta::assert_snapshot!("tungstenite", table(&runs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_websockets() {
    let server = servers::tokio_websockets().await;
    let mut runs = run(server.addr, Plan::new(MAIN)).await;
    runs.extend(run(server.addr, Plan::new(HEAVY)).await);
    insta::assert_snapshot!("tokio_websockets", table(&runs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fastwebsockets() {
    let server = servers::fastwebsockets().await;
    let mut runs = run(server.addr, Plan::new(MAIN)).await;
    runs.extend(run(server.addr, Plan::new(HEAVY)).await);
    insta::assert_snapshot!("fastwebsockets", table(&runs));
}

/// Cases a broken server is run with: every area its defect could touch.
const BROKEN: &str = "1.1.*,2.*,4.*,5.1,5.2,6.3*,7.1*,7.3*,15.*,16.1*,16.4*";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignores_reserved_opcodes() {
    let server = broken(Defect::IgnoresReservedOpcodes).await;
    let runs = run(server.addr, Plan::new(BROKEN)).await;
    for id in ["4.1.1", "4.1.2", "4.2.1"] {
        assert_case(&runs, id, Outcome::Fail, Some(Reason::NoClose));
    }
    insta::assert_snapshot!("broken_ignores_reserved_opcodes", table(&runs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_1013_to_protocol_errors() {
    let server = broken(Defect::Answers1013ToProtocolErrors).await;
    let runs = run(server.addr, Plan::new(BROKEN)).await;
    for id in ["4.1.1", "5.1", "6.3.1"] {
        assert_case(&runs, id, Outcome::Fail, Some(Reason::WrongCloseCode));
        let v = &find(&runs, id).verdict;
        assert_eq!(v.close_code, Some(1013), "{id}");
        assert!(v.actual.contains("overload"), "{id}: {}", v.actual);
    }
    assert_eq!(
        count(&runs, Outcome::Error),
        0,
        "1013 after a violation is no throttling"
    );
    let r = find(&runs, "4.1.1");
    let judged: Vec<&str> = r.attempts.iter().map(|a| a.judged.as_str()).collect();
    assert_eq!(
        judged,
        ["suspect", "confirmed"],
        "seen twice, healthy between"
    );
    assert_eq!(r.attempts[0].probe.as_deref(), Some("healthy"));
    assert!(r.attempts[0].bytes_written > 0);
    insta::assert_snapshot!("broken_answers_1013", table(&runs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drops_tcp_without_close() {
    let server = broken(Defect::DropsTcpWithoutClose).await;
    let runs = run(server.addr, Plan::new(BROKEN)).await;
    for id in ["4.1.1", "5.1", "6.3.1", "15.1.1"] {
        assert_case(
            &runs,
            id,
            Outcome::NonStrict,
            Some(Reason::DroppedWithoutClose),
        );
    }
    assert_eq!(count(&runs, Outcome::Fail), 0, "{}", table(&runs));
    insta::assert_snapshot!("broken_drops_tcp", table(&runs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skips_utf8_checks() {
    let server = broken(Defect::SkipsUtf8Checks).await;
    let runs = run(server.addr, Plan::new(BROKEN)).await;
    assert_eq!(find(&runs, "6.3.1").verdict.outcome, Outcome::Fail);
    assert_case(&runs, "4.1.1", Outcome::Pass, None);
    insta::assert_snapshot!("broken_skips_utf8", table(&runs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn masks_own_frames() {
    let server = broken(Defect::MasksOwnFrames).await;
    let runs = run(server.addr, Plan::new(BROKEN)).await;
    for id in ["1.1.1", "2.2", "4.1.1"] {
        assert_case(&runs, id, Outcome::Fail, Some(Reason::InvalidServerFrame));
    }
    assert!(
        find(&runs, "1.1.1").verdict.actual.contains("mask"),
        "{}",
        find(&runs, "1.1.1").verdict.actual
    );
    insta::assert_snapshot!("broken_masks_own_frames", table(&runs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dies_on_msb_length() {
    let server = broken(Defect::DiesOnMsbLength).await;
    let t0 = Instant::now();
    // One case at a time, so which cases were in flight when it died is fixed.
    let plan = Plan {
        jobs: 1,
        ..Plan::new("1.1.*,16.*,17.*")
    };
    let runs = run(server.addr, plan).await;
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert_case(&runs, "16.1.1", Outcome::Fail, Some(Reason::ServerDied));
    let after: Vec<&CaseRun> = runs.iter().skip_while(|r| r.id != "16.1.1").collect();
    assert!(after.len() > 20);
    for r in &after[1..] {
        assert_eq!(r.verdict.outcome, Outcome::Error, "{}", r.id);
        assert_eq!(r.duration, Duration::ZERO, "{} was not run", r.id);
    }
    insta::assert_snapshot!("broken_dies_on_msb_length", table(&runs));
}

/// A short back-off for the load-shedding servers (the default starts at 1 s).
fn quick_backoff() -> Backoff {
    Backoff {
        initial: Duration::from_millis(50),
        cap: Duration::from_millis(200),
        retries: 8,
    }
}

/// The attempts of a run judged `judged` ("suspect", "load-shedding", …).
fn attempts_judged(runs: &[CaseRun], judged: &str) -> usize {
    let all = runs.iter().flat_map(|r| r.attempts.iter());
    all.filter(|a| a.judged == judged).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restarting_every_25_connections_gets_no_failure() {
    // Its 1012 comes 5 ms after the 101, so it crosses the case's bytes:
    // never judged on that one sighting.
    let defect = Defect::RestartsEvery {
        every: 25,
        after: Duration::from_millis(5),
    };
    let server = broken(defect).await;
    let plan = Plan {
        backoff: quick_backoff(),
        ..Plan::new(MAIN)
    };
    let runs = run(server.addr, plan).await;
    assert_clean(&runs);
    assert!(
        attempts_judged(&runs, "suspect") > 0,
        "some 1012 crossed a violation and was probed and rerun"
    );
    assert_eq!(attempts_judged(&runs, "confirmed"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_shedding_load_above_4_connections_gets_no_failure() {
    let defect = Defect::ShedsAbove {
        limit: 4,
        after: Duration::from_millis(5),
    };
    let server = broken(defect).await;
    let plan = Plan {
        backoff: quick_backoff(),
        ..Plan::new(MAIN)
    };
    let runs = run(server.addr, plan).await;
    assert_clean(&runs);
    assert!(attempts_judged(&runs, "load-shedding") + attempts_judged(&runs, "suspect") > 0);
    assert_eq!(attempts_judged(&runs, "confirmed"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_is_no_failure() {
    let server = broken(Defect::ThrottlesWith1013 { first_n: 3 }).await;
    let plan = Plan {
        backoff: Backoff {
            initial: Duration::from_millis(50),
            cap: Duration::from_millis(200),
            retries: 6,
        },
        ..Plan::new("1.*,2.*,3.*,4.*,14.4*")
    };
    let runs = run(server.addr, plan).await;
    assert_clean(&runs);
    let throttled: Vec<u16> = runs.iter().flat_map(|r| r.throttled.clone()).collect();
    assert_eq!(throttled, vec![1013; 3], "three connections turned away");
    insta::assert_snapshot!("broken_throttles", table(&runs));
}
