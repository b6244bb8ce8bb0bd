//! Masking: unmasked client frames, and mask keys a careless unmasker gets
//! wrong (all zero: the MASK bit set without changing a byte; all ones;
//! patterns).

use super::input::Input;
use super::mutator::{Mutator, Phase};
use super::rng::Gen;

/// The masking mutators.
pub const MUTATORS: &[Mutator] = &[
    Mutator {
        name: "unmasked",
        family: "masking",
        targets: "RFC 6455 §5.1 \"The server MUST close the connection upon receiving a frame that is not masked\" (one frame or all)",
        phase: Phase::Content,
        apply: unmasked,
    },
    Mutator {
        name: "mask-zero-key",
        family: "masking",
        targets: "RFC 6455 §5.3 masking with key 00000000: the MASK bit set while no byte changes; valid, must be echoed (servers that test the key instead of the bit)",
        phase: Phase::Content,
        apply: |i, g| rekey(i, g, Some([0; 4])),
    },
    Mutator {
        name: "mask-key-variation",
        family: "masking",
        targets: "RFC 6455 §5.3 unmasking with any key and phase (all-ones, alternating, random keys); valid, must be echoed — wrong unmasking loops corrupt long payloads",
        phase: Phase::Content,
        apply: |i, g| rekey(i, g, None),
    },
];

fn unmasked(input: &mut Input, g: &mut Gen) -> bool {
    if input.frames.is_empty() {
        return false;
    }
    if g.one_in(3) {
        input.frames.iter_mut().for_each(|f| f.header.mask = None);
    } else {
        let i = g.below(input.frames.len());
        input.frames[i].header.mask = None;
    }
    true
}

const KEYS: &[[u8; 4]] = &[
    [0xFF, 0xFF, 0xFF, 0xFF],
    [0xAA, 0x55, 0xAA, 0x55],
    [0x80, 0x00, 0x00, 0x01],
    [0x00, 0x00, 0x00, 0xFF],
];

/// Gives every frame (or one) the key `fixed`, or a key from [`KEYS`] or the seed.
fn rekey(input: &mut Input, g: &mut Gen, fixed: Option<[u8; 4]>) -> bool {
    if input.frames.is_empty() {
        return false;
    }
    let all = g.one_in(2);
    let one = g.below(input.frames.len());
    for (i, f) in input.frames.iter_mut().enumerate() {
        if all || i == one {
            let key = fixed.unwrap_or_else(|| if g.one_in(2) { g.pick(KEYS) } else { g.key() });
            f.header.mask = Some(key);
        }
    }
    true
}
