//! The constant tables of DEFLATE (RFC 1951 §3.2.5–§3.2.7) and canonical
//! Huffman codes: assigned from code lengths for the bit writer, and as a
//! flat lookup table for the auditor. Code sets are accepted or refused by
//! the same rules as zlib's `inflate_table`, so both decoders agree on what
//! is a valid block.

/// Base length of length symbols 257..=285.
pub(crate) const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];

/// Extra bits of length symbols 257..=285.
pub(crate) const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];

/// Base distance of distance symbols 0..=29.
pub(crate) const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];

/// Extra bits of distance symbols 0..=29.
pub(crate) const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// The order code length code lengths are sent in (RFC 1951 §3.2.7).
pub(crate) const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// End of block.
pub(crate) const END_OF_BLOCK: u16 = 256;

/// Code lengths of the fixed literal/length code (RFC 1951 §3.2.6), all 288
/// symbols, 286 and 287 included (they have codes but no meaning).
pub(crate) fn fixed_litlen_lengths() -> [u8; 288] {
    let mut l = [8u8; 288];
    l[144..256].fill(9);
    l[256..280].fill(7);
    l
}

/// Code lengths of the fixed distance code: 32 five-bit codes, 30 and 31
/// without meaning.
pub(crate) const FIXED_DIST_LENGTHS: [u8; 32] = [5; 32];

/// Canonical codes (most significant bit first) for `lengths` (RFC 1951
/// §3.2.2); symbols of length 0 get code 0.
pub(crate) fn canonical_codes(lengths: &[u8]) -> Vec<u16> {
    let mut count = [0u16; 16];
    for &l in lengths {
        count[usize::from(l)] += 1;
    }
    count[0] = 0;
    let mut next = [0u16; 16];
    let mut code = 0u16;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lengths
        .iter()
        .map(|&l| {
            let l = usize::from(l);
            if l == 0 {
                return 0;
            }
            next[l] += 1;
            next[l] - 1
        })
        .collect()
}

/// `code` of `len` bits with its bit order reversed (Huffman codes are
/// packed starting with their most significant bit).
pub(crate) fn reverse(code: u16, len: u8) -> u16 {
    code.reverse_bits() >> (16 - u32::from(len))
}

/// The length symbol, extra bit count and extra value for a copy length.
pub(crate) fn length_symbol(len: u16) -> (u16, u8, u16) {
    assert!((3..=258).contains(&len), "DEFLATE lengths are 3..=258");
    if len == 258 {
        return (285, 0, 0);
    }
    let i = LENGTH_BASE[..28].partition_point(|&b| b <= len) - 1;
    (257 + i as u16, LENGTH_EXTRA[i], len - LENGTH_BASE[i])
}

/// The distance symbol, extra bit count and extra value for a distance.
pub(crate) fn distance_symbol(dist: u16) -> (u8, u8, u16) {
    assert!(
        (1..=32_768).contains(&dist),
        "DEFLATE distances are 1..=32768"
    );
    let i = DIST_BASE.partition_point(|&b| b <= dist) - 1;
    (i as u8, DIST_EXTRA[i], dist - DIST_BASE[i])
}

/// How a code set failed `inflate_table`'s checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BadCode {
    /// More codes than the lengths allow.
    OverSubscribed,
    /// Fewer codes than the lengths allow, and not the single one-bit code
    /// zlib tolerates.
    Incomplete,
}

/// A flat decoding table: index by the next `bits` input bits (least
/// significant first); each entry holds `symbol << 4 | length`, 0 for bit
/// patterns no code starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Table {
    entries: Vec<u16>,
    bits: u32,
}

impl Table {
    /// Builds the table for `lengths`. `complete` demands a complete code
    /// (code length codes); otherwise a single one-bit code is allowed, and so
    /// is an empty set (a block that uses no distance), as in zlib.
    pub(crate) fn new(lengths: &[u8], complete: bool) -> Result<Table, BadCode> {
        let mut count = [0i32; 16];
        for &l in lengths {
            count[usize::from(l)] += 1;
        }
        let max = (1..16).rev().find(|&b| count[b] > 0).unwrap_or(0);
        let mut left = 1i32;
        for c in &count[1..] {
            left = (left << 1) - c;
            if left < 0 {
                return Err(BadCode::OverSubscribed);
            }
        }
        if max == 0 {
            return match complete {
                true => Err(BadCode::Incomplete),
                false => Ok(Table {
                    entries: vec![0; 2],
                    bits: 1,
                }),
            };
        }
        if left > 0 && (complete || max != 1) {
            return Err(BadCode::Incomplete);
        }
        let bits = max as u32;
        let mut entries = vec![0u16; 1 << bits];
        for (sym, (&l, &code)) in lengths.iter().zip(&canonical_codes(lengths)).enumerate() {
            if l == 0 {
                continue;
            }
            let entry = (sym as u16) << 4 | u16::from(l);
            let step = 1usize << l;
            let mut i = usize::from(reverse(code, l));
            while i < entries.len() {
                entries[i] = entry;
                i += step;
            }
        }
        Ok(Table { entries, bits })
    }

    /// The number of bits to peek.
    #[inline]
    pub(crate) fn bits(&self) -> u32 {
        self.bits
    }

    /// `(symbol, code length)` for the peeked bits, `None` when no code
    /// starts with them.
    #[inline]
    pub(crate) fn lookup(&self, peeked: u64) -> Option<(u16, u32)> {
        let e = self.entries[(peeked & ((1 << self.bits) - 1)) as usize];
        (e != 0).then_some((e >> 4, u32::from(e & 15)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_codes_match_rfc_1951_3_2_6() {
        let codes = canonical_codes(&fixed_litlen_lengths());
        assert_eq!((codes[0], codes[143]), (0b0011_0000, 0b1011_1111));
        assert_eq!((codes[144], codes[255]), (0b1_1001_0000, 0b1_1111_1111));
        assert_eq!((codes[256], codes[279]), (0, 0b001_0111));
        assert_eq!((codes[280], codes[287]), (0b1100_0000, 0b1100_0111));
    }

    #[test]
    fn symbols_cover_every_length_and_distance() {
        for len in 3..=258u16 {
            let (sym, extra, value) = length_symbol(len);
            let i = usize::from(sym - 257);
            assert_eq!(LENGTH_BASE[i] + value, len);
            assert!(value < 1 << extra || (extra == 0 && value == 0));
        }
        assert_eq!(length_symbol(227), (284, 5, 0));
        assert_eq!(length_symbol(257), (284, 5, 30));
        for dist in 1..=32_768u16 {
            let (sym, extra, value) = distance_symbol(dist);
            assert_eq!(DIST_BASE[usize::from(sym)] + value, dist);
            assert!(u32::from(value) < 1 << extra || extra == 0);
        }
    }

    #[test]
    fn tables_refuse_what_zlib_refuses() {
        assert_eq!(Table::new(&[1, 1, 1], false), Err(BadCode::OverSubscribed));
        assert_eq!(Table::new(&[2, 2, 2], false), Err(BadCode::Incomplete));
        assert_eq!(Table::new(&[1, 0], true), Err(BadCode::Incomplete));
        assert_eq!(Table::new(&[0, 0], true), Err(BadCode::Incomplete));
        // zlib tolerates a lone one-bit code and an empty distance code.
        let lone = Table::new(&[0, 1], false).unwrap();
        assert_eq!(lone.lookup(0), Some((1, 1)));
        assert_eq!(lone.lookup(1), None);
        assert_eq!(Table::new(&[0; 30], false).unwrap().lookup(0), None);
    }

    #[test]
    fn lookup_reads_codes_least_significant_bit_first() {
        // Lengths 1, 2, 2: codes 0, 10, 11.
        let t = Table::new(&[1, 2, 2], true).unwrap();
        assert_eq!(t.lookup(0b00), Some((0, 1)));
        assert_eq!(t.lookup(0b10), Some((0, 1)));
        assert_eq!(t.lookup(0b01), Some((1, 2)));
        assert_eq!(t.lookup(0b11), Some((2, 2)));
    }
}
