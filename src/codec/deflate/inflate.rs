//! Per-message decompression (RFC 7692 §7.2.2), streaming and bounded.
//!
//! "An endpoint uses the following algorithm to decompress a message.
//! (1) Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload
//! of the message. (2) Decompress the resulting data using DEFLATE."
//!
//! Each chunk (a frame's payload, or any part of one) is first checked by the
//! [`Auditor`](super::audit), which enforces the window, the history, the
//! inflated size limit and every block rule exactly; only then does zlib-rs
//! inflate it, into one fixed buffer of [`CHUNK`] bytes handed to the
//! caller's sink. Memory is bounded by the chunk, zlib's window and the
//! auditor's tables whatever the input; a bomb costs the time to reach the
//! limit and no more, because the auditor stops there before zlib starts.

use flate2::{Decompress, FlushDecompress, Status};

use super::TAIL;
use super::agreement::Direction;
use super::audit::{Auditor, BlockStats};
use super::error::DeflateError;

/// The size of the buffer zlib inflates into, and so the largest slice a
/// sink is given.
pub const CHUNK: usize = 16 * 1024;

/// How one direction's messages are inflated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InflateConfig {
    /// The agreed window: no distance may exceed `2^window_bits` (8..=15).
    pub window_bits: u8,
    /// Start every message with an empty window (the sender agreed to
    /// `*_no_context_takeover`), so a reference into an earlier message
    /// fails. RFC 7692 §7.2.2 lets a receiver do so ("MAY decompress each new
    /// message with an empty LZ77 sliding window"); otherwise it "MUST
    /// decompress each new message using the LZ77 sliding window used to
    /// process the last compressed message".
    pub no_context_takeover: bool,
    /// The largest inflated message accepted, in bytes.
    pub max_message_size: u64,
}

impl InflateConfig {
    /// The receiving side of an agreed direction.
    pub fn new(direction: Direction, max_message_size: u64) -> Self {
        Self {
            window_bits: direction.window_bits,
            no_context_takeover: direction.no_context_takeover,
            max_message_size,
        }
    }
}

/// What one message was, once inflated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct InflatedSummary {
    /// Compressed bytes received (the tail not counted).
    pub compressed_len: u64,
    /// Inflated bytes handed to the sink.
    pub inflated_len: u64,
    /// The blocks and distances the message used.
    pub blocks: BlockStats,
}

/// The decompressor of one direction of a connection.
pub struct Inflater {
    config: InflateConfig,
    audit: Auditor,
    zlib: Decompress,
    /// zlib reached the end of a DEFLATE stream (a `BFINAL` block) and must
    /// be restarted, with the window as dictionary, before more input.
    zlib_ended: bool,
    out: Box<[u8]>,
    /// The last window's worth of output, the dictionary for a restart.
    recent: Vec<u8>,
    compressed: u64,
    /// Message bytes zlib has taken, the tail included.
    zlib_took: u64,
    inflated: u64,
    in_message: bool,
    failed: Option<DeflateError>,
}

impl std::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inflater")
            .field("config", &self.config)
            .field("in_message", &self.in_message)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

/// zlib's window bits for an agreed window: zlib-rs (through flate2) takes
/// 9..=15, and a window of 8 is inflated with 9 while the auditor holds
/// every distance to 256.
fn zlib_bits(window_bits: u8) -> u8 {
    window_bits.clamp(9, 15)
}

impl Inflater {
    /// A decompressor at the start of a connection.
    pub fn new(config: InflateConfig) -> Self {
        assert!(
            super::params::WINDOW_BITS.contains(&config.window_bits),
            "window bits are 8..=15"
        );
        Self {
            config,
            audit: Auditor::new(config.window_bits, config.max_message_size),
            zlib: Decompress::new_with_window_bits(false, zlib_bits(config.window_bits)),
            zlib_ended: false,
            out: vec![0; CHUNK].into_boxed_slice(),
            recent: Vec::new(),
            compressed: 0,
            zlib_took: 0,
            inflated: 0,
            in_message: false,
            failed: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> InflateConfig {
        self.config
    }

    /// Feeds the next part of the current message (a new message starts with
    /// the first call after [`finish`](Self::finish)); inflated bytes go to
    /// `sink` in slices of at most [`CHUNK`]. After an error the connection
    /// is to be failed, and every later call returns the same error — but
    /// for a tail form ([`DeflateError::is_tail_form`], from
    /// [`finish`](Self::finish)), after which the next message inflates as
    /// it would after a valid one.
    pub fn feed(&mut self, chunk: &[u8], sink: &mut dyn FnMut(&[u8])) -> Result<(), DeflateError> {
        self.guard(|me| {
            me.begin();
            me.audit.feed(chunk)?;
            me.compressed += chunk.len() as u64;
            me.inflate(chunk, sink)
        })
    }

    /// Ends the current message: appends the tail, checks the stream stops
    /// between blocks, and sums the message up.
    pub fn finish(&mut self, sink: &mut dyn FnMut(&[u8])) -> Result<InflatedSummary, DeflateError> {
        self.guard(|me| {
            me.begin();
            me.audit.feed(&TAIL)?;
            me.audit.finish(me.compressed)?;
            me.inflate(&TAIL, sink)?;
            let taken = me.compressed + TAIL.len() as u64;
            if me.inflated != me.audit.inflated() || me.zlib_took != taken {
                return Err(DeflateError::Internal(format!(
                    "zlib took {} of {taken} bytes and inflated {}; the auditor counted {}",
                    me.zlib_took,
                    me.inflated,
                    me.audit.inflated()
                )));
            }
            me.in_message = false;
            Ok(InflatedSummary {
                compressed_len: me.compressed,
                inflated_len: me.inflated,
                blocks: me.audit.stats(),
            })
        })
    }

    /// One whole message from its payload chunks (e.g. frame payloads).
    pub fn inflate_message<'a>(
        &mut self,
        chunks: impl IntoIterator<Item = &'a [u8]>,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<InflatedSummary, DeflateError> {
        for chunk in chunks {
            self.feed(chunk, sink)?;
        }
        self.finish(sink)
    }

    /// One whole message into a vector, which never holds more than the
    /// limit: it grows with the output, at most to `max_message_size`.
    pub fn inflate_to_vec(&mut self, payload: &[u8]) -> Result<Vec<u8>, DeflateError> {
        let limit = usize::try_from(self.config.max_message_size).unwrap_or(usize::MAX);
        let mut out = Vec::new();
        self.inflate_message([payload], &mut |bytes| {
            let need = out.len() + bytes.len();
            if need > out.capacity() {
                let cap = need.max(out.capacity() * 2).min(limit.max(need));
                out.reserve_exact(cap - out.len());
            }
            out.extend_from_slice(bytes);
        })?;
        Ok(out)
    }

    fn guard<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, DeflateError>,
    ) -> Result<T, DeflateError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        f(self).inspect_err(|e| {
            if e.is_tail_form() {
                // The message inflated whole; the next one starts afresh at
                // a block header (after a final block, zlib restarts with
                // the window, as after the valid form of §7.2.3.4).
                self.in_message = false;
                self.audit.skip_tail();
            } else {
                self.failed = Some(e.clone());
            }
        })
    }

    fn begin(&mut self) {
        if self.in_message {
            return;
        }
        self.in_message = true;
        (self.compressed, self.zlib_took, self.inflated) = (0, 0, 0);
        let reset = self.config.no_context_takeover;
        if reset {
            self.zlib.reset(false);
            self.zlib_ended = false;
            self.recent.clear();
        }
        self.audit.start_message(reset);
    }

    /// Runs zlib over `input` the auditor has accepted.
    fn inflate(
        &mut self,
        mut input: &[u8],
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<(), DeflateError> {
        loop {
            if self.zlib_ended {
                self.restart_zlib()?;
            }
            let (in0, out0) = (self.zlib.total_in(), self.zlib.total_out());
            let status = self
                .zlib
                .decompress(input, &mut self.out, FlushDecompress::None)
                .map_err(|e| DeflateError::Internal(format!("zlib after the auditor: {e}")))?;
            let used = (self.zlib.total_in() - in0) as usize;
            let made = (self.zlib.total_out() - out0) as usize;
            input = &input[used..];
            self.zlib_took += used as u64;
            if made > 0 {
                sink(&self.out[..made]);
                self.inflated += made as u64;
                remember(&mut self.recent, &self.out[..made], self.config.window_bits);
            }
            if status == Status::StreamEnd {
                self.zlib_ended = true;
                if input.is_empty() {
                    return Ok(());
                }
            } else if (used == 0 && made == 0) || (input.is_empty() && made < self.out.len()) {
                return Ok(());
            }
        }
    }

    /// After a `BFINAL` block "the next DEFLATE block follows" (RFC 7692
    /// §7.2.1), so a new stream starts with the window the old one left.
    fn restart_zlib(&mut self) -> Result<(), DeflateError> {
        self.zlib.reset(false);
        self.zlib_ended = false;
        if !self.recent.is_empty() {
            self.zlib
                .set_dictionary(&self.recent)
                .map_err(|e| DeflateError::Internal(format!("zlib dictionary: {e}")))?;
        }
        Ok(())
    }
}

/// Keeps the last `2^window_bits` bytes of output in `recent`.
fn remember(recent: &mut Vec<u8>, bytes: &[u8], window_bits: u8) {
    let window = 1usize << zlib_bits(window_bits);
    if bytes.len() >= window {
        recent.clear();
        recent.extend_from_slice(&bytes[bytes.len() - window..]);
        return;
    }
    recent.extend_from_slice(bytes);
    if recent.len() > 2 * window {
        recent.drain(..recent.len() - window);
    }
}
