//! Ready-made message payloads, valid and not, built with the
//! [`DeflateWriter`]: what the deflate attack cases and mutators send, and
//! what the tests feed the [`Inflater`](super::Inflater). Each documents the
//! [`DeflateError`](super::DeflateError) a strict receiver reports for it.

use super::bits::{DeflateWriter, btype};

/// Bytes that compress poorly and never repeat within 64 KiB: a
/// deterministic sequence for filling a window without matches.
pub fn unique_bytes(len: usize) -> Vec<u8> {
    let mut x = 0x2545_f491_u32;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// `data` as fixed-Huffman literals in one non-final block: valid.
pub fn literals(data: &[u8]) -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.fixed(false).literals(data).end_block();
    w.into_message()
}

/// A block of the reserved type 3: `ReservedBlockType { at: 0 }`.
pub fn reserved_block_type() -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.block(false, btype::RESERVED).bits(0, 13);
    w.into_bytes()
}

/// A stored block whose `NLEN` is not `!LEN`: `StoredLengthMismatch`.
pub fn stored_length_mismatch() -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.stored_header(false, 5, 0x1234).raw_bytes(b"Hello");
    w.into_message()
}

/// A fixed block using literal/length symbol 286: `InvalidLiteralLength`.
pub fn invalid_length_symbol() -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.fixed(false)
        .literals(b"ab")
        .litlen_symbol(286)
        .end_block();
    w.into_message()
}

/// A fixed block using distance symbol 30: `InvalidDistance`.
pub fn invalid_distance_symbol() -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.fixed(false)
        .literals(b"ab")
        .litlen_symbol(257)
        .distance_symbol(30);
    w.end_block();
    w.into_message()
}

/// `history` literals, then a copy from `history + 1` bytes back: a
/// distance before the start of the data (`DistanceTooFarBack`, or
/// `DistanceBeyondWindow` when that also exceeds the window).
pub fn distance_before_start(history: usize) -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.fixed(false).literals(&unique_bytes(history));
    w.copy(3, history as u16 + 1).end_block();
    w.into_message()
}

/// `history` literals, then a copy from `distance` back; valid when
/// `distance` ≤ `history` and within the window, `DistanceBeyondWindow` when
/// beyond `2^W` although the bytes exist.
pub fn distance_back(history: usize, distance: u16) -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.fixed(false).literals(&unique_bytes(history));
    w.copy(10, distance).end_block();
    w.into_message()
}

/// `head` as literals, a copy of `len` (3..=258) bytes from `distance` back,
/// then `tail` as literals. With `distance` > `head.len()` the copy starts
/// before this message, in the bytes the receiver inflated earlier: valid
/// with context takeover when they exist and lie within the window; with the
/// context reset, `DistanceTooFarBack { into_previous_message: true, .. }`.
pub fn refers_back(head: &[u8], len: u16, distance: u16, tail: &[u8]) -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.fixed(false)
        .literals(head)
        .copy(len, distance)
        .literals(tail)
        .end_block();
    w.into_message()
}

/// A stored block announcing 1000 bytes that holds 10: `Truncated` (the
/// appended tail does not complete it either).
pub fn truncated() -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.stored_header(false, 1000, !1000).raw_bytes(b"0123456789");
    w.into_bytes()
}

/// A fixed block cut off before its end-of-block code: `Truncated`.
pub fn truncated_block() -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.fixed(false).literals(b"Hello, world");
    let mut bytes = w.into_bytes();
    bytes.truncate(bytes.len() - 1);
    bytes
}

/// `data` in a `BFINAL` block and nothing after it, so the appended tail
/// cannot be a block: `EndsWithFinalBlock`. Receivers that stop at the end
/// of the DEFLATE stream inflate it to `data`.
pub fn ends_with_final_block(data: &[u8]) -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.fixed(true).literals(data).end_block();
    w.into_bytes()
}

/// `data` in a `BFINAL` block followed by an empty stored block's header,
/// the form of RFC 7692 §7.2.3.4: valid.
pub fn final_block(data: &[u8]) -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.fixed(true).literals(data).end_block().align();
    w.into_message()
}

/// `data` compressed correctly but sent with its `00 00 ff ff` still on:
/// `UnstrippedTail`.
pub fn unstripped_tail(data: &[u8]) -> Vec<u8> {
    let mut w = DeflateWriter::new();
    w.fixed(false).literals(data).end_block().sync_flush();
    w.into_bytes()
}

/// The empty message as RFC 7692 §7.2.3.6 writes it: `00`. Valid.
pub fn empty_message() -> Vec<u8> {
    vec![0x00]
}

/// A bomb: one literal and runs of 258-byte copies at distance 1, about
/// 1/1032 of `inflated_len` (at least 3) in size. Valid DEFLATE; refused
/// only by a size limit below `inflated_len` (`TooBig`).
pub fn bomb(inflated_len: u64) -> Vec<u8> {
    assert!(
        inflated_len >= 4,
        "a bomb is one literal and a copy at least"
    );
    let mut copies = (inflated_len - 1) / 258;
    let mut rest = (inflated_len - 1) % 258;
    if rest > 0 && rest < 3 {
        // A copy is 3..=258 bytes: borrow from the last full copy.
        copies -= 1;
        rest += 258;
    }
    let mut w = DeflateWriter::new();
    w.fixed(false).literal(b'a');
    if copies == 0 {
        copy_run(&mut w, rest);
        w.end_block();
        return w.into_message();
    }
    // 3 header bits, 8 for the literal and 13 for one copy end on a byte,
    // and every 8 copies after that are the same 13 bytes.
    w.copy(258, 1);
    copies -= 1;
    let mut eight = DeflateWriter::new();
    for _ in 0..8 {
        eight.copy(258, 1);
    }
    let mut out = w.into_bytes();
    out.extend(eight.into_bytes().repeat((copies / 8) as usize));
    let mut tail = DeflateWriter::new();
    for _ in 0..copies % 8 {
        tail.copy(258, 1);
    }
    copy_run(&mut tail, rest);
    tail.end_block();
    out.extend(tail.into_message());
    out
}

/// Copies at distance 1 totalling `n` bytes (0, or at least 3).
fn copy_run(w: &mut DeflateWriter, mut n: u64) {
    while n > 258 {
        let len = if n - 258 >= 3 { 258 } else { n - 3 };
        w.copy(len as u16, 1);
        n -= len;
    }
    if n > 0 {
        w.copy(n as u16, 1);
    }
}

/// Two messages: `first` as literals, then one made only of a copy of it
/// (`first.len()` bytes from `first.len()` back, 3..=258). Valid with context
/// takeover; with the context reset, the second fails with
/// `DistanceTooFarBack { into_previous_message: true, .. }`.
pub fn refers_to_previous(first: &[u8]) -> [Vec<u8>; 2] {
    let n = first.len() as u16;
    let mut w = DeflateWriter::new();
    w.fixed(false).copy(n, n).end_block();
    [literals(first), w.into_message()]
}
