//! What the peer sent, as the session saw it: every event stamped with how
//! much of the case had been sent when it arrived. The same record for both
//! roles: "peer" is the server under test, or the client under test.

use bytes::Bytes;

use crate::codec::{Body, CloseCode, Digest, FrameHeader, OpCode, Violation};

/// An event the peer sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// A whole message.
    Message {
        /// Text or binary.
        opcode: OpCode,
        /// What arrived: length, hash, head, and where it first differed
        /// from the echo owed (never the whole payload). Boxed, so that an
        /// event of a pong flood (100,000 of them in 20.2.2) stays small.
        payload: Box<Received>,
    },
    /// A pong.
    Pong(Bytes),
}

/// Bytes of a received message kept for the report.
pub const RECEIVED_HEAD: usize = 64;
/// Bytes shown on each side of a first difference.
pub const DIFF_CONTEXT: usize = 8;

/// A received message, compared as it arrived: never held whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// Length in bytes.
    pub len: u64,
    /// Running hash of the bytes ([`Digest`]).
    pub hash: u64,
    /// The first bytes.
    pub head: Bytes,
    /// Where it first differed from the message owed in its place.
    pub diff: Option<Diff>,
}

/// The first byte at which a received message left the one owed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diff {
    /// Offset of the first differing byte (the length of the shorter one
    /// when one is a prefix of the other).
    pub offset: u64,
    /// Offset of the first byte of the two excerpts.
    pub from: u64,
    /// The owed bytes from `from`.
    pub expected: Bytes,
    /// The received bytes from `from`.
    pub actual: Bytes,
}

impl Received {
    /// A message held whole (tests, small messages).
    pub fn of(bytes: &[u8]) -> Received {
        let mut d = Digest::default();
        d.update(bytes);
        Received {
            len: bytes.len() as u64,
            hash: d.value(),
            head: Bytes::copy_from_slice(&bytes[..bytes.len().min(RECEIVED_HEAD)]),
            diff: None,
        }
    }

    /// Whether these are the bytes of `body`: same length and hash.
    pub fn matches(&self, body: &Body) -> bool {
        self.len == body.len() && self.hash == body.digest().value()
    }
}

/// An event with when it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenEvent {
    /// The event.
    pub event: Seen,
    /// Whole frames the tester had sent by then.
    pub frames_sent: usize,
    /// Milliseconds since the case started.
    pub at_ms: u64,
}

/// The peer's Close frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenClose {
    /// Its status code (None for an empty body).
    pub code: Option<CloseCode>,
    /// Its reason bytes.
    pub reason: Bytes,
    /// Whole frames the tester had sent by then.
    pub frames_sent: usize,
    /// Whether the tester had already sent its own Close.
    pub after_tester_close: bool,
    /// Whether every write of the case had started by then.
    pub after_last_write: bool,
    /// Milliseconds since the case started.
    pub at_ms: u64,
    /// Case bytes the tester had written by then.
    pub bytes_written: u64,
}

/// A frame on the wire, for the wire log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireFrame {
    /// Sent by the tester (true) or received (false).
    pub sent: bool,
    /// The header.
    pub header: FrameHeader,
    /// Up to 64 bytes of the unmasked payload.
    pub payload_head: Bytes,
    /// Milliseconds since the case started.
    pub at_ms: u64,
}

/// Everything observed during a case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// HTTP status of the handshake response, if one arrived.
    pub handshake_status: Option<u16>,
    /// Why the handshake response was not acceptable, if it was not.
    pub handshake_error: Option<String>,
    /// Headers of the handshake response (the tester as client).
    pub handshake_headers: Vec<(String, String)>,
    /// Messages and pongs, in arrival order.
    pub events: Vec<SeenEvent>,
    /// The server's Close frame.
    pub close: Option<SeenClose>,
    /// The peer closed TCP.
    pub eof: bool,
    /// The tester sent its Close (the normal end of the case).
    pub tester_closed: bool,
    /// The case deadline passed before the case ended.
    pub timed_out: bool,
    /// The peer (a server) kept TCP open after the closing handshake.
    pub lingered: bool,
    /// Rules the peer's frames broke (bounded).
    pub invalid: Vec<Violation>,
    /// Pings the peer sent (answered up to a bound, not judged).
    pub peer_pings: usize,
    /// A frame or message from the peer too large to buffer.
    pub oversize: Option<u64>,
    /// Masking keys of the peer's frames, in arrival order (bounded).
    pub peer_keys: Vec<[u8; 4]>,
    /// The first masking key seen twice, and the index of the frame that
    /// reused it.
    pub reused_key: Option<([u8; 4], usize)>,
    /// The tester, as server, closed TCP after the closing handshake
    /// (RFC 6455 §7.1.1: the server closes first).
    pub tester_closed_tcp: bool,
    /// Frames in both directions (bounded).
    pub wire: Vec<WireFrame>,
    /// The permessage-deflate agreement of the opening handshake, if any.
    pub deflate: Option<crate::codec::deflate::Agreement>,
    /// The case needs permessage-deflate and the peer declined it.
    pub deflate_declined: bool,
    /// The tester's compressed messages (as the case sends them).
    pub deflate_sent: Compressed,
    /// The peer's compressed messages that inflated.
    pub deflate_received: Compressed,
}

/// Compressed messages of one direction: bytes on the wire (payloads) and
/// inflated, for the report's compression ratio.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Compressed {
    /// Messages sent compressed (RSV1 on their first frame).
    pub messages: u64,
    /// Their payload bytes on the wire.
    pub wire: u64,
    /// Their bytes once inflated.
    pub inflated: u64,
}

impl Compressed {
    /// One more message of `wire` compressed bytes, `inflated` once inflated.
    pub fn add(&mut self, wire: u64, inflated: u64) {
        self.messages += 1;
        self.wire += wire;
        self.inflated += inflated;
    }
}

impl Observed {
    /// What a finished case keeps after its verdict and result record are
    /// made: everything but the events past the first
    /// [`RETAINED_EVENTS`](super::bounds::RETAINED_EVENTS) (a case of 1000
    /// round trips, or 100,000 pongs, is not held for the whole run) and the
    /// wire log past what a result record shows
    /// ([`WIRE_ENTRIES`](crate::results::WIRE_ENTRIES)).
    pub fn retained(mut self) -> Observed {
        self.events.truncate(super::bounds::RETAINED_EVENTS);
        self.events.shrink_to_fit();
        self.wire.truncate(crate::results::WIRE_ENTRIES);
        self.wire.shrink_to_fit();
        self
    }
}

/// The seen event's kind and payload size, for messages in a line.
pub fn describe_seen(e: &Seen) -> String {
    match e {
        Seen::Message { opcode, payload } => {
            let diff = payload.diff.as_ref().map(describe_diff).unwrap_or_default();
            format!("{opcode}({} B){diff}", payload.len)
        }
        Seen::Pong(p) => format!("pong({} B)", p.len()),
    }
}

fn describe_diff(d: &Diff) -> String {
    format!(
        " differing from byte {}: owed {} from byte {}, got {}",
        d.offset,
        hex(&d.expected),
        d.from,
        hex(&d.actual)
    )
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
