//! The writer's streams: zlib inflates the valid ones to the same bytes as
//! the inflater; the inflater rejects each invalid kind with its error, at
//! any chunking.

use super::*;
use DeflateError as E;

#[test]
fn zlib_inflates_what_the_writer_writes_when_valid() {
    let text = b"the quick brown fox jumps over the lazy dog";
    let mut back = DeflateWriter::new();
    back.fixed(false)
        .literals(b"abcabc")
        .copy(30, 3)
        .copy(258, 1)
        .end_block();
    let mut dynamic_like = DeflateWriter::new();
    dynamic_like
        .stored(false, text)
        .fixed(false)
        .copy(43, 43)
        .end_block();
    let valid = [
        streams::literals(text),
        streams::final_block(text),
        streams::empty_message(),
        streams::bomb(100_000),
        streams::distance_back(600, 600),
        back.into_message(),
        dynamic_like.into_message(),
    ];
    for payload in valid {
        let ours = inflate(&payload).unwrap();
        assert_eq!(zlib_alone(&payload, 15).unwrap(), ours, "{payload:02x?}");
    }
    assert_eq!(inflate(&streams::bomb(100_000)).unwrap().len(), 100_000);
    assert_eq!(inflate(&streams::bomb(4)).unwrap(), b"aaaa");
}

#[test]
fn each_invalid_kind_has_its_error_at_any_chunking() {
    let hello = b"Hello";
    let table: Vec<(&str, Vec<u8>, DeflateError)> = vec![
        (
            "reserved",
            streams::reserved_block_type(),
            E::ReservedBlockType { at: 0 },
        ),
        (
            "nlen",
            streams::stored_length_mismatch(),
            E::StoredLengthMismatch {
                at: 0,
                len: 5,
                nlen: 0x1234,
            },
        ),
        (
            "litlen 286",
            streams::invalid_length_symbol(),
            E::InvalidLiteralLength { at: 2 },
        ),
        (
            "distance 30",
            streams::invalid_distance_symbol(),
            E::InvalidDistance { at: 2 },
        ),
        (
            "before start",
            streams::distance_before_start(100),
            E::DistanceTooFarBack {
                at: after_literals(100),
                distance: 101,
                available: 100,
                into_previous_message: false,
            },
        ),
        (
            "stored truncated",
            streams::truncated(),
            E::Truncated { at: 5 + 10 + 4 },
        ),
        (
            "block truncated",
            streams::truncated_block(),
            E::Truncated { at: 13 },
        ),
        (
            "ends with final block",
            streams::ends_with_final_block(hello),
            E::EndsWithFinalBlock { at: 7 },
        ),
        (
            "unstripped",
            streams::unstripped_tail(hello),
            E::UnstrippedTail { at: 11 },
        ),
        ("no bytes", vec![], E::Truncated { at: 0 }),
    ];
    for (name, payload, want) in table {
        for step in [1, 2, 3, 7, payload.len().max(1)] {
            let got = inflate_in(&mut inflater(15, false), &payload, step);
            assert_eq!(got, Err(want.clone()), "{name}, chunks of {step}");
        }
    }
}

/// Most receivers stop at the end of the DEFLATE stream or when input runs
/// out; zlib alone accepts the streams this inflater calls
/// `EndsWithFinalBlock` and `UnstrippedTail`, and rejects the rest.
#[test]
fn what_zlib_alone_makes_of_them() {
    let hello = b"Hello";
    assert_eq!(
        zlib_alone(&streams::ends_with_final_block(hello), 15).unwrap(),
        hello
    );
    assert_eq!(
        zlib_alone(&streams::unstripped_tail(hello), 15).unwrap(),
        hello
    );
    for bad in [
        streams::reserved_block_type(),
        streams::stored_length_mismatch(),
        streams::invalid_length_symbol(),
        streams::invalid_distance_symbol(),
        streams::distance_before_start(100),
    ] {
        assert!(zlib_alone(&bad, 15).is_err(), "{bad:02x?}");
    }
}

#[test]
fn an_error_poisons_the_inflater() {
    let mut inf = inflater(15, false);
    let err = inf
        .inflate_to_vec(&streams::reserved_block_type())
        .unwrap_err();
    assert_eq!(
        inf.inflate_to_vec(&streams::literals(b"ok")),
        Err(err.clone())
    );
    assert_eq!(inf.feed(b"x", &mut |_| {}), Err(err));
}

#[test]
fn nonzero_padding_after_a_final_block_is_reported() {
    let mut w = DeflateWriter::new();
    w.fixed(true)
        .literals(b"Hi")
        .end_block()
        .bits(0b101, 3)
        .align();
    let mut payload = w.into_bytes();
    payload.push(0x00);
    let summary = inflater(15, false)
        .inflate_message([&payload[..]], &mut |_| {})
        .unwrap();
    assert!(summary.blocks.nonzero_padding);
    assert_eq!(summary.blocks.final_blocks, 1);
}

#[test]
fn references_into_the_previous_message() {
    let [first, second] = streams::refers_to_previous(b"Hello, world");
    let mut keep = inflater(15, false);
    assert_eq!(keep.inflate_to_vec(&first).unwrap(), b"Hello, world");
    let mut sink = Vec::new();
    let summary = keep
        .inflate_message([&second[..]], &mut |b| sink.extend_from_slice(b))
        .unwrap();
    assert_eq!(sink, b"Hello, world");
    assert!(summary.blocks.used_previous_message);
    assert_eq!(summary.blocks.max_distance, 12);

    let mut reset = inflater(15, true);
    reset.inflate_to_vec(&first).unwrap();
    assert_eq!(
        reset.inflate_to_vec(&second),
        Err(E::DistanceTooFarBack {
            at: 0,
            distance: 12,
            available: 0,
            into_previous_message: true,
        })
    );
}

/// How a session validates inflated text: the sink feeds the UTF-8
/// validator, so invalid UTF-8 is found as it streams out, at its offset in
/// the inflated bytes, wherever the frame and chunk boundaries fall.
#[test]
fn inflated_text_is_validated_as_it_streams() {
    use crate::codec::Utf8Validator;
    let mut text = "héllo wörld ".repeat(3000).into_bytes();
    text.extend(b"\xc3("); // a lead byte followed by ASCII
    let want = Utf8Validator::new().feed(&text).unwrap_err().position;
    assert_eq!(want, text.len() as u64 - 1);
    let d = Direction {
        window_bits: 15,
        no_context_takeover: false,
    };
    let payload = Deflater::new(d, 6).compress(&text);
    for step in [1, 13, payload.len()] {
        let mut utf8 = Utf8Validator::new();
        let mut first_error = None;
        inflater(15, false)
            .inflate_message(payload.chunks(step), &mut |bytes| {
                if first_error.is_none() {
                    first_error = utf8.feed(bytes).err();
                }
            })
            .unwrap();
        assert_eq!(first_error.map(|e| e.position), Some(want));
    }
}

/// A tail form refuses its own message only: a receiver that accepts it
/// inflates the next message as after a valid one, with the window kept.
#[test]
fn the_message_after_a_tail_form_inflates_as_after_a_valid_one() {
    let hello = b"Hello";
    for first in [
        streams::ends_with_final_block(hello),
        streams::unstripped_tail(hello),
    ] {
        let mut inf = Inflater::new(InflateConfig::new(
            Direction {
                window_bits: 15,
                no_context_takeover: false,
            },
            1 << 20,
        ));
        let e = inf.inflate_to_vec(&first).unwrap_err();
        assert!(e.is_tail_form(), "{e:?}");
        // "Hello" again as a copy from 5 bytes back: the window is kept.
        let mut w = DeflateWriter::new();
        w.fixed(false).copy(5, 5).literals(b", world").end_block();
        assert_eq!(
            inf.inflate_to_vec(&w.into_message()).unwrap(),
            b"Hello, world"
        );
        let third = streams::literals(b"!");
        assert_eq!(inf.inflate_to_vec(&third).unwrap(), b"!");
    }
    // Any other error stays.
    let mut inf = Inflater::new(InflateConfig::new(
        Direction {
            window_bits: 15,
            no_context_takeover: false,
        },
        1 << 20,
    ));
    assert!(inf.inflate_to_vec(&streams::reserved_block_type()).is_err());
    assert!(inf.inflate_to_vec(&streams::literals(b"!")).is_err());
}
