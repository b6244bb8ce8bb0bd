//! The agreed window, exactly: zlib alone does not enforce it; the inflater
//! does for every size from 8 to 15 bits.

use super::*;
use DeflateError as E;

/// zlib checks a distance against the bytes it still holds, which include
/// the current call's output: a raw inflater made with 9 bits accepts a
/// distance of 1000 when 2000 bytes came out of the same call, and rejects
/// it only when fewer than 1000 bytes precede it.
#[test]
fn zlib_alone_does_not_hold_distances_to_its_window() {
    let far = streams::distance_back(2000, 1000);
    let out = zlib_alone(&far, 9).expect("zlib accepts a distance beyond 2^9");
    assert_eq!(out.len(), 2010);
    let before_start = streams::distance_before_start(999);
    assert!(zlib_alone(&before_start, 9).is_err());
}

#[test]
fn a_window_of_9_rejects_a_distance_of_1000() {
    let far = streams::distance_back(2000, 1000);
    let want = E::DistanceBeyondWindow {
        at: after_literals(2000),
        distance: 1000,
        window_bits: 9,
    };
    for step in [1, 100, far.len()] {
        assert_eq!(
            inflate_in(&mut inflater(9, false), &far, step),
            Err(want.clone())
        );
    }
    // 512 back is within the window.
    let edge = streams::distance_back(2000, 512);
    assert_eq!(
        inflater(9, false).inflate_to_vec(&edge).unwrap().len(),
        2010
    );
    let over = streams::distance_back(2000, 513);
    assert!(matches!(
        inflater(9, false).inflate_to_vec(&over),
        Err(E::DistanceBeyondWindow { distance: 513, .. })
    ));
}

#[test]
fn every_window_from_8_to_15_is_exact() {
    for bits in 8..=15u8 {
        let window = 1u16 << bits;
        let history = 40_000;
        let at_edge = streams::distance_back(history, window);
        let got = inflater(bits, false).inflate_to_vec(&at_edge);
        assert_eq!(
            got.map(|v| v.len()),
            Ok(history + 10),
            "{bits} bits at the edge"
        );
        if bits < 15 {
            let beyond = streams::distance_back(history, window + 1);
            assert_eq!(
                inflater(bits, false).inflate_to_vec(&beyond),
                Err(E::DistanceBeyondWindow {
                    at: after_literals(history),
                    distance: u32::from(window) + 1,
                    window_bits: bits,
                }),
                "{bits} bits, one beyond"
            );
        }
    }
}

/// A window of 8: zlib-rs inflates with 9 and the auditor keeps to 256.
#[test]
fn window_8_is_enforced_although_zlib_inflates_with_9() {
    let ok = streams::distance_back(300, 256);
    assert_eq!(inflater(8, false).inflate_to_vec(&ok).unwrap().len(), 310);
    let far = streams::distance_back(300, 257);
    assert!(matches!(
        inflater(8, false).inflate_to_vec(&far),
        Err(E::DistanceBeyondWindow {
            distance: 257,
            window_bits: 8,
            ..
        })
    ));
}

/// With context takeover the window spans messages; it does not span a
/// reset, and it never exceeds `2^W` even across messages.
#[test]
fn the_window_spans_messages_only_with_context_takeover() {
    let first = streams::literals(&streams::unique_bytes(400));
    let mut w = DeflateWriter::new();
    w.fixed(false).copy(10, 300).end_block();
    let second = w.into_message();

    let mut keep = inflater(9, false);
    keep.inflate_to_vec(&first).unwrap();
    assert_eq!(keep.inflate_to_vec(&second).unwrap().len(), 10);

    let mut reset = inflater(9, true);
    reset.inflate_to_vec(&first).unwrap();
    assert!(matches!(
        reset.inflate_to_vec(&second),
        Err(E::DistanceTooFarBack {
            into_previous_message: true,
            ..
        })
    ));

    let mut w = DeflateWriter::new();
    w.fixed(false).copy(10, 600).end_block();
    let mut keep = inflater(9, false);
    keep.inflate_to_vec(&first).unwrap();
    keep.inflate_to_vec(&first).unwrap();
    assert!(matches!(
        keep.inflate_to_vec(&w.into_message()),
        Err(E::DistanceBeyondWindow { distance: 600, .. })
    ));
}

/// Our compressors keep to the window they were given: zlib-rs for 9..=15,
/// the small-window encoder for 8 (and any other size).
#[test]
fn the_compressors_stay_within_their_window() {
    let text: Vec<u8> = (0..60_000u32)
        .map(|i| b"abcdefghijklmnopqrstuvwxyz0123456789"[(i * i % 37 % 36) as usize])
        .collect();
    for bits in 8..=15u8 {
        for no_context_takeover in [false, true] {
            let dir = Direction {
                window_bits: bits,
                no_context_takeover,
            };
            let mut d = Deflater::new(dir, 9);
            let mut inf = inflater(bits, no_context_takeover);
            for part in text.chunks(7_000) {
                let payload = d.compress(part);
                let mut out = Vec::new();
                let summary = inf
                    .inflate_message([&payload[..]], &mut |b| out.extend_from_slice(b))
                    .unwrap();
                assert_eq!(out, part, "{bits} bits");
                assert!(summary.blocks.max_distance <= 1 << bits, "{bits} bits");
                if no_context_takeover {
                    assert!(!summary.blocks.used_previous_message);
                }
            }
        }
        let mut small = SmallWindow::new(bits);
        let payload = small.compress(&text);
        let summary = inflater(bits, false)
            .inflate_message([&payload[..payload.len() - 4]], &mut |_| {})
            .unwrap();
        assert_eq!(summary.inflated_len, text.len() as u64);
    }
}
