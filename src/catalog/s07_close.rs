//! Autobahn section 7: the closing handshake. The tester sends its own
//! Close frames: a Close must be answered once (1000 or the code echoed),
//! nothing received after it has any effect, and a malformed Close body
//! (one byte, over 125 bytes, bad reason, invalid code) fails the
//! connection.

use bytes::Bytes;

use super::case::{Case, Judge, Step, one_step, send};
use crate::codec::{CloseCode, Frame, OpCode, Violation};

/// RFC 6455 §5.5.1.
const CLOSE_REPLY: &str = "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint MUST send a Close frame in response.";
/// RFC 6455 §5.5.1.
const NO_DATA_AFTER_CLOSE: &str =
    "The application MUST NOT send any more data frames after sending a Close frame.";
/// RFC 6455 §5.5.2.
const PONG_OWED: &str = "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless it already received a Close frame.";
/// RFC 6455 §5.5.1.
const NO_GUARANTEE: &str = "However, there is no guarantee that the endpoint that has already sent a Close frame will continue to process data.";
/// RFC 6455 §5.5.1.
const BODY_MAY: &str = "The Close frame MAY contain a body (the \"Application data\" portion of the frame) that indicates a reason for closing, such as an endpoint shutting down, an endpoint having received a frame too large, or an endpoint having received a frame that does not conform to the format expected by the endpoint.";
/// RFC 6455 §5.5.1.
const REASON_MAY: &str = "Following the 2-byte integer, the body MAY contain UTF-8-encoded data with value /reason/, the interpretation of which is not defined by this specification.";
/// RFC 6455 §11.7 (the IANA close code registry).
const CODE_RANGE: &str = "The status code is an integer number between 1000 and 4999 (inclusive).";

/// `κόσμε`, a UTF-16 surrogate (ED A0 80), `edited`: invalid UTF-8.
const BAD_REASON: &[u8] = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited";

fn violation_rule(v: Violation) -> &'static str {
    v.requirement()
}

fn too_long() -> &'static str {
    violation_rule(Violation::ControlFrameTooLong {
        opcode: OpCode::CLOSE,
        len: 126,
    })
}

fn close(code: u16) -> Frame {
    Frame::close(CloseCode(code), b"")
}

fn after_close() -> Vec<Case> {
    vec![
        Case::frames(
            "7.1.1",
            "Text \"Hello World!\", then (after its echo) Close(1000)",
            "5.5.1",
            CLOSE_REPLY,
            || {
                vec![
                    send(vec![Frame::text("Hello World!")]),
                    Step::AwaitEvents,
                    send(vec![close(1000)]),
                ]
            },
        ),
        one_step(
            "7.1.2",
            "Close(1000), then a second, empty Close",
            "5.5.1",
            CLOSE_REPLY,
            || vec![close(1000), Frame::close_empty()],
        ),
        one_step(
            "7.1.3",
            "Close(1000), then an empty ping (no pong owed)",
            "5.5.2",
            PONG_OWED,
            || vec![close(1000), Frame::ping(Bytes::new())],
        ),
        one_step(
            "7.1.4",
            "Close(1000), then text \"Hello World!\" (no echo owed)",
            "5.5.1",
            NO_DATA_AFTER_CLOSE,
            || vec![close(1000), Frame::text("Hello World!")],
        ),
        one_step(
            "7.1.5",
            "Text FIN=0 \"fragment1\", Close(1000), then continuation \"fragment2\"",
            "5.5.1",
            NO_DATA_AFTER_CLOSE,
            || {
                vec![
                    Frame::text("fragment1").fin(false),
                    close(1000),
                    Frame::continuation("fragment2"),
                ]
            },
        ),
        one_step(
            "7.1.6",
            "256 KiB text (\"BAsd7&jh23\" repeated), text \"Hello World!\", Close(1000), empty ping, back to back",
            "5.5.1",
            NO_GUARANTEE,
            || {
                let big: Vec<u8> = b"BAsd7&jh23".iter().copied().cycle().take(256 << 10).collect();
                vec![
                    Frame::text(big),
                    Frame::text("Hello World!"),
                    close(1000),
                    Frame::ping(Bytes::new()),
                ]
            },
        )
        .judge(Judge::Informational),
    ]
}

fn body_length() -> Vec<Case> {
    vec![
        one_step("7.3.1", "Close with no body", "5.5.1", BODY_MAY, || {
            vec![Frame::close_empty()]
        }),
        one_step(
            "7.3.2",
            "Close with a 1-byte body \"a\" (half a status code)",
            "5.5.1",
            violation_rule(Violation::CloseBodyTooShort),
            || vec![Frame::new(OpCode::CLOSE, "a")],
        ),
        one_step(
            "7.3.3",
            "Close(1000) with no reason",
            "5.5.1",
            CLOSE_REPLY,
            || vec![close(1000)],
        ),
        one_step(
            "7.3.4",
            "Close(1000) with reason \"Hello World!\"",
            "5.5.1",
            REASON_MAY,
            || vec![Frame::close(CloseCode::NORMAL, b"Hello World!")],
        ),
        one_step(
            "7.3.5",
            "Close(1000) with a 123-byte reason of '*' (125-byte body, the maximum)",
            "5.5",
            too_long(),
            || vec![Frame::close(CloseCode::NORMAL, &[b'*'; 123])],
        ),
        one_step(
            "7.3.6",
            "Close(1000) with a 124-byte reason of '*' (126-byte body, one over the limit)",
            "5.5",
            too_long(),
            || vec![Frame::close(CloseCode::NORMAL, &[b'*'; 124])],
        ),
        one_step(
            "7.5.1",
            "Close(1000) with an invalid UTF-8 reason: \"κόσμε\", surrogate ED A0 80, \"edited\"",
            "8.1",
            violation_rule(Violation::InvalidUtf8 { position: 0 }),
            || vec![Frame::close(CloseCode::NORMAL, BAD_REASON)],
        ),
    ]
}

/// Codes a Close may carry (7.7.x): the reply must be 1000 or the echo.
const VALID_CODES: [u16; 13] = [
    1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
];
/// Codes a Close must not carry (7.9.x): the reply must be 1002.
const INVALID_CODES: [u16; 9] = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];

/// The section and sentence of RFC 6455 §7.4 that rules `code` out.
fn invalid_code_rule(code: u16) -> (&'static str, &'static str) {
    match code {
        0..=999 => ("7.4.2", "Status codes in the range 0-999 are not used."),
        1004 => (
            "7.4.1",
            "Reserved. The specific meaning might be defined in the future.",
        ),
        1005 => (
            "7.4.1",
            "1005 is a reserved value and MUST NOT be set as a status code in a Close control frame by an endpoint.",
        ),
        1006 => (
            "7.4.1",
            "1006 is a reserved value and MUST NOT be set as a status code in a Close control frame by an endpoint.",
        ),
        _ => (
            "7.4.2",
            "Status codes in the range 1000-2999 are reserved for definition by this protocol, its future revisions, and extensions specified in a permanent and readily available public specification.",
        ),
    }
}

fn code_case(
    id: String,
    title: String,
    section: &'static str,
    rule: &'static str,
    code: u16,
) -> Case {
    Case::frames(id, title, section, rule, move || {
        vec![send(vec![close(code)])]
    })
}

fn codes() -> Vec<Case> {
    let valid = VALID_CODES.iter().zip(1..).map(|(&code, n)| {
        let title = format!("Close with the valid code {}", CloseCode(code));
        code_case(format!("7.7.{n}"), title, "5.5.1", CLOSE_REPLY, code)
    });
    let invalid = INVALID_CODES.iter().zip(1..).map(|(&code, n)| {
        let (section, rule) = invalid_code_rule(code);
        let title = format!("Close with the invalid code {}", CloseCode(code));
        code_case(format!("7.9.{n}"), title, section, rule, code)
    });
    let undefined = [5000u16, 65535].into_iter().zip(1..).map(|(code, n)| {
        let title = format!("Close with code {code}, outside every range the RFC defines");
        code_case(format!("7.13.{n}"), title, "11.7", CODE_RANGE, code).judge(Judge::Informational)
    });
    valid.chain(invalid).chain(undefined).collect()
}

pub(super) fn cases() -> Vec<Case> {
    let mut cases = after_close();
    cases.extend(body_length());
    cases.extend(codes());
    cases
}
