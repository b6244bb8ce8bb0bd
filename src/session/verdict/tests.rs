//! The verdict function on hand-made observations: every outcome class seen
//! both passing and failing.

use bytes::Bytes;

use super::*;
use crate::catalog::{Step, send};
use crate::codec::{Frame, OpCode};
use crate::session::config::Declared;
use crate::session::observe::{Seen, SeenClose};

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
            payload: Box::new(crate::session::Received::of(s.as_bytes())),
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
        bytes_written: 0,
    })
}

fn verdict(p: &Plan, obs: &Observed) -> (Outcome, Option<Reason>) {
    let v = judge(Role::Server, Judge::Model, None, p, obs);
    (v.outcome, v.reason)
}

#[test]
fn echo_then_clean_close_passes_and_a_lingering_tcp_is_non_strict() {
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
    assert_eq!(
        verdict(&p, &obs),
        (Outcome::NonStrict, Some(Reason::Unclean)),
        "closing TCP late after a correct reply: §7.1.1 is a SHOULD"
    );
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
fn informational_judge_records_whatever_happened() {
    let p = plan(vec![Frame::binary(vec![0u8; 10])]);
    let too_big = Observed {
        close: close(1009, false),
        eof: true,
        ..connected()
    };
    assert_eq!(
        judge(Role::Server, Judge::Informational, None, &p, &too_big).outcome,
        Outcome::Informational
    );
}

fn judge_declared(p: &Plan, obs: &Observed, declared: Declared) -> (Outcome, Option<Reason>) {
    let ctx = Judging {
        peer: Role::Server,
        judge: Judge::ModelOrTooBig,
        handshake: None,
        plan: p,
        declared,
        chosen_response: false,
    };
    let v = judge_with(&ctx, obs);
    (v.outcome, v.reason)
}

#[test]
fn a_refusal_for_size_is_a_server_limit_unless_small_or_declared() {
    let big = plan(vec![Frame::binary(vec![0u8; 1 << 20])]);
    let small = plan(vec![Frame::binary(vec![0u8; 10])]);
    let by_close = Observed {
        close: close(1009, false),
        eof: true,
        ..connected()
    };
    let by_drop = Observed {
        eof: true,
        ..connected()
    };
    let none = Declared::default();
    let limit = (Outcome::NonStrict, Some(Reason::ServerLimit));
    assert_eq!(judge_declared(&big, &by_close, none), limit);
    assert_eq!(judge_declared(&big, &by_drop, none), limit);
    assert_eq!(
        judge_declared(&small, &by_close, none),
        (Outcome::Fail, Some(Reason::UnexpectedFrame)),
        "10 bytes are no plausible limit"
    );
    assert_eq!(
        judge_declared(&small, &by_drop, none),
        (Outcome::Fail, Some(Reason::Unclean))
    );
    let accepts = Declared {
        max_message: Some(1 << 20),
        max_frame: None,
    };
    assert_eq!(
        judge_declared(&big, &by_close, accepts).0,
        Outcome::Fail,
        "refused at the declared limit"
    );
    let below = Declared {
        max_message: Some((1 << 20) - 1),
        max_frame: None,
    };
    assert_eq!(judge_declared(&big, &by_close, below), limit);
    let v = judge(Role::Server, Judge::Model, None, &big, &by_close);
    assert!(
        v.actual.contains("1048576 bytes"),
        "names the size: {}",
        v.actual
    );
}

#[test]
fn wrong_close_codes_come_in_two_grades() {
    let p = plan(vec![Frame::new(OpCode(3), "")]);
    let with = |code| Observed {
        close: close(code, false),
        eof: true,
        ..connected()
    };
    assert_eq!(verdict(&p, &with(1002)), (Outcome::Pass, None));
    for code in [1003, 1007, 1008, 1009] {
        assert_eq!(
            verdict(&p, &with(code)),
            (Outcome::NonStrict, Some(Reason::WrongCloseCode)),
            "{code} is of the same family"
        );
    }
    for code in [1000, 1001, 1011, 1012, 1013, 1014, 4000] {
        assert_eq!(
            verdict(&p, &with(code)),
            (Outcome::Fail, Some(Reason::WrongCloseCode)),
            "{code} misleads the peer"
        );
    }
    let utf8 = plan(vec![Frame::text(&b"\xff"[..])]);
    assert_eq!(
        verdict(&utf8, &with(1002)),
        (Outcome::NonStrict, Some(Reason::WrongCloseCode)),
        "1002 for invalid UTF-8 where 1007 is owed"
    );
}

#[test]
fn a_frame_breaking_two_rules_owes_either_code() {
    let msb = Frame::binary("")
        .masked([1, 2, 3, 4])
        .declared_len(crate::codec::PayloadLen::Len64(1 << 63));
    let p = Plan::from_steps(
        vec![Step::SendAsIs(vec![msb], crate::catalog::Delivery::Whole)],
        1,
    );
    let with = |code| Observed {
        close: close(code, false),
        eof: true,
        ..connected()
    };
    assert_eq!(verdict(&p, &with(1002)), (Outcome::Pass, None));
    assert_eq!(
        verdict(&p, &with(1009)),
        (Outcome::NonStrict, Some(Reason::ServerLimit))
    );
    assert_eq!(
        verdict(&p, &with(1013)),
        (Outcome::Fail, Some(Reason::WrongCloseCode))
    );
}

#[test]
fn a_close_answered_with_another_valid_code_is_non_strict() {
    let p = plan(vec![Frame::close(CloseCode(1001), b"")]);
    let reply = |code| Observed {
        close: close(code, true),
        eof: true,
        tester_closed: true,
        ..connected()
    };
    assert_eq!(verdict(&p, &reply(1001)), (Outcome::Pass, None));
    assert_eq!(verdict(&p, &reply(1000)), (Outcome::Pass, None));
    assert_eq!(
        verdict(&p, &reply(1002)),
        (Outcome::NonStrict, Some(Reason::WrongCloseCode))
    );
    let none = Observed {
        eof: true,
        tester_closed: true,
        ..connected()
    };
    assert_eq!(verdict(&p, &none), (Outcome::Fail, Some(Reason::Unclean)));
}

#[test]
fn only_the_orderings_the_rfc_fixes_are_enforced() {
    let p = plan(vec![
        Frame::text("one"),
        Frame::ping("a"),
        Frame::text("two"),
        Frame::ping("b"),
    ]);
    let seen = |events| Observed {
        events,
        close: close(1000, true),
        eof: true,
        ..connected()
    };
    let in_order = seen(vec![text("one"), pong("a"), text("two"), pong("b")]);
    assert_eq!(verdict(&p, &in_order), (Outcome::Pass, None));
    let pong_first = seen(vec![pong("a"), pong("b"), text("one"), text("two")]);
    assert_eq!(
        verdict(&p, &pong_first),
        (Outcome::Pass, None),
        "a pong may overtake the echo of an earlier message"
    );
    let swapped = seen(vec![text("two"), pong("a"), text("one"), pong("b")]);
    assert_eq!(verdict(&p, &swapped).0, Outcome::Fail, "messages in order");
    let pongs_swapped = seen(vec![text("one"), pong("b"), text("two"), pong("a")]);
    assert_eq!(
        verdict(&p, &pongs_swapped).0,
        Outcome::Fail,
        "pongs in the order of their pings"
    );
}

#[test]
fn failing_without_a_status_code_is_non_strict_and_closing_too_early_fails() {
    let p = plan(vec![Frame::text("ok"), Frame::new(OpCode(3), "")]);
    let mut bare = close(1002, false);
    if let Some(c) = bare.as_mut() {
        c.code = None;
    }
    let no_code = Observed {
        events: vec![text("ok")],
        close: bare,
        eof: true,
        ..connected()
    };
    assert_eq!(
        verdict(&p, &no_code),
        (Outcome::NonStrict, Some(Reason::WrongCloseCode))
    );
    // Frames count whole: a header alone can be the violation, so a close
    // is early only before the frames preceding the violating one.
    let mut early = close(1002, false);
    if let Some(c) = early.as_mut() {
        c.frames_sent = 0;
    }
    let too_early = Observed {
        events: vec![text("ok")],
        close: early,
        eof: true,
        ..connected()
    };
    assert_eq!(
        verdict(&p, &too_early),
        (Outcome::Fail, Some(Reason::UnexpectedFrame)),
        "closed before the violating frame was sent"
    );
}

#[test]
fn a_client_answering_a_violation_with_1013_fails_on_the_one_sighting_there_is() {
    let p = Plan::from_steps_as(vec![send(vec![Frame::new(OpCode(3), "")])], 1, Role::Server);
    let obs = Observed {
        close: close(1013, false),
        ..Observed::default()
    };
    let v = judge(Role::Client, Judge::Model, None, &p, &obs);
    assert_eq!(
        (v.outcome, v.reason),
        (Outcome::Fail, Some(Reason::WrongCloseCode))
    );
    let owed = Observed {
        close: close(1002, false),
        ..Observed::default()
    };
    let v = judge(Role::Client, Judge::Model, None, &p, &owed);
    assert_eq!(v.outcome, Outcome::Pass, "{v:?}");
}

#[test]
fn a_bomb_refused_passes_delivered_beyond_a_declared_limit_fails() {
    let zeros = vec![0u8; 1 << 20];
    let p = plan(vec![Frame::binary(zeros.clone())]);
    let judge_bomb = |obs: &Observed, declared: Declared| {
        let ctx = Judging {
            peer: Role::Server,
            judge: Judge::Bomb,
            handshake: None,
            plan: &p,
            declared,
            chosen_response: false,
        };
        let v = judge_with(&ctx, obs);
        (v.outcome, v.reason)
    };
    let none = Declared::default();
    let refused = Observed {
        close: close(1009, false),
        eof: true,
        ..connected()
    };
    assert_eq!(judge_bomb(&refused, none), (Outcome::Pass, None));
    let gone = Observed {
        close: close(1001, false),
        eof: true,
        ..connected()
    };
    assert_eq!(
        judge_bomb(&gone, none),
        (Outcome::NonStrict, Some(Reason::WrongCloseCode))
    );
    let echo = SeenEvent {
        event: Seen::Message {
            opcode: OpCode::BINARY,
            payload: Box::new(crate::session::Received::of(&zeros)),
        },
        frames_sent: 1,
        at_ms: 0,
    };
    let echoed = Observed {
        events: vec![echo],
        close: close(1000, true),
        eof: true,
        ..connected()
    };
    assert_eq!(judge_bomb(&echoed, none), (Outcome::Pass, None));
    let small = Declared {
        max_message: Some(3),
        max_frame: None,
    };
    assert_eq!(
        judge_bomb(&echoed, small),
        (Outcome::Fail, Some(Reason::InflateUnbounded))
    );
    // Refused although the user declared the endpoint accepts that size.
    let accepts = Declared {
        max_message: Some(2 << 20),
        max_frame: None,
    };
    assert_eq!(
        judge_bomb(&refused, accepts),
        (Outcome::Fail, Some(Reason::UnexpectedFrame))
    );
    assert_eq!(judge_bomb(&echoed, accepts), (Outcome::Pass, None));
}

#[test]
fn a_wrong_echo_then_a_reset_is_an_echo_mismatch_and_a_reset_alone_is_unclean() {
    let p = plan(vec![Frame::text("Hello"), Frame::text("World")]);
    // The peer resets without a Close: the end is unclean either way.
    let reset = |events| Observed {
        events,
        eof: true,
        ..connected()
    };
    let wrong = reset(vec![text("Hellx")]);
    let v = judge(Role::Server, Judge::Model, None, &p, &wrong);
    assert_eq!(
        (v.outcome, v.reason),
        (Outcome::Fail, Some(Reason::EchoMismatch))
    );
    assert!(
        v.actual.contains("Hellx") || v.actual.contains("5 B"),
        "{}",
        v.actual
    );
    // Nothing wrong was sent: the reset is the finding, and a message that
    // never came is not put before it.
    assert_eq!(
        verdict(&p, &reset(vec![text("Hello")])),
        (Outcome::Fail, Some(Reason::Unclean))
    );
    assert_eq!(
        verdict(&p, &reset(vec![])),
        (Outcome::Fail, Some(Reason::Unclean))
    );
}

#[test]
fn a_reference_into_the_previous_message_is_owed_unless_the_response_resets_the_context() {
    use crate::codec::deflate::{Agreement, DeflateParams};
    let p = plan(vec![Frame::text("ok")]);
    let agreed = |response: DeflateParams| {
        Some(Agreement {
            offer: DeflateParams::new().client_no_context_takeover(),
            response,
        })
    };
    let kept = agreed(DeflateParams::new());
    let reset = agreed(DeflateParams::new().client_no_context_takeover());
    let judge_as = |deflate, close, events| {
        let obs = Observed {
            deflate,
            close,
            events,
            eof: true,
            ..connected()
        };
        let v = judge(Role::Server, Judge::ModelUnlessContextReset, None, &p, &obs);
        (v.outcome, v.reason)
    };
    // Refused: the server had to keep its window when the response left
    // client_no_context_takeover out (the offer's is only a hint).
    let refused = || close(1002, false);
    assert_eq!(
        judge_as(kept, refused(), vec![]),
        (Outcome::Fail, Some(Reason::UnexpectedFrame))
    );
    assert_eq!(
        judge_as(reset, refused(), vec![]),
        (Outcome::Informational, None)
    );
    // Echoed: owed with the context kept, allowed with it reset.
    let echoed = || vec![text("ok")];
    assert_eq!(
        judge_as(kept, close(1000, true), echoed()),
        (Outcome::Pass, None)
    );
    assert_eq!(
        judge_as(reset, close(1000, true), echoed()),
        (Outcome::Informational, None)
    );
    // As client the tester's own no_context_takeover is the server's.
    let server_reset = agreed(DeflateParams::new().server_no_context_takeover());
    let obs = Observed {
        deflate: server_reset,
        close: close(1002, false),
        eof: true,
        ..connected()
    };
    let v = judge(Role::Client, Judge::ModelUnlessContextReset, None, &p, &obs);
    assert_eq!(v.outcome, Outcome::Informational, "{v:?}");
    let v = judge(Role::Server, Judge::ModelUnlessContextReset, None, &p, &obs);
    assert_eq!(v.outcome, Outcome::Fail, "{v:?}");
}
