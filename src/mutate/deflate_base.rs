//! Valid base traffic for inputs that negotiate permessage-deflate: whole
//! messages compressed by the engine itself (RSV1 on the first frame only,
//! RFC 7692 §6.1), compressed messages cut into fragments, and compressed
//! and uncompressed messages on one connection. The frames are final: the
//! session sends them as they are (`Step::SendAsIs`) and the model, an
//! endpoint that agreed to deflate, inflates every RSV1 message.
//!
//! Each message is compressed on its own (an empty window, a 32 KiB one at
//! most), so it inflates the same under any response the plain offer can
//! get: with or without context takeover, and the client's window can only
//! be narrowed when the offer names `client_max_window_bits` (§7.1.2.2).

use bytes::Bytes;

use super::base::{fragments, payload, size};
use super::input::Input;
use super::rng::Gen;
use crate::codec::deflate::{DeflateParams, Deflater, Direction};
use crate::codec::{Frame, OpCode};

/// RSV1, the "Per-Message Compressed" bit (RFC 7692 §6).
pub const RSV1: u8 = 4;

/// Largest plain message a deflate scenario compresses.
const MAX_PLAIN: usize = 4096;

/// `message` compressed on its own, as a sender with an empty window and
/// the default 15-bit window writes it (RFC 7692 §7.2.1).
pub fn compress(message: &[u8]) -> Bytes {
    let fresh = Direction {
        window_bits: 15,
        no_context_takeover: true,
    };
    Bytes::from(Deflater::new(fresh, 1).compress(message))
}

/// A whole compressed message of `opcode` for `plain`, masked.
pub fn compressed(g: &mut Gen, opcode: OpCode, plain: &[u8]) -> Frame {
    g.masked(Frame::new(opcode, compress(plain)).rsv(RSV1))
}

/// A compressed message made of `payload` (already DEFLATE), masked.
pub fn raw_compressed(g: &mut Gen, opcode: OpCode, payload: Vec<u8>) -> Frame {
    g.masked(Frame::new(opcode, Bytes::from(payload)).rsv(RSV1))
}

/// A deflate scenario, chosen and filled from `g`.
pub fn scenario(g: &mut Gen) -> Input {
    let offer = DeflateParams::new();
    match g.below(8) {
        0..=2 => {
            let op = g.pick(&[OpCode::TEXT, OpCode::BINARY]);
            let f = one(g, op);
            Input::with_deflate("deflate-echo", vec![f], offer)
        }
        3..=4 => Input::with_deflate("deflate-fragmented", fragmented(g), offer),
        _ => Input::with_deflate("deflate-mixed", mixed(g), offer),
    }
}

fn plain(g: &mut Gen, op: OpCode) -> Bytes {
    let n = size(g).min(MAX_PLAIN);
    payload(g, op, n)
}

fn one(g: &mut Gen, op: OpCode) -> Frame {
    let p = plain(g, op);
    compressed(g, op, &p)
}

/// A compressed message in 2–4 fragments: RSV1 on the first only.
pub fn fragmented(g: &mut Gen) -> Vec<Frame> {
    let op = g.pick(&[OpCode::TEXT, OpCode::BINARY]);
    let p = plain(g, op);
    let parts = g.range(2, 4);
    split_compressed(g, op, compress(&p), parts)
}

/// Compressed bytes cut into `parts` frames, RSV1 on the first (§6.1).
pub fn split_compressed(g: &mut Gen, op: OpCode, bytes: Bytes, parts: usize) -> Vec<Frame> {
    let mut frames = fragments(g, op, &bytes, parts);
    frames[0].header.rsv = RSV1;
    frames
}

/// Compressed and uncompressed messages and a ping on one connection.
fn mixed(g: &mut Gen) -> Vec<Frame> {
    let mut frames = Vec::new();
    for _ in 0..g.range(2, 4) {
        match g.below(4) {
            0 => frames.extend(fragmented(g)),
            1 => {
                // An uncompressed message, whole or fragmented: RSV1 clear
                // (§6: a message may go uncompressed with deflate agreed).
                let op = g.pick(&[OpCode::TEXT, OpCode::BINARY]);
                let p = plain(g, op);
                let parts = g.range(1, 3);
                frames.extend(fragments(g, op, &p, parts));
            }
            2 => {
                let n = g.below(126);
                let p = g.bytes(n);
                frames.push(g.masked(Frame::ping(p)));
            }
            _ => {
                let op = g.pick(&[OpCode::TEXT, OpCode::BINARY]);
                frames.push(one(g, op));
            }
        }
    }
    frames
}
