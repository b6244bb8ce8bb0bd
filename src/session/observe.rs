//! What the server sent, as the session saw it: its frames validated for the
//! server role, messages reassembled (bounded), and every event stamped with
//! how much of the case had been sent when it arrived.

use bytes::{Bytes, BytesMut};

use crate::codec::{
    CloseCode, DecodeError, Decoder, Frame, FrameHeader, OpCode, Role, Validator, Violation,
};

/// An event the server sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// A whole message.
    Message {
        /// Text or binary.
        opcode: OpCode,
        /// The payload.
        payload: Bytes,
    },
    /// A pong.
    Pong(Bytes),
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

/// The server's Close frame.
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
    /// Headers of a non-101 handshake response.
    pub handshake_headers: Vec<(String, String)>,
    /// Messages and pongs, in arrival order.
    pub events: Vec<SeenEvent>,
    /// The server's Close frame.
    pub close: Option<SeenClose>,
    /// The server closed TCP.
    pub eof: bool,
    /// The tester sent its Close (the normal end of the case).
    pub tester_closed: bool,
    /// The case deadline passed before the case ended.
    pub timed_out: bool,
    /// The server kept TCP open after the closing handshake.
    pub lingered: bool,
    /// Rules the server's frames broke.
    pub invalid: Vec<Violation>,
    /// Pings the server sent (answered, not judged).
    pub server_pings: usize,
    /// A frame or message from the server too large to buffer.
    pub oversize: Option<u64>,
    /// Frames in both directions (bounded).
    pub wire: Vec<WireFrame>,
}

/// Reader of the server's frame stream.
#[derive(Debug)]
pub struct ServerStream {
    decoder: Decoder,
    validator: Validator,
    message: Option<(OpCode, BytesMut)>,
    max_message: u64,
}

/// One thing read from the server.
#[derive(Debug)]
pub enum Rx {
    /// A message or pong.
    Event(Seen),
    /// A ping (to answer).
    Ping(Bytes),
    /// A Close frame.
    Close(Frame),
    /// A frame or message above the cap; reading stops.
    Oversize(u64),
    /// A fragment of an unfinished message, or a frame with no meaning.
    Nothing,
}

impl ServerStream {
    /// A reader that buffers at most `max_message` bytes of one message.
    pub fn new(max_message: u64) -> ServerStream {
        ServerStream {
            decoder: Decoder::new(max_message),
            validator: Validator::new(Role::Server),
            message: None,
            max_message,
        }
    }

    /// Takes whole frames off `buf`; returns what they mean and the rules broken.
    pub fn read(
        &mut self,
        buf: &mut BytesMut,
        out: &mut Vec<(Rx, Option<Frame>)>,
        invalid: &mut Vec<Violation>,
    ) {
        loop {
            let frame = match self.decoder.decode(buf) {
                Ok(Some(f)) => f,
                Ok(None) => return,
                Err(DecodeError::PayloadTooLarge {
                    header, declared, ..
                }) => {
                    invalid.extend(self.validator.check_header(&header));
                    out.push((Rx::Oversize(declared), None));
                    buf.clear();
                    return;
                }
            };
            invalid.extend(self.validator.check_frame(&frame));
            let rx = self.interpret(&frame);
            out.push((rx, Some(frame)));
            if matches!(out.last(), Some((Rx::Oversize(_), _))) {
                return;
            }
        }
    }

    fn interpret(&mut self, f: &Frame) -> Rx {
        match f.header.opcode {
            OpCode::PING => Rx::Ping(f.payload.clone()),
            OpCode::PONG => Rx::Event(Seen::Pong(f.payload.clone())),
            OpCode::CLOSE => Rx::Close(f.clone()),
            op if op.is_data() => self.reassemble(op, f),
            // Reserved opcodes are already recorded as invalid.
            _ => Rx::Nothing,
        }
    }

    fn reassemble(&mut self, op: OpCode, f: &Frame) -> Rx {
        let (opcode, mut buf) = match self.message.take() {
            Some(m) if op == OpCode::CONTINUATION => m,
            _ => (op, BytesMut::new()),
        };
        if buf.len() as u64 + f.payload.len() as u64 > self.max_message {
            return Rx::Oversize(buf.len() as u64 + f.payload.len() as u64);
        }
        buf.extend_from_slice(&f.payload);
        if !f.header.fin {
            self.message = Some((opcode, buf));
            return Rx::Nothing;
        }
        Rx::Event(Seen::Message {
            opcode,
            payload: buf.freeze(),
        })
    }
}
