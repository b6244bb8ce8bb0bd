//! Section 20 (not in Autobahn): resource exhaustion with legal traffic.
//! 20.1 unbounded accumulation — a continuation chain of 100,000 fragments
//! (ws CVE-2026-48779/62389, Netty CVE-2014-0193), empty fragments (undici
//! CVE-2026-12151), a 64 MiB message; a server may answer them with 1009 or
//! 1008 instead of the echo. 20.2 ping and pong floods (Undertow
//! CVE-2021-3690, undici CVE-2026-109932): judged only on survival. 20.3
//! many messages back to back, and echoes that back up while the tester
//! does not read (ws-rs RUSTSEC-2020-0043).

use std::time::Duration;

use bytes::Bytes;

use super::{Case, Delivery, Judge, Step, send, send_generated, send_repeated};
use crate::codec::{Frame, OpCode};

const Q_LIMITS: &str = "Implementations that have implementation- and/or platform-specific limitations regarding the frame size or total message size after reassembly from multiple frames MUST protect themselves against exceeding those limits.";
const Q_PONG_COALESCE: &str = "If an endpoint receives a Ping frame and has not yet sent Pong frame(s) in response to previous Ping frame(s), the endpoint MAY elect to send a Pong frame for only the most recently processed Ping frame.";
const Q_UNSOLICITED: &str = "A Pong frame MAY be sent unsolicited. This serves as a unidirectional heartbeat. A response to an unsolicited Pong frame is not expected.";
const Q_DATA_ANY_TIME: &str = "A data frame MAY be transmitted by either the client or the server at any time after opening handshake completion and before that endpoint has sent a Close frame (Section 5.5.1).";

const FRAGMENT_CHAIN: usize = 100_000;
const OVERSIZE: usize = 64 << 20;
const PING_FLOOD: usize = 10_000;
const PONG_FLOOD: usize = 100_000;
const TINY_MESSAGES: usize = 10_000;
/// How long the tester stops reading while the server's replies pile up.
const NOT_READING: Duration = Duration::from_secs(2);

/// The cases of section 20.
pub(super) fn cases() -> Vec<Case> {
    let mut all = accumulation();
    all.extend(floods());
    all.extend(many_messages());
    all
}

fn accumulation() -> Vec<Case> {
    vec![
        Case::frames(
            "20.1.1",
            "Text message of 100,000 one-byte fragments",
            "10.4",
            Q_LIMITS,
            || {
                let len = FRAGMENT_CHAIN as u64;
                vec![send_generated(OpCode::TEXT, b"*", len, 1, Delivery::Whole)]
            },
        )
        .judge(Judge::ModelOrTooBig)
        .deadline(Duration::from_secs(10)),
        Case::frames(
            "20.1.2",
            "Text message of 100,000 empty continuation frames, then a final \"x\"",
            "10.4",
            Q_LIMITS,
            || {
                let mut frames = vec![Frame::text("").fin(false)];
                let empty = Frame::continuation(Bytes::new()).fin(false);
                frames.extend(std::iter::repeat_n(empty, FRAGMENT_CHAIN));
                frames.push(Frame::continuation("x"));
                vec![send(frames)]
            },
        )
        .judge(Judge::ModelOrTooBig)
        .deadline(Duration::from_secs(10)),
        Case::frames(
            "20.1.3",
            "Binary message of 64 MiB in one frame",
            "10.4",
            Q_LIMITS,
            || {
                vec![send_generated(
                    OpCode::BINARY,
                    b"\xfe",
                    OVERSIZE as u64,
                    0,
                    Delivery::Whole,
                )]
            },
        )
        .judge(Judge::ModelOrTooBig)
        .deadline(Duration::from_secs(30)),
    ]
}

fn floods() -> Vec<Case> {
    vec![
        Case::frames(
            "20.2.1",
            "10,000 pings of 125 B while the tester does not read",
            "5.5.3",
            Q_PONG_COALESCE,
            || {
                let ping = Frame::ping(vec![b'p'; 125]);
                let pings = vec![ping; PING_FLOOD];
                not_reading(pings)
            },
        )
        .judge(Judge::Survive)
        .deadline(Duration::from_secs(10)),
        Case::frames(
            "20.2.2",
            "100,000 unsolicited pongs of 125 B",
            "5.5.3",
            Q_UNSOLICITED,
            || vec![send_repeated(OpCode::PONG, b"q", 125, PONG_FLOOD as u64)],
        )
        .judge(Judge::Survive)
        .deadline(Duration::from_secs(20)),
    ]
}

fn many_messages() -> Vec<Case> {
    vec![
        Case::frames(
            "20.3.1",
            "10,000 one-byte text messages in one write",
            "5.1",
            Q_DATA_ANY_TIME,
            || {
                let frames = (0..TINY_MESSAGES)
                    .map(|i| Frame::text(Bytes::copy_from_slice(&[b'a' + (i % 26) as u8])))
                    .collect();
                vec![send(frames)]
            },
        )
        .deadline(Duration::from_secs(10)),
        Case::frames(
            "20.3.2",
            "10,000 empty binary messages in one write",
            "5.1",
            Q_DATA_ANY_TIME,
            || vec![send(vec![Frame::binary(Bytes::new()); TINY_MESSAGES])],
        )
        .deadline(Duration::from_secs(10)),
        Case::frames(
            "20.3.3",
            "4 binary messages of 256 KiB while the tester does not read, then all echoes",
            "5.1",
            Q_DATA_ANY_TIME,
            || {
                let frames = (0..4u8)
                    .map(|i| Frame::binary(vec![0xF0 | i; 256 << 10]))
                    .collect();
                not_reading(frames)
            },
        )
        .deadline(Duration::from_secs(10)),
    ]
}

/// Sends `frames` with reading paused, waits, then reads again.
fn not_reading(frames: Vec<Frame>) -> Vec<Step> {
    vec![
        Step::PauseReading,
        send(frames),
        Step::Wait(NOT_READING),
        Step::ResumeReading,
    ]
}
