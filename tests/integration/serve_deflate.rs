//! `serve`'s section 21.3: the tester's 101 carries a permessage-deflate
//! response the client must fail the connection on. A client built on the
//! project's own negotiation passes every case; one that ignores the bad
//! response fails each; a client whose offer makes a response valid leaves
//! that case UNIMPLEMENTED.

use wsgauntlet::codec::deflate::DeflateParams;
use wsgauntlet::codec::deflate::cases::bad_responses;
use wsgauntlet::report::CaseResult;
use wsgauntlet::server::serve::KEY_CASE_ID;
use wsgauntlet::session::{Outcome, Reason};

use crate::serve::{case_count, finish, report_dir, start};
use crate::support::deflate_client::deflate_client;

/// The results of 21.3 for a client that offers each case's own offers
/// (or `offer` for all) and ignores bad responses or not.
async fn outcomes_of(agent: &str, offer: Option<DeflateParams>, ignores: bool) -> Vec<CaseResult> {
    let (addr, server) = start("21.3.*", &report_dir(agent)).await;
    let responses = bad_responses();
    assert_eq!(case_count(addr).await, responses.len());
    for (i, bad) in responses.iter().enumerate() {
        let path = format!("/runCase?casetuple=21.3.{}&agent={agent}", i + 1);
        let offers = offer.map_or(bad.offers.clone(), |o| vec![o]);
        deflate_client(addr, &path, &offers, ignores).await;
    }
    let mut cases = finish(addr, agent, server).await.cases;
    // The masking-key result over all frames is not a case of 21.3.
    cases.retain(|c| c.id != KEY_CASE_ID);
    cases
}

fn graded(results: &[CaseResult]) -> Vec<(String, Outcome, Option<Reason>, String)> {
    let g = results
        .iter()
        .map(|c| (c.id.clone(), c.outcome, c.reason, c.actual.clone()));
    g.collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_fails_the_connection_passes_21_3() {
    let results = outcomes_of("deflate-conforming", None, false).await;
    assert_eq!(results.len(), bad_responses().len());
    for (id, outcome, reason, actual) in graded(&results) {
        assert_eq!((outcome, reason), (Outcome::Pass, None), "{id}: {actual}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_ignores_the_bad_response_fails_21_3() {
    let results = outcomes_of("deflate-ignoring", None, true).await;
    for (id, outcome, reason, actual) in graded(&results) {
        assert_eq!(
            (outcome, reason),
            (Outcome::Fail, Some(Reason::Handshake)),
            "{id}: {actual}"
        );
        assert!(
            actual.contains("went on using the connection"),
            "{id}: {actual}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_the_clients_offer_allows_is_unimplemented() {
    // A browser's offer: a bare client_max_window_bits.
    let browser = DeflateParams::new().client_max_window_bits(None);
    let results = outcomes_of("deflate-browser", Some(browser), false).await;
    let by_outcome = |o| graded(&results).into_iter().filter(|r| r.1 == o).count();
    assert_eq!(by_outcome(Outcome::Fail) + by_outcome(Outcome::Error), 0);
    // Valid answers to it: "not-offered", "client-window-not-offered", and
    // the three that break a rule only for a server_* parameter it lacks.
    let unimplemented: Vec<String> = graded(&results)
        .into_iter()
        .filter(|r| r.1 == Outcome::Unimplemented)
        .map(|r| r.0)
        .collect();
    assert_eq!(
        unimplemented,
        ["21.3.1", "21.3.7", "21.3.8", "21.3.9", "21.3.10"]
    );
}
