//! Section 19 (beyond Autobahn's 5.6–5.20 and 6.1): fragments and control
//! frames interleaved at scale and at awkward places. 19.1 a ping between
//! every pair of 101 fragments; 19.2 zero-length fragments and messages
//! (Asterisk CVE-2014-9374: a zero-length frame after a non-empty one);
//! 19.3 long fragment chains and control frames at code-point splits and
//! message boundaries: valid traffic, pongs in order, then the reassembled
//! echo. 19.4 a new data message started while a fragmented one is open,
//! for every pair of types (Autobahn's 5.18 has only text in text; a widely
//! used C++ server echoes binary in text): each owes 1002, plain, with a
//! ping between the frames, and in 1-byte TCP chops.

use std::time::Duration;

use bytes::Bytes;

use super::{Case, send, send_chopped};
use crate::codec::{Frame, OpCode};

const Q_MIDDLE: &str =
    "An endpoint MUST be capable of handling control frames in the middle of a fragmented message.";
const Q_ANY_SIZE: &str = "A sender MAY create fragments of any size for non-control messages.";
const Q_CONCATENATION: &str = "A fragmented message is conceptually equivalent to a single larger message whose payload is equal to the concatenation of the payloads of the fragments in order;";
const Q_NOT_INTERLEAVED: &str = "The fragments of one message MUST NOT be interleaved between the fragments of another message unless an extension has been negotiated that can interpret the interleaving.";
const Q_PONG_DATA: &str = r#"A Pong frame sent in response to a Ping frame must have identical "Application data" as found in the message body of the Ping frame being replied to."#;

/// "κόσμε" in UTF-8: 10 bytes, five 2-byte code points.
const KOSME: &[u8] = "κόσμε".as_bytes();

/// The cases of section 19.
pub(super) fn cases() -> Vec<Case> {
    let mut all = vec![pings_between_fragments()];
    all.extend(zero_length());
    all.extend(long_and_awkward());
    all.extend(messages_interleaved());
    all
}

/// 19.4.1–19.4.9: the first fragment of one message (FIN=0), then a new
/// text or binary frame instead of a continuation.
fn messages_interleaved() -> Vec<Case> {
    let pairs = [
        (OpCode::TEXT, OpCode::BINARY, "binary in text"),
        (OpCode::BINARY, OpCode::TEXT, "text in binary"),
        (OpCode::BINARY, OpCode::BINARY, "binary in binary"),
    ];
    let ways: [(&str, bool, Option<usize>); 3] = [
        ("", false, None),
        (", a ping between", true, None),
        (", in 1-byte chops", false, Some(1)),
    ];
    let mut out = Vec::with_capacity(9);
    for (w, (how, ping, chop)) in ways.into_iter().enumerate() {
        for (p, (open, new, name)) in pairs.into_iter().enumerate() {
            let id = format!("19.4.{}", w * 3 + p + 1);
            let title =
                format!("{name}: {open} FIN=0 \"fragment1\", then {new} FIN=1 \"fragment2\"{how}");
            out.push(Case::frames(
                id,
                title,
                "5.4",
                Q_NOT_INTERLEAVED,
                move || {
                    let mut frames = vec![Frame::new(open, "fragment1").fin(false)];
                    if ping {
                        frames.push(Frame::ping("between"));
                    }
                    frames.push(Frame::new(new, "fragment2"));
                    match chop {
                        Some(n) => vec![send_chopped(frames, n)],
                        None => vec![send(frames)],
                    }
                },
            ));
        }
    }
    out
}

fn pings_between_fragments() -> Case {
    Case::frames(
        "19.1.1",
        "Text message of 101 fragments with a ping between each pair (100 pongs, then the echo)",
        "5.4",
        Q_MIDDLE,
        || {
            let mut frames = Vec::with_capacity(201);
            for i in 0..101 {
                let op = if i == 0 {
                    OpCode::TEXT
                } else {
                    OpCode::CONTINUATION
                };
                frames.push(Frame::new(op, format!("{i:03};")).fin(i == 100));
                if i < 100 {
                    frames.push(Frame::ping(format!("ping-{i}")));
                }
            }
            vec![send(frames)]
        },
    )
    .deadline(Duration::from_secs(2))
}

fn zero_length() -> Vec<Case> {
    vec![
        Case::frames(
            "19.2.1",
            "Text message whose first fragment is empty",
            "5.4",
            Q_ANY_SIZE,
            || {
                vec![send(vec![
                    Frame::text("").fin(false),
                    Frame::continuation("Hello"),
                ])]
            },
        ),
        Case::frames(
            "19.2.2",
            "Text message with an empty middle fragment inside a split code point",
            "5.4",
            Q_ANY_SIZE,
            || {
                let all = Bytes::from_static(KOSME);
                vec![send(vec![
                    Frame::text(all.slice(..3)).fin(false),
                    Frame::continuation(Bytes::new()).fin(false),
                    Frame::continuation(all.slice(3..)),
                ])]
            },
        ),
        Case::frames(
            "19.2.3",
            "Binary message whose last fragment is empty",
            "5.4",
            Q_ANY_SIZE,
            || {
                let head = Frame::binary(vec![1, 2, 3]).fin(false);
                vec![send(vec![head, Frame::continuation(Bytes::new())])]
            },
        ),
        Case::frames(
            "19.2.4",
            "Text message, then an empty text message",
            "5.4",
            Q_ANY_SIZE,
            || vec![send(vec![Frame::text("abc"), Frame::text("")])],
        ),
        Case::frames(
            "19.2.5",
            "Binary message of 1000 B, then an empty binary message",
            "5.4",
            Q_ANY_SIZE,
            || {
                vec![send(vec![
                    Frame::binary(vec![0xFE; 1000]),
                    Frame::binary(Bytes::new()),
                ])]
            },
        ),
        Case::frames(
            "19.2.6",
            "Empty text message in 5 empty fragments with a ping between each pair",
            "5.4",
            Q_MIDDLE,
            || {
                let mut frames = vec![Frame::text("").fin(false)];
                for i in 1..5 {
                    frames.push(Frame::ping(format!("ping-{i}")));
                    frames.push(Frame::continuation(Bytes::new()).fin(i == 4));
                }
                vec![send(frames)]
            },
        ),
    ]
}

fn long_and_awkward() -> Vec<Case> {
    vec![
        Case::frames(
            "19.3.1",
            "Text message of 10,000 one-byte fragments (\"κόσμε\" ×1000, every code point split)",
            "5.4",
            Q_CONCATENATION,
            || {
                let message = Bytes::from(KOSME.repeat(1000));
                let frames = (0..message.len())
                    .map(|i| {
                        let op = if i == 0 {
                            OpCode::TEXT
                        } else {
                            OpCode::CONTINUATION
                        };
                        Frame::new(op, message.slice(i..=i)).fin(i + 1 == message.len())
                    })
                    .collect();
                vec![send(frames)]
            },
        )
        .deadline(Duration::from_secs(10)),
        Case::frames(
            "19.3.2",
            "Binary message of 50 fragments with a ping and an unsolicited pong between each pair",
            "5.4",
            Q_MIDDLE,
            || {
                let mut frames = Vec::new();
                for i in 0..50u8 {
                    let op = if i == 0 {
                        OpCode::BINARY
                    } else {
                        OpCode::CONTINUATION
                    };
                    frames.push(Frame::new(op, vec![i; 7]).fin(i == 49));
                    if i < 49 {
                        frames.push(Frame::ping(vec![i, 0xFF]));
                        frames.push(Frame::pong(vec![0xFF, i]));
                    }
                }
                vec![send(frames)]
            },
        )
        .deadline(Duration::from_secs(2)),
        Case::frames(
            "19.3.3",
            "Ping carrying the same payload as the message it interrupts",
            "5.5.3",
            Q_PONG_DATA,
            || {
                vec![send(vec![
                    Frame::text("same ").fin(false),
                    Frame::ping("same payload"),
                    Frame::continuation("payload"),
                ])]
            },
        ),
        Case::frames(
            "19.3.4",
            "Ping between the two bytes of a split code point",
            "5.4",
            Q_MIDDLE,
            || {
                let all = Bytes::from_static(KOSME);
                vec![send(vec![
                    Frame::text(all.slice(..1)).fin(false),
                    Frame::ping("split"),
                    Frame::continuation(all.slice(1..2)),
                ])]
            },
        ),
        Case::frames(
            "19.3.5",
            "Two fragmented messages back to back, a ping at the boundary and inside the second",
            "5.4",
            Q_MIDDLE,
            || {
                vec![send(vec![
                    Frame::text("first ").fin(false),
                    Frame::continuation("message"),
                    Frame::ping("between"),
                    Frame::binary(vec![0xFE; 3]).fin(false),
                    Frame::ping("inside"),
                    Frame::continuation(vec![0xFD; 3]),
                ])]
            },
        ),
    ]
}
