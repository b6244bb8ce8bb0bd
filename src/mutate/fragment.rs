//! Fragmentation order: orphan continuations, a new data frame inside a
//! message, zero-length fragments and long fragment chains.

use super::base::fragments;
use super::input::Input;
use super::mutator::{Mutator, Phase};
use super::rng::Gen;
use crate::codec::{Frame, OpCode};

/// The fragmentation mutators.
pub const MUTATORS: &[Mutator] = &[
    Mutator {
        name: "orphan-continuation",
        family: "fragment",
        targets: "RFC 6455 §5.4: a continuation frame with no message open must fail the connection; some servers hang on it",
        phase: Phase::Content,
        apply: orphan,
    },
    Mutator {
        name: "data-mid-message",
        family: "fragment",
        targets: "RFC 6455 §5.4 \"The fragments of one message MUST NOT be interleaved between the fragments of another message\": a text or binary frame while a message is open",
        phase: Phase::Content,
        apply: data_mid_message,
    },
    Mutator {
        name: "zero-length-fragments",
        family: "fragment",
        targets: "empty fragments inside a message, valid (Asterisk CVE-2014-9374: a zero-length frame after a non-empty one double-freed)",
        phase: Phase::Content,
        apply: zero_length,
    },
    Mutator {
        name: "long-chain",
        family: "fragment",
        targets: "one message in 16–200 fragments, valid: fragment accumulation (ws CVE-2026-48779, Netty CVE-2014-0193)",
        phase: Phase::Content,
        apply: long_chain,
    },
    Mutator {
        name: "fragment-message",
        family: "fragment",
        targets: "RFC 6455 §5.4 reassembly: a whole message split into 2–4 fragments at random offsets, valid",
        phase: Phase::Content,
        apply: |i, g| split_whole(i, g, 2, 4),
    },
];

/// Positions between frames where no fragmented message is open.
fn boundaries(input: &Input) -> Vec<usize> {
    let inside = input.fragmented_messages();
    (0..=input.frames.len())
        .filter(|&at| !inside.iter().any(|(s, e)| at > *s && at <= *e))
        .collect()
}

fn orphan(input: &mut Input, g: &mut Gen) -> bool {
    let at = g.pick(&boundaries(input));
    let n = g.below(40);
    let (p, fin) = (g.bytes(n), !g.one_in(4));
    let f = g.masked(Frame::continuation(p).fin(fin));
    input.insert(at, f);
    true
}

fn data_mid_message(input: &mut Input, g: &mut Gen) -> bool {
    let Some((first, last)) = ensure_fragmented(input, g) else {
        return false;
    };
    let at = g.range(first + 1, last);
    let op = g.pick(&[OpCode::TEXT, OpCode::BINARY]);
    let n = g.below(30);
    let t = g.text(n);
    let f = g.masked(Frame::new(op, t));
    input.insert(at, f);
    true
}

fn zero_length(input: &mut Input, g: &mut Gen) -> bool {
    let Some((first, last)) = ensure_fragmented(input, g) else {
        return false;
    };
    for _ in 0..g.range(1, 3) {
        let at = g.range(first + 1, last);
        let f = g.masked(Frame::continuation(bytes::Bytes::new()).fin(false));
        input.insert(at, f);
    }
    true
}

fn long_chain(input: &mut Input, g: &mut Gen) -> bool {
    split_whole(input, g, 16, 200)
}

/// Splits a whole message into `lo..=hi` fragments.
fn split_whole(input: &mut Input, g: &mut Gen, lo: usize, hi: usize) -> bool {
    let whole = input.whole_messages();
    if whole.is_empty() {
        return false;
    }
    let i = g.pick(&whole);
    let f = input.frames.remove(i);
    let parts = g.range(lo, hi);
    let frags = fragments(g, f.header.opcode, &f.payload, parts);
    for (k, frag) in frags.into_iter().enumerate() {
        input.insert(i + k, frag);
    }
    true
}

/// A fragmented message's `(first, last)` indices, fragmenting a whole
/// message if there is none.
pub fn ensure_fragmented(input: &mut Input, g: &mut Gen) -> Option<(usize, usize)> {
    if input.fragmented_messages().is_empty() && !split_whole(input, g, 2, 3) {
        return None;
    }
    let all = input.fragmented_messages();
    (!all.is_empty()).then(|| all[g.below(all.len())])
}
