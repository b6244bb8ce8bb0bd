//! permessage-deflate in the reference server: it accepts the first offer
//! it can honour (every parameter, window bits 8 to 15), inflates the
//! client's compressed messages bounded by its message limit (a bomb is a
//! 1009, never an allocation), holds them to the agreed window and context,
//! and compresses its echoes as agreed.

use bytes::Bytes;

use crate::codec::deflate::{
    Agreement, Deflater, InflateConfig, Inflater, ServerConfig, choose_offer,
};
use crate::codec::{ClientHandshake, Role, Violation};
use crate::model::Failure;

/// zlib level of the echoes: fast; the ratio is not what is tested.
const LEVEL: u32 = 1;

/// The agreed compression of one connection.
pub(super) struct EchoDeflate {
    inflater: Inflater,
    deflater: Deflater,
    limit: u64,
}

impl EchoDeflate {
    /// The agreement for `request`'s offers, if one is acceptable, and the
    /// response header accepting it. Offers that break a rule are declined
    /// (RFC 7692 §5: declining is leaving the extension out of the 101).
    pub(super) fn negotiate(request: &ClientHandshake, limit: u64) -> Option<(Self, String)> {
        let offers = request.header("sec-websocket-extensions")?;
        let offers = std::str::from_utf8(offers).ok()?;
        let choice = choose_offer(offers, &ServerConfig::default()).ok()?;
        let header = choice.response_header()?;
        let (_, agreement) = choice.accepted?;
        Some((Self::new(&agreement, limit), header))
    }

    fn new(a: &Agreement, limit: u64) -> Self {
        EchoDeflate {
            inflater: Inflater::new(InflateConfig::new(a.receiving(Role::Server), limit)),
            deflater: Deflater::new(a.sending(Role::Server), LEVEL),
            limit,
        }
    }

    /// The client's compressed message inflated, or the failure it owes.
    pub(super) fn inflate(&mut self, payload: &[u8]) -> Result<Bytes, Failure> {
        match self.inflater.inflate_to_vec(payload) {
            Ok(v) => Ok(Bytes::from(v)),
            Err(e) if e.is_too_big() => Err(failure(Violation::MessageTooBig {
                size: self.limit + 1,
                limit: self.limit,
            })),
            Err(e) => Err(failure(Violation::BadCompressedData {
                detail: e.to_string(),
            })),
        }
    }

    /// The echo's compressed payload.
    pub(super) fn compress(&mut self, message: &[u8]) -> Bytes {
        Bytes::from(self.deflater.compress(message))
    }
}

/// The failure owed for `violation`.
pub(super) fn failure(violation: Violation) -> Failure {
    Failure {
        codes: violation.accepted_close_codes().to_vec(),
        violation,
        deferrable_to_message_end: false,
    }
}
