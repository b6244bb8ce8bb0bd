//! Section 16 (not in Autobahn, which only sends correct lengths): the
//! payload length field. 16.1 a 64-bit length with the most significant bit
//! set (Tomcat CVE-2020-13935, libsoup CVE-2026-0716); 16.2 lengths not in
//! the minimal form, which the RFC forbids the sender but does not ask the
//! receiver to check (informational); 16.3 lengths that promise more than
//! arrives, including lengths a 16- or 32-bit reader truncates to what
//! arrives; 16.4 a huge length together with another violation, which must
//! be failed from the header alone (Jetty CVE-2026-19204); 16.5 length fields
//! split across TCP writes.

use std::time::Duration;

use bytes::Bytes;

use super::{Case, Delivery, Judge, Step, send, send_chopped};
use crate::codec::{Frame, OpCode, PayloadLen};

const Q_MSB: &str = "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most significant bit MUST be 0) are the payload length.";
const Q_MINIMAL: &str = "Note that in all cases, the minimal number of bytes MUST be used to encode the length, for example, the length of a 124-byte-long string can't be encoded as the sequence 126, 0, 124.";
const Q_LENGTH: &str = "The length of the \"Payload data\", in bytes: if 0-125, that is the payload length. If 126, the following 2 bytes interpreted as a 16-bit unsigned integer are the payload length.";
const Q_OPCODE: &str = "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_.";
const Q_RSV: &str = "If a nonzero value is received and none of the negotiated extensions defines the meaning of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_.";
const Q_UNMASKED: &str =
    "The server MUST close the connection upon receiving a frame that is not masked.";

/// The key of every frame this file masks itself.
const KEY: [u8; 4] = [0x5A, 0x0F, 0xC3, 0x99];
/// A length no server should allocate up front (1 TiB).
const HUGE: u64 = 1 << 40;
/// How long a length lie is left hanging before the case ends.
const LIE_PAUSE: Duration = Duration::from_secs(2);

/// The cases of section 16.
pub(super) fn cases() -> Vec<Case> {
    let mut all = msb_set();
    all.extend(non_minimal());
    all.extend(length_lies());
    all.extend(huge_with_violation());
    all.extend(split_length_fields());
    all
}

fn msb_set() -> Vec<Case> {
    let fails = |id, title, steps: fn() -> Vec<Step>| Case::frames(id, title, "5.2", Q_MSB, steps);
    vec![
        fails(
            "16.1.1",
            "64-bit length 2^63 (MSB set), header only",
            || header_only(OpCode::BINARY, 1 << 63, 0, true),
        ),
        fails(
            "16.1.2",
            "64-bit length 2^63 + 5 (MSB set) followed by 5 payload bytes",
            || {
                let frame = Frame::binary("hello")
                    .declared_len(PayloadLen::Len64((1 << 63) | 5))
                    .masked(KEY);
                vec![Step::SendAsIs(vec![frame], Delivery::Whole)]
            },
        ),
        fails("16.1.3", "Length 2^64 - 1, masked, header only", || {
            header_only(OpCode::BINARY, u64::MAX, 0, true)
        }),
        fails("16.1.4", "Length 2^64 - 1, unmasked, header only", || {
            header_only(OpCode::BINARY, u64::MAX, 0, false)
        }),
    ]
}

fn non_minimal() -> Vec<Case> {
    let rows: [(&str, OpCode, usize, u8); 8] = [
        ("16.2.1", OpCode::TEXT, 0, 16),
        ("16.2.2", OpCode::TEXT, 1, 16),
        ("16.2.3", OpCode::TEXT, 125, 16),
        ("16.2.4", OpCode::TEXT, 0, 64),
        ("16.2.5", OpCode::TEXT, 125, 64),
        ("16.2.6", OpCode::TEXT, 126, 64),
        ("16.2.7", OpCode::BINARY, 65535, 64),
        ("16.2.8", OpCode::PING, 125, 16),
    ];
    rows.into_iter()
        .map(|(id, opcode, size, form)| {
            let title = format!("{size} B {opcode} frame with its length in the {form}-bit form");
            let steps = move || {
                let frame = Frame::new(opcode, Bytes::from(vec![b'*'; size]));
                vec![send(vec![frame.len_form(form)])]
            };
            Case::frames(id, title, "5.2", Q_MINIMAL, steps).judge(Judge::Informational)
        })
        .collect()
}

fn length_lies() -> Vec<Case> {
    let rows: [(&str, &str, &'static str, PayloadLen, usize); 5] = [
        (
            "16.3.1",
            "Declares 100 B (7-bit form), sends 10, then pauses",
            Q_LENGTH,
            PayloadLen::Len7(100),
            10,
        ),
        (
            "16.3.2",
            "Declares 1000 B (16-bit form), sends 10, then pauses",
            Q_LENGTH,
            PayloadLen::Len16(1000),
            10,
        ),
        (
            "16.3.3",
            "Declares 2^63 - 1 B (the largest legal length), sends 8",
            Q_MSB,
            PayloadLen::Len64(u64::MAX >> 1),
            8,
        ),
        (
            "16.3.4",
            "Declares 2^32 + 5 B, sends 5 (a 32-bit reader sees 5)",
            Q_MSB,
            PayloadLen::Len64((1 << 32) + 5),
            5,
        ),
        (
            "16.3.5",
            "Declares 2^16 + 5 B, sends 5 (a 16-bit reader sees 5)",
            Q_MSB,
            PayloadLen::Len64((1 << 16) + 5),
            5,
        ),
    ];
    rows.into_iter()
        .map(|(id, title, quote, len, sent)| {
            let steps = move || {
                let frame = Frame::binary(Bytes::from(vec![b'x'; sent]));
                let bytes = frame.declared_len(len).masked(KEY).to_bytes();
                vec![
                    Step::SendBytes(bytes, Delivery::Whole),
                    Step::Wait(LIE_PAUSE),
                ]
            };
            Case::frames(id, title, "5.2", quote, steps)
                .judge(Judge::NoReply)
                .deadline(LIE_PAUSE + Duration::from_secs(1))
        })
        .collect()
}

fn huge_with_violation() -> Vec<Case> {
    vec![
        Case::frames(
            "16.4.1",
            "Reserved opcode 3 declaring 1 TiB, header only",
            "5.2",
            Q_OPCODE,
            || header_only(OpCode(3), HUGE, 0, true),
        ),
        Case::frames(
            "16.4.2",
            "Reserved control opcode 0xB declaring 1 TiB, header only",
            "5.2",
            Q_OPCODE,
            || header_only(OpCode(0xB), HUGE, 0, true),
        ),
        Case::frames(
            "16.4.3",
            "Binary frame with RSV2 declaring 1 TiB, header only",
            "5.2",
            Q_RSV,
            || header_only(OpCode::BINARY, HUGE, 2, true),
        ),
        Case::frames(
            "16.4.4",
            "Unmasked binary frame declaring 1 TiB, header only",
            "5.1",
            Q_UNMASKED,
            || header_only(OpCode::BINARY, HUGE, 0, false),
        ),
    ]
}

fn split_length_fields() -> Vec<Case> {
    vec![
        Case::frames(
            "16.5.1",
            "Text of 126 B (16-bit length) in 1-byte TCP chops",
            "5.2",
            Q_LENGTH,
            || vec![send_chopped(vec![Frame::text(vec![b'*'; 126])], 1)],
        ),
        Case::frames(
            "16.5.2",
            "Binary of 990 B, then text of 64 KiB whose 64-bit length straddles two 1000-byte writes",
            "5.2",
            Q_MSB,
            || {
                let first = Frame::binary(vec![0xFE; 990]);
                let second = Frame::text(vec![b'*'; 1 << 16]);
                vec![send_chopped(vec![first, second], 1000)]
            },
        )
        .deadline(Duration::from_secs(2)),
    ]
}

/// A frame header declaring `len` with no payload after it, sent as is:
/// masked with `KEY` when `masked`, with the given RSV bits.
fn header_only(opcode: OpCode, len: u64, rsv: u8, masked: bool) -> Vec<Step> {
    let mut frame = Frame::new(opcode, Bytes::new())
        .declared_len(PayloadLen::minimal(len))
        .rsv(rsv);
    if masked {
        frame = frame.masked(KEY);
    }
    vec![Step::SendAsIs(vec![frame], Delivery::Whole)]
}
