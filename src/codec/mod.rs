//! Sans-IO wire format of RFC 6455: frames as they are on the wire, the
//! rules they must follow, the opening handshake, and permessage-deflate
//! (RFC 7692) in [`deflate`].

mod body;
mod close_code;
mod close_explain;
mod decode;
pub mod deflate;
mod frame;
mod handshake;
mod header;
mod mask;
mod opcode;
mod utf8;
mod validate;
mod violation;

pub use body::{Assembler, Body, Digest, PIECE};
pub use close_code::{CloseCode, CloseCodeClass};
pub use close_explain::{Explanation, explain};
pub use decode::{DecodeError, Decoder};
pub use frame::{Frame, Role};
pub use handshake::{
    ClientHandshake, ClientRequest, DEFAULT_MAX_HEADER_BYTES, HandshakeError, MAX_HEADERS,
    Negotiated, ServerPolicy, ServerReply, ServerResponse, WEBSOCKET_GUID, WEBSOCKET_VERSION,
    accept_key, check_response, key_bytes_from_seed, parse_request, parse_response, reject,
    server_response, server_response_with,
};
pub use header::{FrameHeader, PayloadLen};
pub use mask::{apply_mask, apply_mask_at, apply_mask_naive};
pub use opcode::OpCode;
pub use utf8::{Utf8Error, Utf8Validator};
pub use validate::Validator;
pub use violation::Violation;
