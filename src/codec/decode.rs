//! Sans-IO frame decoder: bytes in, frames out. "Need more" is `Ok(None)`,
//! never an error; the only error is a declared length above the cap, which
//! is reported with the header so a tester can react before any payload
//! arrives and nothing is allocated from an untrusted length.

use bytes::{Buf, BytesMut};

use super::frame::Frame;
use super::header::FrameHeader;
use super::mask::apply_mask;

/// The most a decoder reserves ahead of bytes that have arrived.
const RESERVE_STEP: usize = 1 << 20;

/// What cannot be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The header declares more payload than the decoder will buffer.
    #[error("frame declares {declared} payload bytes, above the cap of {cap}")]
    PayloadTooLarge {
        /// The offending header.
        header: FrameHeader,
        /// Declared payload length.
        declared: u64,
        /// The configured cap.
        cap: u64,
    },
}

/// Frame decoder with a payload cap.
#[derive(Clone, Copy, Debug)]
pub struct Decoder {
    /// Largest payload a single frame may declare (bytes).
    pub max_payload: u64,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder {
            max_payload: 64 << 20,
        }
    }
}

impl Decoder {
    /// A decoder that buffers at most `max_payload` bytes of one frame.
    pub fn new(max_payload: u64) -> Decoder {
        Decoder { max_payload }
    }

    /// The header at the start of `buf` and its wire length, as soon as its
    /// bytes are in, whether or not the payload has arrived.
    pub fn peek_header(&self, buf: &[u8]) -> Result<Option<(FrameHeader, usize)>, DecodeError> {
        let Some((header, n)) = FrameHeader::parse(buf) else {
            return Ok(None);
        };
        let declared = header.len.value();
        if declared > self.max_payload {
            return Err(DecodeError::PayloadTooLarge {
                header,
                declared,
                cap: self.max_payload,
            });
        }
        Ok(Some((header, n)))
    }

    /// Takes one whole frame off the front of `buf`, unmasking its payload.
    pub fn decode(&self, buf: &mut BytesMut) -> Result<Option<Frame>, DecodeError> {
        let Some((header, n)) = self.peek_header(buf)? else {
            return Ok(None);
        };
        // Within the cap, so this fits in usize and may be reserved.
        let len = header.len.value() as usize;
        if buf.len() < n + len {
            // Grow towards the frame, but never by more than RESERVE_STEP at
            // once: a declared length is a claim, not bytes that arrived.
            buf.reserve((n + len - buf.len()).min(RESERVE_STEP));
            return Ok(None);
        }
        buf.advance(n);
        let mut payload = buf.split_to(len);
        if let Some(key) = header.mask {
            apply_mask(&mut payload, key);
        }
        Ok(Some(Frame {
            header,
            payload: payload.freeze(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{OpCode, PayloadLen};
    use proptest::prelude::*;

    fn arb_frame() -> impl Strategy<Value = Frame> {
        (
            any::<bool>(),
            0u8..8,
            0u8..16,
            proptest::option::of(any::<[u8; 4]>()),
            proptest::collection::vec(any::<u8>(), 0..400),
            prop_oneof![Just(7u8), Just(16u8), Just(64u8)],
        )
            .prop_map(|(fin, rsv, op, mask, payload, form)| {
                let len = PayloadLen::with_form(payload.len() as u64, form)
                    .unwrap_or(PayloadLen::minimal(payload.len() as u64));
                Frame {
                    header: FrameHeader {
                        fin,
                        rsv,
                        opcode: OpCode(op),
                        mask,
                        len,
                    },
                    payload: payload.into(),
                }
            })
    }

    proptest! {
        #[test]
        fn encode_decode_round_trip(frame in arb_frame()) {
            let bytes = frame.to_bytes();
            let mut buf = BytesMut::from(&bytes[..]);
            let got = Decoder::default().decode(&mut buf).unwrap().unwrap();
            prop_assert!(buf.is_empty());
            prop_assert_eq!(&got, &frame);
            prop_assert_eq!(got.to_bytes(), bytes);
        }

        #[test]
        fn decode_encode_round_trip_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut buf = BytesMut::from(&bytes[..]);
            let mut out = BytesMut::new();
            let dec = Decoder::new(1 << 20);
            while let Ok(Some(f)) = dec.decode(&mut buf) {
                f.encode(&mut out);
            }
            out.extend_from_slice(&buf);
            prop_assert_eq!(&out[..], &bytes[..]);
        }

        #[test]
        fn every_prefix_needs_more(frame in arb_frame()) {
            let bytes = frame.to_bytes();
            for cut in 0..bytes.len() {
                let mut buf = BytesMut::from(&bytes[..cut]);
                prop_assert_eq!(Decoder::default().decode(&mut buf), Ok(None));
                prop_assert_eq!(buf.len(), cut);
            }
        }
    }

    #[test]
    fn huge_declared_length_is_refused_from_the_header_alone() {
        // Tomcat CVE-2020-13935: all 64 length bits set.
        let mut buf =
            BytesMut::from(&[0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF][..]);
        let err = Decoder::new(1 << 20).decode(&mut buf).unwrap_err();
        let DecodeError::PayloadTooLarge {
            declared, header, ..
        } = err;
        assert_eq!(declared, u64::MAX);
        assert!(header.len.msb_set());
        assert!(buf.capacity() < 1 << 20);
    }

    #[test]
    fn rfc_5_7_examples_decode() {
        let dec = Decoder::default();
        let mut unmasked = BytesMut::from(&[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f][..]);
        assert_eq!(
            dec.decode(&mut unmasked).unwrap().unwrap().payload,
            &b"Hello"[..]
        );
        let mut masked = BytesMut::from(
            &[
                0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
            ][..],
        );
        let f = dec.decode(&mut masked).unwrap().unwrap();
        assert_eq!(f.payload, &b"Hello"[..]);
        assert_eq!(f.header.mask, Some([0x37, 0xfa, 0x21, 0x3d]));
        let mut frag = BytesMut::from(&[0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f][..]);
        let a = dec.decode(&mut frag).unwrap().unwrap();
        let b = dec.decode(&mut frag).unwrap().unwrap();
        assert!(!a.header.fin && b.header.fin);
        assert_eq!(b.header.opcode, OpCode::CONTINUATION);
    }
}
