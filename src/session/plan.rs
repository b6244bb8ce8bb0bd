//! From a case and a seed to a plan: the exact writes, waits and reads of
//! the case, every frame masked with a seeded key, and the expectation the
//! model derives from the very bytes that will be on the wire.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use super::bounds::{WIRE_LOG_LIMIT, WIRE_PAYLOAD_HEAD};
use super::transmit::Stream;
use crate::catalog::{Case, Delivery, Generated, Step};
use crate::codec::{Body, Decoder, Frame, FrameHeader, OpCode, Role};
use crate::model::{Endpoint, Expectation, ExpectationBuilder, Limits, Reaction};

/// Payload bytes of a sent frame kept for the wire log.
const LOGGED_HEAD: u64 = WIRE_PAYLOAD_HEAD as u64;

/// Largest frame the plan decoder reassembles; a longer declared length is
/// a header the model judges alone (it never completes).
const PLAN_FRAME_CAP: u64 = 1 << 30;

/// One thing the session does, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// One write to the socket (flushed).
    Write(Bytes),
    /// The writes of `Plan::streams[index]`, produced as they are written.
    Stream {
        /// Index in `Plan::streams`.
        index: usize,
    },
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
    /// The first frames sent (as many as the wire log keeps), decoded back
    /// from the stream, with a copy of the head of their payload: a flood
    /// of 100,000 frames is not kept twice.
    pub frames: Vec<Frame>,
    /// Index of the case's first Close frame, if it sends one.
    pub first_close: Option<usize>,
    /// The generated messages the plan writes.
    pub streams: Vec<Stream>,
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
    pub fn of(frames: &[Frame], trailing: Option<&FrameHeader>) -> Sizes {
        Sizes::of_headers(frames.iter().map(|f| &f.header).chain(trailing))
    }

    /// The sizes of a sequence of headers.
    pub fn of_headers<'a>(headers: impl Iterator<Item = &'a FrameHeader>) -> Sizes {
        let mut counter = SizeCounter::default();
        headers.for_each(|h| counter.push(h));
        counter.sizes
    }
}

/// Sizes counted a header at a time.
#[derive(Clone, Copy, Debug, Default)]
struct SizeCounter {
    sizes: Sizes,
    message: u64,
    fragments: usize,
}

impl SizeCounter {
    fn push(&mut self, h: &FrameHeader) {
        let (s, len) = (&mut self.sizes, h.len.value());
        s.frame = s.frame.max(len);
        if h.opcode.is_control() {
            return;
        }
        if h.opcode != crate::codec::OpCode::CONTINUATION {
            (self.message, self.fragments) = (0, 0);
        }
        self.message = self.message.saturating_add(len);
        self.fragments += 1;
        s.message = s.message.max(self.message);
        s.fragments = s.fragments.max(self.fragments);
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
        Plan::judged_by(steps, seed, sender, Limits::default())
    }

    /// As [`Plan::from_steps_as`], judged by a conforming endpoint with
    /// `limits` (the plan of a compressed case: an endpoint that agreed to
    /// permessage-deflate inflates what is written).
    pub fn judged_by(steps: Vec<Step>, seed: u64, sender: Role, limits: Limits) -> Plan {
        Plan::judged_with_hints(steps, seed, sender, limits, VecDeque::new(), false)
    }

    /// As [`Plan::judged_by`], with what each compressed message written
    /// inflates to, in order (`None` for one the case wrote compressed
    /// itself): the model compares instead of copying. When every one has
    /// its plain message and all were compressed by the codec's `Deflater`
    /// (`own_compressor`), the model owes the plain messages without
    /// inflating them ([`Endpoint::trust_compressor`]).
    pub fn judged_with_hints(
        steps: Vec<Step>,
        seed: u64,
        sender: Role,
        limits: Limits,
        hints: VecDeque<Option<Body>>,
        own_compressor: bool,
    ) -> Plan {
        let mut keys = MaskKeys::new(seed);
        let mut b = Builder::new(Endpoint::with_limits(sender.peer(), limits));
        if own_compressor && hints.iter().all(Option::is_some) {
            b.model.trust_compressor();
        }
        b.hints = hints;
        let mut await_offsets = Vec::new();
        for step in steps {
            match step {
                Step::Send(frames, d) => {
                    let frames: Vec<Frame> = frames
                        .into_iter()
                        .map(|f| match sender {
                            Role::Client => mask_if_needed(f, &mut keys),
                            Role::Server => f,
                        })
                        .collect();
                    b.push_frames(frames, d);
                }
                Step::SendAsIs(frames, d) => b.push_frames(frames, d),
                Step::SendBytes(bytes, d) => b.push_writes(raw(bytes), d),
                Step::SendGenerated(g, d) => b.push_stream(g, d, sender, &mut keys),
                Step::Wait(t) => b.actions.push(Action::Wait(t)),
                Step::AwaitEvents => {
                    await_offsets.push((b.actions.len(), b.offset()));
                    b.actions.push(Action::AwaitEvents { frames: 0 });
                }
                Step::PauseReading => b.actions.push(Action::PauseReading),
                Step::ResumeReading => b.actions.push(Action::ResumeReading),
            }
        }
        let trailing = b.decode_pending();
        let expectation = b.model.finish(trailing.as_ref());
        if let Some(h) = &trailing {
            b.sizes.push(h);
        }
        let mut sizes = b.sizes.sizes;
        // A compressed message's size is what it inflates to.
        let delivered = expectation.events.iter().filter_map(|e| match &e.reaction {
            Reaction::Message { payload, .. } => Some(payload.len()),
            _ => None,
        });
        sizes.message = sizes.message.max(delivered.max().unwrap_or(0));
        let mut actions = b.actions;
        for (i, offset) in await_offsets {
            let done = b.frame_ends.iter().take_while(|e| **e <= offset).count();
            actions[i] = Action::AwaitEvents { frames: done };
        }
        let last_write = actions
            .iter()
            .rposition(|a| matches!(a, Action::Write(_) | Action::Stream { .. }));
        Plan {
            actions,
            expectation,
            frame_ends: b.frame_ends,
            frames: b.frames,
            first_close: b.first_close,
            streams: b.streams,
            last_write,
            sizes,
        }
    }

    /// The messages owed, in order (what the peer's echoes are compared with).
    pub fn owed_messages(&self) -> Vec<Body> {
        let messages = self.expectation.events.iter();
        let bodies = messages.filter_map(|e| match &e.reaction {
            Reaction::Message { payload, .. } => Some(payload.clone()),
            _ => None,
        });
        bodies.collect()
    }
}

/// The plan being built: actions, and the frames sent as the model sees
/// them (decoded back from the bytes, or generated), judged as they come.
struct Builder {
    actions: Vec<Action>,
    /// Written bytes not yet decoded into frames.
    pending: BytesMut,
    /// Stream offset of the first byte of `pending`.
    base: u64,
    frame_ends: Vec<u64>,
    frames: Vec<Frame>,
    first_close: Option<usize>,
    model: ExpectationBuilder,
    sizes: SizeCounter,
    /// Frames given to the model.
    count: usize,
    streams: Vec<Stream>,
    /// What the compressed messages still to come inflate to.
    hints: VecDeque<Option<Body>>,
}

impl Builder {
    fn new(receiver: Endpoint) -> Builder {
        Builder {
            actions: Vec::new(),
            pending: BytesMut::new(),
            base: 0,
            frame_ends: Vec::new(),
            frames: Vec::new(),
            first_close: None,
            model: ExpectationBuilder::new(receiver),
            sizes: SizeCounter::default(),
            count: 0,
            streams: Vec::new(),
            hints: VecDeque::new(),
        }
    }

    /// The next frame sent: to the model, the sizes and the wire log.
    fn judge(&mut self, header: FrameHeader, body: Body) {
        let starts_compressed =
            header.rsv1() && matches!(header.opcode, OpCode::TEXT | OpCode::BINARY);
        if starts_compressed && let Some(hint) = self.hints.pop_front() {
            self.model.expect_inflated(hint);
        }
        self.log(header, &body);
        self.model.push(&header, &body);
        self.sizes.push(&header);
        self.count += 1;
    }

    /// Bytes of the case written so far.
    fn offset(&self) -> u64 {
        self.base + self.pending.len() as u64
    }

    fn push_writes(&mut self, encoded: Encoded, d: Delivery) {
        self.pending.extend_from_slice(&encoded.all);
        push_writes(&mut self.actions, encoded, d);
    }

    /// Frames to encode and write. When every one declares its true length
    /// and nothing undecoded precedes them, the bytes decode back to exactly
    /// these frames, so the model takes them as they are (a flood of
    /// 100,000 frames is not copied a second time to be decoded).
    fn push_frames(&mut self, frames: Vec<Frame>, d: Delivery) {
        let honest = frames
            .iter()
            .all(|f| f.header.len.value() == f.payload.len() as u64);
        let encoded = encode_all(frames.iter().cloned());
        if !honest || !self.pending.is_empty() {
            return self.push_writes(encoded, d);
        }
        for (f, end) in frames.into_iter().zip(&encoded.ends) {
            self.frame_ends.push(self.base + *end as u64);
            self.judge(f.header, Body::Bytes(f.payload));
        }
        self.base += encoded.all.len() as u64;
        push_writes(&mut self.actions, encoded, d);
    }

    /// A generated message: its frames go to the model with their bodies
    /// and to the wire log with a head, its bytes to one `Stream` action.
    fn push_stream(&mut self, g: Generated, d: Delivery, sender: Role, keys: &mut MaskKeys) {
        // Bytes written before start on a frame boundary in every case of
        // the catalogue; whatever of them does not decode stays pending.
        let _ = self.decode_pending();
        let mut next_key = || keys.next_key();
        let key_source: Option<&mut dyn FnMut() -> [u8; 4]> = match sender {
            Role::Client => Some(&mut next_key),
            Role::Server => None,
        };
        let stream = Stream::repeated(g.opcode, g.body, g.fragment, g.repeat, d, key_source);
        let mut end = self.offset();
        for i in 0..stream.frame_count() {
            let (header, body) = (stream.header(i), stream.payload(i));
            end += stream.frame_wire_len(i);
            self.frame_ends.push(end);
            self.judge(header, body);
        }
        self.base = end - self.pending.len() as u64;
        self.actions.push(Action::Stream {
            index: self.streams.len(),
        });
        self.streams.push(stream);
    }

    /// Notes frame `count` for the wire log and the tester's Close.
    fn log(&mut self, header: FrameHeader, body: &Body) {
        let index = self.count;
        if header.opcode == crate::codec::OpCode::CLOSE {
            self.first_close.get_or_insert(index);
        }
        if self.frames.len() < WIRE_LOG_LIMIT {
            let payload = Bytes::copy_from_slice(&body.bytes_at(0, LOGGED_HEAD as usize));
            self.frames.push(Frame { header, payload });
        }
    }

    /// Decodes the whole frames written so far; returns the header of a
    /// trailing frame that has not (yet) completed.
    fn decode_pending(&mut self) -> Option<FrameHeader> {
        let decoder = Decoder::new(PLAN_FRAME_CAP);
        let mut before = self.pending.len();
        while let Ok(Some(f)) = decoder.decode(&mut self.pending) {
            self.base += (before - self.pending.len()) as u64;
            before = self.pending.len();
            self.frame_ends.push(self.base);
            self.judge(f.header, Body::Bytes(f.payload));
        }
        FrameHeader::parse(&self.pending).map(|(h, _)| h)
    }
}

fn mask_if_needed(frame: Frame, keys: &mut MaskKeys) -> Frame {
    if frame.header.mask.is_some() {
        return frame;
    }
    frame.masked(keys.next_key())
}

/// The frames of one step encoded into one buffer, and where each ends.
struct Encoded {
    all: Bytes,
    ends: Vec<usize>,
}

fn encode_all(frames: impl Iterator<Item = Frame>) -> Encoded {
    let mut all = BytesMut::new();
    let mut ends = Vec::new();
    for f in frames {
        f.encode(&mut all);
        ends.push(all.len());
    }
    Encoded {
        all: all.freeze(),
        ends,
    }
}

fn raw(bytes: Bytes) -> Encoded {
    let ends = vec![bytes.len()];
    Encoded { all: bytes, ends }
}

/// Appends the writes of one step per its delivery.
fn push_writes(actions: &mut Vec<Action>, encoded: Encoded, d: Delivery) {
    let all = encoded.all;
    match d {
        Delivery::FrameWise => {
            let starts = std::iter::once(0).chain(encoded.ends.iter().copied());
            let frames = starts.zip(&encoded.ends).map(|(a, b)| all.slice(a..*b));
            actions.extend(frames.map(Action::Write))
        }
        Delivery::Whole => actions.push(Action::Write(all)),
        Delivery::PayloadParts { cuts, pause } => {
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
            let n = n.max(1);
            actions.extend(
                (0..all.len())
                    .step_by(n)
                    .map(|i| Action::Write(all.slice(i..all.len().min(i + n)))),
            );
        }
    }
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

    /// The model takes honest frames as they are, without decoding their
    /// bytes: for every case of the catalogue that must be what decoding
    /// the written bytes gives.
    #[test]
    fn frames_taken_as_they_are_are_what_the_bytes_decode_to() {
        'cases: for case in crate::catalog::all(crate::catalog::Profile::Quick) {
            let plan = Plan::new(&case, 3);
            let mut wire = BytesMut::new();
            for a in &plan.actions {
                match a {
                    Action::Write(b) => wire.extend_from_slice(b),
                    Action::Stream { .. } => continue 'cases,
                    _ => {}
                }
            }
            let total = wire.len() as u64;
            let decoder = Decoder::new(PLAN_FRAME_CAP);
            let (mut frames, mut ends) = (Vec::new(), Vec::new());
            while let Ok(Some(f)) = decoder.decode(&mut wire) {
                ends.push(total - wire.len() as u64);
                frames.push(f);
            }
            let trailing = FrameHeader::parse(&wire).map(|(h, _)| h);
            let e = Expectation::of_stream(Endpoint::new(Role::Server), &frames, trailing.as_ref());
            assert_eq!(plan.expectation, e, "{}", case.id);
            assert_eq!(plan.frame_ends, ends, "{}", case.id);
        }
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
