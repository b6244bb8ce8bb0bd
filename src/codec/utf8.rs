//! Incremental UTF-8 validation with the exact fail-fast position
//! (RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8
//! but finds that the byte stream is not, in fact, a valid UTF-8 stream, that
//! endpoint MUST _Fail the WebSocket Connection_").
//!
//! The fail-fast position is the index of the first byte after which no
//! continuation could make the stream valid (Unicode Table 3-7), so a
//! conforming endpoint can fail a fragmented text message as soon as that
//! byte arrives (Autobahn 6.4.x).

/// The stream is invalid; `position` is the absolute index (from the first
/// byte ever fed) of the byte that made it so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid UTF-8 at byte {position}")]
pub struct Utf8Error {
    /// Index of the byte after which no continuation can be valid.
    pub position: u64,
    /// True when the stream ended inside a code point (not a fail-fast error).
    pub truncated: bool,
}

/// Incremental validator: feed chunks, then `finish`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Utf8Validator {
    /// Continuation bytes still needed by the current code point.
    need: u8,
    /// Allowed range of the next continuation byte.
    lo: u8,
    hi: u8,
    /// Bytes fed so far.
    fed: u64,
    /// Sticky failure.
    failed: Option<u64>,
}

impl Utf8Validator {
    /// A validator at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes fed so far.
    pub fn fed(&self) -> u64 {
        self.fed
    }

    /// True when the bytes so far end on a code point boundary.
    pub fn at_boundary(&self) -> bool {
        self.need == 0
    }

    /// Feeds the next chunk. Fails at the first byte that no continuation can
    /// make valid; once failed, it stays failed.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Utf8Error> {
        if let Some(position) = self.failed {
            return Err(Utf8Error {
                position,
                truncated: false,
            });
        }
        let mut i = 0;
        while i < chunk.len() {
            if self.need == 0 {
                // Fast path: a SIMD validator skips the valid bulk (its
                // `valid_up_to` has the standard library's meaning).
                match simdutf8::compat::from_utf8(&chunk[i..]) {
                    Ok(_) => break,
                    Err(e) => i += e.valid_up_to(),
                }
                if i == chunk.len() {
                    break;
                }
            }
            if !self.step(chunk[i]) {
                let position = self.fed + i as u64;
                self.failed = Some(position);
                self.fed += chunk.len() as u64;
                return Err(Utf8Error {
                    position,
                    truncated: false,
                });
            }
            i += 1;
        }
        self.fed += chunk.len() as u64;
        Ok(())
    }

    /// Ends the stream: it must not stop inside a code point.
    pub fn finish(&self) -> Result<(), Utf8Error> {
        if let Some(position) = self.failed {
            return Err(Utf8Error {
                position,
                truncated: false,
            });
        }
        if self.need != 0 {
            return Err(Utf8Error {
                position: self.fed,
                truncated: true,
            });
        }
        Ok(())
    }

    /// Validates a whole buffer.
    pub fn validate(bytes: &[u8]) -> Result<(), Utf8Error> {
        let mut v = Utf8Validator::new();
        v.feed(bytes)?;
        v.finish()
    }

    /// Consumes one byte; false when no continuation can make the stream valid.
    fn step(&mut self, b: u8) -> bool {
        if self.need > 0 {
            if b < self.lo || b > self.hi {
                return false;
            }
            self.need -= 1;
            (self.lo, self.hi) = (0x80, 0xBF);
            return true;
        }
        (self.need, self.lo, self.hi) = match b {
            0x00..=0x7F => (0, 0x80, 0xBF),
            0xC2..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xE1..=0xEC | 0xEE..=0xEF => (2, 0x80, 0xBF),
            0xED => (2, 0x80, 0x9F),
            0xF0 => (3, 0x90, 0xBF),
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => return false,
        };
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition: the first index p such that bytes[..=p] is no prefix of valid UTF-8.
    fn reference_fail_position(bytes: &[u8]) -> Option<u64> {
        (0..bytes.len())
            .find(
                |&p| matches!(std::str::from_utf8(&bytes[..=p]), Err(e) if e.error_len().is_some()),
            )
            .map(|p| p as u64)
    }

    proptest! {
        #[test]
        fn matches_std_and_fail_position(bytes in proptest::collection::vec(
            prop_oneof![any::<u8>(), 0x80u8..0xC0, 0xE0u8..0xF5], 0..24), cut in 0usize..24) {
            let cut = cut.min(bytes.len());
            let mut v = Utf8Validator::new();
            let r = v.feed(&bytes[..cut]).and_then(|_| v.feed(&bytes[cut..])).and_then(|_| v.finish());
            prop_assert_eq!(r.is_ok(), std::str::from_utf8(&bytes).is_ok());
            if let Err(e) = r {
                if !e.truncated {
                    prop_assert_eq!(Some(e.position), reference_fail_position(&bytes));
                } else {
                    prop_assert_eq!(reference_fail_position(&bytes), None);
                }
            }
        }
    }

    #[test]
    fn fail_fast_on_code_point_above_u10ffff() {
        // Autobahn 6.4.2: F4 then 90 — the 0x90 byte is where it becomes hopeless.
        let mut v = Utf8Validator::new();
        v.feed("κόσμε".as_bytes()).unwrap();
        v.feed(&[0xF4]).unwrap();
        let e = v.feed(&[0x90, 0x80, 0x80]).unwrap_err();
        assert_eq!(e.position, "κόσμε".len() as u64 + 1);
    }
}
