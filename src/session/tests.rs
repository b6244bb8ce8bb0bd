//! Session tests over scripted server bytes: when a Close 1013 is load
//! shedding (retry) and when it is a wrong answer to a violation (judged).

use std::time::Instant;

use bytes::{Bytes, BytesMut};

use super::{Outcome, Reason, Session, SessionConfig, SessionEnd};
use crate::catalog::{self, Case, Profile};
use crate::codec::{CloseCode, DEFAULT_MAX_HEADER_BYTES, Frame, parse_request, server_response};

fn case(id: &str) -> Case {
    catalog::all(Profile::Quick)
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

/// A session for `id` and the server's 101 to its request.
fn start(id: &str) -> (Session, Vec<u8>) {
    let mut s = Session::new(&case(id), SessionConfig::new("h", "/"), Instant::now());
    let request = s.poll_transmit().expect("the request is sent first");
    let (parsed, _) = parse_request(&request, DEFAULT_MAX_HEADER_BYTES)
        .expect("valid request")
        .expect("whole request");
    let reply = server_response(&parsed);
    assert!(reply.is_accept(), "the server would refuse {id}");
    (s, reply.bytes)
}

fn close_1013() -> Bytes {
    Frame::close(CloseCode(1013), b"busy").to_bytes()
}

/// Everything the session wants written, concatenated.
fn drain(s: &mut Session) -> BytesMut {
    let mut out = BytesMut::new();
    while let Some(b) = s.poll_transmit() {
        out.extend_from_slice(&b);
    }
    out
}

#[test]
fn close_1013_in_the_same_read_as_the_101_is_throttling() {
    let (mut s, mut input) = start("4.1.1");
    input.extend_from_slice(&close_1013());
    s.handle_input(&input, Instant::now());
    assert!(
        matches!(s.finish(), SessionEnd::Throttled { code: 1013, .. }),
        "a 1013 that came with the 101 cannot be a reaction to the case"
    );
}

#[test]
fn close_1013_after_a_violating_header_alone_is_a_wrong_close_code() {
    // 16.1.1 sends only the header of a frame whose length has the MSB set:
    // no whole frame was sent, but the violation was.
    let (mut s, reply) = start("16.1.1");
    s.handle_input(&reply, Instant::now());
    assert!(!drain(&mut s).is_empty(), "the header is written");
    s.handle_input(&close_1013(), Instant::now());
    s.handle_eof(Instant::now());
    let SessionEnd::Judged(v, _) = s.finish() else {
        panic!("a 1013 to a violation must be judged, not retried");
    };
    assert_eq!(
        (v.outcome, v.reason, v.close_code),
        (Outcome::Fail, Some(Reason::WrongCloseCode), Some(1013))
    );
}

#[test]
fn close_1013_right_after_an_accepted_handshake_case_is_throttling() {
    let (mut s, reply) = start("14.4.1");
    s.handle_input(&reply, Instant::now());
    s.handle_input(&close_1013(), Instant::now());
    assert!(matches!(
        s.finish(),
        SessionEnd::Throttled { code: 1013, .. }
    ));
}

#[test]
fn close_1013_to_a_violating_frame_is_a_wrong_close_code() {
    let (mut s, reply) = start("4.1.1");
    s.handle_input(&reply, Instant::now());
    assert!(!drain(&mut s).is_empty());
    s.handle_input(&close_1013(), Instant::now());
    s.handle_eof(Instant::now());
    let SessionEnd::Judged(v, _) = s.finish() else {
        panic!("judged");
    };
    assert_eq!(v.reason, Some(Reason::WrongCloseCode));
    assert!(v.actual.contains("overload"), "{}", v.actual);
}
