//! The plan of a case that needs permessage-deflate, once the agreement is
//! known: each whole data message is compressed for the tester's sending
//! direction (RFC 7692 §7.2.1) and its compressed bytes cut into frames of
//! the case's fragment size, as Autobahn's auto-fragmentation does. The
//! model judges the same frames uncompressed — the same count, opcodes and
//! FIN bits, each carrying a slice of the message — so what it owes (echoes
//! of the inflated messages) lines up frame for frame with the wire.

use bytes::Bytes;

use super::observe::Compressed;
use super::plan::Plan;
use crate::catalog::{DeflateCase, Step};
use crate::codec::deflate::{Agreement, Deflater};
use crate::codec::{Frame, OpCode, Role};

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
    let mut wire = Vec::with_capacity(steps.len());
    let mut model = Vec::with_capacity(steps.len());
    for step in steps {
        let Step::Send(frames, d) = step else {
            wire.push(step.clone());
            model.push(step);
            continue;
        };
        let (mut w, mut m) = (Vec::new(), Vec::new());
        for f in frames {
            compress_frame(
                f,
                &mut deflater,
                deflate.fragment,
                &mut w,
                &mut m,
                &mut volume,
            );
        }
        wire.push(Step::Send(w, d));
        model.push(Step::Send(m, d));
    }
    let (expectation, sizes) = Plan::judged_only(model, seed, sender);
    let mut plan = Plan::from_steps_as(wire, seed, sender);
    plan.expectation = expectation;
    plan.sizes = sizes;
    (plan, volume)
}

/// One frame as sent (`wire`) and as the model sees it (`model`): a whole
/// text or binary message is compressed; anything else goes as it is (RFC
/// 7692 §6: a message may be sent uncompressed even with deflate agreed).
fn compress_frame(
    f: Frame,
    deflater: &mut Deflater,
    fragment: Option<usize>,
    wire: &mut Vec<Frame>,
    model: &mut Vec<Frame>,
    volume: &mut Compressed,
) {
    let op = f.header.opcode;
    let whole = f.header.fin && f.header.rsv == 0 && matches!(op, OpCode::TEXT | OpCode::BINARY);
    if !whole {
        wire.push(f.clone());
        model.push(f);
        return;
    }
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
    let plain = &f.payload;
    for (i, part) in parts.into_iter().enumerate() {
        let opcode = if i == 0 { op } else { OpCode::CONTINUATION };
        let last = i + 1 == n;
        let frame = Frame::new(opcode, part).fin(last);
        // RFC 7692 §6.1: the bit is set "on the first frame" of the message only.
        wire.push(if i == 0 { frame.rsv(RSV1) } else { frame });
        let (from, to) = (plain.len() * i / n, plain.len() * (i + 1) / n);
        model.push(Frame::new(opcode, plain.slice(from..to)).fin(last));
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
}
