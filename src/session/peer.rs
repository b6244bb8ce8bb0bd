//! Reader of the peer's frame stream: frames validated for the peer's role,
//! data frames taken piece by piece as they arrive (unmasked, validated and
//! compared with the echo owed, never held whole), control frames whole.

use bytes::{Buf, Bytes, BytesMut};

use super::bounds::WIRE_PAYLOAD_HEAD;
use super::observe::{Compressed, DIFF_CONTEXT, Diff, RECEIVED_HEAD, Received, Seen};
use crate::codec::deflate::Direction;
use crate::codec::deflate::{MessageInflater, Refused};
use crate::codec::{
    Body, DecodeError, Decoder, Digest, Frame, FrameHeader, OpCode, Role, Validator, Violation,
    apply_mask_at,
};

/// Reader of the peer's frame stream.
#[derive(Debug)]
pub struct PeerStream {
    decoder: Decoder,
    validator: Validator,
    message: Option<Incoming>,
    frame: Option<Arriving>,
    max_message: u64,
    owed: Vec<Body>,
    messages: usize,
    scratch: Vec<u8>,
    /// permessage-deflate: the inflater of the peer's compressed messages.
    inflate: Option<MessageInflater>,
    /// The peer's compressed messages that inflated.
    pub compressed: Compressed,
}

/// A data frame whose payload is arriving.
#[derive(Debug)]
struct Arriving {
    header: FrameHeader,
    at: u64,
    left: u64,
    head: BytesMut,
}

/// The message being received: what is kept of it, and its comparison
/// with the message owed in its place.
#[derive(Debug)]
struct Incoming {
    opcode: OpCode,
    /// Payload bytes on the wire so far (compressed, for a compressed message).
    wire: u64,
    /// Sent compressed (RSV1 on its first frame, deflate agreed).
    compressed: bool,
    digest: Digest,
    head: BytesMut,
    owed: Option<Body>,
    diff: Option<Diff>,
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
            frame: None,
            max_message,
            owed: Vec::new(),
            messages: 0,
            scratch: Vec::new(),
            inflate: None,
            compressed: Compressed::default(),
        }
    }

    /// With permessage-deflate agreed: the peer compresses as `direction`.
    pub fn with_deflate(mut self, direction: Direction) -> PeerStream {
        self.validator = self.validator.with_deflate();
        self.inflate = Some(MessageInflater::new(direction, self.max_message));
        self
    }

    /// The messages owed, in order: the n-th message received is compared
    /// with the n-th, byte by byte as it arrives.
    pub fn expecting(mut self, owed: Vec<Body>) -> PeerStream {
        self.owed = owed;
        self
    }

    /// Takes what `buf` holds (whole control frames, any part of a data
    /// frame); returns what it means and the rules broken. A frame is
    /// returned when it is complete, with the head of its payload.
    pub fn read(
        &mut self,
        buf: &mut BytesMut,
        out: &mut Vec<(Rx, Option<Frame>)>,
        invalid: &mut Vec<Violation>,
    ) {
        loop {
            if self.frame.is_some() {
                if !self.take_payload(buf, out, invalid) {
                    return;
                }
                continue;
            }
            let header = match self.decoder.peek_header(buf) {
                Ok(Some((h, n))) if h.opcode.is_data() => (h, n),
                Ok(Some(_)) => match self.decoder.decode(buf) {
                    Ok(Some(f)) => {
                        invalid.extend(self.validator.check_frame(&f));
                        let rx = interpret(&f);
                        out.push((rx, Some(f)));
                        continue;
                    }
                    Ok(None) => return,
                    Err(e) => return self.oversize(e, buf, out, invalid),
                },
                Ok(None) => return,
                Err(e) => return self.oversize(e, buf, out, invalid),
            };
            if !self.begin_data(header, buf, out, invalid) {
                return;
            }
        }
    }

    fn oversize(
        &mut self,
        e: DecodeError,
        buf: &mut BytesMut,
        out: &mut Vec<(Rx, Option<Frame>)>,
        invalid: &mut Vec<Violation>,
    ) {
        let DecodeError::PayloadTooLarge {
            header, declared, ..
        } = e;
        invalid.extend(self.validator.check_header(&header));
        out.push((Rx::Oversize(declared), None));
        buf.clear();
    }

    /// Starts a data frame; false when reading stops (a message above the cap).
    fn begin_data(
        &mut self,
        (header, header_len): (FrameHeader, usize),
        buf: &mut BytesMut,
        out: &mut Vec<(Rx, Option<Frame>)>,
        invalid: &mut Vec<Violation>,
    ) -> bool {
        let len = header.len.value();
        let continues = header.opcode == OpCode::CONTINUATION;
        let so_far = match &self.message {
            Some(m) if continues => m.wire,
            _ => 0,
        };
        if so_far.saturating_add(len) > self.max_message {
            invalid.extend(self.validator.check_header(&header));
            out.push((Rx::Oversize(so_far.saturating_add(len)), None));
            buf.clear();
            return false;
        }
        buf.advance(header_len);
        invalid.extend(self.validator.begin_frame(&header));
        if !(continues && self.message.is_some()) {
            let owed = self.owed.get(self.messages).cloned();
            self.messages += 1;
            let compressed = header.rsv1() && self.inflate.is_some();
            if let Some(inflate) = self.inflate.as_mut().filter(|_| compressed) {
                inflate.begin(header.opcode);
            }
            self.message = Some(Incoming {
                opcode: header.opcode,
                wire: 0,
                compressed,
                digest: Digest::default(),
                head: BytesMut::new(),
                owed,
                diff: None,
            });
        }
        self.frame = Some(Arriving {
            header,
            at: 0,
            left: len,
            head: BytesMut::new(),
        });
        true
    }

    /// Takes what has arrived of the current data frame's payload; false
    /// when `buf` is used up before the frame ends.
    fn take_payload(
        &mut self,
        buf: &mut BytesMut,
        out: &mut Vec<(Rx, Option<Frame>)>,
        invalid: &mut Vec<Violation>,
    ) -> bool {
        let Some(fr) = self.frame.as_mut() else {
            return true;
        };
        if fr.left > 0 {
            if buf.is_empty() {
                return false;
            }
            let n = fr.left.min(buf.len() as u64) as usize;
            let mut piece = buf.split_to(n);
            if let Some(key) = fr.header.mask {
                apply_mask_at(&mut piece, key, (fr.at % 4) as usize);
            }
            let keep = WIRE_PAYLOAD_HEAD.saturating_sub(fr.head.len()).min(n);
            fr.head.extend_from_slice(&piece[..keep]);
            fr.at += n as u64;
            fr.left -= n as u64;
            invalid.extend(self.validator.feed_payload(&piece));
            if let Some(m) = self.message.as_mut() {
                m.wire += n as u64;
                let scratch = &mut self.scratch;
                match self.inflate.as_mut().filter(|_| m.compressed) {
                    Some(inflate) => inflate.feed(&piece, &mut |b| m.take(b, scratch)),
                    None => m.take(&piece, scratch),
                }
            }
            if fr.left > 0 {
                return false;
            }
        }
        let Some(fr) = self.frame.take() else {
            return true;
        };
        invalid.extend(self.validator.end_frame());
        let rx = match self.message.take() {
            Some(m) if fr.header.fin => self.end_message(m, invalid),
            m => {
                self.message = m;
                Rx::Nothing
            }
        };
        let frame = Frame {
            header: fr.header,
            payload: fr.head.freeze(),
        };
        out.push((rx, Some(frame)));
        true
    }
}

impl PeerStream {
    /// The message still arriving when the peer stops (its TCP closed or
    /// reset, or the case deadline), if what arrived of it already differs
    /// from the echo owed, or no echo was owed: the peer sent wrong data,
    /// whether or not the rest of it ever arrives.
    pub fn wrong_unfinished(&mut self) -> Option<Seen> {
        let m = self.message.as_ref()?;
        if m.diff.is_none() && m.owed.is_some() {
            return None;
        }
        self.message.take().map(Incoming::finish)
    }

    /// A message is complete: inflated to its end when it was compressed.
    fn end_message(&mut self, mut m: Incoming, invalid: &mut Vec<Violation>) -> Rx {
        let Some(inflate) = self.inflate.as_mut().filter(|_| m.compressed) else {
            return Rx::Event(m.finish());
        };
        let scratch = &mut self.scratch;
        match inflate.finish(&mut |b| m.take(b, scratch)) {
            None => {
                self.compressed.add(m.wire, m.digest.len);
                Rx::Event(m.finish())
            }
            Some(Refused::TooBig(n)) => Rx::Oversize(n),
            // RFC 7692 §7.2.1 is the sender's algorithm, not a MUST: a
            // message whose tail has another form still inflates whole.
            Some(Refused::Lenient(_)) => {
                self.compressed.add(m.wire, m.digest.len);
                Rx::Event(m.finish())
            }
            Some(Refused::Invalid(v)) => {
                invalid.push(v);
                Rx::Nothing
            }
        }
    }
}

impl Incoming {
    /// The next piece of the message: hashed, its head kept, compared.
    fn take(&mut self, piece: &[u8], scratch: &mut Vec<u8>) {
        let at = self.digest.len;
        let keep = RECEIVED_HEAD
            .saturating_sub(self.head.len())
            .min(piece.len());
        self.head.extend_from_slice(&piece[..keep]);
        self.digest.update(piece);
        let Some(owed) = self.owed.as_ref().filter(|_| self.diff.is_none()) else {
            return;
        };
        scratch.resize(piece.len(), 0);
        let n = owed.fill(at, scratch);
        if n == piece.len() && piece == &scratch[..n] {
            return;
        }
        let first = piece
            .iter()
            .zip(&scratch[..n])
            .position(|(a, b)| a != b)
            .or((n < piece.len()).then_some(n));
        if let Some(i) = first {
            self.diff = Some(diff(owed, at + i as u64, &piece[i..]));
        }
    }

    fn finish(mut self) -> Seen {
        let len = self.digest.len;
        if let Some(owed) = self.owed.as_ref().filter(|o| o.len() > len) {
            self.diff.get_or_insert_with(|| diff(owed, len, &[]));
        }
        Seen::Message {
            opcode: self.opcode,
            payload: Box::new(Received {
                len,
                hash: self.digest.value(),
                head: self.head.freeze(),
                diff: self.diff,
            }),
        }
    }
}

/// The first difference at `offset`: a few owed bytes around it, and the
/// received ones (equal to the owed before the offset, `rest` from it).
fn diff(owed: &Body, offset: u64, rest: &[u8]) -> Diff {
    let from = offset.saturating_sub(DIFF_CONTEXT as u64);
    let before = (offset - from) as usize;
    let expected = owed.bytes_at(from, before + DIFF_CONTEXT);
    let mut actual = BytesMut::from(&expected[..before.min(expected.len())]);
    actual.extend_from_slice(&rest[..rest.len().min(DIFF_CONTEXT)]);
    Diff {
        offset,
        from,
        expected,
        actual: actual.freeze(),
    }
}

fn interpret(f: &Frame) -> Rx {
    match f.header.opcode {
        OpCode::PING => Rx::Ping(f.payload.clone()),
        OpCode::PONG => Rx::Event(Seen::Pong(f.payload.clone())),
        OpCode::CLOSE => Rx::Close(f.clone()),
        // Reserved opcodes are already recorded as invalid.
        _ => Rx::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &[u8] = b"BAsd7&jh23";

    fn read_in_pieces(stream: &mut PeerStream, wire: &[u8], piece: usize) -> Vec<Rx> {
        let mut out = Vec::new();
        let mut invalid = Vec::new();
        for chunk in wire.chunks(piece) {
            let mut buf = BytesMut::from(chunk);
            stream.read(&mut buf, &mut out, &mut invalid);
            assert!(buf.is_empty() || matches!(out.last(), Some((Rx::Oversize(_), _))));
        }
        assert!(invalid.is_empty(), "{invalid:?}");
        out.into_iter().map(|(rx, _)| rx).collect()
    }

    fn echo(len: usize, frag: usize) -> Vec<u8> {
        let body: Vec<u8> = P.iter().copied().cycle().take(len).collect();
        let mut wire = Vec::new();
        let parts: Vec<&[u8]> = body.chunks(frag).collect();
        for (i, p) in parts.iter().enumerate() {
            let op = if i == 0 {
                OpCode::TEXT
            } else {
                OpCode::CONTINUATION
            };
            let f = Frame::new(op, Bytes::copy_from_slice(p)).fin(i + 1 == parts.len());
            wire.extend_from_slice(&f.to_bytes());
        }
        wire
    }

    #[test]
    fn a_large_echo_is_compared_as_it_arrives_at_any_split() {
        let owed = Body::pattern(P, 200_000);
        for (frag, piece) in [(200_000, 1000), (7_000, 65_536), (64, 3)] {
            let wire = echo(200_000, frag);
            let mut s = PeerStream::of(Role::Server, 1 << 30).expecting(vec![owed.clone()]);
            let rx = read_in_pieces(&mut s, &wire, piece);
            let got: Vec<&Received> = rx
                .iter()
                .filter_map(|r| match r {
                    Rx::Event(Seen::Message { payload, .. }) => Some(&**payload),
                    _ => None,
                })
                .collect();
            assert_eq!(got.len(), 1);
            assert!(got[0].matches(&owed), "frames of {frag}, pieces of {piece}");
            assert_eq!(got[0].diff, None);
            assert_eq!(&got[0].head[..], &owed.bytes_at(0, RECEIVED_HEAD)[..]);
        }
    }

    #[test]
    fn the_first_differing_byte_is_named_with_bytes_around_it() {
        let owed = Body::pattern(P, 100_000);
        let mut wire = echo(100_000, 100_000);
        let header = wire.len() - 100_000;
        wire[header + 77_777] = b'!';
        let mut s = PeerStream::of(Role::Server, 1 << 30).expecting(vec![owed.clone()]);
        let rx = read_in_pieces(&mut s, &wire, 4096);
        let Some(Rx::Event(Seen::Message { payload, .. })) = rx.last() else {
            panic!("{rx:?}")
        };
        assert!(!payload.matches(&owed));
        let d = payload.diff.as_ref().expect("a difference");
        assert_eq!((d.offset, d.from), (77_777, 77_769));
        assert_eq!(d.expected, owed.bytes_at(77_769, 16));
        assert_eq!(&d.actual[..8], &d.expected[..8]);
        assert_eq!(d.actual[8], b'!');
        let short = echo(99_990, 99_990);
        let mut s = PeerStream::of(Role::Server, 1 << 30).expecting(vec![owed]);
        let rx = read_in_pieces(&mut s, &short, 5000);
        let Some(Rx::Event(Seen::Message { payload, .. })) = rx.last() else {
            panic!("{rx:?}")
        };
        assert_eq!(payload.diff.as_ref().map(|d| d.offset), Some(99_990));
    }

    #[test]
    fn an_unfinished_message_counts_once_what_arrived_is_wrong() {
        let owed = Body::pattern(P, 100_000);
        let wire = echo(100_000, 100_000);
        let half = wire.len() / 2;
        let mut right = PeerStream::of(Role::Server, 1 << 30).expecting(vec![owed.clone()]);
        read_in_pieces(&mut right, &wire[..half], 4096);
        assert!(
            right.wrong_unfinished().is_none(),
            "a correct prefix is no finding"
        );
        let mut bad = wire.clone();
        bad[wire.len() - 100_000 + 10] = b'!';
        let mut wrong = PeerStream::of(Role::Server, 1 << 30).expecting(vec![owed]);
        read_in_pieces(&mut wrong, &bad[..half], 4096);
        let Some(Seen::Message { payload, .. }) = wrong.wrong_unfinished() else {
            panic!("a wrong prefix is a message seen")
        };
        assert_eq!(payload.diff.as_ref().map(|d| d.offset), Some(10));
        let mut unowed = PeerStream::of(Role::Server, 1 << 30);
        read_in_pieces(&mut unowed, &wire[..half], 4096);
        assert!(unowed.wrong_unfinished().is_some(), "nothing was owed");
    }

    #[test]
    fn an_endless_frame_is_not_held() {
        let header = Frame::binary(Bytes::new())
            .declared_len(crate::codec::PayloadLen::Len64(1 << 40))
            .to_bytes();
        let mut s = PeerStream::of(Role::Server, u64::MAX);
        let (mut out, mut invalid) = (Vec::new(), Vec::new());
        let mut buf = BytesMut::from(&header[..]);
        s.read(&mut buf, &mut out, &mut invalid);
        for _ in 0..1000 {
            let mut buf = BytesMut::from(&[0u8; 4096][..]);
            s.read(&mut buf, &mut out, &mut invalid);
            assert!(buf.is_empty());
        }
        assert!(out.is_empty());
        let Some(m) = &s.message else { panic!() };
        assert_eq!((m.digest.len, m.head.len()), (4096 * 1000, RECEIVED_HEAD));
    }
}
