//! From a case and a seed to a plan: the exact writes, waits and reads of
//! the case, every frame masked with a seeded key, and the expectation the
//! model derives from the very bytes that will be on the wire.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::catalog::{Case, Delivery, Step};
use crate::codec::{Decoder, Frame, Role};
use crate::model::{Endpoint, Expectation};

/// Largest frame the plan decoder reassembles; a longer declared length is
/// a header the model judges alone (it never completes).
const PLAN_FRAME_CAP: u64 = 1 << 30;

/// One thing the session does, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// One write to the socket (flushed).
    Write(Bytes),
    /// Waits this long.
    Wait(Duration),
    /// Waits until every event owed for the first `frames` frames arrived.
    AwaitEvents {
        /// Frames sent when the step was reached.
        frames: usize,
    },
    /// Stops reading from the socket.
    PauseReading,
    /// Reads again.
    ResumeReading,
}

/// The case made concrete.
#[derive(Clone, Debug)]
pub struct Plan {
    /// What to do, in order.
    pub actions: Vec<Action>,
    /// What a conforming server shows for the frames sent.
    pub expectation: Expectation,
    /// Stream offset at which each whole frame sent is complete.
    pub frame_ends: Vec<u64>,
    /// The frames sent, decoded back from the stream (for the wire log).
    pub frames: Vec<Frame>,
    /// Index in `actions` of the last write (the fail-fast boundary).
    pub last_write: Option<usize>,
    /// The sizes the case sends, for judging a refusal for size.
    pub sizes: Sizes,
}

/// The largest things a case sends (declared lengths, so a length lie or a
/// header alone counts with what it declares).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sizes {
    /// The largest declared frame payload.
    pub frame: u64,
    /// The largest message (sum of its frames' declared lengths).
    pub message: u64,
    /// The most frames in one message.
    pub fragments: usize,
}

impl Sizes {
    /// The sizes of `frames`, then a `trailing` header whose payload never
    /// arrives.
    pub fn of(frames: &[Frame], trailing: Option<&crate::codec::FrameHeader>) -> Sizes {
        let mut s = Sizes::default();
        let (mut message, mut fragments) = (0u64, 0usize);
        let headers = frames.iter().map(|f| &f.header).chain(trailing);
        for h in headers {
            let len = h.len.value();
            s.frame = s.frame.max(len);
            if h.opcode.is_control() {
                continue;
            }
            if h.opcode != crate::codec::OpCode::CONTINUATION {
                (message, fragments) = (0, 0);
            }
            message = message.saturating_add(len);
            fragments += 1;
            s.message = s.message.max(message);
            s.fragments = s.fragments.max(fragments);
        }
        s
    }
}

/// The fresh masking keys of a case: RFC 6455 §5.3 "the masking key MUST be
/// derived from a strong source of entropy" — here from the case seed, so a
/// run is reproducible.
pub struct MaskKeys(ChaCha8Rng);

impl MaskKeys {
    /// Keys for a case seed.
    pub fn new(seed: u64) -> MaskKeys {
        MaskKeys(ChaCha8Rng::seed_from_u64(seed))
    }

    /// The next key.
    pub fn next_key(&mut self) -> [u8; 4] {
        self.0.next_u32().to_be_bytes()
    }
}

impl Plan {
    /// The time the plan spends waiting on purpose (its `Wait`s): part of
    /// the case deadline, so load cannot eat the margin.
    pub fn pauses(&self) -> Duration {
        let waits = self.actions.iter().map(|a| match a {
            Action::Wait(d) => *d,
            _ => Duration::ZERO,
        });
        waits.sum()
    }

    /// Waits `pause` after the opening handshake before the first write: a
    /// server that closes with 1012/1013 right after its 101, without
    /// reading, is then seen doing so before any byte of the case.
    pub fn delay_start(&mut self, pause: Duration) {
        if pause.is_zero() {
            return;
        }
        self.actions.insert(0, Action::Wait(pause));
        self.last_write = self.last_write.map(|i| i + 1);
    }

    /// Builds the plan of `case` for a server, with keys from `seed`.
    pub fn new(case: &Case, seed: u64) -> Plan {
        Plan::from_steps(case.steps(), seed)
    }

    /// Builds a plan from steps, sent by a client (the tester of servers).
    pub fn from_steps(steps: Vec<Step>, seed: u64) -> Plan {
        Plan::from_steps_as(steps, seed, Role::Client)
    }

    /// Builds a plan from steps sent by `sender`. As a client, every
    /// `Send` frame without a key gets a seeded one; as a server (the
    /// tester of clients) such frames stay unmasked, and the expectation is
    /// that of a conforming endpoint in the other role.
    pub fn from_steps_as(steps: Vec<Step>, seed: u64, sender: Role) -> Plan {
        let mut keys = MaskKeys::new(seed);
        let mut actions = Vec::new();
        let mut stream = BytesMut::new();
        let mut await_offsets = Vec::new();
        for step in steps {
            match step {
                Step::Send(frames, d) => {
                    let frames = frames.into_iter().map(|f| match sender {
                        Role::Client => mask_if_needed(f, &mut keys),
                        Role::Server => f,
                    });
                    push_writes(&mut actions, &mut stream, encode_all(frames), d);
                }
                Step::SendAsIs(frames, d) => {
                    push_writes(&mut actions, &mut stream, encode_all(frames.into_iter()), d)
                }
                Step::SendBytes(bytes, d) => push_writes(&mut actions, &mut stream, vec![bytes], d),
                Step::Wait(t) => actions.push(Action::Wait(t)),
                Step::AwaitEvents => {
                    await_offsets.push((actions.len(), stream.len() as u64));
                    actions.push(Action::AwaitEvents { frames: 0 });
                }
                Step::PauseReading => actions.push(Action::PauseReading),
                Step::ResumeReading => actions.push(Action::ResumeReading),
            }
        }
        let (frames, frame_ends, expectation, sizes) = judge_stream(stream, sender.peer());
        for (i, offset) in await_offsets {
            let done = frame_ends.iter().take_while(|e| **e <= offset).count();
            actions[i] = Action::AwaitEvents { frames: done };
        }
        let last_write = actions.iter().rposition(|a| matches!(a, Action::Write(_)));
        Plan {
            actions,
            expectation,
            frame_ends,
            frames,
            last_write,
            sizes,
        }
    }
}

fn mask_if_needed(frame: Frame, keys: &mut MaskKeys) -> Frame {
    if frame.header.mask.is_some() {
        return frame;
    }
    frame.masked(keys.next_key())
}

fn encode_all(frames: impl Iterator<Item = Frame>) -> Vec<Bytes> {
    frames.map(|f| f.to_bytes()).collect()
}

/// Appends the writes of one step per its delivery.
fn push_writes(actions: &mut Vec<Action>, stream: &mut BytesMut, parts: Vec<Bytes>, d: Delivery) {
    for p in &parts {
        stream.extend_from_slice(p);
    }
    match d {
        Delivery::FrameWise => actions.extend(parts.into_iter().map(Action::Write)),
        Delivery::Whole => actions.push(Action::Write(concat(parts))),
        Delivery::PayloadParts { cuts, pause } => {
            let all = concat(parts);
            let header = crate::codec::FrameHeader::parse(&all).map_or(0, |(_, n)| n);
            let mut from = 0;
            for cut in cuts.iter().map(|c| (header + c).min(all.len())) {
                actions.push(Action::Write(all.slice(from..cut)));
                actions.push(Action::Wait(pause));
                from = cut;
            }
            actions.push(Action::Write(all.slice(from..)));
        }
        Delivery::Chops(n) => {
            let all = concat(parts);
            let n = n.max(1);
            actions.extend(
                (0..all.len())
                    .step_by(n)
                    .map(|i| Action::Write(all.slice(i..all.len().min(i + n)))),
            );
        }
    }
}

fn concat(parts: Vec<Bytes>) -> Bytes {
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    let mut all = BytesMut::with_capacity(parts.iter().map(Bytes::len).sum());
    parts.iter().for_each(|p| all.extend_from_slice(p));
    all.freeze()
}

/// Decodes the whole client stream and lets the model judge it, including
/// a trailing header whose frame never completes.
fn judge_stream(
    mut stream: BytesMut,
    receiver: Role,
) -> (Vec<Frame>, Vec<u64>, Expectation, Sizes) {
    let total = stream.len() as u64;
    let decoder = Decoder::new(PLAN_FRAME_CAP);
    let mut frames = Vec::new();
    let mut ends = Vec::new();
    while let Ok(Some(f)) = decoder.decode(&mut stream) {
        ends.push(total - stream.len() as u64);
        frames.push(f);
    }
    let trailing = crate::codec::FrameHeader::parse(&stream).map(|(h, _)| h);
    let expectation = Expectation::of_stream(Endpoint::new(receiver), &frames, trailing.as_ref());
    let sizes = Sizes::of(&frames, trailing.as_ref());
    (frames, ends, expectation, sizes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{send, send_chopped, send_sync};
    use crate::model::End;

    #[test]
    fn frames_are_masked_with_seeded_keys_and_deliveries_cut_writes() {
        let steps = vec![
            send(vec![Frame::text("ab"), Frame::text("cd")]),
            send_sync(vec![Frame::ping("")]),
        ];
        let a = Plan::from_steps(steps.clone(), 7);
        let b = Plan::from_steps(steps, 7);
        assert_eq!(a.actions, b.actions, "same seed, same bytes");
        assert_eq!(a.actions.len(), 2);
        assert!(a.frames.iter().all(|f| f.header.mask.is_some()));
        assert_ne!(a.frames[0].header.mask, a.frames[1].header.mask);
        let c = Plan::from_steps(vec![send_chopped(vec![Frame::text("hello")], 1)], 7);
        assert_eq!(c.actions.len(), 11);
        assert_eq!(c.frame_ends, [11]);
    }

    #[test]
    fn trailing_header_is_judged() {
        let lie = Frame::new(crate::codec::OpCode(0xB), "")
            .masked([1, 2, 3, 4])
            .declared_len(crate::codec::PayloadLen::Len64(1 << 40));
        let p = Plan::from_steps(vec![Step::SendAsIs(vec![lie], Delivery::Whole)], 1);
        assert!(p.frames.is_empty());
        assert!(matches!(p.expectation.end, End::Fail { frame: 0, .. }));
    }

    #[test]
    fn server_sender_keeps_frames_unmasked_and_a_client_judges() {
        let steps = vec![send(vec![Frame::text("ab")])];
        let p = Plan::from_steps_as(steps, 7, Role::Server);
        assert_eq!(p.frames[0].header.mask, None);
        assert_eq!(p.expectation.end, End::TesterCloses);
        let keyed = vec![send(vec![Frame::text("ab").masked([1, 2, 3, 4])])];
        let p = Plan::from_steps_as(keyed, 7, Role::Server);
        let End::Fail { failure, .. } = &p.expectation.end else {
            panic!("a masked server frame must fail: {:?}", p.expectation.end);
        };
        assert_eq!(
            failure.violation,
            crate::codec::Violation::MaskedServerFrame
        );
    }

    #[test]
    fn await_points_count_frames_sent_before_them() {
        let steps = vec![
            send(vec![Frame::text("a")]),
            Step::AwaitEvents,
            send(vec![Frame::text("b")]),
        ];
        let p = Plan::from_steps(steps, 1);
        assert_eq!(p.actions[1], Action::AwaitEvents { frames: 1 });
        assert_eq!(p.last_write, Some(2));
    }
}
