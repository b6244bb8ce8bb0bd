//! The data messages of a deflate input, as the deflate mutators see them:
//! where each starts and ends (control frames may lie between its
//! fragments), which are compressed (RSV1 on the first frame, RFC 7692
//! §6), where a message may be inserted, and replacing one.

use super::input::Input;
use super::rng::Gen;
use crate::codec::{Frame, OpCode};

/// One data message of an input: its first and last frame (control frames
/// may lie between), and whether its first frame carries RSV1.
#[derive(Clone, Copy, Debug)]
pub(super) struct Message {
    pub(super) first: usize,
    pub(super) last: usize,
    pub(super) compressed: bool,
}

/// The complete data messages of `input`, in order.
pub(super) fn messages(input: &Input) -> Vec<Message> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, f) in input.frames.iter().enumerate() {
        let h = &f.header;
        let start = |first: usize| Message {
            first,
            last: i,
            compressed: input.frames[first].header.rsv1(),
        };
        match h.opcode {
            OpCode::TEXT | OpCode::BINARY if h.fin => {
                open = None;
                out.push(start(i));
            }
            OpCode::TEXT | OpCode::BINARY => open = Some(i),
            OpCode::CONTINUATION if h.fin => {
                if let Some(first) = open.take() {
                    out.push(start(first));
                }
            }
            _ => {}
        }
    }
    out
}

/// Indices where a message may be inserted: no data message open there.
pub(super) fn boundaries(input: &Input) -> Vec<usize> {
    let mut out = vec![0];
    let mut open = false;
    for (i, f) in input.frames.iter().enumerate() {
        let h = &f.header;
        match h.opcode {
            OpCode::TEXT | OpCode::BINARY => open = !h.fin,
            OpCode::CONTINUATION if h.fin => open = false,
            _ => {}
        }
        if !open {
            out.push(i + 1);
        }
    }
    out
}

/// A message chosen among those `pick` accepts.
pub(super) fn choose(
    input: &Input,
    g: &mut Gen,
    pick: impl Fn(&Message) -> bool,
) -> Option<Message> {
    let ms: Vec<Message> = messages(input).into_iter().filter(pick).collect();
    (!ms.is_empty()).then(|| ms[g.below(ms.len())])
}

/// Replaces message `m` (its data frames; control frames between them are
/// kept after it) with `frames`.
pub(super) fn replace(input: &mut Input, m: Message, frames: Vec<Frame>) {
    let controls: Vec<Frame> = input.frames[m.first..=m.last]
        .iter()
        .filter(|f| f.header.opcode.is_control())
        .cloned()
        .collect();
    let new: Vec<Frame> = frames.into_iter().chain(controls).collect();
    input.frames.splice(m.first..=m.last, new);
    input.pauses.clear();
}

/// The payload bytes of message `m`'s data frames.
pub(super) fn message_bytes(input: &Input, m: Message) -> Vec<u8> {
    input.frames[m.first..=m.last]
        .iter()
        .filter(|f| !f.header.opcode.is_control())
        .flat_map(|f| f.payload.iter().copied())
        .collect()
}
