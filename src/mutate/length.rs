//! Length lies: declared longer or shorter than delivered, non-minimal
//! forms, the 64-bit MSB, lengths near `u64::MAX`, and a huge length on a
//! reserved opcode. A lie that leaves the stream inside a frame ends the
//! input there; if its header alone does not call for failing, the lying
//! frame is sent alone (judged `NoReply`).

use super::input::{Input, MIN_SHORTFALL};
use super::mutator::{Mutator, Phase};
use super::rng::Gen;
use crate::codec::{OpCode, PayloadLen};
use crate::model::End;

/// The length mutators.
pub const MUTATORS: &[Mutator] = &[
    Mutator {
        name: "len-declared-longer",
        family: "length",
        targets: "declared length larger than what is delivered: the endpoint must wait without replying or allocating the declared size (rust-websocket RUSTSEC-2022-0035)",
        phase: Phase::Length,
        apply: |i, g| {
            lie(i, g, |n, g| {
                PayloadLen::minimal(n + g.range(MIN_SHORTFALL, 1000) as u64)
            })
        },
    },
    Mutator {
        name: "len-declared-shorter",
        family: "length",
        targets: "declared length smaller than what is delivered: the rest is parsed as the next frame header (desync)",
        phase: Phase::Length,
        apply: shorter,
    },
    Mutator {
        name: "len-non-minimal",
        family: "length",
        targets: "RFC 6455 §5.2 \"the minimal number of bytes MUST be used to encode the length\" — a sender rule: the receiver may accept or fail with 1002",
        phase: Phase::Length,
        apply: non_minimal,
    },
    Mutator {
        name: "len-msb-set",
        family: "length",
        targets: "RFC 6455 §5.2 \"the most significant bit MUST be 0\" in the 64-bit length; Tomcat CVE-2020-13935 looped forever on it",
        phase: Phase::Length,
        apply: |i, g| {
            lie(i, g, |n, g| {
                PayloadLen::Len64((1 << 63) | if g.one_in(2) { n } else { g.u64() })
            })
        },
    },
    Mutator {
        name: "len-near-max",
        family: "length",
        targets: "lengths near u64::MAX and 32-bit truncation (2^32 + n): overflowing remaining-byte counters (gorilla CVE-2020-27813, libre CVE-2026-50161, libsoup CVE-2026-0716)",
        phase: Phase::Length,
        apply: |i, g| {
            lie(i, g, |n, g| {
                PayloadLen::Len64(g.pick(&[
                    u64::MAX,
                    u64::MAX - 1,
                    i64::MAX as u64,
                    (1 << 32) | n,
                    u64::from(u32::MAX),
                ]))
            })
        },
    },
    Mutator {
        name: "len-huge-reserved-opcode",
        family: "length",
        targets: "a reserved opcode with a huge declared length: fail with 1002 before allocating (Jetty CVE-2026-19204)",
        phase: Phase::Length,
        apply: huge_reserved,
    },
];

/// Gives a frame the declared length `declare(real length)`, ends the input
/// there, and isolates the frame when its header alone owes no failure.
fn lie(input: &mut Input, g: &mut Gen, declare: fn(u64, &mut Gen) -> PayloadLen) -> bool {
    if input.frames.is_empty() {
        return false;
    }
    let i = g.below(input.frames.len());
    let n = input.frames[i].payload.len() as u64;
    let len = declare(n, g);
    if len.value() == n {
        return false;
    }
    input.frames[i].header.len = len;
    input.truncate_after(i);
    if len.value() > n && !matches!(input.expectation().0.end, End::Fail { .. }) {
        input.frames.drain(..i);
        input.pauses.clear();
    }
    true
}

fn shorter(input: &mut Input, g: &mut Gen) -> bool {
    let long: Vec<usize> = (0..input.frames.len())
        .filter(|&i| !input.frames[i].payload.is_empty())
        .collect();
    if long.is_empty() {
        return false;
    }
    let i = g.pick(&long);
    let n = input.frames[i].payload.len() as u64;
    let declared = n - g.range(1, n.min(8) as usize) as u64;
    input.frames[i].header.len = PayloadLen::minimal(declared);
    true
}

fn non_minimal(input: &mut Input, g: &mut Gen) -> bool {
    if input.frames.is_empty() {
        return false;
    }
    let i = g.below(input.frames.len());
    let h = &mut input.frames[i].header;
    let n = h.len.value();
    h.len = match h.len {
        PayloadLen::Len7(_) if g.one_in(2) => PayloadLen::Len16(n as u16),
        PayloadLen::Len64(_) => return false,
        _ => PayloadLen::Len64(n),
    };
    true
}

fn huge_reserved(input: &mut Input, g: &mut Gen) -> bool {
    if input.frames.is_empty() {
        return false;
    }
    let i = g.below(input.frames.len());
    let h = &mut input.frames[i].header;
    h.opcode = OpCode(g.pick(&[3, 5, 7, 0xB, 0xF]));
    h.len = PayloadLen::Len64(g.pick(&[1 << 40, 1 << 62, i64::MAX as u64]));
    input.truncate_after(i);
    true
}
