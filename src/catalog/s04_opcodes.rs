//! Autobahn section 4: reserved opcodes, non-control 3–7 (4.1.x) and
//! control 11–15 (4.2.x). Every case must fail the connection with 1002;
//! a server that ignores the frame fails here (Autobahn passes its
//! behaviour). Where a valid message comes first, its echo must come
//! before the failure (missing: non-strict).

use bytes::Bytes;

use super::case::{Case, Delivery, Step};
use crate::codec::{Frame, OpCode, Violation};

const HELLO: &[u8] = b"Hello, world!";
const RESERVED_PAYLOAD: &[u8] = b"reserved opcode payload";

/// What goes with the reserved frame.
#[derive(Clone, Copy)]
enum Pattern {
    /// The reserved frame alone, empty.
    Empty,
    /// The reserved frame alone, with "reserved opcode payload".
    WithPayload,
    /// Text "Hello, world!", the empty reserved frame, an empty ping.
    BetweenEmpty,
    /// Text, the reserved frame with "Hello, world!", an empty ping.
    Between,
    /// As `Between`, written in 1-byte chops.
    BetweenChopped,
}

/// The five patterns in Autobahn's order (x.1 … x.5).
const PATTERNS: [Pattern; 5] = [
    Pattern::Empty,
    Pattern::WithPayload,
    Pattern::BetweenEmpty,
    Pattern::Between,
    Pattern::BetweenChopped,
];

fn title(op: u8, pattern: Pattern) -> String {
    let kind = if op < 8 { "non-control" } else { "control" };
    let frame = format!("reserved {kind} opcode {op}");
    match pattern {
        Pattern::Empty => format!("Frame with {frame}, no payload"),
        Pattern::WithPayload => {
            format!("Frame with {frame} and payload \"reserved opcode payload\"")
        }
        Pattern::BetweenEmpty => {
            format!("Text \"Hello, world!\", a frame with {frame} (no payload), then an empty ping")
        }
        Pattern::Between => format!(
            "Text \"Hello, world!\", a frame with {frame} and payload \"Hello, world!\", then an empty ping"
        ),
        Pattern::BetweenChopped => format!(
            "Text \"Hello, world!\", a frame with {frame} and payload \"Hello, world!\", then an empty ping; 1-byte chops"
        ),
    }
}

fn steps(op: OpCode, pattern: Pattern) -> Vec<Step> {
    let reserved = |p: &'static [u8]| Frame::new(op, p);
    let around = |middle: Frame| vec![Frame::text(HELLO), middle, Frame::ping(Bytes::new())];
    let (frames, delivery) = match pattern {
        Pattern::Empty => (vec![reserved(b"")], Delivery::Whole),
        Pattern::WithPayload => (vec![reserved(RESERVED_PAYLOAD)], Delivery::Whole),
        Pattern::BetweenEmpty => (around(reserved(b"")), Delivery::Whole),
        Pattern::Between => (around(reserved(HELLO)), Delivery::Whole),
        Pattern::BetweenChopped => (around(reserved(HELLO)), Delivery::Chops(1)),
    };
    vec![Step::Send(frames, delivery)]
}

fn opcode_case(group: u8, n: usize, op: u8, pattern: Pattern) -> Case {
    let opcode = OpCode(op);
    Case::frames(
        format!("4.{group}.{n}"),
        title(op, pattern),
        "5.2",
        Violation::ReservedOpcode { opcode }.requirement(),
        move || steps(opcode, pattern),
    )
}

pub(super) fn cases() -> Vec<Case> {
    let non_control = PATTERNS
        .iter()
        .enumerate()
        .map(|(i, &p)| opcode_case(1, i + 1, 3 + i as u8, p));
    let control = PATTERNS
        .iter()
        .enumerate()
        .map(|(i, &p)| opcode_case(2, i + 1, 11 + i as u8, p));
    non_control.chain(control).collect()
}
