//! Engine tests: stable registry, reproducible inputs, and the model's
//! prediction for what each mutator does.

use super::*;
use crate::catalog::{Delivery, Judge};
use crate::codec::{OpCode, Violation};
use crate::model::{End, Reaction};
use crate::session::{Action, Plan};

fn only(name: &str) -> Engine {
    Engine::new(11, select(&[name.to_string()], &[]).unwrap())
}

/// The inputs of a one-mutator engine where it actually applied.
pub(super) fn applied(name: &str, n: u64) -> Vec<Input> {
    let e = only(name);
    let out: Vec<Input> = (0..n)
        .map(|i| e.input(i))
        .filter(|i| i.mutators.contains(&name))
        .collect();
    assert!(!out.is_empty(), "{name} never applied");
    out
}

type IsViolation = fn(&Violation) -> bool;

fn fails_with(input: &Input, pred: impl Fn(&Violation) -> bool) -> bool {
    matches!(&input.expectation().0.end, End::Fail { failure, .. } if pred(&failure.violation))
}

#[test]
fn registry_names_are_unique_kebab_case_and_documented() {
    let names: Vec<&str> = all().map(|m| m.name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "duplicate names");
    assert!(names.len() >= 30, "{}", names.len());
    for m in all() {
        assert!(
            m.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
        assert!(m.targets.len() > 20, "{} undocumented", m.name);
    }
    assert_eq!(by_name("rsv1").unwrap().family, "header");
    let sel = select(&[], &["rsv1".into()]).unwrap();
    assert_eq!(sel.len(), names.len() - 1);
    assert_eq!(
        select(&["nope".into()], &[]).unwrap_err(),
        UnknownMutator("nope".into())
    );
}

#[test]
fn input_is_a_pure_function_of_seed_and_index() {
    let a = Engine::new(5, all().collect());
    let b = Engine::new(5, all().collect());
    let c = Engine::new(6, all().collect());
    for i in [0, 1, 17, 999, u64::MAX] {
        assert_eq!(a.input(i), b.input(i));
        assert_eq!(a.input(i).wire(), b.input(i).wire());
    }
    let differ = (0..20)
        .filter(|&i| a.input(i).wire() != c.input(i).wire())
        .count();
    assert!(differ > 15, "seeds barely matter: {differ}");
}

#[test]
fn unmutated_scenarios_are_valid_and_owe_replies() {
    let e = Engine::new(3, Vec::new());
    for i in 0..200 {
        let input = e.input(i);
        assert!(input.mutators.is_empty());
        let (exp, incomplete) = input.expectation();
        assert!(!incomplete);
        assert!(!matches!(exp.end, End::Fail { .. }), "{input:?}");
        assert!(input.frames.iter().all(|f| f.header.mask.is_some()));
        assert_eq!(input.judge(), Judge::Model);
    }
}

#[test]
fn steps_put_exactly_the_input_bytes_on_the_wire() {
    let e = Engine::new(9, all().collect());
    for i in 0..300 {
        let input = e.input(i);
        let limits = crate::model::Limits {
            deflate: input.assumed_direction(),
            ..Default::default()
        };
        let plan = Plan::judged_by(input.steps(), 0, crate::codec::Role::Client, limits);
        let mut sent = Vec::new();
        for a in &plan.actions {
            if let Action::Write(b) = a {
                sent.extend_from_slice(b);
            }
        }
        assert_eq!(
            sent,
            input.wire().to_vec(),
            "input {i}: {:?}",
            input.mutators
        );
        assert_eq!(plan.expectation, input.expectation().0);
    }
}

#[test]
fn rule_breaking_mutators_make_the_model_fail_the_connection() {
    let cases: &[(&str, IsViolation)] = &[
        ("reserved-data-opcode", |v| {
            matches!(v, Violation::ReservedOpcode { .. })
        }),
        ("reserved-control-opcode", |v| {
            matches!(v, Violation::ReservedOpcode { .. })
        }),
        ("rsv2", |v| matches!(v, Violation::ReservedBits { .. })),
        ("unmasked", |v| *v == Violation::UnmaskedClientFrame),
        ("len-msb-set", |v| {
            matches!(v, Violation::LengthMsbSet { .. })
        }),
        ("len-huge-reserved-opcode", |v| {
            matches!(v, Violation::ReservedOpcode { .. })
        }),
        ("control-oversize", |v| {
            matches!(v, Violation::ControlFrameTooLong { .. })
        }),
        ("control-fragmented", |v| {
            matches!(v, Violation::FragmentedControlFrame { .. })
        }),
        ("orphan-continuation", |v| {
            *v == Violation::UnexpectedContinuation
        }),
        ("data-mid-message", |v| {
            matches!(v, Violation::ExpectedContinuation { .. })
        }),
        ("utf8-overlong", |v| {
            matches!(v, Violation::InvalidUtf8 { .. })
        }),
        ("utf8-surrogate", |v| {
            matches!(v, Violation::InvalidUtf8 { .. })
        }),
        ("close-1-byte", |v| *v == Violation::CloseBodyTooShort),
        ("close-bad-code", |v| {
            matches!(v, Violation::InvalidCloseCode { .. })
        }),
        ("close-bad-reason", |v| {
            matches!(v, Violation::InvalidCloseReason { .. })
        }),
    ];
    for (name, pred) in cases {
        let inputs = applied(name, 60);
        let hits = inputs.iter().filter(|i| fails_with(i, pred)).count();
        assert!(hits * 2 >= inputs.len(), "{name}: {hits}/{}", inputs.len());
    }
}

#[test]
fn valid_mutators_keep_the_traffic_valid() {
    for name in [
        "mask-zero-key",
        "mask-key-variation",
        "utf8-split-codepoint",
        "control-mid-message",
        "zero-length-fragments",
        "long-chain",
        "fragment-message",
        "close-valid-code",
        "chop-one-byte",
        "chop-random",
        "frame-wise",
        "pause-between-writes",
    ] {
        for input in applied(name, 40) {
            let (exp, incomplete) = input.expectation();
            assert!(
                !incomplete && !matches!(exp.end, End::Fail { .. }),
                "{name}: {input:?}"
            );
        }
    }
}

#[test]
fn a_mid_message_ping_is_answered_and_the_message_still_echoed_whole() {
    for input in applied("control-mid-message", 40) {
        let exp = input.expectation().0;
        let pongs = exp
            .events
            .iter()
            .filter(|e| matches!(e.reaction, Reaction::Pong(_)))
            .count();
        assert_eq!(pongs, input.indices_of(OpCode::PING).len(), "{input:?}");
        assert!(
            exp.events
                .iter()
                .any(|e| matches!(e.reaction, Reaction::Message { .. }))
        );
    }
}

#[test]
fn length_lies_end_the_input_and_choose_the_judge() {
    for input in applied("len-declared-longer", 60) {
        let (exp, incomplete) = input.expectation();
        assert!(incomplete);
        match input.judge() {
            Judge::NoReply => assert_eq!(input.frames.len(), 1),
            Judge::Survive => panic!("a lie the tester's Close could complete: {input:?}"),
            Judge::Model => assert!(matches!(exp.end, End::Fail { .. })),
            j => panic!("{j:?}"),
        }
    }
    for input in applied("len-near-max", 60) {
        assert!(input.expectation().1, "near-max lengths never complete");
    }
}

#[test]
fn delivery_mutators_cut_writes_and_pause() {
    let one = applied("chop-one-byte", 30);
    assert!(one.iter().any(|i| i.delivery == Delivery::Chops(1)));
    for input in applied("pause-between-writes", 30) {
        assert!(!input.pauses.is_empty() && !input.pause.is_zero());
        let waits = input
            .steps()
            .iter()
            .filter(|s| matches!(s, crate::catalog::Step::Wait(_)))
            .count();
        assert!(waits >= 1);
    }
}

#[test]
fn split_code_points_land_inside_a_character() {
    for input in applied("utf8-split-codepoint", 30) {
        let first = input
            .frames
            .iter()
            .find(|f| f.header.opcode == OpCode::TEXT && !f.header.fin)
            .expect("a first fragment");
        assert!(
            std::str::from_utf8(&first.payload).is_err(),
            "cut inside a code point"
        );
    }
}
