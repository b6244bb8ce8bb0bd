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
    fn written_streams_inflate_alike_at_any_chunking(
        blocks in proptest::collection::vec((0u8..3, proptest::collection::vec(any::<u8>(), 0..90)), 1..8),
        step in 1usize..40,
    ) {
        // Stored, literal and copy blocks in any order, valid by
        // construction: the inflater at any chunking and zlib agree.
        let mut w = DeflateWriter::new();
        let mut written = 0usize;
        for (kind, data) in &blocks {
            match kind {
                0 => { w.stored(false, data); }
                1 => { w.fixed(false).literals(data).end_block(); }
                _ if written >= 3 => {
                    let dist = (data.first().copied().unwrap_or(1) as usize % written).max(1);
                    w.fixed(false).copy(3 + data.len() as u16, dist as u16).end_block();
                    written += 3 + data.len();
                    continue;
                }
                _ => { w.fixed(false).literals(b"abc").end_block(); written += 3; continue; }
            }
            written += data.len();
        }
        let payload = w.into_message();
        let ours = inflate_in(&mut inflater(15, false), &payload, step).unwrap();
        prop_assert_eq!(ours.len(), written);
        prop_assert_eq!(zlib_alone(&payload, 15).unwrap(), ours);
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

/// Throughput of the tester's hot path for Autobahn 12/13 sized traffic; run
/// with `cargo test --release --lib deflate_throughput -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, for release builds"]
fn deflate_throughput() {
    use std::time::Instant;
    // JSON-like records with varying numbers and names: about 3:1 for zlib.
    let mut json = Vec::new();
    let mut x = 12345u64;
    while json.len() < 1 << 20 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let (id, score, name) = (x >> 40, (x >> 20) % 1000, (x >> 8) % 977);
        json.extend(
            format!(
                "{{\"id\": {id}, \"name\": \"user{name}\", \"score\": {score}, \"ok\": true}},\n"
            )
            .bytes(),
        );
    }
    let dir = Direction {
        window_bits: 15,
        no_context_takeover: false,
    };
    for (level, size) in [(1, 131_072), (6, 131_072), (1, 1024), (6, 1024)] {
        let count = (200 * 131_072) / size;
        let mut d = Deflater::new(dir, level);
        let start = Instant::now();
        let payloads: Vec<Vec<u8>> = json
            .chunks(size)
            .cycle()
            .take(count)
            .map(|m| d.compress(m))
            .collect();
        let compress = start.elapsed();
        let total: usize = count * size;
        let packed: usize = payloads.iter().map(Vec::len).sum();

        let start = Instant::now();
        let mut inf = Inflater::new(InflateConfig::new(dir, LIMIT));
        for p in &payloads {
            inf.inflate_message([&p[..]], &mut |_| {}).unwrap();
        }
        let ours = start.elapsed();

        let start = Instant::now();
        let mut z = flate2::Decompress::new(false);
        let mut out = vec![0u8; CHUNK];
        for p in &payloads {
            for part in [&p[..], &TAIL[..]] {
                let mut input = part;
                loop {
                    let before = z.total_in();
                    z.decompress(input, &mut out, flate2::FlushDecompress::None)
                        .unwrap();
                    input = &input[(z.total_in() - before) as usize..];
                    if input.is_empty() {
                        break;
                    }
                }
            }
        }
        let zlib = start.elapsed();

        let start = Instant::now();
        let mut audit = crate::codec::deflate::audit::Auditor::new(15, LIMIT);
        for p in &payloads {
            audit.start_message(false);
            audit.feed(p).unwrap();
            audit.feed(&TAIL).unwrap();
            audit.finish(p.len() as u64).unwrap();
        }
        let audit = start.elapsed();
        let mbs = |t: std::time::Duration| total as f64 / t.as_secs_f64() / 1e6;
        println!(
            "level {level}, {size}-byte messages: ratio {:.3}; compress {:.0} MB/s; inflate+audit {:.0} MB/s; \
             zlib alone {:.0} MB/s; auditor alone {:.0} MB/s",
            packed as f64 / total as f64,
            mbs(compress),
            mbs(ours),
            mbs(zlib),
            mbs(audit)
        );
    }
}
