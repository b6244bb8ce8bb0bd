//! Header bits: FIN and RSV1–RSV3.

use super::input::Input;
use super::mutator::{Mutator, Phase};
use super::rng::Gen;

/// The header-bit mutators.
pub const MUTATORS: &[Mutator] = &[
    Mutator {
        name: "fin-flip",
        family: "header",
        targets: "RFC 6455 §5.4 fragmentation and §5.5 \"Control frames themselves MUST NOT be fragmented\": a FIN bit toggled opens a message that never ends, orphans a continuation or fragments a control frame",
        phase: Phase::Content,
        apply: fin_flip,
    },
    Mutator {
        name: "rsv1",
        family: "header",
        targets: "RFC 6455 §5.2 \"RSV1, RSV2, RSV3: 1 bit each. MUST be 0 unless an extension is negotiated\" (RSV1 is permessage-deflate's bit)",
        phase: Phase::Content,
        apply: |i, g| set_rsv(i, g, 4),
    },
    Mutator {
        name: "rsv2",
        family: "header",
        targets: "RFC 6455 §5.2 reserved bits; a 2-byte RSV2 frame crashed @fastify/websocket (CVE-2022-39386)",
        phase: Phase::Content,
        apply: |i, g| set_rsv(i, g, 2),
    },
    Mutator {
        name: "rsv3",
        family: "header",
        targets: "RFC 6455 §5.2 reserved bits (RSV3)",
        phase: Phase::Content,
        apply: |i, g| set_rsv(i, g, 1),
    },
];

fn fin_flip(input: &mut Input, g: &mut Gen) -> bool {
    if input.frames.is_empty() {
        return false;
    }
    let i = g.below(input.frames.len());
    let h = &mut input.frames[i].header;
    h.fin = !h.fin;
    true
}

fn set_rsv(input: &mut Input, g: &mut Gen, bit: u8) -> bool {
    if input.frames.is_empty() {
        return false;
    }
    let i = g.below(input.frames.len());
    input.frames[i].header.rsv |= bit;
    true
}
