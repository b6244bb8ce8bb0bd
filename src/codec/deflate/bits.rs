//! A DEFLATE writer of our own (RFC 1951), for streams no library emits:
//! every block header (the reserved type 3 included), stored blocks with any
//! LEN/NLEN, fixed-Huffman literals, back-references of any length and
//! distance (far beyond the window, or before the start of the data), the
//! symbols without meaning (literal/length 286 and 287, distance 30 and 31),
//! and raw bits for hand-made dynamic headers. Nothing here checks that the
//! stream makes sense: that is the point.

use super::TAIL;
use super::huffman::{
    END_OF_BLOCK, canonical_codes, distance_symbol, fixed_litlen_lengths, length_symbol, reverse,
};

/// DEFLATE block types (`BTYPE`, RFC 1951 §3.2.3).
pub mod btype {
    /// No compression.
    pub const STORED: u8 = 0;
    /// Fixed Huffman codes.
    pub const FIXED: u8 = 1;
    /// Dynamic Huffman codes.
    pub const DYNAMIC: u8 = 2;
    /// Reserved: "11 - reserved (error)".
    pub const RESERVED: u8 = 3;
}

/// Bits packed least significant first into bytes (RFC 1951 §3.1.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    nbits: u32,
}

impl BitWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the low `n` bits of `value` (`n` ≤ 32), least significant first.
    pub fn bits(&mut self, value: u32, n: u32) {
        debug_assert!(n <= 32);
        let mask = if n == 32 { u32::MAX } else { (1 << n) - 1 };
        self.acc |= u64::from(value & mask) << self.nbits;
        self.nbits += n;
        while self.nbits >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.nbits -= 8;
        }
    }

    /// Appends a Huffman code of `len` bits, most significant bit first.
    pub fn code(&mut self, code: u16, len: u8) {
        self.bits(u32::from(reverse(code, len)), u32::from(len));
    }

    /// Pads with zero bits to the next byte boundary.
    pub fn align(&mut self) {
        if self.nbits > 0 {
            self.bits(0, 8 - self.nbits);
        }
    }

    /// Bits written so far.
    pub fn bit_len(&self) -> u64 {
        self.out.len() as u64 * 8 + u64::from(self.nbits)
    }

    /// The bytes, the last one zero-padded.
    pub fn into_bytes(mut self) -> Vec<u8> {
        self.align();
        self.out
    }
}

/// A DEFLATE stream built block by block. Literal, length and distance
/// methods use the fixed codes, so call them inside a [`fixed`](Self::fixed)
/// block.
#[derive(Clone, Debug)]
pub struct DeflateWriter {
    w: BitWriter,
    litlen: Vec<u16>,
    litlen_len: [u8; 288],
}

impl Default for DeflateWriter {
    fn default() -> Self {
        let litlen_len = fixed_litlen_lengths();
        Self {
            w: BitWriter::new(),
            litlen: canonical_codes(&litlen_len),
            litlen_len,
        }
    }
}

impl DeflateWriter {
    /// An empty stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// A block header: `BFINAL` and any `BTYPE`, 0 to 3.
    pub fn block(&mut self, bfinal: bool, btype: u8) -> &mut Self {
        self.w.bits(u32::from(bfinal), 1);
        self.w.bits(u32::from(btype & 3), 2);
        self
    }

    /// A fixed-Huffman block header.
    pub fn fixed(&mut self, bfinal: bool) -> &mut Self {
        self.block(bfinal, btype::FIXED)
    }

    /// A literal/length symbol 0..=287 in the fixed code, with no extra bits.
    pub fn litlen_symbol(&mut self, symbol: u16) -> &mut Self {
        let s = usize::from(symbol);
        self.w.code(self.litlen[s], self.litlen_len[s]);
        self
    }

    /// One literal byte.
    pub fn literal(&mut self, byte: u8) -> &mut Self {
        self.litlen_symbol(u16::from(byte))
    }

    /// Literal bytes.
    pub fn literals(&mut self, data: &[u8]) -> &mut Self {
        for &b in data {
            self.literal(b);
        }
        self
    }

    /// A distance symbol 0..=31 in the fixed code, with no extra bits.
    pub fn distance_symbol(&mut self, symbol: u8) -> &mut Self {
        self.w.code(u16::from(symbol), 5);
        self
    }

    /// A back-reference: copy `len` (3..=258) bytes from `dist` (1..=32768)
    /// back, whatever the window or the data written so far.
    pub fn copy(&mut self, len: u16, dist: u16) -> &mut Self {
        let (sym, extra, value) = length_symbol(len);
        self.litlen_symbol(sym);
        self.w.bits(u32::from(value), u32::from(extra));
        let (dsym, dextra, dvalue) = distance_symbol(dist);
        self.distance_symbol(dsym);
        self.w.bits(u32::from(dvalue), u32::from(dextra));
        self
    }

    /// The end-of-block symbol.
    pub fn end_block(&mut self) -> &mut Self {
        self.litlen_symbol(END_OF_BLOCK)
    }

    /// A stored block header with any `LEN` and `NLEN` (RFC 1951 §3.2.4):
    /// header bits, padding to the byte, then the two lengths.
    pub fn stored_header(&mut self, bfinal: bool, len: u16, nlen: u16) -> &mut Self {
        self.block(bfinal, btype::STORED);
        self.w.align();
        self.w.bits(u32::from(len), 16);
        self.w.bits(u32::from(nlen), 16);
        self
    }

    /// A whole stored block holding `data` (at most 65,535 bytes).
    pub fn stored(&mut self, bfinal: bool, data: &[u8]) -> &mut Self {
        let len = u16::try_from(data.len()).expect("a stored block holds at most 65535 bytes");
        self.stored_header(bfinal, len, !len);
        self.raw_bytes(data)
    }

    /// Bytes as they are; call after a stored header, or anywhere to corrupt.
    pub fn raw_bytes(&mut self, data: &[u8]) -> &mut Self {
        for &b in data {
            self.w.bits(u32::from(b), 8);
        }
        self
    }

    /// Raw bits (`n` ≤ 32), e.g. a hand-made dynamic block header.
    pub fn bits(&mut self, value: u32, n: u32) -> &mut Self {
        self.w.bits(value, n);
        self
    }

    /// Zero padding to the next byte boundary (RFC 7692 §7.2.1: after a
    /// `BFINAL` block "an endpoint MUST add minimal padding bits of 0").
    pub fn align(&mut self) -> &mut Self {
        self.w.align();
        self
    }

    /// An empty non-final stored block, as a sync flush writes it: ends the
    /// stream on a byte boundary with `00 00 ff ff`.
    pub fn sync_flush(&mut self) -> &mut Self {
        self.stored_header(false, 0, 0xffff)
    }

    /// Bits written so far.
    pub fn bit_len(&self) -> u64 {
        self.w.bit_len()
    }

    /// The stream exactly as written, zero-padded to a byte.
    pub fn into_bytes(self) -> Vec<u8> {
        self.w.into_bytes()
    }

    /// The stream as a message payload, the way RFC 7692 §7.2.1 makes one: an
    /// empty stored block appended, then its `00 00 ff ff` removed.
    pub fn into_message(mut self) -> Vec<u8> {
        self.sync_flush();
        let mut bytes = self.w.into_bytes();
        debug_assert!(bytes.ends_with(&TAIL));
        bytes.truncate(bytes.len() - TAIL.len());
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_pack_least_significant_first() {
        let mut w = BitWriter::new();
        w.bits(0b1, 1);
        w.bits(0b10, 2);
        w.code(0b110, 3); // reversed: 011
        assert_eq!(w.bit_len(), 6);
        assert_eq!(w.into_bytes(), [0b0001_1101]);
    }

    #[test]
    fn hello_in_a_fixed_block_is_the_rfc_7692_example() {
        // RFC 7692 §7.2.3.1: "Hello" is 0xf2 0x48 0xcd 0xc9 0xc9 0x07 0x00.
        let mut w = DeflateWriter::new();
        w.fixed(false).literals(b"Hello").end_block();
        assert_eq!(w.into_message(), [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
        // §7.2.3.4: the same with BFINAL set, then an empty stored block's header.
        let mut w = DeflateWriter::new();
        w.fixed(true).literals(b"Hello").end_block().align();
        assert_eq!(
            w.into_message(),
            [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00]
        );
    }

    #[test]
    fn stored_blocks_carry_their_lengths() {
        // RFC 7692 §7.2.3.3.
        let mut w = DeflateWriter::new();
        w.stored(false, b"Hello");
        let want = [
            0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
        ];
        assert_eq!(w.into_message(), want);
        // §7.2.3.6: an empty message is a lone 0x00.
        assert_eq!(DeflateWriter::new().into_message(), [0x00]);
    }

    #[test]
    fn a_back_reference_is_the_rfc_7692_second_hello() {
        // RFC 7692 §7.2.3.2: the second "Hello" with context takeover is
        // 0xf2 0x00 0x11 0x00 0x00: a literal "H", then "ello" copied from 5
        // bytes back, into the first message.
        let mut w = DeflateWriter::new();
        w.fixed(false).literal(b'H').copy(4, 5).end_block();
        assert_eq!(w.into_message(), [0xf2, 0x00, 0x11, 0x00, 0x00]);
    }
}
