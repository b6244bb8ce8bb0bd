//! Section 18 (beyond Autobahn's section 7): the Close frame. 18.1 close
//! codes registered with IANA after the RFC (Autobahn dropped them in
//! 2016/2018) and a Close in 1-byte chops; 18.2 codes that must not be sent
//! and a reason too long in bytes but short in characters; 18.3 reasons
//! that are not UTF-8, in forms Autobahn's single 7.5.1 does not cover;
//! 18.4 valid reasons a strict validator might reject; 18.5 frames after
//! the tester's Close, which must not be processed.

use super::{Case, Delivery, Step, send, send_chopped};
use crate::codec::{CloseCode, Frame, OpCode};

const Q_REPLY: &str = "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint MUST send a Close frame in response.";
const Q_PROTOCOL_RANGE: &str = "Status codes in the range 1000-2999 are reserved for definition by this protocol, its future revisions, and extensions specified in a permanent and readily available public specification.";
const Q_1015: &str = "1015 is a reserved value and MUST NOT be set as a status code in a Close control frame by an endpoint.";
const Q_CONTROL: &str = "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented.";
const Q_UTF8: &str = "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_.";
const Q_REASON: &str =
    "Following the 2-byte integer, the body MAY contain UTF-8-encoded data with value /reason/";
const Q_NO_DATA_AFTER_CLOSE: &str =
    "The application MUST NOT send any more data frames after sending a Close frame.";
const Q_FAIL_STOPS: &str = "However, there is no guarantee that the endpoint that has already sent a Close frame will continue to process data.";

/// The cases of section 18.
pub(super) fn cases() -> Vec<Case> {
    let mut all = valid_closes();
    all.extend(invalid_closes());
    all.extend(invalid_reasons());
    all.extend(valid_reasons());
    all.extend(after_close());
    all
}

fn valid_closes() -> Vec<Case> {
    let codes = [
        (1, 1012, "Service Restart"),
        (2, 1013, "Try Again Later"),
        (3, 1014, "Bad Gateway"),
    ];
    let mut out: Vec<Case> = codes
        .into_iter()
        .map(|(n, code, name)| {
            let title = format!("Close with code {code} ({name}, IANA registry)");
            Case::frames(
                format!("18.1.{n}"),
                title,
                "7.4.2",
                Q_PROTOCOL_RANGE,
                move || vec![send(vec![Frame::close(CloseCode(code), b"")])],
            )
        })
        .collect();
    out.push(Case::frames(
        "18.1.4",
        "Close (1000) with a reason, in 1-byte TCP chops",
        "5.5.1",
        Q_REPLY,
        || {
            let close = Frame::close(CloseCode::NORMAL, b"chopped close");
            vec![send_chopped(vec![close], 1)]
        },
    ));
    out
}

fn invalid_closes() -> Vec<Case> {
    vec![
        Case::frames(
            "18.2.1",
            "Close with code 1015 (TLS handshake, never sent)",
            "7.4.1",
            Q_1015,
            || vec![send(vec![Frame::close(CloseCode(1015), b"")])],
        ),
        Case::frames(
            "18.2.2",
            "Close with code 1999 (unassigned)",
            "7.4.2",
            Q_PROTOCOL_RANGE,
            || vec![send(vec![Frame::close(CloseCode(1999), b"")])],
        ),
        Case::frames(
            "18.2.3",
            "Close (1000) with a reason of 62 two-byte characters (124 B: a 126 B body)",
            "5.5",
            Q_CONTROL,
            || {
                let reason = "é".repeat(62);
                vec![send(vec![Frame::close(
                    CloseCode::NORMAL,
                    reason.as_bytes(),
                )])]
            },
        ),
    ]
}

fn invalid_reasons() -> Vec<Case> {
    let rows: [(&str, &str, &'static [u8]); 6] = [
        ("18.3.1", "a lone continuation byte", b"abc\x80def"),
        (
            "18.3.2",
            "a 3-byte sequence cut at its end",
            b"euro \xE2\x82",
        ),
        ("18.3.3", "an overlong '/' (C0 AF)", b"slash \xC0\xAF"),
        ("18.3.4", "the byte FF", b"\xFFabc"),
        (
            "18.3.5",
            "a code point above U+10FFFF (F4 90 80 80)",
            b"big \xF4\x90\x80\x80",
        ),
        (
            "18.3.6",
            "a 5-byte form (F8 88 80 80 80)",
            b"five \xF8\x88\x80\x80\x80",
        ),
    ];
    rows.into_iter()
        .map(|(id, what, reason)| {
            let title = format!("Close (1000) whose reason holds {what}");
            Case::frames(id, title, "8.1", Q_UTF8, move || {
                vec![send(vec![Frame::close(CloseCode::NORMAL, reason)])]
            })
        })
        .collect()
}

fn valid_reasons() -> Vec<Case> {
    let rows: [(&str, &str, String); 4] = [
        ("18.4.1", "a 4-byte character (U+1F600)", "bye 😀".into()),
        ("18.4.2", "a NUL byte", "before\0after".into()),
        ("18.4.3", "41 three-byte characters (123 B)", "€".repeat(41)),
        (
            "18.4.4",
            "119 ASCII bytes and a 4-byte character (123 B)",
            format!("{}😀", "a".repeat(119)),
        ),
    ];
    rows.into_iter()
        .map(|(id, what, reason)| {
            let title = format!("Close (1000) whose reason is {what}");
            Case::frames(id, title, "5.5.1", Q_REASON, move || {
                vec![send(vec![Frame::close(
                    CloseCode::NORMAL,
                    reason.as_bytes(),
                )])]
            })
        })
        .collect()
}

fn after_close() -> Vec<Case> {
    let close = || Frame::close(CloseCode::NORMAL, b"");
    vec![
        Case::frames(
            "18.5.1",
            "Close (1000), then a binary frame (ignored)",
            "5.5.1",
            Q_NO_DATA_AFTER_CLOSE,
            move || vec![send(vec![close(), Frame::binary(vec![0xFE; 16])])],
        ),
        Case::frames(
            "18.5.2",
            "Close (1000), then a text frame that is not UTF-8 (ignored)",
            "5.5.1",
            Q_NO_DATA_AFTER_CLOSE,
            move || vec![send(vec![close(), Frame::text(&b"\xCE\xBA\xFF"[..])])],
        ),
        Case::frames(
            "18.5.3",
            "Close (1000), then a frame with reserved opcode 3 (ignored)",
            "5.5.1",
            Q_FAIL_STOPS,
            move || vec![send(vec![close(), Frame::new(OpCode(3), "reserved")])],
        ),
        Case::frames(
            "18.5.4",
            "Close (1000), then an unmasked text frame (ignored)",
            "5.5.1",
            Q_FAIL_STOPS,
            move || {
                vec![
                    send(vec![close()]),
                    Step::SendAsIs(vec![Frame::text("unmasked")], Delivery::Whole),
                ]
            },
        ),
        Case::frames(
            "18.5.5",
            "Close (1000), then a Close with the invalid code 1005 (ignored)",
            "5.5.1",
            Q_FAIL_STOPS,
            move || vec![send(vec![close(), Frame::close(CloseCode::NO_STATUS, b"")])],
        ),
    ]
}
