//! The opening handshake of RFC 6455 §4, both sides, sans-IO.
//!
//! Client side: [`ClientRequest`] writes the upgrade request (every header
//! can be corrupted or removed, so handshake test cases can send wrong
//! requests), [`parse_response`] reads the server's head incrementally under
//! a byte cap, and [`check_response`] applies the client's MUSTs of §4.1.
//! Server side: [`parse_request`] reads the client's head under the same caps
//! and [`server_response`] answers with a 101, a 400 or a 426 (§4.2).
//! No sockets, clock or RNG: key material comes in as bytes or a seed.

mod client;
mod fields;
mod server;
#[cfg(test)]
mod tests;

use base64::Engine as _;
use sha1::{Digest, Sha1};

pub use client::{
    ClientRequest, Negotiated, ServerResponse, check_response, key_bytes_from_seed, parse_response,
};
pub use server::{
    ClientHandshake, ServerPolicy, ServerReply, parse_request, reject, server_response,
    server_response_with,
};

/// The GUID appended to the client key before hashing (RFC 6455 §1.3).
pub const WEBSOCKET_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Default cap on the bytes of one handshake head (request or response).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 16 * 1024;

/// Most header fields one handshake head may carry.
pub const MAX_HEADERS: usize = 64;

/// The only protocol version this crate speaks (RFC 6455 §4.1 item 9).
pub const WEBSOCKET_VERSION: &str = "13";

/// `Sec-WebSocket-Accept` for a client key: base64 of the SHA-1 of the key
/// (as sent, not decoded) followed by [`WEBSOCKET_GUID`] (RFC 6455 §4.2.2).
pub fn accept_key(client_key: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(client_key.as_bytes());
    hasher.update(WEBSOCKET_GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hasher.finalize())
}

/// Why a handshake failed, on either side.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    /// The server answered with a status other than 101.
    #[error("server answered {status} instead of 101 Switching Protocols")]
    NotSwitching {
        /// The status code received.
        status: u16,
    },
    /// No `Upgrade` header field.
    #[error("no Upgrade header field")]
    MissingUpgrade,
    /// `Upgrade` is present but does not name `websocket`.
    #[error("Upgrade header field {0:?} does not name websocket")]
    BadUpgrade(String),
    /// No `Connection` header field.
    #[error("no Connection header field")]
    MissingConnection,
    /// `Connection` is present but lacks the `Upgrade` token.
    #[error("Connection header field {0:?} lacks the Upgrade token")]
    BadConnection(String),
    /// No `Sec-WebSocket-Accept` header field.
    #[error("no Sec-WebSocket-Accept header field")]
    MissingAccept,
    /// `Sec-WebSocket-Accept` does not match the key the client sent.
    #[error("Sec-WebSocket-Accept is {got:?}, expected {expected:?}")]
    BadAccept {
        /// The value derived from the client's key.
        expected: String,
        /// The value the server sent.
        got: String,
    },
    /// The server accepted an extension the client did not offer.
    #[error("server accepted extension {0:?}, which the client did not offer")]
    UnofferedExtension(String),
    /// The server chose a subprotocol the client did not offer.
    #[error("server chose subprotocol {0:?}, which the client did not offer")]
    UnofferedSubprotocol(String),
    /// The head did not end within the byte cap.
    #[error("handshake head exceeds {cap} bytes")]
    HeadersTooLarge {
        /// The configured cap in bytes.
        cap: usize,
    },
    /// The head carries more header fields than allowed.
    #[error("handshake head carries more than {cap} header fields")]
    TooManyHeaders {
        /// The header-count cap.
        cap: usize,
    },
    /// A header field that must appear once appears more than once.
    #[error("header field {0} appears more than once")]
    DuplicateHeader(&'static str),
    /// The head is not valid HTTP/1.x, or a field breaks its grammar.
    #[error("malformed handshake: {0}")]
    Malformed(String),
    /// The request method is not GET.
    #[error("method {0:?} is not GET")]
    BadMethod(String),
    /// The request is HTTP/1.0.
    #[error("HTTP version below 1.1")]
    OldHttpVersion,
    /// No `Host` header field.
    #[error("no Host header field")]
    MissingHost,
    /// No `Sec-WebSocket-Key` header field.
    #[error("no Sec-WebSocket-Key header field")]
    MissingKey,
    /// `Sec-WebSocket-Key` is not base64 of exactly 16 bytes.
    #[error("Sec-WebSocket-Key {0:?} is not base64 of 16 bytes")]
    BadKey(String),
    /// No `Sec-WebSocket-Version` header field.
    #[error("no Sec-WebSocket-Version header field")]
    MissingVersion,
    /// `Sec-WebSocket-Version` is not 13.
    #[error("Sec-WebSocket-Version {0:?} is not 13")]
    UnsupportedVersion(String),
}

impl HandshakeError {
    /// The HTTP status a server answers this request error with: 426 Upgrade
    /// Required for a missing or unsupported version (RFC 6455 §4.2.2, §4.4),
    /// 400 Bad Request otherwise (§4.2.1).
    pub fn http_status(&self) -> u16 {
        match self {
            HandshakeError::MissingVersion | HandshakeError::UnsupportedVersion(_) => 426,
            _ => 400,
        }
    }
}
