//! Autobahn section 5: fragmentation. Fragmented control frames and
//! continuations with nothing to continue fail the connection (1002);
//! fragmented text is reassembled and echoed; pings inside a fragmented
//! message are answered at once, before the message ends.

use std::time::Duration;

use super::case::{Case, Delivery, Step};
use crate::codec::{Frame, OpCode, Violation};

/// RFC 6455 §5.4.
const FRAGMENTED_MESSAGE: &str = "A fragmented message consists of a single frame with the FIN bit clear and an opcode other than 0, followed by zero or more frames with the FIN bit clear and the opcode set to 0, and terminated by a single frame with the FIN bit set and an opcode of 0.";
/// RFC 6455 §5.4.
const NOT_INTERLEAVED: &str = "The fragments of one message MUST NOT be interleaved between the fragments of another message unless an extension has been negotiated that can interpret the interleaving.";
/// RFC 6455 §5.4.
const SUPPORT_FRAGMENTS: &str =
    "Clients and servers MUST support receiving both fragmented and unfragmented messages.";
/// RFC 6455 §5.4.
const CONTROL_IN_MESSAGE: &str =
    "An endpoint MUST be capable of handling control frames in the middle of a fragmented message.";

fn control_rule() -> &'static str {
    Violation::ControlFrameTooLong {
        opcode: OpCode::PING,
        len: 0,
    }
    .requirement()
}

/// The three ways Autobahn writes the same frames: one write, one write
/// per frame, 1-byte chops.
const STYLES: [(Delivery, &str); 3] = [
    (Delivery::Whole, ""),
    (Delivery::FrameWise, "; one write per frame"),
    (Delivery::Chops(1), "; 1-byte chops"),
];

fn first(payload: &'static str) -> Frame {
    Frame::text(payload).fin(false)
}
fn more(payload: &'static str) -> Frame {
    Frame::continuation(payload).fin(false)
}
fn last(payload: &'static str) -> Frame {
    Frame::continuation(payload)
}

/// A case sending `frames` in one step.
fn frames_case(
    id: &str,
    title: &str,
    requirement: &'static str,
    delivery: Delivery,
    frames: fn() -> Vec<Frame>,
) -> Case {
    Case::frames(id, title, "5.4", requirement, move || {
        vec![Step::Send(frames(), delivery)]
    })
}

/// Three cases `first_id`, +1, +2: the same frames in the three styles.
fn three_styles(
    first_id: u8,
    title: &str,
    requirement: &'static str,
    frames: fn() -> Vec<Frame>,
) -> Vec<Case> {
    STYLES
        .iter()
        .zip(first_id..)
        .map(|(&(delivery, how), n)| {
            let title = format!("{title}{how}");
            frames_case(&format!("5.{n}"), &title, requirement, delivery, frames)
        })
        .collect()
}

fn fragmented_control(id: &str, opcode: OpCode, name: &str) -> Case {
    let title =
        format!("{name} in two fragments: {name} FIN=0 \"fragment1\", continuation \"fragment2\"");
    Case::frames(id, title, "5.5", control_rule(), move || {
        let frames = vec![
            Frame::new(opcode, "fragment1").fin(false),
            last("fragment2"),
        ];
        vec![Step::Send(frames, Delivery::Whole)]
    })
}

/// 5.19/5.20: text fragments 1–2 and a ping, a 1 s pause, fragments 3–4,
/// a second ping, the last fragment.
fn paused(id: &str, delivery: Delivery, how: &str) -> Case {
    let title = format!(
        "Text in 5 fragments: 1, 2, ping \"pongme 1!\", 1 s pause, 3, 4, ping \"pongme 2!\", 5{how}"
    );
    Case::frames(id, title, "5.4", CONTROL_IN_MESSAGE, move || {
        vec![
            Step::Send(
                vec![
                    first("fragment1"),
                    more("fragment2"),
                    Frame::ping("pongme 1!"),
                ],
                delivery,
            ),
            Step::Wait(Duration::from_secs(1)),
            Step::Send(
                vec![
                    more("fragment3"),
                    more("fragment4"),
                    Frame::ping("pongme 2!"),
                    last("fragment5"),
                ],
                delivery,
            ),
        ]
    })
    .deadline(Duration::from_secs(2))
}

pub(super) fn cases() -> Vec<Case> {
    let mut cases = vec![
        fragmented_control("5.1", OpCode::PING, "Ping"),
        fragmented_control("5.2", OpCode::PONG, "Pong"),
    ];
    cases.extend(three_styles(
        3,
        "Text in 2 fragments \"fragment1\" + \"fragment2\"",
        SUPPORT_FRAGMENTS,
        || vec![first("fragment1"), last("fragment2")],
    ));
    cases.extend(three_styles(
        6,
        "Text in 2 fragments with ping \"ping payload\" between them",
        CONTROL_IN_MESSAGE,
        || {
            vec![
                first("fragment1"),
                Frame::ping("ping payload"),
                last("fragment2"),
            ]
        },
    ));
    cases.extend(three_styles(
        9,
        "Continuation FIN=1 \"non-continuation payload\" with no message open, then text \"Hello, world!\"",
        FRAGMENTED_MESSAGE,
        || {
            vec![
                Frame::continuation("non-continuation payload"),
                Frame::text("Hello, world!"),
            ]
        },
    ));
    cases.extend(three_styles(
        12,
        "Continuation FIN=0 \"non-continuation payload\" with no message open, then text \"Hello, world!\"",
        FRAGMENTED_MESSAGE,
        || {
            vec![
                more("non-continuation payload"),
                Frame::text("Hello, world!"),
            ]
        },
    ));
    cases.extend([
        frames_case(
            "5.15",
            "Text \"fragment1\" + \"fragment2\", then continuation FIN=0 \"fragment3\" with no message open, then text \"fragment4\"",
            FRAGMENTED_MESSAGE,
            Delivery::Whole,
            || {
                vec![
                    first("fragment1"),
                    last("fragment2"),
                    more("fragment3"),
                    Frame::text("fragment4"),
                ]
            },
        ),
        frames_case(
            "5.16",
            "Twice: continuation FIN=0 \"fragment1\" with no message open, text FIN=0 \"fragment2\", continuation FIN=1 \"fragment3\"",
            FRAGMENTED_MESSAGE,
            Delivery::Whole,
            || {
                let round = [more("fragment1"), first("fragment2"), last("fragment3")];
                round.iter().chain(round.iter()).cloned().collect()
            },
        ),
        frames_case(
            "5.17",
            "Twice: continuation FIN=1 \"fragment1\" with no message open, text FIN=0 \"fragment2\", continuation FIN=1 \"fragment3\"",
            FRAGMENTED_MESSAGE,
            Delivery::Whole,
            || {
                let round = [last("fragment1"), first("fragment2"), last("fragment3")];
                round.iter().chain(round.iter()).cloned().collect()
            },
        ),
        frames_case(
            "5.18",
            "Text FIN=0 \"fragment1\", then text (not continuation) FIN=1 \"fragment2\"",
            NOT_INTERLEAVED,
            Delivery::Whole,
            || vec![first("fragment1"), Frame::text("fragment2")],
        ),
        paused("5.19", Delivery::Whole, ""),
        paused("5.20", Delivery::FrameWise, "; one write per frame"),
    ]);
    cases
}
