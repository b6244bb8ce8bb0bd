//! The 132 UTF-8 payloads of Autobahn cases 6.5–6.23 (a copy of the shared
//! reference in `tests/data/`), checked whole and in every two-piece split.

use serde::Deserialize;
use wsgauntlet::codec::Utf8Validator;
use wsgauntlet::fuzzing::{fail_fast_position, validate_split};

/// One entry of `tests/data/utf8-sequences.json`.
#[derive(Deserialize)]
struct Sequence {
    id: String,
    valid: bool,
    hex: String,
}

fn load() -> Vec<(Sequence, Vec<u8>)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/utf8-sequences.json"
    );
    let text = std::fs::read_to_string(path).expect("tests/data/utf8-sequences.json");
    let seqs: Vec<Sequence> = serde_json::from_str(&text).expect("valid sequence list");
    seqs.into_iter()
        .map(|s| {
            let bytes = decode_hex(&s.hex).unwrap_or_else(|| panic!("{}: bad hex", s.id));
            (s, bytes)
        })
        .collect()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[test]
fn there_are_exactly_132_sequences() {
    assert_eq!(load().len(), 132);
}

#[test]
fn validity_matches_the_reference() {
    for (s, bytes) in load() {
        let got = Utf8Validator::validate(&bytes);
        assert_eq!(got.is_ok(), s.valid, "{}: validator says {got:?}", s.id);
        if let Err(e) = got {
            let expected = if e.truncated {
                bytes.len() as u64
            } else {
                fail_fast_position(&bytes).expect("an invalid sequence fails somewhere") as u64
            };
            assert_eq!(e.position, expected, "{}: error position", s.id);
        }
    }
}

#[test]
fn every_split_gives_the_unsplit_result() {
    for (s, bytes) in load() {
        let whole = Utf8Validator::validate(&bytes);
        for cut in 0..=bytes.len() {
            assert_eq!(
                validate_split(&bytes, cut),
                whole,
                "{} split at {cut}",
                s.id
            );
        }
    }
}
