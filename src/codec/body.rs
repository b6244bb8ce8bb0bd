//! A message or frame payload that need not be held whole: bytes, or a
//! short pattern repeated to a length (Autobahn's large messages of
//! sections 9 and 20), produced piece by piece as it is written, modelled
//! and compared. A 16 MiB pattern message costs the size of its pattern.

use bytes::{Bytes, BytesMut};

/// Bytes produced per piece when a body is walked.
pub const PIECE: usize = 64 << 10;

/// A payload, held or generated.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Body {
    /// Bytes held in memory.
    Bytes(Bytes),
    /// `pattern` repeated, starting at `start` bytes into the repetition,
    /// for `len` bytes: byte `i` is `pattern[(start + i) % pattern.len()]`.
    Pattern {
        /// The repeated unit (never empty).
        pattern: &'static [u8],
        /// Offset of the first byte in the infinite repetition.
        start: u64,
        /// Length of the body.
        len: u64,
    },
}

impl Body {
    /// `pattern` repeated to `len` bytes. An empty pattern gives an empty body.
    pub fn pattern(pattern: &'static [u8], len: u64) -> Body {
        let len = if pattern.is_empty() { 0 } else { len };
        Body::Pattern {
            pattern,
            start: 0,
            len,
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::Pattern { len, .. } => *len,
        }
    }

    /// True for an empty body.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the body's bytes from offset `at` into `out` (as many as fit
    /// and exist); returns how many were written.
    pub fn fill(&self, at: u64, out: &mut [u8]) -> usize {
        let n = (self.len().saturating_sub(at)).min(out.len() as u64) as usize;
        match self {
            Body::Bytes(b) => out[..n].copy_from_slice(&b[at as usize..at as usize + n]),
            Body::Pattern { pattern, start, .. } => {
                let p = pattern.len();
                let phase = ((start + at) % p as u64) as usize;
                // One period from the phase, then copies of what is filled,
                // doubling (a multiple of the period keeps the phase).
                let first = n.min(p);
                for (i, b) in out[..first].iter_mut().enumerate() {
                    *b = pattern[(phase + i) % p];
                }
                let mut filled = first;
                while filled < n {
                    let take = filled.min(n - filled);
                    out.copy_within(..take, filled);
                    filled += take;
                }
            }
        }
        n
    }

    /// The bytes `[from, from + len)` (clamped to the body), as a body.
    pub fn slice(&self, from: u64, len: u64) -> Body {
        let from = from.min(self.len());
        let len = len.min(self.len() - from);
        match self {
            Body::Bytes(b) => Body::Bytes(b.slice(from as usize..(from + len) as usize)),
            Body::Pattern { pattern, start, .. } => Body::Pattern {
                pattern,
                start: start + from,
                len,
            },
        }
    }

    /// Up to `n` bytes from offset `at`.
    pub fn bytes_at(&self, at: u64, n: usize) -> Bytes {
        if let Body::Bytes(b) = self {
            let from = (at.min(b.len() as u64)) as usize;
            return b.slice(from..(from + n).min(b.len()));
        }
        let mut out = vec![0; n];
        let got = self.fill(at, &mut out);
        out.truncate(got);
        Bytes::from(out)
    }

    /// The whole body as bytes (a generated one is produced here: for
    /// bodies known to be small).
    pub fn to_bytes(&self) -> Bytes {
        self.bytes_at(0, self.len() as usize)
    }

    /// Calls `f` with the body's bytes in order, at most `PIECE` at a time.
    pub fn for_each_piece(&self, mut f: impl FnMut(&[u8])) {
        if let Body::Bytes(b) = self {
            return b.chunks(PIECE).for_each(f);
        }
        let mut buf = vec![0; PIECE.min(self.len() as usize)];
        let mut at = 0;
        while at < self.len() {
            let n = self.fill(at, &mut buf);
            f(&buf[..n]);
            at += n as u64;
        }
    }

    /// This body followed by `next`: a pattern continued where it left off
    /// stays a pattern; anything else is held.
    pub fn concat(self, next: Body) -> Body {
        match (&self, &next) {
            (_, n) if n.is_empty() => self,
            (s, _) if s.is_empty() => next,
            (
                Body::Pattern {
                    pattern: a,
                    start,
                    len,
                },
                Body::Pattern {
                    pattern: b,
                    start: s2,
                    len: l2,
                },
            ) if std::ptr::eq(*a, *b) && (start + len) % a.len() as u64 == s2 % b.len() as u64 => {
                Body::Pattern {
                    pattern: a,
                    start: *start,
                    len: len + l2,
                }
            }
            _ => {
                let mut all = BytesMut::with_capacity((self.len() + next.len()) as usize);
                self.for_each_piece(|p| all.extend_from_slice(p));
                next.for_each_piece(|p| all.extend_from_slice(p));
                Body::Bytes(all.freeze())
            }
        }
    }

    /// Length and running hash of the bytes.
    pub fn digest(&self) -> Digest {
        let mut d = Digest::default();
        self.for_each_piece(|p| d.update(p));
        d
    }
}

/// A message put together from its frames' bodies: held bytes grow in
/// place, contiguous pattern slices stay one pattern.
#[derive(Clone, Debug, Default)]
pub struct Assembler {
    held: BytesMut,
    generated: Option<Body>,
}

impl Assembler {
    /// Appends the next frame's body.
    pub fn push(&mut self, body: &Body) {
        match (&mut self.generated, body) {
            (None, Body::Bytes(b)) => self.held.extend_from_slice(b),
            (None, generated) if self.held.is_empty() => self.generated = Some(generated.clone()),
            (None, generated) => generated.for_each_piece(|p| self.held.extend_from_slice(p)),
            (Some(g), next) => *g = g.clone().concat(next.clone()),
        }
    }

    /// The message.
    pub fn finish(self) -> Body {
        self.generated
            .unwrap_or_else(|| Body::Bytes(self.held.freeze()))
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Body {
        Body::Bytes(b)
    }
}

/// Length and a 64-bit running hash of a byte stream; the same for any
/// split of the stream into pieces. Not cryptographic: it tells an echo
/// from a different one, never a forgery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Digest {
    /// Bytes seen.
    pub len: u64,
    hash: u64,
    carry: u64,
}

impl Default for Digest {
    fn default() -> Self {
        Digest {
            len: 0,
            hash: 0xcbf2_9ce4_8422_2325,
            carry: 0,
        }
    }
}

const K: u64 = 0x0100_0000_01b3_9e37;

impl Digest {
    /// Adds bytes to the stream.
    pub fn update(&mut self, mut data: &[u8]) {
        // Finish a partial word left by the previous piece.
        while !self.len.is_multiple_of(8) {
            let Some((&b, rest)) = data.split_first() else {
                return;
            };
            self.push_byte(b);
            data = rest;
        }
        let mut words = data.chunks_exact(8);
        for w in &mut words {
            let w = u64::from_le_bytes(w.try_into().expect("8-byte word"));
            self.hash = (self.hash.rotate_left(23) ^ w).wrapping_mul(K);
            self.len += 8;
        }
        words.remainder().iter().for_each(|&b| self.push_byte(b));
    }

    fn push_byte(&mut self, b: u8) {
        let shift = (self.len % 8) * 8;
        self.carry |= u64::from(b) << shift;
        self.len += 1;
        if self.len.is_multiple_of(8) {
            self.hash = (self.hash.rotate_left(23) ^ self.carry).wrapping_mul(K);
            self.carry = 0;
        }
    }

    /// The hash of everything so far.
    pub fn value(&self) -> u64 {
        (self.hash.rotate_left(23) ^ self.carry ^ self.len).wrapping_mul(K)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &[u8] = b"BAsd7&jh23";

    fn held(len: usize) -> Vec<u8> {
        P.iter().copied().cycle().take(len).collect()
    }

    #[test]
    fn a_pattern_body_is_its_bytes_at_any_offset_and_slice() {
        let body = Body::pattern(P, 1000);
        let bytes = held(1000);
        for at in [0u64, 1, 9, 10, 11, 997, 1000] {
            assert_eq!(
                body.bytes_at(at, 7),
                &bytes[at as usize..(at as usize + 7).min(1000)]
            );
        }
        let s = body.slice(13, 100);
        assert_eq!(s.bytes_at(0, 100), &bytes[13..113]);
        assert_eq!(s.len(), 100);
    }

    #[test]
    fn contiguous_pattern_slices_concatenate_into_one_pattern() {
        let body = Body::pattern(P, 100);
        let joined = body.slice(0, 37).concat(body.slice(37, 63));
        assert!(matches!(joined, Body::Pattern { len: 100, .. }));
        assert_eq!(joined.digest(), body.digest());
        let gap = body.slice(0, 37).concat(body.slice(38, 62));
        assert!(matches!(gap, Body::Bytes(_)));
        let mut want = held(100);
        want.remove(37);
        assert_eq!(gap, Body::Bytes(Bytes::from(want)));
    }

    #[test]
    fn the_digest_does_not_depend_on_how_the_bytes_are_split() {
        let bytes = held(70_000);
        let whole = Body::Bytes(Bytes::from(bytes.clone())).digest();
        assert_eq!(whole, Body::pattern(P, 70_000).digest());
        for cut in [1usize, 7, 8, 9, 4095, 65_537] {
            let mut d = Digest::default();
            bytes.chunks(cut).for_each(|c| d.update(c));
            assert_eq!(d.value(), whole.value(), "pieces of {cut}");
        }
        let mut other = bytes.clone();
        other[69_999] ^= 1;
        let other = Body::Bytes(Bytes::from(other)).digest();
        assert_ne!(other.value(), whole.value());
        assert_ne!(
            Body::pattern(P, 3).digest().value(),
            Body::pattern(P, 4).digest().value()
        );
    }
}
