//! Sequence edits: insert, drop, duplicate and reorder whole frames (bugs
//! that need two frames in a given order, e.g. Asterisk CVE-2014-9374).

use super::base;
use super::input::Input;
use super::mutator::{Mutator, Phase};
use super::rng::Gen;
use crate::codec::{Frame, OpCode};

/// The sequence mutators.
pub const MUTATORS: &[Mutator] = &[
    Mutator {
        name: "seq-insert",
        family: "sequence",
        targets: "a valid frame (text, binary, ping, pong) inserted anywhere: inside a message, after Close",
        phase: Phase::Content,
        apply: insert,
    },
    Mutator {
        name: "seq-drop",
        family: "sequence",
        targets: "a frame dropped: messages left open, continuations orphaned",
        phase: Phase::Content,
        apply: drop_one,
    },
    Mutator {
        name: "seq-duplicate",
        family: "sequence",
        targets: "a frame sent twice: repeated first fragments, two Closes, repeated continuations",
        phase: Phase::Content,
        apply: duplicate,
    },
    Mutator {
        name: "seq-reorder",
        family: "sequence",
        targets: "two frames swapped: fragments out of order, Close before data",
        phase: Phase::Content,
        apply: reorder,
    },
];

fn insert(input: &mut Input, g: &mut Gen) -> bool {
    let op = g.pick(&[OpCode::TEXT, OpCode::BINARY, OpCode::PING, OpCode::PONG]);
    let n = g.below(if op.is_control() { 126 } else { 200 });
    let p = base::payload(g, op, n);
    let f = g.masked(Frame::new(op, p));
    let at = g.below(input.frames.len() + 1);
    input.insert(at, f);
    true
}

fn drop_one(input: &mut Input, g: &mut Gen) -> bool {
    if input.frames.len() < 2 {
        return false;
    }
    let i = g.below(input.frames.len());
    input.frames.remove(i);
    true
}

fn duplicate(input: &mut Input, g: &mut Gen) -> bool {
    if input.frames.is_empty() {
        return false;
    }
    let i = g.below(input.frames.len());
    let f = input.frames[i].clone();
    input.insert(i + 1, f);
    true
}

fn reorder(input: &mut Input, g: &mut Gen) -> bool {
    if input.frames.len() < 2 {
        return false;
    }
    let i = g.below(input.frames.len() - 1);
    let j = g.range(i + 1, input.frames.len() - 1);
    input.frames.swap(i, j);
    true
}
