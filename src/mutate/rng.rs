//! The seeded source of every random choice a mutator makes.

use bytes::Bytes;
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::codec::Frame;

/// Characters base text is made of: ASCII plus 2-, 3- and 4-byte UTF-8, so
/// UTF-8 mutators always find code points to split.
const TEXT_ALPHABET: &[&str] = &["a", "b", "z", " ", "0", "~", "é", "ß", "€", "中", "😀", "𝄞"];

/// A seeded random generator with the helpers mutators need.
pub struct Gen(ChaCha8Rng);

impl Gen {
    /// The generator of input `index` of a campaign with master `seed`.
    pub fn for_input(seed: u64, index: u64) -> Gen {
        Gen(ChaCha8Rng::seed_from_u64(mix(seed ^ mix(index))))
    }

    /// A generator from one seed (tests).
    pub fn from_seed(seed: u64) -> Gen {
        Gen(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A uniform number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.0.next_u64() % n as u64) as usize
    }

    /// A uniform number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability 1/`n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// A 64-bit number.
    pub fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A masking key (RFC 6455 §5.3: fresh per frame, here from the seed).
    pub fn key(&mut self) -> [u8; 4] {
        self.0.next_u32().to_be_bytes()
    }

    /// `frame` masked with a fresh key, as a client sends it.
    pub fn masked(&mut self, frame: Frame) -> Frame {
        let key = self.key();
        frame.masked(key)
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Bytes {
        let mut v = vec![0u8; n];
        self.0.fill_bytes(&mut v);
        v.into()
    }

    /// Valid UTF-8 text of about `n` bytes (exactly `n` when `n` is small
    /// enough to be filled with ASCII at the end).
    pub fn text(&mut self, n: usize) -> Bytes {
        let mut s = String::with_capacity(n + 4);
        while s.len() < n {
            let c = self.pick(TEXT_ALPHABET);
            if s.len() + c.len() > n {
                s.push('x');
            } else {
                s.push_str(c);
            }
        }
        Bytes::from(s)
    }
}

/// SplitMix64 finaliser: spreads nearby seeds and indices apart.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
