//! permessage-deflate (RFC 7692), sans-IO: the `Sec-WebSocket-Extensions`
//! grammar and the extension's parameters.

mod grammar;
mod params;

pub use grammar::{Extension, Param, SyntaxError, SyntaxKind, is_token, parse_extensions};
pub use params::{
    CLIENT_MAX_WINDOW_BITS, CLIENT_NO_CONTEXT_TAKEOVER, DEFAULT_WINDOW_BITS, DeflateParams,
    EXTENSION_NAME, ParamError, SERVER_MAX_WINDOW_BITS, SERVER_NO_CONTEXT_TAKEOVER, Side,
    WINDOW_BITS, offers_header,
};
