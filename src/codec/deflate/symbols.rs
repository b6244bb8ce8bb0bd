//! Reading DEFLATE from bits (RFC 1951 §3.2.3–§3.2.7): the bit cursor over
//! one chunk, symbols of a Huffman block, and dynamic block headers checked
//! the way zlib checks them. Every reader returns `None` when the bits of
//! its unit have not all arrived, having possibly consumed some: the caller
//! restores its copy of the cursor and retries with more input.

use std::sync::OnceLock;

use super::error::DeflateError;
use super::huffman::{
    CODE_LENGTH_ORDER, DIST_BASE, DIST_EXTRA, END_OF_BLOCK, FIXED_DIST_LENGTHS, LENGTH_BASE,
    LENGTH_EXTRA, Table, fixed_litlen_lengths,
};

/// Input bits of one chunk: the slice, the next byte to pull, and the bits
/// pulled but not used.
#[derive(Clone, Copy)]
pub(crate) struct Bits<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) i: usize,
    pub(crate) acc: u64,
    pub(crate) n: u32,
}

impl Bits<'_> {
    /// Pulls bytes until at least 57 bits are held or the slice ends. With 8
    /// bytes at hand it loads them at once: the bits above `n` are then the
    /// next bytes' own bits in place, so OR-ing them again later changes
    /// nothing (see [`skip`](Self::skip) for the one place that is not so).
    #[inline]
    pub(crate) fn fill(&mut self) {
        if self.n <= 56
            && let Some(word) = self.data.get(self.i..self.i + 8)
        {
            let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
            self.acc |= word << self.n;
            let bytes = (63 - self.n) / 8;
            self.i += bytes as usize;
            self.n += bytes * 8;
            return;
        }
        while self.n <= 56 && self.i < self.data.len() {
            self.acc |= u64::from(self.data[self.i]) << self.n;
            self.i += 1;
            self.n += 8;
        }
    }

    /// Skips `count` bytes of the slice (stored data) when no whole byte is
    /// held, dropping the look-ahead bits of the bytes skipped.
    #[inline]
    pub(crate) fn skip(&mut self, count: usize) {
        debug_assert!(self.n < 8 || count == 0);
        if self.n < 64 {
            self.acc &= (1u64 << self.n) - 1;
        }
        self.i += count;
    }

    #[inline]
    pub(crate) fn need(&mut self, n: u32) -> bool {
        self.fill();
        self.n >= n
    }

    #[inline]
    pub(crate) fn take(&mut self, n: u32) -> u32 {
        let v = (self.acc & ((1u64 << n) - 1)) as u32;
        self.acc >>= n;
        self.n -= n;
        v
    }

    /// One symbol of `table`: `Ok(None)` when its bits have not all arrived.
    #[inline]
    pub(crate) fn decode(&mut self, table: &Table) -> Result<Option<u16>, ()> {
        self.fill();
        match table.lookup(self.acc) {
            Some((sym, len)) if len <= self.n => {
                self.take(len);
                Ok(Some(sym))
            }
            Some(_) => Ok(None),
            None if self.n < table.bits() => Ok(None),
            None => Err(()),
        }
    }
}

pub(crate) fn fixed_tables() -> &'static (Table, Table) {
    static FIXED: OnceLock<(Table, Table)> = OnceLock::new();
    FIXED.get_or_init(|| {
        let lit = Table::new(&fixed_litlen_lengths(), true).expect("the fixed code is complete");
        let dist = Table::new(&FIXED_DIST_LENGTHS, true).expect("the fixed code is complete");
        (lit, dist)
    })
}

/// One decoded unit of a Huffman block.
pub(crate) enum Symbol {
    Literal,
    EndOfBlock,
    Copy { len: u32, distance: u32 },
}

/// A literal, end of block, or length with its distance; `None` when the
/// unit's bits have not all arrived.
#[inline]
pub(crate) fn decode_symbol(
    (lit, dist): &(Table, Table),
    b: &mut Bits<'_>,
    at: u64,
) -> Result<Option<Symbol>, DeflateError> {
    let sym = match b.decode(lit) {
        Ok(Some(sym)) => sym,
        Ok(None) => return Ok(None),
        Err(()) => return Err(DeflateError::InvalidLiteralLength { at }),
    };
    let i = match sym {
        0..=255 => return Ok(Some(Symbol::Literal)),
        END_OF_BLOCK => return Ok(Some(Symbol::EndOfBlock)),
        257..=285 => usize::from(sym - 257),
        _ => return Err(DeflateError::InvalidLiteralLength { at }),
    };
    if !b.need(u32::from(LENGTH_EXTRA[i])) {
        return Ok(None);
    }
    let len = u32::from(LENGTH_BASE[i]) + b.take(u32::from(LENGTH_EXTRA[i]));
    let d = match b.decode(dist) {
        Ok(Some(d)) if d < 30 => usize::from(d),
        Ok(None) => return Ok(None),
        _ => return Err(DeflateError::InvalidDistance { at }),
    };
    if !b.need(u32::from(DIST_EXTRA[d])) {
        return Ok(None);
    }
    let distance = u32::from(DIST_BASE[d]) + b.take(u32::from(DIST_EXTRA[d]));
    Ok(Some(Symbol::Copy { len, distance }))
}

/// A dynamic block's header (RFC 1951 §3.2.7), checked as zlib checks it;
/// `None` when its bits have not all arrived.
pub(crate) fn read_dynamic_header(
    b: &mut Bits<'_>,
    at: u64,
) -> Result<Option<(Table, Table)>, DeflateError> {
    if !b.need(14) {
        return Ok(None);
    }
    let litlen = b.take(5) as usize + 257;
    let dist = b.take(5) as usize + 1;
    let hclen = b.take(4) as usize + 4;
    if litlen > 286 || dist > 30 {
        return Err(DeflateError::TooManyCodes {
            at,
            litlen: litlen as u16,
            dist: dist as u16,
        });
    }
    let mut cl = [0u8; 19];
    for &k in &CODE_LENGTH_ORDER[..hclen] {
        if !b.need(3) {
            return Ok(None);
        }
        cl[k] = b.take(3) as u8;
    }
    let cl = Table::new(&cl, true).map_err(|_| DeflateError::BadCodeLengthCode { at })?;
    let Some(lens) = read_code_lengths(b, &cl, litlen + dist, at)? else {
        return Ok(None);
    };
    if lens[usize::from(END_OF_BLOCK)] == 0 {
        return Err(DeflateError::MissingEndOfBlock { at });
    }
    let lit = Table::new(&lens[..litlen], false)
        .map_err(|_| DeflateError::BadLiteralLengthCode { at })?;
    let dist =
        Table::new(&lens[litlen..], false).map_err(|_| DeflateError::BadDistanceCode { at })?;
    Ok(Some((lit, dist)))
}

/// The `total` code lengths, run-length coded with symbols 16, 17 and 18.
fn read_code_lengths(
    b: &mut Bits<'_>,
    cl: &Table,
    total: usize,
    at: u64,
) -> Result<Option<Vec<u8>>, DeflateError> {
    let mut lens = Vec::with_capacity(total);
    while lens.len() < total {
        let sym = match b.decode(cl) {
            Ok(Some(sym)) => sym,
            Ok(None) => return Ok(None),
            Err(()) => return Err(DeflateError::BadCodeLengthCode { at }),
        };
        let (value, base, extra) = match sym {
            0..=15 => {
                lens.push(sym as u8);
                continue;
            }
            16 => match lens.last() {
                Some(&prev) => (prev, 3, 2),
                None => return Err(DeflateError::BadLengthRepeat { at }),
            },
            17 => (0, 3, 3),
            _ => (0, 11, 7),
        };
        if !b.need(extra) {
            return Ok(None);
        }
        let repeat = base + b.take(extra) as usize;
        if lens.len() + repeat > total {
            return Err(DeflateError::BadLengthRepeat { at });
        }
        lens.resize(lens.len() + repeat, value);
    }
    Ok(Some(lens))
}
