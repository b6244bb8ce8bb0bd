//! Table tests: one row per rule of the model, on the sequences Autobahn and
//! the extra sections send.

use super::*;
use crate::codec::{CloseCode, Role};
use bytes::Bytes;

fn m(f: Frame) -> Frame {
    f.masked([0x11, 0x22, 0x33, 0x44])
}

fn server(frames: &[Frame]) -> Expectation {
    Expectation::of(Endpoint::new(Role::Server), frames)
}

fn fail_codes(e: &Expectation) -> Option<(usize, Vec<u16>, &'static str)> {
    match &e.end {
        End::Fail { frame, failure, .. } => Some((
            *frame,
            failure.codes.iter().map(|c| c.0).collect(),
            failure.violation.rule(),
        )),
        _ => None,
    }
}

#[test]
fn echo_and_pong() {
    let e = server(&[m(Frame::text("Hello")), m(Frame::ping("p"))]);
    assert_eq!(e.end, End::TesterCloses);
    assert_eq!(e.events.len(), 2);
    assert_eq!(
        e.events[0].reaction,
        Reaction::Message {
            opcode: OpCode::TEXT,
            payload: Bytes::from("Hello").into()
        }
    );
    assert_eq!(e.events[1].reaction, Reaction::Pong(Bytes::from("p")));
}

#[test]
fn ping_inside_fragmented_message_is_answered_first() {
    // Autobahn 5.6: pong first, then the reassembled echo.
    let e = server(&[
        m(Frame::text("fragment1").fin(false)),
        m(Frame::ping("ping")),
        m(Frame::continuation("fragment2")),
    ]);
    assert_eq!(e.events[0].reaction, Reaction::Pong(Bytes::from("ping")));
    assert_eq!(
        e.events[1].reaction,
        Reaction::Message {
            opcode: OpCode::TEXT,
            payload: Bytes::from("fragment1fragment2").into()
        }
    );
}

#[test]
fn violations_fail_with_the_owed_code() {
    let rows: Vec<(Vec<Frame>, usize, Vec<u16>, &str)> = vec![
        (
            vec![m(Frame::text("x").rsv(1))],
            0,
            vec![1002],
            "reserved-bits",
        ),
        (
            vec![m(Frame::new(OpCode(3), ""))],
            0,
            vec![1002],
            "reserved-opcode",
        ),
        (
            vec![Frame::text("x")],
            0,
            vec![1002],
            "unmasked-client-frame",
        ),
        (
            vec![m(Frame::ping(vec![0; 126]))],
            0,
            vec![1002],
            "control-frame-too-long",
        ),
        (
            vec![m(Frame::ping("").fin(false)), m(Frame::continuation(""))],
            0,
            vec![1002],
            "fragmented-control-frame",
        ),
        (
            vec![m(Frame::continuation("x"))],
            0,
            vec![1002],
            "unexpected-continuation",
        ),
        (
            vec![m(Frame::text("a").fin(false)), m(Frame::text("b"))],
            1,
            vec![1002],
            "expected-continuation",
        ),
        (
            vec![m(Frame::text(&b"\xed\xa0\x80"[..]))],
            0,
            vec![1007],
            "invalid-utf8",
        ),
        (
            vec![m(Frame::new(OpCode::CLOSE, "a"))],
            0,
            vec![1002],
            "close-body-too-short",
        ),
        (
            vec![m(Frame::close(CloseCode(1005), b""))],
            0,
            vec![1002],
            "invalid-close-code",
        ),
        (
            vec![m(Frame::close(CloseCode(1000), &[0xff]))],
            0,
            vec![1007, 1002],
            "invalid-close-reason",
        ),
    ];
    for (frames, at, codes, rule) in rows {
        assert_eq!(
            fail_codes(&server(&frames)),
            Some((at, codes, rule)),
            "{rule}"
        );
    }
}

#[test]
fn events_before_a_violation_may_be_missing_and_none_follow() {
    // Autobahn 3.2: text, text with RSV=2, ping: echo, then fail, no pong.
    let e = server(&[
        m(Frame::text("Hello")),
        m(Frame::text("x").rsv(2)),
        m(Frame::ping("")),
    ]);
    assert_eq!(e.events.len(), 1);
    assert!(e.events[0].may_be_missing);
    assert_eq!(fail_codes(&e).unwrap().0, 1);
}

#[test]
fn utf8_failure_is_deferrable_to_the_end_of_the_message() {
    // Autobahn 6.4.1: valid part, the invalid code point, the rest.
    let e = server(&[
        m(Frame::text("κόσμε").fin(false)),
        m(Frame::continuation(&b"\xf4\x90\x80\x80"[..]).fin(false)),
        m(Frame::continuation("edited")),
    ]);
    match e.end {
        End::Fail {
            frame,
            failure,
            latest_frame,
        } => {
            assert_eq!((frame, latest_frame), (1, Some(2)));
            assert!(failure.deferrable_to_message_end);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn close_handshake_and_what_follows_it() {
    // Autobahn 7.1.3 / 7.1.4: nothing after the Close is answered.
    let e = server(&[
        m(Frame::close(CloseCode::NORMAL, b"")),
        m(Frame::ping("x")),
        m(Frame::text("t")),
    ]);
    assert!(e.events.is_empty());
    assert_eq!(
        e.end,
        End::CloseReply {
            frame: 0,
            codes: vec![CloseCode::NORMAL],
            empty_ok: true
        }
    );
    // Autobahn 7.7: a valid code may be echoed.
    let e = server(&[m(Frame::close(CloseCode(3000), b""))]);
    assert_eq!(
        e.end,
        End::CloseReply {
            frame: 0,
            codes: vec![CloseCode::NORMAL, CloseCode(3000)],
            empty_ok: true
        }
    );
}

#[test]
fn non_minimal_length_is_tolerable_and_still_echoed() {
    let e = server(&[m(Frame::text("x").len_form(64))]);
    assert_eq!(e.events.len(), 1);
    assert_eq!(e.end, End::TesterCloses);
    assert_eq!(e.tolerable[0].1.rule(), "non-minimal-length");
}

#[test]
fn message_limit_gives_1009_or_1008() {
    let ep = Endpoint::with_limits(
        Role::Server,
        crate::model::Limits {
            max_message: 10,
            rsv_allowed: 0,
            deflate: None,
        },
    );
    let e = Expectation::of(ep, &[m(Frame::binary(vec![0; 11]))]);
    assert_eq!(
        fail_codes(&e),
        Some((0, vec![1009, 1008], "message-too-big"))
    );
}

#[test]
fn header_alone_can_call_for_failure() {
    let ep = Endpoint::new(Role::Server);
    let h = m(Frame::new(OpCode(0xB), ""))
        .declared_len(crate::codec::PayloadLen::Len64(u64::MAX))
        .header;
    assert_eq!(
        ep.judge_header(&h).unwrap().violation.rule(),
        "reserved-opcode"
    );
    assert!(ep.judge_header(&m(Frame::text("ok")).header).is_none());
}
