//! Section 22: the permessage-deflate attacks Autobahn never sends — RSV1 in
//! the wrong place, data that does not inflate, window and context
//! violations, bombs, inflated text that is not UTF-8, and compressed
//! fragments interleaved with control frames or cut into 1-byte writes.
//! Every compressed payload is written bit by bit (`codec::deflate::streams`)
//! and sent as it is; the model, an endpoint that agreed to the same
//! parameters, inflates it and says what is owed.

use bytes::Bytes;

use super::{Case, DeflateCase, Judge, Step, send, send_chopped, send_sync};
use crate::codec::deflate::{DeflateParams, streams};
use crate::codec::{CloseCode, Frame, OpCode};

/// A compressed payload, made when the case runs.
type Payload = fn() -> Vec<u8>;

/// RSV1, the "Per-Message Compressed" bit.
const RSV1: u8 = 4;

const Q_RSV1: &str = "An endpoint MUST NOT set the \"Per-Message Compressed\" bit of control frames and non-first fragments of a data message. An endpoint receiving such a frame MUST _Fail the WebSocket Connection_.";
const Q_RSV_NONE: &str = "RSV1, RSV2, RSV3: 1 bit each. MUST be 0 unless an extension is negotiated that defines meanings for non-zero values. If a nonzero value is received and none of the negotiated extensions defines the meaning of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_.";
const Q_INFLATE: &str = "An endpoint uses the following algorithm to decompress a message. 1. Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message. 2. Decompress the resulting data using DEFLATE.";
const Q_TAIL: &str = "If the resulting data does not end with an empty DEFLATE block with no compression (the \"BTYPE\" bits are set to 00), append an empty DEFLATE block with no compression to the tail end. Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end.";
const Q_CONTEXT: &str = "If the \"agreed parameters\" contain the \"client_no_context_takeover\" extension parameter, the server MAY decompress each new message with an empty LZ77 sliding window. Otherwise, the server MUST decompress each new message using the LZ77 sliding window used to process the last compressed message.";
const Q_WINDOW: &str = "If a received extension negotiation response has the \"client_max_window_bits\" extension parameter, the client MUST NOT use an LZ77 sliding window size greater than the size specified by the extension parameter value. (A receiver holds its peer to the window it agreed.)";
const Q_LIMITS: &str = "Implementations that have implementation- and/or platform-specific limitations regarding the frame size or total message size after reassembly from multiple frames MUST protect themselves against exceeding those limits.";
const Q_UTF8: &str = "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_.";

/// A frame carrying `payload` as compressed bytes (RSV1 set).
fn compressed(opcode: OpCode, payload: Vec<u8>) -> Frame {
    Frame::new(opcode, Bytes::from(payload)).rsv(RSV1)
}

/// "Hello" compressed, as RFC 7692 §7.2.3.1 writes it.
const HELLO: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];

/// A case that needs deflate with `offer`, judged by the model.
fn case(
    id: &str,
    title: &str,
    section: &'static str,
    requirement: &'static str,
    offer: DeflateParams,
    steps: impl Fn() -> Vec<Step> + Send + Sync + 'static,
) -> Case {
    Case::frames(id, title, section, requirement, steps).deflate(DeflateCase {
        offers: vec![offer],
        fragment: None,
        answer_as_offered: false,
    })
}

fn default_case(
    id: &str,
    title: &str,
    section: &'static str,
    requirement: &'static str,
    steps: impl Fn() -> Vec<Step> + Send + Sync + 'static,
) -> Case {
    case(id, title, section, requirement, DeflateParams::new(), steps)
}

/// Section 22.
pub(super) fn cases() -> Vec<Case> {
    [
        rsv1(),
        undecodable(),
        window_and_context(),
        bombs(),
        text_and_chops(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// 22.1: RSV1 where RFC 7692 §6.1 forbids it, or where nothing gave it meaning.
fn rsv1() -> Vec<Case> {
    let s = "RFC 7692 §6.1";
    vec![
        default_case("22.1.1", "Ping with RSV1 set", s, Q_RSV1, || {
            vec![send(vec![Frame::ping(&b"ping"[..]).rsv(RSV1)])]
        }),
        default_case("22.1.2", "Pong with RSV1 set", s, Q_RSV1, || {
            vec![send(vec![Frame::pong(&b"pong"[..]).rsv(RSV1)])]
        }),
        default_case("22.1.3", "Close 1000 with RSV1 set", s, Q_RSV1, || {
            vec![send(vec![Frame::close(CloseCode::NORMAL, b"").rsv(RSV1)])]
        }),
        default_case(
            "22.1.4",
            "Compressed \"Hello\" in two fragments, RSV1 on the continuation too",
            s,
            Q_RSV1,
            || {
                let first = compressed(OpCode::TEXT, HELLO[..3].to_vec()).fin(false);
                let cont = Frame::continuation(Bytes::from(HELLO[3..].to_vec())).rsv(RSV1);
                vec![send_sync(vec![first, cont])]
            },
        ),
        default_case(
            "22.1.5",
            "Uncompressed text in two fragments, RSV1 on the continuation only",
            s,
            Q_RSV1,
            || {
                let first = Frame::text(&b"Hel"[..]).fin(false);
                let cont = Frame::continuation(&b"lo"[..]).rsv(RSV1);
                vec![send_sync(vec![first, cont])]
            },
        ),
        default_case(
            "22.1.6",
            "Compressed, uncompressed (in two fragments), compressed: three valid messages, each echoed",
            "RFC 7692 §6",
            "An endpoint MAY send a message uncompressed even with permessage-deflate agreed: the \"Per-Message Compressed\" bit tells the receiver which messages to decompress.",
            || {
                // A whole message without RSV1 would be compressed by the
                // session; one in fragments goes as it is: uncompressed.
                let plain = vec![
                    Frame::text(&b"pl"[..]).fin(false),
                    Frame::continuation(&b"ain"[..]),
                ];
                let mut steps = Vec::new();
                for frames in [
                    vec![compressed(OpCode::TEXT, HELLO.to_vec())],
                    plain,
                    vec![compressed(
                        OpCode::BINARY,
                        streams::literals(b"binary, compressed"),
                    )],
                ] {
                    steps.push(send(frames));
                    steps.push(Step::AwaitEvents);
                }
                steps
            },
        ),
        default_case(
            "22.1.7",
            "A compressed message, then plain text bytes sent with RSV1 (they do not inflate)",
            "RFC 7692 §6.2",
            Q_INFLATE,
            || {
                vec![
                    send(vec![compressed(OpCode::TEXT, HELLO.to_vec())]),
                    Step::AwaitEvents,
                    send(vec![compressed(OpCode::TEXT, b"Hello, world".to_vec())]),
                ]
            },
        ),
        Case::frames(
            "22.1.8",
            "Valid compressed \"Hello\" with RSV1 set, permessage-deflate never offered",
            "5.2",
            Q_RSV_NONE,
            || vec![send(vec![compressed(OpCode::TEXT, HELLO.to_vec())])],
        ),
    ]
}

/// 22.2: compressed data that does not inflate, or ends in a form only a
/// lenient receiver accepts.
fn undecodable() -> Vec<Case> {
    let s = "RFC 7692 §6.2";
    let bad: [(&str, Payload); 5] = [
        (
            "a block of the reserved type 3",
            streams::reserved_block_type,
        ),
        (
            "a stored block whose NLEN is not the complement of LEN",
            streams::stored_length_mismatch,
        ),
        (
            "the literal/length symbol 286",
            streams::invalid_length_symbol,
        ),
        ("the distance symbol 30", streams::invalid_distance_symbol),
        ("a copy from before the first byte of the data", || {
            streams::distance_before_start(10)
        }),
    ];
    let mut out: Vec<Case> = bad
        .into_iter()
        .enumerate()
        .map(|(i, (what, payload))| {
            let title = format!("Compressed text with {what}: it does not inflate");
            default_case(
                &format!("22.2.{}", i + 1),
                &title,
                s,
                Q_INFLATE,
                move || vec![send(vec![compressed(OpCode::TEXT, payload())])],
            )
        })
        .collect();
    // Forms strict receivers fail and zlib-based ones (which stop when the
    // input or the stream ends) deliver: recorded, not judged.
    let lenient: [(&str, &'static str, Payload); 5] = [
        (
            "a stored block announcing 1000 bytes that holds 10",
            Q_INFLATE,
            streams::truncated,
        ),
        (
            "a fixed block cut off before its end-of-block code",
            Q_INFLATE,
            streams::truncated_block,
        ),
        ("a final block and nothing after it", Q_TAIL, || {
            streams::ends_with_final_block(b"Hello")
        }),
        ("its 00 00 ff ff not removed", Q_TAIL, || {
            streams::unstripped_tail(b"Hello")
        }),
        (
            "an empty payload (not the 0x00 of RFC 7692 §7.2.3.6)",
            Q_INFLATE,
            Vec::new,
        ),
    ];
    for (i, (what, q, payload)) in lenient.into_iter().enumerate() {
        let title =
            format!("Compressed text with {what} (strict receivers fail, lenient ones deliver)");
        let id = format!("22.2.{}", i + 6);
        let c = default_case(&id, &title, s, q, move || {
            vec![
                send(vec![compressed(OpCode::TEXT, payload())]),
                Step::AwaitEvents,
            ]
        });
        out.push(c.judge(Judge::Informational));
    }
    let valid: [(&str, &'static str, Payload); 2] = [
        (
            "\"Hello\" in a final block followed by an empty stored block's header (RFC 7692 §7.2.3.4): valid, echoed",
            "RFC 7692 §7.2.3.4",
            || streams::final_block(b"Hello"),
        ),
        (
            "the empty message as RFC 7692 §7.2.3.6 writes it (0x00): valid, echoed",
            "RFC 7692 §7.2.3.6",
            streams::empty_message,
        ),
    ];
    for (i, (title, section, payload)) in valid.into_iter().enumerate() {
        let id = format!("22.2.{}", i + 11);
        out.push(default_case(
            &id,
            &format!("Compressed text: {title}"),
            section,
            Q_INFLATE,
            move || vec![send(vec![compressed(OpCode::TEXT, payload())])],
        ));
    }
    out
}

/// 22.3: the window and the context the receiver agreed to.
fn window_and_context() -> Vec<Case> {
    let p = DeflateParams::new;
    let pair = || {
        let [a, b] = streams::refers_to_previous(b"context takeover, kept");
        vec![
            send(vec![compressed(OpCode::TEXT, a)]),
            Step::AwaitEvents,
            send(vec![compressed(OpCode::TEXT, b)]),
        ]
    };
    let far = || {
        vec![send(vec![compressed(
            OpCode::BINARY,
            streams::distance_back(2000, 1000),
        )])]
    };
    vec![
        default_case(
            "22.3.1",
            "A second message made of a copy from the first, context takeover agreed: valid, both echoed",
            "RFC 7692 §7.2.2",
            Q_CONTEXT,
            pair,
        ),
        // The MUSTs of 22.3.2–22.3.4 bind the sender; the receiver "MAY"
        // decompress with an empty window, and no sentence makes it refuse a
        // distance beyond the window it agreed (a larger window inflates the
        // message whole). What the server does is recorded, not judged —
        // except in 22.3.2 when its response leaves client_no_context_takeover
        // out (§7.1.1.2: it "MAY" include it): then it kept the context and
        // "MUST decompress each new message using the LZ77 sliding window used
        // to process the last compressed message" (§7.2.2), so the model judges.
        case(
            "22.3.2",
            "Offer client_no_context_takeover, then a second message that refers into the first (recorded when the response agrees to it; without it in the response both must be echoed)",
            "RFC 7692 §7.2.2",
            Q_CONTEXT,
            p().client_no_context_takeover(),
            pair,
        )
        .judge(Judge::ModelUnlessContextReset),
        case(
            "22.3.3",
            "Offer client_max_window_bits, then a copy from 1000 bytes back (beyond the window if the server agreed to 9 bits or fewer)",
            "RFC 7692 §7.1.2.2",
            Q_WINDOW,
            p().client_max_window_bits(None),
            far,
        )
        .judge(Judge::Informational),
        case(
            "22.3.4",
            "Offer client_max_window_bits=9, then a copy from 1000 bytes back (beyond the window if the server's response holds the client to 9 bits)",
            "RFC 7692 §7.1.2.2",
            Q_WINDOW,
            p().client_max_window_bits(Some(9)),
            far,
        )
        .judge(Judge::Informational),
        default_case(
            "22.3.5",
            "A copy from exactly 32,768 bytes back, the default window: valid, echoed",
            "RFC 7692 §7.1.2.2",
            Q_WINDOW,
            || vec![send(vec![compressed(OpCode::BINARY, streams::distance_back(40_000, 32_768))])],
        ),
    ]
}

/// 22.4: deflate bombs: small compressed messages that inflate far.
fn bombs() -> Vec<Case> {
    let sizes: [(u64, &str); 3] = [
        (16 << 20, "16 MiB"),
        (256 << 20, "256 MiB"),
        (1 << 30, "1 GiB"),
    ];
    sizes
        .into_iter()
        .enumerate()
        .map(|(i, (size, name))| {
            // One 258-byte copy is 13 bits: the size of the bomb, without
            // building it when the catalogue is listed.
            let kib = (size / 258 * 13 / 8) >> 10;
            let title = format!(
                "A binary message of about {kib} KiB that inflates to {name} of one byte (refused with 1009, or echoed)"
            );
            default_case(&format!("22.4.{}", i + 1), &title, "10.4", Q_LIMITS, move || {
                vec![send(vec![compressed(OpCode::BINARY, streams::bomb(size))])]
            })
            .judge(Judge::Bomb)
            .deadline(std::time::Duration::from_secs(60))
        })
        .collect()
}

/// 22.5: inflated text that is not UTF-8, and compressed fragments among
/// control frames and in 1-byte writes.
fn text_and_chops() -> Vec<Case> {
    let s8 = "8.1";
    // "κόσμε" then a lone continuation byte, compressed as literals.
    let invalid = || streams::literals(b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\x80");
    // Literal runs split so that a 3-byte sequence straddles two fragments
    // of the *compressed* bytes; its inflated bytes are valid.
    let euro = || streams::literals("price: 5 € or 6 €, paid".as_bytes());
    let fragments = |payload: Vec<u8>, op: OpCode| {
        let mid = payload.len() / 2;
        let first = compressed(op, payload[..mid].to_vec()).fin(false);
        let cont = Frame::continuation(Bytes::from(payload[mid..].to_vec()));
        (first, cont)
    };
    vec![
        default_case(
            "22.5.1",
            "Compressed text that inflates to invalid UTF-8",
            s8,
            Q_UTF8,
            move || vec![send(vec![compressed(OpCode::TEXT, invalid())])],
        ),
        default_case(
            "22.5.2",
            "Compressed text in two fragments whose inflated bytes end in a broken 3-byte sequence (e2 82 41)",
            s8,
            Q_UTF8,
            move || {
                // "€" is e2 82 ac: the inflated bytes of the first fragment
                // end with e2 82, the second starts with 41.
                let payload = streams::literals(b"one euro: \xe2\x82\x41");
                let (a, b) = fragments(payload, OpCode::TEXT);
                vec![send_sync(vec![a, b])]
            },
        ),
        default_case(
            "22.5.3",
            "Compressed text in two fragments with a ping and a pong between them: the pong and the echo owed",
            "RFC 7692 §6.1",
            "Control frames MAY be injected in the middle of a fragmented message. (RFC 6455 §5.4; RFC 7692 §6.1: RSV1 only on the first frame of the message.)",
            move || {
                let (a, b) = fragments(euro(), OpCode::TEXT);
                let ping = Frame::ping(&b"between"[..]);
                let pong = Frame::pong(&b"unasked"[..]);
                vec![send_sync(vec![a, ping, pong, b])]
            },
        ),
        default_case(
            "22.5.4",
            "The same compressed fragments, ping and pong, in 1-byte writes",
            "RFC 7692 §6.1",
            "Control frames MAY be injected in the middle of a fragmented message. (RFC 6455 §5.4; TCP may deliver any byte alone.)",
            move || {
                let (a, b) = fragments(euro(), OpCode::TEXT);
                let ping = Frame::ping(&b"between"[..]);
                let pong = Frame::pong(&b"unasked"[..]);
                vec![send_chopped(vec![a, ping, pong, b], 1)]
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bomb_titles_give_the_size_the_bomb_has() {
        for case in bombs() {
            let size: u64 = match case.id.as_str() {
                "22.4.1" => 16 << 20,
                "22.4.2" => 256 << 20,
                _ => 1 << 30,
            };
            let kib = (streams::bomb(size).len() >> 10).to_string();
            assert!(
                case.title.contains(&format!("about {kib} KiB")),
                "{}",
                case.title
            );
        }
    }
}
