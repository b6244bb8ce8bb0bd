//! The plan of a case that needs permessage-deflate, once the agreement is
//! known: each whole data message is compressed for the tester's sending
//! direction (RFC 7692 §7.2.1) and its compressed bytes cut into frames of
//! the case's fragment size, as Autobahn's auto-fragmentation does. Frames
//! a case already marks with RSV1 (the deflate attacks of section 22) go as
//! they are. The model judges what is written as an endpoint that agreed to
//! the same parameters: it inflates every compressed message the case made
//! itself, so what it owes (an echo, or the failure an attack calls for)
//! comes from the same bytes as the wire. The messages this module
//! compresses come with their plain bytes; when a case writes no
//! compressed bytes of its own, the model owes those plain bytes without
//! inflating the `Deflater`'s output a second time (its round trip is the
//! codec's, proved by `codec/deflate/tests/round_trip.rs` for every window
//! and context), which halves the tester's work in sections 12, 13 and 21.

use std::collections::VecDeque;

use bytes::Bytes;

use super::observe::Compressed;
use super::plan::Plan;
use crate::catalog::{DeflateCase, Step};
use crate::codec::deflate::{Agreement, Deflater};
use crate::codec::{Body, Frame, OpCode, Role};
use crate::model::Limits;

/// zlib level of the tester's compressor: fast; the ratio is not judged.
const LEVEL: u32 = 1;

/// RSV1, the "Per-Message Compressed" bit (RFC 7692 §6).
const RSV1: u8 = 4;

/// The plan of `steps` sent by `sender` under `agreement`, and the volume
/// of the messages it compresses.
pub(super) fn compressed_plan(
    steps: Vec<Step>,
    deflate: &DeflateCase,
    agreement: &Agreement,
    sender: Role,
    seed: u64,
) -> (Plan, Compressed) {
    let mut volume = Compressed::default();
    let mut deflater = Deflater::new(agreement.sending(sender), LEVEL);
    let mut hints = VecDeque::new();
    let wire = steps.into_iter().map(|step| match step {
        Step::Send(frames, d) => {
            let mut w = Vec::with_capacity(frames.len());
            for f in frames {
                compress_frame(
                    f,
                    &mut deflater,
                    deflate.fragment,
                    &mut w,
                    &mut hints,
                    &mut volume,
                );
            }
            Step::Send(w, d)
        }
        other => other,
    });
    let wire: Vec<Step> = wire.collect();
    // The receiver holds the tester to the agreed parameters of the
    // tester's direction, the tester's own hints aside (§7.1.2.2).
    let limits = Limits {
        deflate: Some(agreement.receiving(sender.peer())),
        ..Limits::default()
    };
    // Every hint is a message this Deflater compressed. Unless the case
    // also writes compressed bytes of its own (a `None` hint, or frames and
    // bytes sent as they are, which the model decodes itself), the model
    // owes them without inflating its own compressor's output again.
    let own = wire
        .iter()
        .all(|s| !matches!(s, Step::SendAsIs(..) | Step::SendBytes(..)));
    let plan = Plan::judged_with_hints(wire, seed, sender, limits, hints, own);
    (plan, volume)
}

/// One frame as sent: a whole text or binary message without RSV bits is
/// compressed (and what it inflates to noted in `hints`); anything else goes
/// as it is (RFC 7692 §6: a message may be sent uncompressed even with
/// deflate agreed).
fn compress_frame(
    f: Frame,
    deflater: &mut Deflater,
    fragment: Option<usize>,
    wire: &mut Vec<Frame>,
    hints: &mut VecDeque<Option<Body>>,
    volume: &mut Compressed,
) {
    let op = f.header.opcode;
    let data = matches!(op, OpCode::TEXT | OpCode::BINARY);
    let whole = f.header.fin && f.header.rsv == 0 && data;
    if !whole {
        if data && f.header.rsv1() {
            // Compressed by the case itself: the model inflates it unaided.
            hints.push_back(None);
        }
        wire.push(f);
        return;
    }
    hints.push_back(Some(Body::Bytes(f.payload.clone())));
    let compressed = Bytes::from(deflater.compress(&f.payload));
    volume.add(compressed.len() as u64, f.payload.len() as u64);
    let size = fragment.unwrap_or(compressed.len()).max(1);
    let parts: Vec<Bytes> = if compressed.is_empty() {
        vec![compressed]
    } else {
        (0..compressed.len())
            .step_by(size)
            .map(|i| compressed.slice(i..compressed.len().min(i + size)))
            .collect()
    };
    let n = parts.len();
    for (i, part) in parts.into_iter().enumerate() {
        let opcode = if i == 0 { op } else { OpCode::CONTINUATION };
        let frame = Frame::new(opcode, part).fin(i + 1 == n);
        // RFC 7692 §6.1: the bit is set "on the first frame" of the message only.
        wire.push(if i == 0 { frame.rsv(RSV1) } else { frame });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::send_sync;
    use crate::codec::deflate::{DeflateParams, InflateConfig, Inflater};
    use crate::model::End;

    fn agreement() -> Agreement {
        Agreement {
            offer: DeflateParams::new(),
            response: DeflateParams::new(),
        }
    }

    #[test]
    fn messages_are_compressed_then_fragmented_and_the_model_owes_the_plain_echo() {
        let text = "hello hello hello hello ".repeat(40);
        let steps = vec![send_sync(vec![Frame::text(text.clone())])];
        let dc = DeflateCase {
            offers: vec![DeflateParams::new()],
            fragment: Some(8),
            answer_as_offered: false,
        };
        let a = agreement();
        let (plan, _) = compressed_plan(steps, &dc, &a, Role::Client, 3);
        assert!(plan.frames.len() > 1, "cut into fragments of 8 bytes");
        assert_eq!(plan.frames[0].header.rsv, RSV1);
        assert!(plan.frames[1..].iter().all(|f| f.header.rsv == 0));
        assert!(
            plan.frames[1..]
                .iter()
                .all(|f| f.header.opcode == OpCode::CONTINUATION)
        );
        let compressed: Vec<u8> = plan
            .frames
            .iter()
            .flat_map(|f| f.payload.to_vec())
            .collect();
        let mut inflater = Inflater::new(InflateConfig::new(a.receiving(Role::Server), 1 << 20));
        assert_eq!(
            inflater.inflate_to_vec(&compressed).unwrap(),
            text.as_bytes()
        );
        assert_eq!(plan.expectation.end, End::TesterCloses);
        assert_eq!(plan.expectation.events.len(), 1);
    }

    #[test]
    fn a_case_that_writes_compressed_bytes_of_its_own_is_inflated_by_the_model() {
        // The tester's own message, then one compressed by the case itself
        // (sent as it is): the model must inflate both, the second being no
        // DEFLATE stream, so it owes the failure. Trusting the first alone
        // would leave the model's window without it (and trips its check).
        let crafted = Frame::text(&b"\xff\xff\xff"[..])
            .rsv(RSV1)
            .masked([1, 2, 3, 4]);
        let steps = vec![
            send_sync(vec![Frame::text("hello hello hello")]),
            Step::SendAsIs(vec![crafted], crate::catalog::Delivery::Whole),
        ];
        let dc = DeflateCase {
            offers: vec![DeflateParams::new()],
            fragment: None,
            answer_as_offered: false,
        };
        let (plan, _) = compressed_plan(steps, &dc, &agreement(), Role::Client, 3);
        let End::Fail { failure, .. } = &plan.expectation.end else {
            panic!("owed: {:?}", plan.expectation.end);
        };
        assert!(
            matches!(
                failure.violation,
                crate::codec::Violation::BadCompressedData { .. }
            ),
            "{:?}",
            failure.violation
        );
    }
}
