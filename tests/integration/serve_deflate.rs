//! `serve`'s section 21.3: the tester's 101 carries a permessage-deflate
//! response the client must fail the connection on. A client built on the
//! project's own negotiation passes every case; one that ignores the bad
//! response fails each; a client whose offer makes a response valid leaves
//! that case UNIMPLEMENTED. And section 21.1: each case answers with the
//! parameters it is about, as far as the client's offer allows.

use wsgauntlet::codec::deflate::DeflateParams;
use wsgauntlet::codec::deflate::cases::bad_responses;
use wsgauntlet::report::CaseResult;
use wsgauntlet::server::serve::KEY_CASE_ID;
use wsgauntlet::session::{Outcome, Reason};

use crate::serve::{case_count, finish, report_dir, start, tungstenite_case};
use crate::support::deflate_client::{Keeps, deflate_client, deflate_echo_client};

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

/// Section 21.1 for a conforming deflate client offering `offers`: each
/// case's result and the response its 101 carried.
async fn negotiation_of(
    agent: &str,
    offers: &[DeflateParams],
    keeps: Keeps,
) -> (Vec<CaseResult>, Vec<Option<String>>) {
    let (addr, server) = start("21.1.*", &report_dir(agent)).await;
    let n = case_count(addr).await;
    assert_eq!(n, 12);
    let mut headers = Vec::new();
    for i in 1..=n {
        let path = format!("/runCase?casetuple=21.1.{i}&agent={agent}");
        headers.push(deflate_echo_client(addr, &path, offers, keeps).await);
    }
    let mut cases = finish(addr, agent, server).await.cases;
    cases.retain(|c| c.id != KEY_CASE_ID);
    (cases, headers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_negotiation_case_answers_a_client_with_its_own_parameters() {
    // A browser's offer allows every response of 21.1.
    let browser = DeflateParams::new().client_max_window_bits(None);
    let (results, headers) =
        negotiation_of("deflate-negotiating", &[browser], Keeps::Agreement).await;
    for (id, outcome, reason, actual) in graded(&results) {
        assert_eq!((outcome, reason), (Outcome::Pass, None), "{id}: {actual}");
    }
    let headers: Vec<String> = headers
        .into_iter()
        .map(|h| h.expect("a response"))
        .collect();
    let mut distinct = headers.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 12, "one response per case: {headers:#?}");
    for (i, want) in [
        (1, "permessage-deflate; server_no_context_takeover"),
        (2, "permessage-deflate; client_no_context_takeover"),
        (6, "permessage-deflate; server_max_window_bits=8"),
        (7, "permessage-deflate; client_max_window_bits=8"),
        (10, "permessage-deflate; server_max_window_bits=15"),
    ] {
        assert_eq!(headers[i], want, "21.1.{}", i + 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_negotiation_case_the_clients_offer_does_not_allow_is_unimplemented() {
    // Without client_max_window_bits in the offer no response may carry it
    // (RFC 7692 §7.1.2.2), so five cases cannot run; the others do.
    let (results, headers) =
        negotiation_of("deflate-plain", &[DeflateParams::new()], Keeps::Agreement).await;
    let unimplemented: Vec<&str> = results
        .iter()
        .filter(|c| c.outcome == Outcome::Unimplemented)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        unimplemented,
        ["21.1.4", "21.1.5", "21.1.8", "21.1.10", "21.1.12"]
    );
    for c in &results {
        let n: usize = c.id.rsplit('.').next().unwrap().parse().unwrap();
        let sent = headers[n - 1].as_deref();
        if c.outcome == Outcome::Unimplemented {
            assert_eq!(sent, None, "{}: nothing sent", c.id);
            assert!(c.actual.contains("allows none of them"), "{}", c.actual);
        } else {
            assert_eq!(c.outcome, Outcome::Pass, "{}: {}", c.id, c.actual);
            assert!(
                !sent.unwrap().contains("client_max_window_bits"),
                "{}",
                c.id
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_ignores_the_window_it_was_given_fails_where_the_window_is_narrow() {
    // The same browser offer, and echoes compressed with a 32 KiB window
    // whatever the response says: the cases whose response narrows the
    // client's window below the 600- and 1000-byte repeats fail.
    let browser = DeflateParams::new().client_max_window_bits(None);
    let (results, _) = negotiation_of("deflate-wide", &[browser], Keeps::WideWindow).await;
    let failed: Vec<&str> = results
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| c.id.as_str())
        .collect();
    // client_max_window_bits=10 (alone and in "all"), =8 and =9.
    assert_eq!(failed, ["21.1.4", "21.1.5", "21.1.8", "21.1.10"]);
    for c in results.iter().filter(|c| c.outcome == Outcome::Fail) {
        assert_eq!(
            c.reason,
            Some(Reason::InvalidClientFrame),
            "{}: {}",
            c.id,
            c.actual
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_fails_the_connection_on_a_window_it_cannot_use_leaves_that_case_unimplemented()
 {
    // RFC 7692 §7: a client MUST fail the connection on a response whose
    // configuration it does not support (Python websockets on zlib cannot
    // compress with client_max_window_bits=8): closing TCP on the 101 is
    // UNIMPLEMENTED, as a server declining an offer is.
    let browser = DeflateParams::new().client_max_window_bits(None);
    let (results, headers) =
        negotiation_of("deflate-no-eight", &[browser], Keeps::DropsOnWindow8).await;
    assert_eq!(
        headers[7].as_deref(),
        Some("permessage-deflate; client_max_window_bits=8")
    );
    for (id, outcome, reason, actual) in graded(&results) {
        let want = if id == "21.1.8" {
            Outcome::Unimplemented
        } else {
            Outcome::Pass
        };
        assert_eq!((outcome, reason), (want, None), "{id}: {actual}");
        if id == "21.1.8" {
            assert!(actual.contains("failed the connection on"), "{actual}");
        }
    }
    // A Close frame instead means the client took the connection as open
    // and then refused the echoes it owed: judged by the model.
    let (results, _) =
        negotiation_of("deflate-close-eight", &[browser], Keeps::ClosesOnWindow8).await;
    let c = results.iter().find(|c| c.id == "21.1.8").unwrap();
    assert_eq!(c.outcome, Outcome::Fail, "{}", c.actual);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_deflate_leaves_every_negotiation_case_unimplemented() {
    // tokio-tungstenite offers no extension: nothing to answer.
    let agent = "tungstenite-negotiation";
    let (addr, server) = start("21.1.*", &report_dir(agent)).await;
    for i in 1..=12 {
        tungstenite_case(format!(
            "ws://{addr}/runCase?casetuple=21.1.{i}&agent={agent}"
        ))
        .await;
    }
    let mut cases = finish(addr, agent, server).await.cases;
    cases.retain(|c| c.id != KEY_CASE_ID);
    assert_eq!(cases.len(), 12);
    for (id, outcome, reason, actual) in graded(&cases) {
        assert_eq!(
            (outcome, reason),
            (Outcome::Unimplemented, None),
            "{id}: {actual}"
        );
    }
}
