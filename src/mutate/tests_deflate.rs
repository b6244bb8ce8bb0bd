//! The deflate mutators: they touch deflate inputs only, and the model's
//! expectation for what they send agrees with an independent inflation of
//! the same frames.

use super::tests::applied;
use super::*;
use crate::catalog::Judge;
use crate::codec::deflate::{InflateConfig, Inflater};
use crate::codec::{Frame, OpCode, Violation};
use crate::model::{End, Reaction};
use crate::session::{Action, Plan};

fn deflate_mutators() -> Vec<&'static Mutator> {
    all().filter(|m| m.family == "deflate").collect()
}

/// What an endpoint owes for each complete data message, in order, until
/// the first one it must refuse: inflated independently of the model
/// (one `Inflater` for the connection, context kept as assumed).
fn owed_independently(input: &Input) -> (Vec<Vec<u8>>, bool) {
    let dir = input.assumed_direction().expect("a deflate input");
    let mut inflater = Inflater::new(InflateConfig::new(dir, 64 << 20));
    let mut out = Vec::new();
    let mut open: Option<(OpCode, bool, Vec<u8>)> = None;
    for f in &input.frames {
        let h = &f.header;
        if h.opcode.is_control() {
            if h.opcode == OpCode::CLOSE {
                return (out, false);
            }
            continue;
        }
        let (op, compressed, mut bytes) = match (h.opcode, open.take()) {
            (OpCode::CONTINUATION, Some(o)) => o,
            (OpCode::TEXT | OpCode::BINARY, None) => (h.opcode, h.rsv1(), Vec::new()),
            _ => return (out, true),
        };
        bytes.extend_from_slice(&f.payload);
        if !h.fin {
            open = Some((op, compressed, bytes));
            continue;
        }
        let plain = if compressed {
            match inflater.inflate_to_vec(&bytes) {
                Ok(p) => p,
                Err(_) => return (out, true),
            }
        } else {
            bytes
        };
        if op == OpCode::TEXT && std::str::from_utf8(&plain).is_err() {
            return (out, true);
        }
        out.push(plain);
    }
    (out, false)
}

fn model_messages(input: &Input) -> (Vec<Vec<u8>>, bool) {
    let (exp, _) = input.expectation();
    let msgs = exp
        .events
        .iter()
        .filter_map(|e| match &e.reaction {
            Reaction::Message { payload, .. } => Some(payload.to_bytes().to_vec()),
            _ => None,
        })
        .collect();
    (msgs, matches!(exp.end, End::Fail { .. }))
}

fn fails_with(input: &Input, pred: impl Fn(&Violation) -> bool) -> bool {
    matches!(&input.expectation().0.end, End::Fail { failure, .. } if pred(&failure.violation))
}

#[test]
fn deflate_mutators_are_registered_and_touch_deflate_inputs_only() {
    let ms = deflate_mutators();
    assert!(ms.len() >= 10, "{}", ms.len());
    let plain = Engine::new(5, Vec::new());
    for m in &ms {
        assert!(m.name.starts_with("deflate-"), "{}", m.name);
        for i in 0..20 {
            let mut input = plain.input(i);
            assert!(!input.is_deflate());
            let before = input.clone();
            let mut g = Gen::from_seed(i);
            assert!(
                !(m.apply)(&mut input, &mut g),
                "{} on a plain input",
                m.name
            );
            assert_eq!(input, before);
        }
    }
}

#[test]
fn a_share_of_inputs_offers_deflate_and_only_deflate_ones_get_deflate_mutators() {
    let e = Engine::new(8, all().collect());
    let inputs: Vec<Input> = (0..400).map(|i| e.input(i)).collect();
    let deflate = inputs.iter().filter(|i| i.is_deflate()).count();
    assert!((60..=140).contains(&deflate), "{deflate} of 400");
    for i in &inputs {
        let has = i.mutators.iter().any(|m| m.starts_with("deflate-"));
        assert!(!has || i.is_deflate(), "{:?}", i.mutators);
    }
    // Without deflate mutators nothing offers deflate, and the plain inputs
    // are those of an engine that never heard of deflate.
    let plain_only: Vec<&'static Mutator> = all().filter(|m| m.family != "deflate").collect();
    let p = Engine::new(8, plain_only);
    for i in 0..200 {
        let a = p.input(i);
        assert!(!a.is_deflate());
        if !e.offers_deflate(i) {
            assert_eq!(a, e.input(i), "input {i}");
        }
    }
}

#[test]
fn unmutated_deflate_scenarios_inflate_to_what_the_model_echoes() {
    let mut g = Gen::from_seed(1);
    let mut compressed = 0;
    for _ in 0..200 {
        let input = super::deflate_base::scenario(&mut g);
        let (model, failed) = model_messages(&input);
        assert!(!failed, "{input:?}");
        assert_eq!((model, false), owed_independently(&input));
        assert_eq!(input.judge(), Judge::Model);
        compressed += usize::from(input.frames.iter().any(|f| f.header.rsv1()));
    }
    assert!(compressed > 150, "{compressed} of 200 compress");
}

#[test]
fn every_deflate_mutator_gives_an_expectation_the_frames_agree_with() {
    for m in deflate_mutators() {
        for input in applied(m.name, 40) {
            assert!(input.is_deflate(), "{}", m.name);
            let (model, model_fails) = model_messages(&input);
            let (owed, refused) = owed_independently(&input);
            let n = model.len().min(owed.len());
            assert_eq!(model[..n], owed[..n], "{}: {input:?}", m.name);
            // The strict inflater refuses a final block or an unstripped
            // tail that the model, like a lenient receiver, delivers.
            let lenient = m.name == "deflate-final-block";
            assert!(
                lenient || model.len() <= owed.len(),
                "{}: {input:?}",
                m.name
            );
            if !model_fails && !lenient {
                assert_eq!(model.len(), owed.len(), "{}: {input:?}", m.name);
                assert!(
                    !refused || input.judge() != Judge::Model,
                    "{}: the frames do not inflate but the model owes them: {input:?}",
                    m.name
                );
            }
        }
    }
}

#[test]
fn rule_breaking_deflate_mutators_fail_the_connection() {
    let misplaced = |v: &Violation| matches!(v, Violation::CompressedBitMisplaced { .. });
    let bad = |v: &Violation| matches!(v, Violation::BadCompressedData { .. });
    for (name, pred) in [
        (
            "deflate-rsv1-control",
            &misplaced as &dyn Fn(&Violation) -> bool,
        ),
        ("deflate-rsv1-continuation", &misplaced),
        ("deflate-corrupt", &bad),
        ("deflate-distance-too-far", &bad),
    ] {
        let inputs = applied(name, 40);
        let hits = inputs.iter().filter(|i| fails_with(i, pred)).count();
        assert!(
            hits * 10 >= inputs.len() * 9,
            "{name}: {hits}/{}",
            inputs.len()
        );
    }
}

#[test]
fn valid_deflate_mutators_keep_the_traffic_valid() {
    for name in ["deflate-mixed", "deflate-control-between-fragments"] {
        for input in applied(name, 40) {
            let (exp, incomplete) = input.expectation();
            assert!(
                !incomplete && !matches!(exp.end, End::Fail { .. }),
                "{name}: {input:?}"
            );
            assert!(
                exp.events
                    .iter()
                    .any(|e| matches!(e.reaction, Reaction::Message { .. }))
            );
        }
    }
    for input in applied("deflate-control-between-fragments", 40) {
        let inside = input
            .frames
            .windows(2)
            .any(|w| !w[0].header.fin && w[0].header.rsv1() && w[1].header.opcode.is_control())
            || input
                .frames
                .iter()
                .any(|f| f.header.opcode == OpCode::CONTINUATION);
        assert!(inside, "{input:?}");
    }
}

#[test]
fn bombs_stay_small_on_the_wire_and_are_judged_as_bombs() {
    for input in applied("deflate-bomb", 30) {
        assert_eq!(input.judge(), Judge::Bomb);
        assert!(input.wire_len() < 64 << 10, "{}", input.wire_len());
        let (exp, _) = input.expectation();
        let big = exp.events.iter().any(|e| {
            matches!(&e.reaction, Reaction::Message { payload, .. } if payload.len() >= 1 << 20 && payload.len() <= 16 << 20)
        });
        assert!(
            big || matches!(exp.end, End::Fail { .. }),
            "{:?}",
            input.mutators
        );
    }
    for name in ["deflate-truncate", "deflate-window-narrowed"] {
        for input in applied(name, 20) {
            assert_eq!(input.judge(), Judge::Informational, "{name}");
        }
    }
    let narrowed = applied("deflate-window-narrowed", 20);
    assert!(
        narrowed
            .iter()
            .all(|i| i.deflate.unwrap().client_max_window_bits.is_some())
    );
}

#[test]
fn deflate_steps_send_the_frames_as_they_are() {
    let e = Engine::new(9, deflate_mutators());
    for i in 0..100 {
        let input = e.input(i);
        let plan = Plan::from_steps(input.steps(), 0);
        let sent: Vec<u8> = plan
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Write(b) => Some(b.to_vec()),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(sent, input.wire().to_vec(), "input {i}");
        let masked = input.frames.iter().all(|f: &Frame| f.header.mask.is_some());
        assert!(masked, "{:?}", input.mutators);
    }
}

#[test]
fn a_length_lie_on_a_bomb_is_judged_as_the_lie() {
    let names = [
        "deflate-bomb".to_string(),
        "len-declared-longer".to_string(),
    ];
    let e = Engine::new(2, select(&names, &[]).unwrap());
    let both: Vec<Input> = (0..400)
        .map(|i| e.input(i))
        .filter(|i| i.mutators.len() == 2)
        .collect();
    assert!(!both.is_empty());
    for input in both {
        assert!(input.expectation().1, "the lie leaves a frame incomplete");
        assert_ne!(input.judge(), Judge::Bomb, "{:?}", input.mutators);
    }
}

#[test]
fn forms_only_strict_receivers_refuse_are_informational_whatever_made_them() {
    let tail_form = |i: &Input| {
        let tolerable = i.expectation().0.tolerable;
        tolerable
            .iter()
            .any(|(_, v)| matches!(v, Violation::CompressedTailForm { .. }))
    };
    let inputs = applied("deflate-final-block", 60);
    let lenient = inputs.iter().filter(|i| tail_form(i)).count();
    assert!(lenient > 5 && lenient < inputs.len(), "{lenient}");
    for input in &inputs {
        let want = if tail_form(input) {
            Judge::Informational
        } else {
            Judge::Model
        };
        assert_eq!(input.judge(), want, "{input:?}");
    }
    // A compressed message cut inside a block, whatever cut it, against one
    // that no decoder takes.
    let offer = crate::codec::deflate::DeflateParams::new();
    let message = |payload: Vec<u8>| {
        let f = Frame::new(OpCode::BINARY, payload)
            .rsv(4)
            .masked([1, 2, 3, 4]);
        Input::with_deflate("cut", vec![f], offer)
    };
    let cut = message(crate::codec::deflate::streams::truncated_block());
    assert!(matches!(cut.expectation().0.end, End::Fail { .. }));
    assert_eq!(cut.judge(), Judge::Informational);
    let bad = message(crate::codec::deflate::streams::reserved_block_type());
    assert!(matches!(bad.expectation().0.end, End::Fail { .. }));
    assert_eq!(bad.judge(), Judge::Model);
}
