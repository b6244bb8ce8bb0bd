//! The Autobahn part of the catalogue: counts, order, and what the reference
//! model derives from each case's frames, checked against the facts of
//! Autobahn's own expectations.

use std::collections::HashSet;
use std::time::Duration;

use bytes::Bytes;

use super::*;
use crate::codec::{CloseCode, Frame, OpCode, Role};
use crate::model::{End, Endpoint, Expectation, Reaction};

fn autobahn_cases() -> Vec<Case> {
    all(Profile::Full)
        .into_iter()
        .filter(|c| c.top_section().parse::<u8>().is_ok_and(|s| s <= 10))
        .filter(|c| c.top_section() != "9")
        .collect()
}

fn case(id: &str) -> Case {
    autobahn_cases()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("case {id} exists"))
}

fn id_key(id: &str) -> Vec<u32> {
    id.split('.')
        .map(|p| p.parse().expect("numeric id"))
        .collect()
}

/// Every frame the case sends, masked as the session would.
fn sent_frames(case: &Case) -> Vec<Frame> {
    let mut frames = Vec::new();
    for step in case.steps() {
        match step {
            Step::Send(fs, _) => frames.extend(fs.into_iter().map(|f| f.masked([1, 2, 3, 4]))),
            Step::SendAsIs(fs, _) => frames.extend(fs),
            _ => {}
        }
    }
    frames
}

fn expect(case: &Case) -> Expectation {
    Expectation::of(Endpoint::new(Role::Server), &sent_frames(case))
}

fn fail_codes(e: &Expectation) -> Option<Vec<u16>> {
    match &e.end {
        End::Fail { failure, .. } => Some(failure.codes.iter().map(|c| c.0).collect()),
        _ => None,
    }
}

fn ids_where(pred: impl Fn(&Case) -> bool) -> Vec<String> {
    autobahn_cases()
        .into_iter()
        .filter(|c| pred(c))
        .map(|c| c.id)
        .collect()
}

fn utf8_sequences() -> Vec<(String, bool)> {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/utf8-sequences.json")).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["valid"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn section_counts_match_autobahn() {
    let cases = autobahn_cases();
    let count = |prefix: &str| cases.iter().filter(|c| c.id.starts_with(prefix)).count();
    let by_section = |s: &str| cases.iter().filter(|c| c.top_section() == s).count();
    assert_eq!(cases.len(), 247);
    let sections = [("1", 16), ("2", 11), ("3", 7), ("4", 10), ("5", 20)];
    for (s, n) in sections
        .into_iter()
        .chain([("6", 145), ("7", 37), ("10", 1)])
    {
        assert_eq!(by_section(s), n, "section {s}");
    }
    let groups = [
        ("6.1.", 3),
        ("6.2.", 4),
        ("6.3.", 2),
        ("6.4.", 4),
        ("7.1.", 6),
    ];
    let close_groups = [
        ("7.3.", 6),
        ("7.5.", 1),
        ("7.7.", 13),
        ("7.9.", 9),
        ("7.13.", 2),
    ];
    for (p, n) in groups.into_iter().chain(close_groups) {
        assert_eq!(count(p), n, "{p}");
    }
    let stress = (5..=23).map(|g| count(&format!("6.{g}."))).sum::<usize>();
    assert_eq!(stress, 132);
}

#[test]
fn ids_are_unique_and_in_order() {
    let ids: Vec<String> = autobahn_cases().into_iter().map(|c| c.id).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    for pair in ids.windows(2) {
        assert!(
            id_key(&pair[0]) < id_key(&pair[1]),
            "{} before {}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn every_case_builds_unmasked_sends_and_quotes_a_rule() {
    for c in autobahn_cases() {
        let steps = c.steps();
        let sends: Vec<&Vec<Frame>> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Send(fs, _) => Some(fs),
                _ => None,
            })
            .collect();
        assert!(!sends.is_empty(), "{} sends nothing", c.id);
        assert!(
            sends
                .iter()
                .flat_map(|fs| fs.iter())
                .all(|f| f.header.mask.is_none()),
            "{} has a pre-masked frame",
            c.id
        );
        assert!(!c.title.is_empty() && c.requirement.len() > 20, "{}", c.id);
        assert!(
            c.section
                .trim_start_matches("RFC 7692 §")
                .split('.')
                .all(|p| p.parse::<u8>().is_ok()),
            "{}",
            c.id
        );
    }
}

#[test]
fn thirty_cases_fail_with_1002() {
    let got = ids_where(|c| {
        c.top_section().parse::<u8>().is_ok_and(|s| s <= 5)
            && fail_codes(&expect(c)) == Some(vec![1002])
    });
    let mut want = vec!["2.5".to_string()];
    want.extend((1..=7).map(|n| format!("3.{n}")));
    want.extend((1..=5).map(|n| format!("4.1.{n}")));
    want.extend((1..=5).map(|n| format!("4.2.{n}")));
    want.extend(["5.1".to_string(), "5.2".to_string()]);
    want.extend((9..=18).map(|n| format!("5.{n}")));
    assert_eq!(got.len(), 30);
    assert_eq!(got, want);
}

#[test]
fn seventy_five_cases_fail_with_1007() {
    let got = ids_where(|c| fail_codes(&expect(c)) == Some(vec![1007]));
    let mut want: Vec<String> = ["6.3.1", "6.3.2", "6.4.1", "6.4.2", "6.4.3", "6.4.4"]
        .map(String::from)
        .to_vec();
    let invalid: Vec<String> = utf8_sequences()
        .into_iter()
        .filter(|(_, valid)| !valid)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(invalid.len(), 69);
    want.extend(invalid);
    assert_eq!(got.len(), 75);
    assert_eq!(got, want);
}

#[test]
fn echo_sections_end_with_the_testers_close() {
    let valid: HashSet<String> = utf8_sequences()
        .into_iter()
        .filter(|(_, v)| *v)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(valid.len(), 63);
    for c in autobahn_cases() {
        let echo = ["1.", "6.1.", "6.2.", "10."]
            .iter()
            .any(|p| c.id.starts_with(p));
        if echo || valid.contains(&c.id) {
            assert_eq!(expect(&c).end, End::TesterCloses, "{}", c.id);
        }
    }
}

#[test]
fn framing_cases_echo_the_exact_payload() {
    let sizes = [0, 125, 126, 127, 128, 65535, 65536, 65536];
    for (group, opcode, byte) in [(1, OpCode::TEXT, b'*'), (2, OpCode::BINARY, 0xFE)] {
        for (n, len) in sizes.iter().enumerate() {
            let c = case(&format!("1.{group}.{}", n + 1));
            let e = expect(&c);
            let want = Reaction::Message {
                opcode,
                payload: Bytes::from(vec![byte; *len]).into(),
            };
            assert_eq!(e.events.len(), 1);
            assert_eq!(e.events[0].reaction, want, "{}", c.id);
            let slow = *len >= 65535;
            assert_eq!(c.deadline, Duration::from_secs(if slow { 10 } else { 1 }));
        }
    }
    assert!(matches!(
        case("1.1.8").steps()[0],
        Step::Send(_, Delivery::Chops(997))
    ));
    assert!(matches!(
        case("1.2.8").steps()[0],
        Step::Send(_, Delivery::Chops(997))
    ));
}

fn pongs(e: &Expectation) -> Vec<Bytes> {
    e.events
        .iter()
        .filter_map(|ev| match &ev.reaction {
            Reaction::Pong(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn ping_cases_expect_identical_pongs() {
    assert_eq!(
        pongs(&expect(&case("2.2"))),
        vec![Bytes::from("Hello, world!")]
    );
    assert_eq!(
        pongs(&expect(&case("2.6"))),
        vec![Bytes::from(vec![0xFE; 125])]
    );
    assert_eq!(
        pongs(&expect(&case("2.9"))),
        vec![Bytes::from("ping payload")]
    );
    for id in ["2.10", "2.11"] {
        let want: Vec<Bytes> = (0..10)
            .map(|i| Bytes::from(format!("payload-{i}")))
            .collect();
        assert_eq!(pongs(&expect(&case(id))), want, "{id}");
    }
    for id in ["2.7", "2.8"] {
        let e = expect(&case(id));
        assert!(e.events.is_empty(), "{id}");
        assert!(matches!(e.end, End::CloseReply { .. }), "{id}");
    }
}

#[test]
fn echo_before_violation_may_be_missing() {
    let lenient = [
        "3.2", "3.3", "3.4", "4.1.3", "4.1.4", "4.1.5", "4.2.3", "4.2.4", "4.2.5", "5.15",
    ];
    for id in lenient {
        let e = expect(&case(id));
        assert_eq!(e.events.len(), 1, "{id}");
        assert!(e.events[0].may_be_missing, "{id}");
        assert!(
            matches!(e.events[0].reaction, Reaction::Message { .. }),
            "{id}"
        );
    }
}

#[test]
fn pings_inside_messages_are_answered_before_the_echo() {
    for id in ["5.6", "5.7", "5.8", "5.19", "5.20"] {
        let e = expect(&case(id));
        let kinds: Vec<bool> = e
            .events
            .iter()
            .map(|ev| matches!(ev.reaction, Reaction::Pong(_)))
            .collect();
        let pings = if matches!(id, "5.19" | "5.20") { 2 } else { 1 };
        let mut want = vec![true; pings];
        want.push(false);
        assert_eq!(kinds, want, "{id}");
    }
    let waits = |id: &str| {
        case(id)
            .steps()
            .iter()
            .filter(|s| matches!(s, Step::Wait(d) if *d == Duration::from_secs(1)))
            .count()
    };
    assert_eq!((waits("5.19"), waits("5.20")), (1, 1));
}

#[test]
fn fail_fast_cases_wait_and_fail_at_the_invalid_part() {
    for id in ["6.4.1", "6.4.2"] {
        let c = case(id);
        assert_eq!(c.judge, Judge::FailFast);
        match expect(&c).end {
            End::Fail {
                frame,
                failure,
                latest_frame,
            } => {
                assert_eq!((frame, latest_frame), (1, Some(2)), "{id}");
                assert!(failure.deferrable_to_message_end, "{id}");
            }
            other => panic!("{id}: {other:?}"),
        }
        let waits = c
            .steps()
            .iter()
            .filter(|s| matches!(s, Step::Wait(_)))
            .count();
        assert_eq!(waits, 2, "{id}");
    }
    for (id, cuts) in [("6.4.3", [11, 15]), ("6.4.4", [12, 13])] {
        let c = case(id);
        assert_eq!(c.judge, Judge::FailFast);
        match &c.steps()[0] {
            Step::Send(fs, Delivery::PayloadParts { cuts: got, pause }) => {
                assert_eq!(
                    (fs.len(), *got, *pause),
                    (1, &cuts[..], Duration::from_secs(1))
                );
            }
            other => panic!("{id}: {other:?}"),
        }
    }
}

#[test]
fn close_cases_call_for_the_right_reply() {
    for id in ["7.3.2", "7.3.6"] {
        assert_eq!(fail_codes(&expect(&case(id))), Some(vec![1002]), "{id}");
    }
    for n in 1..=9 {
        let id = format!("7.9.{n}");
        assert_eq!(fail_codes(&expect(&case(&id))), Some(vec![1002]), "{id}");
    }
    let codes = fail_codes(&expect(&case("7.5.1"))).unwrap();
    assert!(codes.contains(&1007) && codes.contains(&1002));
    let sent = [
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
    ];
    for (n, code) in sent.into_iter().enumerate() {
        let id = format!("7.7.{}", n + 1);
        match expect(&case(&id)).end {
            End::CloseReply { codes, .. } => {
                assert!(codes.contains(&CloseCode(code)) && codes.contains(&CloseCode::NORMAL));
            }
            other => panic!("{id}: {other:?}"),
        }
    }
    for id in [
        "7.1.1", "7.1.2", "7.1.3", "7.1.4", "7.1.5", "7.3.1", "7.3.3", "7.3.4", "7.3.5",
    ] {
        let e = expect(&case(id));
        assert!(matches!(e.end, End::CloseReply { .. }), "{id}: {:?}", e.end);
        let echoes = if id == "7.1.1" { 1 } else { 0 };
        assert_eq!(e.events.len(), echoes, "{id}");
    }
}

#[test]
fn only_undefined_outcomes_are_informational() {
    let got = ids_where(|c| c.judge == Judge::Informational);
    assert_eq!(got, ["7.1.6", "7.13.1", "7.13.2"]);
}

#[test]
fn auto_fragmentation_sends_one_text_and_fifty_continuations() {
    let c = case("10.1.1");
    let frames = sent_frames(&c);
    assert_eq!(frames.len(), 51);
    assert_eq!(frames[0].header.opcode, OpCode::TEXT);
    assert!(
        frames[1..]
            .iter()
            .all(|f| f.header.opcode == OpCode::CONTINUATION)
    );
    assert!(
        frames[..50]
            .iter()
            .all(|f| f.payload.len() == 1300 && !f.header.fin)
    );
    assert!(frames[50].header.fin && frames[50].payload.len() == 536);
    let e = expect(&c);
    assert!(
        matches!(&e.events[0].reaction, Reaction::Message { payload, .. } if payload.len() == 65536)
    );
}
