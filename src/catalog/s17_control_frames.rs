//! Section 17 (beyond Autobahn's sections 2 and 5): control frames. 17.1
//! control frames over 125 bytes other than Autobahn's ping of 126 and
//! close of 126 (libsoup CVE-2026-15711); 17.2 fragmented Close and control
//! frames with FIN=0 inside a message; 17.3 valid control frames a server
//! must answer exactly (ws CVE-2016-10518: pong ≠ ping); 17.4 RSV bits and
//! reserved opcodes on control frames.

use bytes::Bytes;

use super::{Case, send, send_chopped};
use crate::codec::{CloseCode, Frame, OpCode};

const Q_CONTROL: &str = "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented.";
const Q_NOT_FRAGMENTED: &str = "Control frames themselves MUST NOT be fragmented.";
const Q_MIDDLE: &str =
    "An endpoint MUST be capable of handling control frames in the middle of a fragmented message.";
const Q_PONG_DATA: &str = r#"A Pong frame sent in response to a Ping frame must have identical "Application data" as found in the message body of the Ping frame being replied to."#;
const Q_PING: &str = "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless it already received a Close frame.";
const Q_RSV: &str = "If a nonzero value is received and none of the negotiated extensions defines the meaning of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_.";
const Q_OPCODE: &str = "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_.";

/// The cases of section 17.
pub(super) fn cases() -> Vec<Case> {
    let mut all = too_long();
    all.extend(fragmented());
    all.extend(valid());
    all.extend(reserved());
    all
}

fn too_long() -> Vec<Case> {
    vec![
        Case::frames(
            "17.1.1",
            "Close (1000) with a 65535-byte body",
            "5.5",
            Q_CONTROL,
            || {
                let reason = vec![b'*'; 65533];
                vec![send(vec![Frame::close(CloseCode::NORMAL, &reason)])]
            },
        ),
        Case::frames("17.1.2", "Pong of 126 B", "5.5", Q_CONTROL, || {
            vec![send(vec![Frame::pong(vec![b'*'; 126])])]
        }),
        Case::frames(
            "17.1.3",
            "Pong of 126 B inside a fragmented text message",
            "5.5",
            Q_CONTROL,
            || in_message(Frame::pong(vec![b'*'; 126])),
        ),
        Case::frames(
            "17.1.4",
            "Ping of 64 KiB (64-bit length)",
            "5.5",
            Q_CONTROL,
            || vec![send(vec![Frame::ping(vec![b'*'; 1 << 16])])],
        ),
    ]
}

fn fragmented() -> Vec<Case> {
    vec![
        Case::frames(
            "17.2.1",
            "Close (1000) with FIN=0, then a continuation with the rest of the reason",
            "5.4",
            Q_NOT_FRAGMENTED,
            || {
                let head = Frame::close(CloseCode::NORMAL, b"first half").fin(false);
                vec![send(vec![head, Frame::continuation(" second half")])]
            },
        ),
        Case::frames(
            "17.2.2",
            "Close (1000) with FIN=0 and nothing after it",
            "5.4",
            Q_NOT_FRAGMENTED,
            || vec![send(vec![Frame::close(CloseCode::NORMAL, b"").fin(false)])],
        ),
        Case::frames(
            "17.2.3",
            "Ping with FIN=0 inside a fragmented text message",
            "5.4",
            Q_NOT_FRAGMENTED,
            || in_message(Frame::ping("ping").fin(false)),
        ),
    ]
}

fn valid() -> Vec<Case> {
    vec![
        Case::frames(
            "17.3.1",
            "Ping of 125 B inside a fragmented text message, all in 1-byte TCP chops",
            "5.4",
            Q_MIDDLE,
            || {
                let frames = vec![
                    Frame::text("fragment1").fin(false),
                    Frame::ping(vec![0xFE; 125]),
                    Frame::continuation("fragment2"),
                ];
                vec![send_chopped(frames, 1)]
            },
        )
        .deadline(std::time::Duration::from_secs(2)),
        Case::frames(
            "17.3.2",
            "Empty pong inside a fragmented text message (ignored)",
            "5.4",
            Q_MIDDLE,
            || in_message(Frame::pong(Bytes::new())),
        ),
        Case::frames(
            "17.3.3",
            "Unsolicited pong of 125 B, then a text message",
            "5.5.3",
            Q_PONG_DATA,
            || {
                vec![send(vec![
                    Frame::pong(vec![b'p'; 125]),
                    Frame::text("after"),
                ])]
            },
        ),
        Case::frames(
            "17.3.4",
            "Ping of 125 B, then ping of 1 B: the second pong carries 1 B",
            "5.5.3",
            Q_PONG_DATA,
            || vec![send(vec![Frame::ping(vec![b'A'; 125]), Frame::ping("B")])],
        ),
        Case::frames(
            "17.3.5",
            "Ping whose 125 B payload is not UTF-8 (0x80 to 0xFC)",
            "5.5.3",
            Q_PONG_DATA,
            || vec![send(vec![Frame::ping((0x80..=0xFC).collect::<Vec<u8>>())])],
        ),
        Case::frames(
            "17.3.6",
            "Ping and Close (1000) in one write: the pong comes before the close reply",
            "5.5.2",
            Q_PING,
            || {
                let close = Frame::close(CloseCode::NORMAL, b"");
                vec![send(vec![Frame::ping("before close"), close])]
            },
        ),
    ]
}

fn reserved() -> Vec<Case> {
    vec![
        Case::frames("17.4.1", "Ping with RSV1 set", "5.2", Q_RSV, || {
            vec![send(vec![Frame::ping("rsv1").rsv(4)])]
        }),
        Case::frames("17.4.2", "Pong with RSV2 set", "5.2", Q_RSV, || {
            vec![send(vec![Frame::pong("rsv2").rsv(2)])]
        }),
        Case::frames(
            "17.4.3",
            "Reserved control opcode 0xB inside a fragmented text message",
            "5.2",
            Q_OPCODE,
            || in_message(Frame::new(OpCode(0xB), "reserved")),
        ),
    ]
}

/// `control` between the two fragments of the text message "fragment1fragment2".
fn in_message(control: Frame) -> Vec<super::Step> {
    vec![send(vec![
        Frame::text("fragment1").fin(false),
        control,
        Frame::continuation("fragment2"),
    ])]
}
