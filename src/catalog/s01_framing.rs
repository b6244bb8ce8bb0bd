//! Autobahn section 1: framing. One unfragmented text (1.1.x) or binary
//! (1.2.x) message at every payload-length encoding boundary (7-bit,
//! 16-bit, 64-bit), echoed; 1.x.8 is written in 997-byte TCP chops.

use std::time::Duration;

use bytes::Bytes;

use super::case::{Case, send, send_chopped};
use crate::codec::{Frame, OpCode};

/// RFC 6455 §5.2, "Payload length".
const LENGTH_RULE: &str = "The length of the \"Payload data\", in bytes: if 0-125, that is the payload length. If 126, the following 2 bytes interpreted as a 16-bit unsigned integer are the payload length. If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most significant bit MUST be 0) are the payload length.";

/// Payload size of 1.x.1 … 1.x.8, and the chop size of the writes (if any).
const SIZES: [(usize, Option<usize>); 8] = [
    (0, None),
    (125, None),
    (126, None),
    (127, None),
    (128, None),
    (65535, None),
    (65536, None),
    (65536, Some(997)),
];

pub(super) fn cases() -> Vec<Case> {
    let text = SIZES
        .iter()
        .enumerate()
        .map(|(i, &(len, chop))| framing_case(OpCode::TEXT, i + 1, len, chop));
    let binary = SIZES
        .iter()
        .enumerate()
        .map(|(i, &(len, chop))| framing_case(OpCode::BINARY, i + 1, len, chop));
    text.chain(binary).collect()
}

/// Case 1.1.n (text, payload `*`) or 1.2.n (binary, payload 0xFE).
fn framing_case(opcode: OpCode, n: usize, len: usize, chop: Option<usize>) -> Case {
    let (group, kind, byte, shown) = if opcode == OpCode::TEXT {
        (1, "text", b'*', "'*'")
    } else {
        (2, "binary", 0xFE, "0xFE")
    };
    let payload = Bytes::from(vec![byte; len]);
    let how = match chop {
        Some(n) => format!(", written in {n}-byte chops"),
        None => String::new(),
    };
    let title = format!("One {kind} frame of {len} bytes of {shown}{how}");
    let case = Case::frames(
        format!("1.{group}.{n}"),
        title,
        "5.2",
        LENGTH_RULE,
        move || {
            let frame = Frame::new(opcode, payload.clone());
            match chop {
                Some(size) => vec![send_chopped(vec![frame], size)],
                None => vec![send(vec![frame])],
            }
        },
    );
    // Autobahn's killAfter: 10 s for the 64 KiB cases.
    if len >= 65535 {
        case.deadline(Duration::from_secs(10))
    } else {
        case
    }
}
