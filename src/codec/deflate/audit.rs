//! A DEFLATE decoder that produces no bytes, only positions: it walks the
//! blocks and symbols of a compressed message incrementally and checks what
//! zlib cannot be asked to check exactly.
//!
//! zlib (and zlib-rs) reject a distance only when it reaches before the
//! bytes they still hold, and they hold this call's output besides the
//! window: a raw inflater with window bits 9 accepts a distance of 1000 when
//! the 1000 bytes came out of the same call. So the auditor, not zlib,
//! enforces the agreed window (`2^W`, for every `W` from 8 to 15), the start
//! of the history (the connection's first byte, or the message's when the
//! context is reset), and the inflated size limit, exactly and before zlib
//! produces anything. It reports every malformation as a precise
//! [`DeflateError`] with the byte it starts in.
//!
//! Input arrives in any chunks. Work is done in units that are either
//! completed or not started (a block header, one symbol with its length and
//! distance, a run of stored bytes), and the bytes of an unfinished unit are
//! carried to the next chunk: at most one dynamic header plus one step.

use super::error::DeflateError;
use super::huffman::Table;
use super::symbols::{Bits, Symbol, decode_symbol, fixed_tables, read_dynamic_header};

/// Bytes of a new chunk appended to a carry at a time.
const CARRY_STEP: usize = 4096;

/// What one message's blocks were made of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BlockStats {
    /// Stored blocks (the tail's empty one included).
    pub stored: u32,
    /// Fixed-Huffman blocks.
    pub fixed: u32,
    /// Dynamic-Huffman blocks.
    pub dynamic: u32,
    /// Blocks with `BFINAL` set (RFC 7692 §7.2.3.4 allows them).
    pub final_blocks: u32,
    /// A final block padded with bits other than 0 (RFC 7692 §7.2.1: "an
    /// endpoint MUST add minimal padding bits of 0").
    pub nonzero_padding: bool,
    /// The largest distance used, 0 for none.
    pub max_distance: u32,
    /// Some distance reached into an earlier message (context takeover used).
    pub used_previous_message: bool,
}

#[derive(Clone, Debug)]
enum State {
    Header,
    Stored { left: u32 },
    Fixed,
    Dynamic,
}

/// The incremental checker for one direction of a connection.
#[derive(Clone, Debug)]
pub(crate) struct Auditor {
    window_bits: u8,
    limit: u64,
    state: State,
    bfinal: bool,
    acc: u64,
    nbits: u32,
    carry: Vec<u8>,
    /// Message bytes pulled so far.
    pos: u64,
    /// Inflated bytes of this message.
    out: u64,
    /// Bytes a distance may reach back into.
    history: u64,
    /// Bytes inflated since the connection began.
    lifetime: u64,
    /// Bit offset of the unit that is waiting for input.
    pending_bit: u64,
    /// The tables of the current dynamic block.
    dynamic: Option<Box<(Table, Table)>>,
    /// Where the last final block's padding ended.
    final_end: Option<u64>,
    /// Where the last empty stored block ended.
    empty_stored_end: Option<u64>,
    stats: BlockStats,
}

impl Auditor {
    /// An auditor for a window of `2^window_bits` and a per-message limit.
    pub(crate) fn new(window_bits: u8, limit: u64) -> Self {
        Self {
            window_bits,
            limit,
            state: State::Header,
            bfinal: false,
            acc: 0,
            nbits: 0,
            carry: Vec::new(),
            pos: 0,
            out: 0,
            history: 0,
            lifetime: 0,
            pending_bit: 0,
            dynamic: None,
            final_end: None,
            empty_stored_end: None,
            stats: BlockStats::default(),
        }
    }

    /// Starts a message; `reset` empties the history (no context takeover).
    pub(crate) fn start_message(&mut self, reset: bool) {
        if reset {
            self.history = 0;
        }
        debug_assert!(
            self.nbits > 0 || self.acc == 0,
            "no look-ahead past a message"
        );
        (self.pos, self.out, self.pending_bit) = (0, 0, 0);
        (self.final_end, self.empty_stored_end) = (None, None);
        self.stats = BlockStats::default();
    }

    /// After a message refused only for its tail form: what is left of the
    /// appended tail is dropped, and the next message starts at a block
    /// header (the window and the counts stay).
    pub(crate) fn skip_tail(&mut self) {
        (self.state, self.bfinal, self.dynamic) = (State::Header, false, None);
        (self.acc, self.nbits) = (0, 0);
        self.carry.clear();
    }

    /// Inflated bytes of the message so far.
    pub(crate) fn inflated(&self) -> u64 {
        self.out
    }

    /// The message's statistics so far.
    pub(crate) fn stats(&self) -> BlockStats {
        self.stats
    }

    /// Checks the next chunk of the message.
    pub(crate) fn feed(&mut self, mut input: &[u8]) -> Result<(), DeflateError> {
        while !self.carry.is_empty() && !input.is_empty() {
            let take = input.len().min(CARRY_STEP);
            let mut carry = std::mem::take(&mut self.carry);
            carry.extend_from_slice(&input[..take]);
            input = &input[take..];
            let used = self.run(&carry)?;
            carry.drain(..used);
            self.carry = carry;
        }
        if self.carry.is_empty() {
            let used = self.run(input)?;
            self.carry.extend_from_slice(&input[used..]);
        }
        // What is left is less than one unit, and no unit is longer than a
        // dynamic header (under 600 bytes).
        debug_assert!(self.carry.len() < CARRY_STEP + 1024);
        Ok(())
    }

    /// Ends a message whose last chunk, the tail, has been fed: it must stop
    /// between two blocks. `payload_len` is the message's length before the
    /// tail.
    pub(crate) fn finish(&mut self, payload_len: u64) -> Result<(), DeflateError> {
        if matches!(self.state, State::Header) && self.carry.is_empty() && self.nbits == 0 {
            return Ok(());
        }
        if self.final_end == Some(payload_len) {
            return Err(DeflateError::EndsWithFinalBlock { at: payload_len });
        }
        if self.empty_stored_end == Some(payload_len) {
            return Err(DeflateError::UnstrippedTail { at: payload_len });
        }
        Err(DeflateError::Truncated {
            at: self.pending_bit / 8,
        })
    }

    fn bit_at(&self, b: &Bits<'_>) -> u64 {
        (self.pos + b.i as u64) * 8 - u64::from(b.n)
    }

    /// Consumes as many whole units of `data` as it can; returns the bytes used.
    fn run(&mut self, data: &[u8]) -> Result<usize, DeflateError> {
        let mut b = Bits {
            data,
            i: 0,
            acc: self.acc,
            n: self.nbits,
        };
        loop {
            let snapshot = b;
            let at = self.bit_at(&b) / 8;
            let more = match self.state {
                State::Header => self.header(&mut b, at)?,
                State::Stored { left } => self.stored(&mut b, left, at)?,
                State::Fixed | State::Dynamic => self.symbols(&mut b)?,
            };
            if !more {
                if !matches!(self.state, State::Fixed | State::Dynamic) {
                    b = snapshot;
                }
                self.pending_bit = self.bit_at(&b);
                break;
            }
        }
        (self.acc, self.nbits) = (b.acc, b.n);
        self.pos += b.i as u64;
        Ok(b.i)
    }

    /// The symbols of a Huffman block, up to its end (`true`) or to the last
    /// whole symbol of the input (`false`, `b` left there).
    fn symbols(&mut self, b: &mut Bits<'_>) -> Result<bool, DeflateError> {
        let dynamic = self.dynamic.take();
        let tables = match &dynamic {
            Some(t) if matches!(self.state, State::Dynamic) => t,
            _ => fixed_tables(),
        };
        let result = self.symbols_with(b, tables);
        self.dynamic = dynamic;
        result
    }

    fn symbols_with(
        &mut self,
        b: &mut Bits<'_>,
        tables: &(Table, Table),
    ) -> Result<bool, DeflateError> {
        loop {
            let snapshot = *b;
            let at = self.bit_at(b) / 8;
            match decode_symbol(tables, b, at)? {
                None => {
                    *b = snapshot;
                    return Ok(false);
                }
                Some(Symbol::Literal) => self.produce(1, at)?,
                Some(Symbol::EndOfBlock) => {
                    self.end_block(b);
                    return Ok(true);
                }
                Some(Symbol::Copy { len, distance }) => {
                    self.check_distance(distance, at)?;
                    self.produce(u64::from(len), at)?;
                }
            }
        }
    }

    fn header(&mut self, b: &mut Bits<'_>, at: u64) -> Result<bool, DeflateError> {
        if !b.need(3) {
            return Ok(false);
        }
        let hdr = b.take(3);
        self.bfinal = hdr & 1 == 1;
        self.state = match hdr >> 1 {
            0 => {
                let pad = b.n % 8;
                b.take(pad);
                if !b.need(32) {
                    return Ok(false);
                }
                let (len, nlen) = (b.take(16) as u16, b.take(16) as u16);
                if nlen != !len {
                    return Err(DeflateError::StoredLengthMismatch { at, len, nlen });
                }
                self.stats.stored += 1;
                State::Stored {
                    left: u32::from(len),
                }
            }
            1 => {
                self.stats.fixed += 1;
                State::Fixed
            }
            2 => match read_dynamic_header(b, at)? {
                Some(tables) => {
                    self.stats.dynamic += 1;
                    self.dynamic = Some(Box::new(tables));
                    State::Dynamic
                }
                None => return Ok(false),
            },
            _ => return Err(DeflateError::ReservedBlockType { at }),
        };
        if matches!(self.state, State::Stored { left: 0 }) {
            self.end_block(b);
            self.empty_stored_end = Some(self.bit_at(b) / 8);
        }
        Ok(true)
    }

    /// Stored bytes: first those already pulled, then straight from the slice.
    fn stored(&mut self, b: &mut Bits<'_>, mut left: u32, at: u64) -> Result<bool, DeflateError> {
        let pulled = (b.n / 8).min(left);
        let direct = (left - pulled).min((b.data.len() - b.i) as u32);
        let n = u64::from(pulled + direct);
        if n == 0 {
            return Ok(false);
        }
        if self.out + n > self.limit {
            return Err(DeflateError::TooBig {
                limit: self.limit,
                at: at + (self.limit - self.out),
            });
        }
        self.produce(n, at)?;
        for _ in 0..pulled {
            b.take(8);
        }
        b.skip(direct as usize);
        left -= pulled + direct;
        self.state = State::Stored { left };
        if left == 0 {
            self.end_block(b);
        }
        Ok(true)
    }

    fn end_block(&mut self, b: &mut Bits<'_>) {
        self.state = State::Header;
        if !self.bfinal {
            return;
        }
        // RFC 7692 §7.2.1: "When any DEFLATE block with the "BFINAL" bit set
        // to 1 doesn't end at a byte boundary, an endpoint MUST add minimal
        // padding bits of 0 to make it end at a byte boundary. The next
        // DEFLATE block follows the padded data if any."
        self.stats.final_blocks += 1;
        let pad = b.n % 8;
        self.stats.nonzero_padding |= b.take(pad) != 0;
        self.final_end = Some(self.bit_at(b) / 8);
    }

    fn check_distance(&mut self, distance: u32, at: u64) -> Result<(), DeflateError> {
        let d = u64::from(distance);
        if d > 1 << self.window_bits {
            return Err(DeflateError::DistanceBeyondWindow {
                at,
                distance,
                window_bits: self.window_bits,
            });
        }
        if d > self.history {
            return Err(DeflateError::DistanceTooFarBack {
                at,
                distance,
                available: self.history,
                into_previous_message: d <= self.lifetime,
            });
        }
        self.stats.max_distance = self.stats.max_distance.max(distance);
        self.stats.used_previous_message |= d > self.out;
        Ok(())
    }

    fn produce(&mut self, n: u64, at: u64) -> Result<(), DeflateError> {
        if self.out + n > self.limit {
            return Err(DeflateError::TooBig {
                limit: self.limit,
                at,
            });
        }
        self.out += n;
        self.history += n;
        self.lifetime += n;
        Ok(())
    }
}
