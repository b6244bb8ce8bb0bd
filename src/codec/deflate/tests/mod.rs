//! The codec against RFC 7692's own examples, against zlib, and against
//! itself: negotiation both ways, every malformed stream, windows and
//! context takeover, bombs, and compress → inflate round trips.

mod bombs;
mod dynamic;
mod malformed;
mod negotiation;
mod rfc;
mod round_trip;
mod window;

use super::*;

/// A big enough limit for ordinary messages.
pub(super) const LIMIT: u64 = 64 << 20;

pub(super) fn inflater(window_bits: u8, no_context_takeover: bool) -> Inflater {
    Inflater::new(InflateConfig {
        window_bits,
        no_context_takeover,
        max_message_size: LIMIT,
    })
}

/// One message through `inf`, fed in chunks of `step` bytes.
pub(super) fn inflate_in(
    inf: &mut Inflater,
    payload: &[u8],
    step: usize,
) -> Result<Vec<u8>, DeflateError> {
    let mut out = Vec::new();
    inf.inflate_message(payload.chunks(step.max(1)), &mut |b| {
        out.extend_from_slice(b)
    })?;
    Ok(out)
}

/// One message through a fresh inflater with a full window.
pub(super) fn inflate(payload: &[u8]) -> Result<Vec<u8>, DeflateError> {
    inflater(15, false).inflate_to_vec(payload)
}

/// What zlib alone makes of a message (the tail appended), with a large
/// output buffer: `Err` for an error, the output otherwise (stopping at the
/// end of the DEFLATE stream, as most receivers do).
pub(super) fn zlib_alone(payload: &[u8], window_bits: u8) -> Result<Vec<u8>, String> {
    let mut z = flate2::Decompress::new_with_window_bits(false, window_bits);
    let mut input = payload.to_vec();
    input.extend_from_slice(&TAIL);
    let mut out = Vec::with_capacity(1 << 20);
    z.decompress_vec(&input, &mut out, flate2::FlushDecompress::Sync)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The byte offset where the symbol after `history` unique literals (in a
/// fixed block, as the `streams` write them) starts.
pub(super) fn after_literals(history: usize) -> u64 {
    let mut w = DeflateWriter::new();
    w.fixed(false).literals(&streams::unique_bytes(history));
    w.bit_len() / 8
}

#[test]
fn the_codecs_can_move_between_threads() {
    fn send<T: Send + 'static>() {}
    send::<Inflater>();
    send::<Deflater>();
    send::<Agreement>();
    send::<DeflateError>();
}
