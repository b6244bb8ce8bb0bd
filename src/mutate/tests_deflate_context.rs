//! `deflate-context-reference`: a copy into the previous compressed message,
//! echoed with context takeover, refused by the model when the tester's
//! direction agreed to `client_no_context_takeover`.

use super::tests::applied;
use super::*;
use crate::catalog::Judge;
use crate::codec::Violation;
use crate::codec::deflate::DeflateParams;
use crate::model::{End, Reaction};

const NAME: &str = "deflate-context-reference";

fn echoed(input: &Input) -> Vec<Vec<u8>> {
    input
        .expectation()
        .0
        .events
        .iter()
        .filter_map(|e| match &e.reaction {
            Reaction::Message { payload, .. } => Some(payload.to_bytes().to_vec()),
            _ => None,
        })
        .collect()
}

fn refused_as_reference_into_previous(input: &Input) -> bool {
    let (exp, _) = input.expectation();
    matches!(
        &exp.end,
        End::Fail { failure, .. } if matches!(
            &failure.violation,
            Violation::BadCompressedData { detail, .. } if detail.contains("into the previous message")
        )
    )
}

/// `input` with its offer made `offer`, the rest unchanged.
fn offering(input: &Input, offer: DeflateParams) -> Input {
    Input {
        deflate: Some(offer),
        ..input.clone()
    }
}

#[test]
fn it_applies_to_every_deflate_input() {
    let e = Engine::new(11, select(&[NAME.to_string()], &[]).unwrap());
    for i in 0..60 {
        let input = e.input(i);
        assert!(input.is_deflate());
        assert_eq!(input.mutators, [NAME], "input {i}");
        let compressed = input
            .frames
            .iter()
            .filter(|f| f.header.rsv1() && f.header.opcode.is_data())
            .count();
        assert!(compressed >= 2, "input {i}: {input:?}");
    }
}

#[test]
fn the_same_seed_gives_the_same_input_and_another_seed_another() {
    let names = [NAME.to_string()];
    let a = Engine::new(3, select(&names, &[]).unwrap());
    let b = Engine::new(3, select(&names, &[]).unwrap());
    let c = Engine::new(4, select(&names, &[]).unwrap());
    for i in 0..30 {
        assert_eq!(a.input(i), b.input(i), "input {i}");
    }
    let differ = (0..30)
        .filter(|&i| a.input(i).wire() != c.input(i).wire())
        .count();
    assert!(differ > 25, "{differ} of 30 differ");
    let m = by_name(NAME).unwrap();
    let base = a.input(0);
    let (mut x, mut y) = (base.clone(), base);
    assert!((m.apply)(&mut x, &mut Gen::from_seed(7)));
    assert!((m.apply)(&mut y, &mut Gen::from_seed(7)));
    assert_eq!(x, y);
}

#[test]
fn context_takeover_owes_the_echo_and_no_context_takeover_lets_the_model_refuse() {
    let inputs = applied(NAME, 60);
    let mut reset = 0;
    for input in &inputs {
        let offer = input.deflate.unwrap();
        let kept = offering(
            input,
            DeflateParams {
                client_no_context_takeover: false,
                ..offer
            },
        );
        let fresh = offering(
            input,
            DeflateParams {
                client_no_context_takeover: true,
                ..offer
            },
        );
        // Kept: every message is echoed, the one made of the copy included.
        let (exp, _) = kept.expectation();
        assert!(!matches!(exp.end, End::Fail { .. }), "{input:?}");
        let messages = input
            .frames
            .iter()
            .filter(|f| f.header.opcode.is_data() && f.header.fin)
            .count();
        assert_eq!(echoed(&kept).len(), messages, "{input:?}");
        // Reset: the model fails on the reference into the previous message.
        assert!(refused_as_reference_into_previous(&fresh), "{input:?}");
        assert!(echoed(&fresh).len() < messages);
        // The server's response decides between the two.
        assert_eq!(input.judge(), Judge::ModelUnlessContextReset);
        reset += usize::from(offer.client_no_context_takeover);
    }
    let n = inputs.len();
    assert!(
        reset > n / 5 && reset < n * 4 / 5,
        "{reset} of {n} offer no context takeover"
    );
}
