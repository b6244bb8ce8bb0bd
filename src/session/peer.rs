//! Reader of the peer's frame stream: frames validated for the peer's role,
//! messages reassembled up to a cap.

use bytes::{Bytes, BytesMut};

use super::observe::Seen;
use super::peer_inflate::{PeerInflate, Refused};
use crate::codec::deflate::Direction;
use crate::codec::{DecodeError, Decoder, Frame, OpCode, Role, Validator, Violation};

/// Reader of the peer's frame stream.
#[derive(Debug)]
pub struct PeerStream {
    decoder: Decoder,
    validator: Validator,
    message: Option<(OpCode, BytesMut)>,
    max_message: u64,
    /// permessage-deflate: the inflater, and whether the open message is
    /// compressed.
    inflate: Option<PeerInflate>,
    compressed: bool,
    /// Rules broken by inflated messages, for `read` to report.
    inflate_invalid: Vec<Violation>,
}

/// One thing read from the peer.
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

impl PeerStream {
    /// A reader of the frames `sender` sends (validated for that role).
    pub fn of(sender: Role, max_message: u64) -> PeerStream {
        PeerStream {
            decoder: Decoder::new(max_message),
            validator: Validator::new(sender),
            message: None,
            max_message,
            inflate: None,
            compressed: false,
            inflate_invalid: Vec::new(),
        }
    }

    /// With permessage-deflate agreed: the peer compresses as `direction`.
    pub fn with_deflate(mut self, direction: Direction) -> PeerStream {
        self.validator = self.validator.with_deflate();
        self.inflate = Some(PeerInflate::new(direction, self.max_message));
        self
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
            invalid.append(&mut self.inflate_invalid);
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
            _ => {
                self.compressed = self.inflate.is_some() && f.header.rsv & 4 != 0;
                (op, BytesMut::new())
            }
        };
        if buf.len() as u64 + f.payload.len() as u64 > self.max_message {
            return Rx::Oversize(buf.len() as u64 + f.payload.len() as u64);
        }
        buf.extend_from_slice(&f.payload);
        if !f.header.fin {
            self.message = Some((opcode, buf));
            return Rx::Nothing;
        }
        let payload = match self.inflate.as_mut().filter(|_| self.compressed) {
            None => buf.freeze(),
            Some(inflate) => match inflate.message(opcode, &buf) {
                Ok(p) => p,
                Err(Refused::TooBig(n)) => return Rx::Oversize(n),
                Err(Refused::Invalid(v)) => {
                    self.inflate_invalid.push(v);
                    return Rx::Nothing;
                }
            },
        };
        Rx::Event(Seen::Message { opcode, payload })
    }
}
