//! Per-message compression (RFC 7692 §7.2.1) for one direction: "(1) Compress
//! all the octets of the payload of the message using DEFLATE. (2) If the
//! resulting data does not end with an empty DEFLATE block with no
//! compression (the "BTYPE" bits are set to 00), append an empty DEFLATE
//! block with no compression to the tail end. (3) Remove 4 octets (that are
//! 0x00 0x00 0xff 0xff) from the tail end."
//!
//! Windows of 9 to 15 bits use zlib-rs with a sync flush per message. zlib
//! cannot compress raw DEFLATE within a window of 256 bytes (it refuses, or
//! silently uses 512, which breaks a peer that agreed to 8), so a window of 8
//! uses [`SmallWindow`](super::lz77::SmallWindow), this crate's own greedy
//! LZ77 over fixed Huffman codes, which never reaches back more than 256
//! bytes. Accepting 8 and compressing with 9 is never done.

use flate2::{Compress, Compression, FlushCompress, Status};

use super::TAIL;
use super::agreement::Direction;
use super::lz77::SmallWindow;

/// The compressor of one direction of a connection.
pub struct Deflater {
    backend: Backend,
    no_context_takeover: bool,
}

enum Backend {
    Zlib(Box<Compress>),
    Small(SmallWindow),
}

impl std::fmt::Debug for Deflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = match self.backend {
            Backend::Zlib(_) => "zlib-rs",
            Backend::Small(_) => "small-window",
        };
        f.debug_struct("Deflater")
            .field("backend", &backend)
            .field("no_context_takeover", &self.no_context_takeover)
            .finish()
    }
}

impl Deflater {
    /// A compressor keeping to `direction` at zlib `level` (0..=9; the small
    /// window encoder ignores it).
    pub fn new(direction: Direction, level: u32) -> Self {
        let bits = direction.window_bits;
        assert!(
            super::params::WINDOW_BITS.contains(&bits),
            "window bits are 8..=15"
        );
        let backend = if bits == 8 {
            Backend::Small(SmallWindow::new(bits))
        } else {
            Backend::Zlib(Box::new(Compress::new_with_window_bits(
                Compression::new(level.min(9)),
                false,
                bits,
            )))
        };
        Self {
            backend,
            no_context_takeover: direction.no_context_takeover,
        }
    }

    /// Compresses one whole message into its payload.
    pub fn compress(&mut self, message: &[u8]) -> Vec<u8> {
        let mut out = match &mut self.backend {
            Backend::Zlib(z) => sync_flush(z, message),
            Backend::Small(s) => s.compress(message),
        };
        // Step 3; an empty result is the empty stored block's header alone,
        // as RFC 7692 §7.2.3.6 shows ("0x00").
        if out.ends_with(&TAIL) {
            out.truncate(out.len() - TAIL.len());
        }
        if out.is_empty() {
            out.push(0x00);
        }
        if self.no_context_takeover {
            // RFC 7692 §7.2.1: "If the "agreed parameters" contain the
            // "server_no_context_takeover" extension parameter, the server
            // MUST start compressing each new message with an empty LZ77
            // sliding window." (and the client likewise for its parameter)
            match &mut self.backend {
                Backend::Zlib(z) => z.reset(),
                Backend::Small(s) => s.reset(),
            }
        }
        out
    }
}

/// All of `message` through zlib, ended by a sync flush: the output ends
/// with the empty stored block `00 00 ff ff` (unless zlib, flushed twice in a
/// row with nothing new, writes nothing at all).
fn sync_flush(z: &mut Compress, message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() / 2 + 64);
    let mut input = message;
    loop {
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(1024));
        }
        let before = z.total_in();
        let status = z
            .compress_vec(input, &mut out, FlushCompress::Sync)
            .expect("zlib compression of in-memory data does not fail");
        input = &input[(z.total_in() - before) as usize..];
        let room = out.capacity() - out.len();
        if input.is_empty() && room > 0 && status != Status::StreamEnd {
            return out;
        }
    }
}
