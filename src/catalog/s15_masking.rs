//! Section 15 (not in Autobahn, whose fuzzer always masks): client-to-server
//! masking. 15.1 unmasked client frames of every kind, which the server
//! must fail with 1002; 15.2 masking keys that are unusual but valid, which
//! must be unmasked correctly (echo, pong or close reply).

use bytes::Bytes;

use super::{Case, Delivery, Step, send, send_chopped};
use crate::codec::{CloseCode, Frame};

const Q_UNMASKED: &str = "The server MUST close the connection upon receiving a frame that is not masked. In this case, a server MAY send a Close frame with a status code of 1002 (protocol error) as defined in Section 7.4.1.";
const Q_ANY_KEY: &str = "When preparing a masked frame, the client MUST pick a fresh masking key from the set of allowed 32-bit values.";
const Q_MASK_ALGORITHM: &str = r#"Octet i of the transformed data ("transformed-octet-i") is the XOR of octet i of the original data ("original-octet-i") with octet at index i modulo 4 of the masking key ("masking-key-octet-j"):"#;

/// A key for the masked frames of `SendAsIs` steps.
const KEY: [u8; 4] = [0x37, 0xFA, 0x21, 0x3D];
const ZERO_KEY: [u8; 4] = [0; 4];

/// The cases of section 15.
pub(super) fn cases() -> Vec<Case> {
    let mut all = unmasked();
    all.extend(valid_keys());
    all
}

fn unmasked() -> Vec<Case> {
    let fails =
        |id, title, steps: fn() -> Vec<Step>| Case::frames(id, title, "5.1", Q_UNMASKED, steps);
    vec![
        fails("15.1.1", "Unmasked text frame", || {
            as_is(vec![Frame::text("Hello, world!")])
        }),
        fails("15.1.2", "Unmasked binary frame", || {
            as_is(vec![Frame::binary(vec![0x00, 0xFE, 0x23, 0xFA])])
        }),
        fails(
            "15.1.3",
            "Masked text FIN=0, then an unmasked continuation",
            || {
                vec![
                    send(vec![Frame::text("fragment1").fin(false)]),
                    raw(vec![Frame::continuation("fragment2")]),
                ]
            },
        ),
        fails("15.1.4", "Unmasked ping", || {
            as_is(vec![Frame::ping("ping")])
        }),
        fails("15.1.5", "Unmasked pong", || {
            as_is(vec![Frame::pong("pong")])
        }),
        fails("15.1.6", "Unmasked close (1000)", || {
            as_is(vec![Frame::close(CloseCode::NORMAL, b"")])
        }),
        fails(
            "15.1.7",
            "Unmasked empty text frame (nothing to unmask)",
            || as_is(vec![Frame::text("")]),
        ),
        fails(
            "15.1.8",
            "Unmasked ping inside a masked fragmented text message",
            || {
                vec![
                    send(vec![Frame::text("fragment1").fin(false)]),
                    raw(vec![Frame::ping("ping")]),
                    send(vec![Frame::continuation("fragment2")]),
                ]
            },
        ),
        fails("15.1.9", "Unmasked text frame in 1-byte TCP chops", || {
            vec![Step::SendAsIs(
                vec![Frame::text("Hello, world!")],
                Delivery::Chops(1),
            )]
        }),
        fails(
            "15.1.10",
            "Masked text frame, then an unmasked one: echo first, then 1002",
            || {
                vec![
                    send(vec![Frame::text("masked")]),
                    raw(vec![Frame::text("unmasked")]),
                ]
            },
        ),
    ]
}

fn valid_keys() -> Vec<Case> {
    vec![
        Case::frames(
            "15.2.1",
            "Text frame masked with the all-zero key",
            "5.3",
            Q_ANY_KEY,
            || vec![send(vec![Frame::text("Hello, world!").masked(ZERO_KEY)])],
        ),
        Case::frames(
            "15.2.2",
            "Ping masked with the all-zero key",
            "5.3",
            Q_ANY_KEY,
            || vec![send(vec![Frame::ping("zero key").masked(ZERO_KEY)])],
        ),
        Case::frames(
            "15.2.3",
            "Close (1000) masked with the all-zero key",
            "5.3",
            Q_ANY_KEY,
            || {
                let close = Frame::close(CloseCode::NORMAL, b"zero key");
                vec![send(vec![close.masked(ZERO_KEY)])]
            },
        ),
        Case::frames(
            "15.2.4",
            "Text in fragments of 1, 2, 6 and 7 B, each with its own key",
            "5.3",
            Q_MASK_ALGORITHM,
            || {
                vec![send(odd_fragments(&[
                    [1, 2, 3, 4],
                    [0xFF; 4],
                    KEY,
                    [0x80, 0, 0, 1],
                ]))]
            },
        ),
        Case::frames(
            "15.2.5",
            "Text in fragments of 1, 2, 6 and 7 B, all with the same key",
            "5.3",
            Q_MASK_ALGORITHM,
            || vec![send(odd_fragments(&[KEY; 4]))],
        ),
        Case::frames(
            "15.2.6",
            "Binary frames written in 3-byte TCP chops (masking keys split across writes)",
            "5.3",
            Q_MASK_ALGORITHM,
            || {
                let frames = (0..4u8)
                    .map(|i| Frame::binary(Bytes::from(vec![i; 5 + usize::from(i)])))
                    .collect();
                vec![send_chopped(frames, 3)]
            },
        ),
    ]
}

/// One `SendAsIs` step, written whole: the frames go out unmasked.
fn raw(frames: Vec<Frame>) -> Step {
    Step::SendAsIs(frames, Delivery::Whole)
}

/// A case that is only that step.
fn as_is(frames: Vec<Frame>) -> Vec<Step> {
    vec![raw(frames)]
}

/// "κόσμε world" (16 bytes) in fragments of 1, 2, 6 and 7 bytes: no
/// fragment after the first starts at a multiple of 4 in the message (a
/// receiver carrying the key phase over from the previous frame unmasks
/// them wrongly), and every boundary splits a code point. Fragment `i` is
/// masked with `keys[i]`.
fn odd_fragments(keys: &[[u8; 4]; 4]) -> Vec<Frame> {
    const LENGTHS: [usize; 4] = [1, 2, 6, 7];
    let message = Bytes::from("κόσμε world");
    let mut start = 0;
    keys.iter()
        .enumerate()
        .map(|(i, key)| {
            let end = start + LENGTHS[i];
            let frame = if i == 0 {
                Frame::text(message.slice(start..end))
            } else {
                Frame::continuation(message.slice(start..end))
            };
            start = end;
            frame.fin(i == 3).masked(*key)
        })
        .collect()
}
