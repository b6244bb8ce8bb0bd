//! Replays the seeds of the in-process endpoint fuzz targets against the
//! same library servers the targets run (the adapters file is shared), and
//! every seed against the reference server, which may deviate in nothing.

use std::fs;
use std::panic::AssertUnwindSafe;
use std::path::Path;

use wsgauntlet::fuzzing::{
    InProcessServer, ReferenceServer, Tolerated, input_from, judge_in_process,
    run_deflate_endpoint, run_endpoint,
};
use wsgauntlet::session::Outcome;

#[path = "../../fuzz/src/adapters.rs"]
pub(crate) mod adapters;

use adapters::{TOKIO_WEBSOCKETS_TOLERATED, TUNGSTENITE_TOLERATED, TokioWebsockets, Tungstenite};

/// The seeds in `corpus/<name>/`, sorted; at least ten.
fn seeds(name: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "corpus/{name}/ holds {} seeds",
        files.len()
    );
    files
        .into_iter()
        .map(|p| (p.display().to_string(), fs::read(&p).expect("seed")))
        .collect()
}

/// Runs every seed of `name` through `run_endpoint`; names each that panics.
fn replay(name: &str, server: &dyn InProcessServer, tolerated: &[Tolerated]) {
    replay_with(name, server, tolerated, run_endpoint);
}

/// The harness a target runs its inputs with.
type Harness = fn(&[u8], &dyn InProcessServer, &[Tolerated]);

/// Runs every seed of `name` through `run`; names each that panics.
fn replay_with(name: &str, server: &dyn InProcessServer, tolerated: &[Tolerated], run: Harness) {
    let mut failed = Vec::new();
    for (path, data) in seeds(name) {
        let run = std::panic::catch_unwind(AssertUnwindSafe(|| run(&data, server, tolerated)));
        if let Err(e) = run {
            let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
            failed.push(format!("{path}: {msg}"));
        }
    }
    assert!(failed.is_empty(), "{name}: {failed:#?}");
}

#[test]
fn tungstenite_endpoint_seeds_replay() {
    replay("tungstenite_endpoint", &Tungstenite, TUNGSTENITE_TOLERATED);
}

#[test]
fn ratchet_endpoint_seeds_replay() {
    replay_with(
        "ratchet_endpoint",
        &adapters::RatchetDeflate,
        adapters::RATCHET_TOLERATED,
        run_deflate_endpoint,
    );
}

#[test]
fn tokio_websockets_endpoint_seeds_replay() {
    replay(
        "tokio_websockets_endpoint",
        &TokioWebsockets,
        TOKIO_WEBSOCKETS_TOLERATED,
    );
}

#[test]
fn reference_server_passes_every_endpoint_seed_without_tolerance() {
    for name in ["tungstenite_endpoint", "tokio_websockets_endpoint"] {
        replay(name, &ReferenceServer, &[]);
    }
    replay_with(
        "ratchet_endpoint",
        &ReferenceServer,
        &[],
        run_deflate_endpoint,
    );
}

#[test]
fn seeds_cover_several_mutators() {
    let mut names = std::collections::BTreeSet::new();
    for (_, data) in seeds("tungstenite_endpoint") {
        let (_, input) = input_from(&data).expect("a seed long enough to choose an input");
        names.extend(input.mutators);
    }
    assert!(names.len() >= 5, "seeds exercise only {names:?}");
}

/// A server that accepts and then says nothing: the harness must report it.
#[test]
fn a_silent_server_fails_with_a_readable_message() {
    let silent = |s: wsgauntlet::fuzzing::DuplexStream| -> wsgauntlet::fuzzing::BoxFuture {
        Box::pin(async move {
            let _keep = s;
            std::future::pending::<()>().await;
        })
    };
    let data = [7u8; 16];
    let (seed, input) = input_from(&data).expect("input");
    let v = judge_in_process(seed, &input, &silent).expect("a verdict");
    assert_eq!(v.outcome, Outcome::Fail, "{v:?}");
    let err = std::panic::catch_unwind(|| run_endpoint(&data, &silent, &[])).unwrap_err();
    let msg = err.downcast_ref::<String>().expect("a message");
    assert!(
        msg.contains("mutators") && msg.contains("expected"),
        "{msg}"
    );
}

/// The tolerated deviations are real: without the tolerance, the seeds that
/// show them panic.
#[test]
fn known_deviations_panic_without_their_tolerance() {
    for (name, server) in [
        (
            "tungstenite_endpoint/seed-c115",
            &Tungstenite as &dyn InProcessServer,
        ),
        ("tokio_websockets_endpoint/seed-c042", &TokioWebsockets),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(name);
        let data = fs::read(&path).expect("seed");
        let run = std::panic::catch_unwind(AssertUnwindSafe(|| run_endpoint(&data, server, &[])));
        assert!(run.is_err(), "{name} passes without tolerance");
    }
}

/// A deviation the tokio_websockets_endpoint target found (kept out of the
/// seeds, which must pass): a fragmented text message whose only content is
/// an incomplete UTF-8 sequence in a continuation frame (after an empty first
/// fragment) is echoed by tokio-websockets as invalid UTF-8 instead of
/// failing with 1007. The reference server and tokio-tungstenite do not.
#[test]
fn tokio_websockets_echoes_invalid_utf8_after_an_empty_first_fragment() {
    for file in [
        "tokio-websockets-invalid-utf8-echo-short",
        "tokio-websockets-invalid-utf8-echo",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/endpoint-findings")
            .join(file);
        let data = fs::read(&path).expect("finding");
        let (seed, input) = input_from(&data).expect("input");
        let v = judge_in_process(seed, &input, &TokioWebsockets).expect("a verdict");
        assert_eq!(v.outcome, Outcome::Fail, "{file}: {v:?}");
        assert!(v.actual.contains("invalid-utf8"), "{file}: {v:?}");
        assert!(
            wsgauntlet::fuzzing::Tolerated::EchoesInvalidUtf8.covers(&input, &v),
            "{file}: the target tolerates this known deviation"
        );
        for (name, server) in [
            ("reference", &ReferenceServer as &dyn InProcessServer),
            ("tungstenite", &Tungstenite),
        ] {
            let v = judge_in_process(seed, &input, server).expect("a verdict");
            assert_ne!(v.outcome, Outcome::Fail, "{file} {name}: {v:?}");
        }
    }
}

/// Sections 12 and 13 (quick profile: a tenth of the messages) run in
/// process against ratchet_rs with permessage-deflate, and against the
/// reference server; the outcomes of every case are snapshotted (ratchet's)
/// and must all be PASS (the reference server's).
#[test]
fn ratchet_deflate_runs_sections_12_and_13_in_process() {
    use wsgauntlet::catalog::{Profile, all};
    use wsgauntlet::fuzzing::judge_case_in_process;
    let cases: Vec<_> = all(Profile::Quick)
        .into_iter()
        .filter(|c| c.id.starts_with("12.") || c.id.starts_with("13."))
        .collect();
    assert_eq!(cases.len(), 216, "Autobahn's 90 + 126 cases");
    let outcomes = |server: &dyn InProcessServer| -> Vec<String> {
        cases
            .iter()
            .map(|c| match judge_case_in_process(c, server) {
                Some(v) => {
                    let reason = v.reason.map(|r| format!(" {r}")).unwrap_or_default();
                    format!("{} {}{reason}", c.id, v.outcome)
                }
                None => format!("{} load shedding", c.id),
            })
            .collect()
    };
    let reference = outcomes(&ReferenceServer);
    let not_pass: Vec<&String> = reference.iter().filter(|o| !o.ends_with(" PASS")).collect();
    assert!(not_pass.is_empty(), "reference server: {not_pass:#?}");
    insta::assert_snapshot!(
        "ratchet_deflate_12_13",
        outcomes(&adapters::RatchetDeflate).join("\n")
    );
}
