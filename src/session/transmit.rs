//! A generated message on the wire: its frames' headers and masked
//! payloads produced piece by piece as they are written, so a 16 MiB
//! message costs a piece of memory, not 16 MiB.

use bytes::{BufMut, Bytes, BytesMut};

use crate::catalog::Delivery;
use crate::codec::{Body, FrameHeader, OpCode, PIECE, PayloadLen, apply_mask_at};

/// The frames of one generated message, as the plan sends them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    /// The message's opcode (its first frame's).
    pub opcode: OpCode,
    /// The message.
    pub body: Body,
    /// Payload bytes per frame (the last may be shorter).
    pub fragment: u64,
    /// Times the message is sent, back to back.
    pub repeat: u64,
    /// The masking key of each frame (empty: unmasked).
    pub keys: Vec<[u8; 4]>,
    /// Bytes per write: a TCP chop, or `PIECE`.
    pub write_size: usize,
    /// One write ends at each frame's end (Autobahn's "sync" sends).
    pub frame_wise: bool,
}

impl Stream {
    /// The message `body` in frames of `fragment` bytes (0: one frame),
    /// written per `delivery`; `keys` draws one key per frame (None: unmasked).
    pub fn new(
        opcode: OpCode,
        body: Body,
        fragment: u64,
        delivery: Delivery,
        keys: Option<&mut dyn FnMut() -> [u8; 4]>,
    ) -> Stream {
        Stream::repeated(opcode, body, fragment, 1, delivery, keys)
    }

    /// As `new`, the message sent `repeat` times (each frame its own key).
    pub fn repeated(
        opcode: OpCode,
        body: Body,
        fragment: u64,
        repeat: u64,
        delivery: Delivery,
        mut keys: Option<&mut dyn FnMut() -> [u8; 4]>,
    ) -> Stream {
        let fragment = if fragment == 0 {
            body.len().max(1)
        } else {
            fragment
        };
        let repeat = repeat.max(1);
        let count = (body.len().div_ceil(fragment).max(1) * repeat) as usize;
        let keys = match keys.as_mut() {
            Some(next) => (0..count).map(|_| next()).collect(),
            None => Vec::new(),
        };
        let (write_size, frame_wise) = match delivery {
            Delivery::Chops(n) => (n.max(1), false),
            Delivery::FrameWise => (PIECE, true),
            Delivery::Whole | Delivery::PayloadParts { .. } => (PIECE, false),
        };
        Stream {
            opcode,
            body,
            fragment,
            repeat,
            keys,
            write_size,
            frame_wise,
        }
    }

    /// Number of frames.
    pub fn frame_count(&self) -> usize {
        self.per_message() * self.repeat as usize
    }

    fn per_message(&self) -> usize {
        self.body.len().div_ceil(self.fragment).max(1) as usize
    }

    /// The header of frame `i`.
    pub fn header(&self, i: usize) -> FrameHeader {
        let j = i % self.per_message();
        FrameHeader {
            fin: j + 1 == self.per_message(),
            rsv: 0,
            opcode: if j == 0 {
                self.opcode
            } else {
                OpCode::CONTINUATION
            },
            mask: self.keys.get(i).copied(),
            len: PayloadLen::minimal(self.payload(i).len()),
        }
    }

    /// The payload of frame `i`.
    pub fn payload(&self, i: usize) -> Body {
        let j = (i % self.per_message()) as u64;
        self.body.slice(j * self.fragment, self.fragment)
    }

    /// Wire bytes of frame `i`.
    pub fn frame_wire_len(&self, i: usize) -> u64 {
        self.header(i).wire_len() as u64 + self.payload(i).len()
    }
}

/// Where the writing of a stream stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The plan's stream index.
    pub index: usize,
    frame: usize,
    /// Wire bytes of the current frame already written.
    at: u64,
    /// Every byte was written.
    pub done: bool,
}

impl Cursor {
    /// At the start of stream `index`.
    pub fn new(index: usize) -> Cursor {
        Cursor {
            index,
            frame: 0,
            at: 0,
            done: false,
        }
    }

    /// True between frames (a control frame of the tester's may go here).
    pub fn at_frame_boundary(&self) -> bool {
        self.at == 0
    }

    /// The next write of `stream`, or None when it is all written.
    pub fn next_write(&mut self, stream: &Stream) -> Option<Bytes> {
        if self.done {
            return None;
        }
        let mut out = BytesMut::with_capacity(stream.write_size);
        while out.len() < stream.write_size && self.frame < stream.frame_count() {
            let header = stream.header(self.frame);
            let hlen = header.wire_len() as u64;
            if self.at < hlen {
                let mut h = BytesMut::with_capacity(hlen as usize);
                header.write(&mut h);
                let take = (hlen - self.at).min((stream.write_size - out.len()) as u64);
                out.put_slice(&h[self.at as usize..(self.at + take) as usize]);
                self.at += take;
                continue;
            }
            let payload = stream.payload(self.frame);
            let offset = self.at - hlen;
            let room = (stream.write_size - out.len()).min((payload.len() - offset) as usize);
            let start = out.len();
            out.resize(start + room, 0);
            payload.fill(offset, &mut out[start..]);
            if let Some(key) = header.mask {
                apply_mask_at(&mut out[start..], key, (offset % 4) as usize);
            }
            self.at += room as u64;
            if offset + room as u64 == payload.len() {
                self.frame += 1;
                self.at = 0;
                if stream.frame_wise {
                    break;
                }
            }
        }
        self.done = self.frame >= stream.frame_count();
        (!out.is_empty()).then(|| out.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Decoder, Frame};

    const P: &[u8] = b"\x00\xfe\x23\xfa\xf0";

    fn written(stream: &Stream) -> (Vec<u8>, usize) {
        let mut c = Cursor::new(0);
        let (mut all, mut writes) = (Vec::new(), 0);
        while let Some(w) = c.next_write(stream) {
            assert!(w.len() <= stream.write_size);
            all.extend_from_slice(&w);
            writes += 1;
        }
        assert!(c.done);
        (all, writes)
    }

    #[test]
    fn a_stream_writes_the_same_bytes_as_its_frames_encoded_whole() {
        let mut n = 0u32;
        let mut key = || {
            n += 1;
            n.to_be_bytes()
        };
        let body = Body::pattern(P, 100_003);
        for (fragment, delivery) in [
            (0, Delivery::Whole),
            (1000, Delivery::FrameWise),
            (64 << 10, Delivery::Chops(64)),
            (7, Delivery::Whole),
        ] {
            let s = Stream::new(
                OpCode::BINARY,
                body.clone(),
                fragment,
                delivery,
                Some(&mut key),
            );
            let mut want = Vec::new();
            for i in 0..s.frame_count() {
                let f = Frame {
                    header: s.header(i),
                    payload: s.payload(i).to_bytes(),
                };
                want.extend_from_slice(&f.to_bytes());
            }
            let (got, writes) = written(&s);
            assert_eq!(got, want, "fragment {fragment}, {delivery:?}");
            let frames: u64 = (0..s.frame_count()).map(|i| s.frame_wire_len(i)).sum();
            assert_eq!(got.len() as u64, frames);
            if s.frame_wise {
                assert!(writes >= s.frame_count());
            }
            let mut buf = BytesMut::from(&got[..]);
            let first = Decoder::new(1 << 30).decode(&mut buf).unwrap().unwrap();
            assert_eq!(first.payload, body.bytes_at(0, first.payload.len()));
        }
    }

    #[test]
    fn a_repeated_frame_is_a_flood_of_frames_each_with_its_own_key() {
        let mut n = 0u32;
        let mut key = || {
            n += 1;
            n.to_be_bytes()
        };
        let body = Body::pattern(b"q", 125);
        let s = Stream::repeated(OpCode::PONG, body, 0, 1000, Delivery::Whole, Some(&mut key));
        assert_eq!(s.frame_count(), 1000);
        let mut want = Vec::new();
        for i in 0..1000u32 {
            let f = Frame::pong(vec![b'q'; 125]).masked((i + 1).to_be_bytes());
            want.extend_from_slice(&f.to_bytes());
        }
        assert_eq!(written(&s).0, want);
    }

    #[test]
    fn an_empty_message_is_one_empty_frame() {
        let s = Stream::new(OpCode::TEXT, Body::pattern(P, 0), 0, Delivery::Whole, None);
        assert_eq!(s.frame_count(), 1);
        assert_eq!(written(&s).0, Frame::text("").to_bytes());
    }
}
