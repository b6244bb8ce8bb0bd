//! Autobahn section 2: pings and pongs. Pings of 0–125 bytes must be
//! answered with identical pongs, a 126-byte ping fails the connection,
//! unsolicited pongs get no answer, and ten pings get ten pongs in order.

use std::time::Duration;

use bytes::Bytes;

use super::case::{Case, send, send_chopped};
use crate::codec::{CloseCode, Frame, OpCode, Violation};

/// RFC 6455 §5.5.2.
const PONG_OWED: &str = "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless it already received a Close frame.";
/// RFC 6455 §5.5.3.
const PONG_IDENTICAL: &str = "A Pong frame sent in response to a Ping frame must have identical \"Application data\" as found in the message body of the Ping frame being replied to.";
/// RFC 6455 §5.5.3.
const UNSOLICITED_PONG: &str = "A Pong frame MAY be sent unsolicited. This serves as a unidirectional heartbeat. A response to an unsolicited Pong frame is not expected.";

fn too_long() -> &'static str {
    Violation::ControlFrameTooLong {
        opcode: OpCode::PING,
        len: 126,
    }
    .requirement()
}

/// A case that sends one ping with `payload`, in 1-byte chops when `chop`.
fn ping_case(id: &str, title: &str, payload: Vec<u8>, chop: bool) -> Case {
    Case::frames(id, title, "5.5.3", PONG_IDENTICAL, move || {
        let frames = vec![Frame::ping(payload.clone())];
        if chop {
            vec![send_chopped(frames, 1)]
        } else {
            vec![send(frames)]
        }
    })
}

/// Ten pings `payload-0` … `payload-9` back to back (1-byte chops when `chop`).
fn ten_pings(id: &str, title: &str, chop: bool) -> Case {
    Case::frames(id, title, "5.5.2", PONG_OWED, move || {
        let frames: Vec<Frame> = (0..10)
            .map(|i| Frame::ping(format!("payload-{i}")))
            .collect();
        if chop {
            vec![send_chopped(frames, 1)]
        } else {
            vec![send(frames)]
        }
    })
    .deadline(Duration::from_secs(3))
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case::frames("2.1", "Ping with no payload", "5.5.2", PONG_OWED, || {
            vec![send(vec![Frame::ping(Bytes::new())])]
        }),
        ping_case(
            "2.2",
            "Ping with the text payload \"Hello, world!\"",
            b"Hello, world!".to_vec(),
            false,
        ),
        ping_case(
            "2.3",
            "Ping with the 8-byte binary payload 00 FF FE FD FC FB 00 FF",
            vec![0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0xFF],
            false,
        ),
        ping_case(
            "2.4",
            "Ping with 125 bytes of 0xFE (the largest control payload)",
            vec![0xFE; 125],
            false,
        ),
        Case::frames(
            "2.5",
            "Ping with 126 bytes of 0xFE (one byte over the control-frame limit)",
            "5.5",
            too_long(),
            || vec![send(vec![Frame::ping(vec![0xFE; 126])])],
        ),
        ping_case(
            "2.6",
            "Ping with 125 bytes of 0xFE, written in 1-byte chops",
            vec![0xFE; 125],
            true,
        )
        .deadline(Duration::from_secs(2)),
        Case::frames(
            "2.7",
            "Unsolicited pong with no payload, then Close(1000)",
            "5.5.3",
            UNSOLICITED_PONG,
            || {
                vec![send(vec![
                    Frame::pong(Bytes::new()),
                    Frame::close(CloseCode::NORMAL, b""),
                ])]
            },
        ),
        Case::frames(
            "2.8",
            "Unsolicited pong with payload \"unsolicited pong payload\", then Close(1000)",
            "5.5.3",
            UNSOLICITED_PONG,
            || {
                vec![send(vec![
                    Frame::pong(Bytes::from_static(b"unsolicited pong payload")),
                    Frame::close(CloseCode::NORMAL, b""),
                ])]
            },
        ),
        Case::frames(
            "2.9",
            "Unsolicited pong \"unsolicited pong payload\", then ping \"ping payload\"",
            "5.5.3",
            UNSOLICITED_PONG,
            || {
                vec![send(vec![
                    Frame::pong(Bytes::from_static(b"unsolicited pong payload")),
                    Frame::ping(Bytes::from_static(b"ping payload")),
                ])]
            },
        ),
        ten_pings(
            "2.10",
            "Ten pings \"payload-0\" … \"payload-9\" back to back",
            false,
        ),
        ten_pings(
            "2.11",
            "Ten pings \"payload-0\" … \"payload-9\" back to back, written in 1-byte chops",
            true,
        ),
    ]
}
