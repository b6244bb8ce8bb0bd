//! The session with the tester as server (testing clients): the same
//! machine and verdict as for servers, with the roles swapped.

use std::time::{Duration, Instant};

use bytes::BytesMut;

use crate::catalog::{Case, send};
use crate::codec::{CloseCode, Decoder, Frame, OpCode};
use crate::session::{Outcome, Reason, Session, SessionConfig, SessionEnd, Verdict};

fn case(frames: Vec<Frame>) -> Case {
    Case::frames("0.1", "test", "5.1", "test", move || {
        vec![send(frames.clone())]
    })
}

/// Everything the session wrote so far, decoded.
fn written(s: &mut Session) -> Vec<Frame> {
    let mut buf = BytesMut::new();
    while let Some(b) = s.poll_transmit() {
        buf.extend_from_slice(&b);
    }
    let d = Decoder::new(1 << 20);
    std::iter::from_fn(|| d.decode(&mut buf).ok().flatten()).collect()
}

fn verdict(s: Session) -> Verdict {
    match s.finish() {
        SessionEnd::Judged(v, _) => v,
        SessionEnd::Throttled { code, .. } => panic!("throttled {code}"),
    }
}

fn reply(s: &mut Session, frames: &[Frame], now: Instant) {
    for f in frames {
        s.handle_input(&f.to_bytes(), now);
    }
}

#[test]
fn conforming_client_echoes_and_answers_the_close() {
    let t0 = Instant::now();
    let mut s = Session::new(
        &case(vec![Frame::text("hi")]),
        SessionConfig::accepted(),
        t0,
    );
    let sent = written(&mut s);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header.mask, None, "server frames are not masked");
    reply(&mut s, &[Frame::text("hi").masked([1, 2, 3, 4])], t0);
    let close = written(&mut s);
    assert_eq!(close[0].close_code(), Some(CloseCode::NORMAL));
    reply(
        &mut s,
        &[Frame::close(CloseCode::NORMAL, b"").masked([5, 6, 7, 8])],
        t0,
    );
    assert!(s.is_done());
    let SessionEnd::Judged(v, obs) = s.finish() else {
        panic!("a client session is never throttled")
    };
    assert_eq!(v.outcome, Outcome::Pass, "{v:?}");
    assert_eq!(obs.peer_keys, vec![[1, 2, 3, 4], [5, 6, 7, 8]]);
}

#[test]
fn unmasked_echo_fails_for_the_client_role() {
    let t0 = Instant::now();
    let mut s = Session::new(
        &case(vec![Frame::text("hi")]),
        SessionConfig::accepted(),
        t0,
    );
    reply(&mut s, &[Frame::text("hi")], t0);
    reply(
        &mut s,
        &[Frame::close(CloseCode::NORMAL, b"").masked([5, 6, 7, 8])],
        t0,
    );
    let v = verdict(s);
    assert_eq!(v.outcome, Outcome::Fail);
    assert_eq!(v.reason, Some(Reason::InvalidClientFrame));
    assert!(v.actual.contains("unmasked-client-frame"), "{}", v.actual);
}

#[test]
fn a_reused_masking_key_fails() {
    let t0 = Instant::now();
    let mut s = Session::new(
        &case(vec![Frame::text("hi")]),
        SessionConfig::accepted(),
        t0,
    );
    reply(&mut s, &[Frame::text("hi").masked([9; 4])], t0);
    reply(
        &mut s,
        &[Frame::close(CloseCode::NORMAL, b"").masked([9; 4])],
        t0,
    );
    let v = verdict(s);
    assert_eq!(v.reason, Some(Reason::InvalidClientFrame));
    assert!(
        v.actual.contains("reuses the masking key 09090909"),
        "{}",
        v.actual
    );
}

#[test]
fn reserved_opcode_must_fail_the_connection() {
    let t0 = Instant::now();
    let frames = vec![Frame::new(OpCode(3), "x")];
    let mut s = Session::new(&case(frames), SessionConfig::accepted(), t0);
    let _ = written(&mut s);
    let later = t0 + Duration::from_secs(2);
    assert!(s.poll_timeout().is_some_and(|t| t <= later));
    s.handle_timeout(later);
    assert!(s.is_done());
    let v = verdict(s);
    assert_eq!(
        (v.outcome, v.reason),
        (Outcome::Fail, Some(Reason::NoClose))
    );

    let mut s = Session::new(
        &case(vec![Frame::new(OpCode(3), "x")]),
        SessionConfig::accepted(),
        t0,
    );
    reply(
        &mut s,
        &[Frame::close(CloseCode::PROTOCOL_ERROR, b"").masked([1; 4])],
        t0,
    );
    assert!(s.is_done());
    assert_eq!(
        written(&mut s).last().and_then(Frame::close_code),
        Some(CloseCode::PROTOCOL_ERROR)
    );
    let v = verdict(s);
    assert_eq!(v.outcome, Outcome::Pass, "{v:?}");
    assert_eq!(v.close_code, Some(1002));
}
