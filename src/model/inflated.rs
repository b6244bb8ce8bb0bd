//! The inflated bytes of a compressed message as the model keeps them: a run
//! of one repeated byte (what a deflate bomb inflates to) stays a pattern of
//! any length, costing nothing; bytes that equal the message the tester
//! compressed (a hint) are compared, not copied, and the hint is owed; other
//! bytes are held, up to [`HELD_LIMIT`]. The model can then owe the echo of
//! a gigabyte bomb, or of a thousand compressed messages, without holding
//! them, and the session compares each echo as it arrives.

use bytes::BytesMut;

use crate::codec::Body;

/// Most inflated bytes the model holds for one message that is not a run
/// of one byte; a larger one the model refuses as too big (1009), as an
/// endpoint with that limit would.
pub const HELD_LIMIT: u64 = 16 << 20;

/// Every byte value once: `&BYTES[b..b + 1]` is a one-byte pattern that
/// lives for the whole program, as [`Body::Pattern`] needs.
static BYTES: [u8; 256] = {
    let mut all = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        all[i] = i as u8;
        i += 1;
    }
    all
};

/// Inflated bytes collected piece by piece.
#[derive(Debug, Default)]
pub struct Inflated {
    kept: Kept,
    /// Bytes seen in all.
    len: u64,
}

#[derive(Debug, Default)]
enum Kept {
    #[default]
    Empty,
    /// Every byte so far is this one, this many times.
    Run(u8, u64),
    Held(BytesMut),
    /// Past [`HELD_LIMIT`]: only counted.
    TooBig,
    /// Every byte so far equals the hint's first `at` bytes.
    Matching(Body, u64),
}

impl Inflated {
    /// Expecting the bytes of `hint` (what the tester compressed): while
    /// they match, nothing is copied.
    pub fn expecting(hint: Body) -> Inflated {
        Inflated {
            kept: Kept::Matching(hint, 0),
            len: 0,
        }
    }

    /// The next inflated piece.
    pub fn push(&mut self, piece: &[u8]) {
        self.len += piece.len() as u64;
        let Some(&first) = piece.first() else {
            return;
        };
        let kept = std::mem::take(&mut self.kept);
        self.kept = match kept {
            Kept::Matching(hint, at) => match_hint(hint, at, piece),
            Kept::Empty => Kept::Run(first, 0).extended(piece),
            run @ Kept::Run(..) => run.extended(piece),
            Kept::Held(mut h) if (h.len() + piece.len()) as u64 <= HELD_LIMIT => {
                h.extend_from_slice(piece);
                Kept::Held(h)
            }
            Kept::Held(_) | Kept::TooBig => Kept::TooBig,
        };
    }

    /// The message, or its size when it was too big to hold.
    pub fn finish(self) -> Result<Body, u64> {
        match self.kept {
            Kept::Matching(hint, at) if at == hint.len() => Ok(hint),
            Kept::Matching(hint, at) => Ok(hint.slice(0, at)),
            Kept::Empty => Ok(Body::Bytes(bytes::Bytes::new())),
            Kept::Run(b, n) => Ok(Body::pattern(&BYTES[b as usize..=b as usize], n)),
            Kept::Held(h) => Ok(Body::Bytes(h.freeze())),
            Kept::TooBig => Err(self.len),
        }
    }
}

/// The hint continued by `piece`: still matching, or held from the first
/// byte that differs (or runs past the hint) on.
fn match_hint(hint: Body, at: u64, piece: &[u8]) -> Kept {
    let n = piece.len() as u64;
    if at + n <= hint.len() && hint.bytes_at(at, piece.len()).as_ref() == piece {
        return Kept::Matching(hint, at + n);
    }
    if at + n > HELD_LIMIT {
        return Kept::TooBig;
    }
    let mut held = BytesMut::with_capacity((at + n) as usize);
    hint.slice(0, at)
        .for_each_piece(|p| held.extend_from_slice(p));
    held.extend_from_slice(piece);
    Kept::Held(held)
}

impl Kept {
    /// A run continued by `piece`: still a run while the byte repeats, held
    /// bytes from the first other byte on.
    fn extended(self, piece: &[u8]) -> Kept {
        let Kept::Run(b, n) = self else {
            return self;
        };
        let same = piece.iter().position(|x| *x != b).unwrap_or(piece.len());
        let n = n + same as u64;
        if same == piece.len() {
            return Kept::Run(b, n);
        }
        let rest = &piece[same..];
        if n + rest.len() as u64 > HELD_LIMIT {
            return Kept::TooBig;
        }
        let mut held = BytesMut::with_capacity(n as usize + rest.len());
        held.resize(n as usize, b);
        held.extend_from_slice(rest);
        Kept::Held(held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(pieces: &[&[u8]]) -> Result<Body, u64> {
        let mut i = Inflated::default();
        for p in pieces {
            i.push(p);
        }
        i.finish()
    }

    #[test]
    fn a_run_of_one_byte_stays_a_pattern_of_any_length() {
        let mut i = Inflated::default();
        let piece = [b'a'; 1 << 16];
        for _ in 0..(1 << 16) {
            i.push(&piece);
        }
        let body = i.finish().unwrap();
        assert!(matches!(body, Body::Pattern { .. }));
        assert_eq!(body.len(), 1 << 32);
        assert_eq!(body.bytes_at(12345, 3).as_ref(), b"aaa");
    }

    #[test]
    fn other_bytes_are_held_whatever_the_split() {
        let whole = collect(&[b"aaab"]).unwrap();
        assert_eq!(whole, Body::Bytes(bytes::Bytes::from_static(b"aaab")));
        assert_eq!(
            collect(&[b"aa", b"", b"ab"]).unwrap().to_bytes(),
            whole.to_bytes()
        );
        assert_eq!(
            collect(&[b"a", b"aab"]).unwrap().to_bytes(),
            whole.to_bytes()
        );
        assert_eq!(collect(&[]).unwrap().len(), 0);
    }

    #[test]
    fn bytes_equal_to_the_hint_owe_the_hint_itself() {
        let hint = Body::Bytes(bytes::Bytes::from_static(b"hello world"));
        let mut i = Inflated::expecting(hint.clone());
        i.push(b"hello");
        i.push(b" world");
        assert_eq!(i.finish(), Ok(hint.clone()));
        let mut short = Inflated::expecting(hint.clone());
        short.push(b"hello");
        assert_eq!(short.finish().unwrap().to_bytes().as_ref(), b"hello");
        let mut other = Inflated::expecting(hint.clone());
        other.push(b"hello");
        other.push(b" there, and more");
        assert_eq!(
            other.finish().unwrap().to_bytes().as_ref(),
            b"hello there, and more"
        );
    }

    #[test]
    fn held_bytes_past_the_limit_are_refused_with_their_size() {
        let big = vec![7u8; HELD_LIMIT as usize];
        assert!(collect(&[&big]).is_ok(), "a run is never too big");
        assert_eq!(collect(&[b"x", &big]), Err(HELD_LIMIT + 1));
        assert_eq!(collect(&[&big, b"x", b"y"]), Err(HELD_LIMIT + 2));
    }
}
