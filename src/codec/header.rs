//! The frame header exactly as it is on the wire (RFC 6455 §5.2), able to hold
//! every bit pattern: RSV bits, reserved opcodes, a mask bit with or without a
//! meaningful key, and the payload length in the form it was written.

use super::opcode::OpCode;
use bytes::BufMut;

/// The payload length together with the form it is (or will be) written in.
///
/// `Len7` values above 125 cannot be decoded as such (126 and 127 announce an
/// extended length); the encoder still writes whatever the struct says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PayloadLen {
    /// 7-bit length in the second header byte (0–125).
    Len7(u8),
    /// 126 followed by a 16-bit big-endian length.
    Len16(u16),
    /// 127 followed by a 64-bit big-endian length (MSB may be set).
    Len64(u64),
}

impl PayloadLen {
    /// The shortest form for `len`, as RFC 6455 §5.2 requires of a sender.
    pub fn minimal(len: u64) -> PayloadLen {
        match len {
            0..=125 => PayloadLen::Len7(len as u8),
            126..=0xFFFF => PayloadLen::Len16(len as u16),
            _ => PayloadLen::Len64(len),
        }
    }

    /// `len` written in the given form (7, 16 or 64), or `None` if it does not fit.
    pub fn with_form(len: u64, form: u8) -> Option<PayloadLen> {
        match form {
            7 if len <= 125 => Some(PayloadLen::Len7(len as u8)),
            16 if len <= 0xFFFF => Some(PayloadLen::Len16(len as u16)),
            64 => Some(PayloadLen::Len64(len)),
            _ => None,
        }
    }

    /// The declared number of payload bytes.
    pub fn value(self) -> u64 {
        match self {
            PayloadLen::Len7(v) => u64::from(v),
            PayloadLen::Len16(v) => u64::from(v),
            PayloadLen::Len64(v) => v,
        }
    }

    /// The form: 7, 16 or 64 bits.
    pub fn form(self) -> u8 {
        match self {
            PayloadLen::Len7(_) => 7,
            PayloadLen::Len16(_) => 16,
            PayloadLen::Len64(_) => 64,
        }
    }

    /// Whether this is the shortest encoding of the value.
    pub fn is_minimal(self) -> bool {
        self == PayloadLen::minimal(self.value())
    }

    /// Whether a 64-bit length has its most significant bit set.
    pub fn msb_set(self) -> bool {
        matches!(self, PayloadLen::Len64(v) if v >> 63 == 1)
    }

    /// Extended-length bytes after the second header byte.
    pub fn extended_bytes(self) -> usize {
        match self {
            PayloadLen::Len7(_) => 0,
            PayloadLen::Len16(_) => 2,
            PayloadLen::Len64(_) => 8,
        }
    }
}

/// A frame header: every field independent, nothing normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameHeader {
    /// FIN bit.
    pub fin: bool,
    /// RSV1–RSV3 as a 3-bit number: RSV1 = 4, RSV2 = 2, RSV3 = 1 (Autobahn's "RSV=n").
    pub rsv: u8,
    /// Opcode (only the low 4 bits reach the wire).
    pub opcode: OpCode,
    /// MASK bit set and the 4-byte masking key that follows the length.
    pub mask: Option<[u8; 4]>,
    /// Declared payload length in its written form.
    pub len: PayloadLen,
}

impl FrameHeader {
    /// RSV1 bit.
    pub fn rsv1(&self) -> bool {
        self.rsv & 4 != 0
    }
    /// RSV2 bit.
    pub fn rsv2(&self) -> bool {
        self.rsv & 2 != 0
    }
    /// RSV3 bit.
    pub fn rsv3(&self) -> bool {
        self.rsv & 1 != 0
    }

    /// Number of bytes this header takes on the wire.
    pub fn wire_len(&self) -> usize {
        2 + self.len.extended_bytes() + if self.mask.is_some() { 4 } else { 0 }
    }

    /// Parses a header from the start of `buf`. `None` means more bytes are
    /// needed; every complete header parses (validity is the validator's job).
    pub fn parse(buf: &[u8]) -> Option<(FrameHeader, usize)> {
        let (&b0, rest) = buf.split_first()?;
        let &b1 = rest.first()?;
        let (len, mut pos) = match b1 & 0x7F {
            126 => (
                PayloadLen::Len16(u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?)),
                4,
            ),
            127 => (
                PayloadLen::Len64(u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?)),
                10,
            ),
            n => (PayloadLen::Len7(n), 2),
        };
        let mask = if b1 & 0x80 != 0 {
            let key: [u8; 4] = buf.get(pos..pos + 4)?.try_into().ok()?;
            pos += 4;
            Some(key)
        } else {
            None
        };
        let header = FrameHeader {
            fin: b0 & 0x80 != 0,
            rsv: (b0 >> 4) & 0x7,
            opcode: OpCode(b0 & 0x0F),
            mask,
            len,
        };
        Some((header, pos))
    }

    /// Appends the header bytes exactly as the struct describes them.
    pub fn write<B: BufMut>(&self, out: &mut B) {
        let b0 = (u8::from(self.fin) << 7) | ((self.rsv & 7) << 4) | (self.opcode.0 & 0xF);
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        out.put_u8(b0);
        match self.len {
            PayloadLen::Len7(n) => out.put_u8(mask_bit | (n & 0x7F)),
            PayloadLen::Len16(n) => {
                out.put_u8(mask_bit | 126);
                out.put_slice(&n.to_be_bytes());
            }
            PayloadLen::Len64(n) => {
                out.put_u8(mask_bit | 127);
                out.put_slice(&n.to_be_bytes());
            }
        }
        if let Some(key) = self.mask {
            out.put_slice(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_length_form_and_needs_more_on_short_input() {
        let bytes = [0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4];
        for cut in 0..bytes.len() {
            assert!(FrameHeader::parse(&bytes[..cut]).is_none(), "cut {cut}");
        }
        let (h, n) = FrameHeader::parse(&bytes).unwrap();
        assert_eq!(n, 14);
        assert_eq!(h.len, PayloadLen::Len64(5));
        assert!(!h.len.is_minimal());
        assert_eq!(h.mask, Some([1, 2, 3, 4]));
        assert_eq!(h.opcode, OpCode::BINARY);
        assert!(h.fin);
    }

    #[test]
    fn any_first_byte_round_trips() {
        for b0 in 0..=255u8 {
            let (h, n) = FrameHeader::parse(&[b0, 0x7D]).unwrap();
            let mut out = Vec::new();
            h.write(&mut out);
            assert_eq!(out, [b0, 0x7D]);
            assert_eq!(n, h.wire_len());
        }
    }

    #[test]
    fn msb_and_minimal_forms() {
        assert!(PayloadLen::Len64(1 << 63).msb_set());
        assert!(!PayloadLen::Len16(126).msb_set());
        assert!(PayloadLen::Len16(126).is_minimal());
        assert!(!PayloadLen::Len16(125).is_minimal());
        assert_eq!(PayloadLen::with_form(70_000, 16), None);
        assert_eq!(PayloadLen::with_form(3, 64), Some(PayloadLen::Len64(3)));
    }
}
