//! What a successful negotiation means for each direction of the connection:
//! the LZ77 window a sender compresses within, and whether it starts every
//! message with an empty window.
//!
//! The "agreed parameters" of RFC 7692 are the server's response. The offer
//! still matters for one side: it carries the client's own hints, which bind
//! what the client sends but not what the server may expect (§7.1.1.2, §7.2.2:
//! "The client-to-server "client_no_context_takeover" extension parameter is
//! just a hint for the server to build an extension negotiation response.").

use super::params::{DEFAULT_WINDOW_BITS, DeflateParams};
use crate::codec::Role;

/// The rules for the messages one side sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Direction {
    /// The sender's LZ77 window is at most `2^window_bits` bytes, so no
    /// back-reference reaches farther.
    pub window_bits: u8,
    /// The sender starts every message with an empty window, so no message
    /// refers into an earlier one.
    pub no_context_takeover: bool,
}

impl Direction {
    /// The largest distance a message may use: `2^window_bits`.
    pub fn window_size(&self) -> u32 {
        1 << self.window_bits
    }
}

/// A negotiated `permessage-deflate`: the accepted offer and the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Agreement {
    /// The offer the response accepted.
    pub offer: DeflateParams,
    /// The server's response: the agreed parameters.
    pub response: DeflateParams,
}

impl Agreement {
    /// Server-to-client messages as agreed (RFC 7692 §7.1.1.1, §7.1.2.1).
    ///
    /// RFC 7692 §7.2.1: "If the "agreed parameters" contain the
    /// "server_no_context_takeover" extension parameter, the server MUST start
    /// compressing each new message with an empty LZ77 sliding window."
    /// Without `server_max_window_bits` the client "can receive messages
    /// compressed using an LZ77 sliding window of up to 32,768 bytes".
    pub fn server_to_client(&self) -> Direction {
        Direction {
            window_bits: self
                .response
                .server_max_window_bits
                .unwrap_or(DEFAULT_WINDOW_BITS),
            no_context_takeover: self.response.server_no_context_takeover,
        }
    }

    /// Client-to-server messages as agreed, which is what a server may
    /// enforce (RFC 7692 §7.1.1.2, §7.1.2.2): "By including the
    /// "client_no_context_takeover" extension parameter in an extension
    /// negotiation response, a server prevents the peer client from using
    /// context takeover", and "Absence of this extension parameter in an
    /// extension negotiation response indicates that the server can receive
    /// messages compressed using an LZ77 sliding window of up to 32,768
    /// bytes."
    pub fn client_to_server(&self) -> Direction {
        Direction {
            window_bits: self
                .response
                .client_max_window_bits
                .flatten()
                .unwrap_or(DEFAULT_WINDOW_BITS),
            no_context_takeover: self.response.client_no_context_takeover,
        }
    }

    /// What the client keeps to when it compresses: the agreement, narrowed
    /// by the hints in its own offer. §7.1.2.2: with a value in the offer,
    /// "the client is not going to use an LZ77 sliding window size greater
    /// than the size specified by the value in the extension negotiation
    /// offer"; §7.1.1.2: with `client_no_context_takeover` in the offer "the
    /// client is not going to use context takeover".
    pub fn client_sends(&self) -> Direction {
        let agreed = self.client_to_server();
        let hint = self.offer.client_max_window_bits.flatten();
        Direction {
            window_bits: hint.map_or(agreed.window_bits, |h| h.min(agreed.window_bits)),
            no_context_takeover: agreed.no_context_takeover
                || self.offer.client_no_context_takeover,
        }
    }

    /// What `role` keeps to when it compresses its own messages.
    pub fn sending(&self, role: Role) -> Direction {
        match role {
            Role::Client => self.client_sends(),
            Role::Server => self.server_to_client(),
        }
    }

    /// What `role` may hold its peer's messages to: the agreed parameters of
    /// the peer's direction, hints aside.
    pub fn receiving(&self, role: Role) -> Direction {
        match role {
            Role::Client => self.server_to_client(),
            Role::Server => self.client_to_server(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agree(offer: DeflateParams, response: DeflateParams) -> Agreement {
        Agreement { offer, response }
    }

    #[test]
    fn defaults_are_a_full_window_with_context_takeover() {
        let a = agree(DeflateParams::new(), DeflateParams::new());
        let full = Direction {
            window_bits: 15,
            no_context_takeover: false,
        };
        for role in [Role::Client, Role::Server] {
            assert_eq!(a.sending(role), full);
            assert_eq!(a.receiving(role), full);
        }
        assert_eq!(full.window_size(), 32_768);
    }

    #[test]
    fn each_parameter_binds_its_own_direction() {
        let response = DeflateParams::new()
            .server_no_context_takeover()
            .server_max_window_bits(9)
            .client_max_window_bits(Some(10));
        let a = agree(DeflateParams::new().client_max_window_bits(None), response);
        assert_eq!(
            a.server_to_client(),
            Direction {
                window_bits: 9,
                no_context_takeover: true
            }
        );
        assert_eq!(
            a.client_to_server(),
            Direction {
                window_bits: 10,
                no_context_takeover: false
            }
        );
        assert_eq!(a.receiving(Role::Client), a.sending(Role::Server));
        assert_eq!(a.receiving(Role::Server), a.sending(Role::Client));
    }

    #[test]
    fn the_clients_hints_bind_the_client_only() {
        let offer = DeflateParams::new()
            .client_no_context_takeover()
            .client_max_window_bits(Some(9));
        let a = agree(offer, DeflateParams::new().client_max_window_bits(Some(12)));
        assert_eq!(
            a.sending(Role::Client),
            Direction {
                window_bits: 9,
                no_context_takeover: true
            }
        );
        // RFC 7692 §7.2.2: the server "MUST decompress each new message using
        // the LZ77 sliding window used to process the last compressed message
        // if the "agreed parameters" don't contain the
        // "client_no_context_takeover" extension parameter".
        assert_eq!(
            a.receiving(Role::Server),
            Direction {
                window_bits: 12,
                no_context_takeover: false
            }
        );
    }
}
