//! Bombs: the inflater stops at the limit, exactly, in bounded memory and
//! time, whatever the input's size and chunking.

use std::time::{Duration, Instant};

use super::*;

fn limited(limit: u64) -> Inflater {
    Inflater::new(InflateConfig {
        window_bits: 15,
        no_context_takeover: false,
        max_message_size: limit,
    })
}

#[test]
fn the_limit_is_exact() {
    let limit = 1 << 20;
    let exact = streams::bomb(limit);
    let out = limited(limit).inflate_to_vec(&exact).unwrap();
    assert_eq!(out.len() as u64, limit);
    assert!(
        out.capacity() as u64 <= limit,
        "the vector never outgrows the limit"
    );
    let over = streams::bomb(limit + 1);
    assert!(matches!(
        limited(limit).inflate_to_vec(&over),
        Err(DeflateError::TooBig {
            limit: 1_048_576,
            ..
        })
    ));
    // Stored bytes count the same way.
    let mut w = DeflateWriter::new();
    w.stored(false, &[7; 1000]);
    let stored = w.into_message();
    assert_eq!(limited(1000).inflate_to_vec(&stored).unwrap().len(), 1000);
    assert_eq!(
        limited(999).inflate_to_vec(&stored),
        Err(DeflateError::TooBig {
            limit: 999,
            at: 5 + 999
        })
    );
}

#[test]
fn a_bomb_is_refused_before_zlib_inflates_it() {
    let bomb = streams::bomb(8 << 20);
    assert!(bomb.len() < 64 << 10, "8 MiB from {} bytes", bomb.len());
    let mut given = 0u64;
    let err = limited(1 << 20)
        .inflate_message([&bomb[..]], &mut |b| given += b.len() as u64)
        .unwrap_err();
    assert!(err.is_too_big(), "{err}");
    assert_eq!(given, 0, "fed at once, nothing is inflated");
    assert!(
        err.at().unwrap() < bomb.len() as u64 / 4,
        "stopped a quarter in at most"
    );
}

#[test]
fn in_chunks_a_bomb_gives_at_most_the_limit_in_slices_of_chunk() {
    let limit = 1 << 20;
    let bomb = streams::bomb(8 << 20);
    let (mut given, mut largest) = (0u64, 0usize);
    let err = limited(limit)
        .inflate_message(bomb.chunks(1024), &mut |b| {
            given += b.len() as u64;
            largest = largest.max(b.len());
        })
        .unwrap_err();
    assert!(err.is_too_big());
    assert!(given <= limit, "{given} bytes given");
    assert!(given > limit / 2, "{given} bytes given");
    assert!(largest <= CHUNK);
}

/// 1 GiB from 6.5 MB: refused at a 16 MiB limit in the time it takes to
/// reach 16 MiB, not 1 GiB.
#[test]
fn a_gibibyte_bomb_costs_the_limit_not_the_gibibyte() {
    let bomb = streams::bomb(1 << 30);
    assert!(bomb.len() < 8 << 20, "{} bytes", bomb.len());
    let start = Instant::now();
    let mut given = 0u64;
    let err = limited(16 << 20)
        .inflate_message(bomb.chunks(64 << 10), &mut |b| given += b.len() as u64)
        .unwrap_err();
    let took = start.elapsed();
    assert!(err.is_too_big());
    assert!(given <= 16 << 20);
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn a_big_valid_message_streams_through_a_small_buffer() {
    let size = 16u64 << 20;
    let bomb = streams::bomb(size);
    let (mut given, mut largest, mut calls) = (0u64, 0usize, 0u32);
    let summary = limited(size)
        .inflate_message([&bomb[..]], &mut |b| {
            given += b.len() as u64;
            largest = largest.max(b.len());
            calls += 1;
        })
        .unwrap();
    assert_eq!((summary.inflated_len, given), (size, size));
    assert_eq!(largest, CHUNK);
    assert!(u64::from(calls) >= size / CHUNK as u64);
    assert_eq!(summary.blocks.max_distance, 1);
}
