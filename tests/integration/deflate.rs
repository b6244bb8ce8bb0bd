//! permessage-deflate end to end: sections 12 and 13 against the reference
//! server (every case PASS), against a server without deflate
//! (UNIMPLEMENTED), and against broken deflate servers (each bug a FAIL).

use std::time::Duration;

use wsgauntlet::catalog::{self, Profile, Selection};
use wsgauntlet::runner::{CaseRun, Connector, RunOptions, Target, TlsOptions, run_cases};
use wsgauntlet::session::{Declared, Outcome, Reason, SessionConfig};

use crate::support::broken::{Defect, broken};
use crate::support::broken_deflate::{DeflateDefect, broken_deflate};
use crate::support::servers;

/// Runs the quick cases matching `include` against `addr`.
async fn run(addr: std::net::SocketAddr, include: &str) -> Vec<CaseRun> {
    run_declared(addr, include, Declared::default()).await
}

/// As `run`, with the limits the user declared for the server.
async fn run_declared(
    addr: std::net::SocketAddr,
    include: &str,
    declared: Declared,
) -> Vec<CaseRun> {
    let target = Target::parse(&format!("ws://{addr}/")).expect("URL");
    let connector =
        Connector::new(&target, &TlsOptions::default(), Duration::from_secs(5)).expect("connector");
    let mut session = SessionConfig::new(target.host_header.clone(), target.path.clone());
    session.deadline_factor = 3.0;
    session.close_timeout = Duration::from_secs(2);
    session.declared = declared;
    let opts = RunOptions {
        jobs: 4,
        seed: 1,
        session,
        backoff: Default::default(),
        probe: true,
    };
    let cases = Selection::parse(include, "").apply(catalog::all(Profile::Quick));
    assert!(!cases.is_empty(), "no case matches {include}");
    run_cases(&target, &connector, cases, &opts, |_| {}).await
}

fn outcomes(runs: &[CaseRun]) -> Vec<(String, Outcome, Option<Reason>, String)> {
    let v = runs.iter().map(|r| {
        let v = &r.verdict;
        (r.id.clone(), v.outcome, v.reason, v.actual.clone())
    });
    v.collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_every_case_of_12_and_13() {
    let server = servers::reference().await;
    let runs = run(server.addr, "12.*,13.*").await;
    assert_eq!(runs.len(), 216);
    let bad: Vec<_> = outcomes(&runs)
        .into_iter()
        .filter(|(_, o, _, _)| *o != Outcome::Pass)
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_deflate_leaves_the_cases_unimplemented() {
    let server = broken(Defect::IgnoresReservedOpcodes).await;
    let runs = run(server.addr, "12.1.1,13.7.2").await;
    assert!(runs.len() > 2);
    for (id, outcome, reason, actual) in outcomes(&runs) {
        assert_eq!(
            (outcome, reason),
            (Outcome::Unimplemented, None),
            "{id}: {actual}"
        );
    }
}

/// The outcomes of `include` against a server with `defect`: each a FAIL
/// for `reason`, the actual naming `rule`.
async fn fails(defect: DeflateDefect, include: &str, reason: Reason, rule: &str) {
    let server = broken_deflate(defect).await;
    let runs = run(server.addr, include).await;
    for (id, outcome, r, actual) in outcomes(&runs) {
        assert_eq!(
            (outcome, r),
            (Outcome::Fail, Some(reason)),
            "{id}: {actual}"
        );
        assert!(actual.contains(rule), "{id}: {actual}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_with_a_parameter_never_offered_fails_the_handshake() {
    let rule = "client_max_window_bits in the response, but the offer did not carry it";
    fails(
        DeflateDefect::AnswersUnofferedParam,
        "12.1.1,13.1.1",
        Reason::Handshake,
        rule,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rsv1_on_a_continuation_is_an_invalid_server_frame() {
    let rule = "compressed-bit-misplaced";
    fails(
        DeflateDefect::Rsv1OnContinuations,
        "12.1.4,12.2.4",
        Reason::InvalidServerFrame,
        rule,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressing_with_a_wider_window_than_agreed_is_an_invalid_server_frame() {
    // 13.3 and 13.5 agree server_max_window_bits=9: a 512-byte window.
    let rule = "bad-compressed-data";
    fails(
        DeflateDefect::CompressesWiderThanAgreed,
        "13.3.7,13.5.7",
        Reason::InvalidServerFrame,
        rule,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeping_the_context_after_server_no_context_takeover_is_an_invalid_server_frame() {
    // 13.2 and 13.6 agree server_no_context_takeover.
    let rule = "bad-compressed-data";
    fails(
        DeflateDefect::IgnoresNoContextTakeover,
        "13.2.3,13.6.3",
        Reason::InvalidServerFrame,
        rule,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_or_records_every_deflate_attack() {
    let server = servers::reference().await;
    let runs = run(server.addr, "22.*").await;
    assert!(runs.len() >= 30, "{}", runs.len());
    for (id, outcome, reason, actual) in outcomes(&runs) {
        // Recorded, not judged: the forms lenient receivers deliver, and the
        // window and context cases whose MUSTs bind the sender only.
        let recorded = id.starts_with("22.2.")
            && (6..=10).contains(&id[5..].parse::<u32>().unwrap())
            || ["22.3.2", "22.3.3", "22.3.4"].contains(&id.as_str());
        let want = if recorded {
            Outcome::Informational
        } else {
            Outcome::Pass
        };
        assert_eq!((outcome, reason), (want, None), "{id}: {actual}");
        if id.starts_with("22.4.") && id != "22.4.1" {
            assert!(
                actual.contains("refused"),
                "{id}: the bundled server's limit: {actual}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lenient_server_fails_the_rsv1_attacks_and_the_bomb_beyond_its_declared_limit() {
    let server = broken_deflate(DeflateDefect::InflatesWithoutLimit).await;
    let declared = Declared {
        max_message: Some(1 << 20),
        max_frame: None,
    };
    let runs = run_declared(
        server.addr,
        "22.1.1,22.1.4,22.1.5,22.4.1,22.2.2,22.3.1",
        declared,
    )
    .await;
    let got: Vec<(String, Outcome, Option<Reason>)> = outcomes(&runs)
        .into_iter()
        .map(|(id, o, r, _)| (id, o, r))
        .collect();
    let want = |id: &str, o, r| (id.to_string(), o, r);
    let mut got = got;
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        vec![
            // It answers the ping and delivers the messages instead of
            // failing the connection.
            want("22.1.1", Outcome::Fail, Some(Reason::NoClose)),
            want("22.1.4", Outcome::Fail, Some(Reason::NoClose)),
            want("22.1.5", Outcome::Fail, Some(Reason::NoClose)),
            // It drops the connection on data that does not inflate.
            want(
                "22.2.2",
                Outcome::NonStrict,
                Some(Reason::DroppedWithoutClose)
            ),
            want("22.3.1", Outcome::Pass, None),
            want("22.4.1", Outcome::Fail, Some(Reason::InflateUnbounded)),
        ],
        "{:?}",
        outcomes(&runs)
    );
    // Without a declared limit, echoing 16 MiB is a limit of its own: PASS.
    let runs = run(server.addr, "22.4.1").await;
    assert_eq!(
        runs[0].verdict.outcome,
        Outcome::Pass,
        "{:?}",
        outcomes(&runs)
    );
}
