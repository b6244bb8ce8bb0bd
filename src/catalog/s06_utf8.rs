//! Autobahn section 6: UTF-8 in text messages. Empty and valid messages in
//! any fragmentation are echoed (6.1, 6.2); invalid ones fail the connection
//! with 1007 (6.3), as early as the invalid byte arrives (6.4, fail-fast);
//! 6.5–6.23 are the 132 payloads of Markus Kuhn's UTF-8 decoder stress test,
//! one text frame each.

use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;

use super::case::{Case, Delivery, Judge, Step, one_step, send};
use crate::codec::{Frame, Violation};

/// RFC 6455 §5.6, "Text".
const TEXT_RULE: &str = "Note that a particular text frame might include a partial UTF-8 sequence; however, the whole message MUST contain valid UTF-8.";
/// RFC 6455 §5.4.
const SUPPORT_FRAGMENTS: &str =
    "Clients and servers MUST support receiving both fragmented and unfragmented messages.";

/// `Hello-µ@ßöäüàá-UTF-8!!` (6.2.1, 6.2.3).
const HELLO_UTF8: &str = "Hello-µ@ßöäüàá-UTF-8!!";
/// `κόσμε`.
const KOSME: &[u8] = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
/// `κόσμε`, a UTF-16 surrogate (ED A0 80, invalid at its second byte), `edited`.
const SURROGATE_MSG: &[u8] = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited";
/// `κόσμε`, F4 90 80 80 (U+110000, invalid at 0x90, byte 12), `edited`.
const TOO_HIGH_MSG: &[u8] = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80edited";

/// The 132 payloads of 6.5–6.23 (Autobahn's `createUtf8TestSequences`).
const SEQUENCES_JSON: &str = include_str!("../../tests/data/utf8-sequences.json");

fn invalid_rule() -> &'static str {
    Violation::InvalidUtf8 { position: 0 }.requirement()
}

/// A message sent as text frames with these payloads (one frame when one).
fn fragments(parts: &[&[u8]]) -> Vec<Frame> {
    let n = parts.len();
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let frame = if i == 0 {
                Frame::text(Bytes::copy_from_slice(p))
            } else {
                Frame::continuation(Bytes::copy_from_slice(p))
            };
            frame.fin(i + 1 == n)
        })
        .collect()
}

/// A message cut into 1-byte text frames.
fn bytewise(payload: &[u8]) -> Vec<Frame> {
    let parts: Vec<&[u8]> = payload.chunks(1).collect();
    fragments(&parts)
}

fn empty_and_valid() -> Vec<Case> {
    vec![
        one_step(
            "6.1.1",
            "Empty text message in one frame",
            "5.6",
            TEXT_RULE,
            || fragments(&[b""]),
        ),
        one_step(
            "6.1.2",
            "Text message in 3 empty fragments",
            "5.4",
            SUPPORT_FRAGMENTS,
            || fragments(&[b"", b"", b""]),
        ),
        one_step(
            "6.1.3",
            "Text message in 3 fragments: empty, \"middle frame payload\", empty",
            "5.4",
            SUPPORT_FRAGMENTS,
            || fragments(&[b"", b"middle frame payload", b""]),
        ),
        one_step(
            "6.2.1",
            "Valid UTF-8 text \"Hello-µ@ßöäüàá-UTF-8!!\" in one frame",
            "5.6",
            TEXT_RULE,
            || fragments(&[HELLO_UTF8.as_bytes()]),
        ),
        one_step(
            "6.2.2",
            "Valid UTF-8 text in 2 fragments split on a code point boundary: \"Hello-µ@ßöä\" + \"üàá-UTF-8!!\"",
            "5.6",
            TEXT_RULE,
            || fragments(&["Hello-µ@ßöä".as_bytes(), "üàá-UTF-8!!".as_bytes()]),
        ),
        one_step(
            "6.2.3",
            "Valid UTF-8 text \"Hello-µ@ßöäüàá-UTF-8!!\" in 1-byte fragments (splits inside code points)",
            "5.6",
            TEXT_RULE,
            || bytewise(HELLO_UTF8.as_bytes()),
        ),
        one_step(
            "6.2.4",
            "Valid UTF-8 text \"κόσμε\" (CE BA E1 BD B9 CF 83 CE BC CE B5) in 1-byte fragments",
            "5.6",
            TEXT_RULE,
            || bytewise(KOSME),
        ),
    ]
}

fn invalid() -> Vec<Case> {
    vec![
        one_step(
            "6.3.1",
            "Invalid UTF-8 text in one frame: \"κόσμε\", surrogate ED A0 80, \"edited\"",
            "8.1",
            invalid_rule(),
            || fragments(&[SURROGATE_MSG]),
        ),
        one_step(
            "6.3.2",
            "Invalid UTF-8 text \"κόσμε\", surrogate ED A0 80, \"edited\" in 1-byte fragments",
            "8.1",
            invalid_rule(),
            || bytewise(SURROGATE_MSG),
        ),
    ]
}

/// 6.4.1/6.4.2: three frames with 1 s waits; the second one makes the
/// message invalid (at `cuts[0]`), the third ends it.
fn fail_fast_frames(id: &str, title: &str, cuts: [usize; 2]) -> Case {
    Case::frames(id, title, "8.1", invalid_rule(), move || {
        let (a, rest) = TOO_HIGH_MSG.split_at(cuts[0]);
        let (b, c) = rest.split_at(cuts[1] - cuts[0]);
        let frames = fragments(&[a, b, c]);
        let wait = Step::Wait(Duration::from_secs(1));
        let mut steps = Vec::new();
        for (i, f) in frames.into_iter().enumerate() {
            if i > 0 {
                steps.push(wait.clone());
            }
            steps.push(send(vec![f]));
        }
        steps
    })
    .judge(Judge::FailFast)
    .deadline(Duration::from_secs(3))
}

/// 6.4.3/6.4.4: one frame written in three parts, 1 s apart.
fn fail_fast_parts(id: &str, title: &str, cuts: &'static [usize]) -> Case {
    Case::frames(id, title, "8.1", invalid_rule(), move || {
        let delivery = Delivery::PayloadParts {
            cuts,
            pause: Duration::from_secs(1),
        };
        vec![Step::Send(vec![Frame::text(TOO_HIGH_MSG)], delivery)]
    })
    .judge(Judge::FailFast)
    .deadline(Duration::from_secs(3))
}

fn fail_fast() -> Vec<Case> {
    vec![
        fail_fast_frames(
            "6.4.1",
            "Text in 3 frames 1 s apart: \"κόσμε\", F4 90 80 80 (U+110000, invalid), \"edited\"",
            [11, 15],
        ),
        fail_fast_frames(
            "6.4.2",
            "Text in 3 frames 1 s apart: \"κόσμε\" F4, the invalid byte 90 alone, 80 80 \"edited\"",
            [12, 13],
        ),
        fail_fast_parts(
            "6.4.3",
            "One text frame written in 3 parts 1 s apart: \"κόσμε\", F4 90 80 80 (U+110000, invalid), \"edited\"",
            &[11, 15],
        ),
        fail_fast_parts(
            "6.4.4",
            "One text frame written in 3 parts 1 s apart: \"κόσμε\" F4, the invalid byte 90 alone, 80 80 \"edited\"",
            &[12, 13],
        ),
    ]
}

/// One payload of the stress test, as stored in `utf8-sequences.json`.
#[derive(Deserialize)]
struct Sequence {
    id: String,
    group: String,
    valid: bool,
    hex: String,
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("payload hex is valid"))
        .collect()
}

fn stress_case(s: Sequence) -> Case {
    let payload = Bytes::from(unhex(&s.hex));
    let (verdict, section, requirement) = if s.valid {
        ("valid", "5.6", TEXT_RULE)
    } else {
        ("invalid", "8.1", invalid_rule())
    };
    let title = format!("One text frame, {verdict} UTF-8 ({}): 0x{}", s.group, s.hex);
    Case::frames(s.id, title, section, requirement, move || {
        vec![send(vec![Frame::text(payload.clone())])]
    })
    .deadline(Duration::from_millis(500))
}

fn stress_test() -> Vec<Case> {
    let sequences: Vec<Sequence> =
        serde_json::from_str(SEQUENCES_JSON).expect("utf8-sequences.json is well-formed");
    sequences.into_iter().map(stress_case).collect()
}

pub(super) fn cases() -> Vec<Case> {
    let mut cases = empty_and_valid();
    cases.extend(invalid());
    cases.extend(fail_fast());
    cases.extend(stress_test());
    cases
}
