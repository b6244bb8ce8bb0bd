//! The strict validator: checks one endpoint's frame stream against the
//! rules of RFC 6455 for the sender's role and the message state, and names
//! every rule broken. Decoding never judges; this does.

use super::close_code::CloseCode;
use super::frame::{Frame, Role};
use super::header::FrameHeader;
use super::opcode::OpCode;
use super::utf8::Utf8Validator;
use super::violation::Violation;

/// The data frame whose payload is arriving in pieces.
#[derive(Clone, Debug)]
struct CurrentFrame {
    msg: OpenMessage,
    fin: bool,
    failed: bool,
}

/// The state of the message a sender has open.
#[derive(Clone, Debug)]
struct OpenMessage {
    opcode: OpCode,
    size: u64,
    utf8: Option<Utf8Validator>,
}

/// Validator of the frames one endpoint sends.
#[derive(Clone, Debug)]
pub struct Validator {
    sender: Role,
    rsv_allowed: u8,
    deflate: bool,
    max_message: u64,
    open: Option<OpenMessage>,
    current: Option<CurrentFrame>,
    close_sent: bool,
}

impl Validator {
    /// Validates frames sent by `sender`, with no extension and no size limit.
    pub fn new(sender: Role) -> Validator {
        Validator {
            sender,
            rsv_allowed: 0,
            deflate: false,
            max_message: u64::MAX,
            open: None,
            current: None,
            close_sent: false,
        }
    }

    /// RSV bits an extension negotiated for this connection gives meaning to.
    pub fn with_rsv_allowed(mut self, rsv: u8) -> Validator {
        self.rsv_allowed = rsv;
        self
    }

    /// permessage-deflate is negotiated: RSV1 marks a compressed message, on
    /// its first frame only, and its UTF-8 is checked after inflation.
    pub fn with_deflate(mut self) -> Validator {
        self.deflate = true;
        self
    }

    /// Whether `h` marks a compressed message (RSV1 with deflate agreed).
    fn compressed(&self, h: &FrameHeader) -> bool {
        self.deflate && h.rsv1()
    }

    /// The largest message (bytes) the receiver accepts; above it, 1009.
    pub fn with_max_message(mut self, limit: u64) -> Validator {
        self.max_message = limit;
        self
    }

    /// True while a fragmented message is open.
    pub fn in_message(&self) -> bool {
        self.open.is_some()
    }

    /// True once the sender has sent a Close frame.
    pub fn close_sent(&self) -> bool {
        self.close_sent
    }

    /// The rules a header breaks, knowable before any payload arrives.
    pub fn check_header(&self, h: &FrameHeader) -> Vec<Violation> {
        let mut v = Vec::new();
        // RFC 6455 §5.2: RSV1-3 "MUST be 0 unless an extension is negotiated
        // that defines meanings for non-zero values".
        let compressed = self.compressed(h);
        let allowed = self.rsv_allowed | if compressed { 4 } else { 0 };
        if h.rsv & !allowed & 7 != 0 {
            v.push(Violation::ReservedBits { rsv: h.rsv & 7 });
        }
        // RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message
        // Compressed" bit of control frames and non-first fragments of a data
        // message. An endpoint receiving such a frame MUST _Fail the
        // WebSocket Connection_."
        if compressed && (h.opcode.is_control() || h.opcode == OpCode::CONTINUATION) {
            v.push(Violation::CompressedBitMisplaced { opcode: h.opcode });
        }
        // RFC 6455 §5.2: "If an unknown opcode is received, the receiving
        // endpoint MUST _Fail the WebSocket Connection_."
        if h.opcode.is_reserved() {
            v.push(Violation::ReservedOpcode { opcode: h.opcode });
        }
        self.check_masking(h, &mut v);
        self.check_length(h, &mut v);
        self.check_sequence(h, &mut v);
        v
    }

    fn check_masking(&self, h: &FrameHeader, v: &mut Vec<Violation>) {
        match (self.sender, h.mask.is_some()) {
            // RFC 6455 §5.1: "a client MUST mask all frames that it sends to the server".
            (Role::Client, false) => v.push(Violation::UnmaskedClientFrame),
            // RFC 6455 §5.1: "A server MUST NOT mask any frames that it sends to the client."
            (Role::Server, true) => v.push(Violation::MaskedServerFrame),
            _ => {}
        }
    }

    fn check_length(&self, h: &FrameHeader, v: &mut Vec<Violation>) {
        let len = h.len.value();
        // RFC 6455 §5.2: "the most significant bit MUST be 0".
        if h.len.msb_set() {
            v.push(Violation::LengthMsbSet { len });
        }
        // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length".
        if !h.len.is_minimal() {
            v.push(Violation::NonMinimalLength {
                len,
                form: h.len.form(),
            });
        }
        // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
        if h.opcode.is_control() && len > 125 {
            v.push(Violation::ControlFrameTooLong {
                opcode: h.opcode,
                len,
            });
        }
    }

    fn check_sequence(&self, h: &FrameHeader, v: &mut Vec<Violation>) {
        let op = h.opcode;
        if op.is_control() {
            // RFC 6455 §5.5: control frames "MUST NOT be fragmented".
            if !h.fin {
                v.push(Violation::FragmentedControlFrame { opcode: op });
            }
            return;
        }
        if !op.is_data() {
            return;
        }
        // RFC 6455 §5.5.1: "The application MUST NOT send any more data
        // frames after sending a Close frame."
        if self.close_sent {
            v.push(Violation::DataAfterClose { opcode: op });
        }
        // RFC 6455 §5.4: a fragmented message is a first frame with opcode
        // other than 0, then continuations; fragments "MUST NOT be interleaved".
        match (op == OpCode::CONTINUATION, &self.open) {
            (true, None) => v.push(Violation::UnexpectedContinuation),
            (false, Some(_)) => v.push(Violation::ExpectedContinuation { opcode: op }),
            _ => {}
        }
        let so_far = match (&self.open, op == OpCode::CONTINUATION) {
            (Some(m), true) => m.size,
            _ => 0,
        };
        let size = so_far.saturating_add(h.len.value());
        if size > self.max_message {
            v.push(Violation::MessageTooBig {
                size,
                limit: self.max_message,
            });
        }
    }

    /// Every rule a whole frame breaks; advances the message state.
    pub fn check_frame(&mut self, f: &Frame) -> Vec<Violation> {
        if f.header.opcode == OpCode::CLOSE {
            let mut v = self.check_header(&f.header);
            check_close_body(&f.payload, &mut v);
            self.close_sent = true;
            return v;
        }
        let mut v = self.begin_frame(&f.header);
        v.extend(self.feed_payload(&f.payload));
        v.extend(self.end_frame());
        v
    }

    /// The rules a frame's header breaks, for a frame whose payload follows
    /// in pieces ([`Validator::feed_payload`], then [`Validator::end_frame`]):
    /// the same checks as [`Validator::check_frame`] for any data or
    /// reserved frame, without holding the payload. (A Close frame's body is
    /// judged only whole, by `check_frame`.)
    pub fn begin_frame(&mut self, h: &FrameHeader) -> Vec<Violation> {
        let v = self.check_header(h);
        if h.opcode == OpCode::CLOSE {
            self.close_sent = true;
        }
        self.current = None;
        if h.opcode.is_data() && !v.iter().any(is_sequence_error) {
            let msg = match self.open.take() {
                Some(m) if h.opcode == OpCode::CONTINUATION => m,
                _ => OpenMessage {
                    opcode: h.opcode,
                    size: 0,
                    // A compressed text message is checked once inflated.
                    utf8: (h.opcode == OpCode::TEXT && !self.compressed(h))
                        .then(Utf8Validator::new),
                },
            };
            self.current = Some(CurrentFrame {
                msg,
                fin: h.fin,
                failed: false,
            });
        }
        v
    }

    /// The next unmasked piece of the payload of the frame begun last.
    pub fn feed_payload(&mut self, piece: &[u8]) -> Option<Violation> {
        let cur = self.current.as_mut()?;
        cur.msg.size += piece.len() as u64;
        if cur.failed {
            return None;
        }
        // RFC 6455 §8.1: an endpoint that finds a text stream is not valid
        // UTF-8 "MUST _Fail the WebSocket Connection_" — as early as the
        // first byte that no continuation can make valid.
        let e = cur.msg.utf8.as_mut()?.feed(piece).err()?;
        cur.failed = true;
        Some(Violation::InvalidUtf8 {
            position: e.position,
        })
    }

    /// The frame begun last is complete: a final frame ends its message
    /// (a text message must not end inside a UTF-8 sequence).
    pub fn end_frame(&mut self) -> Option<Violation> {
        let mut cur = self.current.take()?;
        if !cur.fin {
            self.open = Some(cur.msg);
            return None;
        }
        if cur.failed {
            return None;
        }
        let e = cur.msg.utf8.as_mut()?.finish().err()?;
        Some(Violation::InvalidUtf8 {
            position: e.position,
        })
    }

    /// The UTF-8 verdict on the first bytes of a text (or text-continuation)
    /// frame whose payload has only partly arrived, so a receiver can fail
    /// before the rest comes (or never comes). Uses a copy of the open
    /// message's UTF-8 state, or a fresh one for a TEXT frame; changes
    /// nothing. `None` for other frames or when the bytes can still be valid.
    pub fn check_partial_payload(
        &self,
        header: &FrameHeader,
        unmasked_prefix: &[u8],
    ) -> Option<Violation> {
        let mut utf8 = match (header.opcode, &self.open) {
            (OpCode::TEXT, None) if !self.compressed(header) => Utf8Validator::new(),
            (OpCode::CONTINUATION, Some(m)) => m.utf8?,
            _ => return None,
        };
        // RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as
        // UTF-8 but finds that the byte stream is not, in fact, a valid UTF-8
        // stream, that endpoint MUST _Fail the WebSocket Connection_."
        let e = utf8.feed(unmasked_prefix).err()?;
        Some(Violation::InvalidUtf8 {
            position: e.position,
        })
    }

    /// The opcode of the open message, if any.
    pub fn open_opcode(&self) -> Option<OpCode> {
        self.open.as_ref().map(|m| m.opcode)
    }
}

fn is_sequence_error(v: &Violation) -> bool {
    matches!(
        v,
        Violation::UnexpectedContinuation | Violation::ExpectedContinuation { .. }
    )
}

/// RFC 6455 §5.5.1: "If there is a body, the first two bytes of the body MUST
/// be a 2-byte unsigned integer … representing a status code"; the rest is a
/// UTF-8 reason.
fn check_close_body(body: &[u8], v: &mut Vec<Violation>) {
    match body.len() {
        0 => {}
        1 => v.push(Violation::CloseBodyTooShort),
        _ => {
            let code = CloseCode(u16::from_be_bytes([body[0], body[1]]));
            // RFC 6455 §7.4.1: 1005, 1006 and 1015 "MUST NOT be set as a status
            // code in a Close control frame by an endpoint"; §7.4.2 reserves the rest.
            if !code.is_sendable() {
                v.push(Violation::InvalidCloseCode { code });
            }
            if let Err(e) = Utf8Validator::validate(&body[2..]) {
                v.push(Violation::InvalidCloseReason {
                    position: e.position,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
