//! Delivery: the same bytes cut into TCP writes down to one byte, frame by
//! frame, or with pauses between writes. Never changes what a conforming
//! server must answer (RFC 6455 §5.4: intermediaries may re-chunk).

use std::time::Duration;

use super::input::Input;
use super::mutator::{Mutator, Phase};
use super::rng::Gen;
use crate::catalog::Delivery;

/// Above this many bytes a one-byte chop uses larger pieces (bounded cost).
const ONE_BYTE_LIMIT: usize = 4096;

/// The delivery mutators.
pub const MUTATORS: &[Mutator] = &[
    Mutator {
        name: "chop-one-byte",
        family: "delivery",
        targets: "every byte in its own TCP write: header parsers that assume a whole header per read (libhv#769 split-delivery over-read)",
        phase: Phase::Delivery,
        apply: |i, _| {
            let n = if i.wire_len() <= ONE_BYTE_LIMIT {
                1
            } else {
                1024
            };
            i.delivery = Delivery::Chops(n);
            true
        },
    },
    Mutator {
        name: "chop-random",
        family: "delivery",
        targets: "TCP writes of 2–64 bytes cutting headers, keys and payloads at arbitrary offsets",
        phase: Phase::Delivery,
        apply: |i, g| {
            let n = g.range(2, 64).max(i.wire_len() / 256);
            i.delivery = Delivery::Chops(n);
            true
        },
    },
    Mutator {
        name: "frame-wise",
        family: "delivery",
        targets: "one TCP write per frame",
        phase: Phase::Delivery,
        apply: |i, _| {
            i.delivery = Delivery::FrameWise;
            true
        },
    },
    Mutator {
        name: "pause-between-writes",
        family: "delivery",
        targets: "pauses of 2–30 ms between frames: read loops that assume a message arrives in one read",
        phase: Phase::Delivery,
        apply: pauses,
    },
];

fn pauses(input: &mut Input, g: &mut Gen) -> bool {
    if input.frames.len() < 2 {
        return false;
    }
    for _ in 0..g.range(1, 3) {
        let at = g.below(input.frames.len() - 1);
        if !input.pauses.contains(&at) {
            input.pauses.push(at);
        }
    }
    input.pauses.sort_unstable();
    input.pause = Duration::from_millis(g.range(2, 30) as u64);
    true
}
