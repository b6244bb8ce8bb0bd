//! The verdict function on hand-made observations: every outcome class seen
//! both passing and failing.

use bytes::Bytes;

use super::*;
use crate::catalog::{Step, send};
use crate::codec::{Frame, OpCode};
use crate::session::observe::SeenClose;

fn plan(frames: Vec<Frame>) -> Plan {
    Plan::from_steps(vec![send(frames)], 1)
}

fn connected() -> Observed {
    Observed {
        handshake_status: Some(101),
        ..Observed::default()
    }
}

fn text(s: &'static str) -> SeenEvent {
    SeenEvent {
        event: Seen::Message {
            opcode: OpCode::TEXT,
            payload: Bytes::from(s),
        },
        frames_sent: 1,
        at_ms: 0,
    }
}

fn pong(s: &'static str) -> SeenEvent {
    SeenEvent {
        event: Seen::Pong(Bytes::from(s)),
        frames_sent: 1,
        at_ms: 0,
    }
}

fn close(code: u16, after_tester_close: bool) -> Option<SeenClose> {
    Some(SeenClose {
        code: Some(CloseCode(code)),
        reason: Bytes::new(),
        frames_sent: 9,
        after_tester_close,
        after_last_write: true,
        at_ms: 0,
    })
}

fn verdict(p: &Plan, obs: &Observed) -> (Outcome, Option<Reason>) {
    let v = judge(Role::Server, Judge::Model, None, p, obs);
    (v.outcome, v.reason)
}

#[test]
fn echo_then_clean_close_passes_and_a_lingering_tcp_fails() {
    let p = plan(vec![Frame::text("Hello")]);
    let mut obs = Observed {
        events: vec![text("Hello")],
        close: close(1000, true),
        eof: true,
        ..connected()
    };
    assert_eq!(verdict(&p, &obs), (Outcome::Pass, None));
    obs.eof = false;
    obs.lingered = true;
    assert_eq!(verdict(&p, &obs), (Outcome::Fail, Some(Reason::Unclean)));
    (obs.eof, obs.lingered) = (true, false);
    obs.events = vec![text("Hellx")];
    assert_eq!(verdict(&p, &obs).1, Some(Reason::EchoMismatch));
}

#[test]
fn a_protocol_error_answered_with_1013_is_a_wrong_close_code_that_says_why() {
    let p = plan(vec![Frame::new(OpCode(3), "")]);
    let obs = Observed {
        close: close(1013, false),
        eof: true,
        ..connected()
    };
    let v = judge(Role::Server, Judge::Model, None, &p, &obs);
    assert_eq!(
        (v.outcome, v.reason, v.close_code),
        (Outcome::Fail, Some(Reason::WrongCloseCode), Some(1013))
    );
    assert!(
        v.actual.contains("1013") && v.actual.to_lowercase().contains("overload"),
        "{}",
        v.actual
    );
    let ok = Observed {
        close: close(1002, false),
        eof: true,
        ..connected()
    };
    assert_eq!(verdict(&p, &ok), (Outcome::Pass, None));
}

#[test]
fn failing_by_drop_is_non_strict_and_not_failing_is_fail() {
    let p = plan(vec![Frame::text("x").rsv(4)]);
    let dropped = Observed {
        eof: true,
        ..connected()
    };
    assert_eq!(
        verdict(&p, &dropped),
        (Outcome::NonStrict, Some(Reason::DroppedWithoutClose))
    );
    let silent = Observed {
        timed_out: true,
        ..connected()
    };
    assert_eq!(verdict(&p, &silent), (Outcome::Fail, Some(Reason::NoClose)));
}

#[test]
fn an_echo_owed_before_a_violation_may_be_missing() {
    let p = plan(vec![Frame::text("Hello"), Frame::text("x").rsv(2)]);
    let without = Observed {
        close: close(1002, false),
        eof: true,
        ..connected()
    };
    assert_eq!(
        verdict(&p, &without),
        (Outcome::NonStrict, Some(Reason::MissingEventsBeforeFailure))
    );
    let with = Observed {
        events: vec![text("Hello")],
        ..without
    };
    assert_eq!(verdict(&p, &with), (Outcome::Pass, None));
}

#[test]
fn coalesced_pongs_are_non_strict_but_a_wrong_pong_fails() {
    let p = plan(vec![Frame::ping("a"), Frame::ping("b"), Frame::ping("c")]);
    let base = Observed {
        close: close(1000, true),
        eof: true,
        ..connected()
    };
    let all = Observed {
        events: vec![pong("a"), pong("b"), pong("c")],
        ..base.clone()
    };
    assert_eq!(verdict(&p, &all), (Outcome::Pass, None));
    let last = Observed {
        events: vec![pong("c")],
        ..base.clone()
    };
    assert_eq!(
        verdict(&p, &last),
        (Outcome::NonStrict, Some(Reason::PongsCoalesced))
    );
    let wrong = Observed {
        events: vec![pong("a"), pong("x")],
        ..base
    };
    assert_eq!(
        verdict(&p, &wrong),
        (Outcome::Fail, Some(Reason::EchoMismatch))
    );
}

#[test]
fn a_server_closing_first_on_valid_traffic_fails_and_invalid_server_frames_fail() {
    let p = plan(vec![Frame::text("ok")]);
    let first = Observed {
        close: close(1002, false),
        eof: true,
        ..connected()
    };
    assert_eq!(
        verdict(&p, &first),
        (Outcome::Fail, Some(Reason::UnexpectedFrame))
    );
    let masked = Observed {
        invalid: vec![crate::codec::Violation::MaskedServerFrame],
        ..connected()
    };
    assert_eq!(
        verdict(&p, &masked),
        (Outcome::Fail, Some(Reason::InvalidServerFrame))
    );
    let refused = Observed {
        handshake_status: Some(200),
        ..Observed::default()
    };
    assert_eq!(
        verdict(&p, &refused),
        (Outcome::Fail, Some(Reason::Handshake))
    );
}

#[test]
fn rejections_need_the_status_and_the_header() {
    let expect = HandshakeExpect::Reject {
        statuses: &[426],
        header: Some(("Sec-WebSocket-Version", "13")),
    };
    let p = Plan::from_steps(Vec::<Step>::new(), 1);
    let mut obs = Observed {
        handshake_status: Some(426),
        handshake_headers: vec![("sec-websocket-version".into(), "13, 8".into())],
        ..Observed::default()
    };
    assert_eq!(
        judge(Role::Server, Judge::Model, Some(&expect), &p, &obs).outcome,
        Outcome::Pass
    );
    obs.handshake_headers.clear();
    assert_eq!(
        judge(Role::Server, Judge::Model, Some(&expect), &p, &obs).outcome,
        Outcome::Fail
    );
    obs.handshake_status = Some(101);
    assert_eq!(
        judge(Role::Server, Judge::Model, Some(&expect), &p, &obs).outcome,
        Outcome::Fail
    );
}

#[test]
fn informational_and_too_big_judges() {
    let p = plan(vec![Frame::binary(vec![0u8; 10])]);
    let too_big = Observed {
        close: close(1009, false),
        eof: true,
        ..connected()
    };
    assert_eq!(
        judge(Role::Server, Judge::ModelOrTooBig, None, &p, &too_big).outcome,
        Outcome::Pass
    );
    assert_eq!(
        judge(Role::Server, Judge::Model, None, &p, &too_big).outcome,
        Outcome::Fail
    );
    assert_eq!(
        judge(Role::Server, Judge::Informational, None, &p, &too_big).outcome,
        Outcome::Informational
    );
}
