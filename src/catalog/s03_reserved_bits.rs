//! Autobahn section 3: RSV bits set without a negotiated extension. Every
//! case must fail the connection with 1002; where a valid message comes
//! first, its echo must come before the failure (missing: non-strict).

use bytes::Bytes;

use super::case::{Case, Delivery, Step};
use crate::codec::{Frame, Violation};

const HELLO: &[u8] = b"Hello, world!";
const BINARY8: &[u8] = &[0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0xFF];

fn rule(rsv: u8) -> &'static str {
    Violation::ReservedBits { rsv }.requirement()
}

/// A case that sends the single frame `frame`.
fn single(id: &str, title: &str, rsv: u8, frame: Frame) -> Case {
    Case::frames(id, title, "5.2", rule(rsv), move || {
        vec![Step::Send(vec![frame.clone()], Delivery::Whole)]
    })
}

/// A valid text message, the same text with `rsv` set, then an empty ping.
fn after_valid(id: &str, title: &str, rsv: u8, delivery: Delivery) -> Case {
    Case::frames(id, title, "5.2", rule(rsv), move || {
        let frames = vec![
            Frame::text(HELLO),
            Frame::text(HELLO).rsv(rsv),
            Frame::ping(Bytes::new()),
        ];
        vec![Step::Send(frames, delivery)]
    })
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        single(
            "3.1",
            "Text \"Hello, world!\" with RSV=1",
            1,
            Frame::text(HELLO).rsv(1),
        ),
        after_valid(
            "3.2",
            "Text \"Hello, world!\", the same with RSV=2, then an empty ping",
            2,
            Delivery::Whole,
        ),
        after_valid(
            "3.3",
            "Text \"Hello, world!\", the same with RSV=3, then an empty ping; one write per frame",
            3,
            Delivery::FrameWise,
        ),
        after_valid(
            "3.4",
            "Text \"Hello, world!\", the same with RSV=4, then an empty ping; 1-byte chops",
            4,
            Delivery::Chops(1),
        ),
        single(
            "3.5",
            "Binary 00 FF FE FD FC FB 00 FF with RSV=5",
            5,
            Frame::binary(BINARY8).rsv(5),
        ),
        single(
            "3.6",
            "Binary \"Hello, world!\" with RSV=6 (Autobahn calls it a ping but sends a binary frame)",
            6,
            Frame::binary(HELLO).rsv(6),
        ),
        single(
            "3.7",
            "Close with no body and RSV=7",
            7,
            Frame::close_empty().rsv(7),
        ),
    ]
}
