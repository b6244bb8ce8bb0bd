//! permessage-deflate (RFC 7692): RSV1 where §6.1 forbids it or where it
//! changes what a message means, compressed payloads that do not inflate,
//! bombs, window violations, final-block and sync-flush forms, compressed
//! and uncompressed messages on one connection, and (in `deflate_context`)
//! a copy into the previous message. Every mutator
//! applies to deflate inputs only (those whose handshake offers deflate);
//! the model, an endpoint that agreed to deflate, inflates what is sent and
//! says what is owed.

use bytes::Bytes;

use super::base::{fragments, payload};
use super::deflate_base::{RSV1, compress, raw_compressed, split_compressed};
use super::deflate_messages::{Message, boundaries, choose, message_bytes, messages, replace};
use super::input::Input;
use super::mutator::{Mutator, Phase};
use super::rng::Gen;
use crate::catalog::Judge;
use crate::codec::deflate::{DeflateParams, streams};
use crate::codec::{Frame, OpCode};

/// Bomb sizes, inflated: a few MiB, so the tester stays bounded.
const BOMBS: &[u64] = &[1 << 20, 2 << 20, 4 << 20];

/// The deflate mutators.
pub const MUTATORS: &[Mutator] = &[
    Mutator {
        name: "deflate-rsv1-control",
        family: "deflate",
        targets: "RFC 7692 §6.1 \"An endpoint MUST NOT set the 'Per-Message Compressed' bit of control frames\": RSV1 on a ping, pong or close must fail the connection (bun PR #33001: RSV1 on a ping made the next data frame inflate)",
        phase: Phase::Content,
        apply: rsv1_control,
    },
    Mutator {
        name: "deflate-rsv1-continuation",
        family: "deflate",
        targets: "RFC 7692 §6.1 RSV1 on a non-first fragment of a data message must fail the connection (jetty #3159, python-websockets #1720, bun PR #33395 accepted it)",
        phase: Phase::Content,
        apply: rsv1_continuation,
    },
    Mutator {
        name: "deflate-rsv1-plain",
        family: "deflate",
        targets: "RFC 7692 §6.2: RSV1 set on the first frame of an uncompressed message makes its plain bytes a DEFLATE stream to inflate (they rarely do: fail; inflated text must be UTF-8)",
        phase: Phase::Content,
        apply: rsv1_plain,
    },
    Mutator {
        name: "deflate-rsv1-clear",
        family: "deflate",
        targets: "RFC 7692 §6: RSV1 cleared on a compressed message makes its compressed bytes the message itself: echoed as they are, or 1007 for text that is not UTF-8 (Java-WebSocket #1093 assumed every message compressed)",
        phase: Phase::Content,
        apply: rsv1_clear,
    },
    Mutator {
        name: "deflate-corrupt",
        family: "deflate",
        targets: "RFC 7692 §6.2 data that cannot be inflated fails the connection: a message replaced by a reserved block type, a stored block whose NLEN is not ~LEN, literal/length symbol 286 or distance symbol 30",
        phase: Phase::Content,
        apply: corrupt,
    },
    Mutator {
        name: "deflate-truncate",
        family: "deflate",
        targets: "RFC 7692 §6.2 a compressed payload cut short (or a stored block announcing more than it holds): strict receivers fail, zlib-based ones deliver what inflated; recorded, not judged (informational), so only a crash or an invalid server frame is a finding",
        phase: Phase::Content,
        apply: truncate,
    },
    Mutator {
        name: "deflate-bomb",
        family: "deflate",
        targets: "RFC 6455 §10.4 limits apply to the inflated message: a few KiB that inflate to 1–4 MiB, refused with 1009 or echoed whole (python-websockets CVE-2018-1000518, undici CVE-2026-1526, autobahn-python GHSA-hxp9-w8x3-p566 checked the compressed size)",
        phase: Phase::Content,
        apply: bomb,
    },
    Mutator {
        name: "deflate-distance-too-far",
        family: "deflate",
        targets: "RFC 7692 §6.2 a copy from before the first byte the receiver has (the first compressed message on the connection): it cannot be inflated and must fail the connection",
        phase: Phase::Content,
        apply: distance_too_far,
    },
    Mutator {
        name: "deflate-window-narrowed",
        family: "deflate",
        targets: "RFC 7692 §7.1.2.2 offer client_max_window_bits (bare or 8–10), then a copy from 600–2000 bytes back, beyond the window a narrowed agreement allows; the MUST binds the sender, so recorded, not judged (window-bits-8 bugs: madler/zlib #171, Node #14847, ratchet RFC6455 #22)",
        phase: Phase::Content,
        apply: window_narrowed,
    },
    Mutator {
        name: "deflate-final-block",
        family: "deflate",
        targets: "RFC 7692 §6.1/§7.2.3 message ends: a BFINAL block then an empty stored block's header (§7.2.3.4, valid), the empty message 0x00 (§7.2.3.6, valid), a final block and nothing after it, or 00 00 ff ff left on (strict receivers fail, lenient ones deliver: recorded, not judged)",
        phase: Phase::Content,
        apply: final_block,
    },
    Mutator {
        name: "deflate-mixed",
        family: "deflate",
        targets: "RFC 7692 §6: the 'Per-Message Compressed' bit tells which messages to inflate: a raw compressed message and a plain fragmented one added between the others, all echoed (Java-WebSocket #1093, aiohttp PR #12976)",
        phase: Phase::Content,
        apply: mixed,
    },
    Mutator {
        name: "deflate-control-between-fragments",
        family: "deflate",
        targets: "RFC 6455 §5.4 and RFC 7692 §6.1: a ping or pong between the fragments of a compressed message; valid, the pong and the inflated echo owed (libwebsockets #1470: a pong between compressed fragments broke inflation)",
        phase: Phase::Content,
        apply: control_between_fragments,
    },
    super::deflate_context::CONTEXT_REFERENCE,
];

/// Puts `frames` in place of a compressed message (any message when there
/// is no compressed one), or adds them at a message boundary.
fn put_message(input: &mut Input, g: &mut Gen, frames: Vec<Frame>) {
    let target = choose(input, g, |m| m.compressed).or_else(|| choose(input, g, |_| true));
    match target {
        Some(m) if !g.one_in(4) => replace(input, m, frames),
        _ => {
            let b = boundaries(input);
            let at = g.pick(&b);
            for (k, f) in frames.into_iter().enumerate() {
                input.insert(at + k, f);
            }
        }
    }
}

/// The opcode of the message `put_message` will likely replace.
fn opcode_for(input: &Input, g: &mut Gen) -> OpCode {
    match choose(input, g, |m| m.compressed) {
        Some(m) => input.frames[m.first].header.opcode,
        None => g.pick(&[OpCode::TEXT, OpCode::BINARY]),
    }
}

fn rsv1_control(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let controls: Vec<usize> = (0..input.frames.len())
        .filter(|&i| input.frames[i].header.opcode.is_control())
        .collect();
    if controls.is_empty() || g.one_in(3) {
        let op = g.pick(&[OpCode::PING, OpCode::PING, OpCode::PONG]);
        let n = g.below(20);
        let p = g.bytes(n);
        let f = g.masked(Frame::new(op, p).rsv(RSV1));
        let at = g.below(input.frames.len() + 1);
        input.insert(at, f);
    } else {
        let i = g.pick(&controls);
        input.frames[i].header.rsv |= RSV1;
    }
    true
}

fn rsv1_continuation(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    if input.indices_of(OpCode::CONTINUATION).is_empty() {
        let split = match choose(input, g, |m| m.first == m.last) {
            Some(m) => {
                let f = input.frames[m.first].clone();
                let parts = g.range(2, 3);
                let mut frames = fragments(g, f.header.opcode, &f.payload, parts);
                frames[0].header.rsv = f.header.rsv;
                replace(input, m, frames);
                true
            }
            None => false,
        };
        if !split {
            let frames = super::deflate_base::fragmented(g);
            let at = g.pick(&boundaries(input));
            for (k, f) in frames.into_iter().enumerate() {
                input.insert(at + k, f);
            }
        }
    }
    let conts = input.indices_of(OpCode::CONTINUATION);
    let i = g.pick(&conts);
    input.frames[i].header.rsv |= RSV1;
    true
}

fn rsv1_plain(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let m = match choose(input, g, |m| !m.compressed) {
        Some(m) => m,
        None => {
            let n = g.range(1, 40);
            let t = g.text(n);
            let at = g.pick(&boundaries(input));
            input.insert(at, g.masked(Frame::text(t)));
            Message {
                first: at,
                last: at,
                compressed: false,
            }
        }
    };
    input.frames[m.first].header.rsv |= RSV1;
    true
}

fn rsv1_clear(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let Some(m) = choose(input, g, |m| m.compressed) else {
        return false;
    };
    input.frames[m.first].header.rsv &= !RSV1;
    true
}

fn corrupt(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let bad: [fn() -> Vec<u8>; 4] = [
        streams::reserved_block_type,
        streams::stored_length_mismatch,
        streams::invalid_length_symbol,
        streams::invalid_distance_symbol,
    ];
    let stream = bad[g.below(bad.len())]();
    let op = opcode_for(input, g);
    let f = raw_compressed(g, op, stream);
    put_message(input, g, vec![f]);
    true
}

fn truncate(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let stream = match choose(input, g, |m| m.compressed) {
        Some(m) if !g.one_in(4) => {
            let bytes = message_bytes(input, m);
            if bytes.len() < 2 {
                return false;
            }
            let op = input.frames[m.first].header.opcode;
            let cut = g.range(1, bytes.len() - 1);
            let f = raw_compressed(g, op, bytes[..cut].to_vec());
            replace(input, m, vec![f]);
            input.judge_as = Some(Judge::Informational);
            return true;
        }
        _ if g.one_in(2) => streams::truncated(),
        _ => streams::truncated_block(),
    };
    let op = opcode_for(input, g);
    let f = raw_compressed(g, op, stream);
    put_message(input, g, vec![f]);
    input.judge_as = Some(Judge::Informational);
    true
}

fn bomb(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let size = g.pick(BOMBS) + g.below(1024) as u64;
    // A run of 'a': valid UTF-8 too.
    let op = opcode_for(input, g);
    let f = raw_compressed(g, op, streams::bomb(size));
    put_message(input, g, vec![f]);
    // An input already recorded (a form strict receivers refuse) stays so;
    // after a copy into the previous message, whether that copy is owed
    // depends on the response (`ModelUnlessContextReset`), which stays too.
    if !matches!(
        input.judge_as,
        Some(Judge::Informational | Judge::ModelUnlessContextReset)
    ) {
        input.judge_as = Some(Judge::Bomb);
    }
    true
}

fn distance_too_far(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let history = g.below(300);
    // Binary: the unique bytes before the copy are not text.
    let f = raw_compressed(g, OpCode::BINARY, streams::distance_before_start(history));
    // The first compressed message, so no earlier one fills the window.
    match messages(input).into_iter().find(|m| m.compressed) {
        Some(m) => replace(input, m, vec![f]),
        None => input.insert(0, f),
    }
    true
}

fn window_narrowed(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let bits = if g.one_in(2) {
        None
    } else {
        Some(g.range(8, 10) as u8)
    };
    input.deflate = Some(DeflateParams::new().client_max_window_bits(bits));
    let distance = g.range(600, 2000) as u16;
    let f = raw_compressed(g, OpCode::BINARY, streams::distance_back(2000, distance));
    put_message(input, g, vec![f]);
    input.judge_as = Some(Judge::Informational);
    true
}

fn final_block(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let op = opcode_for(input, g);
    let n = g.range(1, 200);
    let plain = payload(g, op, n);
    let (stream, lenient) = match g.below(4) {
        0 => (streams::final_block(&plain), false),
        1 => (streams::ends_with_final_block(&plain), true),
        2 => (streams::unstripped_tail(&plain), true),
        _ => (streams::empty_message(), false),
    };
    let f = raw_compressed(g, op, stream);
    put_message(input, g, vec![f]);
    // Strict receivers refuse the forms the sender's algorithm (RFC 7692
    // §7.2.1) does not write, zlib-based ones deliver them: recorded, as
    // 22.2.9 and 22.2.10 are.
    if lenient {
        input.judge_as = Some(Judge::Informational);
    }
    true
}

fn mixed(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let op = g.pick(&[OpCode::TEXT, OpCode::BINARY]);
    let n = g.range(1, 300);
    let p = payload(g, op, n);
    let frames = if g.one_in(2) {
        vec![raw_compressed(g, op, streams::literals(&p))]
    } else {
        let parts = g.range(1, 3);
        split_compressed(g, op, compress(&p), parts)
    };
    insert_all(input, g, frames);
    plain_fragments(input, g)
}

/// Adds an uncompressed message in 2–3 fragments at a boundary.
fn plain_fragments(input: &mut Input, g: &mut Gen) -> bool {
    let op = g.pick(&[OpCode::TEXT, OpCode::BINARY]);
    let n = g.range(2, 300);
    let p = payload(g, op, n);
    let parts = g.range(2, 3);
    let frames = fragments(g, op, &p, parts);
    insert_all(input, g, frames);
    true
}

fn insert_all(input: &mut Input, g: &mut Gen, frames: Vec<Frame>) {
    let at = g.pick(&boundaries(input));
    for (k, f) in frames.into_iter().enumerate() {
        input.insert(at + k, f);
    }
}

fn control_between_fragments(input: &mut Input, g: &mut Gen) -> bool {
    if !input.is_deflate() {
        return false;
    }
    let m = match choose(input, g, |m| m.compressed && m.first < m.last) {
        Some(m) => m,
        None => {
            let Some(m) = choose(input, g, |m| m.compressed) else {
                return false;
            };
            let bytes = Bytes::from(message_bytes(input, m));
            let op = input.frames[m.first].header.opcode;
            let parts = g.range(2, 3);
            let frames = split_compressed(g, op, bytes, parts);
            let last = m.first + frames.len() - 1;
            replace(input, m, frames);
            Message { last, ..m }
        }
    };
    let op = g.pick(&[OpCode::PING, OpCode::PONG]);
    let n = g.below(20);
    let p = g.bytes(n);
    let f = g.masked(Frame::new(op, p));
    let at = g.range(m.first + 1, m.last);
    input.insert(at, f);
    true
}
