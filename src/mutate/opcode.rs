//! Reserved opcodes, data (0x3–0x7) and control (0xB–0xF).

use bytes::Bytes;

use super::input::Input;
use super::mutator::{Mutator, Phase};
use super::rng::Gen;
use crate::codec::{Frame, OpCode};

/// The opcode mutators.
pub const MUTATORS: &[Mutator] = &[
    Mutator {
        name: "reserved-data-opcode",
        family: "opcode",
        targets: "RFC 6455 §5.2 \"If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_\" (opcodes 0x3–0x7); servers that ignore them pass Autobahn's behaviour check",
        phase: Phase::Content,
        apply: |i, g| reserved(i, g, &[3, 4, 5, 6, 7]),
    },
    Mutator {
        name: "reserved-control-opcode",
        family: "opcode",
        targets: "RFC 6455 §5.2 unknown opcodes 0xB–0xF (reserved control frames)",
        phase: Phase::Content,
        apply: |i, g| reserved(i, g, &[0xB, 0xC, 0xD, 0xE, 0xF]),
    },
];

/// Rewrites a frame's opcode, or inserts a new frame, with a reserved one.
fn reserved(input: &mut Input, g: &mut Gen, codes: &[u8]) -> bool {
    let op = OpCode(g.pick(codes));
    if input.frames.is_empty() || g.one_in(2) {
        let n = g.below(if op.is_control() { 126 } else { 300 });
        let payload: Bytes = g.bytes(n);
        let at = g.below(input.frames.len() + 1);
        let f = g.masked(Frame::new(op, payload));
        input.insert(at, f);
    } else {
        let i = g.below(input.frames.len());
        input.frames[i].header.opcode = op;
    }
    true
}
