//! Byte-table tests: one row per rule, decoded from wire bytes.

use super::*;
use crate::codec::{Decoder, PayloadLen};
use bytes::BytesMut;

fn frames(hex: &str) -> Vec<Frame> {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let mut buf = BytesMut::from(&bytes[..]);
    let mut out = Vec::new();
    loop {
        match Decoder::default().decode(&mut buf) {
            Ok(Some(f)) => out.push(f),
            Ok(None) => break,
            // A length no decoder buffers: judge the header alone.
            Err(crate::codec::DecodeError::PayloadTooLarge { header, .. }) => {
                out.push(Frame {
                    header,
                    payload: bytes::Bytes::new(),
                });
                buf.clear();
            }
        }
    }
    assert!(buf.is_empty(), "trailing bytes in {hex}");
    out
}

/// Rules broken by the last frame of the sequence.
fn rules(sender: Role, hex: &str) -> Vec<&'static str> {
    let mut v = Validator::new(sender);
    let fs = frames(hex);
    let (last, first) = fs.split_last().unwrap();
    for f in first {
        assert!(
            v.check_frame(f).is_empty(),
            "prefix of {hex} should be valid"
        );
    }
    v.check_frame(last).iter().map(Violation::rule).collect()
}

#[test]
fn rule_table() {
    use Role::*;
    let table: &[(Role, &str, &[&str])] = &[
        (Server, "810548656c6c6f", &[]),
        (Client, "818537fa213d7f9f4d5158", &[]),
        (Client, "810548656c6c6f", &["unmasked-client-frame"]),
        (Server, "818537fa213d7f9f4d5158", &["masked-server-frame"]),
        (Server, "9100", &["reserved-bits"]),
        (Server, "f100", &["reserved-bits"]),
        (Server, "8300", &["reserved-opcode"]),
        (Server, "8b00", &["reserved-opcode"]),
        (Server, "827f8000000000000000", &["length-msb-set"]),
        (Server, "827e000161", &["non-minimal-length"]),
        (Server, "0900", &["fragmented-control-frame"]),
        (Server, "8000", &["unexpected-continuation"]),
    ];
    for (role, hex, want) in table {
        assert_eq!(rules(*role, hex), *want, "{hex}");
    }
}

#[test]
fn sequence_rules() {
    use Role::Server;
    // Text FIN=0 then text again (Autobahn 5.18).
    assert_eq!(rules(Server, "010161810162"), ["expected-continuation"]);
    // A continuation after a finished message (Autobahn 5.9).
    assert_eq!(rules(Server, "8101618000"), ["unexpected-continuation"]);
    // Ping between fragments is fine (Autobahn 5.6).
    assert!(rules(Server, "0101618900800162").is_empty());
    // Data after our own Close.
    assert_eq!(rules(Server, "880203e88100"), ["data-after-close"]);
}

#[test]
fn control_frame_length() {
    let mut v = Validator::new(Role::Server);
    let ping = Frame::ping(vec![0u8; 126]);
    assert_eq!(v.check_frame(&ping)[0].rule(), "control-frame-too-long");
    assert!(v.check_frame(&Frame::ping(vec![0u8; 125])).is_empty());
}

#[test]
fn close_bodies() {
    let v = Validator::new(Role::Server);
    let check = |f: Frame| {
        v.clone()
            .check_frame(&f)
            .iter()
            .map(|x| x.rule())
            .collect::<Vec<_>>()
    };
    assert!(check(Frame::close_empty()).is_empty());
    assert_eq!(
        check(Frame::new(OpCode::CLOSE, &b"a"[..])),
        ["close-body-too-short"]
    );
    for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
        assert_eq!(
            check(Frame::close(CloseCode(code), b"")),
            ["invalid-close-code"],
            "{code}"
        );
    }
    for code in [1000, 1012, 1013, 1014, 3000, 4999] {
        assert!(
            check(Frame::close(CloseCode(code), b"ok")).is_empty(),
            "{code}"
        );
    }
    assert_eq!(
        check(Frame::close(CloseCode::NORMAL, &[0xce, 0xba, 0xff])),
        ["invalid-close-reason"]
    );
}

#[test]
fn utf8_fails_fast_across_fragments() {
    let mut v = Validator::new(Role::Server);
    assert!(
        v.check_frame(&Frame::text(&b"\xce\xba\xf4"[..]).fin(false))
            .is_empty()
    );
    let got = v.check_frame(&Frame::continuation(&b"\x90"[..]).fin(false));
    assert_eq!(got, [Violation::InvalidUtf8 { position: 3 }]);
    assert_eq!(got[0].close_code(), CloseCode::INVALID_PAYLOAD);
    // A truncated code point is only an error when the message ends.
    let mut v = Validator::new(Role::Server);
    assert!(
        v.check_frame(&Frame::text(&b"\xce"[..]).fin(false))
            .is_empty()
    );
    assert_eq!(
        v.check_frame(&Frame::continuation(&b""[..]))[0].rule(),
        "invalid-utf8"
    );
}

#[test]
fn message_limit_counts_fragments() {
    let mut v = Validator::new(Role::Server).with_max_message(4);
    assert!(
        v.check_frame(&Frame::binary(&b"abc"[..]).fin(false))
            .is_empty()
    );
    assert_eq!(
        v.check_frame(&Frame::continuation(&b"de"[..]))[0].close_code(),
        CloseCode(1009)
    );
}

#[test]
fn negotiated_rsv_is_allowed_and_non_minimal_is_tolerable() {
    let v = Validator::new(Role::Server).with_rsv_allowed(4);
    assert!(
        v.check_header(&Frame::text(&b"x"[..]).rsv(4).header)
            .is_empty()
    );
    let h = Frame::text(&b"x"[..])
        .declared_len(PayloadLen::Len64(1))
        .header;
    let got = v.check_header(&h);
    assert!(got[0].receiver_may_tolerate());
    assert_eq!(CloseCode::from(got[0].clone()), CloseCode::PROTOCOL_ERROR);
}

#[test]
fn partial_text_payload_fails_fast_at_the_hopeless_byte() {
    let v = Validator::new(Role::Client);
    let h = Frame::text(&[0u8; 20][..]).masked([1, 2, 3, 4]).header;
    // "κόσμε" then 0xED 0xA0: a surrogate, hopeless whatever follows.
    let prefix = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0";
    assert_eq!(
        v.check_partial_payload(&h, prefix),
        Some(Violation::InvalidUtf8 { position: 12 })
    );
    // Ending inside a code point is not (yet) an error.
    assert_eq!(v.check_partial_payload(&h, b"ab\xce"), None);
    let b = Frame::binary(&[0u8; 20][..]).masked([1, 2, 3, 4]).header;
    assert_eq!(v.check_partial_payload(&b, b"\xff"), None);
}

#[test]
fn partial_continuation_uses_the_open_message_state_without_changing_it() {
    let mut v = Validator::new(Role::Server);
    assert!(
        v.check_frame(&Frame::text(&b"ab\xce"[..]).fin(false))
            .is_empty()
    );
    let h = Frame::continuation(&[0u8; 8][..]).header;
    // 0xFF can never follow the open 0xCE: position counts from the message start.
    assert_eq!(
        v.check_partial_payload(&h, b"\xff"),
        Some(Violation::InvalidUtf8 { position: 3 })
    );
    // A fresh state would reject the lone continuation byte 0xBA; the open
    // state accepts it as the end of "κ".
    assert_eq!(v.check_partial_payload(&h, b"\xba"), None);
    // Nothing was consumed: the whole frame still validates.
    assert!(
        v.check_frame(&Frame::continuation(&b"\xba!"[..]))
            .is_empty()
    );
    // No open message: a continuation is judged by the header, not here.
    assert_eq!(v.check_partial_payload(&h, b"\xff"), None);
}

#[test]
fn rsv1_marks_a_compressed_first_frame_only_when_deflate_is_negotiated() {
    let rules_of = |v: &mut Validator, f: Frame| -> Vec<&'static str> {
        v.check_frame(&f).iter().map(Violation::rule).collect()
    };
    let mut plain = Validator::new(Role::Server);
    assert_eq!(
        rules_of(&mut plain, Frame::text("x").rsv(4)),
        ["reserved-bits"]
    );
    let mut v = Validator::new(Role::Server).with_deflate();
    // Compressed bytes are not UTF-8; a compressed text frame is not checked as such.
    let first = Frame::text(&[0xf2u8, 0x48][..]).rsv(4).fin(false);
    assert!(rules_of(&mut v, first).is_empty());
    let cont = Frame::continuation("").rsv(4);
    assert_eq!(rules_of(&mut v, cont), ["compressed-bit-misplaced"]);
    let mut v = Validator::new(Role::Server).with_deflate();
    assert_eq!(
        rules_of(&mut v, Frame::ping("").rsv(4)),
        ["compressed-bit-misplaced"]
    );
    assert_eq!(rules_of(&mut v, Frame::text("x").rsv(2)), ["reserved-bits"]);
    let bad_plain_text = Frame::text(&[0xffu8][..]);
    assert_eq!(rules_of(&mut v, bad_plain_text), ["invalid-utf8"]);
}
