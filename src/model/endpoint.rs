//! The model of one conforming endpoint receiving frames from its peer.

use super::inflated::Inflated;
use super::reaction::{Failure, Owed, Reaction};
use crate::codec::deflate::{Direction, MessageInflater, Refused};
use crate::codec::{
    Assembler, Body, CloseCode, Frame, FrameHeader, OpCode, Role, Validator, Violation,
};

/// What the modelled endpoint accepts beyond the bare RFC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest message it accepts; above it the connection fails with 1009.
    pub max_message: u64,
    /// RSV bits given meaning by a negotiated extension.
    pub rsv_allowed: u8,
    /// permessage-deflate negotiated, with the direction the peer compresses
    /// in: RSV1 on a first data frame marks a compressed message (RFC 7692
    /// §6), inflated within that window and context, its size limit and its
    /// UTF-8 judged on the inflated bytes.
    pub deflate: Option<Direction>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message: u64::MAX,
            rsv_allowed: 0,
            deflate: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Open,
    Closing,
    Failed,
}

/// The data message being received.
#[derive(Debug)]
enum Message {
    /// Uncompressed: its frames' payloads.
    Plain(OpCode, Assembler),
    /// Compressed: inflated as its frames arrive.
    Compressed(OpCode, Inflated),
    /// Compressed by the codec's own `Deflater` from this plain message
    /// ([`Endpoint::trust_compressor`]): owed as it is, not inflated.
    Trusted(OpCode, Body),
}

/// A conforming endpoint in `role`, receiving its peer's frames.
#[derive(Debug)]
pub struct Endpoint {
    role: Role,
    incoming: Validator,
    state: State,
    message: Option<Message>,
    /// permessage-deflate: the inflater of the peer's compressed messages.
    inflate: Option<MessageInflater>,
    max_message: u64,
    /// A compressed message just accepted although a strict receiver may
    /// refuse it: a rule the endpoint may tolerate.
    lenient: Option<Violation>,
    /// What the next compressed message should inflate to (the sender's
    /// plain message), compared instead of copied.
    hint: Option<Body>,
    /// Every compressed message the sender writes comes with its hint and
    /// is the `Deflater`'s output for it ([`Endpoint::trust_compressor`]).
    trusted: bool,
}

impl Endpoint {
    /// A conforming endpoint with no extension and no message limit.
    pub fn new(role: Role) -> Endpoint {
        Endpoint::with_limits(role, Limits::default())
    }

    /// A conforming endpoint with the given limits.
    pub fn with_limits(role: Role, limits: Limits) -> Endpoint {
        let incoming = Validator::new(role.peer())
            .with_max_message(limits.max_message)
            .with_rsv_allowed(limits.rsv_allowed);
        let (incoming, inflate) = match limits.deflate {
            Some(d) => (
                incoming.with_deflate(),
                Some(MessageInflater::new(d, limits.max_message)),
            ),
            None => (incoming, None),
        };
        Endpoint {
            role,
            incoming,
            state: State::Open,
            message: None,
            inflate,
            max_message: limits.max_message,
            lenient: None,
            hint: None,
            trusted: false,
        }
    }

    /// The modelled endpoint's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// True until the connection is failed or the closing handshake starts.
    pub fn is_open(&self) -> bool {
        self.state == State::Open
    }

    /// The failure a header alone already calls for, so an endpoint can
    /// fail before a (possibly endless) payload arrives.
    pub fn judge_header(&self, header: &FrameHeader) -> Option<Failure> {
        if self.state != State::Open {
            return None;
        }
        let fatal = self
            .incoming
            .check_header(header)
            .into_iter()
            .find(|v| !v.receiver_may_tolerate())?;
        Some(failure(fatal, false))
    }

    /// The failure the first bytes of a frame's payload already call for,
    /// while the rest has not arrived: a text stream that no continuation
    /// can make valid UTF-8 (fail-fast inside one frame). The prefix is
    /// unmasked; nothing changes.
    pub fn judge_partial(&self, header: &FrameHeader, unmasked_prefix: &[u8]) -> Option<Failure> {
        if self.state != State::Open {
            return None;
        }
        let violation = self
            .incoming
            .check_partial_payload(header, unmasked_prefix)?;
        Some(failure(violation, !header.fin))
    }

    /// What a conforming endpoint must do on receiving `frame`.
    pub fn receive(&mut self, frame: &Frame) -> Owed {
        self.receive_body(&frame.header, &Body::Bytes(frame.payload.clone()))
    }

    /// As [`Endpoint::receive`], for a frame whose payload is a [`Body`]
    /// (a generated payload is checked piece by piece, never held whole).
    pub fn receive_body(&mut self, header: &FrameHeader, body: &Body) -> Owed {
        if self.state != State::Open {
            return Owed {
                reaction: Reaction::Ignore,
                tolerable: None,
            };
        }
        let violations = self.check(header, body);
        let mut tolerable = violations
            .iter()
            .find(|v| v.receiver_may_tolerate())
            .cloned();
        let reaction = match violations.into_iter().find(|v| !v.receiver_may_tolerate()) {
            Some(fatal) => {
                self.state = State::Failed;
                self.message = None;
                let deferrable = matches!(fatal, Violation::InvalidUtf8 { .. }) && !header.fin;
                Reaction::Fail(failure(fatal, deferrable))
            }
            None => match self.accept(header, body) {
                Reaction::Fail(f) => {
                    self.state = State::Failed;
                    self.message = None;
                    Reaction::Fail(f)
                }
                r => r,
            },
        };
        if let Some(v) = self.lenient.take() {
            tolerable.get_or_insert(v);
        }
        Owed {
            reaction,
            tolerable,
        }
    }

    fn check(&mut self, header: &FrameHeader, body: &Body) -> Vec<Violation> {
        if let Body::Bytes(payload) = body {
            let frame = Frame {
                header: *header,
                payload: payload.clone(),
            };
            return self.incoming.check_frame(&frame);
        }
        let mut v = self.incoming.begin_frame(header);
        body.for_each_piece(|p| v.extend(self.incoming.feed_payload(p)));
        v.extend(self.incoming.end_frame());
        v
    }

    fn accept(&mut self, header: &FrameHeader, body: &Body) -> Reaction {
        let held = || body.bytes_at(0, body.len() as usize);
        match header.opcode {
            OpCode::PING => Reaction::Pong(held()),
            OpCode::PONG => Reaction::Nothing,
            OpCode::CLOSE => {
                self.state = State::Closing;
                self.message = None;
                close_reply(&Frame {
                    header: *header,
                    payload: held(),
                })
            }
            _ => self.accept_data(header, body),
        }
    }

    fn accept_data(&mut self, header: &FrameHeader, body: &Body) -> Reaction {
        let message = match self.message.take() {
            Some(open) if header.opcode == OpCode::CONTINUATION => open,
            _ => self.begin_message(header),
        };
        match message {
            Message::Plain(opcode, mut held) => {
                held.push(body);
                if !header.fin {
                    self.message = Some(Message::Plain(opcode, held));
                    return Reaction::Nothing;
                }
                let payload = held.finish();
                Reaction::Message { opcode, payload }
            }
            Message::Compressed(opcode, mut inflated) => {
                let inflater = self.inflate.as_mut().expect("compressed only with deflate");
                body.for_each_piece(|p| inflater.feed(p, &mut |b| inflated.push(b)));
                if !header.fin {
                    self.message = Some(Message::Compressed(opcode, inflated));
                    return Reaction::Nothing;
                }
                let refused = inflater.finish(&mut |b| inflated.push(b));
                self.inflated_message(opcode, inflated, refused)
            }
            Message::Trusted(opcode, plain) => {
                if !header.fin {
                    self.message = Some(Message::Trusted(opcode, plain));
                    return Reaction::Nothing;
                }
                self.trusted_message(opcode, plain)
            }
        }
    }

    /// Every compressed message the sender writes from now on is the codec's
    /// `Deflater` output (for the agreed direction) of the plain message its
    /// hint names, and every one has a hint: the model owes each hint as if
    /// it had inflated the message, without inflating it. What such a
    /// message inflates to is the codec's own round trip, proved for every
    /// window and context by `codec/deflate/tests/round_trip.rs`; crafted
    /// compressed bytes (a case's own, a mutator's) are never trusted and
    /// always inflated.
    pub fn trust_compressor(&mut self) {
        self.trusted = true;
    }

    /// A trusted compressed message at its end: what a receiver inflating it
    /// would do, judged on its plain bytes by the same receiving half.
    fn trusted_message(&mut self, opcode: OpCode, plain: Body) -> Reaction {
        let inflater = self.inflate.as_ref().expect("compressed only with deflate");
        let violation = match inflater.judge_plain(opcode, &plain) {
            None | Some(Refused::Lenient(_)) => {
                return Reaction::Message {
                    opcode,
                    payload: plain,
                };
            }
            Some(Refused::Invalid(v)) => v,
            Some(Refused::TooBig(size)) => Violation::MessageTooBig {
                size,
                limit: self.max_message,
            },
        };
        Reaction::Fail(failure(violation, false))
    }

    /// The next compressed message should inflate to `plain` (what its
    /// sender compressed): the model still inflates it and compares, and owes
    /// `plain` itself when they are equal, so it holds no copy.
    pub fn expect_inflated(&mut self, plain: Option<Body>) {
        self.hint = plain;
    }

    fn begin_message(&mut self, header: &FrameHeader) -> Message {
        let hint = self.hint.take();
        match self.inflate.as_mut() {
            Some(_) if header.rsv1() && self.trusted && hint.is_some() => {
                Message::Trusted(header.opcode, hint.expect("checked"))
            }
            Some(inflater) if header.rsv1() => {
                debug_assert!(!self.trusted, "a trusted sender hints every message");
                inflater.begin(header.opcode);
                let inflated = hint.map_or_else(Inflated::default, Inflated::expecting);
                Message::Compressed(header.opcode, inflated)
            }
            _ => Message::Plain(header.opcode, Assembler::default()),
        }
    }

    /// A compressed message at its end: delivered, or the failure its
    /// inflated bytes call for.
    fn inflated_message(
        &mut self,
        opcode: OpCode,
        inflated: Inflated,
        refused: Option<Refused>,
    ) -> Reaction {
        let too_big = |size| Violation::MessageTooBig {
            size,
            limit: self.max_message,
        };
        let violation = match (refused, inflated.finish()) {
            (Some(Refused::Invalid(v)), _) => v,
            (Some(Refused::Lenient(v)), Ok(payload)) => {
                self.lenient = Some(v);
                return Reaction::Message { opcode, payload };
            }
            (Some(Refused::Lenient(_)), Err(held)) => too_big(held),
            (Some(Refused::TooBig(n)), _) => too_big(n),
            (None, Err(held)) => too_big(held),
            (None, Ok(payload)) => return Reaction::Message { opcode, payload },
        };
        Reaction::Fail(failure(violation, false))
    }
}

fn failure(violation: Violation, deferrable_to_message_end: bool) -> Failure {
    Failure {
        codes: violation.accepted_close_codes().to_vec(),
        violation,
        deferrable_to_message_end,
    }
}

/// RFC 6455 §5.5.1: "When sending a Close frame in response, the endpoint
/// typically echos the status code it received": 1000 or the echoed code;
/// a reply without a body is correct too.
fn close_reply(frame: &Frame) -> Reaction {
    let mut codes = vec![CloseCode::NORMAL];
    if let Some(code) = frame.close_code().filter(|c| *c != CloseCode::NORMAL) {
        codes.push(code);
    }
    Reaction::CloseReply {
        codes,
        empty_ok: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_payload_judged_against_the_open_message() {
        let mut e = Endpoint::new(Role::Server);
        let key = [9, 8, 7, 6];
        let text = Frame::text(&b"abcdef"[..]).masked(key).header;
        assert_eq!(e.judge_partial(&text, b"ab"), None);
        let f = e
            .judge_partial(&text, b"a\xc0")
            .expect("0xC0 is never valid");
        assert_eq!(f.codes, vec![CloseCode::INVALID_PAYLOAD]);
        assert_eq!(f.violation, Violation::InvalidUtf8 { position: 1 });
        assert!(!f.deferrable_to_message_end);
        let first = Frame::text(&b"x\xe2"[..]).fin(false).masked(key);
        assert_eq!(e.receive(&first).reaction, Reaction::Nothing);
        let cont = Frame::continuation(&b"\x82\xac"[..]).fin(false).masked(key);
        assert_eq!(e.judge_partial(&cont.header, b"\x82"), None);
        let f = e
            .judge_partial(&cont.header, b"\x41")
            .expect("E2 41 is invalid");
        assert_eq!(f.violation, Violation::InvalidUtf8 { position: 2 });
        assert!(f.deferrable_to_message_end);
    }

    #[test]
    fn partial_payload_is_not_judged_after_failure_or_for_binary() {
        let mut e = Endpoint::new(Role::Server);
        let bin = Frame::binary(&b"\xff\xff"[..]).masked([1, 1, 1, 1]);
        assert_eq!(e.judge_partial(&bin.header, b"\xff"), None);
        let bad = Frame::new(crate::codec::OpCode(3), &b""[..]).masked([1, 1, 1, 1]);
        assert!(matches!(e.receive(&bad).reaction, Reaction::Fail(_)));
        let text = Frame::text(&b"\xff"[..]).masked([1, 1, 1, 1]).header;
        assert_eq!(e.judge_partial(&text, b"\xff"), None);
    }

    /// A server that agreed to deflate with the client compressing, and a
    /// hint for the next compressed message.
    fn deflate_server(max_message: u64, trusted: bool, hint: &[u8]) -> Endpoint {
        let limits = Limits {
            max_message,
            deflate: Some(Direction {
                window_bits: 15,
                no_context_takeover: false,
            }),
            ..Limits::default()
        };
        let mut e = Endpoint::with_limits(Role::Server, limits);
        if trusted {
            e.trust_compressor();
        }
        e.expect_inflated(Some(Body::Bytes(bytes::Bytes::copy_from_slice(hint))));
        e
    }

    /// A masked text frame with RSV1 whose payload is no DEFLATE stream.
    fn not_deflate() -> Frame {
        Frame::text(&b"\xff\xff\xff"[..])
            .rsv(4)
            .masked([1, 2, 3, 4])
    }

    #[test]
    fn an_untrusted_compressed_message_is_inflated_and_a_trusted_one_owed_as_hinted() {
        let mut e = deflate_server(u64::MAX, false, b"hello");
        let Reaction::Fail(f) = e.receive(&not_deflate()).reaction else {
            panic!("bytes that do not inflate fail the connection");
        };
        assert!(matches!(f.violation, Violation::BadCompressedData { .. }));
        assert_eq!(f.codes[0], CloseCode::PROTOCOL_ERROR);
        let mut e = deflate_server(u64::MAX, true, b"hello");
        let owed = e.receive(&not_deflate()).reaction;
        let Reaction::Message { opcode, payload } = owed else {
            panic!("a trusted message is owed as hinted: {owed:?}");
        };
        assert_eq!(opcode, OpCode::TEXT);
        assert_eq!(payload.bytes_at(0, 5).as_ref(), b"hello");
    }

    #[test]
    fn a_trusted_message_is_still_held_to_utf8_and_the_size_limit() {
        let mut e = deflate_server(u64::MAX, true, b"ok \xc0");
        let Reaction::Fail(f) = e.receive(&not_deflate()).reaction else {
            panic!("inflated text that is not UTF-8 fails");
        };
        assert_eq!(f.violation, Violation::InvalidUtf8 { position: 3 });
        let mut e = deflate_server(4, true, b"hello");
        let Reaction::Fail(f) = e.receive(&not_deflate()).reaction else {
            panic!("a message past the limit fails");
        };
        assert_eq!(f.violation, Violation::MessageTooBig { size: 5, limit: 4 });
        assert_eq!(f.codes[0], CloseCode::MESSAGE_TOO_BIG);
    }
}
