//! What a conforming endpoint owes in reply to one received frame.

use bytes::Bytes;

use crate::codec::{Body, CloseCode, OpCode, Violation};

/// Failing the connection (RFC 6455 §7.1.7): send a Close with one of
/// `codes`, then close the TCP connection. Dropping TCP without a Close is
/// allowed but not preferred ("SHOULD send a Close frame", §7.1.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The rule the peer broke.
    pub violation: Violation,
    /// Correct close codes, preferred first.
    pub codes: Vec<CloseCode>,
    /// True when the endpoint may wait for the end of the message before
    /// failing (a text message's UTF-8 is known bad before its last
    /// fragment; failing at once is "fail-fast", waiting is non-strict).
    pub deferrable_to_message_end: bool,
}

/// The observable reaction to one frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reaction {
    /// Nothing to send (a fragment of an open message, an unsolicited pong).
    Nothing,
    /// A whole message arrived and is delivered (the echo endpoint sends it back).
    Message {
        /// Text or binary.
        opcode: OpCode,
        /// The reassembled payload (a generated one stays generated).
        payload: Body,
    },
    /// RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a
    /// Pong frame in response"; §5.5.3: the Pong "MUST have identical
    /// 'Application data' as found in the message body of the Ping frame".
    Pong(Bytes),
    /// The peer's Close; RFC 6455 §5.5.1: "If an endpoint receives a Close
    /// frame and did not previously send a Close frame, the endpoint MUST send
    /// a Close frame in response." Any of `codes`, or an empty body when
    /// `empty_ok`.
    CloseReply {
        /// Correct codes for the reply (1000, or the peer's code echoed).
        codes: Vec<CloseCode>,
        /// Whether a Close with no body is also correct.
        empty_ok: bool,
    },
    /// The connection must be failed.
    Fail(Failure),
    /// The frame arrived after the connection was failed or the closing
    /// handshake started; it must have no effect.
    Ignore,
}

/// A reaction plus the alternatives the RFC permits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owed {
    /// What a conforming endpoint does.
    pub reaction: Reaction,
    /// A sender-side rule the frame broke that the receiver may tolerate or
    /// may fail on (with 1002): both are conforming.
    pub tolerable: Option<Violation>,
}
