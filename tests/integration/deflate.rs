//! permessage-deflate end to end: sections 12 and 13 against the reference
//! server (every case PASS), against a server without deflate
//! (UNIMPLEMENTED), and against broken deflate servers (each bug a FAIL).

use wsgauntlet::runner::CaseRun;
use wsgauntlet::session::{Declared, Outcome, Reason};

use crate::support::broken::{Defect, broken};
use crate::support::broken_deflate::{DeflateDefect, broken_deflate};
use crate::support::run::Plan;
use crate::support::{self, servers};

/// Runs the quick cases matching `include` against `addr`, 4 at a time.
async fn run(addr: std::net::SocketAddr, include: &'static str) -> Vec<CaseRun> {
    run_declared(addr, include, Declared::default()).await
}

/// As `run`, with the limits the user declared for the server.
async fn run_declared(
    addr: std::net::SocketAddr,
    include: &'static str,
    declared: Declared,
) -> Vec<CaseRun> {
    let plan = Plan {
        jobs: 4,
        declared,
        ..Plan::new(include)
    };
    support::run::run(addr, plan).await
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
async fn fails(defect: DeflateDefect, include: &'static str, reason: Reason, rule: &str) {
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

/// No FAIL or ERROR in `runs`; the UNIMPLEMENTED ones listed.
fn unimplemented_of(runs: &[CaseRun]) -> Vec<String> {
    let bad: Vec<_> = outcomes(runs)
        .into_iter()
        .filter(|(_, o, _, _)| matches!(o, Outcome::Fail | Outcome::Error))
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    let unimplemented = runs
        .iter()
        .filter(|r| r.verdict.outcome == Outcome::Unimplemented);
    unimplemented.map(|r| r.id.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_every_negotiation_case_of_21() {
    let server = servers::reference().await;
    let runs = run(server.addr, "21.*").await;
    let sets = wsgauntlet::codec::deflate::cases::offer_sets().len();
    let bad = wsgauntlet::codec::deflate::cases::bad_offers().len();
    assert_eq!(runs.len(), sets + bad);
    // Its own encoder honours window bits 8: nothing is declined.
    assert_eq!(unimplemented_of(&runs), Vec::<String>::new());
    assert!(runs.iter().all(|r| r.verdict.outcome == Outcome::Pass));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_deflate_declines_every_offer_of_21_and_passes_21_2() {
    let server = broken(Defect::IgnoresReservedOpcodes).await;
    let runs = run(server.addr, "21.*").await;
    let unimplemented = unimplemented_of(&runs);
    assert!(
        unimplemented.iter().all(|id| id.starts_with("21.1.")),
        "{unimplemented:?}"
    );
    assert_eq!(
        unimplemented.len(),
        wsgauntlet::codec::deflate::cases::offer_sets().len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_an_offer_it_must_decline_fails_21_2() {
    fails(
        DeflateDefect::AcceptsInvalidOffers,
        "21.2.*",
        Reason::Handshake,
        "accepted the invalid offer: Sec-WebSocket-Extensions: permessage-deflate",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusing_the_connection_over_an_invalid_offer_is_non_strict() {
    let server = broken_deflate(DeflateDefect::RefusesInvalidOffers).await;
    let runs = run(server.addr, "21.2.*").await;
    assert_eq!(
        runs.len(),
        wsgauntlet::codec::deflate::cases::bad_offers().len()
    );
    for (id, outcome, reason, actual) in outcomes(&runs) {
        assert_eq!(
            (outcome, reason),
            (Outcome::NonStrict, Some(Reason::Handshake)),
            "{id}: {actual}"
        );
        assert!(actual.contains("decline the extension"), "{id}: {actual}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_of_256_or_512_bytes_matters_in_21_1() {
    // 21.1.6 (its first offer), 21.1.7 and 21.1.9 ask for server_max_window_bits
    // 9, 8 and 9; their messages repeat 600 and 1000 bytes back.
    fails(
        DeflateDefect::CompressesWiderThanAgreed,
        "21.1.6,21.1.7,21.1.9",
        Reason::InvalidServerFrame,
        "bad-compressed-data",
    )
    .await;
}

/// 22.3.2 (a second message that refers into the first, after offering
/// client_no_context_takeover) is recorded when the response agrees to the
/// reset, and judged by the model when it leaves it out: then the server
/// kept the context and must inflate with it (RFC 7692 §7.2.2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_context_reset_never_agreed_fails_22_3_2_and_an_agreed_one_is_recorded() {
    let agreed = broken_deflate(DeflateDefect::ForgetsContext).await;
    let [(id, outcome, reason, actual)] = &outcomes(&run(agreed.addr, "22.3.2").await)[..] else {
        panic!("one case");
    };
    assert_eq!(
        (*outcome, *reason),
        (Outcome::Informational, None),
        "{id}: {actual}"
    );
    let never = broken_deflate(DeflateDefect::OmitsClientNoContextTakeover).await;
    let [(id, outcome, _, actual)] = &outcomes(&run(never.addr, "22.3.2").await)[..] else {
        panic!("one case");
    };
    assert_eq!(*outcome, Outcome::Fail, "{id}: {actual}");
}
