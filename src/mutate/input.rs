//! A mutated input: frames exactly as they go on the wire, how they are
//! written, and the catalogue steps and judge that express it.

use std::time::Duration;

use bytes::{Bytes, BytesMut};

use crate::catalog::{Delivery, Judge, Step};
use crate::codec::deflate::{Agreement, DeflateParams, Direction};
use crate::codec::{Decoder, Frame, FrameHeader, OpCode, Role, Violation};
use crate::model::{End, Endpoint, Expectation, Limits};

/// Frames the model reassembles at most (a larger declared length is a
/// header the model judges alone), as in the session's plan.
const MODEL_FRAME_CAP: u64 = 1 << 30;

/// Bytes a lying frame lacks at least, so that the tester's own closing
/// frame, sent after the input, can never complete it (the length
/// mutators keep to it, and [`Input::judge`] relies on it).
pub const MIN_SHORTFALL: usize = 64;

/// One fuzz input. Every frame carries its final mask key (or none): the
/// bytes are exactly what the encoder writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The base scenario it grew from.
    pub scenario: &'static str,
    /// Names of the mutators applied, in order.
    pub mutators: Vec<&'static str>,
    /// The frames, header and unmasked payload each, written as they are.
    pub frames: Vec<Frame>,
    /// How the bytes of each group of frames reach the socket.
    pub delivery: Delivery,
    /// Frame indices after which the writer pauses for `pause`.
    pub pauses: Vec<usize>,
    /// The length of each pause.
    pub pause: Duration,
    /// The permessage-deflate offer sent with the opening handshake, when
    /// the input needs deflate (a server that declines makes it
    /// UNIMPLEMENTED). Its compressed messages are already in `frames`.
    pub deflate: Option<DeflateParams>,
    /// A judge set by a mutator instead of `Model` (a judge for an
    /// incomplete frame, which a length mutator stacked on it makes, wins):
    /// `Bomb` for a deflate bomb (refusing it for its size is correct), or
    /// `Informational` for a form strict receivers refuse and lenient ones
    /// deliver (a truncated DEFLATE stream, a copy beyond a window the
    /// server may not enforce), or `ModelUnlessContextReset` for a copy into
    /// the previous message (owed unless the response resets the context).
    pub judge_as: Option<Judge>,
}

impl Input {
    /// An unmutated input of `frames` written whole.
    pub fn new(scenario: &'static str, frames: Vec<Frame>) -> Input {
        Input {
            scenario,
            mutators: Vec::new(),
            frames,
            delivery: Delivery::Whole,
            pauses: Vec::new(),
            pause: Duration::ZERO,
            deflate: None,
            judge_as: None,
        }
    }

    /// An unmutated input that offers permessage-deflate with `offer`.
    pub fn with_deflate(scenario: &'static str, frames: Vec<Frame>, offer: DeflateParams) -> Input {
        Input {
            deflate: Some(offer),
            ..Input::new(scenario, frames)
        }
    }

    /// True when the input negotiates permessage-deflate.
    pub fn is_deflate(&self) -> bool {
        self.deflate.is_some()
    }

    /// The direction the model holds the tester's compressed messages to
    /// before the server's response is known: the offer accepted as it is
    /// (the session judges with the real agreement).
    pub fn assumed_direction(&self) -> Option<Direction> {
        self.deflate.map(|offer| {
            let response = DeflateParams {
                client_max_window_bits: offer.client_max_window_bits.map(|b| b.or(Some(15))),
                ..offer
            };
            Agreement { offer, response }.receiving(Role::Server)
        })
    }

    /// The input as catalogue steps: frames sent as they are (keys
    /// included), split into groups at the pauses.
    pub fn steps(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut group = Vec::new();
        for (i, f) in self.frames.iter().enumerate() {
            group.push(f.clone());
            if self.pauses.contains(&i) && i + 1 < self.frames.len() {
                steps.push(Step::SendAsIs(std::mem::take(&mut group), self.delivery));
                steps.push(Step::Wait(self.pause));
            }
        }
        if !group.is_empty() {
            steps.push(Step::SendAsIs(group, self.delivery));
        }
        steps
    }

    /// Every byte sent, in order.
    pub fn wire(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.frames.iter().for_each(|f| f.encode(&mut out));
        out.freeze()
    }

    /// What a conforming server shows for the exact bytes, and whether the
    /// stream ends inside a frame.
    pub fn expectation(&self) -> (Expectation, bool) {
        let (exp, shortfall) = expect_stream_with(self.wire(), self.assumed_direction());
        (exp, shortfall.is_some())
    }

    /// How the outcome is judged: by the model, unless a length lie leaves
    /// an incomplete frame that does not already call for failing — then
    /// the server must only not reply to it (`NoReply`), or, when earlier
    /// frames owe replies, stay alive and keep to the protocol (`Survive`).
    ///
    /// A frame that lacks fewer than [`MIN_SHORTFALL`]
    /// bytes could be completed by the tester's own Close sent after the
    /// input; only survival is judged then.
    ///
    /// A mutator's `judge_as` replaces `Model` only when the stream ends on
    /// a frame boundary: a length lie stacked on a bomb (or a cut that drops
    /// it) leaves the judge the bytes call for. Two stay whatever follows:
    /// `Informational` (the model's failure may be the strict answer to a
    /// form the receiver may accept), and `ModelUnlessContextReset` where
    /// the model fails (the failure may be the copy into the previous
    /// message).
    ///
    /// A compressed message cut short (a length lie or a dropped fragment on
    /// a deflate input does that) is `Informational` too: strict receivers
    /// fail, zlib-based ones deliver what inflated, as for 22.2.6–22.2.8.
    pub fn judge(&self) -> Judge {
        if self.judge_as == Some(Judge::Informational) {
            return Judge::Informational;
        }
        let (exp, shortfall) = expect_stream_with(self.wire(), self.assumed_direction());
        if cuts_compressed_data(&exp.end) {
            return Judge::Informational;
        }
        let short = shortfall.is_some_and(|n| n < MIN_SHORTFALL as u64);
        match (&exp.end, shortfall, exp.events.is_empty()) {
            (_, None, _) => self.judge_as.unwrap_or(Judge::Model),
            (End::Fail { .. }, Some(_), _) => match self.judge_as {
                Some(Judge::ModelUnlessContextReset) => Judge::ModelUnlessContextReset,
                _ => Judge::Model,
            },
            (_, Some(_), true) if !short => Judge::NoReply,
            _ => Judge::Survive,
        }
    }

    /// Total bytes on the wire.
    pub fn wire_len(&self) -> usize {
        self.frames.iter().map(Frame::wire_len).sum()
    }

    /// Indices of frames with `opcode`.
    pub fn indices_of(&self, opcode: OpCode) -> Vec<usize> {
        (0..self.frames.len())
            .filter(|&i| self.frames[i].header.opcode == opcode)
            .collect()
    }

    /// Indices of data frames that start a message and are final (whole
    /// unfragmented messages).
    pub fn whole_messages(&self) -> Vec<usize> {
        (0..self.frames.len())
            .filter(|&i| {
                let h = &self.frames[i].header;
                h.fin && matches!(h.opcode, OpCode::TEXT | OpCode::BINARY)
            })
            .collect()
    }

    /// Index pairs `(first, last)` of fragmented messages.
    pub fn fragmented_messages(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut open = None;
        for (i, f) in self.frames.iter().enumerate() {
            match (f.header.opcode, f.header.fin, open) {
                (OpCode::TEXT | OpCode::BINARY, false, _) => open = Some(i),
                (OpCode::CONTINUATION, true, Some(s)) => {
                    out.push((s, i));
                    open = None;
                }
                _ => {}
            }
        }
        out
    }

    /// Inserts `frame` at `at` (clamped to the end).
    pub fn insert(&mut self, at: usize, frame: Frame) {
        let at = at.min(self.frames.len());
        self.frames.insert(at, frame);
        self.pauses
            .iter_mut()
            .filter(|p| **p >= at)
            .for_each(|p| *p += 1);
    }

    /// Drops every frame after `i`.
    pub fn truncate_after(&mut self, i: usize) {
        self.frames.truncate(i + 1);
        self.pauses.retain(|p| *p < i);
    }
}

/// Whether the model fails the connection on a compressed message that ends
/// inside a DEFLATE block.
fn cuts_compressed_data(end: &End) -> bool {
    matches!(
        end,
        End::Fail { failure, .. }
            if matches!(failure.violation, Violation::BadCompressedData { truncated: true, .. })
    )
}

/// The model's expectation for a byte stream, for an endpoint that agreed
/// to permessage-deflate with the tester compressing in `deflate` (or to no
/// extension), and the number of bytes the
/// stream lacks to end its last frame (`None` when it ends on a frame
/// boundary; 0 when even the header is incomplete).
fn expect_stream_with(wire: Bytes, deflate: Option<Direction>) -> (Expectation, Option<u64>) {
    let mut stream = BytesMut::from(&wire[..]);
    let decoder = Decoder::new(MODEL_FRAME_CAP);
    let mut frames = Vec::new();
    while let Ok(Some(f)) = decoder.decode(&mut stream) {
        frames.push(f);
    }
    let parsed = FrameHeader::parse(&stream);
    let trailing = parsed.map(|(h, _)| h);
    let limits = Limits {
        deflate,
        ..Limits::default()
    };
    let endpoint = Endpoint::with_limits(Role::Server, limits);
    let exp = Expectation::of_stream(endpoint, &frames, trailing.as_ref());
    let shortfall = (!stream.is_empty()).then(|| {
        parsed.map_or(0, |(h, n)| {
            (h.len.value()).saturating_sub((stream.len() - n) as u64)
        })
    });
    (exp, shortfall)
}
