//! permessage-deflate (RFC 7692), sans-IO: negotiation on both sides.
//!
//! [`parse_extensions`] reads a `Sec-WebSocket-Extensions` value (RFC 6455
//! §9.1); [`DeflateParams`] is one checked parameter set; [`choose_offer`]
//! is the server's choice, [`check_response`] the client's check; an
//! [`Agreement`] says what binds each [`Direction`]. [`cases`] lists good and
//! bad offers and responses as data.

mod agreement;
pub mod cases;
mod grammar;
mod negotiate;
mod params;
#[cfg(test)]
mod tests;

pub use agreement::{Agreement, Direction};
pub use grammar::{Extension, Param, SyntaxError, SyntaxKind, is_token, parse_extensions};
pub use negotiate::{
    Decline, ResponseError, ServerChoice, ServerConfig, check_response, choose_offer,
};
pub use params::{
    CLIENT_MAX_WINDOW_BITS, CLIENT_NO_CONTEXT_TAKEOVER, DEFAULT_WINDOW_BITS, DeflateParams,
    EXTENSION_NAME, ParamError, SERVER_MAX_WINDOW_BITS, SERVER_NO_CONTEXT_TAKEOVER, Side,
    WINDOW_BITS, offers_header,
};
