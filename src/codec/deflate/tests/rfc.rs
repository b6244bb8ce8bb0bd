//! RFC 7692 §7.2.3's examples, byte for byte, both ways.

use super::*;

const HELLO: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
const HELLO_AGAIN: [u8; 5] = [0xf2, 0x00, 0x11, 0x00, 0x00];

fn deflater(no_context_takeover: bool) -> Deflater {
    Deflater::new(
        Direction {
            window_bits: 15,
            no_context_takeover,
        },
        6,
    )
}

/// §7.2.3.1 "A Message Compressed Using 1 Compressed DEFLATE Block".
#[test]
fn one_compressed_block() {
    assert_eq!(inflate(&HELLO).unwrap(), b"Hello");
    assert_eq!(deflater(true).compress(b"Hello"), HELLO);
    // The same message in two frames: 0x41 0x03 0xf2 0x48 0xcd, 0x80 0x04
    // 0xc9 0xc9 0x07 0x00.
    let mut inf = inflater(15, false);
    let mut out = Vec::new();
    let summary = inf
        .inflate_message([&HELLO[..3], &HELLO[3..]], &mut |b| {
            out.extend_from_slice(b)
        })
        .unwrap();
    assert_eq!(out, b"Hello");
    assert_eq!((summary.compressed_len, summary.inflated_len), (7, 5));
    assert_eq!((summary.blocks.fixed, summary.blocks.stored), (1, 1));
}

/// §7.2.3.2 "Sharing LZ77 Sliding Window".
#[test]
fn sharing_the_sliding_window() {
    let mut inf = inflater(15, false);
    assert_eq!(inf.inflate_to_vec(&HELLO).unwrap(), b"Hello");
    assert_eq!(inf.inflate_to_vec(&HELLO_AGAIN).unwrap(), b"Hello");
    let mut d = deflater(false);
    assert_eq!(d.compress(b"Hello"), HELLO);
    assert_eq!(d.compress(b"Hello"), HELLO_AGAIN);
    // With the context reset per message, the second refers into the first.
    let mut inf = inflater(15, true);
    assert_eq!(inf.inflate_to_vec(&HELLO).unwrap(), b"Hello");
    assert_eq!(
        inf.inflate_to_vec(&HELLO_AGAIN),
        Err(DeflateError::DistanceTooFarBack {
            at: 1,
            distance: 5,
            available: 1,
            into_previous_message: true,
        })
    );
}

/// §7.2.3.3 "Using a DEFLATE Block with No Compression".
#[test]
fn a_stored_block() {
    let stored = [
        0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
    ];
    assert_eq!(inflate(&stored).unwrap(), b"Hello");
    let mut d = Deflater::new(
        Direction {
            window_bits: 15,
            no_context_takeover: true,
        },
        0,
    );
    assert_eq!(d.compress(b"Hello"), stored);
}

/// §7.2.3.4 "Using a DEFLATE Block with "BFINAL" Set to 1": the final block,
/// then a `0x00` that with the tail is an empty stored block.
#[test]
fn a_final_block() {
    let bfinal = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00];
    assert_eq!(streams::final_block(b"Hello"), bfinal);
    let mut inf = inflater(15, false);
    let mut out = Vec::new();
    let summary = inf
        .inflate_message([&bfinal[..]], &mut |b| out.extend_from_slice(b))
        .unwrap();
    assert_eq!(out, b"Hello");
    assert_eq!(summary.blocks.final_blocks, 1);
    // The window survives the end of the DEFLATE stream: the next message
    // may still refer to "Hello".
    assert_eq!(inf.inflate_to_vec(&HELLO_AGAIN).unwrap(), b"Hello");
    // §7.2.1: "The next DEFLATE block follows the padded data if any", in
    // the same message too.
    let mut two = streams::ends_with_final_block(b"Hello");
    two.extend(streams::literals(b", world"));
    assert_eq!(inflate(&two).unwrap(), b"Hello, world");
}

/// §7.2.3.5 "Two DEFLATE Blocks in One Message".
#[test]
fn two_blocks_in_one_message() {
    let two = [
        0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00,
    ];
    assert_eq!(inflate(&two).unwrap(), b"Hello");
    let summary = inflater(15, false)
        .inflate_message([&two[..]], &mut |_| {})
        .unwrap();
    assert_eq!((summary.blocks.fixed, summary.blocks.stored), (2, 2));
}

/// §7.2.3.6 "Generating an Empty Fragment": an empty message is `0x00`.
#[test]
fn an_empty_message() {
    assert_eq!(inflate(&[0x00]).unwrap(), b"");
    let mut d = deflater(false);
    assert_eq!(d.compress(b""), [0x00]);
    assert_eq!(d.compress(b""), [0x00], "twice in a row too");
    assert_eq!(d.compress(b"Hello"), HELLO);
    // A payload of no bytes at all is not a compressed message: with the
    // tail appended it is a stored block header without its lengths.
    assert_eq!(inflate(&[]), Err(DeflateError::Truncated { at: 0 }));
}
