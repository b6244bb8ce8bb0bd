//! compress → inflate is the identity, for every window and context
//! setting, whatever the messages and however their payloads are split.

use proptest::prelude::*;

use super::*;

/// Messages with repeats at near and far distances, so matches happen.
fn message() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        (proptest::collection::vec(0u8..4, 1..40), 1usize..200)
            .prop_map(|(unit, times)| unit.repeat(times)),
        (0usize..3000).prop_map(streams::unique_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn compress_then_inflate_is_identity(
        window_bits in 8u8..=15,
        no_context_takeover: bool,
        level in 0u32..=9,
        messages in proptest::collection::vec(message(), 1..6),
        step in 1usize..64,
    ) {
        let dir = Direction { window_bits, no_context_takeover };
        let mut d = Deflater::new(dir, level);
        let mut inf = Inflater::new(InflateConfig::new(dir, LIMIT));
        for m in &messages {
            let payload = d.compress(m);
            prop_assert_eq!(&inflate_in(&mut inf, &payload, step).unwrap(), m);
        }
    }

    #[test]
    fn the_auditor_and_zlib_agree_on_damaged_streams(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate: bool,
        step in 1usize..700,
    ) {
        // Real zlib output (dynamic blocks), damaged. The inflater runs zlib
        // only on what its auditor accepted and checks their byte counts
        // agree, so any disagreement would surface as `Internal`.
        let text: Vec<u8> = (0..6000u32).map(|i| b"lorem ipsum dolor sit amet, "[(i * 7 % 28) as usize] ^ (i / 500) as u8).collect();
        let dir = Direction { window_bits: 15, no_context_takeover: false };
        let mut payload = Deflater::new(dir, 9).compress(&text);
        for (at, bit) in &flips {
            let i = at.index(payload.len());
            payload[i] ^= 1 << bit;
        }
        if truncate {
            payload.truncate(cut.index(payload.len()));
        }
        let got = inflate_in(&mut inflater(15, false), &payload, step);
        prop_assert!(!matches!(got, Err(DeflateError::Internal(_))), "{:?}", got);
        prop_assert_eq!(&got, &inflate(&payload));
    }

    #[test]
    fn the_auditor_agrees_with_zlib_on_any_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        step in 1usize..16,
    ) {
        // Whatever the bytes, chunking changes nothing, and when the
        // inflater accepts them zlib inflates the same output.
        let whole = inflate(&bytes);
        prop_assert_eq!(&inflate_in(&mut inflater(15, false), &bytes, step), &whole);
        if let Ok(out) = whole {
            prop_assert_eq!(zlib_alone(&bytes, 15).unwrap(), out);
        }
    }
}

#[test]
fn autobahn_sized_messages_round_trip_in_every_setting() {
    let json: Vec<u8> = (0..131_072u32)
        .map(|i| b"{\"id\": 12, \"name\": \"x\", \"tags\": [1, 2]},\n"[(i % 41) as usize])
        .collect();
    for window_bits in [8, 9, 15] {
        for no_context_takeover in [false, true] {
            let dir = Direction {
                window_bits,
                no_context_takeover,
            };
            let mut d = Deflater::new(dir, 6);
            let mut inf = Inflater::new(InflateConfig::new(dir, LIMIT));
            for size in [16usize, 1024, 131_072] {
                let payload = d.compress(&json[..size]);
                assert!(
                    payload.len() < size.max(64),
                    "{window_bits}: {}",
                    payload.len()
                );
                assert_eq!(inf.inflate_to_vec(&payload).unwrap(), &json[..size]);
            }
        }
    }
}
