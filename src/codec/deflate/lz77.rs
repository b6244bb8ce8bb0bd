//! A small LZ77 compressor of our own for the window zlib cannot keep to:
//! greedy matching over a hash of three bytes, distances never beyond
//! `2^window_bits`, written as one fixed-Huffman block per message and a sync
//! flush. Its ratio is modest; its point is that a peer which agreed to
//! `*_max_window_bits=8` can be sent compressed messages that keep to it.

use super::bits::DeflateWriter;

/// Candidates followed per position.
const CHAIN: usize = 32;
/// Hash table size (a power of two).
const HASH: usize = 1 << 12;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;

/// A compressor with a window of `2^window_bits` and context takeover unless
/// [`reset`](Self::reset) between messages.
#[derive(Clone, Debug)]
pub struct SmallWindow {
    window: usize,
    /// The last `window` bytes of earlier messages.
    history: Vec<u8>,
}

impl SmallWindow {
    /// A compressor for windows of 8 to 15 bits.
    pub fn new(window_bits: u8) -> Self {
        Self {
            window: 1 << window_bits,
            history: Vec::new(),
        }
    }

    /// Forgets earlier messages: the next one starts with an empty window.
    pub fn reset(&mut self) {
        self.history.clear();
    }

    /// One message, ended by a sync flush (`00 00 ff ff` included).
    pub fn compress(&mut self, message: &[u8]) -> Vec<u8> {
        let start = self.history.len();
        let mut data = std::mem::take(&mut self.history);
        data.extend_from_slice(message);
        let mut w = DeflateWriter::new();
        if !message.is_empty() {
            w.fixed(false);
            self.encode(&data, start, &mut w);
            w.end_block();
        }
        w.sync_flush();
        let keep = data.len().saturating_sub(self.window);
        data.drain(..keep);
        self.history = data;
        w.into_bytes()
    }

    fn encode(&self, data: &[u8], start: usize, w: &mut DeflateWriter) {
        let mut chains = Chains {
            head: vec![usize::MAX; HASH],
            prev: vec![usize::MAX; data.len()],
        };
        for pos in 0..start {
            chains.insert(data, pos);
        }
        let mut pos = start;
        while pos < data.len() {
            let (len, dist) = self.longest(data, pos, &chains);
            if len >= MIN_MATCH {
                w.copy(len as u16, dist as u16);
            } else {
                w.literal(data[pos]);
            }
            for p in pos..pos + len.max(1) {
                chains.insert(data, p);
            }
            pos += len.max(1);
        }
    }

    /// The longest match for `pos` within the window: (length, distance).
    fn longest(&self, data: &[u8], pos: usize, chains: &Chains) -> (usize, usize) {
        if pos + MIN_MATCH > data.len() {
            return (0, 0);
        }
        let max = (data.len() - pos).min(MAX_MATCH);
        let (mut best, mut best_dist) = (0, 0);
        let mut cand = chains.head[hash(&data[pos..pos + MIN_MATCH])];
        for _ in 0..CHAIN {
            if cand == usize::MAX || pos - cand > self.window {
                break;
            }
            let len = data[cand..]
                .iter()
                .zip(&data[pos..pos + max])
                .take_while(|(a, b)| a == b)
                .count();
            if len > best {
                (best, best_dist) = (len, pos - cand);
            }
            cand = chains.prev[cand];
        }
        (best, best_dist)
    }
}

/// Hash chains: the latest position of each hash, and each position's
/// predecessor with the same hash.
struct Chains {
    head: Vec<usize>,
    prev: Vec<usize>,
}

impl Chains {
    fn insert(&mut self, data: &[u8], pos: usize) {
        if pos + MIN_MATCH <= data.len() {
            let h = hash(&data[pos..pos + MIN_MATCH]);
            self.prev[pos] = self.head[h];
            self.head[h] = pos;
        }
    }
}

fn hash(three: &[u8]) -> usize {
    let v = u32::from(three[0]) << 16 | u32::from(three[1]) << 8 | u32::from(three[2]);
    (v.wrapping_mul(0x9E37_79B1) >> 20) as usize & (HASH - 1)
}
