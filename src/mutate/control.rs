//! Control-frame rules: longer than 125 bytes, fragmented, and injected in
//! the middle of a fragmented message (which is allowed and must work).

use super::fragment::ensure_fragmented;
use super::input::Input;
use super::mutator::{Mutator, Phase};
use super::rng::Gen;
use crate::codec::{CloseCode, Frame, OpCode};

/// The control-frame mutators.
pub const MUTATORS: &[Mutator] = &[
    Mutator {
        name: "control-oversize",
        family: "control",
        targets: "RFC 6455 §5.5 \"All control frames MUST have a payload length of 125 bytes or less\" (libsoup CVE-2026-15711)",
        phase: Phase::Content,
        apply: oversize,
    },
    Mutator {
        name: "control-fragmented",
        family: "control",
        targets: "RFC 6455 §5.5 \"Control frames themselves MUST NOT be fragmented\"",
        phase: Phase::Content,
        apply: fragmented,
    },
    Mutator {
        name: "control-mid-message",
        family: "control",
        targets: "RFC 6455 §5.4 \"An endpoint MUST be capable of handling control frames in the middle of a fragmented message\"; valid, the message and the pong must both come back intact",
        phase: Phase::Content,
        apply: mid_message,
    },
];

fn oversize(input: &mut Input, g: &mut Gen) -> bool {
    let n = g.range(126, 300);
    let f = match g.below(3) {
        0 => Frame::ping(g.bytes(n)),
        1 => Frame::pong(g.bytes(n)),
        _ => Frame::close(CloseCode::NORMAL, &g.text(n)),
    };
    let at = g.below(input.frames.len() + 1);
    let f = g.masked(f);
    input.insert(at, f);
    true
}

fn fragmented(input: &mut Input, g: &mut Gen) -> bool {
    let n = g.below(60);
    let op = g.pick(&[OpCode::PING, OpCode::PONG]);
    let p = g.bytes(n);
    let first = g.masked(Frame::new(op, p).fin(false));
    let at = g.below(input.frames.len() + 1);
    input.insert(at, first);
    if g.one_in(2) {
        let p = g.bytes(n);
        let rest = g.masked(Frame::continuation(p));
        input.insert(at + 1, rest);
    }
    true
}

fn mid_message(input: &mut Input, g: &mut Gen) -> bool {
    let Some((first, last)) = ensure_fragmented(input, g) else {
        return false;
    };
    let at = g.range(first + 1, last);
    let n = g.below(126);
    let f = match g.below(3) {
        0 => Frame::pong(g.bytes(n)),
        _ => Frame::ping(g.bytes(n)),
    };
    let f = g.masked(f);
    input.insert(at, f);
    true
}
