//! permessage-deflate (RFC 7692), sans-IO: negotiation on both sides, and
//! per-message compression and decompression with the agreed window and
//! context takeover, bounded by the inflated size.
//!
//! - Negotiation: [`parse_extensions`] reads a `Sec-WebSocket-Extensions`
//!   value (RFC 6455 §9.1); [`DeflateParams`] is one checked parameter set;
//!   [`choose_offer`] is the server's choice, [`check_response`] the client's
//!   check; an [`Agreement`] says what binds each [`Direction`]. [`cases`]
//!   lists good and bad offers and responses as data.
//! - Messages: [`Deflater`] compresses one direction, [`Inflater`]
//!   decompresses and validates one: every distance within the agreed window
//!   and the history it may use, the inflated size within a limit, the
//!   stream ending between blocks, each malformation a [`DeflateError`].
//! - Streams no library writes: [`DeflateWriter`] (and the [`streams`] built
//!   with it) for reserved block types, far distances, truncation, final
//!   blocks, bombs and references into a previous message.
//!
//! Window bits 8: zlib cannot compress raw DEFLATE within 256 bytes, so the
//! [`Deflater`] uses its own small-window encoder for 8, and zlib-rs for 9 to
//! 15. zlib-rs inflates with at least 9; the auditor in front of it holds
//! every distance to the agreed window, 256 bytes included.

mod agreement;
mod audit;
mod bits;
pub mod cases;
mod compress;
mod error;
mod grammar;
mod huffman;
mod inflate;
mod lz77;
mod negotiate;
mod params;
mod receive;
pub mod streams;
mod symbols;
#[cfg(test)]
mod tests;

pub use agreement::{Agreement, Direction};
pub use audit::BlockStats;
pub use bits::{BitWriter, DeflateWriter, btype};
pub use compress::Deflater;
pub use error::DeflateError;
pub use grammar::{Extension, Param, SyntaxError, SyntaxKind, is_token, parse_extensions};
pub use inflate::{CHUNK, InflateConfig, InflatedSummary, Inflater};
pub use lz77::SmallWindow;
pub use negotiate::{
    Decline, ResponseError, ServerChoice, ServerConfig, check_response, choose_offer, valid_offers,
};
pub use params::{
    CLIENT_MAX_WINDOW_BITS, CLIENT_NO_CONTEXT_TAKEOVER, DEFAULT_WINDOW_BITS, DeflateParams,
    EXTENSION_NAME, ParamError, SERVER_MAX_WINDOW_BITS, SERVER_NO_CONTEXT_TAKEOVER, Side,
    WINDOW_BITS, offers_header,
};
pub use receive::{MessageInflater, Refused};

/// The 4 octets a sender removes from each compressed message and a
/// receiver appends again (RFC 7692 §7.2.1, §7.2.2): the `LEN`/`NLEN` of an
/// empty stored block.
pub const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];
