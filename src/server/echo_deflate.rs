//! permessage-deflate in the reference server: it accepts the first offer
//! it can honour (every parameter, window bits 8 to 15) and compresses its
//! echoes as agreed. The client's compressed messages are inflated by the
//! model (`model::Endpoint` with `Limits::deflate`), bounded by the server's
//! message limit (a bomb is a 1009, never an allocation) and held to the
//! agreed window and context.

use bytes::Bytes;

use crate::codec::deflate::{Agreement, Deflater, Direction, ServerConfig, choose_offer};
use crate::codec::{ClientHandshake, Role};

/// zlib level of the echoes: fast; the ratio is not what is tested.
const LEVEL: u32 = 1;

/// The agreed compression of one connection.
pub(super) struct EchoDeflate {
    agreement: Agreement,
    deflater: Deflater,
}

impl EchoDeflate {
    /// The agreement for `request`'s offers, if one is acceptable, and the
    /// response header accepting it. Offers that break a rule are declined
    /// (RFC 7692 §5: declining is leaving the extension out of the 101).
    pub(super) fn negotiate(request: &ClientHandshake) -> Option<(Self, String)> {
        let offers = request.header("sec-websocket-extensions")?;
        let offers = std::str::from_utf8(offers).ok()?;
        let choice = choose_offer(offers, &ServerConfig::default()).ok()?;
        let header = choice.response_header()?;
        let (_, agreement) = choice.accepted?;
        Some((Self::new(agreement), header))
    }

    fn new(agreement: Agreement) -> Self {
        EchoDeflate {
            deflater: Deflater::new(agreement.sending(Role::Server), LEVEL),
            agreement,
        }
    }

    /// How the client compresses what the server receives.
    pub(super) fn receiving(&self) -> Direction {
        self.agreement.receiving(Role::Server)
    }

    /// The echo's compressed payload.
    pub(super) fn compress(&mut self, message: &[u8]) -> Bytes {
        Bytes::from(self.deflater.compress(message))
    }
}
