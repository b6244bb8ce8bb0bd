//! Valid base traffic the mutators start from: text and binary echoes at
//! every length form (7-bit, 16-bit, 64-bit), fragmented messages, pings
//! and close handshakes. Unmutated, every scenario must be echoed and closed
//! cleanly by a conforming server.

use bytes::Bytes;

use super::input::Input;
use super::rng::Gen;
use crate::codec::{CloseCode, Frame, OpCode};

/// Payload sizes around every length-form boundary (RFC 6455 §5.2): the
/// 7-bit form up to 125, the 16-bit form from 126, the 64-bit form from 65536.
const SIZES: &[usize] = &[0, 1, 7, 60, 125, 126, 127, 200, 1000, 4096];
const LARGE_SIZES: &[usize] = &[65_535, 65_536, 70_000];

/// A base scenario, chosen and filled from `g`.
pub fn scenario(g: &mut Gen) -> Input {
    match g.below(10) {
        0..=2 => echo(g, OpCode::TEXT),
        3..=4 => echo(g, OpCode::BINARY),
        5..=6 => fragmented(g),
        7 => ping(g),
        8 => close(g),
        _ => mixed(g),
    }
}

/// A payload size: mostly small, every length form represented.
pub fn size(g: &mut Gen) -> usize {
    if g.one_in(16) {
        return g.pick(LARGE_SIZES);
    }
    let s = g.pick(SIZES);
    if g.one_in(3) { g.below(s + 1) } else { s }
}

/// A payload for `opcode`: text is valid UTF-8.
pub fn payload(g: &mut Gen, opcode: OpCode, n: usize) -> Bytes {
    if opcode == OpCode::TEXT {
        g.text(n)
    } else {
        g.bytes(n)
    }
}

fn echo(g: &mut Gen, opcode: OpCode) -> Input {
    let n = size(g);
    let p = payload(g, opcode, n);
    let f = g.masked(Frame::new(opcode, p));
    Input::new(
        if opcode == OpCode::TEXT {
            "text-echo"
        } else {
            "binary-echo"
        },
        vec![f],
    )
}

/// A message split into fragments at `cuts` (payload offsets), masked.
pub fn fragments(g: &mut Gen, opcode: OpCode, payload: &Bytes, parts: usize) -> Vec<Frame> {
    let parts = parts.max(1);
    let mut cuts: Vec<usize> = (1..parts).map(|_| g.below(payload.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.push(payload.len());
    let mut out = Vec::with_capacity(parts);
    let mut from = 0;
    for (i, cut) in cuts.into_iter().enumerate() {
        let op = if i == 0 { opcode } else { OpCode::CONTINUATION };
        let fin = i + 1 == parts;
        out.push(g.masked(Frame::new(op, payload.slice(from..cut)).fin(fin)));
        from = cut;
    }
    out
}

fn fragmented(g: &mut Gen) -> Input {
    let opcode = g.pick(&[OpCode::TEXT, OpCode::BINARY]);
    let n = size(g).max(2);
    let p = payload(g, opcode, n);
    let parts = g.range(2, 5);
    Input::new("fragmented", fragments(g, opcode, &p, parts))
}

fn ping(g: &mut Gen) -> Input {
    let n = g.below(126);
    let p = g.bytes(n);
    let mut frames = vec![g.masked(Frame::ping(p))];
    if g.one_in(2) {
        let t = g.text(10);
        frames.push(g.masked(Frame::text(t)));
    }
    Input::new("ping", frames)
}

fn close(g: &mut Gen) -> Input {
    let mut frames = Vec::new();
    if g.one_in(2) {
        let t = g.text(20);
        frames.push(g.masked(Frame::text(t)));
    }
    let code = g.pick(&[1000u16, 1001, 1003, 1007, 3000, 4000, 4999]);
    let close = match g.below(3) {
        0 => Frame::close_empty(),
        1 => Frame::close(CloseCode(code), b""),
        _ => Frame::close(CloseCode(code), "bye \u{1F44B}".as_bytes()),
    };
    frames.push(g.masked(close));
    Input::new("close", frames)
}

fn mixed(g: &mut Gen) -> Input {
    let mut frames = Vec::new();
    for _ in 0..g.range(2, 4) {
        let opcode = g.pick(&[OpCode::TEXT, OpCode::BINARY, OpCode::PING]);
        let n = size(g).min(if opcode == OpCode::PING { 125 } else { 4096 });
        let p = payload(g, opcode, n);
        frames.push(g.masked(Frame::new(opcode, p)));
    }
    Input::new("mixed", frames)
}
