//! Close payloads: one byte, codes that must not be sent, reasons that are
//! not UTF-8 — and valid codes, which must be echoed.

use bytes::BytesMut;

use super::input::Input;
use super::mutator::{Mutator, Phase};
use super::rng::Gen;
use crate::codec::{CloseCode, Frame, OpCode};

/// The close mutators.
pub const MUTATORS: &[Mutator] = &[
    Mutator {
        name: "close-1-byte",
        family: "close",
        targets: "RFC 6455 §5.5.1 a Close body, if present, MUST start with a two-byte status code: one byte is a protocol error (1002)",
        phase: Phase::Content,
        apply: |i, g| {
            let b = g.bytes(1);
            set_close(i, g, Frame::new(OpCode::CLOSE, b))
        },
    },
    Mutator {
        name: "close-bad-code",
        family: "close",
        targets: "RFC 6455 §7.4.1/§7.4.2 codes that MUST NOT be sent (0–999, 1004–1006, 1015, 1016–2999 unassigned, ≥ 5000): fail with 1002",
        phase: Phase::Content,
        apply: |i, g| {
            let code = g.pick(BAD_CODES);
            set_close(i, g, Frame::close(CloseCode(code), b""))
        },
    },
    Mutator {
        name: "close-bad-reason",
        family: "close",
        targets: "RFC 6455 §5.5.1 the Close reason MUST be valid UTF-8 (1007)",
        phase: Phase::Content,
        apply: |i, g| {
            let mut r = BytesMut::from(&b"going "[..]);
            r.extend_from_slice(g.pick(&[&[0xFF][..], &[0xC0, 0xAF], &[0xED, 0xA0, 0x80]]));
            set_close(i, g, Frame::close(CloseCode::NORMAL, &r))
        },
    },
    Mutator {
        name: "close-valid-code",
        family: "close",
        targets: "RFC 6455 §5.5.1 a valid Close (1000–1003, 1007–1011, 3000–4999, with a UTF-8 reason up to 123 bytes) must be answered and TCP closed",
        phase: Phase::Content,
        apply: |i, g| {
            let code = g.pick(&[
                1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
            ]);
            let n = g.below(124);
            let reason = g.text(n);
            set_close(i, g, Frame::close(CloseCode(code), &reason))
        },
    },
];

const BAD_CODES: &[u16] = &[
    0,
    999,
    1004,
    1005,
    1006,
    1012 + 4,
    1100,
    2000,
    2999,
    5000,
    65535,
];

/// Replaces the first Close with `close`, or appends it.
fn set_close(input: &mut Input, g: &mut Gen, close: Frame) -> bool {
    let close = g.masked(close);
    match input.indices_of(OpCode::CLOSE).first() {
        Some(&i) => input.frames[i] = close,
        None => input.frames.push(close),
    }
    true
}
