//! A whole frame: header plus unmasked payload, with builders for the frames
//! tests and mutators write, and the byte-exact encoder.

use bytes::{BufMut, Bytes, BytesMut};

use super::close_code::CloseCode;
use super::header::{FrameHeader, PayloadLen};
use super::mask::apply_mask;
use super::opcode::OpCode;

/// Which side of the connection sent a frame (RFC 6455 §5.1 rules differ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The side that opened the connection; its frames MUST be masked.
    Client,
    /// The side that accepted it; its frames MUST NOT be masked.
    Server,
}

impl Role {
    /// The other side.
    pub fn peer(self) -> Role {
        match self {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }
}

/// A frame. `payload` holds the application data *unmasked*; the encoder
/// masks it with `header.mask` when writing. `header.len` is what is declared
/// on the wire and may differ from `payload.len()` (a length lie): the encoder
/// writes both as they are.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    /// The header, written as is.
    pub header: FrameHeader,
    /// The unmasked payload bytes, written as is (after masking).
    pub payload: Bytes,
}

impl Frame {
    /// A final, unmasked frame with a minimal length.
    pub fn new(opcode: OpCode, payload: impl Into<Bytes>) -> Frame {
        let payload = payload.into();
        Frame {
            header: FrameHeader {
                fin: true,
                rsv: 0,
                opcode,
                mask: None,
                len: PayloadLen::minimal(payload.len() as u64),
            },
            payload,
        }
    }

    /// A text frame.
    pub fn text(payload: impl Into<Bytes>) -> Frame {
        Frame::new(OpCode::TEXT, payload)
    }
    /// A binary frame.
    pub fn binary(payload: impl Into<Bytes>) -> Frame {
        Frame::new(OpCode::BINARY, payload)
    }
    /// A continuation frame.
    pub fn continuation(payload: impl Into<Bytes>) -> Frame {
        Frame::new(OpCode::CONTINUATION, payload)
    }
    /// A ping frame.
    pub fn ping(payload: impl Into<Bytes>) -> Frame {
        Frame::new(OpCode::PING, payload)
    }
    /// A pong frame.
    pub fn pong(payload: impl Into<Bytes>) -> Frame {
        Frame::new(OpCode::PONG, payload)
    }
    /// A close frame with a status code and reason.
    pub fn close(code: CloseCode, reason: &[u8]) -> Frame {
        let mut p = Vec::with_capacity(2 + reason.len());
        p.extend_from_slice(&code.0.to_be_bytes());
        p.extend_from_slice(reason);
        Frame::new(OpCode::CLOSE, p)
    }
    /// A close frame with no body.
    pub fn close_empty() -> Frame {
        Frame::new(OpCode::CLOSE, Bytes::new())
    }

    /// Sets FIN.
    pub fn fin(mut self, fin: bool) -> Frame {
        self.header.fin = fin;
        self
    }
    /// Sets the RSV bits (3-bit number).
    pub fn rsv(mut self, rsv: u8) -> Frame {
        self.header.rsv = rsv;
        self
    }
    /// Sets the mask key (and the MASK bit).
    pub fn masked(mut self, key: [u8; 4]) -> Frame {
        self.header.mask = Some(key);
        self
    }
    /// Clears the MASK bit.
    pub fn unmasked(mut self) -> Frame {
        self.header.mask = None;
        self
    }
    /// Declares the length in the given form; panics if the payload does not fit it.
    pub fn len_form(mut self, form: u8) -> Frame {
        self.header.len = PayloadLen::with_form(self.payload.len() as u64, form)
            .expect("payload length fits the requested form");
        self
    }
    /// Declares any length, whatever the payload really holds.
    pub fn declared_len(mut self, len: PayloadLen) -> Frame {
        self.header.len = len;
        self
    }

    /// The status code of a Close frame's payload, if it has two bytes or more.
    pub fn close_code(&self) -> Option<CloseCode> {
        (self.header.opcode == OpCode::CLOSE && self.payload.len() >= 2)
            .then(|| CloseCode(u16::from_be_bytes([self.payload[0], self.payload[1]])))
    }

    /// Bytes this frame takes on the wire.
    pub fn wire_len(&self) -> usize {
        self.header.wire_len() + self.payload.len()
    }

    /// Appends the frame exactly as described: header as is, payload masked
    /// with the header's key if it has one.
    pub fn encode(&self, out: &mut BytesMut) {
        out.reserve(self.wire_len());
        self.header.write(out);
        let start = out.len();
        out.put_slice(&self.payload);
        if let Some(key) = self.header.mask {
            apply_mask(&mut out[start..], key);
        }
    }

    /// The frame's wire bytes.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(self.wire_len());
        self.encode(&mut out);
        out.freeze()
    }
}
