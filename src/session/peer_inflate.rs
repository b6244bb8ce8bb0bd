//! The receiving half of permessage-deflate in a session: a compressed
//! message of the peer inflated for the peer's direction, bounded by the
//! tester's own limit (a bomb costs at most that much), held to the agreed
//! window and context, and, when it is text, checked as UTF-8 once inflated.

use bytes::Bytes;

use crate::codec::deflate::{Direction, InflateConfig, Inflater};
use crate::codec::{OpCode, Utf8Validator, Violation};

/// Why a compressed message was not delivered.
#[derive(Debug)]
pub enum Refused {
    /// A rule broken.
    Invalid(Violation),
    /// It inflates past the tester's limit.
    TooBig(u64),
}

/// Inflater of the peer's compressed messages.
#[derive(Debug)]
pub struct PeerInflate {
    inflater: Inflater,
    limit: u64,
}

impl PeerInflate {
    /// For messages compressed as `direction` agreed, up to `limit` bytes each.
    pub fn new(direction: Direction, limit: u64) -> PeerInflate {
        PeerInflate {
            inflater: Inflater::new(InflateConfig::new(direction, limit)),
            limit,
        }
    }

    /// The inflated message of `opcode` from its compressed `payload`.
    pub fn message(&mut self, opcode: OpCode, payload: &[u8]) -> Result<Bytes, Refused> {
        let inflated = match self.inflater.inflate_to_vec(payload) {
            Ok(v) => v,
            Err(e) if e.is_too_big() => return Err(Refused::TooBig(self.limit + 1)),
            Err(e) => {
                return Err(Refused::Invalid(Violation::BadCompressedData {
                    detail: e.to_string(),
                }));
            }
        };
        if opcode == OpCode::TEXT {
            // RFC 6455 §8.1: "When an endpoint is to interpret a byte stream
            // as UTF-8 but finds that the byte stream is not, in fact, a
            // valid UTF-8 stream, that endpoint MUST _Fail the WebSocket
            // Connection_" — the inflated bytes are the text.
            let mut utf8 = Utf8Validator::new();
            if let Err(e) = utf8.feed(&inflated).and_then(|_| utf8.finish()) {
                return Err(Refused::Invalid(Violation::InvalidUtf8 {
                    position: e.position,
                }));
            }
        }
        Ok(Bytes::from(inflated))
    }
}
