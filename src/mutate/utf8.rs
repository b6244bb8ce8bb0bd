//! UTF-8 breakage in text messages: invalid bytes, code points split across
//! fragments (valid), overlong forms, surrogates, a message ending inside a
//! code point.

use bytes::{Bytes, BytesMut};

use super::input::Input;
use super::mutator::{Mutator, Phase};
use super::rng::Gen;
use crate::codec::{Frame, OpCode};

/// The UTF-8 mutators.
pub const MUTATORS: &[Mutator] = &[
    Mutator {
        name: "utf8-invalid-byte",
        family: "utf8",
        targets: "RFC 6455 §8.1 \"When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_\" (1007): bytes that never occur, stray continuations, code points above U+10FFFF",
        phase: Phase::Content,
        apply: |i, g| insert_bad(i, g, INVALID),
    },
    Mutator {
        name: "utf8-split-codepoint",
        family: "utf8",
        targets: "RFC 6455 §5.6 validity is of the whole message: a code point split across two fragments is valid and must be echoed",
        phase: Phase::Content,
        apply: split_codepoint,
    },
    Mutator {
        name: "utf8-overlong",
        family: "utf8",
        targets: "RFC 3629 §3 overlong encodings are invalid UTF-8 (RFC 6455 §8.1, 1007)",
        phase: Phase::Content,
        apply: |i, g| insert_bad(i, g, OVERLONG),
    },
    Mutator {
        name: "utf8-surrogate",
        family: "utf8",
        targets: "UTF-16 surrogates U+D800–U+DFFF encoded in UTF-8 are invalid (RFC 6455 §8.1, 1007)",
        phase: Phase::Content,
        apply: |i, g| insert_bad(i, g, SURROGATE),
    },
    Mutator {
        name: "utf8-truncated",
        family: "utf8",
        targets: "a text message that ends inside a code point (RFC 6455 §8.1, 1007)",
        phase: Phase::Content,
        apply: truncated,
    },
];

const INVALID: &[&[u8]] = &[
    &[0xFF],
    &[0xFE],
    &[0x80],
    &[0xBF],
    &[0xC0],
    &[0xF5, 0x80, 0x80, 0x80],
    &[0xF4, 0x90, 0x80, 0x80],
];
const OVERLONG: &[&[u8]] = &[
    &[0xC0, 0xAF],
    &[0xC1, 0xBF],
    &[0xE0, 0x80, 0xAF],
    &[0xF0, 0x80, 0x80, 0xAF],
    &[0xF0, 0x8F, 0xBF, 0xBF],
];
const SURROGATE: &[&[u8]] = &[
    &[0xED, 0xA0, 0x80],
    &[0xED, 0xAD, 0xBF],
    &[0xED, 0xBF, 0xBF],
];

/// A text frame's index (first fragment or whole), adding one if none.
fn text_frame(input: &mut Input, g: &mut Gen) -> usize {
    let texts = input.indices_of(OpCode::TEXT);
    if !texts.is_empty() {
        return g.pick(&texts);
    }
    let n = g.range(1, 40);
    let t = g.text(n);
    let f = g.masked(Frame::text(t));
    input.insert(0, f);
    0
}

/// Char boundaries of a payload (every offset when it is not UTF-8).
fn boundaries(p: &[u8]) -> Vec<usize> {
    match std::str::from_utf8(p) {
        Ok(s) => s.char_indices().map(|(i, _)| i).chain([p.len()]).collect(),
        Err(_) => (0..=p.len()).collect(),
    }
}

fn insert_bad(input: &mut Input, g: &mut Gen, seqs: &[&[u8]]) -> bool {
    let i = text_frame(input, g);
    let f = &mut input.frames[i];
    let at = g.pick(&boundaries(&f.payload));
    let mut p = BytesMut::from(&f.payload[..at]);
    p.extend_from_slice(g.pick(seqs));
    p.extend_from_slice(&f.payload[at..]);
    set_payload(f, p.freeze());
    true
}

fn truncated(input: &mut Input, g: &mut Gen) -> bool {
    let i = text_frame(input, g);
    let f = &mut input.frames[i];
    let mut p = BytesMut::from(&f.payload[..]);
    p.extend_from_slice(&"€😀".as_bytes()[..g.range(1, 2)]);
    set_payload(f, p.freeze());
    true
}

/// Keeps the declared length honest when the payload changes size.
fn set_payload(f: &mut Frame, p: Bytes) {
    if f.header.len.value() == f.payload.len() as u64 {
        f.header.len = crate::codec::PayloadLen::minimal(p.len() as u64);
    }
    f.payload = p;
}

fn split_codepoint(input: &mut Input, g: &mut Gen) -> bool {
    let whole: Vec<usize> = input
        .whole_messages()
        .into_iter()
        .filter(|&i| input.frames[i].header.opcode == OpCode::TEXT)
        .collect();
    let i = if whole.is_empty() {
        let t = Bytes::from(format!("a€b{}", "😀"));
        let f = g.masked(Frame::text(t));
        input.insert(0, f);
        0
    } else {
        g.pick(&whole)
    };
    let p = input.frames[i].payload.clone();
    let inner: Vec<usize> = (1..p.len()).filter(|&k| p[k] & 0xC0 == 0x80).collect();
    if inner.is_empty() {
        return false;
    }
    let cut = g.pick(&inner);
    let key = input.frames[i].header.mask;
    let mut first = Frame::text(p.slice(..cut)).fin(false);
    let mut second = Frame::continuation(p.slice(cut..));
    first.header.mask = key;
    second.header.mask = key.map(|_| g.key());
    input.frames[i] = first;
    input.insert(i + 1, second);
    true
}
