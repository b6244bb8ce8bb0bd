//! Context takeover (RFC 7692 §7.2.1, §7.2.2): a compressed message whose
//! copy reaches back into the bytes of the previous compressed message.
//!
//! With context takeover the receiver "MUST decompress each new message
//! using the LZ77 sliding window used to process the last compressed
//! message" (§7.2.2), so the copy inflates to the earlier bytes and the
//! model owes their echo. With `client_no_context_takeover` in the offer the
//! tester breaks a sender's rule instead (§7.2.1: "the client MUST start
//! compressing each new message with an empty LZ77 sliding window"), and the
//! receiver "MAY decompress each new message with an empty LZ77 sliding
//! window": the model, which resets its window as it agreed, fails the
//! connection, but a receiver that keeps its window and echoes conforms as
//! well. Which of the two holds is the server's response to say (it may add
//! `client_no_context_takeover` to an offer without it, or leave out the
//! one the offer hinted at), so the input is judged
//! [`Judge::ModelUnlessContextReset`]: by the model, or recorded when the
//! agreement resets the tester's context.

use bytes::Bytes;

use super::base::payload;
use super::deflate_base::{compressed, raw_compressed, split_compressed};
use super::deflate_messages::{Message, boundaries, message_bytes, messages, replace};
use super::input::Input;
use super::mutator::{Mutator, Phase};
use super::rng::Gen;
use crate::catalog::Judge;
use crate::codec::OpCode;
use crate::codec::deflate::{DeflateParams, Direction, InflateConfig, Inflater, streams};

/// The largest window (RFC 7692 §7.1.2: 2^15 bytes): what the tail of the
/// previous message is kept to.
const WINDOW: usize = 1 << 15;

/// Largest message inflated to find the previous one's bytes (a bomb
/// earlier in the input inflates to at most a few MiB).
const MAX_INFLATED: u64 = 8 << 20;

/// The mutator.
pub const CONTEXT_REFERENCE: Mutator = Mutator {
    name: "deflate-context-reference",
    family: "deflate",
    targets: "RFC 7692 §7.2.2 a compressed message whose copy reaches into the previous compressed message: with context takeover the server \"MUST decompress each new message using the LZ77 sliding window used to process the last compressed message\" and echo it; with client_no_context_takeover offered it \"MAY decompress each new message with an empty LZ77 sliding window\", so once the response holds it failing or echoing is recorded, not judged (bun PR #33003: the second compressed message killed the connection; sockudo-ws PR #14: windows out of step)",
    phase: Phase::Content,
    apply: context_reference,
};

fn context_reference(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let mut out = input.clone();
    let Some((target, history)) = target_and_history(&mut out, g) else {
        return false;
    };
    let window = out
        .assumed_direction()
        .map_or(WINDOW, |d| d.window_size() as usize);
    let original = out.frames[target.first].header.opcode;
    let (stream, plain) = reference(g, original, &history, window);
    // A copy that starts or ends inside a character is sent as binary.
    let op = match std::str::from_utf8(&plain) {
        Err(_) if original == OpCode::TEXT => OpCode::BINARY,
        _ => original,
    };
    let frames = if g.one_in(3) {
        let parts = g.range(2, 3);
        split_compressed(g, op, Bytes::from(stream), parts)
    } else {
        vec![raw_compressed(g, op, stream)]
    };
    replace(&mut out, target, frames);
    if g.one_in(2) {
        out.deflate = out.deflate.map(DeflateParams::client_no_context_takeover);
    }
    // An informational form stacked with it stays informational; a bomb's
    // echo is judged by the model too (refusing it is then a server limit).
    if out.judge_as != Some(Judge::Informational) {
        out.judge_as = Some(Judge::ModelUnlessContextReset);
    }
    *input = out;
    true
}

/// The compressed messages of `input`, in order.
fn compressed_messages(input: &Input) -> Vec<Message> {
    messages(input)
        .into_iter()
        .filter(|m| m.compressed)
        .collect()
}

/// A compressed message that follows another compressed one, and the last
/// bytes (at most [`WINDOW`]) the one before it inflates to. An input with
/// fewer than two compressed messages gets fresh ones before its first;
/// `None` when an earlier compressed message does not inflate.
fn target_and_history(input: &mut Input, g: &mut Gen) -> Option<(Message, Vec<u8>)> {
    while compressed_messages(input).len() < 2 {
        let first = compressed_messages(input)
            .first()
            .map_or(input.frames.len(), |m| m.first);
        let before: Vec<usize> = boundaries(input)
            .into_iter()
            .filter(|&b| b <= first)
            .collect();
        let at = g.pick(&before);
        let (f, _) = fresh(g);
        input.insert(at, f);
    }
    let ms = compressed_messages(input);
    let t = g.range(1, ms.len() - 1);
    let history = inflated_tail(input, &ms[..t])?;
    if !history.is_empty() {
        return Some((ms[t], history));
    }
    // The previous message is empty: a fresh one goes right before the target.
    let target = ms[t];
    let (f, plain) = fresh(g);
    input.insert(target.first, f);
    let moved = Message {
        first: target.first + 1,
        last: target.last + 1,
        ..target
    };
    Some((moved, plain))
}

/// A new compressed message of 8–300 bytes, and its plain bytes.
fn fresh(g: &mut Gen) -> (crate::codec::Frame, Vec<u8>) {
    let op = g.pick(&[OpCode::TEXT, OpCode::BINARY]);
    let n = g.range(8, 300);
    let p = payload(g, op, n);
    (compressed(g, op, &p), p.to_vec())
}

/// What the last of `ms` inflates to (its last [`WINDOW`] bytes), every one
/// inflated in order with the context kept.
fn inflated_tail(input: &Input, ms: &[Message]) -> Option<Vec<u8>> {
    let kept = Direction {
        window_bits: 15,
        no_context_takeover: false,
    };
    let mut inflater = Inflater::new(InflateConfig::new(kept, MAX_INFLATED));
    let mut tail = Vec::new();
    for &m in ms {
        tail.clear();
        let bytes = message_bytes(input, m);
        let mut keep = |b: &[u8]| {
            tail.extend_from_slice(b);
            let over = tail.len().saturating_sub(WINDOW);
            tail.drain(..over);
        };
        inflater.inflate_message([&bytes[..]], &mut keep).ok()?;
    }
    Some(tail)
}

/// A stream of up to 23 literals, one copy that starts in `history` (the
/// previous message's inflated bytes, non-empty) within `window`, and up to
/// 23 more literals; and what it inflates to with the context kept.
fn reference(g: &mut Gen, op: OpCode, history: &[u8], window: usize) -> (Vec<u8>, Vec<u8>) {
    let n = g.below(24);
    let head = payload(g, op, n);
    let n = g.below(24);
    let tail = payload(g, op, n);
    let reach = history.len().min(window - head.len());
    let distance = head.len() + g.range(1, reach);
    let len = g.range(3, 258);
    // The receiver's window: the previous message, then this one so far.
    let mut seen: Vec<u8> = history.iter().chain(head.iter()).copied().collect();
    let start = seen.len() - distance;
    for i in 0..len {
        seen.push(seen[start + i]);
    }
    let mut plain = seen.split_off(history.len());
    plain.extend_from_slice(&tail);
    let stream = streams::refers_back(&head, len as u16, distance as u16, &tail);
    (stream, plain)
}
