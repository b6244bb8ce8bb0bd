//! Dynamic block headers written by hand: one valid, and one per rule a
//! header can break, each rejected as zlib rejects it.

use super::*;
use crate::codec::deflate::huffman::{CODE_LENGTH_ORDER, canonical_codes};
use DeflateError as E;

/// Code length code lengths: 4 bits for the lengths 0..=14 and for the
/// repeat code 16, a complete code.
fn cl_lengths() -> [u8; 19] {
    let mut cl = [0u8; 19];
    cl[..15].fill(4);
    cl[16] = 4;
    cl
}

/// A dynamic block header: `cl` for the code length code, then `symbols`
/// (code length symbols 0..=18, each with its extra bits) coding
/// `litlen` + `dist` lengths.
fn header(w: &mut DeflateWriter, litlen: usize, dist: usize, cl: &[u8; 19], symbols: &[(u8, u32)]) {
    w.block(false, btype::DYNAMIC);
    w.bits(litlen as u32 - 257, 5)
        .bits(dist as u32 - 1, 5)
        .bits(15, 4);
    for &k in &CODE_LENGTH_ORDER {
        w.bits(u32::from(cl[k]), 3);
    }
    let codes = canonical_codes(cl);
    for &(sym, extra) in symbols {
        let s = usize::from(sym);
        w.bits(u32::from(reverse(codes[s], cl[s])), u32::from(cl[s]));
        let extra_bits = match sym {
            16 => 2,
            17 => 3,
            18 => 7,
            _ => 0,
        };
        w.bits(extra, extra_bits);
    }
}

fn reverse(code: u16, len: u8) -> u16 {
    code.reverse_bits() >> (16 - u32::from(len))
}

/// Length symbols for `lengths`, one each (no repeats).
fn plain(lengths: &[u8]) -> Vec<(u8, u32)> {
    lengths.iter().map(|&l| (l, 0)).collect()
}

/// 257 literal/length lengths: `a` and end-of-block set, the rest 0.
fn litlen(a: u8, eob: u8) -> Vec<u8> {
    let mut l = vec![0u8; 257];
    l[usize::from(b'a')] = a;
    l[256] = eob;
    l
}

#[test]
fn a_hand_made_dynamic_block_inflates_in_both_decoders() {
    // 'a' and end-of-block one bit each (codes 0 and 1), one distance code.
    let mut lengths = litlen(1, 1);
    lengths.push(1);
    let mut w = DeflateWriter::new();
    header(&mut w, 257, 1, &cl_lengths(), &plain(&lengths));
    w.bits(0, 1).bits(0, 1).bits(0, 1).bits(1, 1); // a a a, end of block
    let payload = w.into_message();
    assert_eq!(zlib_alone(&payload, 15).unwrap(), b"aaa");
    let summary = inflater(15, false)
        .inflate_message([&payload[..]], &mut |_| {})
        .unwrap();
    assert_eq!((summary.inflated_len, summary.blocks.dynamic), (3, 1));
}

/// Writes one malformed header.
type Write = Box<dyn Fn(&mut DeflateWriter)>;

#[test]
fn each_header_rule_has_its_error() {
    let cl = cl_lengths();
    let cases: Vec<(&str, Write, DeflateError)> = vec![
        (
            "287 literal/length codes",
            Box::new(|w| {
                w.block(false, btype::DYNAMIC)
                    .bits(30, 5)
                    .bits(0, 5)
                    .bits(0, 4);
            }),
            E::TooManyCodes {
                at: 0,
                litlen: 287,
                dist: 1,
            },
        ),
        (
            "31 distance codes",
            Box::new(|w| {
                w.block(false, btype::DYNAMIC)
                    .bits(0, 5)
                    .bits(30, 5)
                    .bits(0, 4);
            }),
            E::TooManyCodes {
                at: 0,
                litlen: 257,
                dist: 31,
            },
        ),
        (
            "over-subscribed code length code",
            Box::new(|w| header(w, 257, 1, &[1; 19], &[])),
            E::BadCodeLengthCode { at: 0 },
        ),
        (
            "a repeat with nothing to repeat",
            Box::new(move |w| header(w, 257, 1, &cl, &[(16, 0)])),
            E::BadLengthRepeat { at: 0 },
        ),
        (
            "a repeat past the end",
            Box::new(move |w| {
                let mut s = plain(&[0; 257]);
                s.push((16, 3));
                header(w, 257, 1, &cl, &s)
            }),
            E::BadLengthRepeat { at: 0 },
        ),
        (
            "no end-of-block code",
            Box::new(move |w| {
                let mut l = litlen(1, 0);
                l[usize::from(b'b')] = 1;
                l.push(1);
                header(w, 257, 1, &cl, &plain(&l))
            }),
            E::MissingEndOfBlock { at: 0 },
        ),
        (
            "incomplete literal/length code",
            Box::new(move |w| {
                let mut l = litlen(2, 1);
                l.push(1);
                header(w, 257, 1, &cl, &plain(&l))
            }),
            E::BadLiteralLengthCode { at: 0 },
        ),
        (
            "over-subscribed distance code",
            Box::new(move |w| {
                let mut l = litlen(1, 1);
                l.extend([1, 1, 1]);
                header(w, 257, 3, &cl, &plain(&l))
            }),
            E::BadDistanceCode { at: 0 },
        ),
        (
            "a code no symbol has",
            Box::new(move |w| {
                // A lone one-bit distance code: zlib tolerates it, and the
                // other one-bit pattern is no code.
                let mut l = litlen(2, 2);
                l[usize::from(b'b')] = 2;
                l.extend([2, 0, 1]);
                header(w, 258, 2, &cl, &plain(&l));
                w.bits(0b00, 2).bits(0b11, 2).bits(1, 1); // 'a', length 3, distance "1"
            }),
            E::InvalidDistance { at: 0 },
        ),
    ];
    for (name, write, want) in cases {
        let mut w = DeflateWriter::new();
        write(&mut w);
        let payload = w.into_message();
        let want = match want {
            E::InvalidDistance { .. } => {
                let at = inflate(&payload).unwrap_err().at().unwrap();
                assert!(at > 0, "{name}");
                E::InvalidDistance { at }
            }
            other => other,
        };
        for step in [1, 5, payload.len()] {
            let got = inflate_in(&mut inflater(15, false), &payload, step);
            assert_eq!(got, Err(want.clone()), "{name}, chunks of {step}");
        }
        assert!(zlib_alone(&payload, 15).is_err(), "zlib rejects {name} too");
    }
}
